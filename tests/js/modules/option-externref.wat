;; option<externref> in JS: none and some(null) are both `null` (docs/js.md,
;; "Why {tag, val}"); glue.test.mjs pins it.
(module
  (memory (export "mem") 1)
  (func $malloc (param i32) (result i32) i32.const 0)
  (func $same (param i32 externref) (result i32 externref) local.get 0 local.get 1)
  (func $some_null (result i32 externref) i32.const 1 ref.null extern)
  (@interface type $maybe (option externref))
  (@interface func (export "same") (param $maybe) (result $maybe)
    arg.get 0
    value.lower $maybe $malloc
    call-core $same
    value.lift $maybe)
  (@interface func (export "some_null") (result $maybe)
    call-core $some_null
    value.lift $maybe))
