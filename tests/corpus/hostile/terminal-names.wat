;; Names with terminal escape sequences, carriage returns and bidi
;; overrides (issue 8 item 8): `inspect`, `run --list` and the "no such
;; function" error print them escaped.
(module
  (memory (export "mem") 1)
  (func $k_ (result i32) i32.const 1)
  (func $take_ (param i32))
  (@interface type $t (record (field "\u{1b}]0;pwned\u{7}" s32)))
  (@interface func (export "\u{1b}[2J\u{1b}[31mclear") (result s32) call-core $k_ i32-to-s32)
  (@interface func (export "line\rover\u{202e}txt.exe") (result s32) call-core $k_ i32-to-s32)
  (@interface func (export "new\nline") (param $t)
    arg.get 0 record.lower $t s32-to-i32 call-core $take_))
