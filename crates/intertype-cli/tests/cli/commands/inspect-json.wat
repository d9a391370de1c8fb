;; RUN: inspect --json %s
(module
  (import "env" "log_" (func $log_ (param i32 i32)))
  (memory $mem (export "memory") 1)
  (func $malloc (export "malloc") (param i32 i32) (result i32) i32.const 8)
  (func $flip_ (export "flip_") (param i32 i32) (result i32 i32) local.get 1 local.get 0)
  (@interface type $point (record (field "x" s32) (field "y" s32)))
  (@interface func (export "flip") (param $p $point) (result $point)
    arg.get $p
    value.lower $point $malloc
    call-core $flip_
    value.lift $point)
  (@interface import "host" "log" (func (param string)))
  (@interface implement (import "env" "log_") (param i32 i32)
    arg.get 0
    arg.get 1
    memory-to-string
    call-adapter 0))
