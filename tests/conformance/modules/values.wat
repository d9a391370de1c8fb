;; Round trips of every kind of value through linear memory, for the
;; conformance corpus: lists of numbers, strings, records and lists; nested
;; options; tuples; several results; payload-less results; memory that grows
;; while a value is lowered (the allocator calls memory.grow).
(module
  (memory (export "memory") 1)
  (global $heap (mut i32) (i32.const 1024))

  ;; (size, align) -> ptr; grows memory as needed.
  (func $malloc (export "malloc") (param $size i32) (param $align i32) (result i32)
    (local $ptr i32) (local $end i32)
    (local.set $ptr
      (i32.and
        (i32.add (global.get $heap) (i32.sub (local.get $align) (i32.const 1)))
        (i32.sub (i32.const 0) (local.get $align))))
    (local.set $end (i32.add (local.get $ptr) (local.get $size)))
    (if (i32.gt_u (local.get $end) (i32.mul (memory.size) (i32.const 65536)))
      (then
        (drop (memory.grow
          (i32.add (i32.shr_u (i32.sub (local.get $end) (i32.mul (memory.size) (i32.const 65536))) (i32.const 16))
                   (i32.const 1))))))
    (global.set $heap (local.get $end))
    (local.get $ptr))
  (func $malloc1 (param $size i32) (result i32) (call $malloc (local.get $size) (i32.const 1)))
  (func $id_ (param i32) (result i32) local.get 0)
  (func $id2_ (param i32 i32) (result i32 i32) local.get 0 local.get 1)
  (func $id3_ (param i32 i32 i32) (result i32 i32 i32) local.get 0 local.get 1 local.get 2)
  (func $tuple_ (param i64 i32 i32 i32) (result i64 i32 i32 i32)
    local.get 0 local.get 1 local.get 2 local.get 3)
  (func $measure_ (param i32 i32) (result i32 i32 i32)
    local.get 1 local.get 0 local.get 1)
  (func $heap_ (result i32) global.get $heap)
  (func $pages_ (result i32) memory.size)

  (@interface type $point (record (field "x" s32) (field "y" s32)))
  (@interface type $named (record (field "name" string) (field "tags" (list string)) (field "at" $point)))
  (@interface type $triple (tuple u64 string bool))
  (@interface type $nested (option (option u8)))
  (@interface type $unit (result))
  (@interface type $big (variant (case "a" u8) (case "b" s64) (case "c" f32) (case "d" string) (case "e")))

  (@interface func (export "s32s") (param (list s32)) (result (list s32))
    arg.get 0 value.lower (list s32) $malloc call-core $id2_ value.lift (list s32))
  (@interface func (export "u64s") (param (list u64)) (result (list u64))
    arg.get 0 value.lower (list u64) $malloc call-core $id2_ value.lift (list u64))
  (@interface func (export "f64s") (param (list f64)) (result (list f64))
    arg.get 0 value.lower (list f64) $malloc call-core $id2_ value.lift (list f64))
  (@interface func (export "u16s") (param (list u16)) (result (list u16))
    arg.get 0 value.lower (list u16) $malloc call-core $id2_ value.lift (list u16))
  (@interface func (export "strings") (param (list string)) (result (list string))
    arg.get 0 value.lower (list string) $malloc call-core $id2_ value.lift (list string))
  (@interface func (export "points") (param (list $point)) (result (list $point))
    arg.get 0 value.lower (list $point) $malloc call-core $id2_ value.lift (list $point))
  (@interface func (export "byte_lists") (param (list (list u8))) (result (list (list u8)))
    arg.get 0 value.lower (list (list u8)) $malloc call-core $id2_ value.lift (list (list u8)))
  (@interface func (export "chars") (param (list char)) (result (list char))
    arg.get 0 value.lower (list char) $malloc call-core $id2_ value.lift (list char))
  (@interface func (export "bools") (param (list bool)) (result (list bool))
    arg.get 0 value.lower (list bool) $malloc call-core $id2_ value.lift (list bool))
  (@interface func (export "nested") (param $nested) (result $nested)
    arg.get 0 value.lower $nested $malloc call-core $id2_ value.lift $nested)
  (@interface func (export "triple") (param $triple) (result $triple)
    arg.get 0 value.lower $triple $malloc call-core $tuple_ value.lift $triple)
  (@interface func (export "unit") (param $unit) (result $unit)
    arg.get 0 value.lower $unit $malloc call-core $id_ value.lift $unit)
  (@interface func (export "big") (param $big) (result $big)
    arg.get 0 value.store_new $big $malloc call-core $id_ value.load $big)
  (@interface func (export "named") (param $named) (result $named)
    arg.get 0 value.store_new $named $malloc call-core $id_ value.load $named)
  (@interface func (export "measure") (param string) (result i32 string)
    arg.get 0 string-to-memory $malloc1
    call-core $measure_
    memory-to-string)
  (@interface func (export "pages") (result u32)
    call-core $pages_ i32-to-u32)
)
