//! The echo guest: every value that goes in comes back equal.

use intertype_guest_tests::guest;
use intertype_runtime::{Engine, Instance, Linker, Module, Type, Value};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use std::sync::OnceLock;

fn module() -> &'static Module {
    static MODULE: OnceLock<Module> = OnceLock::new();
    MODULE.get_or_init(|| {
        Module::new(&Engine::default(), &guest("echo")).expect("the echo guest loads")
    })
}

fn instance() -> Instance {
    Linker::new(module().engine())
        .instantiate(module())
        .expect("the echo guest instantiates")
}

/// Any value of type `ty` (floats without NaN, whose bits need not survive).
fn value(ty: &Type, depth: u32) -> BoxedStrategy<Value> {
    let len = if depth > 2 { 0..3usize } else { 0..8usize };
    match ty {
        Type::Bool => any::<bool>().prop_map(Value::Bool).boxed(),
        Type::S8 => any::<i8>().prop_map(Value::S8).boxed(),
        Type::U8 => any::<u8>().prop_map(Value::U8).boxed(),
        Type::S16 => any::<i16>().prop_map(Value::S16).boxed(),
        Type::U16 => any::<u16>().prop_map(Value::U16).boxed(),
        Type::S32 => any::<i32>().prop_map(Value::S32).boxed(),
        Type::U32 => any::<u32>().prop_map(Value::U32).boxed(),
        Type::S64 => any::<i64>().prop_map(Value::S64).boxed(),
        Type::U64 => any::<u64>().prop_map(Value::U64).boxed(),
        Type::F32 => any::<f32>()
            .prop_filter("not NaN", |f| !f.is_nan())
            .prop_map(Value::F32)
            .boxed(),
        Type::F64 => any::<f64>()
            .prop_filter("not NaN", |f| !f.is_nan())
            .prop_map(Value::F64)
            .boxed(),
        Type::Char => any::<char>().prop_map(Value::Char).boxed(),
        // Any Unicode, empty included; large strings are tested separately.
        Type::String => any::<String>().prop_map(Value::String).boxed(),
        Type::List(e) => proptest::collection::vec(value(e, depth + 1), len)
            .prop_map(Value::List)
            .boxed(),
        Type::Record(fields) => fields
            .iter()
            .map(|f| value(&f.ty, depth + 1))
            .collect::<Vec<_>>()
            .prop_map(Value::Record)
            .boxed(),
        Type::Tuple(ts) => ts
            .iter()
            .map(|t| value(t, depth + 1))
            .collect::<Vec<_>>()
            .prop_map(Value::Tuple)
            .boxed(),
        Type::Variant(cases) => {
            let arms: Vec<BoxedStrategy<Value>> = cases
                .iter()
                .enumerate()
                .map(|(i, c)| match &c.ty {
                    None => Just(Value::Variant(i as u32, None)).boxed(),
                    Some(t) => value(t, depth + 1)
                        .prop_map(move |v| Value::Variant(i as u32, Some(Box::new(v))))
                        .boxed(),
                })
                .collect();
            proptest::strategy::Union::new(arms).boxed()
        }
        Type::Enum(names) => (0..names.len() as u32).prop_map(Value::Enum).boxed(),
        Type::Option(t) => proptest::option::of(value(t, depth + 1))
            .prop_map(|v| Value::Option(v.map(Box::new)))
            .boxed(),
        Type::Result { ok, err } => {
            let side = |t: &Option<Box<Type>>| -> BoxedStrategy<Option<Box<Value>>> {
                match t {
                    None => Just(None).boxed(),
                    Some(t) => value(t, depth + 1).prop_map(|v| Some(Box::new(v))).boxed(),
                }
            };
            prop_oneof![
                side(ok).prop_map(|v| Value::Result(Ok(v))),
                side(err).prop_map(|v| Value::Result(Err(v))),
            ]
            .boxed()
        }
        Type::Flags(names) => {
            let n = names.len();
            proptest::collection::vec(any::<bool>(), n)
                .prop_map(move |bits| {
                    Value::flags(
                        n,
                        bits.iter().enumerate().filter(|(_, b)| **b).map(|(i, _)| i),
                    )
                })
                .boxed()
        }
        other => panic!("the echo guest has no {other} parameters"),
    }
}

/// Every `echo_*` export, with every generated value: out == in. Also
/// checks that the guest's heap is back where it was after each call.
#[test]
fn every_type_round_trips() {
    let mut instance = instance();
    let names: Vec<String> = module()
        .exports()
        .iter()
        .filter(|e| e.name.starts_with("echo_"))
        .map(|e| e.name.clone())
        .collect();
    assert!(names.len() >= 30, "echo exports: {names:?}");
    let heap = |i: &mut Instance| i.call("heap_in_use", &[]).unwrap();
    for name in names {
        let func = instance.func(&name).unwrap();
        let ty = func.ty().params[0].clone();
        assert_eq!(func.ty().results, vec![ty.clone()], "{name}");
        let before = heap(&mut instance);
        let mut runner = TestRunner::new(Config {
            cases: 64,
            failure_persistence: None,
            ..Config::default()
        });
        let cell = std::cell::RefCell::new(&mut instance);
        runner
            .run(&value(&ty, 0), |v| {
                let out = func
                    .call(&mut cell.borrow_mut(), std::slice::from_ref(&v))
                    .unwrap();
                prop_assert_eq!(&out, &vec![v], "{}", name);
                Ok(())
            })
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(heap(&mut instance), before, "{name} leaks guest memory");
    }
}

#[test]
fn several_parameters_and_borrowed_ones() {
    let mut i = instance();
    let p = Value::Record(vec![Value::S32(-5), Value::S32(i32::MAX)]);
    let args = vec![
        Value::U8(200),
        Value::String("naïve ☃ 𝄞".into()),
        p.clone(),
        Value::List(vec![Value::U16(1), Value::U16(65535)]),
        Value::F32(-0.5),
    ];
    assert_eq!(
        i.call("mix", &args).unwrap(),
        vec![Value::Tuple(args.clone())]
    );
    assert_eq!(
        i.call("echo_point_ref", std::slice::from_ref(&p)).unwrap(),
        vec![p]
    );
    assert_eq!(
        i.call("echo_str", &[Value::String(String::new())]).unwrap(),
        vec![Value::String(String::new())]
    );
    assert_eq!(i.call("nothing", &[]).unwrap(), vec![]);
    assert!(
        i.func("do_nothing").is_none(),
        "the rename replaces the Rust name"
    );
}

#[test]
fn large_strings_and_lists() {
    let mut i = instance();
    let before = i.call("heap_in_use", &[]).unwrap();
    let big: String = "ab€𝄞".repeat(300_000); // 3 MB of UTF-8
    let out = i.call("echo_str", &[Value::String(big.clone())]).unwrap();
    assert_eq!(out, vec![Value::String(big)]);
    let bytes: Vec<Value> = (0..1_000_000u32).map(|n| Value::U8(n as u8)).collect();
    let out = i.call("echo_bytes", &[Value::List(bytes.clone())]).unwrap();
    assert_eq!(out, vec![Value::List(bytes)]);
    let strings: Vec<Value> = (0..10_000).map(|n| Value::String(n.to_string())).collect();
    let out = i
        .call("echo_strings", &[Value::List(strings.clone())])
        .unwrap();
    assert_eq!(out, vec![Value::List(strings)]);
    assert_eq!(i.call("heap_in_use", &[]).unwrap(), before);
}

/// Typed calls from Rust: the engine's `Lift`/`Lower` for std types match
/// the guest's layouts.
#[test]
fn typed_calls() {
    let mut i = instance();
    let f = i
        .typed_func::<(Option<String>,), (Option<String>,)>("echo_option")
        .unwrap();
    assert_eq!(
        f.call(&mut i, (Some("x".into()),)).unwrap(),
        (Some("x".to_string()),)
    );
    let f = i
        .typed_func::<(Result<String, u32>,), (Result<String, u32>,)>("echo_result")
        .unwrap();
    assert_eq!(f.call(&mut i, (Err(7),)).unwrap(), (Err(7),));
    let f = i
        .typed_func::<(Vec<u64>,), (Vec<u64>,)>("echo_u64s")
        .unwrap();
    assert_eq!(
        f.call(&mut i, (vec![u64::MAX, 0, 1],)).unwrap(),
        (vec![u64::MAX, 0, 1],)
    );
}
