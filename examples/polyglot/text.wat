;; Module `text`, written by hand: keeps every string in UTF-16 (as a JVM or
;; .NET guest would). `greet(name) -> "Hello, " + name`;
;; `measure(list<string>) -> stats` counts the strings and their code units.
(module
  (memory (export "memory") 16)
  (global $heap (mut i32) (i32.const 1024))
  ;; "Hello, " in UTF-16LE: 7 code units.
  (data (i32.const 16) "H\00e\00l\00l\00o\00,\00 \00")

  ;; (size, align) -> ptr, a bump allocator.
  (func $malloc (export "malloc") (param $size i32) (param $align i32) (result i32)
    (local $p i32)
    (local.set $p
      (i32.and
        (i32.add (global.get $heap) (i32.sub (local.get $align) (i32.const 1)))
        (i32.sub (i32.const 0) (local.get $align))))
    (global.set $heap (i32.add (local.get $p) (local.get $size)))
    (local.get $p))

  ;; (ptr, units) -> (ptr, units)
  (func $greet_ (export "greet_") (param $ptr i32) (param $len i32) (result i32 i32)
    (local $out i32)
    (local.set $out
      (call $malloc
        (i32.shl (i32.add (local.get $len) (i32.const 7)) (i32.const 1))
        (i32.const 2)))
    (memory.copy (local.get $out) (i32.const 16) (i32.const 14))
    (memory.copy
      (i32.add (local.get $out) (i32.const 14))
      (local.get $ptr)
      (i32.shl (local.get $len) (i32.const 1)))
    (local.get $out)
    (i32.add (local.get $len) (i32.const 7)))

  ;; (ptr, count) of a list of (ptr, units) strings -> (words, units)
  (func $measure_ (export "measure_") (param $ptr i32) (param $n i32) (result i32 i32)
    (local $i i32) (local $units i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $units
          (i32.add (local.get $units)
            (i32.load (i32.add (local.get $ptr)
              (i32.add (i32.shl (local.get $i) (i32.const 3)) (i32.const 4))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (local.get $n)
    (local.get $units))

  (@interface type $words (list string))
  (@interface type $stats (record (field "words" u32) (field "units" u32)))
  (@interface func (export "greet") (param string) (result string)
    arg.get 0
    string-to-memory $malloc utf16
    call-core $greet_
    memory-to-string utf16)
  (@interface func (export "measure") (param $words) (result $stats)
    arg.get 0
    value.lower $words $malloc utf16
    call-core $measure_
    value.lift $stats))
