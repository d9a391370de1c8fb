;; RUN: run %s 'boom()'
(module
  (func $deep (result i32 i32) unreachable)
  (func $boom_ (result i32 i32) call $deep)
  (memory (export "mem") 1)
  (@interface func (export "boom") (result string)
    call-core $boom_ memory-to-string))
