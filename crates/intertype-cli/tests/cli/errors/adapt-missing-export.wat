;; RUN: adapt %s --link lib=../intertype-adapt/tests/fixtures/greet-utf16.wat -o %tmp/a.wasm
;; The linked module does not export what the importer asks for.
(module
  (import "lib" "hello_" (func $hello_ (param i32 i32)))
  (memory (export "memory") 1)
  (@interface import "lib" "hello" (func $hello (param string)))
  (@interface implement (import "lib" "hello_") (param i32 i32)
    arg.get 0
    arg.get 1
    memory-to-string
    call-adapter $hello))
