//! No leak per call: 100 000 string → string calls leave the guest's memory
//! size and the host's resident set flat.
//!
//! The measuring test re-runs itself in a child process (so other tests
//! running in parallel threads cannot move the resident set).

use crate::util::load;
use intertype_runtime::{Engine, Linker, Value};

/// `echo` copies its argument into a fresh allocation and frees the
/// argument; the adapter frees the result with `defer-call-core`. The
/// allocator resets its heap when nothing is live, so any missed free makes
/// the memory grow.
const ECHO: &str = r#"
(module
  (memory (export "mem") 1)
  (global $heap (mut i32) (i32.const 1024))
  (global $live (mut i32) (i32.const 0))
  (func $malloc (export "malloc") (param $n i32) (result i32)
    (local $p i32)
    (local.set $p (global.get $heap))
    (global.set $heap (i32.add (global.get $heap) (local.get $n)))
    (if (i32.gt_u (global.get $heap) (i32.mul (memory.size) (i32.const 65536)))
      (then (drop (memory.grow (i32.const 1)))))
    (global.set $live (i32.add (global.get $live) (i32.const 1)))
    (local.get $p))
  (func $free (export "free") (param $p i32) (param $n i32)
    (global.set $live (i32.sub (global.get $live) (i32.const 1)))
    (if (i32.eqz (global.get $live)) (then (global.set $heap (i32.const 1024)))))
  (func $echo_ (param $p i32) (param $n i32) (result i32 i32)
    (local $q i32)
    (local.set $q (call $malloc (local.get $n)))
    (memory.copy (local.get $q) (local.get $p) (local.get $n))
    (call $free (local.get $p) (local.get $n))
    (local.get $q) (local.get $n))
  (@interface func (export "echo") (param string) (result string)
    arg.get 0
    string-to-memory $malloc "mem"
    call-core $echo_
    defer-call-core $free
    memory-to-string "mem"))
"#;

fn rss_bytes() -> usize {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap();
    let pages: usize = statm.split_whitespace().nth(1).unwrap().parse().unwrap();
    pages * 4096
}

#[test]
fn string_calls_do_not_leak() {
    if std::env::var_os("INTERTYPE_LEAK_CHILD").is_some() {
        return measure();
    }
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "leak::string_calls_do_not_leak",
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("INTERTYPE_LEAK_CHILD", "1")
        .output()
        .unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "child failed:\n{text}");
    assert!(
        text.contains("leak check passed"),
        "child did not measure:\n{text}"
    );
}

fn measure() {
    let engine = Engine::default();
    let module = load(&engine, ECHO);
    let mut inst = Linker::new(&engine).instantiate(&module).unwrap();
    let arg = "x".repeat(1024);
    let typed = inst.typed_func::<(&str,), (String,)>("echo").unwrap();
    let dynamic = inst.func("echo").unwrap();
    let args = [Value::String(arg.clone())];
    let mut out = Vec::new();
    let mut round = |inst: &mut intertype_runtime::Instance, n: usize| {
        for i in 0..n {
            if i % 2 == 0 {
                let (s,) = typed.call(inst, (&arg,)).unwrap();
                assert_eq!(s.len(), 1024);
            } else {
                out.clear();
                dynamic.call_into(inst, &args, &mut out).unwrap();
                assert_eq!(out.len(), 1);
            }
        }
    };
    // Warm up: pools, allocator caches, lazily touched pages.
    round(&mut inst, 5_000);
    let mem_before = inst.memory_size("mem").unwrap();
    let rss_before = rss_bytes();
    round(&mut inst, 100_000);
    let mem_after = inst.memory_size("mem").unwrap();
    let rss_after = rss_bytes();
    assert_eq!(mem_before, mem_after, "guest memory grew");
    // Leaking the 1 KiB result (or argument) of each call would add ~100 MB.
    let growth = rss_after.saturating_sub(rss_before);
    assert!(
        growth < 16 << 20,
        "host RSS grew by {growth} bytes over 100 000 calls"
    );
    println!("leak check passed: guest memory {mem_after} bytes, host RSS growth {growth} bytes");
}
