//! Lists of scalars go in as one allocation and one copy (typed `&[T]` /
//! `Vec<T>` and dynamic `Value::List`) and come out of memory without a
//! per-element load: the same values, and the same checks on what a guest
//! returns (bounds, alignment, lengths bounded by memory, `max_value_bytes`).

use crate::util::load;
use intertype_runtime::{
    Config, Engine, ErrorKind, Instance, Limit, Limits, Linker, Misbehavior, Value,
};

/// `echo-T` lowers a list and returns it from memory through a return
/// pointer; `oob`, `misaligned` and `huge` return hostile lists.
const GUEST: &str = r#"
(module
  (memory (export "mem") 1)
  (global $heap (mut i32) (i32.const 1024))
  (func $realloc (param i32 i32 i32 i32) (result i32)
    (local $p i32)
    (local.set $p (i32.and (i32.add (global.get $heap) (i32.sub (local.get 2) (i32.const 1)))
                           (i32.sub (i32.const 0) (local.get 2))))
    (global.set $heap (i32.add (local.get $p) (local.get 3)))
    (local.get $p))
  (func $echo (param i32 i32) (result i32)
    (i32.store (i32.const 16) (local.get 0))
    (i32.store (i32.const 20) (local.get 1))
    (i32.const 16))
  (func $oob (result i32) (call $echo (i32.const 65532) (i32.const 2)))
  (func $misaligned (result i32) (call $echo (i32.const 1026) (i32.const 1)))
  (func $huge (result i32) (call $echo (i32.const 1024) (i32.const 0x7fffffff)))
  (func $big (result i32) (call $echo (i32.const 1024) (i32.const 4096)))
  (@interface func (export "echo-u32") (param (list u32)) (result (list u32))
    arg.get 0 value.lower (list u32) $realloc call-core $echo value.load (list u32))
  (@interface func (export "echo-s16") (param (list s16)) (result (list s16))
    arg.get 0 value.lower (list s16) $realloc call-core $echo value.load (list s16))
  (@interface func (export "echo-f64") (param (list f64)) (result (list f64))
    arg.get 0 value.lower (list f64) $realloc call-core $echo value.load (list f64))
  (@interface func (export "echo-s8") (param (list s8)) (result (list s8))
    arg.get 0 value.lower (list s8) $realloc call-core $echo value.load (list s8))
  (@interface func (export "echo-bool") (param (list bool)) (result (list bool))
    arg.get 0 value.lower (list bool) $realloc call-core $echo value.load (list bool))
  (@interface func (export "echo-char") (param (list char)) (result (list char))
    arg.get 0 value.lower (list char) $realloc call-core $echo value.load (list char))
  (@interface func (export "oob") (result (list u32))
    call-core $oob value.load (list u32))
  (@interface func (export "misaligned") (result (list u32))
    call-core $misaligned value.load (list u32))
  (@interface func (export "huge") (result (list u64))
    call-core $huge value.load (list u64))
  (@interface func (export "big") (result (list u32))
    call-core $big value.load (list u32))
)
"#;

fn instance(limits: Limits) -> Instance {
    let engine = Engine::new(&Config {
        limits,
        ..Config::default()
    })
    .unwrap();
    let module = load(&engine, GUEST);
    Linker::new(&engine).instantiate(&module).unwrap()
}

#[test]
fn typed_lists_round_trip() {
    let mut inst = instance(Limits::default());
    let xs: Vec<u32> = (0..1000u32).map(|i| i.wrapping_mul(0x0101_0101)).collect();
    let f = inst
        .typed_func::<(&[u32],), (Vec<u32>,)>("echo-u32")
        .unwrap();
    assert_eq!(f.call(&mut inst, (&xs[..],)).unwrap().0, xs);
    let ys: Vec<i16> = vec![-1, 0, i16::MIN, i16::MAX, 7];
    let f = inst
        .typed_func::<(Vec<i16>,), (Vec<i16>,)>("echo-s16")
        .unwrap();
    assert_eq!(f.call(&mut inst, (ys.clone(),)).unwrap().0, ys);
    let zs = vec![-0.5f64, 1e300, f64::INFINITY];
    let f = inst
        .typed_func::<(&[f64],), (Vec<f64>,)>("echo-f64")
        .unwrap();
    assert_eq!(f.call(&mut inst, (&zs[..],)).unwrap().0, zs);
    let f = inst.typed_func::<(&[i8],), (Vec<i8>,)>("echo-s8").unwrap();
    assert_eq!(f.call(&mut inst, (&[-128i8, 5][..],)).unwrap().0, [-128, 5]);
    let f = inst
        .typed_func::<(&[bool],), (Vec<bool>,)>("echo-bool")
        .unwrap();
    assert_eq!(
        f.call(&mut inst, (&[true, false, true][..],)).unwrap().0,
        [true, false, true]
    );
    let f = inst
        .typed_func::<(&[char],), (Vec<char>,)>("echo-char")
        .unwrap();
    assert_eq!(
        f.call(&mut inst, (&['a', '€', '🦀'][..],)).unwrap().0,
        ['a', '€', '🦀']
    );
    let f = inst
        .typed_func::<(&[u32],), (Vec<u32>,)>("echo-u32")
        .unwrap();
    assert_eq!(f.call(&mut inst, (&[][..],)).unwrap().0, Vec::<u32>::new());
}

#[test]
fn dynamic_lists_round_trip_and_check_element_types() {
    let mut inst = instance(Limits::default());
    let list = Value::List(vec![Value::U32(1), Value::U32(u32::MAX)]);
    assert_eq!(
        inst.call("echo-u32", std::slice::from_ref(&list)).unwrap(),
        [list]
    );
    let list = Value::List(vec![Value::F64(2.5), Value::F64(-0.0)]);
    assert_eq!(
        inst.call("echo-f64", std::slice::from_ref(&list)).unwrap(),
        [list]
    );
    // A wrong element is the host's type error, not a write.
    let bad = Value::List(vec![Value::U32(1), Value::S32(2)]);
    let err = inst.call("echo-u32", &[bad]).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::HostType, "{err}");
    // The instance still works.
    let list = Value::List(vec![Value::S16(-3)]);
    assert_eq!(
        inst.call("echo-s16", std::slice::from_ref(&list)).unwrap(),
        [list]
    );
}

#[test]
fn hostile_lists_are_refused() {
    let mut inst = instance(Limits::default());
    let err = inst.call("oob", &[]).unwrap_err();
    assert_eq!(
        err.kind(),
        ErrorKind::Guest(Misbehavior::OutOfBounds),
        "{err}"
    );
    let mut inst = instance(Limits::default());
    let f = inst.typed_func::<(), (Vec<u32>,)>("misaligned").unwrap();
    let err = f.call(&mut inst, ()).unwrap_err();
    assert_eq!(
        err.kind(),
        ErrorKind::Guest(Misbehavior::Misaligned),
        "{err}"
    );
    let mut inst = instance(Limits::default());
    let f = inst.typed_func::<(), (Vec<u64>,)>("huge").unwrap();
    let err = f.call(&mut inst, ()).unwrap_err();
    assert!(
        matches!(
            err.kind(),
            ErrorKind::Guest(Misbehavior::OutOfBounds | Misbehavior::LengthOverflow)
        ),
        "{err}"
    );
}

#[test]
fn lists_count_against_max_value_bytes() {
    let mut inst = instance(Limits {
        max_value_bytes: Some(1000),
        ..Limits::default()
    });
    let f = inst.typed_func::<(), (Vec<u32>,)>("big").unwrap();
    let err = f.call(&mut inst, ()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Limit(Limit::ValueSize), "{err}");
}
