;; RUN: parse %s -o %tmp/x.wasm
;; `call-export` names a core export that does not exist.
(module
  (memory (export "mem") 1)
  (@interface func (export "greeting") (result string)
    call-export "greeting_"
    memory-to-string "mem"))
