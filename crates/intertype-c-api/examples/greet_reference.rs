//! The Rust engine's own `greet` call, timed the way `benches/ruby/bench.rb`
//! times the Ruby ones, so that script can print all three side by side from
//! one run: `Func::call_into` with a `Value::String`, results into a reused
//! `Vec` (variant (c) of the runtime's criterion benchmark).
//!
//! `cargo run --release -p intertype-c-api --example greet_reference` prints
//! one JSON line per size: `{"size": 5, "ns_per_call": 123.4}`.

use intertype_runtime::{Engine, Linker, Module, Value};
use std::hint::black_box;
use std::time::{Duration, Instant};

fn main() {
    // The benchmarks' greeting guest (intertype-bench-support).
    let wat = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../intertype-bench-support/guests/greet.wat"
    );
    let engine = Engine::default();
    let module = Module::from_file(&engine, wat.as_ref()).expect("loading the greeting guest");
    let mut inst = Linker::new(&engine)
        .instantiate(&module)
        .expect("instantiating");
    let greet = inst.func("greet").expect("greet");
    for size in [5usize, 64 * 1024] {
        let name = Value::String("w".repeat(size));
        let mut out = Vec::with_capacity(1);
        let mut call = || {
            out.clear();
            greet
                .call_into(&mut inst, std::slice::from_ref(&name), &mut out)
                .expect("greet");
            black_box(&out);
        };
        // Warm up while finding a batch of about 200 ms, then take the best
        // of five batches.
        let mut iters = 1u32;
        while time(iters, &mut call) * iters < Duration::from_millis(200) {
            iters *= 2;
        }
        let best = (0..5)
            .map(|_| time(iters, &mut call))
            .min()
            .unwrap_or_default();
        println!(
            "{{\"size\": {size}, \"ns_per_call\": {:.1}}}",
            best.as_nanos() as f64
        );
    }
}

/// Time per call over `iters` calls.
fn time(iters: u32, call: &mut dyn FnMut()) -> Duration {
    let t = Instant::now();
    for _ in 0..iters {
        call();
    }
    t.elapsed() / iters
}
