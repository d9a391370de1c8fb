;; Validator: records.
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
  (@interface type (;0;) (record (field "x" s32) (field "y" string)))
  (@interface type (;1;) (tuple u8 f64))
  (@interface type (;2;) (option u8))
  (@interface type (;3;) (func (param s32) (param string) (result (type 0))))
  (@interface type (;4;) (func (param (type 0)) (result s32) (result string)))
  (@interface type (;5;) (func (param u8) (param f64) (result (type 1))))
  (@interface type (;6;) (func (param (type 1)) (result u8) (result f64)))
  (@interface type (;7;) (func (param string) (param s32) (result (type 0))))
  (@interface func (;0;) (type 3)
    arg.get 0
    arg.get 1
    record.lift (type 0))
  (@interface func (;1;) (type 4)
    arg.get 0
    record.lower (type 0))
  (@interface func (;2;) (type 5)
    arg.get 0
    arg.get 1
    record.lift (type 1))
  (@interface func (;3;) (type 6)
    arg.get 0
    record.lower (type 1))
  (@interface func (;4;) (type 7)
    arg.get 0
    arg.get 1
    record.lift (type 0))
  (@interface export "f" (func 0))
)
