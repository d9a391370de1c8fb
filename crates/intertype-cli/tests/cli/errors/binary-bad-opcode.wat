;; RUN: validate %s
;; version "0.1.0"; types: 1 type () -> (); funcs: 1 func of type 0 with opcode 0xff.
(module
  (@custom "wasm-interface-types" "\050.1.0\00\03\01\00\00\02\05\01\03\00\ff\02"))
