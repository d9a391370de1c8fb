;; The guest of examples/host-rust: a tiny notebook. `add_note` logs each
;; note through the host, counts it, and asks the host for a digest of the
;; note's bytes, which the host reads straight out of guest memory;
;; `summary` returns a record through memory.
(module
  (import "env" "log_" (func $log_ (param i32 i32)))
  (import "env" "digest_" (func $digest_ (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (global $heap (mut i32) (i32.const 4096))
  (global $count (mut i32) (i32.const 0))

  ;; An aligned bump allocator: (size, align) -> ptr.
  (func $malloc (export "malloc") (param $size i32) (param $align i32) (result i32)
    (local $ptr i32)
    (local.set $ptr
      (i32.and
        (i32.add (global.get $heap) (i32.sub (local.get $align) (i32.const 1)))
        (i32.sub (i32.const 0) (local.get $align))))
    (global.set $heap (i32.add (local.get $ptr) (local.get $size)))
    (local.get $ptr))

  ;; Strings use the reference allocator shape: size -> ptr.
  (func $alloc_bytes (param $size i32) (result i32)
    (call $malloc (local.get $size) (i32.const 1)))

  (func $add_note_ (param $ptr i32) (param $len i32) (result i32)
    (call $log_ (local.get $ptr) (local.get $len))
    (global.set $count (i32.add (global.get $count) (i32.const 1)))
    (call $digest_ (local.get $ptr) (local.get $len)))

  ;; summary { notes: u32 at 0, mood: enum (u8) at 4 } at address 64
  (func $summary_ (result i32)
    (i32.store (i32.const 64) (global.get $count))
    (i32.store8 (i32.const 68) (i32.ge_u (global.get $count) (i32.const 3)))
    (i32.const 64))

  (@interface type $mood (enum "calm" "busy"))
  (@interface type $summary (record (field "notes" u32) (field "mood" $mood)))

  (@interface import "host" "log" (func (param $line string)))
  (@interface import "host" "digest" (func (param $ptr u32) (param $len u32) (result u32)))

  (@interface func (export "add-note") (param $text string) (result u32)
    arg.get 0
    string-to-memory $alloc_bytes
    call-core $add_note_
    i32-to-u32)
  (@interface func (export "summary") (result $summary)
    call-core $summary_
    value.load $summary)

  (@interface doc (func 0) "Writes one line to the host's journal.")
  (@interface doc (func 1) "A digest of `len` bytes of guest memory at `ptr`.")
  (@interface doc (func 2) "Adds a note; returns the host's digest of it.")
  (@interface doc (func 3) "How many notes, and how busy that makes us.")

  (@interface implement (import "env" "log_") (param i32 i32)
    arg.get 0
    arg.get 1
    memory-to-string
    call-adapter 0)
  (@interface implement (import "env" "digest_") (param i32 i32) (result i32)
    arg.get 0
    i32-to-u32
    arg.get 1
    i32-to-u32
    call-adapter 1
    u32-to-i32)
)
