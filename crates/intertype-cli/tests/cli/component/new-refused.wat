;; RUN: component new %s -o %tmp/refused.wasm
;; Without --omit-unmappable, an export that does not map is an error
;; naming it.
(module
  (memory (export "memory") 1)
  (func $f_ (param i32) (result i32) local.get 0)
  (@interface func (export "takes_core") (param i32) (result i32)
    arg.get 0 call-core $f_))
