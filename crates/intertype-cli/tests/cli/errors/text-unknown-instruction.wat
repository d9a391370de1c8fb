;; RUN: parse %s -o %tmp/x.wasm
(module
  (memory (export "mem") 1)
  (func (export "greeting_") (result i32 i32) i32.const 0 i32.const 0)
  (@interface func (export "greeting") (result string)
    call-export "greeting_"
    memory-to-strng "mem"))
