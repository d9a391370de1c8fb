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

/// Two exporters: the importer greets through both; a trap in the second
/// names side 2.
#[test]
fn two_exporters_and_the_fault_names_the_second() {
    let a = intertype::parse_str(
        r#"(module
  (import "lib" "greet_" (func $g1_ (param i32 i32) (result i32 i32)))
  (import "lib2" "greet_" (func $g2_ (param i32 i32) (result i32 i32)))
  (memory (export "memory") 1)
  (global $heap (mut i32) (i32.const 1024))
  (func $malloc (export "malloc") (param $size i32) (result i32)
    (local $p i32)
    (local.set $p (global.get $heap))
    (global.set $heap (i32.add (local.get $p) (local.get $size)))
    (local.get $p))
  (func (export "run") (param i32 i32) (result i32 i32) local.get 0 local.get 1 call $g1_)
  (func (export "run2") (param i32 i32) (result i32 i32) local.get 0 local.get 1 call $g2_)
  (@interface import "lib" "greet" (func $g1 (param string) (result string)))
  (@interface import "lib2" "greet" (func $g2 (param string) (result string)))
  (@interface implement (import "lib" "greet_") (param i32 i32) (result i32 i32)
    arg.get 0 arg.get 1 memory-to-string call-adapter $g1 string-to-memory $malloc)
  (@interface implement (import "lib2" "greet_") (param i32 i32) (result i32 i32)
    arg.get 0 arg.get 1 memory-to-string call-adapter $g2 string-to-memory $malloc))"#,
        None,
    )
    .unwrap();
    let good = fixture("greet-utf16.wat");
    let bad = intertype::parse_str(
        r#"(module (memory (export "memory") 1)
  (data (i32.const 16) "\ff")
  (func $malloc (export "malloc") (param i32 i32) (result i32) i32.const 64)
  (func $greet_ (export "greet_") (param i32 i32) (result i32 i32) i32.const 16 i32.const 1)
  (@interface func (export "greet") (param string) (result string)
    arg.get 0 string-to-memory $malloc latin1 call-core $greet_ memory-to-string))"#,
        None,
    )
    .unwrap();
    let mut linked = Linked::new_many(&a, &[("lib", &good), ("lib2", &bad)]);
    assert_eq!(greet_fused(&mut linked, "Ada"), "Hello, Ada");
    let got = linked.call("run2", &[100, 3]);
    assert_eq!(
        got.err(),
        Some(Some(intertype_adapt::Fault::new(
            2,
            intertype_adapt::FaultKind::InvalidEncoding
        )))
    );
    let modules: std::collections::BTreeSet<&str> = linked
        .adapters
        .imports
        .iter()
        .map(|i| i.module.as_str())
        .collect();
    assert_eq!(
        modules.into_iter().collect::<Vec<_>>(),
        ["exporter:lib", "exporter:lib2", "importer"]
    );
}
