//! The every-type wit-bindgen Rust guest (benches/guests/every-type-wit),
//! adopted and run on the intertype engine, gives the same values as the
//! same core module made a component (wit-component) on wasmtime's
//! component runtime, called with dynamic `Val`s.

use intertype::{TypeDef, ValType};
use intertype_runtime::{Engine, Linker, Module, Value};
use wasmtime::component::{Component, Linker as ComponentLinker, Val};

const CORE: &[u8] = include_bytes!("../fixtures/every-type-wit.core.wasm");

/// A component-model value as the intertype value of type `ty`.
fn to_value(types: &[TypeDef], ty: ValType, v: &Val) -> Value {
    let sub = |t: ValType, v: &Val| to_value(types, t, v);
    let boxed = |t: Option<ValType>, v: &Option<Box<Val>>| match (t, v) {
        (Some(t), Some(v)) => Some(Box::new(sub(t, v))),
        _ => None,
    };
    match (ty, v) {
        (ValType::Bool, Val::Bool(x)) => Value::Bool(*x),
        (ValType::S8, Val::S8(x)) => Value::S8(*x),
        (ValType::U8, Val::U8(x)) => Value::U8(*x),
        (ValType::S16, Val::S16(x)) => Value::S16(*x),
        (ValType::U16, Val::U16(x)) => Value::U16(*x),
        (ValType::S32, Val::S32(x)) => Value::S32(*x),
        (ValType::U32, Val::U32(x)) => Value::U32(*x),
        (ValType::S64, Val::S64(x)) => Value::S64(*x),
        (ValType::U64, Val::U64(x)) => Value::U64(*x),
        (ValType::F32, Val::Float32(x)) => Value::F32(*x),
        (ValType::F64, Val::Float64(x)) => Value::F64(*x),
        (ValType::Char, Val::Char(x)) => Value::Char(*x),
        (ValType::String, Val::String(x)) => Value::String(x.clone()),
        (ValType::Type(i), v) => match (&types[i as usize], v) {
            (TypeDef::Record(fields), Val::Record(vs)) => Value::Record(
                fields
                    .iter()
                    .zip(vs)
                    .map(|(f, (name, v))| {
                        assert_eq!(&f.name, name);
                        sub(f.ty, v)
                    })
                    .collect(),
            ),
            (TypeDef::Tuple(ts), Val::Tuple(vs)) => {
                Value::Tuple(ts.iter().zip(vs).map(|(t, v)| sub(*t, v)).collect())
            }
            (TypeDef::Variant(cases), Val::Variant(name, p)) => {
                let i = cases.iter().position(|c| &c.name == name).unwrap();
                Value::Variant(i as u32, boxed(cases[i].ty, p))
            }
            (TypeDef::Enum(cases), Val::Enum(name)) => {
                Value::Enum(cases.iter().position(|c| c == name).unwrap() as u32)
            }
            (TypeDef::Flags(names), Val::Flags(set)) => {
                let mut words = vec![0u32; names.len().div_ceil(32)];
                for s in set {
                    let i = names.iter().position(|n| n == s).unwrap();
                    words[i / 32] |= 1 << (i % 32);
                }
                Value::Flags(words)
            }
            (TypeDef::List(t), Val::List(vs)) => {
                Value::List(vs.iter().map(|v| sub(*t, v)).collect())
            }
            (TypeDef::Option(t), Val::Option(v)) => Value::Option(boxed(Some(*t), v)),
            (TypeDef::Result { ok, err }, Val::Result(r)) => Value::Result(match r {
                Ok(v) => Ok(boxed(*ok, v)),
                Err(v) => Err(boxed(*err, v)),
            }),
            (def, v) => panic!("{v:?} is not a {def:?}"),
        },
        (ty, v) => panic!("{v:?} is not a {ty:?}"),
    }
}

pub fn cases() -> Vec<(&'static str, Vec<Val>)> {
    let s = |x: &str| Val::String(x.into());
    let point = |x, y, l: &str| {
        Val::Record(vec![
            ("x".into(), Val::S32(x)),
            ("y".into(), Val::Float64(y)),
            ("label".into(), s(l)),
        ])
    };
    let mut many: Vec<Val> = (0..16).map(|i| Val::U32(u32::MAX - i)).collect();
    many.push(Val::U64(u64::MAX / 2));
    vec![
        ("echo-point", vec![point(-7, 2.5, "origin ✓")]),
        (
            "echo-shape",
            vec![Val::Variant(
                "circle".into(),
                Some(Box::new(Val::Float32(1.5))),
            )],
        ),
        (
            "echo-shape",
            vec![Val::Variant(
                "rect".into(),
                Some(Box::new(point(1, -0.0, ""))),
            )],
        ),
        ("echo-shape", vec![Val::Variant("empty".into(), None)]),
        ("echo-color", vec![Val::Enum("blue".into())]),
        (
            "echo-perms",
            vec![Val::Flags(vec!["read".into(), "exec".into()])],
        ),
        ("echo-perms", vec![Val::Flags(vec![])]),
        (
            "echo-strings",
            vec![Val::List(vec![s("a"), s(""), s(&"x".repeat(70_000))])],
        ),
        ("echo-strings", vec![Val::List(vec![])]),
        (
            "echo-bytes",
            vec![Val::List((0..=255).map(Val::U8).collect())],
        ),
        (
            "echo-option",
            vec![Val::Option(Some(Box::new(Val::U64(u64::MAX))))],
        ),
        ("echo-option", vec![Val::Option(None)]),
        (
            "echo-result",
            vec![Val::Result(Ok(Some(Box::new(s("fine")))))],
        ),
        (
            "echo-result",
            vec![Val::Result(Err(Some(Box::new(Val::U8(200)))))],
        ),
        (
            "echo-tuple",
            vec![Val::Tuple(vec![
                Val::Bool(true),
                Val::Char('𝄞'),
                Val::S8(-128),
                Val::U16(65535),
                Val::S64(i64::MIN),
                Val::Float32(f32::INFINITY),
            ])],
        ),
        ("sum-many", many),
        ("nothing", vec![]),
    ]
}

#[test]
fn every_type_matches_the_component_runtime() {
    let adopted = intertype_component::adopt(CORE).unwrap();
    let booklet = intertype::Module::from_binary(&adopted).unwrap().booklet;
    let engine = Engine::default();
    let module = Module::new(&engine, &adopted).unwrap();
    let mut inst = Linker::new(&engine).instantiate(&module).unwrap();

    let component = wit_component::ComponentEncoder::default()
        .validate(true)
        .module(CORE)
        .unwrap()
        .encode()
        .unwrap();
    let cengine = wasmtime::Engine::default();
    let component = Component::new(&cengine, &component).unwrap();
    let mut store = wasmtime::Store::new(&cengine, ());
    let cinst = ComponentLinker::new(&cengine)
        .instantiate(&mut store, &component)
        .unwrap();

    for (name, args) in cases() {
        let export = booklet.exports.iter().find(|e| e.name == name).unwrap();
        let ty = booklet.adapter_func_type(export.func).unwrap().clone();
        let values: Vec<Value> = ty
            .params
            .iter()
            .zip(&args)
            .map(|(t, v)| to_value(&booklet.types, *t, v))
            .collect();
        let ours = inst.func(name).unwrap().call(&mut inst, &values).unwrap();

        let f = cinst.get_func(&mut store, name).unwrap();
        let mut theirs = vec![Val::Bool(false); ty.results.len()];
        f.call(&mut store, &args, &mut theirs).unwrap();
        let theirs: Vec<Value> = ty
            .results
            .iter()
            .zip(&theirs)
            .map(|(t, v)| to_value(&booklet.types, *t, v))
            .collect();
        assert_eq!(ours, theirs, "{name}");
        // An echo returns its argument.
        if name.starts_with("echo-") {
            assert_eq!(ours, values, "{name}");
        }
    }
}
