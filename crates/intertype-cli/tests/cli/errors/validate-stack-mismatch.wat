;; RUN: validate %s
;; memory-to-string needs two i32s; it finds a string.
(module
  (memory $mem 1)
  (@interface func (export "f") (param string) (result string)
    arg.get 0
    memory-to-string $mem))
