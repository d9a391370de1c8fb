//! The text parser as a user sees it: every corpus file parses, both
//! spellings give the same booklet, reference-spelling text gives wit-text's
//! bytes, and errors point at `file:line:col`.

use intertype::text::{parse, parse_booklet};
use intertype::{Booklet, ErrorKind, Instruction, TypeDef, ValType};
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

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The payload of the module's one interface section, checking that it is
/// the last section.
fn payload(module: &[u8]) -> Vec<u8> {
    let m = intertype::core::CoreModule::parse(module).expect("core module");
    assert_eq!(
        m.interface_sections.len(),
        1,
        "expected one interface section"
    );
    let s = &m.interface_sections[0];
    assert_eq!(
        s.range.end,
        module.len(),
        "the interface section comes last"
    );
    module[s.payload.clone()].to_vec()
}

fn all_corpus_files() -> Vec<PathBuf> {
    ["article", "reference", "reference/invalid"]
        .iter()
        .flat_map(|d| corpus(d))
        .collect()
}

#[test]
fn every_corpus_file_parses() {
    for path in all_corpus_files() {
        let text = read(&path);
        let name = path.display();
        let module = parse(&text, Some(&path)).unwrap_or_else(|e| panic!("{e}"));
        let (core, booklet) = parse_booklet(&text, Some(&path)).unwrap_or_else(|e| panic!("{e}"));
        assert!(!booklet.funcs.is_empty(), "{name}: no adapters");
        // The core module is exactly what `wat` makes of the text (which
        // skips the annotations), and the section follows it.
        assert_eq!(core, wat::parse_str(&text).unwrap(), "{name}: core module");
        assert_eq!(&module[..core.len()], &core[..], "{name}: core prefix");
        assert_eq!(
            payload(&module),
            booklet.encode(),
            "{name}: section payload"
        );
        assert_eq!(
            Booklet::decode(&payload(&module), 0).unwrap(),
            booklet,
            "{name}: round trip"
        );
        // Parsing through the crate's file entry point gives the same bytes.
        assert_eq!(
            intertype::parse_file(&path).unwrap(),
            module,
            "{name}: parse_file"
        );
    }
}

/// Reference-spelling text gives wit-text 0.8's section payload, byte for byte.
#[test]
fn reference_spelling_matches_wit_text() {
    for path in corpus("reference")
        .into_iter()
        .chain(corpus("reference/invalid"))
    {
        let text = read(&path);
        let theirs = wit_text::parse_str(&text).unwrap();
        let ours = parse(&text, Some(&path)).unwrap();
        assert_eq!(payload(&ours), payload(&theirs), "{}", path.display());
    }
}

#[test]
fn article_and_reference_greetings_agree() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/corpus");
    let article = read(&dir.join("article/greeting.wat"));
    let reference = read(&dir.join("reference/a-greeting.wat"));
    let (_, a) = parse_booklet(&article, None).unwrap();
    let (_, r) = parse_booklet(&reference, None).unwrap();
    // Both modules declare the memory first and `greeting_` as function 0, so
    // the numbering agrees too.
    assert_eq!(a, r);
    assert_eq!(
        a.funcs[0].instrs,
        [
            Instruction::CallCore(0),
            Instruction::MemoryToString {
                mem: 0,
                encoding: Default::default()
            }
        ]
    );
    assert_eq!(a.exports[0].name, "greeting");
    assert_eq!(
        payload(&parse(&article, None).unwrap()),
        payload(&wit_text::parse_str(&reference).unwrap())
    );

    // The article's second adapter: `string-to-memory "mem" "malloc"` names
    // the memory first.
    let (_, b) = parse_booklet(&read(&dir.join("article/greeting-param.wat")), None).unwrap();
    assert_eq!(
        b.funcs[0].instrs,
        [
            Instruction::ArgGet(0),
            Instruction::StringToMemory {
                malloc: 0,
                mem: 0,
                encoding: Default::default()
            },
            Instruction::CallCore(1),
            Instruction::MemoryToString {
                mem: 0,
                encoding: Default::default()
            },
        ]
    );
}

#[test]
fn errors_point_at_file_line_and_column() {
    let text = "(module\n  (func $f)\n  (@interface func (export \"g\")\n    call-cor $f))\n";
    let err = parse(text, Some(Path::new("dir/bad.wat"))).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Text);
    let msg = err.to_string();
    assert!(msg.contains("unknown instruction `call-cor`"), "{msg}");
    assert!(msg.contains("did you mean `call-core`?"), "{msg}");
    assert!(msg.contains("dir/bad.wat:4:5"), "{msg}");
    assert!(msg.contains("    call-cor $f))"), "{msg}");
    assert!(msg.contains("^"), "{msg}");

    // A core error (from wast) renders the same way.
    let err = parse(
        "(module\n  (func (result i32) i32.const x))",
        Some(Path::new("c.wat")),
    )
    .unwrap_err();
    assert!(err.to_string().contains("c.wat:2:"), "{err}");

    // Without a path the location still shows.
    let err = parse("(module (@interface func call-core $nope))", None).unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("unknown core function $nope"), "{msg}");
    assert!(msg.contains(":1:36"), "{msg}");
}

#[test]
fn no_interface_items_means_no_section() {
    let text = "(module (memory 1) (func (export \"f\")))";
    let module = parse(text, None).unwrap();
    assert_eq!(module, wat::parse_str(text).unwrap());
    let (_, booklet) = parse_booklet(text, None).unwrap();
    assert_eq!(booklet, Booklet::default());
}

#[test]
fn parameter_names_are_kept_in_extension_modules_only() {
    let reference = r#"(module
      (func $f (param i32) (result i32) local.get 0)
      (@interface func (export "f") (param $x s32) (result s32)
        arg.get $x s32-to-i32 call-core $f i32-to-s32))"#;
    // The reference format has no parameter names: `$x` names a local only,
    // and the bytes stay the reference's.
    let (_, b) = parse_booklet(reference, None).unwrap();
    assert!(b.param_names.is_empty() && b.is_reference_subset());

    let text = r#"(module
      (memory (export "mem") 1)
      (func $malloc (export "malloc") (param i32 i32) (result i32) i32.const 0)
      (func $f (param i32 i32 i32) (result i32) local.get 0)
      (@interface type $sig (func (param $a bool) (param string) (result bool)))
      (@interface import "host" "log" (func (param $level u8) (param $message string)))
      (@interface func (export "f") (param $first-name string) (param bool) (param $"odd name" u8) (result bool)
        arg.get $first-name value.lower string $malloc
        arg.get 2 u8-to-i32
        call-core $f i32-to-bool)
      (@interface func (export "g") (type $sig)
        arg.get $a bool-to-i32
        arg.get 1 value.lower string $malloc
        call-core $f i32-to-bool))"#;
    // `g` takes its names from the type it uses.
    let module = parse(text, None).unwrap_or_else(|e| panic!("{e}"));
    let m = intertype::Module::from_binary(&module).unwrap();
    let b = &m.booklet;
    assert_eq!(b.param_names[&0], ["level", "message"]);
    assert_eq!(b.param_names[&1], ["first-name", "", "odd name"]);
    assert_eq!(b.param_names[&2], ["a", ""]);
    assert_eq!(
        intertype::describe::adapter_func(b, 1).unwrap(),
        "func(first-name: string, p1: bool, \"odd name\": u8) -> bool"
    );
    // The printer writes the names back; the printed text parses to the same
    // bytes.
    let printed = intertype::print::print_module(&module).unwrap();
    assert!(
        printed.contains(r#"(@interface param-names (func 1) "first-name" "" "odd name")"#),
        "{printed}"
    );
    assert!(
        printed.contains(r#"(@interface param-names (func 0) "level" "message")"#),
        "{printed}"
    );
    let again = parse(&printed, None).unwrap_or_else(|e| panic!("{e}\n{printed}"));
    assert_eq!(payload(&again), payload(&module));

    // An explicit `param-names` item keeps the names of a module that is
    // otherwise in the reference subset (as a Rust guest of plain numbers
    // is), so its printed form parses back to the same bytes.
    let explicit = reference.replace(
        "(@interface func",
        r#"(@interface param-names (func 0) "x") (@interface func"#,
    );
    let module = parse(&explicit, None).unwrap_or_else(|e| panic!("{e}"));
    let (_, b) = parse_booklet(&explicit, None).unwrap();
    assert_eq!(b.param_names[&0], ["x"]);
    let printed = intertype::print::print_module(&module).unwrap();
    assert_eq!(payload(&parse(&printed, None).unwrap()), payload(&module));
    for (bad, needle) in [
        (
            r#"(@interface param-names (func 0) "x" "y")"#,
            "2 parameter names for adapter function 0, which has 1",
        ),
        (
            r#"(@interface param-names (func 0) "")"#,
            "names no parameter",
        ),
        (
            r#"(@interface param-names (func 3) "x")"#,
            "there are only 1",
        ),
    ] {
        let text = reference.replace("(@interface func", &format!("{bad} (@interface func"));
        let e = parse(&text, None).unwrap_err().to_string();
        assert!(e.contains(needle), "{needle} in {e}");
    }
}

#[test]
fn extension_module_round_trips_through_the_binary() {
    let text = r#"(module
      (memory (export "mem") 1)
      (func $malloc (export "malloc") (param i32 i32) (result i32) i32.const 0)
      (func $area (result i32) i32.const 8)
      (@interface type $point (record (field "x" s32) (field "y" s32)))
      (@interface func (export "origin") (result $point)
        call-core $area
        value.load $point)
      (@interface func (export "names") (param (list string)) (result bool)
        arg.get 0
        value.lower (list string) "malloc" utf16 "mem"
        drop-me-not))"#;
    // `drop-me-not` is not an instruction: the error names it.
    let err = parse(text, None).unwrap_err().to_string();
    assert!(err.contains("unknown instruction `drop-me-not`"), "{err}");

    let text = text.replace("drop-me-not", "call-core $area i32-to-bool");
    let module = parse(&text, None).unwrap();
    let booklet = Booklet::decode(&payload(&module), 0).unwrap();
    assert_eq!(
        booklet.type_names.get(&0).map(String::as_str),
        Some("point")
    );
    assert!(matches!(booklet.types[0], TypeDef::Record(_)));
    // `(list string)` is defined before the signature that uses it, and the
    // instruction's identical inline type reuses it.
    let list = booklet
        .types
        .iter()
        .position(|t| *t == TypeDef::List(ValType::String))
        .unwrap();
    let sig = booklet.func_type(booklet.funcs[1].ty).unwrap();
    assert_eq!(sig.params, [ValType::Type(list as u32)]);
    assert!(matches!(
        booklet.funcs[1].instrs[1],
        Instruction::ValueLower { ty: ValType::Type(t), malloc: 0, .. } if t == list as u32
    ));
}

// ---------------------------------------------------------------------------
// Differential: random reference-subset texts exercising every ordering rule
// (explicit and duplicate types, `(type $t)` uses, import sugar, inline and
// explicit exports, inline and by-index implements) against wit-text 0.8.

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

/// A few types only, so that signatures repeat and dedupe is exercised.
const POOL: &[&str] = &["s32", "string", "i32", "u8", "anyref"];

fn random_sig(g: &mut Gen, named: bool, prefix: &str) -> (String, usize) {
    let nparams = g.below(3);
    let mut s = String::new();
    for i in 0..nparams {
        let t = POOL[g.below(POOL.len())];
        if named {
            s += &format!("(param ${prefix}{i} {t}) ");
        } else {
            s += &format!("(param {t}) ");
        }
    }
    for _ in 0..g.below(2) {
        s += &format!("(result {}) ", POOL[g.below(POOL.len())]);
    }
    (s, nparams)
}

fn random_body(g: &mut Gen, funcs: &[String], params: usize, names: Option<&str>) -> String {
    let mut body = Vec::new();
    for _ in 0..g.below(5) {
        body.push(match g.below(7) {
            0 if params > 0 => match names {
                Some(prefix) if g.chance(50) => format!("arg.get ${prefix}{}", g.below(params)),
                _ => format!("arg.get {}", g.below(params)),
            },
            1 => format!("call-core {}", ["$f", "$g", "0", "$a"][g.below(4)]),
            2 if !funcs.is_empty() => format!("call-adapter {}", funcs[g.below(funcs.len())]),
            3 => [
                "memory-to-string",
                "memory-to-string $mem",
                "memory-to-string 0",
            ][g.below(3)]
            .into(),
            4 => [
                "string-to-memory $f",
                "string-to-memory $f $mem",
                "string-to-memory 2 0",
            ][g.below(3)]
            .into(),
            5 => "defer-call-core $b".into(),
            _ => ["i32-to-u8", "s32-to-i32", "u64-to-i32x", "i64-to-s32x"][g.below(4)].into(),
        });
    }
    body.join(" ")
}

fn random_text(g: &mut Gen) -> String {
    let mut s = String::from(
        "(module\n (import \"env\" \"a\" (func $a (param i32)))\n (import \"env\" \"b\" (func $b (param i32 i32)))\n \
         (memory $mem 1)\n (func $f (param i32) (result i32) local.get 0)\n (func $g)\n",
    );
    // Adapter function ids, declared up front so any item can use any of them
    // (both parsers resolve adapter names after collecting all of them).
    let nitems = 1 + g.below(9);
    let mut kinds = Vec::new();
    let mut funcs = Vec::new();
    let mut types: Vec<(String, usize)> = Vec::new();
    for i in 0..nitems {
        let k = g.below(7);
        kinds.push(k);
        match k {
            1 | 2 => funcs.push(format!("$i{i}")),
            3 => funcs.push(format!("$f{i}")),
            _ => {}
        }
    }
    for (i, k) in kinds.iter().enumerate() {
        if *k == 0 {
            let named = g.chance(50);
            let (sig, n) = random_sig(g, named, &format!("t{i}_"));
            let id = if g.chance(80) {
                format!("$t{i} ")
            } else {
                String::new()
            };
            s += &format!(" (@interface type {id}(func {sig}))\n");
            if !id.is_empty() {
                types.push((format!("$t{i}"), if named { n } else { 0 }));
            }
        }
    }
    let mut export = 0;
    for (i, k) in kinds.iter().enumerate() {
        let item = match k {
            0 => continue,
            1 => format!(
                "(@interface import \"h\" \"i{i}\" (func $i{i} {}))",
                random_sig(g, false, "").0
            ),
            2 => {
                let e = if g.chance(50) {
                    export += 1;
                    format!("(export \"x{export}\") ")
                } else {
                    String::new()
                };
                format!(
                    "(@interface func $i{i} {e}(import \"h\" \"i{i}\") {})",
                    random_sig(g, false, "").0
                )
            }
            3 => {
                let e = if g.chance(50) {
                    export += 1;
                    format!("(export \"x{export}\") ")
                } else {
                    String::new()
                };
                let prefix = format!("p{i}_");
                let (tu, params, names) = if !types.is_empty() && g.chance(40) {
                    let (t, n) = &types[g.below(types.len())];
                    let names = t.strip_prefix('$').map(|t| format!("{t}_"));
                    (format!("(type {t})"), *n, if *n > 0 { names } else { None })
                } else {
                    let named = g.chance(50);
                    let (sig, n) = random_sig(g, named, &prefix);
                    (sig, n, if named { Some(prefix.clone()) } else { None })
                };
                let body = random_body(g, &funcs, params, names.as_deref());
                format!("(@interface func $f{i} {e}{tu} {body})")
            }
            4 if !funcs.is_empty() => {
                export += 1;
                format!(
                    "(@interface export \"x{export}\" (func {}))",
                    funcs[g.below(funcs.len())]
                )
            }
            5 => {
                let (sig, n) = random_sig(g, false, "");
                let body = random_body(g, &funcs, n, None);
                let what = ["(import \"env\" \"a\")", "(import \"env\" \"b\")"][g.below(2)];
                format!("(@interface implement {what} {sig} {body})")
            }
            _ if !funcs.is_empty() => {
                let core = ["$a", "$b", "1"][g.below(3)];
                format!(
                    "(@interface implement (func {core}) (func {}))",
                    funcs[g.below(funcs.len())]
                )
            }
            _ => continue,
        };
        s += &format!(" {item}\n");
    }
    s + ")\n"
}

#[test]
fn random_reference_texts_match_wit_text() {
    let mut g = Gen(0x2545_f491_4f6c_dd1d);
    for _ in 0..2000 {
        let text = random_text(&mut g);
        let theirs = match wit_text::parse_str(&text) {
            Ok(m) => m,
            Err(e) => panic!("wit-text rejects the generated text: {e}\n{text}"),
        };
        let ours = parse(&text, None).unwrap_or_else(|e| panic!("{e}\n{text}"));
        if intertype::core::CoreModule::parse(&theirs)
            .unwrap()
            .interface_sections
            .is_empty()
        {
            assert!(intertype::core::CoreModule::parse(&ours)
                .unwrap()
                .interface_sections
                .is_empty());
            continue;
        }
        assert_eq!(payload(&ours), payload(&theirs), "payloads differ\n{text}");
    }
}
