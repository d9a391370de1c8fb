;; Every extension type form and instruction, in one valid module. The
;; schema-approval test pins its binary encoding: if this encoding changes,
;; the extension version must change too.
(module
  (import "env" "store_point_" (func $store_point_ (param i32)))
  (memory $mem (export "memory") 1)
  (global $heap (mut i32) (i32.const 4096))

  ;; An aligned bump allocator: (size, align) -> ptr.
  (func $malloc (export "malloc") (param $size i32) (param $align i32) (result i32)
    (local $ptr i32)
    (local.set $ptr
      (i32.and
        (i32.add (global.get $heap) (i32.sub (local.get $align) (i32.const 1)))
        (i32.sub (i32.const 0) (local.get $align))))
    (global.set $heap (i32.add (local.get $ptr) (local.get $size)))
    (local.get $ptr))
  (func $free (param i32))
  (func $not_ (param i32) (result i32) local.get 0 i32.eqz)
  (func $id_ (param i32) (result i32) local.get 0)
  (func $id2_ (param i32 i32) (result i32 i32) local.get 0 local.get 1)
  (func $id3_ (param i32 i32 i32) (result i32 i32 i32) local.get 0 local.get 1 local.get 2)
  (func $idl_ (param i64) (result i64) local.get 0)
  (func $idfd_ (param i32 f64) (result i32 f64) local.get 0 local.get 1)
  (func $sum_ (param f32 f64) (result f64) local.get 0 f64.promote_f32 local.get 1 f64.add)
  (func $load_x_ (param i32) (result i32) local.get 0 i32.load)
  (func $make_point (export "make_point") (result i32)
    (local $p i32)
    (local.set $p (i32.const 256))
    (call $store_point_ (local.get $p))
    local.get $p)

  (@interface type $point (record (field "x" s32) (field "y" s32)))
  (@interface type $fpair (record (field "a" f32) (field "b" f64)))
  (@interface type $pair (tuple u8 string))
  (@interface type $perms (flags "read" "write" "exec"))
  (@interface type $color (enum "red" "green" "blue"))
  (@interface type $shape (variant (case "circle" f64) (case "dot")))
  (@interface type $maybe (option $point))
  (@interface type $outcome (result string (error $color)))
  (@interface type $bytes (list u8))

  ;; Stack-level records: f32 and f64 are both core and interface types.
  (@interface func (export "fpair") (param f32 f64) (result $fpair)
    arg.get 0
    arg.get 1
    record.lift $fpair)
  (@interface func (export "fpair_sum") (param $fpair) (result f64)
    arg.get 0
    record.lower $fpair
    call-core $sum_)

  ;; Flat lifts and lowers.
  (@interface func (export "perms") (param $perms) (result $perms)
    arg.get 0
    value.lower $perms $malloc
    call-core $id_
    value.lift $perms)
  (@interface func (export "shape") (param $shape) (result $shape)
    arg.get 0
    value.lower $shape $malloc
    call-core $idfd_
    value.lift $shape)
  (@interface func (export "outcome") (param $outcome) (result $outcome)
    arg.get 0
    value.lower $outcome $malloc
    call-core $id3_
    value.lift $outcome)
  (@interface func (export "bytes") (param $bytes) (result $bytes)
    arg.get 0
    value.lower $bytes $malloc
    call-core $id2_
    value.lift $bytes)

  ;; Values in memory: store into fresh memory, load back, with UTF-16
  ;; strings inside.
  (@interface func (export "pair16") (param $pair) (result $pair)
    arg.get 0
    value.store_new $pair $malloc utf16 $mem
    call-core $id_
    value.load $pair utf16 $mem)
  (@interface func (export "maybe") (param $maybe) (result $maybe)
    arg.get 0
    value.store_new $maybe $malloc
    call-core $id_
    defer-call-core $free
    value.load $maybe)
  (@interface func (export "first_x") (param $p $point) (result s32)
    arg.get $p
    value.store_new $point $malloc
    call-core $load_x_
    i32-to-s32)

  ;; A host function whose record result is stored into a return area the
  ;; guest passed.
  (@interface import "host" "point" (func (result $point)))
  (@interface implement (import "env" "store_point_") (param i32)
    arg.get 0
    call-adapter 0
    value.store $point $malloc)
  (@interface func (export "host_point") (result $point)
    call-core $make_point
    value.load $point)

  ;; Strings in the other encodings.
  (@interface func (export "latin1") (param string) (result string)
    arg.get 0
    string-to-memory $malloc latin1
    call-core $id2_
    memory-to-string latin1)
  (@interface func (export "utf16") (param string) (result string)
    arg.get 0
    string-to-memory $malloc utf16 $mem
    call-core $id2_
    memory-to-string utf16 $mem)

  ;; Scalars.
  (@interface func (export "not") (param bool) (result bool)
    arg.get 0
    bool-to-i32
    call-core $not_
    i32-to-bool)
  (@interface func (export "char") (param char) (result char)
    arg.get 0
    char-to-i32
    call-core $id_
    i32-to-char)
  (@interface func (export "s64") (param s64) (result u64)
    arg.get 0
    s64-to-i64
    call-core $idl_
    i64-to-u64)
)
