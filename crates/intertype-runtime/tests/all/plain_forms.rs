//! Plain memory forms (`plain.rs`): typed records, tuples and lists of them
//! move between Rust and guest memory without a `Value`. A typed call must
//! give exactly what the dynamic path gives (a differential test over many
//! values, crossing the two paths through guest memory: typed writes read
//! dynamically and back), and a hostile guest must get the same errors on
//! both, from an `Instance` and from a host function's `Caller`.

use crate::util::load;
use intertype_runtime::__private::Plain;
use intertype_runtime::{
    Caller, Engine, ErrorKind, FuncType, Instance, Interface, Lift, LiftList, Linker, Lower,
    LowerList, Misbehavior, Value,
};
use std::sync::{Arc, Mutex};

#[derive(Interface, Clone, Copy, Debug, PartialEq)]
struct Point {
    x: i32,
    y: i32,
}

#[derive(Interface, Clone, Copy, Debug, PartialEq)]
struct Inner {
    c: i16,
    d: f64,
}

/// Fields of every size, a nested record, padding between and after.
#[derive(Interface, Clone, Copy, Debug, PartialEq)]
struct Mixed {
    a: u8,
    b: Inner,
    e: u64,
    f: f32,
    g: i8,
}

/// A `bool` field: no plain form, the `Value` path.
#[derive(Interface, Clone, Copy, Debug, PartialEq)]
struct Flagged {
    on: bool,
    n: u32,
}

/// A tuple struct of two fields is a tuple.
#[derive(Interface, Clone, Copy, Debug, PartialEq)]
struct Span(u16, u64);

/// Per type: `echo` (flat lowering, then `value.lift`), `keep` (a list
/// lowered into memory and remembered), `kept` (that list loaded), `first`
/// (its first element loaded), `round` (a list in and the same list out),
/// `stored` (`value.store_new`, then loaded), `put` (`value.store` at a
/// pointer the guest gives, then loaded).
fn adapters(name: &str, ty: &str) -> String {
    format!(
        r#"
  (@interface func (export "echo-{name}") (param {ty}) (result {ty})
    arg.get 0 value.lower {ty} $realloc value.lift {ty} "mem")
  (@interface func (export "keep-{name}") (param (list {ty}))
    arg.get 0 value.lower (list {ty}) $realloc call-core $keep)
  (@interface func (export "kept-{name}") (result (list {ty}))
    call-core $kept value.load (list {ty}))
  (@interface func (export "first-{name}") (result {ty})
    call-core $first value.load {ty})
  (@interface func (export "round-{name}") (param (list {ty})) (result (list {ty}))
    arg.get 0 value.lower (list {ty}) $realloc call-core $keep_ret value.load (list {ty}))
  (@interface func (export "stored-{name}") (param {ty}) (result {ty})
    arg.get 0 value.store_new {ty} $realloc call-core $id value.load {ty})
  (@interface func (export "put-{name}") (param {ty}) (result {ty})
    call-core $area arg.get 0 value.store {ty} $realloc call-core $area value.load {ty})"#
    )
}

fn guest() -> String {
    let types = [
        ("point", "$point"),
        ("mixed", "$mixed"),
        ("flagged", "$flagged"),
        ("span", "$span"),
        ("tuple", "(tuple u16 $point f64)"),
        ("u32", "u32"),
    ];
    let adapters: String = types.iter().map(|(n, t)| adapters(n, t)).collect();
    format!(
        r#"
(module
  (import "env" "cb_" (func $cb_))
  (memory (export "mem") 4)
  (global $heap (mut i32) (i32.const 1024))
  ;; A bump allocator that starts over near the end of memory.
  (func $realloc (param i32 i32 i32 i32) (result i32)
    (local $p i32)
    (if (i32.gt_u (i32.add (global.get $heap) (local.get 3)) (i32.const 200000))
      (then (global.set $heap (i32.const 1024))))
    (local.set $p (i32.and (i32.add (global.get $heap) (i32.sub (local.get 2) (i32.const 1)))
                           (i32.sub (i32.const 0) (local.get 2))))
    (global.set $heap (i32.add (local.get $p) (local.get 3)))
    (local.get $p))
  (func $bad_realloc (param i32 i32 i32 i32) (result i32) i32.const 0xfffffff0)
  (func $odd_realloc (param i32 i32 i32 i32) (result i32) i32.const 1026)
  (func $keep (param i32 i32)
    (i32.store (i32.const 16) (local.get 0))
    (i32.store (i32.const 20) (local.get 1)))
  (func $keep_ret (param i32 i32) (result i32)
    (call $keep (local.get 0) (local.get 1))
    i32.const 16)
  (func $kept (result i32) i32.const 16)
  (func $first (result i32) (i32.load (i32.const 16)))
  (func $count (param i32 i32) (result i32) local.get 1)
  (func $id (param i32) (result i32) local.get 0)
  (func $area (result i32) i32.const 4096)
  (func $point_flat (result i32 i32) i32.const 7 i32.const -8)
  (func $mixed_flat (result i32 i32 f64 i64 f32 i32)
    i32.const 0x1ff i32.const 0x18000 f64.const 0.5 i64.const -1 f32.const 1.5 i32.const 0x180)
  (func $oob (result i32) i32.const 0xfffffff8)
  (func $misaligned (result i32) i32.const 1030)
  (func $list_oob (result i32)
    (call $keep (i32.const 0xfffff000) (i32.const 16)) i32.const 16)
  (func $list_huge (result i32)
    (call $keep (i32.const 1024) (i32.const 0x7fffffff)) i32.const 16)
  (func $list_misaligned (result i32)
    (call $keep (i32.const 1026) (i32.const 1)) i32.const 16)
  (func $call_back (call $cb_))
  (@interface type $point (record (field "x" s32) (field "y" s32)))
  (@interface type $inner (record (field "c" s16) (field "d" f64)))
  (@interface type $mixed (record (field "a" u8) (field "b" $inner) (field "e" u64)
                                  (field "f" f32) (field "g" s8)))
  (@interface type $flagged (record (field "on" bool) (field "n" u32)))
  (@interface type $span (tuple u16 u64))
  {adapters}
  (@interface func (export "point-oob") (result $point) call-core $oob value.load $point)
  (@interface func (export "point-misaligned") (result $point)
    call-core $misaligned value.load $point)
  (@interface func (export "points-oob") (result (list $point))
    call-core $list_oob value.load (list $point))
  (@interface func (export "points-huge") (result (list $point))
    call-core $list_huge value.load (list $point))
  (@interface func (export "points-misaligned") (result (list $point))
    call-core $list_misaligned value.load (list $point))
  (@interface func (export "points-bad-realloc") (param (list $point)) (result u32)
    arg.get 0 value.lower (list $point) $bad_realloc call-core $count i32-to-u32)
  (@interface func (export "points-odd-realloc") (param (list $point)) (result u32)
    arg.get 0 value.lower (list $point) $odd_realloc call-core $count i32-to-u32)
  (@interface func (export "flat-point") (result $point) call-core $point_flat value.lift $point)
  (@interface func (export "flat-mixed") (result $mixed) call-core $mixed_flat value.lift $mixed)
  (@interface func (export "point-store-oob") (param $point)
    call-core $oob arg.get 0 value.store $point $realloc)
  (@interface func (export "point-store-misaligned") (param $point)
    call-core $misaligned arg.get 0 value.store $point $realloc)
  (@interface func (export "point-store-new-bad") (param $point) (result u32)
    arg.get 0 value.store_new $point $bad_realloc call-core $id i32-to-u32)
  (@interface func (export "count-u32") (param (list $point)) (result u32)
    arg.get 0 value.lower (list $point) $realloc call-core $count i32-to-u32)
  (@interface func (export "count-s8") (param (list $point)) (result s8)
    arg.get 0 value.lower (list $point) $realloc call-core $count i32-to-s8)
  (@interface func (export "count-s64") (param (list $point)) (result s64)
    arg.get 0 value.lower (list $point) $realloc call-core $count i32-to-s64)
  (@interface func (export "call-back") call-core $call_back)
  (@interface import "host" "cb" (func))
  (@interface implement (import "env" "cb_") call-adapter 0)
)
"#
    )
}

/// What the host function does with its `Caller`.
type Job = Box<dyn Fn(&mut Caller<'_, ()>) + Send>;

fn instance(engine: &Engine, job: Arc<Mutex<Option<Job>>>) -> Instance {
    let module = load(engine, &guest());
    let mut linker = Linker::new(engine);
    linker.func_new_with_caller(
        "host",
        "cb",
        FuncType::new([], []),
        move |mut caller: Caller<'_, ()>, _, _| {
            if let Some(job) = job.lock().unwrap().as_ref() {
                job(&mut caller);
            }
            Ok(())
        },
    );
    linker.instantiate(&module).unwrap()
}

fn new_instance() -> Instance {
    instance(&Engine::default(), Arc::new(Mutex::new(None)))
}

/// A typed call and the dynamic call of the same function with the same
/// arguments: the typed result's `Value` equals the dynamic result.
fn both<P: LowerList, R: Lift + Lower>(
    inst: &mut Instance,
    name: &str,
    params: P,
    dynamic_args: &[Value],
) -> R {
    let f = inst.typed_func::<P, (R,)>(name).unwrap();
    let (typed,) = f.call(inst, params).unwrap();
    let dynamic = inst.call(name, dynamic_args).unwrap();
    assert_eq!(dynamic, [typed.to_value()], "{name}");
    typed
}

/// The differential round of one type over `values`.
fn check<T>(inst: &mut Instance, name: &str, values: &[T])
where
    T: Lift + Lower + Clone + PartialEq + std::fmt::Debug,
{
    let list = values.to_vec();
    let list_value = list.to_value();
    for v in values {
        // Flat lowering of a plain argument; stored into memory.
        for f in ["echo", "stored", "put"] {
            let name = format!("{f}-{name}");
            let back: T = both(inst, &name, (v.clone(),), &[v.to_value()]);
            assert_eq!(&back, v, "{name}");
        }
    }
    // A list in and out, typed and dynamic.
    let round: Vec<T> = both::<(Vec<T>,), Vec<T>>(
        inst,
        &format!("round-{name}"),
        (list.clone(),),
        std::slice::from_ref(&list_value),
    );
    assert_eq!(round, list, "round-{name}");
    // A borrowed slice argument too.
    let f = inst
        .typed_func::<(&[T],), (Vec<T>,)>(&format!("round-{name}"))
        .unwrap();
    assert_eq!(
        f.call(inst, (&list[..],)).unwrap().0,
        list,
        "round-{name} &[T]"
    );
    // Crossed through memory: typed writes, dynamic reads, and back.
    let keep = inst
        .typed_func::<(&[T],), ()>(&format!("keep-{name}"))
        .unwrap();
    let kept = inst
        .typed_func::<(), (Vec<T>,)>(&format!("kept-{name}"))
        .unwrap();
    let first = inst
        .typed_func::<(), (T,)>(&format!("first-{name}"))
        .unwrap();
    keep.call(inst, (&list[..],)).unwrap();
    let dynamic = inst.call(&format!("kept-{name}"), &[]).unwrap();
    assert_eq!(
        dynamic,
        std::slice::from_ref(&list_value),
        "typed keep, dynamic kept-{name}"
    );
    if let Some(v0) = values.first() {
        let dynamic = inst.call(&format!("first-{name}"), &[]).unwrap();
        assert_eq!(dynamic, [v0.to_value()], "first-{name}");
    }
    inst.call(&format!("keep-{name}"), std::slice::from_ref(&list_value))
        .unwrap();
    assert_eq!(
        kept.call(inst, ()).unwrap().0,
        list,
        "dynamic keep, typed kept-{name}"
    );
    if let Some(v0) = values.first() {
        assert_eq!(&first.call(inst, ()).unwrap().0, v0, "typed first-{name}");
    }
}

/// A deterministic stream of bits (xorshift).
struct Bits(u64);
impl Bits {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    /// Edge values first, then random ones.
    fn int(&mut self, i: usize) -> u64 {
        const EDGES: [u64; 6] = [0, 1, u64::MAX, 0x8000_0000_0000_0000, 0x7f, 0x80];
        match EDGES.get(i) {
            Some(e) => *e,
            None => self.next(),
        }
    }
    /// A float that is not NaN (NaN is not equal to itself).
    fn f64(&mut self) -> f64 {
        let f = f64::from_bits(self.next());
        if f.is_nan() {
            -0.0
        } else {
            f
        }
    }
}

#[test]
fn plain_layouts_follow_the_canonical_rules() {
    let p = |size, align| Some(Plain { size, align });
    assert_eq!(<Point as Lower>::PLAIN, p(8, 4));
    assert_eq!(<Point as Lift>::PLAIN, p(8, 4));
    assert_eq!(<Inner as Lower>::PLAIN, p(16, 8));
    // a@0, b@8 (16 bytes), e@24, f@32, g@36, size rounded up to 40.
    assert_eq!(<Mixed as Lower>::PLAIN, p(40, 8));
    assert_eq!(<Span as Lift>::PLAIN, p(16, 8));
    assert_eq!(<(u16, Point, f64) as Lower>::PLAIN, p(24, 8));
    assert_eq!(<Flagged as Lower>::PLAIN, None);
    assert_eq!(<bool as Lower>::PLAIN, None);
    assert_eq!(<char as Lift>::PLAIN, None);
    assert_eq!(<Vec<Point> as Lift>::PLAIN, None);
    let mut bytes = [0u8; 40];
    let m = Mixed {
        a: 1,
        b: Inner { c: -2, d: 0.5 },
        e: 3,
        f: 1.5,
        g: -4,
    };
    m.store_le(&mut bytes);
    assert_eq!(bytes[0], 1);
    assert_eq!(bytes[8..10], (-2i16).to_le_bytes());
    assert_eq!(bytes[16..24], 0.5f64.to_le_bytes());
    assert_eq!(bytes[24..32], 3u64.to_le_bytes());
    assert_eq!(bytes[32..36], 1.5f32.to_le_bytes());
    assert_eq!(bytes[36], (-4i8) as u8);
    assert_eq!(<Mixed as Lift>::load_le(&bytes), Some(m));
    assert_eq!(<Mixed as Lift>::load_le(&bytes[..36]), None);
}

/// Typed calls give exactly the dynamic path's values, for nested records,
/// tuples, lists of records and a record without a plain form.
#[test]
fn typed_plain_values_equal_the_dynamic_path() {
    let mut inst = new_instance();
    let mut bits = Bits(0x9e37_79b9_7f4a_7c15);
    let n = 200;
    let points: Vec<Point> = (0..n)
        .map(|i| Point {
            x: bits.int(i) as i32,
            y: bits.int(i + 1) as i32,
        })
        .collect();
    check(&mut inst, "point", &points);
    let mixed: Vec<Mixed> = (0..n)
        .map(|i| Mixed {
            a: bits.int(i) as u8,
            b: Inner {
                c: bits.int(i) as i16,
                d: bits.f64(),
            },
            e: bits.int(i),
            f: bits.f64() as f32,
            g: bits.int(i + 2) as i8,
        })
        .collect();
    check(&mut inst, "mixed", &mixed);
    let flagged: Vec<Flagged> = (0..n)
        .map(|i| Flagged {
            on: bits.next().is_multiple_of(2),
            n: bits.int(i) as u32,
        })
        .collect();
    check(&mut inst, "flagged", &flagged);
    let spans: Vec<Span> = (0..n)
        .map(|i| Span(bits.int(i) as u16, bits.int(i + 3)))
        .collect();
    check(&mut inst, "span", &spans);
    let tuples: Vec<(u16, Point, f64)> = (0..n)
        .map(|i| (bits.int(i) as u16, points[i], bits.f64()))
        .collect();
    check(&mut inst, "tuple", &tuples);
    let u32s: Vec<u32> = (0..n).map(|i| bits.int(i) as u32).collect();
    check(&mut inst, "u32", &u32s);
    // Empty lists.
    check::<Point>(&mut inst, "point", &[]);
    check::<Mixed>(&mut inst, "mixed", &[]);
    // Scalar results of an unchecked conversion (taken as bits).
    for n in [0usize, 1, 127, 128, 200, 255, 256, 1000] {
        let arg = &points[..n.min(points.len())];
        let v = [arg.to_value()];
        let k = arg.len();
        assert_eq!(both::<_, u32>(&mut inst, "count-u32", (arg,), &v), k as u32);
        assert_eq!(both::<_, i8>(&mut inst, "count-s8", (arg,), &v), k as i8);
        assert_eq!(both::<_, i64>(&mut inst, "count-s64", (arg,), &v), k as i64);
    }
    // Plain records returned flat (`value.lift`), truncated as lifted.
    let p: Point = both(&mut inst, "flat-point", (), &[]);
    assert_eq!(p, Point { x: 7, y: -8 });
    let m: Mixed = both(&mut inst, "flat-mixed", (), &[]);
    assert_eq!((m.a, m.b.c, m.e, m.g), (0xff, i16::MIN, u64::MAX, -128));
    // 1,000 records in one list.
    let many: Vec<Point> = (0..1000).map(|i| Point { x: i, y: -i }).collect();
    check(&mut inst, "point", &many);
}

/// The error of a typed call and of the dynamic call of `name` on fresh
/// instances: the same message.
fn same_error<P: LowerList, R: LiftList>(name: &str, params: P, args: &[Value]) -> ErrorKind {
    let mut inst = new_instance();
    let f = inst.typed_func::<P, R>(name).unwrap();
    let typed = f.call(&mut inst, params).err().expect(name);
    let mut fresh = new_instance();
    let dynamic = fresh.call(name, args).unwrap_err();
    assert_eq!(typed.to_string(), dynamic.to_string(), "{name}");
    assert_eq!(typed.kind(), dynamic.kind(), "{name}");
    typed.kind()
}

fn hostile_cases() -> Vec<(&'static str, ErrorKind)> {
    use ErrorKind::Guest;
    vec![
        ("point-oob", Guest(Misbehavior::OutOfBounds)),
        ("point-misaligned", Guest(Misbehavior::Misaligned)),
        ("points-oob", Guest(Misbehavior::OutOfBounds)),
        ("points-huge", Guest(Misbehavior::OutOfBounds)),
        ("points-misaligned", Guest(Misbehavior::Misaligned)),
        ("points-bad-realloc", Guest(Misbehavior::BadAllocation)),
        ("points-odd-realloc", Guest(Misbehavior::BadAllocation)),
        ("point-store-oob", Guest(Misbehavior::OutOfBounds)),
        ("point-store-misaligned", Guest(Misbehavior::Misaligned)),
        ("point-store-new-bad", Guest(Misbehavior::BadAllocation)),
    ]
}

/// A typed call from `Instance` or `Caller` of hostile case `name`.
fn typed_hostile(
    cx: &mut impl intertype_runtime::CallContext,
    f: &intertype_runtime::Func,
) -> String {
    let points = [Point { x: 1, y: 2 }; 3];
    let p = Point { x: 3, y: 4 };
    let e = match f.name() {
        "point-oob" | "point-misaligned" => {
            f.typed::<(), (Point,)>().unwrap().call_in(cx, ()).err()
        }
        "point-store-new-bad" => f
            .typed::<(Point,), (u32,)>()
            .unwrap()
            .call_in(cx, (p,))
            .err(),
        name if name.starts_with("point-store") => {
            f.typed::<(Point,), ()>().unwrap().call_in(cx, (p,)).err()
        }
        name if name.ends_with("realloc") => f
            .typed::<(&[Point],), (u32,)>()
            .unwrap()
            .call_in(cx, (&points[..],))
            .err(),
        _ => f
            .typed::<(), (Vec<Point>,)>()
            .unwrap()
            .call_in(cx, ())
            .err(),
    };
    e.expect("a hostile call fails").to_string()
}

#[test]
fn hostile_plain_results_are_refused_as_on_the_dynamic_path() {
    let points = vec![Point { x: 1, y: 2 }; 3];
    let points_value = points.to_value();
    for (name, kind) in hostile_cases() {
        let got = match name {
            "point-oob" | "point-misaligned" => same_error::<(), (Point,)>(name, (), &[]),
            "point-store-new-bad" => {
                same_error::<(Point,), (u32,)>(name, (points[0],), &[points[0].to_value()])
            }
            _ if name.starts_with("point-store") => {
                same_error::<(Point,), ()>(name, (points[0],), &[points[0].to_value()])
            }
            _ if name.ends_with("realloc") => same_error::<(&[Point],), (u32,)>(
                name,
                (&points[..],),
                std::slice::from_ref(&points_value),
            ),
            _ => same_error::<(), (Vec<Point>,)>(name, (), &[]),
        };
        let ok = got == kind
            || (name == "points-huge" && got == ErrorKind::Guest(Misbehavior::LengthOverflow));
        assert!(ok, "{name}: {got:?}");
        // From `Instance` the typed error poisons; a fresh one works.
        let mut inst = new_instance();
        let f = inst.func(name).unwrap();
        let e = typed_hostile(&mut inst, &f);
        assert!(inst.is_poisoned(), "{name}: {e}");
    }
}

/// Typed calls back from a host function (`Caller`): the same values as
/// the dynamic path, and a hostile guest's same errors.
#[test]
fn typed_plain_calls_from_a_caller() {
    let engine = Engine::default();
    let job: Arc<Mutex<Option<Job>>> = Arc::new(Mutex::new(None));
    let seen = Arc::new(Mutex::new(Vec::<String>::new()));
    let out = seen.clone();
    *job.lock().unwrap() = Some(Box::new(move |caller: &mut Caller<'_, ()>| {
        let points: Vec<Point> = (0..50).map(|i| Point { x: i, y: 7 * i }).collect();
        let round = caller.func("round-point").unwrap();
        let typed = round
            .typed::<(&[Point],), (Vec<Point>,)>()
            .unwrap()
            .call_in(caller, (&points[..],))
            .unwrap()
            .0;
        let dynamic = caller.call("round-point", &[points.to_value()]).unwrap();
        let first = caller
            .func("first-point")
            .unwrap()
            .typed::<(), (Point,)>()
            .unwrap()
            .call_in(caller, ())
            .unwrap()
            .0;
        let echo = caller
            .func("echo-mixed")
            .unwrap()
            .typed::<(Mixed,), (Mixed,)>()
            .unwrap();
        let m = Mixed {
            a: 9,
            b: Inner { c: -9, d: 9.5 },
            e: u64::MAX,
            f: -0.25,
            g: i8::MIN,
        };
        let echoed = echo.call_in(caller, (m,)).unwrap().0;
        out.lock().unwrap().push(format!(
            "{}|{}|{}|{}",
            typed == points,
            dynamic == [points.to_value()],
            first == points[0],
            echoed == m
        ));
    }));
    let mut inst = instance(&engine, job.clone());
    inst.call("call-back", &[]).unwrap();
    assert_eq!(*seen.lock().unwrap(), ["true|true|true|true"]);

    // Each hostile case from a `Caller`: the error an `Instance` gets.
    for (name, _) in hostile_cases() {
        let out = seen.clone();
        *job.lock().unwrap() = Some(Box::new(move |caller: &mut Caller<'_, ()>| {
            let f = caller.func(name).unwrap();
            let e = typed_hostile(caller, &f);
            out.lock().unwrap().push(e);
        }));
        seen.lock().unwrap().clear();
        let mut inst = instance(&engine, job.clone());
        let _ = inst.call("call-back", &[]);
        let from_caller = seen.lock().unwrap().pop().expect(name);
        let mut fresh = new_instance();
        let f = fresh.func(name).unwrap();
        let from_instance = typed_hostile(&mut fresh, &f);
        assert_eq!(from_caller, from_instance, "{name}");
        assert!(inst.is_poisoned(), "{name}");
    }
}
