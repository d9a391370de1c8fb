;; RUN: validate %s
(module
  (@interface func (export "f"))
  (@interface func (export "f")))
