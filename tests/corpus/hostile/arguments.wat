;; Arguments a careless caller gets wrong: out-of-range integers, coercible
;; non-booleans and non-numbers, byte arrays with non-bytes, floats that
;; overflow, unknown record fields and flags, extra arguments, lone
;; surrogates. The JS glue (tests/js/hostile.test.mjs) and `intertype run`
;; (WAVE, crates/intertype-cli/tests/cli/hostile) must reject each with a
;; message that says what was expected (issue 8 item 9, issue 14 item 13).
(module
  (memory (export "mem") 1)
  (global $heap (mut i32) (i32.const 1024))
  (func $malloc (param $size i32) (param $align i32) (result i32)
    (local $p i32)
    (local.set $p (global.get $heap))
    (global.set $heap (i32.add (global.get $heap) (local.get $size)))
    (local.get $p))
  (func $malloc1 (param $size i32) (result i32) (call $malloc (local.get $size) (i32.const 1)))
  (func $id_ (param i32) (result i32) local.get 0)
  (func $not_ (param i32) (result i32) local.get 0 i32.eqz)
  (func $idf_ (param f32) (result f32) local.get 0)
  (func $idd_ (param f64) (result f64) local.get 0)
  (func $len_ (param i32 i32) (result i32) local.get 1)
  (func $id2_ (param i32 i32) (result i32 i32) local.get 0 local.get 1)
  (func $inf_ (result f64) f64.const inf)
  (func $nan_ (result f32) f32.const nan)

  (@interface type $point (record (field "x" s32) (field "y" s32)))
  (@interface type $perms (flags "read" "write"))

  (@interface func (export "to_u8") (param u8) (result u8)
    arg.get 0 u8-to-i32 call-core $id_ i32-to-u8)
  (@interface func (export "not") (param bool) (result bool)
    arg.get 0 bool-to-i32 call-core $not_ i32-to-bool)
  (@interface func (export "half") (param f32) (result f32)
    arg.get 0 call-core $idf_)
  (@interface func (export "double") (param f64) (result f64)
    arg.get 0 call-core $idd_)
  (@interface func (export "byte_count") (param (list u8)) (result u32)
    arg.get 0 value.lower (list u8) $malloc call-core $len_ i32-to-u32)
  (@interface func (export "text") (param string) (result string)
    arg.get 0 string-to-memory $malloc1 call-core $id2_ memory-to-string)
  (@interface func (export "point_x") (param $point) (result s32)
    arg.get 0 value.lower $point $malloc call-core $len_ i32-to-s32)
  (@interface func (export "perms") (param $perms) (result $perms)
    arg.get 0 value.lower $perms $malloc call-core $id_ value.lift $perms)
  (@interface func (export "infinity") (result f64) call-core $inf_)
  (@interface func (export "not_a_number") (result f32) call-core $nan_))
