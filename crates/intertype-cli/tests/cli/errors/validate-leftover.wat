;; RUN: validate %s
;; Something is left on the stack at the end.
(module
  (@interface func (export "f") (param s32 s32) (result s32)
    arg.get 0
    arg.get 1))
