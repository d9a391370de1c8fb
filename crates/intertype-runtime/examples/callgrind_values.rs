//! Calls one variant of the `values` benchmark group (`benches/greet.rs`)
//! `N` times, for counting instructions under valgrind as
//! `scripts/callgrind.sh` does (only `measured_calls` is counted; run with
//! `N` and `2N` calls and take the difference per call):
//!
//! ```sh
//! cargo build --release -p intertype-runtime --example callgrind_values
//! valgrind --tool=callgrind --collect-atstart=no --toggle-collect='*measured_calls*' \
//!     target/release/examples/callgrind_values record-typed 2000
//! ```
//!
//! `callgrind_values <variant> <calls>`, variants `<call>-typed` (intertype)
//! and `<call>-component` (wasmtime's component model, typed) for the calls
//! `record` (`flip(point) -> point`), `list-in` (`sum(list<u32>)`, 1 000
//! elements), `list-out` (`range(1000) -> list<u32>`), `points-in`
//! (`sum-points(list<point>)`, 1 000) and `points-out` (`points(1000)`).

#[path = "../benches/greet_guest/mod.rs"]
mod greet_guest;
#[path = "../benches/peer_component/mod.rs"]
mod peer_component;

use greet_guest::{CPoint, Point};
use std::hint::black_box;

/// The counted loop (its name is what valgrind toggles on).
#[inline(never)]
fn measured_calls(n: u64, f: &mut dyn FnMut()) {
    for _ in 0..n {
        f();
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let usage = "usage: callgrind_values <variant> <calls>";
    let variant = args.get(1).expect(usage).clone();
    let n: u64 = args.get(2).expect(usage).parse().expect(usage);
    let xs: Vec<u32> = (0..1000).collect();
    let ps: Vec<Point> = (0..1000).map(|i| Point { x: i, y: 2 * i }).collect();
    let cps: Vec<CPoint> = ps.iter().map(|p| CPoint { x: p.x, y: p.y }).collect();
    let mut f: Box<dyn FnMut()> = if let Some(call) = variant.strip_suffix("-typed") {
        let mut inst = greet_guest::values_instance();
        match call {
            "record" => {
                let f = inst.typed_func::<(Point,), (Point,)>("flip").unwrap();
                let p = Point { x: 1, y: 2 };
                Box::new(move || {
                    black_box(f.call(&mut inst, (black_box(p),)).unwrap());
                })
            }
            "list-in" => {
                let f = inst.typed_func::<(&[u32],), (u32,)>("sum").unwrap();
                Box::new(move || {
                    black_box(f.call(&mut inst, (black_box(&xs[..]),)).unwrap());
                })
            }
            "list-out" => {
                let f = inst.typed_func::<(u32,), (Vec<u32>,)>("range").unwrap();
                Box::new(move || {
                    black_box(f.call(&mut inst, (black_box(1000),)).unwrap());
                })
            }
            "points-in" => {
                let f = inst
                    .typed_func::<(&[Point],), (i32,)>("sum-points")
                    .unwrap();
                Box::new(move || {
                    black_box(f.call(&mut inst, (black_box(&ps[..]),)).unwrap());
                })
            }
            "points-out" => {
                let f = inst.typed_func::<(u32,), (Vec<Point>,)>("points").unwrap();
                Box::new(move || {
                    black_box(f.call(&mut inst, (black_box(1000),)).unwrap());
                })
            }
            other => panic!("unknown call `{other}`; {usage}"),
        }
    } else if let Some(call) = variant.strip_suffix("-component") {
        let (mut store, inst) = greet_guest::values_component_instance(&peer_component::engine());
        macro_rules! typed {
            ($name:literal, $p:ty, $r:ty, $arg:expr) => {{
                let f = inst.get_typed_func::<$p, $r>(&mut store, $name).unwrap();
                Box::new(move || {
                    black_box(f.call(&mut store, (black_box($arg),)).unwrap());
                })
            }};
        }
        match call {
            "record" => typed!("flip", (CPoint,), (CPoint,), CPoint { x: 1, y: 2 }),
            "list-in" => typed!("sum", (&[u32],), (u32,), &xs[..]),
            "list-out" => typed!("range", (u32,), (Vec<u32>,), 1000),
            "points-in" => typed!("sum-points", (&[CPoint],), (i32,), &cps[..]),
            "points-out" => typed!("points", (u32,), (Vec<CPoint>,), 1000),
            other => panic!("unknown call `{other}`; {usage}"),
        }
    } else {
        panic!("unknown variant `{variant}`; {usage}")
    };
    f();
    measured_calls(n, &mut *f);
}
