;; RUN: run %s 'twice("x")'
(module
  (func $twice_ (param i32) (result i32) (i32.mul (local.get 0) (i32.const 2)))
  (@interface func (export "twice") (param u8) (result u32)
    arg.get 0 u8-to-i32 call-core $twice_ i32-to-u32))
