;; RUN: parse %s -o %tmp/x.wasm
(module
  (@interface func (export "f") (param strin)))
