//! Hostile guests: every misbehaviour traps with the code naming the kind
//! and the module at fault, the importer's memory is untouched, and the
//! deferred frees reached run exactly once. Also links that cannot work
//! (errors) and links that cannot be fused (reasons).

use crate::harness::{echo_exporter_with, echo_importer_with, Linked, MALLOC};
use intertype_adapt::{Error, Fault, FaultKind, NotFusable, Outcome};

/// An allocator that returns `ptr` whatever it is asked.
fn bad_malloc(ptr: u32) -> String {
    format!(r#"(func $malloc (export "malloc") (param i32 i32) (result i32) i32.const {ptr})"#)
}

/// A core `echo_` that writes `init` (WAT instructions) and returns `ret`.
fn returns(init: &str, ret: i64) -> String {
    format!(r#"(func $echo_ (export "echo_") (param i32) (result i32) {init} i32.const {ret})"#)
}

struct Case {
    ty: &'static str,
    defs: &'static str,
    b_enc: &'static str,
    b_core: String,
    a_malloc: String,
    b_malloc: String,
    /// The argument's bytes at 3008 in A (and a string's bytes at 3000).
    arg: Vec<(usize, Vec<u8>)>,
    want: Fault,
    frees: i32,
}

impl Case {
    fn new(ty: &'static str, b_core: String, want: Fault) -> Case {
        Case {
            ty,
            defs: "",
            b_enc: "utf8",
            b_core,
            a_malloc: MALLOC.to_string(),
            b_malloc: MALLOC.to_string(),
            // A string "hi" at 3000, its (ptr, len) at 3008.
            arg: vec![
                (3000, b"hi".to_vec()),
                (3008, [3000u32.to_le_bytes(), 2u32.to_le_bytes()].concat()),
            ],
            want,
            frees: 1,
        }
    }

    fn run(self, what: &str) {
        let a = echo_importer_with(self.defs, self.ty, "utf8", &self.a_malloc);
        let b = echo_exporter_with(
            self.defs,
            self.ty,
            self.b_enc,
            Some(&self.b_core),
            &self.b_malloc,
        );
        let mut l = Linked::new(&a, &b);
        let mut image = l.memory(0);
        for (at, bytes) in &self.arg {
            image[*at..at + bytes.len()].copy_from_slice(bytes);
        }
        l.set_memory(0, &image);
        let got = l.call("run", &[3008]);
        assert_eq!(got.err(), Some(Some(self.want)), "{what}");
        assert!(
            l.memory(0) == image,
            "{what}: the importer's memory changed"
        );
        assert_eq!(l.global(1, "frees"), self.frees, "{what}: frees");
    }
}

const B: u32 = 1;

fn fault(side: u32, kind: FaultKind) -> Fault {
    Fault::new(side, kind)
}

#[test]
fn exporter_returns_a_string_out_of_bounds() {
    let core = returns(
        "(i32.store (i32.const 1000) (i32.const 0xfff00000)) (i32.store (i32.const 1004) (i32.const 10))",
        1000,
    );
    Case::new("string", core, fault(B, FaultKind::OutOfBounds)).run("string out of bounds");
}

#[test]
fn exporter_returns_invalid_utf8() {
    let core = returns(
        "(i32.store (i32.const 2000) (i32.const 0x00fe41ff)) \
         (i32.store (i32.const 1000) (i32.const 2000)) (i32.store (i32.const 1004) (i32.const 3))",
        1000,
    );
    Case::new("string", core, fault(B, FaultKind::InvalidEncoding)).run("invalid UTF-8");
}

#[test]
fn exporter_returns_a_lone_surrogate_in_utf16() {
    let core = returns(
        "(i32.store (i32.const 2000) (i32.const 0xd8000041)) \
         (i32.store (i32.const 1000) (i32.const 2000)) (i32.store (i32.const 1004) (i32.const 2))",
        1000,
    );
    let mut c = Case::new("string", core, fault(B, FaultKind::InvalidEncoding));
    c.b_enc = "utf16";
    c.run("lone surrogate");
}

#[test]
fn exporter_returns_a_misaligned_utf16_string() {
    let core = returns(
        "(i32.store (i32.const 1000) (i32.const 2001)) (i32.store (i32.const 1004) (i32.const 1))",
        1000,
    );
    let mut c = Case::new("string", core, fault(B, FaultKind::Misaligned));
    c.b_enc = "utf16";
    c.run("misaligned UTF-16");
}

#[test]
fn exporter_returns_a_misaligned_return_area() {
    Case::new("string", returns("", 1001), fault(B, FaultKind::Misaligned)).run("misaligned area");
}

#[test]
fn exporter_returns_a_return_area_out_of_bounds() {
    Case::new("string", returns("", -16), fault(B, FaultKind::OutOfBounds))
        .run("area out of bounds");
}

#[test]
fn exporter_returns_a_bad_discriminant() {
    let core = returns("(i32.store8 (i32.const 1000) (i32.const 7))", 1000);
    let mut c = Case::new("$o", core, fault(B, FaultKind::InvalidValue));
    c.defs = "(@interface type $o (option string))";
    c.arg = vec![(3008, vec![0])];
    c.run("discriminant");
}

#[test]
fn exporter_returns_a_surrogate_char() {
    let core = returns("(i32.store (i32.const 1000) (i32.const 0xd800))", 1000);
    let mut c = Case::new("char", core, fault(B, FaultKind::InvalidValue));
    c.arg = vec![(3008, 97u32.to_le_bytes().to_vec())];
    c.run("char");
}

#[test]
fn exporter_sets_flags_past_the_last() {
    let core = returns("(i32.store8 (i32.const 1000) (i32.const 0xff))", 1000);
    let mut c = Case::new("$f", core, fault(B, FaultKind::InvalidValue));
    c.defs = r#"(@interface type $f (flags "r" "w" "x"))"#;
    c.arg = vec![(3008, vec![5])];
    c.run("flags");
}

#[test]
fn a_bad_second_string_is_refused_before_the_importer_allocates() {
    // Two strings: the first valid, the second not. The importer's
    // allocator would run for the record first; validation comes before.
    let core = returns(
        "(i32.store (i32.const 2000) (i32.const 0x00ff6968)) \
         (i32.store (i32.const 1000) (i32.const 2000)) (i32.store (i32.const 1004) (i32.const 2)) \
         (i32.store (i32.const 1008) (i32.const 2002)) (i32.store (i32.const 1012) (i32.const 1))",
        1000,
    );
    let mut c = Case::new("$p", core, fault(B, FaultKind::InvalidEncoding));
    c.defs = "(@interface type $p (tuple string string))";
    c.arg = vec![
        (3000, b"hi".to_vec()),
        (
            3008,
            [3000u32, 2, 3000, 2]
                .iter()
                .flat_map(|x| x.to_le_bytes())
                .collect(),
        ),
    ];
    c.run("second string");
}

#[test]
fn exporter_traps_in_its_core_code() {
    let core = r#"(func $echo_ (export "echo_") (param i32) (result i32) unreachable)"#.to_string();
    let mut c = Case::new("string", core, fault(B, FaultKind::CoreTrap));
    // The deferred free comes after the call: not reached.
    c.frees = 0;
    c.run("trap in the exporter");
}

#[test]
fn exporter_allocator_returns_garbage() {
    let mut c = Case::new(
        "string",
        returns("", 1000),
        fault(B, FaultKind::BadAllocation),
    );
    c.b_malloc = format!(
        "{}\n(func $malloc1 (export \"malloc1\") (param i32) (result i32) i32.const 0)",
        bad_malloc(0xffff_fff0)
    );
    c.frees = 0;
    c.run("exporter allocator");
}

#[test]
fn importer_allocator_returns_garbage() {
    // B echoes the argument; lowering the result into A calls A's allocator.
    let core = r#"(func $echo_ (export "echo_") (param i32) (result i32) local.get 0)"#.to_string();
    let mut c = Case::new("string", core, fault(0, FaultKind::BadAllocation));
    c.a_malloc = bad_malloc(0xffff_fff0);
    c.run("importer allocator");
}

#[test]
fn importer_allocator_returns_a_misaligned_pointer() {
    let core = r#"(func $echo_ (export "echo_") (param i32) (result i32) local.get 0)"#.to_string();
    let mut c = Case::new("string", core, fault(0, FaultKind::BadAllocation));
    c.a_malloc = bad_malloc(3);
    c.run("importer allocator alignment");
}

#[test]
fn trap_codes_round_trip() {
    for kind in FaultKind::ALL {
        for side in [0, 1, 7] {
            let f = Fault::new(side, kind);
            assert_eq!(Fault::from_code(f.code()), Some(f));
        }
    }
    assert_eq!(Fault::from_code(0), None);
    assert_eq!(Fault::new(1, FaultKind::OutOfBounds).code(), 0x101);
}

#[test]
fn missing_and_ill_typed_links_are_errors_naming_both_sides() {
    let a = crate::polyglot::fixture("greet-app.wat");
    let wrong = intertype::parse_str(
        r#"(module (func (export "f") (param i32) (result i32) local.get 0)
           (@interface func (export "greet") (param s32) (result s32) arg.get 0 s32-to-i32 call-core 0 i32-to-s32))"#,
        None,
    )
    .unwrap();
    let e = intertype_adapt::compile(&a, &[("lib", &wrong)]).unwrap_err();
    assert!(matches!(e, Error::TypeMismatch { .. }), "{e}");
    let msg = e.to_string();
    assert!(
        msg.contains("the importer") && msg.contains("exporter \"lib\"") && msg.contains("greet"),
        "{msg}"
    );
    let none =
        intertype::parse_str(r#"(module (@interface func (export "other")))"#, None).unwrap();
    let e = intertype_adapt::compile(&a, &[("lib", &none)]).unwrap_err();
    assert!(matches!(e, Error::MissingExport { .. }), "{e}");
    assert!(e.to_string().contains("does not export"), "{e}");
    let e = intertype_adapt::compile(b"\0asm\x01\0\0\0garbage", &[]).unwrap_err();
    assert!(matches!(e, Error::Invalid { .. }), "{e}");
}

#[test]
fn a_link_that_also_calls_the_host_is_not_fusable() {
    let a = intertype::parse_str(
        r#"(module
          (import "lib" "greet_" (func $greet_ (param i32 i32)))
          (memory (export "memory") 1)
          (@interface import "lib" "greet" (func $greet (param string) (result string)))
          (@interface import "host" "log" (func $log (param string)))
          (@interface implement (import "lib" "greet_") (param i32 i32)
            arg.get 0 arg.get 1 memory-to-string
            call-adapter $greet
            call-adapter $log))"#,
        None,
    )
    .unwrap();
    let b = crate::polyglot::fixture("greet-utf16.wat");
    let out = intertype_adapt::compile(&a, &[("lib", &b)]).unwrap();
    assert_eq!(out.links.len(), 1);
    match &out.links[0].outcome {
        Outcome::NotFusable(NotFusable::UnlinkedCall {
            side: 0,
            module,
            name,
        }) => {
            assert_eq!((module.as_str(), name.as_str()), ("host", "log"));
        }
        other => panic!("{other:?}"),
    }
    // Nothing of the failed attempt is left in the module.
    assert!(out.imports.is_empty(), "{:?}", out.imports);
    wasmparser::Validator::new()
        .validate_all(&out.module)
        .unwrap();
}

#[test]
fn a_type_whose_copy_would_be_huge_is_refused() {
    // Records of 30 records of 30 … of `char`s: 30^5 checked copies.
    let mut defs = String::from("(@interface type $r0 (record");
    for i in 0..30 {
        defs += &format!(" (field \"f{i}\" char)");
    }
    defs += "))";
    for level in 1..5 {
        defs += &format!("\n(@interface type $r{level} (record");
        for i in 0..30 {
            defs += &format!(" (field \"f{i}\" $r{})", level - 1);
        }
        defs += "))";
    }
    let a = crate::harness::echo_importer(&defs, "$r4", "utf8");
    let b = crate::harness::echo_exporter(&defs, "$r4", "utf8", None);
    // The validator's bound on expanded types (10 000 nodes) refuses it
    // before any code is generated; the compiler's own code budget
    // (`NotFusable::TooLarge`) stays as a second line behind it.
    let message = match intertype_adapt::compile(&a, &[("lib", &b)]) {
        Err(e) => e.to_string(),
        Ok(out) => panic!("compiled: {:?}", out.links[0].outcome),
    };
    assert!(message.contains("expands to"), "{message}");
}

#[test]
fn importer_passes_invalid_utf8_and_the_exporter_is_never_entered() {
    let a = crate::harness::echo_importer("(@interface type $p (tuple u8 string))", "$p", "utf8");
    let b =
        crate::harness::echo_exporter("(@interface type $p (tuple u8 string))", "$p", "utf8", None);
    let mut l = Linked::new(&a, &b);
    let mut image = l.memory(0);
    image[3000..3002].copy_from_slice(&[0xc3, 0x28]);
    let arg: Vec<u8> = [7u32, 3000, 2]
        .iter()
        .flat_map(|x| x.to_le_bytes())
        .collect();
    image[3008..3020].copy_from_slice(&arg);
    l.set_memory(0, &image);
    let b_before = l.memory(1);
    let got = l.call("run", &[3008]);
    assert_eq!(got.err(), Some(Some(fault(0, FaultKind::InvalidEncoding))));
    assert!(l.memory(1) == b_before, "the exporter's memory changed");
    assert!(l.memory(0) == image, "the importer's memory changed");
    assert_eq!(l.global(1, "frees"), 0);
}

/// Every module of the shared corpus, as importer, linked to every module
/// as exporter under each of its import module names: an adapter module
/// that validates, or an error; never a panic.
#[test]
fn corpus_pairs_compile_or_fail_cleanly() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/corpus");
    let mut modules = Vec::new();
    for dir in ["article", "reference", "extension"] {
        for e in std::fs::read_dir(root.join(dir)).unwrap() {
            let path = e.unwrap().path();
            if path.extension().is_some_and(|x| x == "wat") {
                modules.push(intertype::parse_file(&path).unwrap());
            }
        }
    }
    modules.push(crate::polyglot::fixture("greet-utf16.wat"));
    modules.push(crate::polyglot::fixture("greet-app.wat"));
    let (mut compiled, mut refused) = (0, 0);
    for a in &modules {
        let m = intertype::Module::from_binary(a).unwrap();
        let names: std::collections::BTreeSet<&str> = m
            .booklet
            .imports
            .iter()
            .map(|i| i.module.as_str())
            .collect();
        for name in names {
            for b in &modules {
                match intertype_adapt::compile(a, &[(name, b)]) {
                    Ok(out) => {
                        wasmparser::Validator::new()
                            .validate_all(&out.module)
                            .unwrap();
                        wasmparser::Validator::new()
                            .validate_all(&out.shim)
                            .unwrap();
                        compiled += 1;
                    }
                    Err(_) => refused += 1,
                }
            }
        }
    }
    assert!(
        compiled > 0 && refused > 0,
        "{compiled} compiled, {refused} refused"
    );
}

#[test]
fn exporter_returns_invalid_utf8_after_a_long_ascii_run() {
    // Past the 64-byte and 8-byte ASCII fast paths.
    for (ascii, bad) in [(150, 0xff), (64, 0x80), (71, 0xc3)] {
        let core = returns(
            &format!(
                "(memory.fill (i32.const 2000) (i32.const 97) (i32.const {ascii})) \
                 (i32.store8 (i32.const {}) (i32.const {bad})) \
                 (i32.store (i32.const 1000) (i32.const 2000)) (i32.store (i32.const 1004) (i32.const {}))",
                2000 + ascii,
                ascii + 1
            ),
            1000,
        );
        Case::new("string", core, fault(B, FaultKind::InvalidEncoding)).run("long invalid UTF-8");
    }
}

#[test]
fn a_latin1_exporter_cannot_take_a_cat() {
    let mut c = Case::new(
        "string",
        returns("", 1000),
        fault(B, FaultKind::Unrepresentable),
    );
    c.b_enc = "latin1";
    let cat = "猫".as_bytes().to_vec();
    c.arg = vec![
        (3000, cat.clone()),
        (
            3008,
            [3000u32, cat.len() as u32]
                .iter()
                .flat_map(|x| x.to_le_bytes())
                .collect(),
        ),
    ];
    c.frees = 0;
    c.run("Latin-1");
}
