;; RUN: run %s 'add(2, 40)'
;; A module without the section still runs its core exports.
(module
  (func (export "add") (param i32 i32) (result i32)
    (i32.add (local.get 0) (local.get 1))))
