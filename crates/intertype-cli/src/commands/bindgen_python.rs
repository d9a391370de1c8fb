//! `intertype bindgen python MODULE --out-dir DIR`: a typed Python module
//! over the `intertype` package. Writes `DIR/<name>.py` (a class with one
//! method per export; the module's record, enum, flags and variant classes
//! under their interface names), `DIR/<name>.pyi` (the types, for editors
//! and `mypy --strict`) and `DIR/<name>.wasm` (loaded by the `.py`).
//!
//! The classes themselves are the ones the package makes when it loads the
//! module (`Module.types`); this generator names them with the same rules
//! and in the same order (exports, then imports, depth first), so the `.py`
//! only binds names. Every name from the module goes through [`ident`] /
//! [`class`] and every doc string through [`py_str`]: nothing the module
//! says reaches the generated code unescaped.

use anyhow::{bail, Context, Result};
use intertype::{Booklet, TypeDef, ValType};
use intertype_runtime::{Engine, ExportKind, Module, Type};
use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;
use std::path::PathBuf;

/// Arguments of `bindgen python`.
#[derive(clap::Args)]
pub struct PythonArgs {
    /// Input module (binary or text); `-` for standard input.
    input: PathBuf,
    /// Directory to write `<name>.py`, `<name>.pyi` and `<name>.wasm` to
    /// (created if missing).
    #[arg(long, short = 'o')]
    out_dir: PathBuf,
    /// Base name of the output files and of the class, a Python identifier
    /// [default: the input's file stem].
    #[arg(long)]
    name: Option<String>,
}

pub fn run(args: PythonArgs) -> Result<()> {
    let bytes = crate::io::read_module(&args.input)?;
    let stem = match &args.name {
        Some(n) => n.clone(),
        None => args
            .input
            .file_stem()
            .and_then(|s| s.to_str())
            .filter(|s| *s != "-")
            .unwrap_or("module")
            .to_string(),
    };
    let name = ident(&stem);
    if args.name.is_some() && name != stem {
        bail!("`--name {stem}` is not a Python identifier (try `{name}`)");
    }
    let module = Module::new(&Engine::default(), &bytes)
        .with_context(|| format!("failed to load `{}`", args.input.display()))?;
    let parsed = intertype::Module::from_binary(&bytes)?;
    let (py, pyi) = generate(&name, &module, &parsed.booklet)?;
    std::fs::create_dir_all(&args.out_dir)
        .with_context(|| format!("failed to create `{}`", args.out_dir.display()))?;
    let write = |file: String, data: &[u8]| -> Result<()> {
        let path = args.out_dir.join(file);
        std::fs::write(&path, data).with_context(|| format!("failed to write `{}`", path.display()))
    };
    write(format!("{name}.py"), py.as_bytes())?;
    write(format!("{name}.pyi"), pyi.as_bytes())?;
    write(format!("{name}.wasm"), &bytes)?;
    Ok(())
}

// ---------------------------------------------------------------------------
// Names: `intertype::python_names`, the rules the Python package uses too.

use intertype::python_names::{camel as class, snake as ident, unique, upper};

/// The Python parameter names of an export: the booklet's names made
/// identifiers (never `self`, never twice), `arg{i}` where there is none.
fn param_names(booklet: &Booklet, kind: &ExportKind, count: usize) -> Vec<String> {
    let named = |i: usize| match kind {
        ExportKind::Adapter(idx) => booklet.param_name(*idx, i).map(ident),
        ExportKind::Core(_) => None,
    };
    // `self` goes first so that a parameter named `self` is renamed.
    let mut names = unique(
        std::iter::once("self".to_string())
            .chain((0..count).map(|i| named(i).unwrap_or_else(|| format!("arg{i}")))),
    );
    names.remove(0);
    names
}

/// A Python string literal with the same value as `s`: printable ASCII as
/// is, everything else escaped (so no quote, newline, control or bidi
/// character from the module appears raw in the source).
fn py_str(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            ' '..='~' => out.push(c),
            c if (c as u32) < 0x100 => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if (c as u32) < 0x10000 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => {
                let _ = write!(out, "\\U{:08x}", c as u32);
            }
        }
    }
    out.push('"');
    out
}

// ---------------------------------------------------------------------------
// Types

/// A named class of the module: what the `.pyi` declares.
enum ClassDef {
    Record(Vec<(String, String)>),
    Enum(Vec<(String, String)>),
    Flags(Vec<String>),
    /// Case class name, payload annotation.
    Variant(Vec<(String, Option<String>)>),
}

struct Types<'a> {
    booklet: &'a Booklet,
    names: BTreeMap<u32, String>,
    taken: HashSet<String>,
    /// In creation order.
    classes: Vec<(String, ClassDef)>,
}

impl Types<'_> {
    /// The annotation of a value of `ty`; makes the classes it needs, in
    /// the order the package makes them.
    fn ann(&mut self, ty: ValType, depth: usize) -> Result<String> {
        if depth > 200 {
            bail!("type nests too deeply");
        }
        let idx = match ty {
            ValType::Bool => return Ok("bool".into()),
            ValType::F32 | ValType::F64 => return Ok("float".into()),
            ValType::Char | ValType::String => return Ok("str".into()),
            ValType::Externref => return Ok("Any".into()),
            ValType::Type(i) => i,
            _ => return Ok("int".into()),
        };
        if let Some(n) = self.names.get(&idx) {
            return Ok(n.clone());
        }
        let d = depth + 1;
        let def = self.booklet.types.get(idx as usize).cloned();
        Ok(match def {
            Some(TypeDef::List(ValType::U8)) => "bytes".into(),
            Some(TypeDef::List(t)) => format!("list[{}]", self.ann(t, d)?),
            Some(TypeDef::Option(t)) => {
                let inner = self.ann(t, d)?;
                let wrap = t == ValType::Externref
                    || matches!(self.booklet.typedef(t), Some(TypeDef::Option(_)));
                if wrap {
                    format!("Optional[intertype.Some[{inner}]]")
                } else {
                    format!("Optional[{inner}]")
                }
            }
            Some(TypeDef::Result { ok, err }) => {
                let ok = ok
                    .map(|t| self.ann(t, d))
                    .transpose()?
                    .unwrap_or("None".into());
                let err = err
                    .map(|t| self.ann(t, d))
                    .transpose()?
                    .unwrap_or("None".into());
                format!("Union[intertype.Ok[{ok}], intertype.Err[{err}]]")
            }
            Some(TypeDef::Tuple(ts)) => {
                let items = ts
                    .iter()
                    .map(|t| self.ann(*t, d))
                    .collect::<Result<Vec<_>>>()?;
                if items.is_empty() {
                    "tuple[()]".into()
                } else {
                    format!("tuple[{}]", items.join(", "))
                }
            }
            Some(TypeDef::Record(fs)) => {
                let py_names = unique(fs.iter().map(|f| ident(&f.name)));
                let mut fields = Vec::new();
                for (f, n) in fs.iter().zip(py_names) {
                    fields.push((n, self.ann(f.ty, d)?));
                }
                self.define(idx, "Record", ClassDef::Record(fields))
            }
            Some(TypeDef::Variant(cs)) => {
                let py_names = unique(cs.iter().map(|c| class(&c.name)));
                let mut cases = Vec::new();
                for (c, n) in cs.iter().zip(py_names) {
                    cases.push((n, c.ty.map(|t| self.ann(t, d)).transpose()?));
                }
                self.define(idx, "Variant", ClassDef::Variant(cases))
            }
            Some(TypeDef::Enum(ns)) => {
                let py_names = unique(ns.iter().map(|n| upper(n)));
                self.define(
                    idx,
                    "Enum",
                    ClassDef::Enum(py_names.into_iter().zip(ns).collect()),
                )
            }
            Some(TypeDef::Flags(ns)) => {
                let py_names = unique(ns.iter().map(|n| upper(n)));
                self.define(idx, "Flags", ClassDef::Flags(py_names))
            }
            Some(TypeDef::Func(_)) | None => bail!("type {idx} is not a value type"),
        })
    }

    fn define(&mut self, idx: u32, kind: &str, def: ClassDef) -> String {
        let base = match self.booklet.type_names.get(&idx) {
            Some(n) => class(n),
            None => format!("{kind}{idx}"),
        };
        let mut name = base.clone();
        let mut n = 2;
        while self.taken.contains(&name) {
            name = format!("{base}{n}");
            n += 1;
        }
        self.taken.insert(name.clone());
        self.names.insert(idx, name.clone());
        self.classes.push((name.clone(), def));
        name
    }
}

fn core_ann(t: &Type) -> &'static str {
    match t {
        Type::F32 | Type::F64 => "float",
        Type::Externref => "Any",
        _ => "int",
    }
}

struct Method {
    name: String,
    py_name: String,
    params: Vec<String>,
    /// Python names of the parameters: the booklet's parameter names as
    /// identifiers, `arg0`… where a parameter has none.
    param_names: Vec<String>,
    /// The annotation of what the method returns.
    returns: String,
    doc: Option<String>,
}

fn generate(name: &str, module: &Module, booklet: &Booklet) -> Result<(String, String)> {
    let mut types = Types {
        booklet,
        names: BTreeMap::new(),
        taken: HashSet::new(),
        classes: Vec::new(),
    };
    let py_names = unique(module.exports().iter().map(|e| ident(&e.name)));
    let mut methods = Vec::new();
    for (e, py_name) in module.exports().iter().zip(py_names) {
        let (params, results, doc) = match e.kind {
            ExportKind::Adapter(idx) => {
                let f = booklet
                    .adapter_func_type(idx)
                    .with_context(|| format!("adapter {idx} has no type"))?;
                let params = f
                    .params
                    .iter()
                    .map(|t| types.ann(*t, 0))
                    .collect::<Result<Vec<_>>>()?;
                // The only result a `result`: the method returns `ok`'s payload.
                let results = match f.results.as_slice() {
                    [t] => match booklet.typedef(*t) {
                        Some(TypeDef::Result { ok, .. }) => {
                            types.ann(*t, 0)?;
                            vec![ok
                                .map(|t| types.ann(t, 0))
                                .transpose()?
                                .unwrap_or("None".into())]
                        }
                        _ => vec![types.ann(*t, 0)?],
                    },
                    rs => rs
                        .iter()
                        .map(|t| types.ann(*t, 0))
                        .collect::<Result<Vec<_>>>()?,
                };
                (params, results, booklet.docs.get(&idx).cloned())
            }
            ExportKind::Core(_) => (
                e.ty.params
                    .iter()
                    .map(|t| core_ann(t).to_string())
                    .collect(),
                e.ty.results
                    .iter()
                    .map(|t| core_ann(t).to_string())
                    .collect(),
                None,
            ),
        };
        let returns = match results.as_slice() {
            [] => "None".to_string(),
            [one] => one.clone(),
            many => format!("tuple[{}]", many.join(", ")),
        };
        let param_names = param_names(booklet, &e.kind, params.len());
        methods.push(Method {
            name: e.name.clone(),
            py_name,
            params,
            param_names,
            returns,
            doc,
        });
    }
    // Imports make their classes after the exports, as the package does.
    for (idx, _) in booklet.imports.iter().enumerate() {
        if let Some(f) = booklet.adapter_func_type(idx as u32) {
            for t in f.results.iter().chain(&f.params) {
                types.ann(*t, 0)?;
            }
        }
    }
    let class_name = class(name);
    Ok((
        emit_py(name, &class_name, &types, &methods),
        emit_pyi(&class_name, &types, &methods),
    ))
}

const HEADER: &str = "# Generated by `intertype bindgen python`; do not edit.\n";

fn emit_py(name: &str, class_name: &str, types: &Types<'_>, methods: &[Method]) -> String {
    let mut s = String::from(HEADER);
    s.push_str(
        "from __future__ import annotations\n\nfrom pathlib import Path\nfrom typing import Any, Mapping, Optional\n\nimport intertype\n\n",
    );
    let _ = writeln!(
        s,
        "module = intertype.Module.from_file(Path(__file__).with_name({}))\n",
        py_str(&format!("{name}.wasm"))
    );
    for (n, _) in &types.classes {
        let _ = writeln!(s, "{n} = module.types.{n}");
    }
    let _ = write!(
        s,
        "\n\nclass {class_name}:\n    \"\"\"An instance of `{name}.wasm`.\"\"\"\n\n    def __init__(\n        self,\n        imports: Optional[Mapping[str, Any]] = None,\n        *,\n        wasi: bool = False,\n        fuel: Optional[int] = None,\n        max_memory: Optional[int] = None,\n    ) -> None:\n        self.instance = intertype.Instance(module, imports, wasi=wasi, fuel=fuel, max_memory=max_memory)\n        exports = self.instance.exports\n"
    );
    for m in methods {
        let _ = writeln!(
            s,
            "        self._{} = exports[{}]",
            m.py_name,
            py_str(&m.name)
        );
    }
    for m in methods {
        let params = &m.param_names;
        let mut sig = vec!["self".to_string()];
        sig.extend(params.iter().cloned());
        let _ = writeln!(
            s,
            "\n    def {}({}):  # type: ignore[no-untyped-def]",
            m.py_name,
            sig.join(", ")
        );
        if let Some(doc) = &m.doc {
            let _ = writeln!(s, "        {}", py_str(doc.trim()));
        }
        let _ = writeln!(
            s,
            "        return self._{}({})",
            m.py_name,
            params.join(", ")
        );
    }
    s
}

fn emit_pyi(class_name: &str, types: &Types<'_>, methods: &[Method]) -> String {
    let mut s = String::from(HEADER);
    s.push_str("import enum\nfrom typing import Any, Mapping, Optional, Union\n\nimport intertype\n\nmodule: intertype.Module\n");
    for (n, def) in &types.classes {
        s.push('\n');
        match def {
            ClassDef::Record(fields) => {
                let _ = writeln!(s, "class {n}:");
                let args: Vec<String> = fields
                    .iter()
                    .map(|(f, t)| format!("{f}: {}", expand_variants(t, types)))
                    .collect();
                let _ = writeln!(
                    s,
                    "    __match_args__ = ({})",
                    fields
                        .iter()
                        .map(|(f, _)| format!("{f:?}, "))
                        .collect::<String>()
                );
                for a in &args {
                    let _ = writeln!(s, "    {a}");
                }
                let mut init = vec!["self".to_string()];
                init.extend(args);
                let _ = writeln!(s, "    def __init__({}) -> None: ...", init.join(", "));
            }
            ClassDef::Enum(members) => {
                let _ = writeln!(s, "class {n}(enum.Enum):");
                if members.is_empty() {
                    s.push_str("    pass\n");
                }
                for (m, case) in members {
                    let _ = writeln!(s, "    {m} = {}", py_str(case));
                }
            }
            ClassDef::Flags(members) => {
                let _ = writeln!(s, "class {n}(enum.Flag):");
                if members.is_empty() {
                    s.push_str("    pass\n");
                }
                for (i, m) in members.iter().enumerate() {
                    let _ = writeln!(s, "    {m} = {}", 1u128 << i.min(127));
                }
            }
            ClassDef::Variant(cases) => {
                let _ = writeln!(s, "class {n}(intertype.Variant):");
                for (c, payload) in cases {
                    match payload {
                        Some(t) => {
                            let t = expand_variants(t, types);
                            let _ = writeln!(
                                s,
                                "    class {c}(intertype.Variant):\n        __match_args__ = (\"value\",)\n        value: {t}\n        def __init__(self, value: {t}) -> None: ..."
                            );
                        }
                        None => {
                            let _ = writeln!(
                                s,
                                "    class {c}(intertype.Variant):\n        value: None\n        def __init__(self) -> None: ..."
                            );
                        }
                    }
                }
                if cases.is_empty() {
                    s.push_str("    pass\n");
                }
            }
        }
    }
    let _ = write!(
        s,
        "\nclass {class_name}:\n    instance: intertype.Instance\n    def __init__(\n        self,\n        imports: Optional[Mapping[str, Any]] = ...,\n        *,\n        wasi: bool = ...,\n        fuel: Optional[int] = ...,\n        max_memory: Optional[int] = ...,\n    ) -> None: ...\n"
    );
    for m in methods {
        let mut sig = vec!["self".to_string()];
        sig.extend(
            m.params
                .iter()
                .zip(&m.param_names)
                .map(|(t, n)| format!("{n}: {}", param_ann(t, types))),
        );
        let _ = writeln!(
            s,
            "    def {}({}) -> {}:",
            m.py_name,
            sig.join(", "),
            ret_ann(&m.returns, types)
        );
        match &m.doc {
            Some(doc) => {
                let _ = writeln!(s, "        {}\n        ...", py_str(doc.trim()));
            }
            None => s.push_str("        ...\n"),
        }
    }
    s
}

/// Variant values are typed as the union of their cases (each case class
/// is its own class in the stub).
fn ret_ann(ann: &str, types: &Types<'_>) -> String {
    expand_variants(ann, types)
}

/// Arguments also accept an enum's case name.
fn param_ann(ann: &str, types: &Types<'_>) -> String {
    let a = expand_variants(ann, types);
    match types.classes.iter().find(|(n, _)| n == ann) {
        Some((_, ClassDef::Enum(_))) => format!("Union[{a}, str]"),
        _ => a,
    }
}

fn expand_variants(ann: &str, types: &Types<'_>) -> String {
    let mut out = ann.to_string();
    for (n, def) in &types.classes {
        if let ClassDef::Variant(cases) = def {
            if cases.is_empty() {
                continue;
            }
            let union = format!(
                "Union[{}]",
                cases
                    .iter()
                    .map(|(c, _)| format!("{n}.{c}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            out = replace_word(&out, n, &union);
        }
    }
    out
}

/// Replaces `word` where it stands alone (not inside a longer identifier or
/// after a `.`).
fn replace_word(s: &str, word: &str, with: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(at) = rest.find(word) {
        let before = rest[..at].chars().last();
        let after = rest[at + word.len()..].chars().next();
        let is_ident =
            |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.');
        out.push_str(&rest[..at]);
        if is_ident(before) || is_ident(after) {
            out.push_str(word);
        } else {
            out.push_str(with);
        }
        rest = &rest[at + word.len()..];
    }
    out.push_str(rest);
    out
}
