//! `examples/polyglot`: the Rust guest linked to the hand-written UTF-16
//! module `text.wat` — from a Rust host (fused and through host values) and
//! from the CLI.

use crate::examples::{run, wasm};
use intertype_guest_tests::{guest, root};
use intertype_runtime::{Engine, LinkKind, Linker, Module, Value};

fn text_wat() -> std::path::PathBuf {
    root().join("examples/polyglot/text.wat")
}

fn names(ns: &[&str]) -> Value {
    Value::List(ns.iter().map(|n| Value::String(n.to_string())).collect())
}

#[test]
fn the_rust_guest_calls_the_utf16_module_fused_and_unfused() {
    let engine = Engine::default();
    let app = Module::new(&engine, &guest("polyglot")).unwrap();
    let text = Module::from_file(&engine, &text_wat()).unwrap();
    for fuse in [true, false] {
        let mut linker = Linker::new(&engine);
        linker.module("text", &text).unwrap();
        linker.fuse_links(fuse);
        let report = linker.link_report(&app).unwrap();
        assert_eq!(report.len(), 2, "{report:?}");
        for r in &report {
            assert_eq!(matches!(r.kind, LinkKind::Fused { .. }), fuse, "{report:?}");
        }
        let mut inst = linker.instantiate(&app).unwrap();
        let out = inst
            .call("welcome", &[names(&["Zoë", "🦀", "Lin"])])
            .unwrap();
        assert_eq!(
            out,
            vec![Value::String(
                "Hello, Zoë; Hello, 🦀; Hello, Lin (3 names, 8 UTF-16 units)".into()
            )]
        );
        let long = "é".repeat(3000);
        let out = inst.call("welcome", &[names(&[&long])]).unwrap();
        assert_eq!(
            out,
            vec![Value::String(format!(
                "Hello, {long} (1 names, 3000 UTF-16 units)"
            ))]
        );
    }
}

#[test]
fn the_polyglot_pair_runs_from_the_cli() {
    let link = format!("text={}", text_wat().display());
    let out = run(&[
        "run",
        &wasm("polyglot"),
        "--link",
        &link,
        r#"welcome(["Ada", "𝄞"])"#,
    ]);
    assert_eq!(out, "\"Hello, Ada; Hello, 𝄞 (2 names, 5 UTF-16 units)\"\n");
    let out = run(&["inspect", &wasm("polyglot"), "--link", &link]);
    assert!(
        out.contains(r#""text" "greet" <- module "text", fused"#),
        "{out}"
    );
    assert!(
        out.contains(r#""text" "measure" <- module "text", fused"#),
        "{out}"
    );
}
