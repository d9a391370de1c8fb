;; An invalid function body in text (issue 8 item 11): the error names the
;; function ($add), not only a byte offset into the binary.
(module
  (func $ok (result i32) i32.const 1)
  (func $add (param i32) (result i32)
    local.get 0
    i64.const 1
    i32.add))
