;; A 32 MiB `list<u8>` result (issue 14 item 13): `intertype run` prints it
;; in WAVE as it formats it, not as a second value of ~46 bytes per byte.
(module
  (memory (export "mem") 1)
  (func $bytes_ (result i32 i32)
    (drop (memory.grow (i32.const 512)))
    (memory.fill (i32.const 0) (i32.const 255) (i32.const 33554432))
    i32.const 0
    i32.const 33554432)
  (@interface func (export "bytes") (result (list u8))
    call-core $bytes_
    value.lift (list u8)))
