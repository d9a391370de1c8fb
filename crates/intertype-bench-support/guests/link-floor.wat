;; The floor of the link benchmarks: the work of link-app.wat calling
;; greet.wat (allocate, copy the greeting and the name) in one module, with
;; no boundary. Same memory layout and `fill`/`run` exports as link-app.wat.
(module
  (memory (export "memory") 8)
  (global $heap (mut i32) (i32.const 262144))
  (func $malloc (export "malloc") (param $n i32) (result i32)
    (local $p i32)
    (local.set $p (global.get $heap))
    (global.set $heap (i32.add (global.get $heap) (local.get $n)))
    (local.get $p))
  (func (export "fill") (param $n i32)
    (memory.fill (i32.const 65536) (i32.const 119) (local.get $n)))
  (data (i32.const 16) "Hello, ")
  (func (export "run") (param $p i32) (param $n i32) (result i32 i32)
    (local $q i32)
    (global.set $heap (i32.const 262144))
    (local.set $q (call $malloc (i32.add (local.get $n) (i32.const 7))))
    (memory.copy (local.get $q) (i32.const 16) (i32.const 7))
    (memory.copy (i32.add (local.get $q) (i32.const 7)) (local.get $p) (local.get $n))
    (local.get $q) (i32.add (local.get $n) (i32.const 7))))
