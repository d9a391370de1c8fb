;; RUN: strip %s -o %tmp/core.wasm && inspect %tmp/core.wasm && validate %tmp/core.wasm
;; Stripping leaves the plain core module, which still validates.
(module
  (memory (export "mem") 1)
  (func (export "greeting_") (result i32 i32) i32.const 16 i32.const 13)
  (@interface func (export "greeting") (result string)
    call-export "greeting_"
    memory-to-string "mem"))
