;; RUN: validate %s
(module
  (memory 1)
  (func $malloc (param i32) (result i32) i32.const 0)
  (func $take (param i32))
  (@interface type $point (record (field "x" s32) (field "y" s32)))
  (@interface func (export "f") (param $point)
    arg.get 0
    value.lower $point $malloc
    call-core $take))
