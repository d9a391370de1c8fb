;; Amplification through aliased pointers (issue 8 item 4): a
;; list<list<string>> of 4096 entries that all point at one list of two
;; strings, each pointing at the same 60,000-byte buffer. 128 KiB of guest
;; memory would lift to 4096 × 2 × 60,000 = 491,520,000 bytes of strings.
(module
  (memory (export "mem") 2)
  ;; The inner list at 64: two strings, (1024, 60000) each.
  (data (i32.const 64) "\00\04\00\00\60\ea\00\00\00\04\00\00\60\ea\00\00")
  ;; Fills the outer list at 65536 with `n` entries (64, 2) and returns it.
  (func $outer (param $n i32) (result i32 i32)
    (local $i i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (i32.store (i32.add (i32.const 65536) (i32.shl (local.get $i) (i32.const 3))) (i32.const 64))
        (i32.store (i32.add (i32.const 65540) (i32.shl (local.get $i) (i32.const 3))) (i32.const 2))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    i32.const 65536
    local.get $n)
  (func $many_ (result i32 i32) i32.const 4096 call $outer)
  (func $few_ (result i32 i32) i32.const 2 call $outer)
  (@interface type $nested (list (list string)))
  (@interface func (export "many") (result $nested)
    call-core $many_
    value.lift $nested)
  ;; Two entries lift (240 KB): the limit is not in the way of real values.
  (@interface func (export "few") (result $nested)
    call-core $few_
    value.lift $nested))
