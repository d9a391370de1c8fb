;; RUN: validate %s
;; The core module itself is invalid.
(module
  (func (result i32)))
