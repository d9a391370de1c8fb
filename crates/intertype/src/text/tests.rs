//! Unit tests of the text parser: index order, both spellings, the sugar
//! forms, extension types and instructions, and errors.

use super::{parse, parse_booklet};
use crate::instr::{Conversion, Instruction, MemArg};
use crate::types::{Case, Field, FuncType, StringEncoding, TypeDef, ValType};
use crate::{Booklet, Export, Implement, Import};

fn booklet(text: &str) -> Booklet {
    match parse_booklet(text, None) {
        Ok((_, b)) => b,
        Err(e) => panic!("{e}"),
    }
}

fn error(text: &str) -> std::string::String {
    match parse_booklet(text, None) {
        Ok((_, b)) => panic!("expected an error, got {b:?}"),
        Err(e) => {
            assert_eq!(e.kind(), crate::ErrorKind::Text);
            e.to_string()
        }
    }
}

#[track_caller]
fn assert_error(text: &str, expected: &str, line_col: &str) {
    let msg = error(text);
    assert!(msg.contains(expected), "expected {expected:?} in:\n{msg}");
    assert!(
        msg.contains(&format!("<anon>:{line_col}\n")),
        "expected {line_col} in:\n{msg}"
    );
}

fn func(params: &[ValType], results: &[ValType]) -> TypeDef {
    TypeDef::Func(FuncType {
        params: params.to_vec(),
        results: results.to_vec(),
    })
}

use ValType::*;

const CORE: &str = r#"
  (import "env" "log_" (func $log_ (param i32 i32)))
  (memory $mem (export "mem") 1)
  (memory $other 1)
  (func $malloc (export "malloc") (param i32) (result i32) i32.const 0)
  (func $f (export "f") (param i32) (result i32) local.get 0)
  (global (export "g") i32 (i32.const 0))
"#;

fn module(items: &str) -> std::string::String {
    format!("(module {CORE}\n{items})")
}

#[test]
fn types_explicit_first_then_implicit_in_order_of_use() {
    let b = booklet(&module(
        r#"
        (@interface func (param u8))
        (@interface type $a (func (param s32)))
        (@interface import "h" "i" (func (param string)))
        (@interface type $b (func (param s32)))
        (@interface func (param s32))
        (@interface func (type $b))
        (@interface func (param string))
        (@interface type (func))
        "#,
    ));
    assert_eq!(
        b.types,
        [
            func(&[S32], &[]),
            func(&[S32], &[]),
            func(&[], &[]),
            func(&[U8], &[]),
            func(&[String], &[]),
        ]
    );
    assert_eq!(b.imports[0].ty, 4);
    // Implicit uses map to the first equal type; `(type $b)` keeps its own.
    let tys: Vec<u32> = b.funcs.iter().map(|f| f.ty).collect();
    assert_eq!(tys, [3, 0, 1, 4]);
}

#[test]
fn adapter_indices_exports_and_implements_follow_the_reference() {
    let b = booklet(&module(
        r#"
        (@interface func $first (export "a") (export "a2") (param s32) call-adapter $imp)
        (@interface export "b" (func $imp))
        (@interface func $imp (export "c") (import "h" "imp") (param s32))
        (@interface implement (import "env" "log_") (param $p i32) (param $l i32)
          arg.get $l arg.get $p memory-to-string $mem call-adapter $logger)
        (@interface export "d" (func $last))
        (@interface import "h" "log" (func $logger (param string)))
        (@interface func $last call-import $logger)
        (@interface implement (func $log_) (func $first))
        "#,
    ));
    assert_eq!(
        b.imports,
        [
            Import {
                module: "h".into(),
                name: "imp".into(),
                ty: 0
            },
            Import {
                module: "h".into(),
                name: "log".into(),
                ty: 2
            },
        ]
    );
    // funcs: $first = 2, the inline implement adapter = 3, $last = 4.
    assert_eq!(b.funcs.len(), 3);
    assert_eq!(b.funcs[0].instrs, [Instruction::CallAdapter(0)]);
    assert_eq!(
        b.funcs[1].instrs,
        [
            Instruction::ArgGet(1),
            Instruction::ArgGet(0),
            Instruction::MemoryToString {
                mem: 0,
                encoding: StringEncoding::Utf8
            },
            Instruction::CallAdapter(1),
        ]
    );
    assert_eq!(b.funcs[2].instrs, [Instruction::CallAdapter(1)]);
    let exports: Vec<(&str, u32)> = b
        .exports
        .iter()
        .map(|e| (e.name.as_str(), e.func))
        .collect();
    assert_eq!(exports, [("a", 2), ("a2", 2), ("b", 0), ("c", 0), ("d", 4)]);
    assert_eq!(
        b.implements,
        [
            Implement {
                core_func: 0,
                adapter_func: 3
            },
            Implement {
                core_func: 0,
                adapter_func: 2
            },
        ]
    );
}

#[test]
fn type_uses_carry_parameter_names() {
    let b = booklet(&module(
        r#"
        (@interface type $t (func (param $x s32) (param $y s32) (result s32)))
        (@interface func (type $t) arg.get $y)
        (@interface func (type 0) (param $a s32) (param $b s32) (result s32) arg.get $a)
        "#,
    ));
    assert_eq!(b.types.len(), 1);
    assert_eq!(b.funcs[0].instrs, [Instruction::ArgGet(1)]);
    assert_eq!(b.funcs[1].instrs, [Instruction::ArgGet(0)]);
}

#[test]
fn numeric_type_use_may_name_a_later_implicit_type() {
    let b = booklet(&module(
        r#"
        (@interface func (type 1) arg.get 0)
        (@interface func (param s32))
        (@interface func (param u8))
        "#,
    ));
    assert_eq!(b.types, [func(&[S32], &[]), func(&[U8], &[])]);
    assert_eq!(b.funcs[0].ty, 1);
    assert_error(
        &module("(@interface func (type 7))"),
        "type index 7 out of bounds (the booklet has 0 types)",
        "9:24",
    );
}

#[test]
fn inline_signature_must_match_the_type_use() {
    assert_error(
        &module("(@interface type $t (func (param s32)))\n(@interface func (type $t) (param u32))"),
        "the inline signature does not match type 0",
        "10:24",
    );
}

#[test]
fn both_spellings_of_every_reference_instruction() {
    let b = booklet(&module(
        r#"
        (@interface import "h" "i" (func $i))
        (@interface func (param string)
          call-core $f call-core 2 call-core "f" call-export "f" call-export $f
          call-adapter $i call-import $i call-adapter 0
          defer-call-core $malloc defer-call-core "malloc"
          memory-to-string memory-to-string $other memory-to-string 1 memory-to-string "mem"
          string-to-memory $malloc string-to-memory $malloc $other
          string-to-memory "mem" "malloc" string-to-memory "malloc" "mem"
          string-to-memory "malloc" string-to-memory $malloc "mem"
          i32-to-s8x u64-to-i32x)
        "#,
    ));
    use Instruction::*;
    let utf8 = StringEncoding::Utf8;
    assert_eq!(
        b.funcs[0].instrs,
        [
            CallCore(2),
            CallCore(2),
            CallCore(2),
            CallCore(2),
            CallCore(2),
            CallAdapter(0),
            CallAdapter(0),
            CallAdapter(0),
            DeferCallCore(1),
            DeferCallCore(1),
            MemoryToString {
                mem: 0,
                encoding: utf8
            },
            MemoryToString {
                mem: 1,
                encoding: utf8
            },
            MemoryToString {
                mem: 1,
                encoding: utf8
            },
            MemoryToString {
                mem: 0,
                encoding: utf8
            },
            StringToMemory {
                malloc: 1,
                mem: 0,
                encoding: utf8
            },
            StringToMemory {
                malloc: 1,
                mem: 1,
                encoding: utf8
            },
            StringToMemory {
                malloc: 1,
                mem: 0,
                encoding: utf8
            },
            StringToMemory {
                malloc: 1,
                mem: 0,
                encoding: utf8
            },
            StringToMemory {
                malloc: 1,
                mem: 0,
                encoding: utf8
            },
            StringToMemory {
                malloc: 1,
                mem: 0,
                encoding: utf8
            },
            Convert(Conversion::I32ToS8X),
            Convert(Conversion::U64ToI32X),
        ]
    );
}

#[test]
fn extension_type_definitions() {
    let b = booklet(&module(
        r#"
        (@interface type $point (record (field "x" s32) (field "y" s32)))
        (@interface type $shape (variant (case "dot" $point) (case "none")))
        (@interface type $color (enum "red" "green"))
        (@interface type $perms (flags "r" "w" "x"))
        (@interface type $bytes (list u8))
        (@interface type $maybe (option (type 0)))
        (@interface type $res (result string (error u32)))
        (@interface type $err-only (result (error u32)))
        (@interface type $pair (tuple bool char))
        (@interface type $sig (func (param $p $point) (result (list u8))))
        "#,
    ));
    let t = |i| ValType::Type(i);
    assert_eq!(
        b.types,
        [
            TypeDef::Record(vec![
                Field {
                    name: "x".into(),
                    ty: S32
                },
                Field {
                    name: "y".into(),
                    ty: S32
                },
            ]),
            TypeDef::Variant(vec![
                Case {
                    name: "dot".into(),
                    ty: Some(t(0))
                },
                Case {
                    name: "none".into(),
                    ty: None
                },
            ]),
            TypeDef::Enum(vec!["red".into(), "green".into()]),
            TypeDef::Flags(vec!["r".into(), "w".into(), "x".into()]),
            TypeDef::List(U8),
            TypeDef::Option(t(0)),
            TypeDef::Result {
                ok: Some(String),
                err: Some(U32)
            },
            TypeDef::Result {
                ok: None,
                err: Some(U32)
            },
            TypeDef::Tuple(vec![Bool, Char]),
            // The inline `(list u8)` is the same as `$bytes`.
            func(&[t(0)], &[t(4)]),
        ]
    );
    let names: Vec<(u32, &str)> = b.type_names.iter().map(|(i, n)| (*i, n.as_str())).collect();
    assert_eq!(
        names,
        [
            (0, "point"),
            (1, "shape"),
            (2, "color"),
            (3, "perms"),
            (4, "bytes"),
            (5, "maybe"),
            (6, "res"),
            (7, "err-only"),
            (8, "pair")
        ]
    );
}

#[test]
fn inline_typedefs_are_defined_before_their_users_and_shared() {
    let b = booklet(&module(
        r#"
        (@interface type $r (record (field "tags" (list string))))
        (@interface func (param (option (list string))) (result (list string))
          arg.get 0 record.lift (record (field "tags" (list string)))
          record.lower $r)
        (@interface func (param (tuple u8 u8)) (result (tuple u8 u8)) arg.get 0)
        "#,
    ));
    let t = |i| ValType::Type(i);
    assert_eq!(
        b.types,
        [
            TypeDef::List(String),
            TypeDef::Record(vec![Field {
                name: "tags".into(),
                ty: t(0)
            }]),
            TypeDef::Option(t(0)),
            func(&[t(2)], &[t(0)]),
            TypeDef::Tuple(vec![U8, U8]),
            func(&[t(4)], &[t(4)]),
        ]
    );
    assert_eq!(
        b.funcs[0].instrs,
        [
            Instruction::ArgGet(0),
            Instruction::RecordLift(t(1)),
            Instruction::RecordLower(t(1)),
        ]
    );
    assert_eq!(b.type_names.len(), 1);
}

#[test]
fn extension_instructions_and_their_operands() {
    let b = booklet(&module(
        r#"
        (@interface type $p (record (field "s" string)))
        (@interface func (param bool)
          memory-to-string utf16 memory-to-string latin1 $other memory-to-string utf8 "mem"
          string-to-memory $malloc latin1 string-to-memory $malloc utf16 1
          string-to-memory "mem" "malloc" utf16
          value.lift $p value.lift $p utf16 $other
          value.lower $p $malloc value.lower $p "malloc" latin1 "mem"
          value.load $p 1 value.store $p $malloc utf16 value.store_new $p 1 0
          i32-to-bool bool-to-i32 i32-to-char char-to-i32)
        "#,
    ));
    use Instruction::*;
    use StringEncoding::*;
    let p = ValType::Type(0);
    let m = |mem, encoding| MemArg { mem, encoding };
    assert_eq!(
        b.funcs[0].instrs,
        [
            MemoryToString {
                mem: 0,
                encoding: Utf16
            },
            MemoryToString {
                mem: 1,
                encoding: Latin1
            },
            MemoryToString {
                mem: 0,
                encoding: Utf8
            },
            StringToMemory {
                malloc: 1,
                mem: 0,
                encoding: Latin1
            },
            StringToMemory {
                malloc: 1,
                mem: 1,
                encoding: Utf16
            },
            StringToMemory {
                malloc: 1,
                mem: 0,
                encoding: Utf16
            },
            ValueLift {
                ty: p,
                mem: m(0, Utf8)
            },
            ValueLift {
                ty: p,
                mem: m(1, Utf16)
            },
            ValueLower {
                ty: p,
                malloc: 1,
                mem: m(0, Utf8)
            },
            ValueLower {
                ty: p,
                malloc: 1,
                mem: m(0, Latin1)
            },
            ValueLoad {
                ty: p,
                mem: m(1, Utf8)
            },
            ValueStore {
                ty: p,
                malloc: 1,
                mem: m(0, Utf16)
            },
            ValueStoreNew {
                ty: p,
                malloc: 1,
                mem: m(0, Utf8)
            },
            Convert(Conversion::I32ToBool),
            Convert(Conversion::BoolToI32),
            Convert(Conversion::I32ToChar),
            Convert(Conversion::CharToI32),
        ]
    );
}

#[test]
fn bare_fields_binary_and_quote_modules() {
    let b = booklet(
        r#"(memory (export "m") 1) (func (export "f") (result i32 i32) i32.const 0 i32.const 0)
           (@interface func (export "s") (result string) call-export "f" memory-to-string "m")"#,
    );
    assert_eq!(
        b.exports,
        [Export {
            name: "s".into(),
            func: 0
        }]
    );

    // `(module binary …)` is passed through as is.
    let bin = parse(r#"(module binary "\00asm" "\01\00\00\00")"#, None).unwrap();
    assert_eq!(bin, b"\0asm\x01\0\0\0");

    // `(module quote …)` is parsed as text, interface items included.
    let text = r#"(module quote "(func $f (result i32) i32.const 1)"
                  "(@interface func (export \"g\") (result s32) call-core $f i32-to-s32)")"#;
    let b = booklet(text);
    assert_eq!(b.funcs[0].instrs.len(), 2);
    let msg = error(r#"(module quote "(@interface func call-core $nope)")"#);
    assert!(
        msg.contains("in the quoted module, line 1 column 28: unknown core function $nope"),
        "{msg}"
    );
}

#[test]
fn name_annotations_and_custom_sections_still_work() {
    let (core, b) = parse_booklet(
        r#"(module $m (@name "mod")
             (@custom "extra" "data")
             (func $f (@name "fun") (result i32) i32.const 0)
             (@producers (language "wat" "1"))
             (@interface func (export "x") (result i32) call-core $f))"#,
        None,
    )
    .unwrap();
    assert_eq!(b.funcs[0].instrs, [Instruction::CallCore(0)]);
    let core = crate::core::CoreModule::parse(&core).unwrap();
    assert_eq!(core.func_names.get(&0).map(|s| s.as_str()), Some("fun"));
}

/// Checks each `(items, message, line:col)`, reporting every mismatch.
#[track_caller]
fn check_errors(cases: &[(&str, &str, &str)]) {
    let mut failures = Vec::new();
    for (items, expected, line_col) in cases {
        let msg = error(&module(items));
        if !msg.contains(expected) || !msg.contains(&format!("<anon>:{line_col}\n")) {
            failures.push(format!(
                "{items}: expected {expected:?} at {line_col}, got:\n{msg}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn resolution_errors() {
    let cases: &[(&str, &str, &str)] = &[
        (
            "(@interface func call-core $nope)",
            "unknown core function $nope",
            "9:28",
        ),
        (
            "(@interface func call-adapter $nope)",
            "unknown adapter function $nope",
            "9:31",
        ),
        (
            "(@interface func (param s32) arg.get $x)",
            "unknown parameter $x",
            "9:38",
        ),
        (
            "(@interface func memory-to-string $nope)",
            "unknown core memory $nope",
            "9:35",
        ),
        (
            "(@interface export \"e\" (func $nope))",
            "unknown adapter function $nope",
            "9:30",
        ),
        (
            "(@interface func (type $nope))",
            "unknown type $nope",
            "9:24",
        ),
        (
            "(@interface func (param $nope))",
            "unknown type $nope",
            "9:25",
        ),
        (
            "(@interface func call-export \"nope\")",
            "no core function is exported as \"nope\"",
            "9:30",
        ),
        (
            "(@interface func call-export \"malloc_\")",
            "(did you mean \"malloc\"?)",
            "9:30",
        ),
        (
            "(@interface func call-export \"mem\")",
            "core export \"mem\" is a memory, not a function",
            "9:30",
        ),
        (
            "(@interface func memory-to-string \"g\")",
            "core export \"g\" is a global, not a memory",
            "9:35",
        ),
        (
            "(@interface func string-to-memory \"mem\" \"g\")",
            "\"mem\" is a memory export, \"g\" is a global export",
            "9:18",
        ),
        (
            "(@interface implement (import \"env\" \"nope\") (param i32))",
            "no core function is imported as \"env\" \"nope\"",
            "9:24",
        ),
        (
            "(@interface func $a) (@interface func $a)",
            "duplicate adapter function identifier $a",
            "9:39",
        ),
        (
            "(@interface type $t (func)) (@interface type $t (func))",
            "duplicate type identifier $t",
            "9:46",
        ),
        (
            "(@interface func (param $x s32) (param $x s32))",
            "duplicate parameter identifier $x",
            "9:40",
        ),
        (
            "(@interface type $a (list $b)) (@interface type $b (list u8))",
            "type $b is used before its definition",
            "9:27",
        ),
        (
            "(@interface type $s (func)) (@interface func (param $s))",
            "type $s is a function type, which cannot be used as a value type",
            "9:53",
        ),
        (
            "(@interface type $r (tuple)) (@interface func (type $r))",
            "type 0 is a tuple type, not a function type",
            "9:53",
        ),
    ];
    check_errors(cases);

    // Two core imports with the same name make `implement (import …)` ambiguous.
    let msg = error(
        r#"(module (import "m" "n" (func)) (import "m" "n" (func))
             (@interface implement (import "m" "n") call-core 0))"#,
    );
    assert!(msg.contains("is ambiguous"), "{msg}");
    assert!(msg.contains("<anon>:2:37"), "{msg}");
}

#[test]
fn syntax_errors() {
    let cases: &[(&str, &str, &str)] = &[
        (
            "(@interface func call-cor $f)",
            "unknown instruction `call-cor` (did you mean `call-core`?)",
            "9:18",
        ),
        (
            "(@interface func i32-to-s9)",
            "(did you mean `i32-to-s8`?)",
            "9:18",
        ),
        (
            "(@interface func (call-core $f))",
            "folded instructions are not supported",
            "9:18",
        ),
        (
            "(@interface func (param strin))",
            "unknown value type `strin` (did you mean `string`?)",
            "9:25",
        ),
        (
            "(@interface func (param (recrd)))",
            "unknown type definition `recrd` (did you mean `record`?)",
            "9:26",
        ),
        (
            "(@interface func (param (func)))",
            "a function type is not a value type",
            "9:26",
        ),
        (
            "(@interface func (result s32) (param s32))",
            "parameters must come before results",
            "9:31",
        ),
        (
            "(@interface func (param $x s32 s32))",
            "a named parameter has exactly one type",
            "9:32",
        ),
        (
            "(@interface func string-to-memory)",
            "expected an allocator function",
            "9:34",
        ),
        (
            "(@interface func value.lower s32)",
            "expected an allocator function",
            "9:33",
        ),
        ("(@interface frob)", "expected one of", "9:13"),
        ("(@interface type (func) extra)", "expected `)`", "9:25"),
        (
            "(@interface func (import \"a\" \"b\") arg.get 0)",
            "an imported function has no body",
            "9:35",
        ),
    ];
    check_errors(cases);
    assert!(error("").contains("expected a module"));
    assert!(error(";; nothing\n").contains("expected a module"));
    assert!(error("(component)").contains("components are not supported"));
    assert!(error("(module) (module)").contains("extra tokens"));
    let deep = format!(
        "(@interface func (param {}u8{}))",
        "(list ".repeat(200),
        ")".repeat(200)
    );
    assert!(error(&deep).contains("nested too deeply"));
    // Exactly the documented 100 levels of inline definitions parse, and
    // validate (the validator's limit is the same 100).
    let hundred = format!(
        "(module (@interface func (export \"f\") (param {}u8{})))",
        "(list ".repeat(100),
        ")".repeat(100)
    );
    let bytes = crate::parse_str(&hundred, None).unwrap_or_else(|e| panic!("{e}"));
    crate::validate_module(&bytes).unwrap_or_else(|e| panic!("{e}"));
    let bytes = crate::parse_str(
        &hundred
            .replacen("(list ", "(list (list ", 1)
            .replacen("u8", "u8)", 1),
        None,
    )
    .unwrap_or_else(|e| panic!("101 parse, the validator refuses: {e}"));
    let e = crate::validate_module(&bytes).unwrap_err().to_string();
    assert!(e.contains("at most 100"), "{e}");
}

/// An error in a one-line input of any size shows a bounded window of it.
#[test]
fn error_snippets_are_bounded() {
    let text = format!("(module {} @bad)", "(; filler ;) ".repeat(100_000));
    let e = error(&text);
    assert!(
        e.len() < 600,
        "{} bytes: {}",
        e.len(),
        &e[..600.min(e.len())]
    );
    assert!(e.contains("<anon>:1:"), "{e}");
    assert!(e.contains('…'), "{e}");
    assert!(e.lines().last().unwrap().trim_end().ends_with('^'), "{e}");
}

/// Types that resolve to too many nodes are refused, naming the type.
#[test]
fn oversized_types_are_refused_by_name() {
    let mut text = std::string::String::from(
        "(module (@interface type $t0 (tuple u8 u8 u8 u8 u8 u8 u8 u8 u8 u8))",
    );
    for i in 1..4 {
        let prev = format!("$t{} ", i - 1).repeat(10);
        text.push_str(&format!("(@interface type $t{i} (tuple {prev})) "));
    }
    text.push(')');
    let bytes = crate::parse_str(&text, None).unwrap();
    let e = crate::validate_module(&bytes).unwrap_err().to_string();
    assert!(e.contains("type 3 (t3)"), "{e}");
    assert!(
        e.contains("11111 nodes") && e.contains("at most 10000"),
        "{e}"
    );
}

/// Truncations and byte flips of valid texts: errors, never panics.
#[test]
fn mangled_input_never_panics() {
    let seeds = [
        module(
            r#"(@interface type $p (record (field "x" (list (option (tuple u8 char))))))
               (@interface import "h" "i" (func $i (param $p)))
               (@interface func $f (export "e") (param $a string) (result (result $p (error u8)))
                 arg.get $a string-to-memory "mem" "malloc" call-core $f call-adapter $i
                 value.lift $p utf16 $other record.lower (tuple s8) i32-to-char)
               (@interface implement (import "env" "log_") (param i32 i32) call-adapter $i)
               (@interface implement (func $log_) (func $f))
               (@interface export "x" (func $f))"#,
        ),
        std::string::String::from(r#"(module quote "(@interface func (param (list u8)))")"#),
    ];
    let mut state = 0x1234_5678_9abc_def1u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    const BYTES: &[u8] = b"()$\" ;0aZ-.@\\\n";
    for seed in &seeds {
        for cut in 0..seed.len() {
            if seed.is_char_boundary(cut) {
                let _ = parse(&seed[..cut], None);
            }
        }
        for _ in 0..3000 {
            let mut bytes = seed.clone().into_bytes();
            for _ in 0..1 + next() % 3 {
                let i = (next() % bytes.len() as u64) as usize;
                bytes[i] = BYTES[(next() % BYTES.len() as u64) as usize];
            }
            if let Ok(text) = std::str::from_utf8(&bytes) {
                let _ = parse(text, None);
            }
        }
    }
}
