;; RUN: parse %s -o %tmp/plain.wasm && component adopt %tmp/plain.wasm
;; A module that was not built with a component-model bindings generator.
(module (func (export "f")))
