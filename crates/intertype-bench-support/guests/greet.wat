;; The greeting guest of the benchmarks: `greet(string) -> string` returning
;; "Hello, " + name in a fresh guest allocation (allocate, copy the greeting
;; and the name, free the argument; the result is freed by a deferred call).
;; `malloc` grows memory by as many pages as the allocation needs (the growth
;; benchmark passes strings up to 16 MiB); once every allocation is freed the
;; bump heap starts over. One text for intertype-runtime's `greet` and `growth`
;; benchmarks and `callgrind` example, module B of intertype-adapt's `fused`
;; benchmark, B of the JS link benchmark (benches/js/link.mjs), and the guest
;; of benches/ruby/bench.rb, benches/python/bench.py and intertype-c-api's
;; greet_reference example.
(module
  (memory (export "mem") 2)
  (global $heap (mut i32) (i32.const 1024))
  (global $live (mut i32) (i32.const 0))
  (data (i32.const 16) "Hello, ")
  (func $malloc (export "malloc") (param $n i32) (result i32)
    (local $p i32)
    (local.set $p (global.get $heap))
    (global.set $heap (i32.add (global.get $heap) (local.get $n)))
    (if (i32.gt_u (global.get $heap) (i32.mul (memory.size) (i32.const 65536)))
      (then (drop (memory.grow
        (i32.add (i32.const 1)
          (i32.shr_u
            (i32.sub (global.get $heap) (i32.mul (memory.size) (i32.const 65536)))
            (i32.const 16)))))))
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
    string-to-memory $malloc "mem"
    call-core $greet_
    defer-call-core $free
    memory-to-string "mem"))
