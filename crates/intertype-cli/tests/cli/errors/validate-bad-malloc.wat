;; RUN: validate %s
(module
  (memory $mem 1)
  (func $not_malloc (param i32 i32) (result i32) i32.const 0)
  (func $take (param i32 i32))
  (@interface func (export "f") (param $s string)
    arg.get $s
    string-to-memory $not_malloc $mem
    call-core $take))
