;; Guests that misbehave, one adapter per way, for the conformance corpus:
;; every call below must fail with a trap (or a host error), and the
;; instance must keep working afterwards (`echo`, `frees`).
(module
  (import "env" "fail_" (func $fail_))
  (memory (export "memory") 1)
  (global $heap (mut i32) (i32.const 1024))
  (global $frees (mut i32) (i32.const 0))
  (data (i32.const 16) "\ff\fe")
  (data (i32.const 64) "\05\00\00\00")

  (func $malloc (export "malloc") (param $size i32) (param $align i32) (result i32)
    (local $ptr i32)
    (local.set $ptr
      (i32.and
        (i32.add (global.get $heap) (i32.sub (local.get $align) (i32.const 1)))
        (i32.sub (i32.const 0) (local.get $align))))
    (global.set $heap (i32.add (local.get $ptr) (local.get $size)))
    (local.get $ptr))
  (func $outside_malloc (param i32) (result i32) i32.const -8)
  (func $malloc1 (param $size i32) (result i32) (call $malloc (local.get $size) (i32.const 1)))
  (func $odd_malloc (param i32 i32) (result i32) i32.const 1025)
  (func $free_ (param i32 i32) (global.set $frees (i32.add (global.get $frees) (i32.const 1))))
  (func $frees_ (result i32) global.get $frees)

  (func $outside_ (result i32 i32) i32.const 65530 i32.const 100)
  (func $bad_utf8_ (result i32 i32) i32.const 16 i32.const 2)
  (func $unreachable_ (result i32) unreachable)
  (func $surrogate_ (result i32) i32.const 0xd800)
  (func $five_ (result i32) i32.const 5)
  (func $eight_ (result i32) i32.const 8)
  (func $id_ (param i32) (result i32) local.get 0)
  (func $id2_ (param i32 i32) (result i32 i32) local.get 0 local.get 1)
  (func $call_fail_ call $fail_)

  (@interface type $color (enum "red" "green" "blue"))
  (@interface type $perms (flags "read" "write" "exec"))
  (@interface type $point (record (field "x" s32) (field "y" s32)))

  (@interface func (export "outside_string") (result string)
    call-core $outside_
    memory-to-string)
  (@interface func (export "bad_utf8") (result string)
    call-core $bad_utf8_
    memory-to-string)
  (@interface func (export "core_trap") (result s32)
    call-core $unreachable_
    i32-to-s32)
  (@interface func (export "surrogate") (result char)
    call-core $surrogate_
    i32-to-char)
  (@interface func (export "bad_enum") (result $color)
    call-core $five_
    value.lift $color)
  (@interface func (export "bad_flags") (result $perms)
    call-core $eight_
    value.lift $perms)
  (@interface func (export "load_point") (param u32) (result $point)
    arg.get 0
    u32-to-i32
    call-core $id_
    value.load $point)
  (@interface func (export "outside_alloc") (param string) (result string)
    arg.get 0
    string-to-memory $outside_malloc
    call-core $id2_
    memory-to-string)
  (@interface func (export "odd_alloc") (param $point) (result u32)
    arg.get 0
    value.store_new $point $odd_malloc
    call-core $id_
    i32-to-u32)
  (@interface func (export "freed_on_trap") (result string)
    call-core $bad_utf8_
    defer-call-core $free_
    memory-to-string)
  (@interface func (export "frees") (result u32)
    call-core $frees_
    i32-to-u32)
  (@interface func (export "echo") (param string) (result string)
    arg.get 0
    string-to-memory $malloc1
    call-core $id2_
    memory-to-string)
  (@interface func (export "host_fails")
    call-core $call_fail_)

  (@interface import "host" "fail" (func))
  (@interface implement (import "env" "fail_")
    call-adapter 0)
)
