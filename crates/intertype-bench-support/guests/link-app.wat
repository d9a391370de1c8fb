;; Module A of the link benchmarks (intertype-adapt's `fused`, the JS
;; benches/js/link.mjs): calls B's (greet.wat) `greet` through its import
;; `lib` `greet_`. The name lives at 65536 (`fill`); the heap starts at
;; 262144 and is reset by every `run`. Core `run(ptr, len)` greets a name in
;; A's memory; interface `run(n: u32) -> u32` greets the `n` bytes at 65536
;; and returns the result's length (the engine's typed entry).
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
  (func $run_n (export "run_n") (param $n i32) (result i32)
    (global.set $heap (i32.const 262144))
    (call $greet_ (i32.const 65536) (local.get $n))
    (local.set $n)
    drop
    (local.get $n))
  (@interface func (export "run") (param u32) (result u32)
    arg.get 0 u32-to-i32 call-core $run_n i32-to-u32)
  (@interface import "lib" "greet" (func $greet (param string) (result string)))
  (@interface implement (import "lib" "greet_") (param i32 i32) (result i32 i32)
    arg.get 0 arg.get 1 memory-to-string
    call-adapter $greet
    string-to-memory $malloc))
