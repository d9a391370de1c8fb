;; The article's second adapter, verbatim: the same greeting with a `string`
;; parameter, lowered into the module's memory with its exported allocator.
(module
  (memory (export "mem") 1)
  (global $heap (mut i32) (i32.const 1024))
  (data (i32.const 16) "Hello, ")

  ;; A bump allocator.
  (func (export "malloc") (param $size i32) (result i32)
    (local $ptr i32)
    global.get $heap
    local.set $ptr
    global.get $heap
    local.get $size
    i32.add
    global.set $heap
    local.get $ptr)

  ;; greeting_(ptr, len) -> (ptr, len) of "Hello, <name>!" written at 512.
  (func (export "greeting_") (param $ptr i32) (param $len i32) (result i32 i32)
    (memory.copy (i32.const 512) (i32.const 16) (i32.const 7))
    (memory.copy (i32.const 519) (local.get $ptr) (local.get $len))
    (i32.store8 (i32.add (i32.const 519) (local.get $len)) (i32.const 33))
    i32.const 512
    (i32.add (local.get $len) (i32.const 8)))

  (@interface func (export "greeting") (param string) (result string)
    arg.get 0
    string-to-memory "mem" "malloc"
    call-export "greeting_"
    memory-to-string "mem")
)
