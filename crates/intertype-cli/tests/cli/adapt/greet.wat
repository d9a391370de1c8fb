;; RUN: adapt %s --link lib=../intertype-adapt/tests/fixtures/greet-utf16.wat -o %tmp/adapters.wasm --shim %tmp/shim.wasm && validate %tmp/adapters.wasm && validate %tmp/shim.wasm && print %tmp/adapters.wasm
;; A UTF-8 module calling a UTF-16 one: the adapter module with one fused
;; function that transcodes both ways.
(module
  (import "lib" "greet_" (func $greet_ (param i32 i32) (result i32 i32)))
  (memory (export "memory") 1)
  (global $heap (mut i32) (i32.const 1024))
  (func $malloc (export "malloc") (param $size i32) (result i32)
    (local $p i32)
    (local.set $p (global.get $heap))
    (global.set $heap (i32.add (local.get $p) (local.get $size)))
    (local.get $p))
  (func (export "run") (param i32 i32) (result i32 i32)
    local.get 0
    local.get 1
    call $greet_)

  (@interface import "lib" "greet" (func $greet (param string) (result string)))
  (@interface implement (import "lib" "greet_") (param i32 i32) (result i32 i32)
    arg.get 0
    arg.get 1
    memory-to-string
    call-adapter $greet
    string-to-memory $malloc))
