//! The polyglot pair: a UTF-8 importer calling a hand-written module that
//! keeps strings in UTF-16, through the reference string instructions.

use crate::harness::{Linked, Unfused};
use intertype_runtime::Value;
use std::path::Path;

pub fn fixture(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    intertype::parse_file(&path).unwrap_or_else(|e| panic!("{e}"))
}

fn greet_fused(linked: &mut Linked, name: &str) -> String {
    let at = 100;
    let mut image = linked.memory(0);
    image[at..at + name.len()].copy_from_slice(name.as_bytes());
    linked.set_memory(0, &image);
    let r = linked
        .call("run", &[at as i32, name.len() as i32])
        .unwrap_or_else(|f| panic!("trapped: {f:?}"));
    let (p, l) = (r[0].unwrap_i32() as usize, r[1].unwrap_i32() as usize);
    let image = linked.memory(0);
    String::from_utf8(image[p..p + l].to_vec()).expect("UTF-8 in the importer")
}

#[test]
fn utf8_importer_greets_through_a_utf16_exporter() {
    let (a, b) = (fixture("greet-app.wat"), fixture("greet-utf16.wat"));
    let mut linked = Linked::new(&a, &b);
    let long_mixed = format!("{}é{}🦀{}", "a".repeat(100), "b".repeat(70), "c".repeat(64));
    for name in [
        "Lin",
        "",
        "Zoë",
        "猫",
        "🦀 and 𝄞",
        &"x".repeat(5000),
        &long_mixed,
    ] {
        assert_eq!(greet_fused(&mut linked, name), format!("Hello, {name}"));
    }
    // The transcoding helpers the strings needed, and nothing more.
    let text = crate::harness::print(&linked.adapters.module);
    assert!(
        text.contains("transcode utf8 in memory 0 to utf16 in memory 1"),
        "{text}"
    );
    assert!(
        text.contains("transcode utf16 in memory 1 to utf8 in memory 0"),
        "{text}"
    );
}

#[test]
fn the_engine_agrees_on_the_polyglot_pair() {
    let (a, b) = (fixture("greet-app.wat"), fixture("greet-utf16.wat"));
    let unfused = Unfused::new_with(&a, &b, "greet");
    let mut linked = Linked::new(&a, &b);
    let name = "naïve 🦀";
    // The engine: put the name into the importer's memory through its own
    // allocator by calling the greet adapter path with host values.
    let fused = greet_fused(&mut linked, name);
    let engine = unfused
        .b
        .lock()
        .unwrap()
        .call("greet", &[Value::String(name.into())])
        .unwrap();
    assert_eq!(engine, vec![Value::String(fused)]);
}
