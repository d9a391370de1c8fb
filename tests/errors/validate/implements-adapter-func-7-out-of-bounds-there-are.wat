;; Validator: implements.
(module
  (import "env" "log_" (func $log_ (param i32 i32)))
  (import "env" "n_" (func $n_ (result i32)))
  (memory $mem 1)
  (func $malloc (param i32) (result i32) i32.const 0)
  (func $malloc2 (param i32 i32) (result i32) i32.const 0)
  (func $free (param i32 i32))
  (func $greet_ (param i32 i32) (result i32 i32) local.get 0 local.get 1)
  (func $v128 (param v128))
  (func $mixed (param i32 i64))
  (func $ret (result i32) i32.const 0)
  (func $unit)
  (func $f32 (param f32) (result f64) f64.const 0)
  (func $ref (param externref) (result externref) local.get 0)
  (func $wide (param i64) (result i32 i32 i32) i32.const 0 i32.const 0 i32.const 0)
  (export "greet_" (func $greet_))
  (@interface type (;0;) (func (param string)))
  (@interface type (;1;) (func (param i32) (param i32)))
  (@interface import "host" "i0" (func (;0;) (type 0)))
  (@interface func (;1;) (type 1)
    arg.get 0
    arg.get 1
    memory-to-string
    call-adapter 0)
  (@interface implement (func $log_) (func 1))
  (@interface implement (func $n_) (func 7))
)
