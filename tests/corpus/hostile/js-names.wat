;; Names that are JavaScript syntax, line terminators (\n, U+2028, U+2029),
;; comment ends, quotes, terminal escapes, and names JS objects already own
;; (`then`, `__proto__`, `constructor`, `toString`, the glue's `$core`). The
;; generated glue must import cleanly and every name must round-trip
;; (tests/js/hostile.test.mjs; issue 8 items 1, 2 and 8).
(module
  (import "env" "log_" (func $log_ (param i32)))
  (memory (export "mem") 1)
  (func $k0 (result i32) i32.const 0)
  (func $k1 (result i32) i32.const 1)
  (func $k2 (result i32) i32.const 2)
  (func $k3 (result i32) i32.const 3)
  (func $k4 (result i32) i32.const 4)
  (func $k5 (result i32) i32.const 5)
  (func $k6 (result i32) i32.const 6)
  (func $k7 (result i32) i32.const 7)
  (func $k8 (result i32) i32.const 8)
  (func $k9 (result i32) i32.const 9)
  (func $id4_ (param i32 i32 i32 i32) (result i32 i32 i32 i32)
    local.get 0 local.get 1 local.get 2 local.get 3)
  (func $id_ (param i32) (result i32) local.get 0)
  (func $malloc (param i32 i32) (result i32) i32.const 1024)
  (func $call_log_ (param i32) local.get 0 call $log_)

  (@interface type $weird (record
    (field "__proto__" s32) (field "constructor" s32)
    (field "toString" s32) (field "then" s32)))
  (@interface type $proto_flags (flags "__proto__" "constructor" "toString" "hasOwnProperty" "a\nb"))
  (@interface type $cases (enum "__proto__" "then" "a\nb" "*/"))

  (@interface func (export "then") (result s32) call-core $k0 i32-to-s32)
  (@interface func (export "__proto__") (result s32) call-core $k1 i32-to-s32)
  (@interface func (export "constructor") (result s32) call-core $k2 i32-to-s32)
  (@interface func (export "toString") (result s32) call-core $k3 i32-to-s32)
  (@interface func (export "$core") (result s32) call-core $k4 i32-to-s32)
  (@interface func (export "a\nb") (result s32) call-core $k5 i32-to-s32)
  (@interface func (export "\u{2028}globalThis.pwned2028 = 1;\u{2029}globalThis.pwned2029 = 1;") (result s32) call-core $k6 i32-to-s32)
  (@interface func (export "*/ globalThis.pwned = 1; /*") (result s32) call-core $k7 i32-to-s32)
  (@interface func (export "\"'`${globalThis.pwned = 1}\\") (result s32) call-core $k8 i32-to-s32)
  (@interface func (export "\u{1b}[31mred\u{0}\r") (result s32) call-core $k9 i32-to-s32)

  (@interface func (export "weird") (param $weird) (result $weird)
    arg.get 0
    value.lower $weird $malloc
    call-core $id4_
    value.lift $weird)
  (@interface func (export "proto_flags") (param $proto_flags) (result $proto_flags)
    arg.get 0
    value.lower $proto_flags $malloc
    call-core $id_
    value.lift $proto_flags)
  (@interface func (export "cases") (param $cases) (result $cases)
    arg.get 0
    value.lower $cases $malloc
    call-core $id_
    value.lift $cases)
  (@interface func (export "log") (param s32)
    arg.get 0
    s32-to-i32
    call-core $call_log_)

  (@interface import "ho\nst */" "log\u{2028}" (func (param s32)))
  (@interface implement (import "env" "log_") (param i32)
    arg.get 0
    i32-to-s32
    call-adapter 0))
