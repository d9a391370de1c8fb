;; RUN: run %s 'missing()'
(module (func (export "present")))
