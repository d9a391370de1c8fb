;; Validator: value lift and lower; the core module without its memory.
(module
  (import "env" "log_" (func $log_ (param i32 i32)))
  (import "env" "n_" (func $n_ (result i32)))
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
  (@interface type (;0;) (record (field "x" s32) (field "y" f32)))
  (@interface type (;1;) (func (param i32) (param f32) (result (type 0))))
  (@interface type (;2;) (func (param (type 0)) (result i32) (result f32)))
  (@interface type (;3;) (func (param i32) (param i32) (result string)))
  (@interface type (;4;) (func (param string) (result i32) (result i32)))
  (@interface type (;5;) (func (param u8) (result i32)))
  (@interface func (;0;) (type 1)
    arg.get 0
    arg.get 1
    value.lift (type 0))
  (@interface func (;1;) (type 2)
    arg.get 0
    value.lower (type 0) $malloc)
  (@interface func (;2;) (type 5)
    arg.get 0
    value.lower u8 99)
)
