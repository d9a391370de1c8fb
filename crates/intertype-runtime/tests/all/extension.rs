//! `tests/corpus/extension/shapes.wat`: every extension instruction family.

use crate::util::load_file;
use intertype_runtime::{Engine, FuncType, Instance, Linker, Type, Value};
use std::sync::{Arc, Mutex};

fn shapes() -> (Instance, Arc<Mutex<Vec<Value>>>) {
    let engine = Engine::default();
    let module = load_file(&engine, "extension/shapes.wat");
    let point = Type::record([("x", Type::S32), ("y", Type::S32)]);
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = seen.clone();
    let mut linker = Linker::new(&engine);
    linker.func_new(
        "host",
        "log_point",
        FuncType::new([point], []),
        move |args, _| {
            sink.lock().unwrap().extend_from_slice(args);
            Ok(())
        },
    );
    (linker.instantiate(&module).unwrap(), seen)
}

fn one(inst: &mut Instance, name: &str, args: &[Value]) -> Value {
    let mut r = inst
        .call(name, args)
        .unwrap_or_else(|e| panic!("{name}: {e:?}"));
    assert_eq!(r.len(), 1);
    r.remove(0)
}

#[test]
fn records() {
    let (mut inst, _) = shapes();
    let p = Value::Record(vec![Value::S32(1), Value::S32(-2)]);
    assert_eq!(
        one(&mut inst, "flip", &[p]),
        Value::Record(vec![Value::S32(-2), Value::S32(1)])
    );
    assert_eq!(
        one(&mut inst, "origin", &[]),
        Value::Record(vec![Value::S32(3), Value::S32(4)])
    );
}

#[test]
fn lists_of_bytes() {
    let (mut inst, _) = shapes();
    let bytes = |b: &[u8]| Value::List(b.iter().map(|x| Value::U8(*x)).collect());
    assert_eq!(one(&mut inst, "reverse", &[bytes(b"abc")]), bytes(b"cba"));
    assert_eq!(one(&mut inst, "reverse", &[bytes(b"")]), bytes(b""));
    let f = inst
        .typed_func::<(Vec<u8>,), (Vec<u8>,)>("reverse")
        .unwrap();
    assert_eq!(
        f.call(&mut inst, (vec![1, 2, 3, 4],)).unwrap().0,
        vec![4, 3, 2, 1]
    );
}

#[test]
fn results_options_variants_enums_flags() {
    let (mut inst, _) = shapes();
    assert_eq!(
        one(&mut inst, "checked_div", &[Value::S32(7), Value::S32(2)]),
        Value::Result(Ok(Some(Box::new(Value::S32(3)))))
    );
    assert_eq!(
        one(&mut inst, "checked_div", &[Value::S32(7), Value::S32(0)]),
        Value::Result(Err(Some(Box::new(Value::String(
            "division by zero".into()
        )))))
    );
    let div = inst
        .typed_func::<(i32, i32), (Result<i32, String>,)>("checked_div")
        .unwrap();
    assert_eq!(div.call(&mut inst, (9, 3)).unwrap().0, Ok(3));
    assert_eq!(
        div.call(&mut inst, (9, 0)).unwrap().0,
        Err("division by zero".to_string())
    );

    let circle = Value::Variant(0, Some(Box::new(Value::F32(2.0))));
    assert_eq!(one(&mut inst, "area", &[circle]), Value::F32(13.0));
    let rect = Value::Variant(
        1,
        Some(Box::new(Value::Record(vec![Value::S32(3), Value::S32(5)]))),
    );
    assert_eq!(one(&mut inst, "area", &[rect]), Value::F32(15.0));
    assert_eq!(
        one(&mut inst, "area", &[Value::Variant(2, None)]),
        Value::F32(0.0)
    );

    assert_eq!(
        one(&mut inst, "next_color", &[Value::Enum(2)]),
        Value::Enum(0)
    );
    let perms = Value::flags(3, [0, 2]);
    assert_eq!(
        one(&mut inst, "same_perms", std::slice::from_ref(&perms)),
        perms
    );

    let some = Value::Option(Some(Box::new(Value::String("x".into()))));
    assert_eq!(one(&mut inst, "maybe", std::slice::from_ref(&some)), some);
    assert_eq!(
        one(&mut inst, "maybe", &[Value::Option(None)]),
        Value::Option(None)
    );
    let maybe = inst
        .typed_func::<(Option<&str>,), (Option<String>,)>("maybe")
        .unwrap();
    assert_eq!(
        maybe.call(&mut inst, (Some("hé"),)).unwrap().0.as_deref(),
        Some("hé")
    );
}

#[test]
fn scalars_and_utf16() {
    let (mut inst, _) = shapes();
    assert_eq!(
        one(&mut inst, "not", &[Value::Bool(true)]),
        Value::Bool(false)
    );
    assert_eq!(
        one(&mut inst, "next_char", &[Value::Char('🦀')]),
        Value::Char('🦀')
    );
    let s = "grüße, 世界 🦀";
    assert_eq!(
        one(&mut inst, "echo16", &[Value::String(s.into())]),
        Value::String(s.into())
    );
}

#[test]
fn implement_lifts_a_record_for_the_host() {
    let (mut inst, seen) = shapes();
    inst.call("run_", &[]).unwrap();
    assert_eq!(
        *seen.lock().unwrap(),
        vec![Value::Record(vec![Value::S32(7), Value::S32(-2)])]
    );
}

#[test]
fn invalid_values_from_the_host_are_rejected_before_wasm() {
    let (mut inst, _) = shapes();
    for bad in [
        Value::Enum(3),
        Value::Variant(0, None),
        Value::Record(vec![Value::S32(1)]),
        Value::flags(3, [0]),
    ] {
        let err = inst.call("next_color", &[bad]).unwrap_err();
        assert_eq!(err.kind(), intertype_runtime::ErrorKind::HostType);
    }
    assert!(!inst.is_poisoned());
}

#[test]
fn bytes_fast_path() {
    let (mut inst, _) = shapes();
    // `list<u8>` lifts to one contiguous `Value::Bytes`.
    let out = one(&mut inst, "reverse", &[Value::Bytes(b"hello".to_vec())]);
    assert!(matches!(&out, Value::Bytes(b) if b == b"olleh"), "{out:?}");
    // A list of `u8` values is still accepted and compares equal.
    let listed = Value::List(b"ab".iter().map(|x| Value::U8(*x)).collect());
    let out = one(&mut inst, "reverse", &[listed]);
    assert_eq!(out, Value::Bytes(b"ba".to_vec()));
    assert_eq!(out, Value::List(vec![Value::U8(b'b'), Value::U8(b'a')]));
    assert_ne!(out, Value::List(vec![Value::U8(b'b')]));
    // Bytes are not a list of any other element type.
    let err = inst
        .call("same_perms", &[Value::Bytes(vec![1])])
        .unwrap_err();
    assert_eq!(err.kind(), intertype_runtime::ErrorKind::HostType);

    // Typed: `Vec<u8>` and `&[u8]` in (borrowed), `Vec<u8>` out (moved).
    let big: Vec<u8> = (0..=255u8).cycle().take(10_000).collect();
    let mut want = big.clone();
    want.reverse();
    let f = inst
        .typed_func::<(Vec<u8>,), (Vec<u8>,)>("reverse")
        .unwrap();
    assert_eq!(f.call(&mut inst, (big.clone(),)).unwrap().0, want);
    let f = inst.typed_func::<(&[u8],), (Vec<u8>,)>("reverse").unwrap();
    assert_eq!(f.call(&mut inst, (&big[..],)).unwrap().0, want);
    assert_eq!(f.call(&mut inst, (&[][..],)).unwrap().0, Vec::<u8>::new());
}

#[test]
fn bytes_in_named_types() {
    let engine = Engine::default();
    let module = load_file(&engine, "extension/everything.wat");
    let mut linker = Linker::new(&engine);
    let point = Type::record([("x", Type::S32), ("y", Type::S32)]);
    linker.func_new("host", "point", FuncType::new([], [point]), |_, out| {
        out.push(Value::Record(vec![Value::S32(5), Value::S32(6)]));
        Ok(())
    });
    let mut inst = linker.instantiate(&module).unwrap();
    check_bytes(&mut inst);
}

fn check_bytes(inst: &mut Instance) {
    let out = one(inst, "bytes", &[Value::Bytes(vec![0, 1, 255])]);
    assert!(
        matches!(&out, Value::Bytes(b) if b == &[0, 1, 255]),
        "{out:?}"
    );
    let f = inst.typed_func::<(Vec<u8>,), (Vec<u8>,)>("bytes").unwrap();
    assert_eq!(f.call(inst, (vec![9; 3000],)).unwrap().0, vec![9; 3000]);
}
