;; The first adapter of Lin Clark's 2019 article "WebAssembly Interface Types:
;; Interoperate with all the things!", verbatim: `greeting_` returns a pointer
;; and a length; the adapter turns them into a `string`.
(module
  (memory (export "mem") 1)
  (data (i32.const 16) "Hello, world!")
  (func (export "greeting_") (result i32 i32)
    i32.const 16
    i32.const 13)

  (@interface func (export "greeting") (result string)
    call-export "greeting_"
    memory-to-string "mem")
)
