;; RUN: validate %s
;; A section whose version string neither tool knows.
(module
  (@custom "wasm-interface-types" "\05hello"))
