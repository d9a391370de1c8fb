;; The benchmark pair of crates/intertype-adapt/benches/fused.rs (same text): A, calling `lib` `greet` from core `run`.
(module
  (import "lib" "greet_" (func $greet_ (param i32 i32) (result i32 i32)))
  
  (memory (export "memory") 8)
  (global $heap (mut i32) (i32.const 262144))
  (func $malloc (export "malloc") (param $n i32) (result i32)
    (local $p i32)
    (local.set $p (global.get $heap))
    (global.set $heap (i32.add (global.get $heap) (local.get $n)))
    (local.get $p))
  (func (export "fill") (param $n i32)
    (memory.fill (i32.const 65536) (i32.const 119) (local.get $n)))

  (func (export "run") (param i32 i32) (result i32 i32)
    (global.set $heap (i32.const 262144))
    local.get 0 local.get 1 call $greet_)
  (@interface import "lib" "greet" (func $greet (param string) (result string)))
  (@interface implement (import "lib" "greet_") (param i32 i32) (result i32 i32)
    arg.get 0 arg.get 1 memory-to-string
    call-adapter $greet
    string-to-memory $malloc))
