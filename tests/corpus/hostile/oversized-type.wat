;; A type that is small in the booklet and huge when resolved (issue 8 item
;; 10): each definition is a tuple of ten of the previous one, so type 3
;; has 1 + 10 × (1 + 10 × (1 + 10 × 11)) = 11,111 nodes. The validator
;; refuses it, naming it, so `validate`, `bindgen js` and `run` agree.
(module
  (memory (export "mem") 1)
  (func $p_ (result i32) i32.const 0)
  (@interface type $t0 (tuple u8 u8 u8 u8 u8 u8 u8 u8 u8 u8))
  (@interface type $t1 (tuple $t0 $t0 $t0 $t0 $t0 $t0 $t0 $t0 $t0 $t0))
  (@interface type $t2 (tuple $t1 $t1 $t1 $t1 $t1 $t1 $t1 $t1 $t1 $t1))
  (@interface type $huge (tuple $t2 $t2 $t2 $t2 $t2 $t2 $t2 $t2 $t2 $t2))
  (@interface func (export "f") (result $huge)
    call-core $p_
    value.load $huge))
