;; The DOM through Web APIs bound without JS glue (module `web`): creates an
;; element, sets its text and appends it to a parent the caller passes as an
;; externref; reads an attribute back. Used by examples/markdown-web (the outline) and the browser test; in Node, where
;; there is no `document`, instantiation fails with a link error naming it.
(module
  (import "env" "create_" (func $create_ (param i32 i32) (result externref)))
  (import "env" "set_text_" (func $set_text_ (param externref i32 i32)))
  (import "env" "append_" (func $append_ (param externref externref) (result externref)))
  (import "env" "set_attr_" (func $set_attr_ (param externref i32 i32 i32 i32)))
  (memory (export "memory") 1)
  (global $heap (mut i32) (i32.const 1024))
  (func $malloc (export "malloc") (param $size i32) (result i32)
    (local $ptr i32)
    global.get $heap
    local.set $ptr
    (global.set $heap (i32.add (global.get $heap) (local.get $size)))
    local.get $ptr)
  ;; add_item(parent, tag, text, id): a wasm function that drives the DOM.
  (func $add_item_ (param $parent externref) (param $tp i32) (param $tl i32) (param $xp i32) (param $xl i32) (param $ip i32) (param $il i32) (result externref)
    (local $el externref)
    (local.set $el (call $create_ (local.get $tp) (local.get $tl)))
    (call $set_text_ (local.get $el) (local.get $xp) (local.get $xl))
    (call $set_attr_ (local.get $el) (i32.const 0) (i32.const 2) (local.get $ip) (local.get $il))
    (drop (call $append_ (local.get $parent) (local.get $el)))
    (local.get $el))
  (data (i32.const 0) "id")

  (@interface import "web" "document.createElement" (func (param string) (result externref)))
  (@interface import "web" "set Node.prototype.textContent" (func (param externref string)))
  (@interface import "web" "Node.prototype.appendChild" (func (param externref externref) (result externref)))
  (@interface import "web" "Element.prototype.setAttribute" (func (param externref string string)))

  (@interface implement (import "env" "create_") (param i32 i32) (result externref)
    arg.get 0 arg.get 1 memory-to-string call-adapter 0)
  (@interface implement (import "env" "set_text_") (param externref i32 i32)
    arg.get 0 arg.get 1 arg.get 2 memory-to-string call-adapter 1)
  (@interface implement (import "env" "append_") (param externref externref) (result externref)
    arg.get 0 arg.get 1 call-adapter 2)
  (@interface implement (import "env" "set_attr_") (param externref i32 i32 i32 i32)
    arg.get 0 arg.get 1 arg.get 2 memory-to-string arg.get 3 arg.get 4 memory-to-string call-adapter 3)

  (@interface func (export "add_item") (param externref string string string) (result externref)
    arg.get 0
    arg.get 1 string-to-memory $malloc
    arg.get 2 string-to-memory $malloc
    arg.get 3 string-to-memory $malloc
    call-core $add_item_)
)
