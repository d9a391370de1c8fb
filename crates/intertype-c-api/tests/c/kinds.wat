;; Every value kind the C API has, echoed through guest memory
;; (value.store_new, then value.load), a host import, traps and a guest that
;; misbehaves. Used by tests/c/api.c.
(module
  (import "env" "shout_" (func $shout_ (param i32 i32) (result i32 i32)))
  (import "env" "add_" (func $add_ (param i32 i32) (result i32)))
  (memory $mem (export "memory") 1)
  (global $heap (mut i32) (i32.const 4096))

  ;; An aligned bump allocator that starts over at every call of `reset`.
  (func $malloc (export "malloc") (param $size i32) (param $align i32) (result i32)
    (local $ptr i32)
    (local.set $ptr
      (i32.and
        (i32.add (global.get $heap) (i32.sub (local.get $align) (i32.const 1)))
        (i32.sub (i32.const 0) (local.get $align))))
    (global.set $heap (i32.add (local.get $ptr) (local.get $size)))
    (local.get $ptr))
  (func $malloc1 (param $size i32) (result i32) local.get $size i32.const 1 call $malloc)
  ;; A core export no adapter touches: offered with core types (i32, i64).
  (func $core_mix (export "core_mix") (param i32 i64) (result i64)
    local.get 1 local.get 0 i64.extend_i32_s i64.add)
  (func $reset (export "reset") (global.set $heap (i32.const 4096)))
  (func $id_ (param i32) (result i32) local.get 0)
  (func $idref_ (param externref) (result externref) local.get 0)
  (func $call_shout_ (param i32 i32) (result i32 i32) local.get 0 local.get 1 call $shout_)
  (func $call_add_ (param i32 i32) (result i32) local.get 0 local.get 1 call $add_)
  (func $boom_ unreachable)
  (func $spin_ (loop $l br $l))
  (func $bad_string_ (result i32 i32) i32.const 65530 i32.const 100)
  (func $div_ (param i32 i32) (result i32) local.get 0 local.get 1 i32.div_s)

  (@interface type $bytes (list u8))
  (@interface type $strings (list string))
  (@interface type $point (record (field "x" s32) (field "y" s32)))
  (@interface type $pair (tuple u8 string))
  (@interface type $shape (variant (case "circle" f64) (case "dot")))
  (@interface type $color (enum "red" "green" "blue"))
  (@interface type $maybe (option $point))
  (@interface type $outcome (result string (error $color)))
  (@interface type $perms (flags "read" "write" "exec"))

  ;; Adapter functions 0 and 1: the host imports.
  (@interface import "host" "shout" (func (param string) (result string)))
  (@interface import "host" "add" (func (param s32 s32) (result s32)))
  (@interface implement (import "env" "shout_") (param i32 i32) (result i32 i32)
    arg.get 0
    arg.get 1
    memory-to-string $mem
    call-adapter 0
    string-to-memory $malloc1 $mem)
  (@interface implement (import "env" "add_") (param i32 i32) (result i32)
    arg.get 0
    i32-to-s32
    arg.get 1
    i32-to-s32
    call-adapter 1
    s32-to-i32)

  (@interface func (export "echo_bool") (param bool) (result bool)
    arg.get 0
    value.store_new bool $malloc
    call-core $id_
    value.load bool)
  (@interface func (export "echo_s8") (param s8) (result s8)
    arg.get 0
    value.store_new s8 $malloc
    call-core $id_
    value.load s8)
  (@interface func (export "echo_u8") (param u8) (result u8)
    arg.get 0
    value.store_new u8 $malloc
    call-core $id_
    value.load u8)
  (@interface func (export "echo_s16") (param s16) (result s16)
    arg.get 0
    value.store_new s16 $malloc
    call-core $id_
    value.load s16)
  (@interface func (export "echo_u16") (param u16) (result u16)
    arg.get 0
    value.store_new u16 $malloc
    call-core $id_
    value.load u16)
  (@interface func (export "echo_s32") (param s32) (result s32)
    arg.get 0
    value.store_new s32 $malloc
    call-core $id_
    value.load s32)
  (@interface func (export "echo_u32") (param u32) (result u32)
    arg.get 0
    value.store_new u32 $malloc
    call-core $id_
    value.load u32)
  (@interface func (export "echo_s64") (param s64) (result s64)
    arg.get 0
    value.store_new s64 $malloc
    call-core $id_
    value.load s64)
  (@interface func (export "echo_u64") (param u64) (result u64)
    arg.get 0
    value.store_new u64 $malloc
    call-core $id_
    value.load u64)
  (@interface func (export "echo_f32") (param f32) (result f32)
    arg.get 0
    value.store_new f32 $malloc
    call-core $id_
    value.load f32)
  (@interface func (export "echo_f64") (param f64) (result f64)
    arg.get 0
    value.store_new f64 $malloc
    call-core $id_
    value.load f64)
  (@interface func (export "echo_char") (param char) (result char)
    arg.get 0
    value.store_new char $malloc
    call-core $id_
    value.load char)
  (@interface func (export "echo_string") (param string) (result string)
    arg.get 0
    value.store_new string $malloc
    call-core $id_
    value.load string)
  (@interface func (export "echo_bytes") (param $bytes) (result $bytes)
    arg.get 0
    value.store_new $bytes $malloc
    call-core $id_
    value.load $bytes)
  (@interface func (export "echo_list") (param $strings) (result $strings)
    arg.get 0
    value.store_new $strings $malloc
    call-core $id_
    value.load $strings)
  (@interface func (export "echo_record") (param $point) (result $point)
    arg.get 0
    value.store_new $point $malloc
    call-core $id_
    value.load $point)
  (@interface func (export "echo_tuple") (param $pair) (result $pair)
    arg.get 0
    value.store_new $pair $malloc
    call-core $id_
    value.load $pair)
  (@interface func (export "echo_variant") (param $shape) (result $shape)
    arg.get 0
    value.store_new $shape $malloc
    call-core $id_
    value.load $shape)
  (@interface func (export "echo_enum") (param $color) (result $color)
    arg.get 0
    value.store_new $color $malloc
    call-core $id_
    value.load $color)
  (@interface func (export "echo_option") (param $maybe) (result $maybe)
    arg.get 0
    value.store_new $maybe $malloc
    call-core $id_
    value.load $maybe)
  (@interface func (export "echo_result") (param $outcome) (result $outcome)
    arg.get 0
    value.store_new $outcome $malloc
    call-core $id_
    value.load $outcome)
  (@interface func (export "echo_flags") (param $perms) (result $perms)
    arg.get 0
    value.store_new $perms $malloc
    call-core $id_
    value.load $perms)
  (@interface func (export "echo_externref") (param externref) (result externref)
    arg.get 0
    call-core $idref_)
  (@interface func (export "shout") (param string) (result string)
    arg.get 0
    string-to-memory $malloc1 $mem
    call-core $call_shout_
    memory-to-string $mem)
  (@interface func (export "add") (param s32 s32) (result s32)
    arg.get 0
    s32-to-i32
    arg.get 1
    s32-to-i32
    call-core $call_add_
    i32-to-s32)
  (@interface func (export "boom")
    call-core $boom_)
  (@interface func (export "spin")
    call-core $spin_)
  (@interface func (export "bad_string") (result string)
    call-core $bad_string_
    memory-to-string $mem)
  (@interface func (export "div") (param s32 s32) (result s32)
    arg.get 0
    s32-to-i32
    arg.get 1
    s32-to-i32
    call-core $div_
    i32-to-s32)
)
