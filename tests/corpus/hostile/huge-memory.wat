;; A module whose memory is larger than `intertype run` allows, and no
;; start function: the error must say the limit was hit while creating the
;; memory, not in a start function (issue 8 item 6).
(module
  (memory (export "mem") 20000)
  (func $k_ (result i32) i32.const 1)
  (@interface func (export "one") (result s32) call-core $k_ i32-to-s32))
