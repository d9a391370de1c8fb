;; RUN: print %s
;; `print` shows the whole module; the interface items come last, in the
;; canonical (reference) spelling.
(module
  (import "" "log_" (func $log_ (param i32 i32)))
  (memory $mem 1)
  (@interface import "" "log" (func $log (param string)))
  (@interface implement (import "" "log_") (param $ptr i32) (param $len i32)
    arg.get $ptr
    arg.get $len
    memory-to-string $mem
    call-import $log))
