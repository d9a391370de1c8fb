;; Web APIs bound straight to the platform: imports from module `web` are
;; resolved from `globalThis` by name, with no JS glue of the user's between
;; the adapter and the platform function. Runs in Node (console, Math,
;; String, URL) and in browsers (the same, plus the DOM in
;; tests/js/modules/dom.wat).
(module
  (import "env" "log_" (func $log_ (param i32 i32)))
  (import "env" "upper_" (func $upper_ (param i32 i32) (result i32 i32)))
  (import "env" "hypot_" (func $hypot_ (param f64 f64) (result f64)))
  (import "env" "href_" (func $href_ (param externref) (result i32 i32)))
  (import "env" "set_hash_" (func $set_hash_ (param externref i32 i32)))
  (memory (export "memory") 1)
  (global $heap (mut i32) (i32.const 1024))
  (data (i32.const 16) "hello from wasm")
  (func $malloc (export "malloc") (param $size i32) (result i32)
    (local $ptr i32)
    global.get $heap
    local.set $ptr
    (global.set $heap (i32.add (global.get $heap) (local.get $size)))
    local.get $ptr)
  (func $id2_ (param i32 i32) (result i32 i32) local.get 0 local.get 1)
  (func $log_hello_ (export "log_hello_") (call $log_ (i32.const 16) (i32.const 15)))
  (func $shout_ (param i32 i32) (result i32 i32) (call $upper_ (local.get 0) (local.get 1)))
  (func $hyp_ (param f64 f64) (result f64) (call $hypot_ (local.get 0) (local.get 1)))
  (func $href_of_ (param externref) (result i32 i32) (call $href_ (local.get 0)))
  (func $set_hash_of_ (param externref i32 i32) (call $set_hash_ (local.get 0) (local.get 1) (local.get 2)))

  (@interface import "web" "console.log" (func (param string)))
  (@interface import "web" "String.prototype.toUpperCase" (func (param string) (result string)))
  (@interface import "web" "Math.hypot" (func (param f64 f64) (result f64)))
  (@interface import "web" "get URL.prototype.href" (func (param externref) (result string)))
  (@interface import "web" "set URL.prototype.hash" (func (param externref string)))

  (@interface implement (import "env" "log_") (param i32 i32)
    arg.get 0 arg.get 1 memory-to-string call-adapter 0)
  (@interface implement (import "env" "upper_") (param i32 i32) (result i32 i32)
    arg.get 0 arg.get 1 memory-to-string call-adapter 1 string-to-memory $malloc)
  (@interface implement (import "env" "hypot_") (param f64 f64) (result f64)
    arg.get 0 arg.get 1 call-adapter 2)
  (@interface implement (import "env" "href_") (param externref) (result i32 i32)
    arg.get 0 call-adapter 3 string-to-memory $malloc)
  (@interface implement (import "env" "set_hash_") (param externref i32 i32)
    arg.get 0 arg.get 1 arg.get 2 memory-to-string call-adapter 4)

  (@interface func (export "log_hello")
    call-core $log_hello_)
  (@interface func (export "shout") (param string) (result string)
    arg.get 0 string-to-memory $malloc call-core $shout_ memory-to-string)
  (@interface func (export "hypot") (param f64 f64) (result f64)
    arg.get 0 arg.get 1 call-core $hyp_)
  (@interface func (export "href") (param externref) (result string)
    arg.get 0 call-core $href_of_ memory-to-string)
  (@interface func (export "set_hash") (param externref string)
    arg.get 0 arg.get 1 string-to-memory $malloc call-core $set_hash_of_)
)
