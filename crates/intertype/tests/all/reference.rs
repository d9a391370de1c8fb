//! Differential tests against the 2019 reference implementation
//! (`wit-text` 0.8, `wit-writer` 0.2, `wit-parser` 0.2, `wit-validator` 0.2,
//! `wit-printer` 0.2): for reference-subset modules our section payload equals
//! theirs, we decode what they write, they decode what we write, and both
//! validators accept and reject the same modules.

use intertype::{Booklet, Conversion, Module, ValType};
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
    assert!(!files.is_empty(), "no .wat files in {}", dir.display());
    files
}

/// The payload of the module's interface section.
fn payload(module: &[u8]) -> Vec<u8> {
    let m = intertype::core::CoreModule::parse(module).expect("core module");
    assert_eq!(
        m.interface_sections.len(),
        1,
        "expected one interface section"
    );
    module[m.interface_sections[0].payload.clone()].to_vec()
}

/// Decodes a payload with the reference parser, checking every item parses.
fn reference_decodes(payload: &[u8]) -> Result<(), String> {
    let mut parser = wit_parser_ref::Parser::new(0, payload).map_err(|e| e.to_string())?;
    while !parser.is_empty() {
        match parser.section().map_err(|e| e.to_string())? {
            wit_parser_ref::Section::Type(s) => {
                for t in s {
                    t.map_err(|e| e.to_string())?;
                }
            }
            wit_parser_ref::Section::Import(s) => {
                for t in s {
                    t.map_err(|e| e.to_string())?;
                }
            }
            wit_parser_ref::Section::Func(s) => {
                for f in s {
                    for i in f.map_err(|e| e.to_string())?.instrs() {
                        i.map_err(|e| e.to_string())?;
                    }
                }
            }
            wit_parser_ref::Section::Export(s) => {
                for t in s {
                    t.map_err(|e| e.to_string())?;
                }
            }
            wit_parser_ref::Section::Implement(s) => {
                for t in s {
                    t.map_err(|e| e.to_string())?;
                }
            }
        }
    }
    Ok(())
}

/// Everything we can compare for one reference-spelling module text.
fn check_against_reference(name: &str, text: &str) {
    let theirs = wit_text::parse_str(text).unwrap_or_else(|e| panic!("{name}: wit-text: {e}"));
    let ours = intertype::parse_str(text, None).unwrap_or_else(|e| panic!("{name}: ours: {e}"));
    let (their_payload, our_payload) = (payload(&theirs), payload(&ours));
    assert_eq!(
        our_payload, their_payload,
        "{name}: section payloads differ"
    );

    // We read theirs; they read ours.
    let booklet = Booklet::decode(&their_payload, 0).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(
        booklet.encode(),
        their_payload,
        "{name}: decode/encode round trip"
    );
    reference_decodes(&our_payload).unwrap_or_else(|e| panic!("{name}: reference parser: {e}"));

    // Both validators agree.
    let their_verdict = wit_validator::validate(&theirs).map_err(|e| format!("{e:#}"));
    let our_verdict = intertype::validate_module(&ours)
        .map(|_| ())
        .map_err(|e| e.to_string());
    assert_eq!(
        their_verdict.is_ok(),
        our_verdict.is_ok(),
        "{name}: validators disagree: reference {their_verdict:?}, ours {our_verdict:?}\n{text}"
    );

    // The reference printer's text parses with our parser to the same bytes,
    // and our printer's text parses with the reference parser to the same bytes.
    let printed =
        wit_printer::print_bytes(&theirs).unwrap_or_else(|e| panic!("{name}: wit-printer: {e}"));
    let reparsed = intertype::parse_str(&printed, None)
        .unwrap_or_else(|e| panic!("{name}: ours on wit-printer output: {e}\n{printed}"));
    assert_eq!(
        payload(&reparsed),
        their_payload,
        "{name}: wit-printer text re-parsed"
    );
    let ours_printed =
        intertype::print::print_module(&ours).unwrap_or_else(|e| panic!("{name}: print: {e}"));
    let reparsed = wit_text::parse_str(&ours_printed).unwrap_or_else(|e| {
        panic!("{name}: wit-text on our printer's output: {e}\n{ours_printed}")
    });
    assert_eq!(
        payload(&reparsed),
        their_payload,
        "{name}: our printed text, re-parsed by wit-text"
    );
}

#[test]
fn reference_corpus_matches_byte_for_byte() {
    for path in corpus("reference") {
        let text = std::fs::read_to_string(&path).unwrap();
        check_against_reference(&path.display().to_string(), &text);
    }
}

#[test]
fn reference_invalid_cases_are_rejected_by_both() {
    for path in corpus("reference/invalid") {
        let text = std::fs::read_to_string(&path).unwrap();
        let name = path.display().to_string();
        let theirs = wit_text::parse_str(&text).unwrap();
        assert!(
            wit_validator::validate(&theirs).is_err(),
            "{name}: reference accepts"
        );
        let ours = intertype::parse_str(&text, None).unwrap();
        assert_eq!(payload(&ours), payload(&theirs), "{name}");
        let err = intertype::validate_module(&ours).expect_err(&name);
        assert_eq!(
            err.kind(),
            intertype::ErrorKind::Validation,
            "{name}: {err}"
        );
    }
}

#[test]
fn wasm_bindgen_module_is_read_and_valid() {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/corpus/wasm-bindgen/markdown.wasm");
    let bytes = std::fs::read(path).unwrap();
    wit_validator::validate(&bytes).expect("reference accepts");
    let module = intertype::validate_module(&bytes).expect("we accept");
    let p = payload(&bytes);
    assert_eq!(p.len(), 44);
    assert_eq!(
        module.booklet.encode(),
        p,
        "re-encoding gives wasm-bindgen's bytes"
    );
    assert_eq!(module.booklet.exports[0].name, "render");
}

/// Reference-spelling modules beyond the shipped cases, each exercising one
/// ordering or sugar rule of wit-text.
const EXTRA: &[(&str, &str)] = &[
    (
        "explicit types, duplicates, and uses by $id",
        r#"(module
          (func $f (param i32) (result i32) local.get 0)
          (@interface type $a (func (param s32) (result s32)))
          (@interface type $b (func (param s32) (result s32)))
          (@interface type (func))
          (@interface func (type $b) arg.get 0 s32-to-i32 call-core $f i32-to-s32)
          (@interface func (param $x s32) (result s32) arg.get $x s32-to-i32 call-core $f i32-to-s32)
          (@interface func (export "e") (param u8) (result u16) arg.get 0 u8-to-i32 call-core $f i32-to-u16)
          (@interface export "first" (func 0))
          (@interface export "second" (func 1)))"#,
    ),
    (
        "imports by sugar and by item, interleaved with funcs",
        r#"(module
          (import "env" "log_" (func $log_ (param i32 i32)))
          (import "env" "n_" (func $n_ (result i32)))
          (memory $mem 1)
          (@interface func $ping (export "ping") (result u32) call-adapter $count)
          (@interface func $count (import "host" "count") (result u32))
          (@interface import "host" "log" (func $log (param string)))
          (@interface implement (import "env" "log_") (param $p i32) (param $l i32)
            arg.get $p arg.get $l memory-to-string $mem call-adapter $log)
          (@interface func $n (result i32) call-adapter $count u32-to-i32)
          (@interface implement (func $n_) (func $n)))"#,
    ),
    (
        "every value type in a signature",
        r#"(module
          (func $sink (param i32 i64 f32 f64 externref))
          (@interface func (export "all")
            (param s8) (param s16) (param s32) (param s64) (param u8) (param u16) (param u32)
            (param u64) (param f32) (param f64) (param string) (param externref) (param i32)
            (param i64)
            arg.get 12 arg.get 13 arg.get 8 arg.get 9 arg.get 11 call-core $sink))"#,
    ),
    (
        "inline export on an imported adapter",
        r#"(module
          (@interface func (export "id_again") (import "host" "id") (param string) (result string)))"#,
    ),
];

#[test]
fn extra_reference_modules_match() {
    for (name, text) in EXTRA {
        check_against_reference(name, text);
    }
}

/// A small deterministic generator (xorshift) of reference-subset modules:
/// random adapters over a fixed core module, biased toward well-typed code so
/// that both accepting and rejecting paths are exercised.
struct Gen(u64);

impl Gen {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

/// Core functions of the generated modules: (name, params, results).
const CORE: &[(&str, &[ValType], &[ValType])] = &[
    ("$malloc", &[ValType::I32], &[ValType::I32]),
    ("$free", &[ValType::I32, ValType::I32], &[]),
    ("$unit", &[], &[]),
    ("$i_i", &[ValType::I32], &[ValType::I32]),
    (
        "$ii_ii",
        &[ValType::I32, ValType::I32],
        &[ValType::I32, ValType::I32],
    ),
    ("$l_l", &[ValType::I64], &[ValType::I64]),
    ("$f_d", &[ValType::F32], &[ValType::F64]),
    ("$r_r", &[ValType::Externref], &[ValType::Externref]),
    ("$ii_i", &[ValType::I32, ValType::I32], &[ValType::I32]),
];

fn core_wat() -> String {
    let mut s = String::from("(module\n  (memory $mem 1)\n");
    for (name, params, results) in CORE {
        let p: Vec<_> = params
            .iter()
            .map(|t| format!("(param {})", core_kw(*t)))
            .collect();
        let r: Vec<_> = results
            .iter()
            .map(|t| format!("(result {})", core_kw(*t)))
            .collect();
        let body: Vec<_> = results.iter().map(|t| default_value(*t)).collect();
        s += &format!(
            "  (func {name} {} {} {})\n",
            p.join(" "),
            r.join(" "),
            body.join(" ")
        );
    }
    s
}

fn core_kw(t: ValType) -> &'static str {
    match t {
        ValType::Externref => "externref",
        other => other.keyword().unwrap(),
    }
}

fn default_value(t: ValType) -> &'static str {
    match t {
        ValType::I32 => "i32.const 0",
        ValType::I64 => "i64.const 0",
        ValType::F32 => "f32.const 0",
        ValType::F64 => "f64.const 0",
        _ => "ref.null extern",
    }
}

fn random_module(g: &mut Gen) -> String {
    let mut s = core_wat();
    let imports: Vec<(Vec<ValType>, Vec<ValType>)> = (0..g.below(3))
        .map(|_| {
            let params = (0..g.below(3))
                .map(|_| ValType::REFERENCE[g.below(14)])
                .collect();
            let results = (0..g.below(2))
                .map(|_| ValType::REFERENCE[g.below(14)])
                .collect();
            (params, results)
        })
        .collect();
    for (i, (params, results)) in imports.iter().enumerate() {
        s += &format!(
            "  (@interface import \"host\" \"i{i}\" (func {}))\n",
            sig(params, results)
        );
    }
    for f in 0..1 + g.below(3) {
        let params: Vec<ValType> = (0..g.below(4))
            .map(|_| ValType::REFERENCE[g.below(14)])
            .collect();
        let mut stack: Vec<ValType> = Vec::new();
        let mut body = Vec::new();
        for _ in 0..g.below(8) {
            let (text, effect) = random_instr(g, &params, &imports, &stack);
            body.push(text);
            if let Some((pops, pushes)) = effect {
                for _ in 0..pops {
                    stack.pop();
                }
                stack.extend(pushes);
            }
        }
        // The reference checks an adapter's results against the stack first
        // result on top (the reverse of the order values are pushed in; see
        // docs/format.md), so only stacks whose order does not matter are
        // offered as results.
        let order_free = stack.windows(2).all(|w| w[0] == w[1]);
        let results: Vec<ValType> = if order_free && g.chance(90) {
            stack.clone()
        } else {
            (0..g.below(2))
                .map(|_| ValType::REFERENCE[g.below(14)])
                .collect()
        };
        s += &format!(
            "  (@interface func (export \"f{f}\") {}\n    {})\n",
            sig(&params, &results),
            body.join("\n    ")
        );
    }
    s + ")\n"
}

fn sig(params: &[ValType], results: &[ValType]) -> String {
    let p: Vec<_> = params
        .iter()
        .map(|t| format!("(param {})", t.keyword().unwrap()))
        .collect();
    let r: Vec<_> = results
        .iter()
        .map(|t| format!("(result {})", t.keyword().unwrap()))
        .collect();
    format!("{} {}", p.join(" "), r.join(" "))
}

type Effect = Option<(usize, Vec<ValType>)>;

/// One instruction; mostly one that fits the simulated stack.
fn random_instr(
    g: &mut Gen,
    params: &[ValType],
    imports: &[(Vec<ValType>, Vec<ValType>)],
    stack: &[ValType],
) -> (String, Effect) {
    let top = stack.last().copied();
    let fits = |want: &[ValType]| stack.ends_with(want);
    for _ in 0..20 {
        let well_typed = g.chance(85);
        let pick = g.below(7);
        match pick {
            0 if !params.is_empty() || !well_typed => {
                let i = if well_typed {
                    g.below(params.len())
                } else {
                    params.len() + g.below(2)
                };
                return (format!("arg.get {i}"), params.get(i).map(|t| (0, vec![*t])));
            }
            1 => {
                let (name, p, r) = CORE[g.below(CORE.len())];
                if well_typed && !fits(p) {
                    continue;
                }
                return (format!("call-core {name}"), Some((p.len(), r.to_vec())));
            }
            2 if !well_typed || fits(&[ValType::I32, ValType::I32]) => {
                let mem = if well_typed || g.chance(50) {
                    "$mem"
                } else {
                    "1"
                };
                return (
                    format!("memory-to-string {mem}"),
                    Some((2, vec![ValType::String])),
                );
            }
            3 if !well_typed || top == Some(ValType::String) => {
                let malloc = if well_typed || g.chance(50) {
                    "$malloc"
                } else {
                    "$i_i"
                };
                let malloc = if well_typed {
                    malloc
                } else {
                    ["$ii_i", "$free", "$malloc"][g.below(3)]
                };
                return (
                    format!("string-to-memory {malloc} $mem"),
                    Some((1, vec![ValType::I32, ValType::I32])),
                );
            }
            4 if !imports.is_empty() => {
                let i = g.below(imports.len());
                let (p, r) = &imports[i];
                if well_typed && !fits(p) {
                    continue;
                }
                return (format!("call-adapter {i}"), Some((p.len(), r.clone())));
            }
            5 if !well_typed || fits(&[ValType::I32, ValType::I32]) => {
                // `$free` has two params of one type: the reference checks
                // `defer-call-core` params in an order that only agrees with
                // ours for such callees.
                return ("defer-call-core $free".into(), Some((0, vec![])));
            }
            6 => {
                let c = Conversion::ALL[g.below(Conversion::ALL.len())];
                if !c.is_reference() || (well_typed && top != Some(c.from())) {
                    continue;
                }
                return (c.name().to_string(), Some((1, vec![c.to()])));
            }
            _ => {}
        }
    }
    ("call-core $unit".into(), Some((0, vec![])))
}

#[test]
fn generated_modules_agree_with_reference() {
    let mut g = Gen(0x9e37_79b9_7f4a_7c15);
    let (mut valid, mut invalid) = (0, 0);
    for _ in 0..1500 {
        let text = random_module(&mut g);
        let theirs = wit_text::parse_str(&text).unwrap_or_else(|e| panic!("wit-text: {e}\n{text}"));
        let ours =
            intertype::parse_str(&text, None).unwrap_or_else(|e| panic!("ours: {e}\n{text}"));
        assert_eq!(payload(&ours), payload(&theirs), "payloads differ\n{text}");
        let their_verdict = wit_validator::validate(&theirs).map_err(|e| format!("{e:#}"));
        let our_verdict = Module::from_binary(&ours)
            .and_then(|m| m.validate())
            .map_err(|e| e.to_string());
        assert_eq!(
            their_verdict.is_ok(),
            our_verdict.is_ok(),
            "validators disagree: reference {their_verdict:?}, ours {our_verdict:?}\n{text}"
        );
        if our_verdict.is_ok() {
            valid += 1;
        } else {
            invalid += 1;
        }
    }
    // The generator must exercise both outcomes substantially.
    assert!(
        valid > 150 && invalid > 150,
        "valid {valid}, invalid {invalid}"
    );
}
