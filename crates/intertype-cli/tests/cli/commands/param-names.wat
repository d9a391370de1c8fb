;; RUN: inspect %s
;; RUN: print --interface-only %s
;; RUN: run --list %s
;; RUN: run --list --json %s
;; Parameter names: from `(param $name T)` in an extension module, and from
;; an explicit `param-names` item (a name that is not an identifier is
;; quoted, escaped, in words).
(module
  (memory (export "memory") 1)
  (func $malloc (export "malloc") (param i32 i32) (result i32) i32.const 8)
  (func $len_ (param i32 i32) (result i32) local.get 1)
  (@interface func (export "byte_len") (param $text string) (result u32)
    arg.get $text
    value.lower string $malloc
    call-core $len_
    i32-to-u32)
  (@interface param-names (func 1) "odd\u{1b}name")
  (@interface func (export "again") (param string) (result u32)
    arg.get 0
    value.lower string $malloc
    call-core $len_
    i32-to-u32))
