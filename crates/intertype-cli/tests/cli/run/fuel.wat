;; RUN: run --fuel 100000 --json %s 'spin()'
(module
  (func $spin_ (result i32) (loop $l (br $l)) i32.const 0)
  (@interface func (export "spin") (result u32)
    call-core $spin_ i32-to-u32))
