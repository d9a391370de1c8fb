;; Guests that never finish or take all memory (issue 8 item 6): `intertype
;; run` stops them at its default limits (--timeout, --max-memory) and says
;; which limit, and its value.
(module
  (memory (export "mem") 1)
  (func $spin_ (result i32) (loop $l (br $l)) unreachable)
  (func $ptr_ (result i32) i32.const 0)
  (func $free_spin (param i32) (loop $l (br $l)))
  ;; memory.grow to 1 GiB (16384 pages of 64 KiB).
  (func $grow_ (result i32) (memory.grow (i32.const 16383)))
  (@interface func (export "spin") (result s32)
    call-core $spin_ i32-to-s32)
  (@interface func (export "spin_in_free") (result s32)
    call-core $ptr_
    defer-call-core $free_spin
    i32-to-s32)
  (@interface func (export "grow") (result s32)
    call-core $grow_ i32-to-s32))
