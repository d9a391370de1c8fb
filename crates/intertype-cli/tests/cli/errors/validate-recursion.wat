;; RUN: validate %s
;; Adapters are declarative: they may not call themselves.
(module
  (@interface func $a (export "a") call-adapter $b)
  (@interface func $b call-adapter $a))
