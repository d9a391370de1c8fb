;; Lists whose elements take no memory, with lengths up to 2^32-1: the
;; bounds check alone passes for any length, so the length must be bounded
;; some other way (issue 8 item 3): each element counts as one byte.
(module
  (memory (export "mem") 1)
  (func $huge_ (result i32 i32) i32.const 0 i32.const -1)
  (func $page_ (result i32 i32) i32.const 0 i32.const 65536)
  (func $small_ (result i32 i32) i32.const 0 i32.const 3)
  (@interface func (export "units") (result (list (tuple)))
    call-core $huge_
    value.lift (list (tuple)))
  (@interface func (export "no_flags") (result (list (flags)))
    call-core $huge_
    value.lift (list (flags)))
  (@interface func (export "one_per_byte") (result (list (tuple)))
    call-core $page_
    value.lift (list (tuple)))
  (@interface func (export "three") (result (list (tuple)))
    call-core $small_
    value.lift (list (tuple))))
