;; RUN: validate %s
;; s32 is an interface type; call-core wants a core i32 (use s32-to-i32).
(module
  (func $f (param i32))
  (@interface func (export "f") (param s32)
    arg.get 0
    call-core $f))
