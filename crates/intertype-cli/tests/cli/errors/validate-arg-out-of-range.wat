;; RUN: validate %s
(module
  (@interface func (export "f") (param s32) (result s32)
    arg.get 1))
