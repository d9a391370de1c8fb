//! Validation end to end: text → binary → `validate_module`, on the corpus,
//! on small modules with exact messages, and the places where we deliberately
//! differ from the 2019 reference validator (each pinned with both verdicts).

use intertype::layout::{self, Layout};
use intertype::{CoreType, ErrorKind, ValType};
use std::path::{Path, PathBuf};

fn corpus(dir: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/corpus")
        .join(dir);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "wat"))
        .collect();
    files.sort();
    files
}

/// Our verdict on a module text.
fn ours(text: &str) -> Result<(), intertype::Error> {
    let bytes = intertype::parse_str(text, None).unwrap_or_else(|e| panic!("parse: {e}\n{text}"));
    intertype::validate_module(&bytes).map(|_| ())
}

/// The reference validator's verdict on a module text.
fn theirs(text: &str) -> Result<(), String> {
    let bytes = wit_text::parse_str(text).unwrap_or_else(|e| panic!("wit-text: {e}\n{text}"));
    wit_validator::validate(&bytes).map_err(|e| format!("{e:#}"))
}

#[track_caller]
fn invalid(text: &str) -> intertype::Error {
    let e = ours(text).expect_err("expected a validation error");
    assert_eq!(e.kind(), ErrorKind::Validation, "{e}");
    e
}

#[test]
fn corpus_modules_are_valid() {
    for dir in ["article", "reference", "extension"] {
        for path in corpus(dir) {
            let text = std::fs::read_to_string(&path).unwrap();
            if let Err(e) = ours(&text) {
                panic!("{}: {e}", path.display());
            }
        }
    }
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/corpus/wasm-bindgen/markdown.wasm");
    intertype::validate_module(&std::fs::read(path).unwrap())
        .expect("wasm-bindgen's module is valid");
}

#[test]
fn invalid_corpus_messages() {
    let read = |name: &str| {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/corpus/reference/invalid")
            .join(name);
        std::fs::read_to_string(path).unwrap()
    };
    let e = invalid(&read("implement-signature-mismatch.wat"));
    assert_eq!(
        e.to_string(),
        "adapter func 1 (implements core func $log_): implement 0: the adapter has type [i32] -> [], \
         but core func $log_ (import \"\" \"log_\") has type [i32 i32] -> []; \
         an implementing adapter must have exactly the core import's type"
    );
    assert_eq!((e.func(), e.instr()), (Some(1), None));
    let e = invalid(&read("string-to-memory-bad-malloc.wat"));
    assert_eq!(
        e.to_string(),
        "adapter func 0 (export \"f\"): instruction 1 (string-to-memory $not_malloc): \
         malloc core func $not_malloc has type [i32 i32] -> [i32], expected [i32] -> [i32]"
    );
    assert_eq!((e.func(), e.instr()), (Some(0), Some(1)));
}

#[test]
fn extension_rules_from_text() {
    let module = |adapters: &str| {
        format!(
            r#"(module
              (memory (export "memory") 1)
              (func $malloc (param i32 i32) (result i32) i32.const 0)
              (func $id3_ (param i32 i32 i32) (result i32 i32 i32) local.get 0 local.get 1 local.get 2)
              (func $ref_ (param externref) (result externref) local.get 0)
              (@interface type $point (record (field "x" s32) (field "y" s32)))
              (@interface type $shape (variant (case "circle" f32) (case "rect" $point) (case "dot")))
              {adapters})"#
        )
    };
    // shape flattens to (disc, f32 ⊔ s32 = i32, s32).
    ours(&module(
        r#"(@interface func (export "area") (param $shape) (result $shape)
             arg.get 0 value.lower $shape $malloc call-core $id3_ value.lift $shape)"#,
    ))
    .unwrap();
    let e = invalid(&module(
        r#"(@interface func (export "area") (param $point) (result $shape)
             arg.get 0 value.lower $shape $malloc call-core $id3_ value.lift $shape)"#,
    ));
    assert!(
        e.message().contains(
            "instruction 1 (value.lower shape $malloc): expected shape on the stack, found point"
        ),
        "{e}"
    );
    let e = invalid(&module(
        r#"(@interface func (export "r") (param externref) (result i32)
             arg.get 0 value.store_new externref $malloc)"#,
    ));
    assert!(
        e.message()
            .contains("externref cannot be stored in linear memory: externref cannot be stored"),
        "{e}"
    );
    let e = invalid(&module(
        r#"(@interface func (export "r") (param $shape) arg.get 0 record.lower $shape)"#,
    ));
    assert!(
        e.message()
            .contains("instruction 1 (record.lower shape): record.lower needs a record or tuple type, found shape (a variant)"),
        "{e}"
    );
    let e = invalid(&module(
        r#"(@interface type $bad (variant (case "r" externref) (case "n" u32)))"#,
    ));
    assert!(
        e.message()
            .starts_with("type 2 (bad): variant { r(externref), n(u32) } has no flat form"),
        "{e}"
    );
}

#[test]
fn layout_of_corpus_types() {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/corpus/extension/shapes.wat");
    let bytes = intertype::parse_file(&path).unwrap();
    let module = intertype::validate_module(&bytes).unwrap();
    let types = &module.booklet.types;
    let named = |name: &str| {
        let (&i, _) = module
            .booklet
            .type_names
            .iter()
            .find(|(_, n)| *n == name)
            .expect(name);
        ValType::Type(i)
    };
    use CoreType::{F32, I32};
    assert_eq!(
        layout::layout(types, named("point")),
        Ok(Layout { size: 8, align: 4 })
    );
    assert_eq!(
        layout::flatten(types, named("shape")),
        Ok(vec![I32, I32, I32])
    );
    assert_eq!(
        layout::layout(types, named("shape")),
        Ok(Layout { size: 12, align: 4 })
    );
    assert_eq!(
        layout::variant_cases(types, named("shape")).map(|c| c.len()),
        Some(3)
    );
    assert_eq!(layout::flatten(types, named("color")), Ok(vec![I32]));
    assert_eq!(
        layout::layout(types, named("perms")),
        Ok(Layout { size: 1, align: 1 })
    );
    assert_eq!(layout::flatten(types, ValType::F32), Ok(vec![F32]));
    assert!(!layout::needs_memory(types, named("shape")));
}

// ---------------------------------------------------------------------------
// Deliberate differences from the reference validator (`wit-validator` 0.2.1).

/// The reference compares the *first* result with the top of the stack, so an
/// adapter that just forwards an import's `(result u8 string)` is rejected by
/// it. We require the stack to equal the results in order (docs/format.md).
#[test]
fn difference_results_in_order() {
    let forward = r#"(module
      (@interface import "host" "pair" (func $pair (result u8) (result string)))
      (@interface func (export "pair") (result u8) (result string) call-adapter $pair))"#;
    assert!(theirs(forward).is_err());
    ours(forward).unwrap();
    let reversed = r#"(module
      (@interface import "host" "pair" (func $pair (result u8) (result string)))
      (@interface func (export "pair") (result string) (result u8) call-adapter $pair))"#;
    theirs(reversed).unwrap();
    let e = invalid(reversed);
    assert!(
        e.message()
            .contains("(end): expected [string u8] on the stack, found [u8 string]"),
        "{e}"
    );
    // Results of one type: both agree.
    let same = r#"(module
      (func $two (result i32 i32) i32.const 0 i32.const 0)
      (@interface func (export "two") (result i32) (result i32) call-core $two))"#;
    theirs(same).unwrap();
    ours(same).unwrap();
}

/// The reference checks `defer-call-core`'s params with the *first* param on
/// top; docs/format.md puts the last one on top, as for every call.
#[test]
fn difference_defer_call_core_param_order() {
    let text = |order: &str| {
        format!(
            r#"(module
              (func $done (param i32 i64))
              (@interface func (export "f") (param i32) (param i64) {order} defer-call-core $done call-core $done))"#
        )
    };
    let natural = text("arg.get 0 arg.get 1");
    assert!(theirs(&natural).is_err());
    ours(&natural).unwrap();
    let flipped = text("arg.get 1 arg.get 0");
    let e = invalid(&flipped);
    assert!(
        e.message()
            .contains("expected [i32 i64] on top of the stack, found [i64 i32]"),
        "{e}"
    );
}

/// The reference lets an adapter call itself (and nothing defined after it);
/// we forbid recursion (docs/format.md §2) and allow calls in any order.
#[test]
fn difference_adapter_calls() {
    let recursive = r#"(module
      (@interface func $f (export "f") call-adapter $f))"#;
    theirs(recursive).unwrap();
    let e = invalid(recursive);
    assert_eq!(
        e.message(),
        "adapter func 0 (export \"f\"): instruction 0 (call-adapter 0): the adapter calls itself; \
         adapter calls may not be recursive"
    );
    let forward = r#"(module
      (@interface func $f (export "f") (result u8) call-adapter $g)
      (@interface func $g (result u8) call-adapter $h)
      (@interface func $h (import "host" "h") (result u8)))"#;
    // $h is an import (index 0); $f (1) calls $g (2), defined after it.
    assert!(theirs(forward).is_err());
    ours(forward).unwrap();
    let cycle = r#"(module
      (@interface func $f (export "f") call-adapter $g)
      (@interface func $g call-adapter $f))"#;
    let e = invalid(cycle);
    assert!(
        e.message().contains(
            "adapter calls form a cycle: adapter func 0 -> adapter func 1 -> adapter func 0"
        ),
        "{e}"
    );
}

/// The reference lets two `implement`s claim one core import.
#[test]
fn difference_import_implemented_once() {
    let text = r#"(module
      (import "env" "n_" (func $n_ (result i32)))
      (@interface func $a (result i32) call-core $n_)
      (@interface func $b (result i32) call-core $n_)
      (@interface implement (func $n_) (func $a))
      (@interface implement (func $n_) (func $b)))"#;
    theirs(text).unwrap();
    let e = invalid(text);
    assert!(
        e.message()
            .contains("is already implemented by implement 0"),
        "{e}"
    );
}

/// Rules we share with the reference, on small modules: both reject.
#[test]
fn shared_rejections() {
    let cases = [
        // arg.get out of range
        r#"(module (@interface func (export "f") (param u8) arg.get 1))"#,
        // left-over value
        r#"(module (@interface func (export "f") (param u8) arg.get 0))"#,
        // call-core on a type adapters cannot handle
        r#"(module (func $v (param v128)) (@interface func (export "f") call-core $v))"#,
        // memory out of range
        r#"(module (func $p (result i32 i32) i32.const 0 i32.const 0)
           (@interface func (export "f") (result string) call-core $p memory-to-string))"#,
        // deferred call returning a value
        r#"(module (func $r (result i32) i32.const 0)
           (@interface func (export "f") defer-call-core $r))"#,
        // implement of a defined (not imported) core function
        r#"(module (func $d)
           (@interface func $a)
           (@interface implement (func $d) (func $a)))"#,
        // duplicate export
        r#"(module (@interface func (export "f")) (@interface export "f" (func 0)))"#,
        // s32 is not i32
        r#"(module (func $t (param i32)) (@interface func (export "f") (param s32) arg.get 0 call-core $t))"#,
    ];
    for text in cases {
        assert!(theirs(text).is_err(), "reference accepts:\n{text}");
        invalid(text);
    }
}
