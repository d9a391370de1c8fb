//! The JavaScript polyfill: reads a module's `wasm-interface-types` booklet
//! and generates glue for engines without interface types — an ES module
//! (`instantiate(imports?, wasm?)` → one JS function per interface export), a
//! TypeScript declaration file, and the module rewritten so that JS can
//! reach every core function and memory the adapters use.
//!
//! A pipeline, as code generators in this field are built:
//! 1. **descriptors** — the validated [`intertype::Module`];
//! 2. **IR** — `Plan`: what is exported, imported, implemented, passed
//!    through, in index order (deterministic; no hash order anywhere);
//! 3. **emitter** — each adapter compiled to straight-line JS
//!    (`adapter.rs`), per-type canonical-layout code (`canon.rs`), and the
//!    runtime helpers they use, each emitted once (`helpers.rs`).
//!
//! The JS value mapping and the Web API binding convention are documented
//! in `docs/js.md`.

mod adapter;
mod canon;
mod dts;
mod fuse;
mod helpers;
pub mod interface;
mod link;
mod quote;
mod snippets;
mod trampoline;
mod wasmlink;
mod xfer;

pub use link::{generate_linked, File, Link, LinkOptions, LinkReport, LinkedOutput, Mechanism};

use adapter::Compiler;
use canon::TypeGen;
use helpers::{Helper, Helpers};
use intertype::core::ExportKind;
use intertype::{Instruction, TypeDef, ValType};
use quote::{comment, js_str};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// The files `intertype bindgen js` writes.
#[derive(Debug, Clone)]
pub struct Output {
    /// `<name>.js`, an ES module.
    pub js: String,
    /// `<name>.d.ts`.
    pub dts: String,
    /// `<name>.wasm`: the input with extra exports where adapters need them.
    pub wasm: Vec<u8>,
}

/// Generation options.
#[derive(Debug, Clone)]
pub struct Options {
    /// Base name of the output files; the glue loads `./<name>.wasm` (next
    /// to itself) when `instantiate` is given no module.
    pub name: String,
}

/// Why glue could not be generated, and whose fault it is.
#[derive(Debug)]
pub struct Error {
    kind: ErrorKind,
    message: String,
    /// The decoder's or validator's error, kept whole for its kind and byte
    /// offset.
    format: Option<intertype::Error>,
}

/// What kind of [`Error`] glue generation hit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The module is malformed or ill-typed (the module's fault); see
    /// [`Error::format_error`] for the binary/core/validation kind and offset.
    Format(intertype::ErrorKind),
    /// The module is valid but uses something the JS generator cannot
    /// express, or its booklet is inconsistent in a way the validator does
    /// not catch.
    Unsupported,
    /// The [`Options`] are invalid (the caller's fault), e.g. an output name
    /// that is not a plain file name.
    Options,
    /// Linked modules do not fit together (`bindgen js --link`): a missing
    /// or ill-typed export, a cycle, or a linked module that is not valid.
    Link,
    /// An invariant of the generator itself did not hold (a bug in
    /// intertype-js, not the input's fault): reported as an error rather
    /// than a panic, so a caller never crashes on any input.
    Internal,
}

impl Error {
    #[cold]
    fn unsupported(message: impl Into<String>) -> Error {
        Error {
            kind: ErrorKind::Unsupported,
            message: message.into(),
            format: None,
        }
    }

    #[cold]
    fn link(message: impl Into<String>) -> Error {
        Error {
            kind: ErrorKind::Link,
            message: message.into(),
            format: None,
        }
    }

    #[cold]
    fn internal(message: impl Into<String>) -> Error {
        Error {
            kind: ErrorKind::Internal,
            message: format!("internal error: {}", message.into()),
            format: None,
        }
    }

    #[cold]
    fn options(message: impl Into<String>) -> Error {
        Error {
            kind: ErrorKind::Options,
            message: message.into(),
            format: None,
        }
    }

    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The message without its kind.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The format error (with [`intertype::Error::offset`]) behind a
    /// [`ErrorKind::Format`] error.
    pub fn format_error(&self) -> Option<&intertype::Error> {
        self.format.as_ref()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.format {
            Some(e) => fmt::Display::fmt(e, f),
            None => f.write_str(&self.message),
        }
    }
}

// No `source()`: the display already is the format error's (with its
// location), and error chains (`{:#}`) would print it twice; the format
// error itself is `Error::format_error`.
impl std::error::Error for Error {}

impl From<intertype::Error> for Error {
    fn from(e: intertype::Error) -> Error {
        Error {
            kind: ErrorKind::Format(e.kind()),
            message: e.message().to_string(),
            format: Some(e),
        }
    }
}

/// An interface export in the IR.
#[derive(Debug, Clone)]
pub(crate) struct PlanExport {
    pub name: String,
    pub func: u32,
}

/// The IR: what the glue must provide, in index order.
#[derive(Debug)]
pub(crate) struct Plan {
    pub exports: Vec<PlanExport>,
    /// Core function exports no adapter touches, passed through with core types.
    pub passthrough: Vec<(String, u32)>,
    /// Interface imports by adapter index: `(module, name)`.
    pub imports: Vec<(String, String)>,
    /// Core imports implemented by adapters: `(module, name) -> adapter`.
    pub implements: BTreeMap<(String, String), u32>,
    /// Adapter functions (not imports) reachable from exports and implements.
    pub funcs: BTreeSet<u32>,
    /// Module names served by linked modules (`bindgen js --link`), and
    /// whether the glue is part of a linked graph at all.
    pub linked: BTreeSet<String>,
    pub in_graph: bool,
}

fn plan(module: &intertype::Module) -> Result<Plan, Error> {
    let b = &module.booklet;
    let core = &module.core;
    let exports: Vec<PlanExport> = b
        .exports
        .iter()
        .map(|e| PlanExport {
            name: e.name.clone(),
            func: e.func,
        })
        .collect();
    let mut implements = BTreeMap::new();
    for i in &b.implements {
        let f = core
            .funcs
            .get(i.core_func as usize)
            .and_then(|f| f.import.clone())
            .ok_or_else(|| {
                Error::unsupported(format!(
                    "implement: core function {} is not an import",
                    i.core_func
                ))
            })?;
        implements.insert(f, i.adapter_func);
    }
    // Reachable adapters.
    let nimports = b.imports.len() as u32;
    let mut funcs = BTreeSet::new();
    let mut work: Vec<u32> = exports
        .iter()
        .map(|e| e.func)
        .chain(implements.values().copied())
        .collect();
    while let Some(f) = work.pop() {
        if f < nimports || !funcs.insert(f) {
            continue;
        }
        let func = b
            .funcs
            .get((f - nimports) as usize)
            .ok_or_else(|| Error::unsupported(format!("adapter function {f} does not exist")))?;
        for i in &func.instrs {
            if let Instruction::CallAdapter(g) = i {
                work.push(*g);
            }
        }
    }
    // Core functions any adapter touches are hidden behind the interface.
    let mut adapted = BTreeSet::new();
    for f in &b.funcs {
        for i in &f.instrs {
            match i {
                Instruction::CallCore(c) | Instruction::DeferCallCore(c) => {
                    adapted.insert(*c);
                }
                Instruction::StringToMemory { malloc, .. }
                | Instruction::ValueLower { malloc, .. }
                | Instruction::ValueStore { malloc, .. }
                | Instruction::ValueStoreNew { malloc, .. } => {
                    adapted.insert(*malloc);
                }
                _ => {}
            }
        }
    }
    let passthrough = core
        .exports
        .iter()
        .filter(|e| {
            // `__intertype_*` exports belong to the toolchain (the panic
            // message export), not to the interface.
            e.kind == ExportKind::Func
                && !adapted.contains(&e.index)
                && !exports.iter().any(|x| x.name == e.name)
                && !e.name.starts_with("__intertype_")
        })
        .map(|e| (e.name.clone(), e.index))
        .collect();
    let imports = b
        .imports
        .iter()
        .map(|i| (i.module.clone(), i.name.clone()))
        .collect();
    Ok(Plan {
        exports,
        passthrough,
        imports,
        implements,
        funcs,
        linked: BTreeSet::new(),
        in_graph: false,
    })
}

/// Checks a base name for the output files: it becomes a file name in the
/// output directory and a relative URL in the glue, so it must be a plain
/// file name (no path separators, no `..`, nothing unprintable).
pub fn check_name(name: &str) -> Result<(), Error> {
    let bad = name.is_empty()
        || name == "."
        || name == ".."
        || name.len() > 200
        || name
            .chars()
            .any(|c| c == '/' || c == '\\' || c.is_control() || c == '\u{2028}' || c == '\u{2029}');
    if bad {
        return Err(Error::options(format!(
            "invalid output name {}: expected a plain file name (no path separators, `..` or control characters)",
            quote::js_str(name)
        )));
    }
    Ok(())
}

/// Whether `ty` (a function's only result) is a `result`: exports throw its
/// error case, imports return it by throwing `ResultError`.
fn single_result(b: &intertype::Booklet, results: &[ValType]) -> bool {
    matches!(results, [t] if matches!(b.typedef(*t), Some(TypeDef::Result { .. })))
}

/// Generates the glue for a binary module (validated here).
pub fn generate(wasm: &[u8], options: &Options) -> Result<Output, Error> {
    check_name(&options.name)?;
    Ok(generate_node(wasm, &options.name, None)?.output)
}

/// A module of a linked graph, as the glue of the modules importing it
/// needs to know it.
pub(crate) struct Generated {
    module: intertype::Module,
    /// Export names of the core functions and memories its glue exposes.
    funcs: BTreeMap<u32, String>,
    memories: BTreeMap<u32, String>,
    realloc: BTreeSet<u32>,
    /// The module as its glue writes it (what an adapter module imports from).
    wasm: Vec<u8>,
}

/// Where the module being generated sits in a linked graph.
pub(crate) struct Graph<'n> {
    /// Its name in errors.
    label: String,
    fuse: bool,
    fuse_in_wasm: bool,
    /// The modules it links, in the order its imports name them.
    deps: Vec<GraphDep<'n>>,
}

pub(crate) struct GraphDep<'n> {
    /// The link name (the module name of its interface imports).
    link: String,
    /// Base name of its glue file.
    file: String,
    gen: &'n Generated,
}

pub(crate) struct NodeOutput {
    output: Output,
    generated: Generated,
    report: Vec<LinkReport>,
    /// Files besides the glue and the module (the adapter module).
    files: Vec<link::File>,
}

/// A linked module's memories are `MEM_{k * MEM_STRIDE + m}` in its
/// importer's glue (the importer's own keep their indices).
const MEM_STRIDE: u32 = 1 << 16;

/// The glue of one module, alone or as a node of a linked graph.
pub(crate) fn generate_node(
    wasm: &[u8],
    name: &str,
    graph: Option<&Graph<'_>>,
) -> Result<NodeOutput, Error> {
    let module = intertype::validate_module(wasm)?;
    let plan = plan(&module)?;
    let b = &module.booklet;
    let core = &module.core;

    let mut c = Compiler {
        booklet: b,
        core,
        types: TypeGen::new(&b.types),
        helpers: Helpers::default(),
        core_funcs: BTreeSet::new(),
        prefix: String::new(),
        mem_base: 0,
    };
    let mut adapters = String::new();
    for &f in &plan.funcs {
        adapters.push_str(&c.adapter(f).map_err(Error::unsupported)?);
    }
    // Linked modules: their export adapters are fused into implements.
    let no_graph = Graph {
        label: String::new(),
        fuse: false,
        fuse_in_wasm: false,
        deps: Vec::new(),
    };
    let g = graph.unwrap_or(&no_graph);
    let mut exporters: Vec<fuse::Exporter<'_>> = g
        .deps
        .iter()
        .enumerate()
        .map(|(k, d)| {
            let prefix = format!("L{}_", k + 1);
            let mut types = TypeGen::new(&d.gen.module.booklet.types);
            types.core_prefix = prefix.clone();
            fuse::Exporter {
                link: d.link.clone(),
                compiler: Compiler {
                    booklet: &d.gen.module.booklet,
                    core: &d.gen.module.core,
                    types,
                    helpers: Helpers::default(),
                    core_funcs: BTreeSet::new(),
                    prefix,
                    mem_base: (k as u32 + 1) * MEM_STRIDE,
                },
            }
        })
        .collect();
    let mut xfer = xfer::Xfer::default();
    let mut fused: BTreeMap<u32, String> = BTreeMap::new();
    let mut unfused: BTreeMap<u32, String> = BTreeMap::new();
    let is_linked = |m: &str| g.deps.iter().any(|d| d.link == m);
    let fusable_memories = (core.memories.len() as u64) < MEM_STRIDE as u64
        && g.deps
            .iter()
            .all(|d| (d.gen.module.core.memories.len() as u64) < MEM_STRIDE as u64);
    // Implemented core imports with several results go through a wasm
    // trampoline in linked glue (fused or not, so the two compare fairly).
    let mut tramp: BTreeMap<u32, Vec<intertype::CoreType>> = BTreeMap::new();
    if graph.is_some() {
        for (key, &a) in &plan.implements {
            let sig = core
                .funcs
                .iter()
                .find(|f| f.import.as_ref() == Some(key))
                .and_then(|f| f.ty.known());
            if let Some((ps, rs)) = sig {
                if trampoline::fits(&ps, &rs) {
                    tramp.insert(a, rs);
                }
            }
        }
    }
    for &a in plan.implements.values() {
        if link::linked_imports(b, a, &is_linked).is_empty() || fused.contains_key(&a) {
            continue;
        }
        if !g.fuse {
            unfused.insert(a, "fusing is off (--no-fuse)".into());
            continue;
        }
        if !fusable_memories {
            unfused.insert(a, "too many memories".into());
            continue;
        }
        let before: Vec<(BTreeSet<u32>, Helpers)> = exporters
            .iter()
            .map(|e| (e.compiler.core_funcs.clone(), e.compiler.helpers.clone()))
            .collect();
        let helpers_before = c.helpers.clone();
        let labels = std::iter::once(g.label.clone())
            .chain(g.deps.iter().map(|d| d.link.clone()))
            .collect();
        let mut fuser = fuse::Fuser::new(&mut c, &mut exporters, &mut xfer, labels);
        fuser.results_to = tramp.get(&a).cloned();
        let r = fuser.fuse(a);
        // The exporter's glue must reach every core function used.
        let unreachable = exporters.iter().zip(&g.deps).find_map(|(e, d)| {
            e.compiler
                .core_funcs
                .iter()
                .chain(&e.compiler.types.mallocs)
                .find(|f| !d.gen.funcs.contains_key(f))
                .map(|f| {
                    format!(
                        "module {} does not export core function {f}",
                        js_str(&d.link)
                    )
                })
        });
        // … and every memory (views of an exporter's memory are made when
        // the importer's glue instantiates).
        let unreachable = unreachable.or_else(|| {
            let views: BTreeSet<u32> = c
                .helpers
                .views()
                .chain(exporters.iter().flat_map(|e| e.compiler.helpers.views()))
                .collect();
            views.into_iter().find_map(|m| {
                let k = (m / MEM_STRIDE) as usize;
                let d = g.deps.get(k.checked_sub(1)?)?;
                (!d.gen.memories.contains_key(&(m % MEM_STRIDE))).then(|| {
                    format!(
                        "module {} does not export memory {}",
                        js_str(&d.link),
                        m % MEM_STRIDE
                    )
                })
            })
        });
        match (r, unreachable) {
            (Ok(code), None) => {
                fused.insert(a, code);
            }
            (r, why) => {
                for (e, (f, h)) in exporters.iter_mut().zip(before) {
                    e.compiler.core_funcs = f;
                    e.compiler.helpers = h;
                }
                c.helpers = helpers_before;
                unfused.insert(a, r.err().or(why).unwrap_or_default());
            }
        }
    }
    for e in &exporters {
        c.helpers.absorb(&e.compiler.helpers);
    }
    if graph.is_some() {
        c.helpers.need(Helper::LinkErrors);
    }
    let mut type_funcs = c.types.emit();
    for e in &exporters {
        type_funcs.push_str(&e.compiler.types.emit());
    }
    type_funcs.push_str(&xfer.emit());
    c.core_funcs.extend(c.types.mallocs.iter().copied());
    let memories = c.types.memories.clone();

    // Core functions the glue calls: imports resolve on the JS side; others
    // by export name (added by the rewrite when missing).
    let nimported = core.funcs.iter().take_while(|f| f.import.is_some()).count() as u32;
    let defined: BTreeSet<u32> = c
        .core_funcs
        .iter()
        .copied()
        .filter(|&f| f >= nimported)
        .collect();
    let exposed = intertype::core::expose(
        wasm,
        &defined,
        &memories,
        intertype::core::ExposeOptions::default(),
    )?;

    // Links the adapter compiler fuses in wasm (against the modules as the
    // glue writes them: the exports it adds are what the adapters import).
    let linked_implements: BTreeMap<(String, String), u32> = plan
        .implements
        .iter()
        .filter(|(_, &a)| !link::linked_imports(b, a, &is_linked).is_empty())
        .map(|(k, &a)| (k.clone(), a))
        .collect();
    let mut not_in_wasm: BTreeMap<u32, String> = BTreeMap::new();
    let mut wasm_links = None;
    if g.fuse && g.fuse_in_wasm && !linked_implements.is_empty() {
        let exporters_wasm: Vec<(&str, &[u8])> = g
            .deps
            .iter()
            .map(|d| (d.link.as_str(), &d.gen.wasm[..]))
            .collect();
        match wasmlink::compile(&exposed.wasm, &exporters_wasm, &linked_implements) {
            Ok(w) => {
                not_in_wasm.extend(w.why_not.clone());
                if !w.fused.is_empty() {
                    wasm_links = Some(w);
                }
            }
            Err(why) => {
                for &a in linked_implements.values() {
                    not_in_wasm.insert(a, why.clone());
                }
            }
        }
    } else if g.fuse {
        for &a in linked_implements.values() {
            not_in_wasm.insert(a, "fusing in wasm is off (--fuse-in-js)".into());
        }
    }
    // A link fused in wasm keeps its JS-fused function (or its adapter
    // through JS values) and trampoline: the fallback on a JS engine
    // without wasm multi-memory (Node 20), chosen when the glue loads.
    let in_wasm = |a: &u32| wasm_links.as_ref().is_some_and(|w| w.fused.contains_key(a));
    for code in fused.values() {
        adapters.push_str(code);
    }
    // Trampoline entries: the fused function, or the adapter through a
    // wrapper storing its results.
    let mut tramp_entries = Vec::new();
    let mut tramp_index: BTreeMap<u32, usize> = BTreeMap::new();
    for (a, rs) in &tramp {
        let ps = b
            .adapter_func_type(*a)
            .map(|t| t.params.len())
            .unwrap_or_default();
        let params: Vec<String> = (0..ps).map(|i| format!("a{i}")).collect();
        let js = if fused.contains_key(a) {
            format!("fz{a}")
        } else {
            let stores: Vec<String> = rs
                .iter()
                .enumerate()
                .map(|(j, t)| trampoline::store(j, *t, &format!("r[{j}]")))
                .collect();
            adapters.push_str(&format!(
                "function tw{a}({p}) {{\n  const r = af{a}({p});\n  {}\n}}\n",
                stores.join(" "),
                p = params.join(", ")
            ));
            format!("tw{a}")
        };
        let (cps, _) = core
            .funcs
            .iter()
            .find(|f| {
                plan.implements
                    .iter()
                    .any(|(k, v)| v == a && f.import.as_ref() == Some(k))
            })
            .and_then(|f| f.ty.known())
            .unwrap_or_default();
        tramp_index.insert(*a, tramp_entries.len());
        tramp_entries.push(trampoline::Entry {
            js,
            params: cps,
            results: rs.clone(),
        });
    }

    let h = &mut c.helpers;
    h.need(Helper::TooManyArgs);
    h.need(Helper::Trap);
    if !plan.imports.is_empty() {
        h.need(Helper::HostImport);
    }
    for e in &plan.exports {
        if let Some(ty) = b.adapter_func_type(e.func) {
            if single_result(b, &ty.results) {
                h.need(Helper::UnwrapResult);
            }
        }
    }
    for (i, _) in plan.imports.iter().enumerate() {
        if let Some(ty) = b.adapter_func_type(i as u32) {
            if single_result(b, &ty.results) {
                h.need(Helper::WrapResult);
            }
        }
    }
    // `ResultError` is always exported, so users can throw it from imports.
    h.need(Helper::ResultError);

    let mut js = String::new();
    js.push_str(&format!(
        "// Generated by `intertype bindgen js` from {}. Do not edit.\n// Interface exports: {}.\n\n",
        comment(&format!("{name}.wasm")),
        if plan.exports.is_empty() {
            "none".to_string()
        } else {
            plan.exports.iter().map(|e| comment(&e.name)).collect::<Vec<_>>().join(", ")
        }
    ));
    for (k, d) in g.deps.iter().enumerate() {
        js.push_str(&format!(
            "import {{ instantiateLinked as link{k}, ResultError as ResultError{k} }} from {};\n",
            js_str(&format!("./{}.js", d.file)),
            k = k + 1
        ));
    }
    if graph.is_some() {
        js.push('\n');
    }
    js.push_str(&c.helpers.emit(false));
    if graph.is_some() {
        js.push_str("// A module's core exports without fault mapping (what adapter modules import).\nconst RAW_CORE = Symbol.for('intertype.rawCore');\n");
    }
    if let Some(w) = &wasm_links {
        js.push_str(wasmlink::ADAPTER_ERRORS);
        js.push_str(wasmlink::WASM_FUSION);
        let list: Vec<String> = w.shim.iter().map(|b| b.to_string()).collect();
        js.push_str(&format!(
            "// The adapter compiler's shim: the importer's fused imports, calling through its table.\nconst ADAPTER_SHIM = WASM_FUSION ? WebAssembly.compile(new Uint8Array([{}])) : null;\n",
            list.join(",")
        ));
    }
    if !tramp_entries.is_empty() {
        let bytes = trampoline::module(&tramp_entries);
        let list: Vec<String> = bytes.iter().map(|b| b.to_string()).collect();
        js.push_str(&format!(
            "// Multi-value results of implemented imports, through wasm (`trampoline.rs`).\nconst TRAMPOLINES = WebAssembly.compile(new Uint8Array([{}]));\n",
            list.join(",")
        ));
    }
    js.push_str(LOAD_MODULE);
    let default_wasm = format!(
        "new URL({}, import.meta.url)",
        js_str(&format!("./{name}.wasm"))
    );
    js.push_str(&format!(
        "\n/**\n * Instantiates {}{} with its interface.\n * @param imports interface imports by module and name (plain JS functions), and any other core imports\n * @param wasm the module: a URL, a path string, bytes, a WebAssembly.Module, a Response or a promise of one (default: the module of that name next to this file)\n */\n",
        comment(&format!("{name}.wasm")),
        if graph.is_some() { " (and the modules it links)" } else { "" },
    ));
    if graph.is_some() {
        js.push_str(&format!(
            "export async function instantiate(imports = {{}}, wasm = {default_wasm}) {{\n  return instantiateLinked(imports, new Map(), wasm);\n}}\n\n/** `instantiate` within one instantiation of a graph of linked modules (`graph`: one instance of each), for the glue of the modules linking this one. */\nexport async function instantiateLinked(imports = {{}}, graph = new Map(), wasm = {default_wasm}) {{\n"
        ));
    } else {
        js.push_str(&format!(
            "export async function instantiate(imports = {{}}, wasm = {default_wasm}) {{\n"
        ));
    }
    if wasm_links.is_some() {
        js.push_str(&format!(
            "  // The adapter module fusing this module's links (`<name>.adapters.wasm`).\n  const ADAPTER_MODULE = WASM_FUSION ? loadModule(new URL({}, import.meta.url)) : null;\n  ADAPTER_MODULE?.catch(() => {{}});\n",
            js_str(&format!("./{name}.adapters.wasm"))
        ));
    }
    js.push_str("  const module = await loadModule(wasm);\n");
    // Linked modules first (each once per graph).
    for (k, d) in g.deps.iter().enumerate() {
        js.push_str(&format!(
            "  const L{k} = await linked(graph, {f}, () => link{k}(imports, graph));\n",
            k = k + 1,
            f = js_str(&d.file)
        ));
    }
    // Interface imports, resolved once.
    for (i, (m, n)) in plan.imports.iter().enumerate() {
        let wrap = b
            .adapter_func_type(i as u32)
            .is_some_and(|t| single_result(b, &t.results));
        let resolve = match g.deps.iter().position(|d| &d.link == m) {
            Some(k) => format!(
                "linkImport(L{k}, {}, {}, ResultError{k})",
                js_str(m),
                js_str(n),
                k = k + 1
            ),
            None => format!("hostImport(imports, {}, {})", js_str(m), js_str(n)),
        };
        if wrap {
            js.push_str(&format!("  const I{i} = wrapResult({resolve});\n"));
        } else {
            js.push_str(&format!("  const I{i} = {resolve};\n"));
        }
    }
    // Core functions and memories, bound after instantiation.
    let mut lets: Vec<String> = c.core_funcs.iter().map(|f| format!("C{f}")).collect();
    lets.extend(memories.iter().map(|m| format!("MEM_{m}")));
    // A fused link's exporter: its core functions and memories, bound
    // now (it is instantiated; the importer's start may call them).
    let mut link_bindings = String::new();
    for (k, (e, d)) in exporters.iter().zip(&g.deps).enumerate() {
        let k = k + 1;
        let used: BTreeSet<u32> = e
            .compiler
            .core_funcs
            .iter()
            .chain(&e.compiler.types.mallocs)
            .copied()
            .filter(|f| d.gen.funcs.contains_key(f))
            .collect();
        if used.is_empty() {
            continue;
        }
        link_bindings.push_str(&format!("  const X{k} = L{k}.$core;\n"));
        for f in &used {
            let n = js_str(&d.gen.funcs[f]);
            let name = e.compiler.core_name(*f);
            lets.push(name.clone());
            if d.gen.realloc.contains(f) {
                link_bindings.push_str(&format!(
                    "  {name} = ((r) => (n, a) => r(0, 0, a, n))(X{k}[{n}]);\n"
                ));
            } else {
                link_bindings.push_str(&format!("  {name} = X{k}[{n}];\n"));
            }
        }
        for (m, n) in &d.gen.memories {
            let m = e.compiler.mem(*m);
            lets.push(format!("MEM_{m}"));
            link_bindings.push_str(&format!("  MEM_{m} = X{k}[{}];\n", js_str(n)));
        }
    }
    if !lets.is_empty() {
        js.push_str(&format!("  let {};\n", lets.join(", ")));
    }
    js.push_str(&link_bindings);
    // Adapters.
    js.push('\n');
    for line in adapters.lines() {
        js.push_str("  ");
        js.push_str(line);
        js.push('\n');
    }
    if !tramp_entries.is_empty() {
        let fs: Vec<String> = tramp_entries
            .iter()
            .enumerate()
            .map(|(k, e)| format!("f{k}: {}", e.js))
            .collect();
        js.push_str(&format!(
            "\n  const {{ exports: TR }} = await WebAssembly.instantiate(await TRAMPOLINES, {{ js: {{ {} }} }});\n  const RES_I32 = new Int32Array(TR.r.buffer), RES_I64 = new BigInt64Array(TR.r.buffer);\n  const RES_F32 = new Float32Array(TR.r.buffer), RES_F64 = new Float64Array(TR.r.buffer);\n",
            fs.join(", ")
        ));
    }
    // The import object: everything the user passed, plus implemented imports.
    if wasm_links.is_some() {
        js.push_str("\n  const SHIM = WASM_FUSION ? (await WebAssembly.instantiate(await ADAPTER_SHIM)).exports : null;\n");
    }
    js.push_str("\n  const importObject = Object.assign({}, imports);\n");
    let mut by_module: BTreeMap<&str, Vec<(&str, u32)>> = BTreeMap::new();
    for ((m, n), a) in &plan.implements {
        by_module.entry(m).or_default().push((n, *a));
    }
    for (m, items) in &by_module {
        let fields: Vec<String> = items
            .iter()
            .map(|(n, a)| {
                let js = match tramp_index.get(a) {
                    Some(k) => format!("TR.t{k}"),
                    None => {
                        let f = if fused.contains_key(a) { "fz" } else { "af" };
                        format!("{f}{a}")
                    }
                };
                match wasm_links.as_ref().and_then(|w| w.fused.get(a)) {
                    Some(f) => format!(
                        "{}: WASM_FUSION ? SHIM[{}] : {js}",
                        js_str(n),
                        js_str(&f.export)
                    ),
                    None => format!("{}: {js}", js_str(n)),
                }
            })
            .collect();
        js.push_str(&format!(
            "  importObject[{m}] = Object.assign({{}}, imports[{m}], {{ {} }});\n",
            fields.join(", "),
            m = js_str(m)
        ));
    }
    js.push_str("  const { exports: ex } = await WebAssembly.instantiate(module, importObject);\n");
    let realloc_form = realloc_allocators(b, core);
    for f in &c.core_funcs {
        let func = &core.funcs[*f as usize];
        match &func.import {
            Some((m, n)) => match plan.implements.get(&(m.clone(), n.clone())) {
                Some(a) => js.push_str(&format!("  C{f} = af{a};\n")),
                None => js.push_str(&format!(
                    "  C{f} = importObject[{}][{}];\n",
                    js_str(m),
                    js_str(n)
                )),
            },
            // The canonical ABI's `cabi_realloc(old_ptr, old_size, align,
            // new_size)`: the glue calls every allocator as `(size, align)`.
            None if realloc_form.contains(f) => js.push_str(&format!(
                "  C{f} = ((r) => (n, a) => r(0, 0, a, n))(ex[{}]);\n",
                js_str(&exposed.funcs[f])
            )),
            None => js.push_str(&format!("  C{f} = ex[{}];\n", js_str(&exposed.funcs[f]))),
        }
    }
    for m in &memories {
        js.push_str(&format!(
            "  MEM_{m} = ex[{}];\n",
            js_str(&exposed.memories[m])
        ));
    }
    // The adapter module, between this instance and the exporters'; its
    // fused functions go into the shim's table.
    if let Some(w) = &wasm_links {
        let mut sides = vec![format!(
            "{}: ex",
            js_str(intertype_adapt::importer_module())
        )];
        for (k, d) in g.deps.iter().enumerate() {
            sides.push(format!(
                "{}: L{}[RAW_CORE]",
                js_str(&intertype_adapt::exporter_module(&d.link)),
                k + 1
            ));
        }
        js.push_str(&format!(
            "  let linkFault = (e) => e;\n  if (WASM_FUSION) {{\n    const {{ exports: AD }} = await WebAssembly.instantiate(await ADAPTER_MODULE, {{ {} }});\n",
            sides.join(", ")
        ));
        for f in w.fused.values() {
            js.push_str(&format!(
                "    SHIM[{}].set({}, AD[{}]);\n",
                js_str(intertype_adapt::TABLE_EXPORT),
                f.table_index,
                js_str(&f.export)
            ));
        }
        let labels: Vec<String> = std::iter::once(&g.label)
            .chain(g.deps.iter().map(|d| &d.link))
            .map(|l| js_str(l))
            .collect();
        js.push_str(&format!(
            "    const TRAP_CODE = AD[{}], SIDES = [{}];\n    linkFault = (e) => adapterFault(e, TRAP_CODE, SIDES);\n  }}\n",
            js_str(intertype_adapt::TRAP_CODE_GLOBAL),
            labels.join(", ")
        ));
    }
    let instance_helpers = c.helpers.emit(true);
    for text in [instance_helpers, type_funcs] {
        if text.is_empty() {
            continue;
        }
        js.push('\n');
        for line in text.lines() {
            js.push_str("  ");
            js.push_str(line);
            js.push('\n');
        }
    }
    // A guest that reports its panics (`docs/format.md`, *Panic messages*):
    // its traps carry the message.
    let reports_panics = core
        .exports
        .iter()
        .any(|e| e.kind == ExportKind::Func && e.name == PANIC_MESSAGE_EXPORT);
    if reports_panics {
        js.push_str(GUEST_PANIC);
    }
    // The interface: every export in `$exports`, a null-prototype object
    // (so `__proto__` or `constructor` are plain names); the same on the
    // returned object except the names the glue reserves (`then` would make
    // it a thenable that `await` never settles).
    js.push_str("\n  const all = Object.create(null);\n");
    for e in &plan.exports {
        let ty = b
            .adapter_func_type(e.func)
            .ok_or_else(|| Error::unsupported(format!("export {}: bad type", js_str(&e.name))))?;
        let target = if (e.func as usize) < plan.imports.len() {
            format!("I{}", e.func)
        } else {
            format!("af{}", e.func)
        };
        let ps: Vec<String> = (0..ty.params.len()).map(|i| format!("a{i}")).collect();
        let p = ps.join(", ");
        let n = ps.len();
        let single = single_result(b, &ty.results);
        let call = if single {
            format!("unwrapResult({target}({p}))")
        } else {
            format!("{target}({p})")
        };
        let key = js_str(&e.name);
        // A wrapper passes on exactly its parameters: it checks the count.
        let check = format!("if (arguments.length > {n}) tooManyArgs({n}, arguments.length);");
        if reports_panics || wasm_links.is_some() {
            // A trap out of a fused call in wasm becomes the error naming
            // the module at fault; a guest's panic carries its message.
            let rethrow = match (reports_panics, wasm_links.is_some()) {
                (true, true) => "guestPanic(linkFault(e))",
                (true, false) => "guestPanic(e)",
                _ => "linkFault(e)",
            };
            js.push_str(&format!(
                "  all[{key}] = function ({p}) {{\n    {check}\n    try {{\n      return {call};\n    }} catch (e) {{\n      throw {rethrow};\n    }}\n  }};\n"
            ));
        } else if single {
            js.push_str(&format!(
                "  all[{key}] = function ({p}) {{\n    {check}\n    return {call};\n  }};\n"
            ));
        } else {
            js.push_str(&format!("  all[{key}] = {target};\n"));
        }
    }
    for (n, _) in &plan.passthrough {
        js.push_str(&format!("  all[{}] = ex[{}];\n", js_str(n), js_str(n)));
    }
    js.push_str("  const api = Object.create(null);\n  for (const name of Object.keys(all)) {\n    if (name !== 'then' && name !== '$core' && name !== '$exports') api[name] = all[name];\n  }\n");
    if wasm_links.is_some() {
        js.push_str("  // The core instance's exports, for backward-compatible use (traps out of\n  // fused calls mapped to errors naming the module at fault).\n  Object.defineProperty(api, '$core', { value: WASM_FUSION ? faultMappedCore(ex, linkFault) : ex });\n");
    } else {
        js.push_str("  // The core instance's exports, for backward-compatible use.\n  Object.defineProperty(api, '$core', { value: ex });\n");
    }
    if graph.is_some() {
        js.push_str("  Object.defineProperty(api, RAW_CORE, { value: ex });\n");
    }
    js.push_str("  Object.defineProperty(api, '$exports', { value: all });\n  return api;\n}\n");

    // What satisfies each linked interface import.
    let mut report = Vec::new();
    if graph.is_some() {
        for (i, (m, n)) in plan.imports.iter().enumerate() {
            if !is_linked(m) {
                continue;
            }
            let callers: Vec<u32> = plan
                .implements
                .values()
                .copied()
                .filter(|&a| link::linked_imports(b, a, &is_linked).contains(&(i as u32)))
                .collect();
            let why = callers.iter().find_map(|a| unfused.get(a).cloned());
            // In wasm if every caller is (they share the import); the
            // fallback without multi-memory is the JS mechanism.
            let js_mechanism = if why.is_some() {
                Mechanism::Values
            } else {
                Mechanism::Js
            };
            let (mechanism, unfused) = if callers.is_empty() {
                (
                    Mechanism::Values,
                    Some("no implement adapter calls it (its callers get JS values)".into()),
                )
            } else if callers.iter().all(in_wasm) {
                (Mechanism::Wasm, None)
            } else {
                (js_mechanism, why.clone())
            };
            let not_in_wasm = match mechanism {
                Mechanism::Wasm => None,
                _ => callers.iter().find_map(|a| not_in_wasm.get(a).cloned()),
            };
            report.push(LinkReport {
                importer: g.label.clone(),
                module: m.clone(),
                name: n.clone(),
                unfused,
                mechanism,
                not_in_wasm,
                fallback: (js_mechanism, why),
            });
        }
        let entries: Vec<String> = report
            .iter()
            .map(|r| {
                let why = r.unfused.as_deref().or(r.not_in_wasm.as_deref());
                let (fused, mechanism, why) = if r.mechanism == Mechanism::Wasm {
                    // Decided when the glue loads: the fallback's.
                    let (m, why) = &r.fallback;
                    let why = format!(
                        "this JS engine has no wasm multi-memory{}",
                        why.as_deref().map(|w| format!("; {w}")).unwrap_or_default()
                    );
                    (
                        format!("WASM_FUSION || {}", *m == Mechanism::Js),
                        format!("WASM_FUSION ? \"wasm\" : {}", js_str(m.as_str())),
                        format!("WASM_FUSION ? null : {}", js_str(&why)),
                    )
                } else {
                    (
                        r.unfused.is_none().to_string(),
                        js_str(r.mechanism.as_str()),
                        why.map_or("null".into(), js_str),
                    )
                };
                format!(
                    "  {{ importer: {}, module: {}, name: {}, fused: {fused}, mechanism: {mechanism}, why: {why} }},\n",
                    js_str(&r.importer),
                    js_str(&r.module),
                    js_str(&r.name),
                )
            })
            .collect();
        js.push_str(&format!(
            "\n/** What satisfies each interface import of this module that a linked module serves: fused memory to memory (`mechanism` \"wasm\": in the adapter module; \"js\": in this glue) or through JS values (\"values\"), and why not fused in wasm. */\nexport const linkReport = Object.freeze([\n{}]);\n",
            entries.concat()
        ));
    }

    let mut plan = plan;
    plan.in_graph = graph.is_some();
    plan.linked = g.deps.iter().map(|d| d.link.clone()).collect();
    let dts = dts::generate(&module, &plan, name);
    let realloc = realloc_allocators(b, core);
    let files = match wasm_links {
        Some(w) => vec![link::File {
            name: format!("{name}.adapters.wasm"),
            contents: w.module,
        }],
        None => Vec::new(),
    };
    Ok(NodeOutput {
        output: Output {
            js,
            dts,
            wasm: exposed.wasm.clone(),
        },
        generated: Generated {
            funcs: exposed.funcs,
            memories: exposed.memories,
            realloc,
            module: module.clone(),
            wasm: exposed.wasm,
        },
        report,
        files,
    })
}

/// The core export of a guest's panic message.
const PANIC_MESSAGE_EXPORT: &str = "__intertype_panic_message";

/// After a trap, asks the guest for its panic message (bounded, decoded
/// lossily, control characters other than newlines escaped) and throws a
/// `RuntimeError` that says it, with the trap as its `cause`.
const GUEST_PANIC: &str = r#"
  const guestPanic = (e) => {
    if (!(e instanceof WebAssembly.RuntimeError)) return e;
    let area;
    try { area = ex.__intertype_panic_message() >>> 0; } catch { return e; }
    const mem = ex.memory;
    if (area === 0 || !(mem instanceof WebAssembly.Memory) || area + 8 > mem.buffer.byteLength) return e;
    const dv = new DataView(mem.buffer);
    const ptr = dv.getUint32(area, true);
    const len = Math.min(dv.getUint32(area + 4, true), 4096);
    if (ptr + len > mem.buffer.byteLength) return e;
    const text = new TextDecoder().decode(new Uint8Array(mem.buffer, ptr, len))
      .replace(':\n', ': ')
      .replace(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/g, (c) => `\\u{${c.charCodeAt(0).toString(16)}}`);
    return new WebAssembly.RuntimeError(`the guest ${text}`, { cause: e });
  };
"#;

const LOAD_MODULE: &str = r#"
async function loadModule(src) {
  if (src instanceof Promise) src = await src;
  if (src instanceof WebAssembly.Module) return src;
  if (src instanceof ArrayBuffer || ArrayBuffer.isView(src)) return WebAssembly.compile(src);
  if (typeof Response === 'function' && src instanceof Response) {
    return WebAssembly.compile(await src.arrayBuffer());
  }
  if (typeof src === 'string') {
    src = new URL(src, globalThis.location !== undefined ? globalThis.location.href : 'file://' + (globalThis.process ? globalThis.process.cwd() + '/' : '/'));
  }
  if (src instanceof URL) {
    if (src.protocol === 'file:') {
      const fs = await import('node:fs/promises');
      return WebAssembly.compile(await fs.readFile(src));
    }
    const response = await fetch(src);
    if (!response.ok) throw new Error(`fetching ${src}: ${response.status} ${response.statusText}`);
    return WebAssembly.compile(await response.arrayBuffer());
  }
  throw new TypeError('expected a URL, a path, bytes, a WebAssembly.Module or a Response for the module');
}
"#;

/// Allocators of the canonical ABI's four-parameter `cabi_realloc` form
/// (`docs/format.md`), called only as allocators.
fn realloc_allocators(b: &intertype::Booklet, core: &intertype::core::CoreModule) -> BTreeSet<u32> {
    use Instruction as I;
    let mut mallocs = BTreeSet::new();
    let mut called = BTreeSet::new();
    for func in &b.funcs {
        for i in &func.instrs {
            match i {
                I::StringToMemory { malloc, .. }
                | I::ValueLower { malloc, .. }
                | I::ValueStore { malloc, .. }
                | I::ValueStoreNew { malloc, .. } => {
                    mallocs.insert(*malloc);
                }
                I::CallCore(f) | I::DeferCallCore(f) => {
                    called.insert(*f);
                }
                _ => {}
            }
        }
    }
    mallocs
        .into_iter()
        .filter(|f| !called.contains(f))
        .filter(|f| {
            core.funcs
                .get(*f as usize)
                .and_then(|c| c.ty.known())
                .is_some_and(|(p, _)| p.len() == 4)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::{Path, PathBuf};

    /// A malformed module is the module's fault, with the decoder's kind and
    /// byte offset kept; a bad output name is the caller's.
    #[test]
    fn errors_say_whose_fault() {
        let mut wasm = b"\0asm\x01\0\0\0".to_vec();
        // A custom section `wasm-interface-types` holding version 0.2.0.
        let payload = [&[20u8][..], b"wasm-interface-types", b"\x050.2.0"].concat();
        wasm.push(0);
        wasm.push(payload.len() as u8);
        wasm.extend_from_slice(&payload);
        let options = Options { name: "m".into() };
        let e = generate(&wasm, &options).unwrap_err();
        assert_eq!(
            e.kind(),
            ErrorKind::Format(intertype::ErrorKind::Binary),
            "{e}"
        );
        assert_eq!(e.format_error().and_then(|f| f.offset()), Some(31), "{e}");
        let e = check_name("../x").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Options);
        assert!(e.format_error().is_none());
    }

    /// Every module the JS tests use: the shared corpus, the conformance
    /// modules, the examples.
    fn modules() -> Vec<PathBuf> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let mut out = Vec::new();
        for dir in [
            "tests/corpus/article",
            "tests/corpus/reference",
            "tests/corpus/extension",
            "tests/corpus/wasm-bindgen",
            "tests/conformance/modules",
            "tests/js/modules",
            "examples/markdown-web",
        ] {
            for e in std::fs::read_dir(root.join(dir)).unwrap() {
                let p = e.unwrap().path();
                if matches!(p.extension().and_then(|e| e.to_str()), Some("wat" | "wasm")) {
                    out.push(p);
                }
            }
        }
        out.sort();
        assert!(out.len() >= 14, "{out:?}");
        out
    }

    #[test]
    fn every_module_generates_deterministic_glue() {
        for path in modules() {
            let bytes = intertype::parse_file(&path).unwrap();
            let options = Options { name: "m".into() };
            let a =
                generate(&bytes, &options).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let b = generate(&bytes, &options).unwrap();
            assert_eq!(a.js, b.js);
            assert_eq!(a.dts, b.dts);
            assert_eq!(a.wasm, b.wasm);
            assert!(a.js.contains("export async function instantiate("));
            wasmparser::Validator::new()
                .validate_all(&a.wasm)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            // The rewritten module keeps its interface.
            let m = intertype::Module::from_binary(&a.wasm).unwrap();
            assert_eq!(
                m.booklet,
                intertype::Module::from_binary(&bytes).unwrap().booklet
            );
            for e in &m.booklet.exports {
                assert!(
                    a.js.contains(&format!("all[{}] =", js_str(&e.name))),
                    "{}",
                    e.name
                );
            }
        }
    }

    #[test]
    fn unexported_functions_are_exported_for_the_glue() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let bytes = std::fs::read(root.join("tests/corpus/wasm-bindgen/markdown.wasm")).unwrap();
        let out = generate(
            &bytes,
            &Options {
                name: "markdown".into(),
            },
        )
        .unwrap();
        assert!(out.wasm.len() > bytes.len());
        assert!(out.js.contains("ex[\"__intertype_func_"));
        // A module that exports what its adapters use is written unchanged.
        let g =
            intertype::parse_file(&root.join("tests/corpus/article/greeting-param.wat")).unwrap();
        assert_eq!(generate(&g, &Options { name: "g".into() }).unwrap().wasm, g);
    }

    /// `--link`: deterministic files for the importer and its exporter, a
    /// fused report; a missing export and a cycle are `Link` errors.
    #[test]
    fn linked_glue_is_deterministic_and_link_errors_are_link_errors() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let fixtures = root.join("crates/intertype-adapt/tests/fixtures");
        let app = intertype::parse_file(&fixtures.join("greet-app.wat")).unwrap();
        let lib = intertype::parse_file(&fixtures.join("greet-utf16.wat")).unwrap();
        let links = [Link {
            name: "lib".into(),
            wasm: lib.clone(),
        }];
        let options = LinkOptions {
            name: "app".into(),
            fuse: true,
            fuse_in_wasm: true,
        };
        let a = generate_linked(&app, &links, &options).unwrap();
        let b = generate_linked(&app, &links, &options).unwrap();
        let names: Vec<&str> = a.files.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "app.link1.js",
                "app.link1.d.ts",
                "app.link1.wasm",
                "app.js",
                "app.d.ts",
                "app.wasm",
                "app.adapters.wasm"
            ]
        );
        for (x, y) in a.files.iter().zip(&b.files) {
            assert_eq!(x.contents, y.contents, "{}", x.name);
        }
        assert_eq!(a.report.len(), 1);
        assert_eq!(a.report[0].mechanism, Mechanism::Wasm, "{:?}", a.report);
        wasmparser::Validator::new()
            .validate_all(&a.files[6].contents)
            .expect("a valid adapter module");
        let js = String::from_utf8(a.files[3].contents.clone()).unwrap();
        assert!(js.contains("SHIM[\"table\"].set("), "the table is filled");
        assert!(
            js.contains("WASM_FUSION ? SHIM[") && js.contains("function fz1("),
            "the JS-fused function is the fallback without multi-memory"
        );
        // Fused in JS: no adapter module, the fused function in the glue.
        let in_js = generate_linked(
            &app,
            &links,
            &LinkOptions {
                fuse_in_wasm: false,
                ..options.clone()
            },
        )
        .unwrap();
        assert_eq!(in_js.files.len(), 6);
        assert_eq!(in_js.report[0].mechanism, Mechanism::Js);
        assert_eq!(in_js.report[0].unfused, None, "{:?}", in_js.report);
        let js = String::from_utf8(in_js.files[3].contents.clone()).unwrap();
        let fz = &js[js.find("function fz1(").expect("the link is fused")..];
        let fz = &fz[..fz.find("\n  }\n").unwrap()];
        assert!(
            !fz.contains("liftUtf8") && !fz.contains("lowerUtf16"),
            "no JS string in between: {fz}"
        );
        let unfused = generate_linked(
            &app,
            &links,
            &LinkOptions {
                fuse: false,
                ..options.clone()
            },
        )
        .unwrap();
        assert!(unfused.report[0].unfused.is_some());
        assert_eq!(unfused.report[0].mechanism, Mechanism::Values);
        // `lib` exports no `greet`: its importer (the fixture app) is
        // linked to itself under another name.
        let e = generate_linked(
            &lib,
            &[Link {
                name: "x".into(),
                wasm: app.clone(),
            }],
            &options,
        );
        assert!(e.is_ok(), "nothing imports `x`: nothing to check");
        let e = generate_linked(
            &app,
            &[Link {
                name: "lib".into(),
                wasm: app.clone(),
            }],
            &options,
        )
        .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Link, "{e}");
        assert!(e.to_string().contains("cycle"), "{e}");
    }

    #[test]
    fn invalid_modules_are_errors() {
        assert!(generate(b"\0asm\x01\0\0\0\x05", &Options { name: "x".into() }).is_err());
        assert!(generate(b"not wasm", &Options { name: "x".into() }).is_err());
    }
}
