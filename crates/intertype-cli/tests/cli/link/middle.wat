;; The middle of a chain: exports `greet`, served by its own import
;; `base` `greet` (a link of its own), wrapping the name in brackets.
(module
  (memory (export "memory") 16)
  (global $heap (mut i32) (i32.const 1024))
  (func $malloc (export "malloc") (param $size i32) (result i32)
    (local $p i32)
    (local.set $p (global.get $heap))
    (global.set $heap (i32.add (local.get $p) (local.get $size)))
    (local.get $p))
  (@interface import "base" "greet" (func $base (param string) (result string)))
  (@interface func (export "greet") (param string) (result string)
    arg.get 0
    call-adapter $base))
