//! A typed call whose result is one list of plain scalars (`Vec<u32>`, ...)
//! takes the list's bytes straight into its `Vec` (`exec.rs`, *raw lists*):
//! the same values as the dynamic path, the same checks on what a guest
//! returns (bounds and alignment of the pair and of the list, lengths bounded
//! by memory and `max_value_bytes`), frees run exactly once, a fault
//! poisons, and a call back from a host function still gets its `Value`.

use crate::util::load;
use intertype_runtime::{
    Caller, Config, Engine, Error, ErrorKind, FuncType, Instance, Limit, Limits, Linker,
    Misbehavior, Value,
};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

const GUEST: &str = r#"
(module
  (import "env" "freed_" (func $freed_ (param i32)))
  (import "env" "cb_" (func $cb_))
  (memory (export "mem") 1)
  (data (i32.const 64) "\01\00\00\00\02\00\00\00\ff\ff\ff\ff\00\00\00\80")
  (func $free (param i32) (call $freed_ (local.get 0)))
  (func $pair (param i32 i32) (result i32)
    (i32.store (i32.const 16) (local.get 0))
    (i32.store (i32.const 20) (local.get 1))
    (i32.const 16))
  (func $len2 (result i32) (call $pair (i32.const 64) (i32.const 2)))
  (func $len4 (result i32) (call $pair (i32.const 64) (i32.const 4)))
  (func $len8 (result i32) (call $pair (i32.const 64) (i32.const 8)))
  (func $len16 (result i32) (call $pair (i32.const 64) (i32.const 16)))
  (func $flat4 (result i32 i32) i32.const 64 i32.const 4)
  (func $flat2 (result i32 i32) i32.const 64 i32.const 2)
  (func $oob (result i32) (call $pair (i32.const 65532) (i32.const 2)))
  (func $misaligned (result i32) (call $pair (i32.const 66) (i32.const 1)))
  (func $huge (result i32) (call $pair (i32.const 64) (i32.const 0x7fffffff)))
  (func $big (result i32) (call $pair (i32.const 1024) (i32.const 4096)))
  (func $pair_misaligned (result i32) i32.const 18)
  (func $pair_oob (result i32) i32.const 65532)
  (func $flat_oob (result i32 i32) i32.const 65532 i32.const 2)
  (func $flat_misaligned (result i32 i32) i32.const 66 i32.const 1)
  (func $flat_huge (result i32 i32) i32.const 64 i32.const 0x7fffffff)
  (func $nested (result i32) (call $cb_) (call $len4))
  (@interface func (export "load-u32") (result (list u32)) call-core $len4 value.load (list u32))
  (@interface func (export "load-s32") (result (list s32)) call-core $len4 value.load (list s32))
  (@interface func (export "load-f32") (result (list f32)) call-core $len4 value.load (list f32))
  (@interface func (export "load-s16") (result (list s16)) call-core $len8 value.load (list s16))
  (@interface func (export "load-u16") (result (list u16)) call-core $len8 value.load (list u16))
  (@interface func (export "load-s64") (result (list s64)) call-core $len2 value.load (list s64))
  (@interface func (export "load-u64") (result (list u64)) call-core $len2 value.load (list u64))
  (@interface func (export "load-f64") (result (list f64)) call-core $len2 value.load (list f64))
  (@interface func (export "load-s8") (result (list s8)) call-core $len16 value.load (list s8))
  (@interface func (export "lift-u32") (result (list u32)) call-core $flat4 value.lift (list u32) "mem")
  (@interface func (export "lift-u64") (result (list u64)) call-core $flat2 value.lift (list u64) "mem")
  (@interface func (export "freed-u32") (result (list u32))
    call-core $len4 defer-call-core $free value.load (list u32))
  (@interface func (export "oob") (result (list u32)) call-core $oob value.load (list u32))
  (@interface func (export "oob-freed") (result (list u32))
    call-core $oob defer-call-core $free value.load (list u32))
  (@interface func (export "misaligned") (result (list u32)) call-core $misaligned value.load (list u32))
  (@interface func (export "huge") (result (list u64)) call-core $huge value.load (list u64))
  (@interface func (export "big") (result (list u32)) call-core $big value.load (list u32))
  (@interface func (export "pair-misaligned") (result (list u32)) call-core $pair_misaligned value.load (list u32))
  (@interface func (export "pair-oob") (result (list u32)) call-core $pair_oob value.load (list u32))
  (@interface func (export "lift-oob") (result (list u32)) call-core $flat_oob value.lift (list u32) "mem")
  (@interface func (export "lift-misaligned") (result (list u32)) call-core $flat_misaligned value.lift (list u32) "mem")
  (@interface func (export "lift-huge") (result (list u64)) call-core $flat_huge value.lift (list u64) "mem")
  (@interface func (export "nested") (result (list u32)) call-core $nested value.load (list u32))

  (@interface import "host" "freed" (func (param u32)))
  (@interface import "host" "cb" (func))
  (@interface implement (import "env" "freed_") (param i32)
    arg.get 0 i32-to-u32 call-adapter 0)
  (@interface implement (import "env" "cb_")
    call-adapter 1)
)
"#;

/// The elements of the 16 bytes at 64, by type.
const U32S: [u32; 4] = [1, 2, u32::MAX, 0x8000_0000];

fn instance(limits: Limits) -> (Instance, Arc<AtomicUsize>, Arc<AtomicUsize>) {
    let engine = Engine::new(&Config {
        limits,
        ..Config::default()
    })
    .unwrap();
    let module = load(&engine, GUEST);
    let freed = Arc::new(AtomicUsize::new(0));
    let callbacks = Arc::new(AtomicUsize::new(0));
    let (fc, cc) = (freed.clone(), callbacks.clone());
    let mut linker = Linker::new(&engine);
    linker.func_new(
        "host",
        "freed",
        FuncType::new([Type::U32], []),
        move |_, _| {
            fc.fetch_add(1, Ordering::SeqCst);
            Ok(())
        },
    );
    linker.func_new_with_caller(
        "host",
        "cb",
        FuncType::new([], []),
        move |mut caller: Caller<'_, ()>, _, _| {
            // Calls back while the outer typed call waits for its raw list:
            // the dynamic call gets its `Value`, the typed one its `Vec`.
            let dynamic = caller.call("load-u32", &[])?;
            let want = Value::List(U32S.iter().map(|x| Value::U32(*x)).collect());
            if dynamic != [want] {
                return Err(Error::host(format!("dynamic call back got {dynamic:?}")));
            }
            let f = caller
                .func("load-u32")
                .ok_or_else(|| Error::host("no load-u32"))?
                .typed::<(), (Vec<u32>,)>()?;
            let (typed,) = f.call_in(&mut caller, ())?;
            if typed != U32S {
                return Err(Error::host(format!("typed call back got {typed:?}")));
            }
            cc.fetch_add(1, Ordering::SeqCst);
            Ok(())
        },
    );
    let inst = linker.instantiate(&module).unwrap();
    (inst, freed, callbacks)
}

use intertype_runtime::Type;

/// The typed result equals the dynamic one, element by element.
macro_rules! same {
    ($inst:expr, $name:literal, $t:ty, $variant:ident) => {{
        let f = $inst.typed_func::<(), (Vec<$t>,)>($name).unwrap();
        let (typed,) = f.call(&mut $inst, ()).unwrap();
        let dynamic = $inst.call($name, &[]).unwrap();
        let Value::List(vs) = &dynamic[0] else {
            panic!("{}: {dynamic:?}", $name)
        };
        assert_eq!(typed.len(), vs.len(), "{}", $name);
        for (t, v) in typed.iter().zip(vs) {
            match v {
                Value::$variant(x) => assert_eq!(t.to_bits_eq(), x.to_bits_eq(), "{}", $name),
                other => panic!("{}: {other:?}", $name),
            }
        }
        typed
    }};
}

/// Bit equality (NaN-safe) for the compared scalars.
trait BitsEq {
    fn to_bits_eq(&self) -> u64;
}
macro_rules! bits_eq {
    ($($t:ty => |$x:ident| $e:expr;)*) => {$(
        impl BitsEq for $t { fn to_bits_eq(&self) -> u64 { let $x = *self; $e } }
    )*};
}
bits_eq! {
    i8 => |x| x as u64; i16 => |x| x as u64; u16 => |x| x as u64;
    i32 => |x| x as u64; u32 => |x| x as u64; i64 => |x| x as u64;
    u64 => |x| x; f32 => |x| u64::from(x.to_bits()); f64 => |x| x.to_bits();
}

#[test]
fn raw_lists_equal_the_dynamic_path() {
    let (mut inst, _, _) = instance(Limits::default());
    assert_eq!(same!(inst, "load-u32", u32, U32), U32S);
    assert_eq!(same!(inst, "load-s32", i32, S32), [1, 2, -1, i32::MIN]);
    same!(inst, "load-f32", f32, F32);
    assert_eq!(
        same!(inst, "load-s16", i16, S16),
        [1, 0, 2, 0, -1, -1, 0, i16::MIN]
    );
    same!(inst, "load-u16", u16, U16);
    assert_eq!(
        same!(inst, "load-u64", u64, U64),
        [0x2_0000_0001, 0x8000_0000_ffff_ffff]
    );
    same!(inst, "load-s64", i64, S64);
    same!(inst, "load-f64", f64, F64);
    assert_eq!(same!(inst, "load-s8", i8, S8).len(), 16);
    assert_eq!(same!(inst, "lift-u32", u32, U32), U32S);
    assert_eq!(
        same!(inst, "lift-u64", u64, U64),
        [0x2_0000_0001, 0x8000_0000_ffff_ffff]
    );
}

#[test]
fn raw_lists_free_once_and_call_back() {
    let (mut inst, freed, callbacks) = instance(Limits::default());
    let f = inst.typed_func::<(), (Vec<u32>,)>("freed-u32").unwrap();
    for i in 1..=3 {
        assert_eq!(f.call(&mut inst, ()).unwrap().0, U32S);
        assert_eq!(freed.load(Ordering::SeqCst), i);
    }
    let f = inst.typed_func::<(), (Vec<u32>,)>("nested").unwrap();
    assert_eq!(f.call(&mut inst, ()).unwrap().0, U32S);
    assert_eq!(callbacks.load(Ordering::SeqCst), 1);
    // A dynamic call of the same adapter after the typed ones.
    let want = Value::List(U32S.iter().map(|x| Value::U32(*x)).collect());
    assert_eq!(inst.call("nested", &[]).unwrap(), [want]);
    assert_eq!(callbacks.load(Ordering::SeqCst), 2);
    // A failing call frees once too, and poisons.
    let (mut inst, freed, _) = instance(Limits::default());
    let f = inst.typed_func::<(), (Vec<u32>,)>("oob-freed").unwrap();
    let err = f.call(&mut inst, ()).unwrap_err();
    assert_eq!(
        err.kind(),
        ErrorKind::Guest(Misbehavior::OutOfBounds),
        "{err}"
    );
    assert_eq!(freed.load(Ordering::SeqCst), 1);
    assert!(inst.is_poisoned());
}

/// Each hostile result is the guest's error on the typed (raw) path, as on
/// the dynamic one; the instance is poisoned; a fresh one works.
#[test]
fn hostile_raw_lists_are_refused() {
    let out_of_bounds = ErrorKind::Guest(Misbehavior::OutOfBounds);
    let misaligned = ErrorKind::Guest(Misbehavior::Misaligned);
    let cases: [(&str, bool, &[ErrorKind]); 8] = [
        ("oob", false, &[out_of_bounds]),
        ("misaligned", false, &[misaligned]),
        ("pair-misaligned", false, &[misaligned]),
        ("pair-oob", false, &[out_of_bounds]),
        ("lift-oob", false, &[out_of_bounds]),
        ("lift-misaligned", false, &[misaligned]),
        (
            "huge",
            true,
            &[out_of_bounds, ErrorKind::Guest(Misbehavior::LengthOverflow)],
        ),
        (
            "lift-huge",
            true,
            &[out_of_bounds, ErrorKind::Guest(Misbehavior::LengthOverflow)],
        ),
    ];
    for (name, u64s, kinds) in cases {
        let (mut inst, _, _) = instance(Limits::default());
        let err = if u64s {
            let f = inst.typed_func::<(), (Vec<u64>,)>(name).unwrap();
            f.call(&mut inst, ()).unwrap_err()
        } else {
            let f = inst.typed_func::<(), (Vec<u32>,)>(name).unwrap();
            f.call(&mut inst, ()).unwrap_err()
        };
        assert!(kinds.contains(&err.kind()), "{name}: {err}");
        assert!(inst.is_poisoned(), "{name}");
        let (mut fresh, _, _) = instance(Limits::default());
        let dynamic = fresh.call(name, &[]).unwrap_err();
        assert_eq!(dynamic.kind(), err.kind(), "{name}: {dynamic}");
        let (mut fresh, _, _) = instance(Limits::default());
        let f = fresh.typed_func::<(), (Vec<u32>,)>("load-u32").unwrap();
        assert_eq!(f.call(&mut fresh, ()).unwrap().0, U32S);
    }
}

#[test]
fn raw_lists_count_against_max_value_bytes() {
    let limits = Limits {
        max_value_bytes: Some(1000),
        ..Limits::default()
    };
    let (mut inst, _, _) = instance(limits.clone());
    let f = inst.typed_func::<(), (Vec<u32>,)>("big").unwrap();
    let err = f.call(&mut inst, ()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Limit(Limit::ValueSize), "{err}");
    // Under the limit, the same instance type works.
    let (mut inst, _, _) = instance(limits);
    let f = inst.typed_func::<(), (Vec<u32>,)>("load-u32").unwrap();
    assert_eq!(f.call(&mut inst, ()).unwrap().0, U32S);
}
