;; Extension types end to end: records, variants, enums, flags, options,
;; results, lists (bytes), bool and char, UTF-16 strings, values returned
;; through memory, and a host import that takes a record.
(module
  (import "env" "log_point_" (func $log_point_ (param i32 i32)))
  (memory (export "memory") 1)
  (global $heap (mut i32) (i32.const 4096))
  ;; the point (3, 4) at 64; "division by zero" at 128
  (data (i32.const 64) "\03\00\00\00\04\00\00\00")
  (data (i32.const 128) "division by zero")

  ;; An aligned bump allocator: (size, align) -> ptr.
  (func $malloc (export "malloc") (param $size i32) (param $align i32) (result i32)
    (local $ptr i32)
    (local.set $ptr
      (i32.and
        (i32.add (global.get $heap) (i32.sub (local.get $align) (i32.const 1)))
        (i32.sub (i32.const 0) (local.get $align))))
    (global.set $heap (i32.add (local.get $ptr) (local.get $size)))
    (local.get $ptr))

  (func $flip_ (param i32 i32) (result i32 i32) local.get 1 local.get 0)
  (func $origin_ (result i32) i32.const 64)
  (func $id_ (param i32) (result i32) local.get 0)
  (func $id2_ (param i32 i32) (result i32 i32) local.get 0 local.get 1)
  (func $id3_ (param i32 i32 i32) (result i32 i32 i32) local.get 0 local.get 1 local.get 2)
  (func $not_ (param i32) (result i32) local.get 0 i32.eqz)

  ;; reverse bytes in place
  (func $reverse_ (param $ptr i32) (param $len i32) (result i32 i32)
    (local $i i32) (local $j i32) (local $t i32)
    (local.set $j (i32.sub (i32.add (local.get $ptr) (local.get $len)) (i32.const 1)))
    (local.set $i (local.get $ptr))
    (block $done
      (loop $next
        (br_if $done (i32.ge_s (local.get $i) (local.get $j)))
        (local.set $t (i32.load8_u (local.get $i)))
        (i32.store8 (local.get $i) (i32.load8_u (local.get $j)))
        (i32.store8 (local.get $j) (local.get $t))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (local.set $j (i32.sub (local.get $j) (i32.const 1)))
        (br $next)))
    local.get $ptr
    local.get $len)

  ;; result<s32, string> flattened: (discriminant, ok-or-ptr, len)
  (func $div_ (param $a i32) (param $b i32) (result i32 i32 i32)
    (if (result i32 i32 i32) (i32.eqz (local.get $b))
      (then i32.const 1 i32.const 128 i32.const 16)
      (else i32.const 0 (i32.div_s (local.get $a) (local.get $b)) i32.const 0)))

  ;; shape = circle(f32) | rect(point) | dot, flattened: (disc, i32, i32)
  (func $area_ (param $disc i32) (param $a i32) (param $b i32) (result f32)
    (if (result f32) (i32.eqz (local.get $disc))
      (then (f32.mul (f32.const 3.25) (f32.mul (f32.reinterpret_i32 (local.get $a)) (f32.reinterpret_i32 (local.get $a)))))
      (else (if (result f32) (i32.eq (local.get $disc) (i32.const 1))
        (then (f32.convert_i32_s (i32.mul (local.get $a) (local.get $b))))
        (else f32.const 0)))))

  (func $next_color_ (param i32) (result i32)
    (i32.rem_u (i32.add (local.get 0) (i32.const 1)) (i32.const 3)))

  (func $run_ (export "run_") i32.const 7 i32.const -2 call $log_point_)

  (@interface type $point (record (field "x" s32) (field "y" s32)))
  (@interface type $shape (variant (case "circle" f32) (case "rect" $point) (case "dot")))
  (@interface type $color (enum "red" "green" "blue"))
  (@interface type $perms (flags "read" "write" "exec"))

  (@interface func (export "flip") (param $p $point) (result $point)
    arg.get $p
    value.lower $point $malloc
    call-core $flip_
    value.lift $point)

  (@interface func (export "origin") (result $point)
    call-core $origin_
    value.load $point)

  (@interface func (export "reverse") (param (list u8)) (result (list u8))
    arg.get 0
    value.lower (list u8) $malloc
    call-core $reverse_
    value.lift (list u8))

  (@interface func (export "checked_div") (param s32 s32) (result (result s32 (error string)))
    arg.get 0
    s32-to-i32
    arg.get 1
    s32-to-i32
    call-core $div_
    value.lift (result s32 (error string)))

  (@interface func (export "area") (param $shape) (result f32)
    arg.get 0
    value.lower $shape $malloc
    call-core $area_)

  (@interface func (export "next_color") (param $color) (result $color)
    arg.get 0
    value.lower $color $malloc
    call-core $next_color_
    value.lift $color)

  (@interface func (export "same_perms") (param $perms) (result $perms)
    arg.get 0
    value.lower $perms $malloc
    call-core $id_
    value.lift $perms)

  (@interface func (export "maybe") (param (option string)) (result (option string))
    arg.get 0
    value.lower (option string) $malloc
    call-core $id3_
    value.lift (option string))

  (@interface func (export "not") (param bool) (result bool)
    arg.get 0
    bool-to-i32
    call-core $not_
    i32-to-bool)

  (@interface func (export "echo16") (param string) (result string)
    arg.get 0
    string-to-memory $malloc utf16
    call-core $id2_
    memory-to-string utf16)

  (@interface func (export "next_char") (param char) (result char)
    arg.get 0
    char-to-i32
    call-core $id_
    i32-to-char)

  (@interface import "host" "log_point" (func (param $point)))
  (@interface implement (import "env" "log_point_") (param i32 i32)
    arg.get 0
    arg.get 1
    value.lift $point
    call-adapter 0)
)
