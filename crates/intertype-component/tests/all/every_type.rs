//! The every-type wit-bindgen Rust guest (benches/guests/every-type-wit),
//! adopted and run on the intertype engine, gives the same values as the
//! same core module made a component (wit-component) on wasmtime's
//! component runtime, called with dynamic `Val`s.

use crate::new::from_val;
use intertype_runtime::{Engine, Linker, Module, Value};
use wasmtime::component::{Component, Linker as ComponentLinker, Val};

const CORE: &[u8] = include_bytes!("../fixtures/every-type-wit.core.wasm");

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
            .map(|(t, v)| from_val(&booklet.types, *t, v))
            .collect();
        let ours = inst.func(name).unwrap().call(&mut inst, &values).unwrap();

        let f = cinst.get_func(&mut store, name).unwrap();
        let mut theirs = vec![Val::Bool(false); ty.results.len()];
        f.call(&mut store, &args, &mut theirs).unwrap();
        let theirs: Vec<Value> = ty
            .results
            .iter()
            .zip(&theirs)
            .map(|(t, v)| from_val(&booklet.types, *t, v))
            .collect();
        assert_eq!(ours, theirs, "{name}");
        // An echo returns its argument.
        if name.starts_with("echo-") {
            assert_eq!(ours, values, "{name}");
        }
    }
}
