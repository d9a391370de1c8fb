;; RUN: run %s --link lib=tests/cli/link/lib-utf8.wat 'hello("!boom")'
;; A trap in the linked module, reported against it.
;; The importer: keeps strings in UTF-8; its interface export `hello`
;; calls `lib` `greet` through the core import `lib` `greet_`.
(module
  (import "lib" "greet_" (func $greet_ (param i32 i32) (result i32 i32)))
  (memory (export "memory") 16)
  (global $heap (mut i32) (i32.const 1024))
  (func $malloc (export "malloc") (param $size i32) (result i32)
    (local $p i32)
    (local.set $p (global.get $heap))
    (global.set $heap (i32.add (local.get $p) (local.get $size)))
    (local.get $p))
  (func $run (export "run") (param i32 i32) (result i32 i32)
    local.get 0
    local.get 1
    call $greet_)

  (@interface import "lib" "greet" (func $greet (param string) (result string)))
  (@interface implement (import "lib" "greet_") (param i32 i32) (result i32 i32)
    arg.get 0
    arg.get 1
    memory-to-string
    call-adapter $greet
    string-to-memory $malloc)
  (@interface func (export "hello") (param string) (result string)
    arg.get 0
    string-to-memory $malloc
    call-core $run
    memory-to-string))
