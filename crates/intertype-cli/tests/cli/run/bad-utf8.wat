;; RUN: run %s 'text()'
(module
  (memory (export "mem") 1)
  (data (i32.const 8) "ok \ff\fe")
  (func $text_ (result i32 i32) i32.const 8 i32.const 5)
  (@interface func (export "text") (result string)
    call-core $text_ memory-to-string "mem"))
