;; A UTF-8 exporter: `greet(name) -> "Hello, " + name`. A name starting
;; with "!" makes its core code trap; one starting with "?" makes it return
;; a pointer out of bounds; "~" returns invalid UTF-8.
(module
  (memory (export "memory") 16)
  (global $heap (mut i32) (i32.const 1024))
  (data (i32.const 16) "Hello, ")
  (data (i32.const 32) "\ff\fe")
  (func $malloc (export "malloc") (param $size i32) (result i32)
    (local $p i32)
    (local.set $p (global.get $heap))
    (global.set $heap (i32.add (local.get $p) (local.get $size)))
    (local.get $p))
  (func $greet_ (export "greet_") (param $ptr i32) (param $len i32) (result i32 i32)
    (local $out i32)
    (if (i32.and (i32.ne (local.get $len) (i32.const 0))
                 (i32.eq (i32.load8_u (local.get $ptr)) (i32.const 33)))
      (then unreachable))
    (if (i32.and (i32.ne (local.get $len) (i32.const 0))
                 (i32.eq (i32.load8_u (local.get $ptr)) (i32.const 63)))
      (then (return (i32.const -256) (i32.const 100))))
    (if (i32.and (i32.ne (local.get $len) (i32.const 0))
                 (i32.eq (i32.load8_u (local.get $ptr)) (i32.const 126)))
      (then (return (i32.const 32) (i32.const 2))))
    (local.set $out (call $malloc (i32.add (local.get $len) (i32.const 7))))
    (memory.copy (local.get $out) (i32.const 16) (i32.const 7))
    (memory.copy (i32.add (local.get $out) (i32.const 7)) (local.get $ptr) (local.get $len))
    (local.get $out)
    (i32.add (local.get $len) (i32.const 7)))
  (@interface func (export "greet") (param string) (result string)
    arg.get 0
    string-to-memory $malloc
    call-core $greet_
    memory-to-string))
