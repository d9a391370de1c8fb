;; Validator: value lift and lower.
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
  (@interface type (;0;) (result s32 (error string)))
  (@interface type (;1;) (record (field "x" s32) (field "y" f32)))
  (@interface type (;2;) (variant (case "f" f32) (case "u" u64)))
  (@interface type (;3;) (option externref))
  (@interface type (;4;) (func (param i32) (param i32) (param i32) (result (type 0))))
  (@interface type (;5;) (func (param (type 0)) (result i32) (result i32) (result i32)))
  (@interface type (;6;) (func (param (type 0)) (result i32) (result i32) (result i32)))
  (@interface type (;7;) (func (param i32) (param f32) (result (type 1))))
  (@interface type (;8;) (func (param i32) (param i64) (result (type 2))))
  (@interface type (;9;) (func (param (type 2)) (result i32) (result i64)))
  (@interface type (;10;) (func (param i32) (param externref) (result (type 3))))
  (@interface type (;11;) (func (param i32) (result u8)))
  (@interface func (;0;) (type 4)
    arg.get 0
    arg.get 1
    arg.get 2
    value.lift (type 0))
  (@interface func (;1;) (type 5)
    arg.get 0
    value.lower (type 0) $malloc)
  (@interface func (;2;) (type 6)
    arg.get 0
    value.lower (type 0) $malloc2)
  (@interface func (;3;) (type 7)
    arg.get 0
    arg.get 1
    value.lift (type 1))
  (@interface func (;4;) (type 8)
    arg.get 0
    arg.get 1
    value.lift (type 2))
  (@interface func (;5;) (type 9)
    arg.get 0
    value.lower (type 2) $malloc)
  (@interface func (;6;) (type 10)
    arg.get 0
    arg.get 1
    value.lift (type 3))
  (@interface func (;7;) (type 11)
    arg.get 0
    value.lift u8)
)
