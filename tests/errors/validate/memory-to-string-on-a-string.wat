;; memory-to-string needs (ptr, len) on the stack, not a string.
(module
  (memory $mem 1)
  (func $malloc (param i32) (result i32) i32.const 0)
  (func $greeting_ (param i32 i32) (result i32 i32) local.get 0 local.get 1)
  (@interface func (export "greeting") (param string) (result string)
    arg.get 0
    memory-to-string $mem))
