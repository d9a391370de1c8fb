;; RUN: run %s 'greeting("Lin")' && run --json %s 'greeting("日本")' && run --list %s
(module
  (memory (export "mem") 1)
  (global $heap (mut i32) (i32.const 1024))
  (data (i32.const 16) "Hello, ")
  (func (export "malloc") (param $size i32) (result i32)
    (local $ptr i32)
    (local.set $ptr (global.get $heap))
    (global.set $heap (i32.add (global.get $heap) (local.get $size)))
    (local.get $ptr))
  (func (export "greeting_") (param $ptr i32) (param $len i32) (result i32 i32)
    (memory.copy (i32.const 512) (i32.const 16) (i32.const 7))
    (memory.copy (i32.const 519) (local.get $ptr) (local.get $len))
    (i32.store8 (i32.add (i32.const 519) (local.get $len)) (i32.const 33))
    i32.const 512
    (i32.add (local.get $len) (i32.const 8)))
  (func (export "answer") (result i32) i32.const 42)
  (@interface func (export "greeting") (param string) (result string)
    arg.get 0
    string-to-memory "mem" "malloc"
    call-export "greeting_"
    memory-to-string "mem"))
