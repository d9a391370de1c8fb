//! The canonical text form of a booklet (`docs/format.md` §4).
//!
//! The layout follows the 2019 reference printer (`wit-printer` 0.2): every
//! type explicit, `(;N;)` index comments, `(type N)` uses, one instruction per
//! line. Where the reference printed something that does not parse back (a
//! `$name` with spaces), this printer writes the index instead, so printed
//! text always parses back to the same bytes.

use crate::core::CoreModule;
use crate::{Booklet, Error, Instruction, MemArg, Result, StringEncoding, TypeDef, ValType};
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write;

/// Prints the `(@interface …)` items of `booklet`, one item per line group,
/// each line indented by two spaces and ending with a newline. Core functions
/// and memories are printed by their `name`-section names where those are
/// unambiguous identifiers.
pub fn print_booklet(booklet: &Booklet, core: &CoreModule) -> String {
    let names = Names::new(booklet, core);
    let mut out = String::new();
    for (i, def) in booklet.types.iter().enumerate() {
        let i = i as u32;
        out.push_str("  (@interface type");
        if names.types.contains_key(&i) {
            out.push(' ');
            print_ref(&mut out, &names.types, i);
        }
        write!(out, " (;{i};) ").unwrap();
        names.typedef(&mut out, def);
        out.push_str(")\n");
    }
    let doc = |out: &mut String, idx: usize| {
        if let Some(text) = booklet.docs.get(&(idx as u32)) {
            writeln!(out, "  (@interface doc (func {idx}) {})", quote(text)).unwrap();
        }
        if let Some(params) = booklet.param_names.get(&(idx as u32)) {
            write!(out, "  (@interface param-names (func {idx})").unwrap();
            for name in params {
                write!(out, " {}", quote(name)).unwrap();
            }
            out.push_str(")\n");
        }
    };
    for (i, import) in booklet.imports.iter().enumerate() {
        doc(&mut out, i);
        writeln!(
            out,
            "  (@interface import {} {} (func (;{i};) (type {})))",
            quote(&import.module),
            quote(&import.name),
            import.ty
        )
        .unwrap();
    }
    for (i, func) in booklet.funcs.iter().enumerate() {
        let idx = booklet.imports.len() + i;
        doc(&mut out, idx);
        write!(out, "  (@interface func (;{idx};) (type {})", func.ty).unwrap();
        for instr in &func.instrs {
            out.push_str("\n    ");
            names.instr(&mut out, instr);
        }
        out.push_str(")\n");
    }
    for export in &booklet.exports {
        writeln!(
            out,
            "  (@interface export {} (func {}))",
            quote(&export.name),
            export.func
        )
        .unwrap();
    }
    for implement in &booklet.implements {
        out.push_str("  (@interface implement (func ");
        names.core_func(&mut out, implement.core_func);
        writeln!(out, ") (func {}))", implement.adapter_func).unwrap();
    }
    out
}

/// Prints one instruction as [`print_booklet`] does (without indentation),
/// e.g. `string-to-memory $malloc` or `value.lift $point utf16 1`.
pub fn print_instruction(instr: &Instruction, booklet: &Booklet, core: &CoreModule) -> String {
    let mut out = String::new();
    Names::new(booklet, core).instr(&mut out, instr);
    out
}

/// Prints a value type as the printer does: a keyword, a typedef's `$name`,
/// or `(type N)`.
pub fn print_valtype(ty: ValType, booklet: &Booklet) -> String {
    let mut out = String::new();
    Names {
        types: type_ids(booklet),
        ..Names::default()
    }
    .valtype(&mut out, ty);
    out
}

/// Prints a whole binary module: the core module as `wasmprinter` prints it,
/// with the interface items (in place of the custom section) before the
/// module's final `)`.
pub fn print_module(bytes: &[u8]) -> Result<String> {
    let module = crate::Module::from_binary(bytes)?;
    let mut printer = SkipInterfaceSection(String::new(), Vec::new(), 0);
    // Print the core module without its interface section, as the parser
    // will rebuild it (the section last): a custom section that preceded it
    // is then last, printed without an `(after …)` placement, and keeps its
    // order relative to annotations such as `@producers`.
    let core = crate::core::strip(bytes)?;
    printer.1 = custom_placements(&core);
    wasmprinter::Config::new()
        .print(&core, &mut printer)
        .map_err(|e| Error::core(None, format!("failed to print the core module: {e:#}")))?;
    let mut text = printer.0;
    let items = print_booklet(&module.booklet, &module.core);
    if items.is_empty() {
        return Ok(text);
    }
    let Some(close) = text.rfind(')') else {
        return Err(Error::core(None, "unexpected core module text without `)`"));
    };
    let mut insert = String::new();
    if !text[..close].ends_with('\n') {
        insert.push('\n');
    }
    insert.push_str(&items);
    text.insert_str(close, &insert);
    Ok(text)
}

/// A `wasmprinter` sink that drops the interface section (its items are
/// printed as annotations instead of raw `@custom` bytes), and prints a
/// `producers` section as raw `@custom` bytes with its placement: as a
/// `@producers` annotation the text parser would put it last, after custom
/// sections that followed it (wasm-bindgen's `target_features`).
/// Fields: the text, the placement of each custom section in order, and
/// how many custom sections were seen.
struct SkipInterfaceSection(String, Vec<String>, usize);

/// `after data`, `before first`, …: where each custom section of `bytes`
/// sits relative to the known sections, in the text format's words.
fn custom_placements(bytes: &[u8]) -> Vec<String> {
    use wasmparser::Payload::*;
    let mut last: Option<&str> = None;
    let mut out = Vec::new();
    for payload in wasmparser::Parser::new(0).parse_all(bytes) {
        let Ok(payload) = payload else { break };
        match payload {
            TypeSection(_) => last = Some("type"),
            ImportSection(_) => last = Some("import"),
            FunctionSection(_) => last = Some("func"),
            TableSection(_) => last = Some("table"),
            MemorySection(_) => last = Some("memory"),
            TagSection(_) => last = Some("tag"),
            GlobalSection(_) => last = Some("global"),
            ExportSection(_) => last = Some("export"),
            StartSection { .. } => last = Some("start"),
            ElementSection(_) => last = Some("elem"),
            CodeSectionStart { .. } => last = Some("code"),
            DataSection(_) => last = Some("data"),
            CustomSection(_) => out.push(match last {
                Some(s) => format!("after {s}"),
                None => "before first".to_string(),
            }),
            _ => {}
        }
    }
    out
}

impl wasmprinter::Print for SkipInterfaceSection {
    fn write_str(&mut self, s: &str) -> std::io::Result<()> {
        self.0.push_str(s);
        Ok(())
    }

    fn print_custom_section(
        &mut self,
        name: &str,
        _binary_offset: usize,
        data: &[u8],
    ) -> std::io::Result<bool> {
        let k = self.2;
        self.2 += 1;
        if name == "producers" {
            let place = self
                .1
                .get(k)
                .cloned()
                .unwrap_or_else(|| "after data".into());
            let mut bytes = String::with_capacity(data.len() * 3);
            for b in data {
                match *b {
                    b' '..=b'~' if *b != b'"' && *b != b'\\' => bytes.push(*b as char),
                    _ => bytes.push_str(&format!("\\{b:02x}")),
                }
            }
            self.0.push_str(&format!(
                "\n  (@custom \"producers\" ({place}) \"{bytes}\")"
            ));
            return Ok(true);
        }
        Ok(name == crate::SECTION_NAME)
    }
}

/// The identifiers the printer may use: only names that are plain wast
/// identifiers and unique in their index space, because only those are the
/// `$id`s `wasmprinter` gives the items (so they resolve when parsed back).
#[derive(Default)]
struct Names<'a> {
    core_funcs: HashMap<u32, &'a str>,
    memories: HashMap<u32, &'a str>,
    types: HashMap<u32, &'a str>,
}

impl<'a> Names<'a> {
    fn new(booklet: &'a Booklet, core: &'a CoreModule) -> Names<'a> {
        Names {
            core_funcs: unique_ids(&core.func_names),
            memories: unique_ids(&core.memory_names),
            types: type_ids(booklet),
        }
    }

    fn core_func(&self, out: &mut String, idx: u32) {
        print_ref(out, &self.core_funcs, idx);
    }

    fn memory(&self, out: &mut String, idx: u32) {
        print_ref(out, &self.memories, idx);
    }

    fn valtype(&self, out: &mut String, ty: ValType) {
        match ty {
            ValType::Type(i) if self.types.contains_key(&i) => print_ref(out, &self.types, i),
            ValType::Type(i) => write!(out, "(type {i})").unwrap(),
            other => out.push_str(other.keyword().unwrap_or_default()),
        }
    }

    fn typedef(&self, out: &mut String, def: &TypeDef) {
        write!(out, "({}", def.keyword()).unwrap();
        match def {
            TypeDef::Func(f) => {
                // One `(param T)` per parameter, as the reference prints them.
                for p in &f.params {
                    out.push_str(" (param ");
                    self.valtype(out, *p);
                    out.push(')');
                }
                for r in &f.results {
                    out.push_str(" (result ");
                    self.valtype(out, *r);
                    out.push(')');
                }
            }
            TypeDef::Record(fields) => {
                for field in fields {
                    write!(out, " (field {} ", quote(&field.name)).unwrap();
                    self.valtype(out, field.ty);
                    out.push(')');
                }
            }
            TypeDef::Variant(cases) => {
                for case in cases {
                    write!(out, " (case {}", quote(&case.name)).unwrap();
                    if let Some(t) = case.ty {
                        out.push(' ');
                        self.valtype(out, t);
                    }
                    out.push(')');
                }
            }
            TypeDef::Enum(names) | TypeDef::Flags(names) => {
                for name in names {
                    write!(out, " {}", quote(name)).unwrap();
                }
            }
            TypeDef::List(t) | TypeDef::Option(t) => {
                out.push(' ');
                self.valtype(out, *t);
            }
            TypeDef::Result { ok, err } => {
                if let Some(t) = ok {
                    out.push(' ');
                    self.valtype(out, *t);
                }
                if let Some(t) = err {
                    out.push_str(" (error ");
                    self.valtype(out, *t);
                    out.push(')');
                }
            }
            TypeDef::Tuple(ts) => {
                for t in ts {
                    out.push(' ');
                    self.valtype(out, *t);
                }
            }
        }
        out.push(')');
    }

    /// ` enc` unless UTF-8, then ` mem` unless memory 0 (both defaults).
    fn memarg(&self, out: &mut String, mem: MemArg) {
        if mem.encoding != StringEncoding::Utf8 {
            write!(out, " {}", mem.encoding).unwrap();
        }
        if mem.mem != 0 {
            out.push(' ');
            self.memory(out, mem.mem);
        }
    }

    fn instr(&self, out: &mut String, instr: &Instruction) {
        out.push_str(instr.mnemonic());
        match instr {
            Instruction::ArgGet(i) | Instruction::CallAdapter(i) => write!(out, " {i}").unwrap(),
            Instruction::CallCore(f) | Instruction::DeferCallCore(f) => {
                out.push(' ');
                self.core_func(out, *f);
            }
            Instruction::MemoryToString { mem, encoding } => {
                self.memarg(
                    out,
                    MemArg {
                        mem: *mem,
                        encoding: *encoding,
                    },
                );
            }
            Instruction::StringToMemory {
                malloc,
                mem,
                encoding,
            } => {
                out.push(' ');
                self.core_func(out, *malloc);
                self.memarg(
                    out,
                    MemArg {
                        mem: *mem,
                        encoding: *encoding,
                    },
                );
            }
            Instruction::Convert(_) => {}
            Instruction::RecordLift(t) | Instruction::RecordLower(t) => {
                out.push(' ');
                self.valtype(out, *t);
            }
            Instruction::ValueLift { ty, mem } | Instruction::ValueLoad { ty, mem } => {
                out.push(' ');
                self.valtype(out, *ty);
                self.memarg(out, *mem);
            }
            Instruction::ValueLower { ty, malloc, mem }
            | Instruction::ValueStore { ty, malloc, mem }
            | Instruction::ValueStoreNew { ty, malloc, mem } => {
                out.push(' ');
                self.valtype(out, *ty);
                out.push(' ');
                self.core_func(out, *malloc);
                self.memarg(out, *mem);
            }
        }
    }
}

fn print_ref(out: &mut String, names: &HashMap<u32, &str>, idx: u32) {
    match names.get(&idx) {
        Some(name) if is_plain_id(name) => write!(out, "${name}").unwrap(),
        // Only type names get here unplain: they are the booklet's own data,
        // so a quoted id (`$"my type"`) carries them through a round trip.
        Some(name) => write!(out, "${}", quote(name)).unwrap(),
        None => write!(out, "{idx}").unwrap(),
    }
}

/// The names of `map` that can be printed as `$name`: plain identifiers
/// that no other index shares.
fn unique_ids(map: &BTreeMap<u32, String>) -> HashMap<u32, &str> {
    unique(map.iter().map(|(i, name)| (*i, name.as_str())))
}

/// The printable names of type definitions. Names of function types are
/// left out: the text format keeps `$id`s of function types out of the
/// names subsection (so reference-subset text keeps the reference bytes), so
/// printing them would not parse back to the same booklet.
fn type_ids(booklet: &Booklet) -> HashMap<u32, &str> {
    let names = booklet
        .type_names
        .iter()
        .filter(|(i, name)| {
            !name.is_empty() && !matches!(booklet.types.get(**i as usize), Some(TypeDef::Func(_)))
        })
        .map(|(i, name)| (*i, name.as_str()));
    let mut uses: HashMap<&str, usize> = HashMap::new();
    for (_, name) in names.clone() {
        *uses.entry(name).or_default() += 1;
    }
    names.filter(|(_, name)| uses[name] == 1).collect()
}

fn unique<'a>(names: impl Iterator<Item = (u32, &'a str)> + Clone) -> HashMap<u32, &'a str> {
    let mut uses: HashMap<&str, usize> = HashMap::new();
    for (_, name) in names.clone() {
        *uses.entry(name).or_default() += 1;
    }
    names
        .filter(|(_, name)| is_plain_id(name) && uses[name] == 1)
        .collect()
}

/// Whether `$name` is a wast identifier that `wasmprinter` prints as is: only
/// `idchar`s, not empty, and not starting with `#` (which `wasmprinter`
/// reserves for the names it makes up).
#[doc(hidden)]
pub fn is_plain_id(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('#')
        && name.chars().all(|c| {
            c.is_ascii_alphanumeric()
                || matches!(
                    c,
                    '!' | '#'
                        | '$'
                        | '%'
                        | '&'
                        | '\''
                        | '*'
                        | '+'
                        | '-'
                        | '.'
                        | '/'
                        | ':'
                        | '<'
                        | '='
                        | '>'
                        | '?'
                        | '@'
                        | '\\'
                        | '^'
                        | '_'
                        | '`'
                        | '|'
                        | '~'
                )
        })
}

/// A wast string literal for `s`: `"` and `\` escaped, control characters as
/// `\u{…}`, everything else as is (wast strings are UTF-8).
#[doc(hidden)]
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => write!(out, "\\u{{{:x}}}", c as u32).unwrap(),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Case, Conversion, Export, Field, Func, FuncType, Implement, Import};

    /// The module's interface items as `wit-printer` prints them (the filter
    /// `itref print` applies: item lines and their instruction lines).
    fn wit_printer_items(module: &[u8]) -> String {
        let text = wit_printer::print_bytes(module).unwrap();
        // It closes the module on the last item's line.
        let text = text.trim_end().strip_suffix(')').unwrap();
        let mut out = String::new();
        let mut in_item = false;
        for line in text.lines() {
            if line.starts_with("  (@interface") {
                in_item = true;
            } else if !(in_item && line.starts_with("    ")) {
                in_item = false;
                continue;
            }
            out.push_str(line);
            out.push('\n');
        }
        out
    }

    fn payload(module: &[u8]) -> Vec<u8> {
        let core = CoreModule::parse(module).unwrap();
        module[core.interface_sections[0].payload.clone()].to_vec()
    }

    const REFERENCE_CASES: [&str; 6] = [
        include_str!("../../../tests/corpus/reference/a-greeting.wat"),
        include_str!("../../../tests/corpus/reference/b-string-param.wat"),
        include_str!("../../../tests/corpus/reference/c-import-implement.wat"),
        include_str!("../../../tests/corpus/reference/d-int-conversions.wat"),
        include_str!("../../../tests/corpus/reference/e-defer-free.wat"),
        include_str!("../../../tests/corpus/reference/f-externref.wat"),
    ];

    /// On the reference cases we print exactly what the reference printer
    /// prints, and the reference parser reads our whole-module text back to
    /// the same section bytes.
    #[test]
    fn reference_cases_match_wit_printer() {
        for wat in REFERENCE_CASES {
            let module = wit_text::parse_str(wat).unwrap();
            let m = crate::Module::from_binary(&module).unwrap();
            let ours = print_booklet(&m.booklet, &m.core);
            assert_eq!(ours, wit_printer_items(&module), "{wat}");

            let text = print_module(&module).unwrap();
            let reparsed = wit_text::parse_str(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
            assert_eq!(payload(&reparsed), payload(&module), "{text}");
        }
    }

    /// print → parse → print is stable on wasm-bindgen's markdown module:
    /// its `producers` section stays before `target_features`.
    #[test]
    fn markdown_print_parse_print_is_stable() {
        let module = include_bytes!("../../../tests/corpus/wasm-bindgen/markdown.wasm");
        let first = print_module(module).unwrap();
        let parsed = crate::parse_str(&first, None).unwrap();
        let second = print_module(&parsed).unwrap();
        assert!(first == second, "the second print differs from the first");
        let names = |bytes: &[u8]| -> Vec<String> {
            wasmparser::Parser::new(0)
                .parse_all(bytes)
                .filter_map(|p| match p.ok()? {
                    // The text format writes the `name` section itself.
                    wasmparser::Payload::CustomSection(c) if c.name() != "name" => {
                        Some(c.name().to_string())
                    }
                    _ => None,
                })
                .collect()
        };
        assert_eq!(names(&parsed), names(module));
    }

    /// wasm-bindgen's markdown module: as the reference printer prints it,
    /// except the core function whose name has spaces, printed by index.
    #[test]
    fn markdown_module() {
        let module = include_bytes!("../../../tests/corpus/wasm-bindgen/markdown.wasm");
        let m = crate::Module::from_binary(module).unwrap();
        assert_eq!(m.core.func_names[&193], "render multivalue shim");
        let expected = include_str!("../../../tests/corpus/wasm-bindgen/markdown.interface.txt")
            .replace("$render multivalue shim", "193");
        assert_eq!(print_booklet(&m.booklet, &m.core), expected);

        let text = print_module(module).unwrap();
        assert!(
            text.ends_with(&format!("{expected})\n")),
            "{}",
            &text[text.len() - 400..]
        );
        assert!(!text.contains("@custom \"wasm-interface-types\""));
    }

    #[test]
    fn module_layout() {
        let wat = include_str!("../../../tests/corpus/reference/a-greeting.wat");
        let module = wit_text::parse_str(wat).unwrap();
        let text = print_module(&module).unwrap();
        let expected_tail = "  (@interface type (;0;) (func (result string)))
  (@interface func (;0;) (type 0)
    call-core $greeting_
    memory-to-string)
  (@interface export \"greeting\" (func 0))
)
";
        assert!(text.starts_with("(module\n"), "{text}");
        assert!(text.ends_with(expected_tail), "{text}");
        // The core part is what wasmprinter prints for the stripped module.
        let stripped = crate::core::strip(&module).unwrap();
        let core_text = wasmprinter::print_bytes(&stripped).unwrap();
        assert_eq!(
            text.replace(&expected_tail[..expected_tail.len() - 2], ""),
            core_text
        );
        // Modern wast ignores the annotations and reads the core module.
        wat::parse_str(&text).unwrap();

        // Without a section, the output is wasmprinter's.
        assert_eq!(print_module(&stripped).unwrap(), core_text);
        // An empty module.
        let empty = wat::parse_str("(module)").unwrap();
        let booklet = Booklet {
            types: vec![TypeDef::Func(FuncType::default())],
            ..Booklet::default()
        };
        let with = crate::core::with_section(&empty, &booklet.encode()).unwrap();
        assert_eq!(
            print_module(&with).unwrap(),
            "(module\n  (@interface type (;0;) (func))\n)\n"
        );
    }

    #[test]
    fn print_module_errors() {
        assert!(print_module(b"not wasm").is_err());
        let empty = wat::parse_str("(module)").unwrap();
        let bad = crate::core::with_section(&empty, b"\x05junk!").unwrap();
        let e = print_module(&bad).unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::Binary);
    }

    fn core_with_names(funcs: &[(u32, &str)], mems: &[(u32, &str)]) -> CoreModule {
        CoreModule {
            func_names: funcs.iter().map(|(i, n)| (*i, n.to_string())).collect(),
            memory_names: mems.iter().map(|(i, n)| (*i, n.to_string())).collect(),
            ..CoreModule::default()
        }
    }

    #[test]
    fn core_operands_use_only_unambiguous_ids() {
        let core = core_with_names(
            &[
                (0, "malloc"),
                (1, "dup"),
                (2, "dup"),
                (3, "has space"),
                (4, "#synthetic"),
                (5, ""),
                (6, "ok!#$%&'*+-./:<=>?@\\^_`|~"),
                (7, "ünicode"),
            ],
            &[(1, "heap"), (2, "a b")],
        );
        let b = Booklet::default();
        let p = |i: Instruction| print_instruction(&i, &b, &core);
        assert_eq!(p(Instruction::CallCore(0)), "call-core $malloc");
        for f in 1..=5 {
            assert_eq!(p(Instruction::CallCore(f)), format!("call-core {f}"));
        }
        assert_eq!(
            p(Instruction::DeferCallCore(6)),
            "defer-call-core $ok!#$%&'*+-./:<=>?@\\^_`|~"
        );
        assert_eq!(p(Instruction::CallCore(7)), "call-core 7");
        assert_eq!(p(Instruction::CallCore(99)), "call-core 99");
        let utf8 = StringEncoding::Utf8;
        let s2m = |malloc, mem, encoding| Instruction::StringToMemory {
            malloc,
            mem,
            encoding,
        };
        let m2s = |mem, encoding| Instruction::MemoryToString { mem, encoding };
        assert_eq!(p(s2m(0, 0, utf8)), "string-to-memory $malloc");
        assert_eq!(p(s2m(0, 1, utf8)), "string-to-memory $malloc $heap");
        assert_eq!(p(s2m(3, 2, utf8)), "string-to-memory 3 2");
        assert_eq!(
            p(s2m(0, 0, StringEncoding::Latin1)),
            "string-to-memory $malloc latin1"
        );
        assert_eq!(p(m2s(0, utf8)), "memory-to-string");
        assert_eq!(p(m2s(1, utf8)), "memory-to-string $heap");
        assert_eq!(p(m2s(3, utf8)), "memory-to-string 3");
        assert_eq!(
            p(m2s(1, StringEncoding::Utf16)),
            "memory-to-string utf16 $heap"
        );
        assert_eq!(p(Instruction::ArgGet(3)), "arg.get 3");
        assert_eq!(p(Instruction::CallAdapter(2)), "call-adapter 2");
        assert_eq!(
            p(Instruction::Convert(Conversion::I64ToS32X)),
            "i64-to-s32x"
        );
        // memory 0 is omitted even when it has a name, as the reference does
        let named0 = core_with_names(&[], &[(0, "mem")]);
        assert_eq!(
            print_instruction(&m2s(0, utf8), &b, &named0),
            "memory-to-string"
        );
        // implement operands
        let b = Booklet {
            implements: vec![
                Implement {
                    core_func: 0,
                    adapter_func: 0,
                },
                Implement {
                    core_func: 3,
                    adapter_func: 1,
                },
            ],
            ..Booklet::default()
        };
        assert_eq!(
            print_booklet(&b, &core),
            "  (@interface implement (func $malloc) (func 0))\n  \
             (@interface implement (func 3) (func 1))\n"
        );
    }

    fn shapes() -> Booklet {
        let point = ValType::Type(0);
        let mut type_names = BTreeMap::new();
        type_names.insert(0, "point".to_string());
        type_names.insert(1, "shape".to_string());
        type_names.insert(3, "not an id".to_string());
        type_names.insert(4, "dup".to_string());
        type_names.insert(5, "dup".to_string());
        type_names.insert(11, "sig".to_string());
        let mem = MemArg::default();
        Booklet {
            types: vec![
                TypeDef::Record(vec![
                    Field {
                        name: "x".into(),
                        ty: ValType::S32,
                    },
                    Field {
                        name: "y".into(),
                        ty: ValType::S32,
                    },
                ]),
                TypeDef::Variant(vec![
                    Case {
                        name: "circle".into(),
                        ty: Some(ValType::F32),
                    },
                    Case {
                        name: "rect".into(),
                        ty: Some(point),
                    },
                    Case {
                        name: "dot".into(),
                        ty: None,
                    },
                ]),
                TypeDef::List(ValType::U8),
                TypeDef::Enum(vec!["red".into(), "green".into()]),
                TypeDef::Flags(vec!["read".into()]),
                TypeDef::Flags(vec![]),
                TypeDef::Option(ValType::String),
                TypeDef::Result {
                    ok: Some(ValType::S32),
                    err: Some(ValType::String),
                },
                TypeDef::Result {
                    ok: None,
                    err: Some(ValType::Type(3)),
                },
                TypeDef::Result {
                    ok: None,
                    err: None,
                },
                TypeDef::Tuple(vec![ValType::Bool, ValType::Char, ValType::Type(2)]),
                TypeDef::Func(FuncType {
                    params: vec![point, ValType::Type(2)],
                    results: vec![ValType::Type(1)],
                }),
            ],
            imports: vec![Import {
                module: "host".into(),
                name: "log \"point\"".into(),
                ty: 11,
            }],
            funcs: vec![
                Func {
                    ty: 11,
                    instrs: vec![
                        Instruction::ArgGet(0),
                        Instruction::RecordLower(point),
                        Instruction::RecordLift(point),
                        Instruction::ValueLower {
                            ty: point,
                            malloc: 0,
                            mem,
                        },
                        Instruction::ValueLift {
                            ty: ValType::Type(2),
                            mem: MemArg {
                                mem: 1,
                                encoding: StringEncoding::Utf16,
                            },
                        },
                        Instruction::ValueLoad {
                            ty: ValType::Type(3),
                            mem,
                        },
                        Instruction::ValueStore {
                            ty: ValType::Type(4),
                            malloc: 9,
                            mem: MemArg {
                                mem: 0,
                                encoding: StringEncoding::Latin1,
                            },
                        },
                        Instruction::ValueStoreNew {
                            ty: ValType::String,
                            malloc: 0,
                            mem: MemArg {
                                mem: 2,
                                encoding: StringEncoding::Utf8,
                            },
                        },
                        Instruction::Convert(Conversion::I32ToChar),
                    ],
                },
                Func {
                    ty: 11,
                    instrs: vec![],
                },
            ],
            exports: vec![Export {
                name: "flip".into(),
                func: 1,
            }],
            implements: vec![],
            type_names,
            docs: BTreeMap::new(),
            param_names: BTreeMap::new(),
        }
    }

    #[test]
    fn extension_items() {
        let core = core_with_names(&[(0, "malloc")], &[(1, "heap")]);
        let expected = r#"  (@interface type $point (;0;) (record (field "x" s32) (field "y" s32)))
  (@interface type $shape (;1;) (variant (case "circle" f32) (case "rect" $point) (case "dot")))
  (@interface type (;2;) (list u8))
  (@interface type $"not an id" (;3;) (enum "red" "green"))
  (@interface type (;4;) (flags "read"))
  (@interface type (;5;) (flags))
  (@interface type (;6;) (option string))
  (@interface type (;7;) (result s32 (error string)))
  (@interface type (;8;) (result (error $"not an id")))
  (@interface type (;9;) (result))
  (@interface type (;10;) (tuple bool char (type 2)))
  (@interface type (;11;) (func (param $point) (param (type 2)) (result $shape)))
  (@interface import "host" "log \"point\"" (func (;0;) (type 11)))
  (@interface func (;1;) (type 11)
    arg.get 0
    record.lower $point
    record.lift $point
    value.lower $point $malloc
    value.lift (type 2) utf16 $heap
    value.load $"not an id"
    value.store (type 4) 9 latin1
    value.store_new string $malloc 2
    i32-to-char)
  (@interface func (;2;) (type 11))
  (@interface export "flip" (func 1))
"#;
        assert_eq!(print_booklet(&shapes(), &core), expected);
        assert_eq!(print_valtype(ValType::Type(0), &shapes()), "$point");
        assert_eq!(print_valtype(ValType::Type(4), &shapes()), "(type 4)");
        assert_eq!(print_valtype(ValType::Externref, &shapes()), "externref");
    }

    #[test]
    fn quoting() {
        assert_eq!(quote("plain"), "\"plain\"");
        assert_eq!(quote("a\"b\\c"), "\"a\\\"b\\\\c\"");
        assert_eq!(quote("tab\tnl\n\u{7f}"), "\"tab\\u{9}nl\\u{a}\\u{7f}\"");
        assert_eq!(quote("ünï ✓"), "\"ünï ✓\"");
        // wast reads them back to the same strings
        for s in ["a\"b\\c", "tab\tnl\n\u{7f}\u{0}", "ünï ✓"] {
            let wat = format!("(module (func (export {})))", quote(s));
            let bytes = wat::parse_str(&wat).unwrap();
            let core = CoreModule::parse(&bytes).unwrap();
            assert_eq!(core.exports[0].name, s);
        }
    }
}
