;; RUN: validate %s
;; `bool` (0x0e) is an extension type; a 0.1.0 section must not use it.
(module
  (@custom "wasm-interface-types" "\050.1.0\00\04\01\01\0e\00"))
