;; RUN: wit %s
;; A core type in an interface signature has no WIT type: a clear error.
(module
  (func $f_ (param i32) (result i32) local.get 0)
  (@interface func (export "f") (param i32) (result i32)
    arg.get 0 call-core $f_))
