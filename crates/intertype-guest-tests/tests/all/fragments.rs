//! What the compiler writes: one fragment per function, merged on load.

use intertype_guest_tests::guest;
use intertype_runtime::{Engine, Linker, Module, Value};

fn fragments(name: &str) -> Vec<intertype::binary::Fragment> {
    let bytes = guest(name);
    let core = intertype::core::CoreModule::parse(&bytes).unwrap();
    let [section] = core.interface_sections.as_slice() else {
        panic!("{name}: expected one interface section");
    };
    intertype::binary::decode_fragments(&bytes[section.payload.clone()], section.payload.start)
        .unwrap()
}

/// A guest made of two crates (a library with an export and an import, and
/// the cdylib with its own export) gets one merged booklet.
#[test]
fn two_crates_one_booklet() {
    let frags = fragments("split_app");
    assert_eq!(frags.len(), 3, "scale, add_points, log");
    assert!(frags.iter().all(|f| f.core_names.is_some()));

    let bytes = guest("split_app");
    let m = intertype::Module::from_binary(&bytes).unwrap();
    m.validate().unwrap();
    let exports: Vec<&str> = m.booklet.exports.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(exports.len(), 2);
    assert!(exports.contains(&"scale") && exports.contains(&"add_points"));
    assert_eq!(m.booklet.imports.len(), 1);
    assert_eq!(m.booklet.implements.len(), 1);
    // `point` is used by both crates' functions and defined once.
    let points = m
        .booklet
        .type_names
        .values()
        .filter(|n| *n == "point")
        .count();
    assert_eq!(points, 1);

    let module = Module::new(&Engine::default(), &bytes).unwrap();
    let mut linker = Linker::new(module.engine());
    linker.func_wrap("host", "log", |(_,): (String,)| Ok(()));
    let mut i = linker.instantiate(&module).unwrap();
    let p = |x, y| Value::Record(vec![Value::S32(x), Value::S32(y)]);
    assert_eq!(
        i.call("add_points", &[p(1, 2), p(10, 20)]).unwrap(),
        vec![p(11, 22)]
    );
    assert_eq!(
        i.call("scale", &[p(1, -2), Value::S32(3)]).unwrap(),
        vec![p(3, -6)]
    );
}

/// Without LTO the fragments come from separate object files (two crates,
/// several codegen units) and only the linker puts them together.
#[test]
fn two_crates_without_lto() {
    let bytes = intertype_guest_tests::split_app_unoptimized();
    let m = intertype::Module::from_binary(&bytes).unwrap();
    m.validate().unwrap();
    assert_eq!(m.booklet.exports.len(), 2);
    let module = Module::new(&Engine::default(), &bytes).unwrap();
    let mut linker = Linker::new(module.engine());
    linker.func_wrap("host", "log", |(_,): (String,)| Ok(()));
    let mut i = linker.instantiate(&module).unwrap();
    let p = |x, y| Value::Record(vec![Value::S32(x), Value::S32(y)]);
    assert_eq!(
        i.call("scale", &[p(2, 3), Value::S32(-1)]).unwrap(),
        vec![p(-2, -3)]
    );
}

/// Each export is one fragment; the section is their concatenation.
#[test]
fn one_fragment_per_function() {
    assert_eq!(fragments("greeting").len(), 1);
    assert_eq!(fragments("markdown").len(), 1);
    // contacts: 5 exports + 2 imports
    assert_eq!(fragments("contacts").len(), 7);
    let echo = fragments("echo");
    let exports = intertype::Module::from_binary(&guest("echo"))
        .unwrap()
        .booklet
        .exports
        .len();
    assert_eq!(echo.len(), exports);
}

/// Documentation comments reach the booklet.
#[test]
fn docs_are_carried() {
    let m = intertype::Module::from_binary(&guest("contacts")).unwrap();
    let doc_of = |name: &str| {
        let func = m
            .booklet
            .exports
            .iter()
            .find(|e| e.name == name)
            .unwrap()
            .func;
        m.booklet.docs.get(&func).cloned()
    };
    assert_eq!(
        doc_of("add").as_deref(),
        Some("Adds a contact; returns its id.")
    );
    let log = m
        .booklet
        .imports
        .iter()
        .position(|i| i.name == "log")
        .unwrap() as u32;
    assert_eq!(
        m.booklet.docs.get(&log).map(String::as_str),
        Some("Writes a line to the host's log.")
    );
}
