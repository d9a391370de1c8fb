//! The adapter compiler: fuses an importer's adapter with the exporter's
//! adapter that satisfies it into one core wasm function that copies values
//! from one linear memory straight into the other, with no intermediate
//! value (the role wasmtime's FACT plays for the component model).
//!
//! Input: the importer module A (whose booklet has an interface import, say
//! `lib` `greet`, and an `implement` adapter satisfying a core import with
//! it) and exporter modules named by link name (`lib` → B, exporting
//! `greet`). Output ([`Adapters`]): a core **adapter module** importing A's
//! and B's memories and core functions (by their export names) and exporting
//! one **fused** function per implemented core import of A, with exactly
//! that import's core type; plus a small **shim** module that breaks the
//! instantiation cycle (A needs the fused function, the fused function needs
//! A's memory): A imports the shim's functions, which call through the
//! shim's table; the table is filled with the adapter module's exports once
//! everything is instantiated. `docs/linking.md` describes the shapes and
//! [`fault`] the trap codes.
//!
//! The compiler reads adapters in the typed IR validation produces
//! ([`intertype::typed`]) and executes them symbolically: lifting
//! instructions produce *descriptions* of where a value lives (flat core
//! values in locals, or a place in one side's memory), and lowering
//! instructions on the other side turn a description straight into the
//! copy or transcoding that places the value in the other memory. The
//! engine-independent crate has no runtime dependency: `intertype` and
//! `wasm-encoder`.

mod code;
pub mod fault;
mod fuse;
mod module;
mod strings;
mod transfer;

pub use fault::{Fault, FaultKind, TRAP_CODE_GLOBAL};
pub use module::TABLE_EXPORT;

use intertype::{describe, layout, Booklet, TypeDef, ValType};
use std::fmt;

/// The result of compiling the links of one importer.
#[derive(Clone, Debug)]
pub struct Adapters {
    /// The adapter module (core wasm).
    pub module: Vec<u8>,
    /// The shim module: a table and one trampoline per fused function, with
    /// the same export names; A imports these.
    pub shim: Vec<u8>,
    /// What the adapter module imports, in order.
    pub imports: Vec<AdapterImport>,
    /// One entry per implemented core import of A that calls a linked
    /// interface import.
    pub links: Vec<Link>,
}

impl Adapters {
    /// The fused links.
    pub fn fused(&self) -> impl Iterator<Item = &Fused> {
        self.links.iter().filter_map(|l| match &l.outcome {
            Outcome::Fused(f) => Some(f),
            Outcome::NotFusable(_) => None,
        })
    }
}

/// One import of the adapter module: the module name says which side
/// ([`importer_module`] or [`exporter_module`]), the name is the side's
/// core export.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AdapterImport {
    pub module: String,
    pub name: String,
    /// 0: the importer; `n`: the `n`th exporter.
    pub side: u32,
    pub kind: ImportKind,
}

/// What an [`AdapterImport`] is in its side's core module.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImportKind {
    Func(u32),
    Memory(u32),
}

/// The import module name of the importer's items.
pub fn importer_module() -> &'static str {
    "importer"
}

/// The import module name of the items of exporter `name`.
pub fn exporter_module(name: &str) -> String {
    format!("exporter:{name}")
}

/// A core import of A and what the compiler made of it.
#[derive(Clone, Debug)]
pub struct Link {
    /// A's core function index of the import.
    pub core_func: u32,
    /// The core import's module and name.
    pub import: (String, String),
    /// The interface imports its adapter calls: `(module, name)`.
    pub calls: Vec<(String, String)>,
    pub outcome: Outcome,
}

#[derive(Clone, Debug)]
pub enum Outcome {
    Fused(Fused),
    /// The link works through host values; here is why it is not fused.
    NotFusable(NotFusable),
}

/// A fused function of the adapter module.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fused {
    /// A's core function index of the import it satisfies.
    pub core_func: u32,
    /// Its export name in the adapter module and in the shim.
    pub export: String,
    /// Its position in the shim's table.
    pub table_index: u32,
}

/// Why a link cannot be fused (it still works through host values).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NotFusable {
    /// The adapter calls an interface import that is not part of the link
    /// (a host function), or the exporter's adapter calls one of its own
    /// imports (a chain).
    UnlinkedCall {
        side: u32,
        module: String,
        name: String,
    },
    /// The exporter exports an interface import of its own.
    ReExport { side: u32, name: String },
    /// A core function or memory the adapters use is not exported.
    Unexported { side: u32, what: String },
    /// The fused function would be larger than the compiler allows (a value
    /// whose type definitions nest wide and deep).
    TooLarge,
}

impl fmt::Display for NotFusable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NotFusable::UnlinkedCall { side, module, name } => write!(
                f,
                "the adapter of side {side} calls interface import {module:?} {name:?}, \
                 which is not linked to a module"
            ),
            NotFusable::ReExport { side, name } => write!(
                f,
                "side {side} exports {name:?} as an interface import of its own"
            ),
            NotFusable::Unexported { side, what } => write!(
                f,
                "side {side}'s adapters use {what}, which its core module does not export"
            ),
            NotFusable::TooLarge => f.write_str("the fused function would be too large"),
        }
    }
}

/// Errors: invalid input or a link that cannot work at all.
#[derive(Debug)]
pub enum Error {
    /// A module is not valid (core wasm or booklet).
    Invalid {
        module: String,
        error: intertype::Error,
    },
    /// A linked import has no matching export.
    MissingExport {
        importer: String,
        exporter: String,
        name: String,
    },
    /// A linked import and its export have different types.
    TypeMismatch {
        importer: String,
        exporter: String,
        name: String,
        import_type: String,
        export_type: String,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Invalid { module, error } => write!(f, "{module}: {error}"),
            Error::MissingExport {
                importer,
                exporter,
                name,
            } => write!(
                f,
                "{importer} imports {name:?} from {exporter}, which does not export it"
            ),
            Error::TypeMismatch {
                importer,
                exporter,
                name,
                import_type,
                export_type,
            } => write!(
                f,
                "{importer} imports {name:?} as {import_type}, \
                 but {exporter} exports it as {export_type}"
            ),
        }
    }
}

impl std::error::Error for Error {}

/// One module taking part in a link.
pub(crate) struct Side {
    /// For messages: `the importer`, `exporter "lib"`.
    pub label: String,
    /// The link name (exporters only).
    pub name: Option<String>,
    pub import_module: String,
    pub module: intertype::Module,
    pub typed: intertype::typed::TypedBooklet,
    /// Where this side's type definitions start in the combined space.
    pub type_base: u32,
}

impl Side {
    pub fn booklet(&self) -> &Booklet {
        &self.module.booklet
    }

    /// This side's interface export `name`.
    pub fn export(&self, name: &str) -> Option<&intertype::Export> {
        self.booklet().exports.iter().find(|e| e.name == name)
    }

    /// A type of this side's booklet in the combined type space.
    pub fn ty(&self, t: ValType) -> ValType {
        shift(t, self.type_base)
    }
}

fn shift(t: ValType, base: u32) -> ValType {
    match t {
        ValType::Type(i) => ValType::Type(i + base),
        t => t,
    }
}

fn shift_def(def: &TypeDef, base: u32) -> TypeDef {
    let s = |t: &ValType| shift(*t, base);
    match def {
        TypeDef::Func(f) => TypeDef::Func(intertype::FuncType {
            params: f.params.iter().map(s).collect(),
            results: f.results.iter().map(s).collect(),
        }),
        TypeDef::Record(fields) => TypeDef::Record(
            fields
                .iter()
                .map(|f| intertype::Field {
                    name: f.name.clone(),
                    ty: s(&f.ty),
                })
                .collect(),
        ),
        TypeDef::Variant(cases) => TypeDef::Variant(
            cases
                .iter()
                .map(|c| intertype::Case {
                    name: c.name.clone(),
                    ty: c.ty.as_ref().map(s),
                })
                .collect(),
        ),
        TypeDef::Enum(n) => TypeDef::Enum(n.clone()),
        TypeDef::Flags(n) => TypeDef::Flags(n.clone()),
        TypeDef::List(t) => TypeDef::List(s(t)),
        TypeDef::Option(t) => TypeDef::Option(s(t)),
        TypeDef::Result { ok, err } => TypeDef::Result {
            ok: ok.as_ref().map(s),
            err: err.as_ref().map(s),
        },
        TypeDef::Tuple(ts) => TypeDef::Tuple(ts.iter().map(s).collect()),
    }
}

/// The exporter linked under `module` and its side number.
pub(crate) fn linked<'s>(sides: &'s [Side], module: &str) -> Option<(u32, &'s Side)> {
    let k = sides
        .iter()
        .skip(1)
        .position(|s| s.name.as_deref() == Some(module))?;
    Some((k as u32 + 1, &sides[k + 1]))
}

/// Compiles every link from `importer` to the `exporters` (`(link name,
/// module bytes)`): each interface import of A whose module is a link name
/// is satisfied by the exporter's export of the same name.
pub fn compile(importer: &[u8], exporters: &[(&str, &[u8])]) -> Result<Adapters, Error> {
    let mut sides = Vec::with_capacity(exporters.len() + 1);
    let load = |label: String, bytes: &[u8]| {
        let module = intertype::validate_module(bytes).map_err(|error| Error::Invalid {
            module: label.clone(),
            error,
        })?;
        let typed = intertype::typed::typed(&module.booklet, &module.core).map_err(|error| {
            Error::Invalid {
                module: label.clone(),
                error,
            }
        })?;
        Ok::<_, Error>((module, typed))
    };
    let mut base = 0u32;
    let mut types = Vec::new();
    let inputs =
        std::iter::once((None, importer)).chain(exporters.iter().map(|(n, b)| (Some(*n), *b)));
    for (name, bytes) in inputs {
        let label = match name {
            None => "the importer".to_string(),
            Some(n) => format!("exporter {n:?}"),
        };
        let (module, typed) = load(label.clone(), bytes)?;
        types.extend(module.booklet.types.iter().map(|d| shift_def(d, base)));
        let n = module.booklet.types.len() as u32;
        sides.push(Side {
            label,
            import_module: match name {
                None => importer_module().to_string(),
                Some(n) => exporter_module(n),
            },
            name: name.map(str::to_string),
            module,
            typed,
            type_base: base,
        });
        base += n;
    }
    check_links(&sides, &types)?;
    let mut builder = module::Builder::new(&sides, &types);
    let mut links = Vec::new();
    let a = sides[0].booklet();
    for imp in &a.implements {
        let calls = fuse::linked_calls(&sides, imp.adapter_func);
        if calls.is_empty() {
            continue;
        }
        let (module, name) = sides[0].module.core.funcs[imp.core_func as usize]
            .import
            .clone()
            .unwrap_or_default();
        let outcome = match builder.fuse(imp.core_func, imp.adapter_func, &module, &name) {
            Ok(f) => Outcome::Fused(f),
            Err(why) => Outcome::NotFusable(why),
        };
        links.push(Link {
            core_func: imp.core_func,
            import: (module, name),
            calls,
            outcome,
        });
    }
    let (module, shim, imports) = builder.finish();
    Ok(Adapters {
        module,
        shim,
        imports,
        links,
    })
}

/// Every linked interface import of A has an export of the same name and
/// structurally the same type.
fn check_links(sides: &[Side], types: &[TypeDef]) -> Result<(), Error> {
    let a = &sides[0];
    let mut cx = layout::Layouts::new(types);
    for import in &a.booklet().imports {
        let Some((_, b)) = linked(sides, &import.module) else {
            continue;
        };
        let missing = || Error::MissingExport {
            importer: a.label.clone(),
            exporter: b.label.clone(),
            name: import.name.clone(),
        };
        let export = b.export(&import.name).ok_or_else(missing)?;
        let want = a
            .booklet()
            .func_type(import.ty)
            .cloned()
            .unwrap_or_default();
        let have = b
            .booklet()
            .adapter_func_type(export.func)
            .cloned()
            .unwrap_or_default();
        let same =
            |x: &[ValType], xs: &Side, y: &[ValType], ys: &Side, cx: &mut layout::Layouts<'_>| {
                x.len() == y.len()
                    && x.iter()
                        .zip(y)
                        .all(|(p, q)| cx.same_type(xs.ty(*p), ys.ty(*q)))
            };
        if !same(&want.params, a, &have.params, b, &mut cx)
            || !same(&want.results, a, &have.results, b, &mut cx)
        {
            return Err(Error::TypeMismatch {
                importer: a.label.clone(),
                exporter: b.label.clone(),
                name: import.name.clone(),
                import_type: describe::func_type(a.booklet(), &want),
                export_type: describe::func_type(b.booklet(), &have),
            });
        }
    }
    Ok(())
}
