;; RUN: validate %s
(module
  (import "" "log_" (func $log_ (param i32 i32)))
  (memory $mem 1)
  (@interface import "" "log" (func $log (param string)))
  (@interface implement (import "" "log_") (param $ptr i32)
    arg.get $ptr
    arg.get $ptr
    memory-to-string $mem
    call-adapter $log))
