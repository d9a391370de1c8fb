;; RUN: run %s 'shout()'
(module
  (import "" "log_" (func $log_ (param i32 i32)))
  (memory (export "mem") 1)
  (func (export "quiet") (result i32) i32.const 0)
  (func (export "shout") (call $log_ (i32.const 0) (i32.const 0)))
  (@interface import "" "log" (func (param string)))
  (@interface implement (import "" "log_") (param i32 i32)
    arg.get 0 arg.get 1 memory-to-string call-adapter 0))
