;; RUN: validate %s
;; The types subsection claims 9 bytes; only 3 follow.
(module
  (@custom "wasm-interface-types" "\050.1.0\00\09\01\00\00"))
