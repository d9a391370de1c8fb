;; The benchmark pair of crates/intertype-adapt/benches/fused.rs (same text): B, `greet(string) -> string` with a deferred free.
(module
  (memory (export "memory") 8)
  (global $heap (mut i32) (i32.const 1024))
  (global $live (mut i32) (i32.const 0))
  (data (i32.const 16) "Hello, ")
  (func $malloc (export "malloc") (param $n i32) (result i32)
    (local $p i32)
    (local.set $p (global.get $heap))
    (global.set $heap (i32.add (global.get $heap) (local.get $n)))
    (global.set $live (i32.add (global.get $live) (i32.const 1)))
    (local.get $p))
  (func $free (export "free") (param $p i32) (param $n i32)
    (global.set $live (i32.sub (global.get $live) (i32.const 1)))
    (if (i32.eqz (global.get $live)) (then (global.set $heap (i32.const 1024)))))
  (func $greet_ (export "greet_") (param $p i32) (param $n i32) (result i32 i32)
    (local $q i32)
    (local.set $q (call $malloc (i32.add (local.get $n) (i32.const 7))))
    (memory.copy (local.get $q) (i32.const 16) (i32.const 7))
    (memory.copy (i32.add (local.get $q) (i32.const 7)) (local.get $p) (local.get $n))
    (call $free (local.get $p) (local.get $n))
    (local.get $q) (i32.add (local.get $n) (i32.const 7)))
  (@interface func (export "greet") (param string) (result string)
    arg.get 0
    string-to-memory $malloc
    call-core $greet_
    defer-call-core $free
    memory-to-string))
