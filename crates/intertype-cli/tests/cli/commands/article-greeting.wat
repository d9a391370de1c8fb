;; RUN: parse %s -o %tmp/g.wasm && validate %tmp/g.wasm && print --interface-only %tmp/g.wasm && inspect %tmp/g.wasm
;; The article's second greeting, verbatim: parse, validate, print, inspect.
(module
  (memory (export "mem") 1)
  (func (export "malloc") (param i32) (result i32) i32.const 1024)
  (func (export "greeting_") (param i32 i32) (result i32 i32) local.get 0 local.get 1)
  (@interface func (export "greeting") (param string) (result string)
    arg.get 0
    string-to-memory "mem" "malloc"
    call-export "greeting_"
    memory-to-string "mem"))
