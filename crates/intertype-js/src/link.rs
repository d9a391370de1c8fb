//! `intertype bindgen js app.wasm --link lib=lib.wasm`: glue for a module
//! whose interface imports other modules satisfy, with the engine's
//! `Linker::module` semantics (`docs/linking.md`): every interface import
//! whose module is a link name is served by that module's export of the same
//! name and a structurally equal type; chains (A → B → C) and several
//! importers of one exporter (one instance of it per instantiation) work,
//! and host imports sit next to links.
//!
//! Every module of the graph gets its own glue file (the importer's is
//! `<name>.js`, the others `<name>.link<k>.js` next to their `.wasm`); each
//! imports the glue of the modules it links and instantiates them first.
//! Calls are **fused** ([`crate::fuse`]: memory to memory) where the
//! importer's `implement` adapter and the exporter's export adapter allow
//! it, and otherwise go through JS values (the exporter's interface
//! function called like a host function). `linkReport` in each file says
//! which.

use crate::{generate_node, Error, Generated, Graph, GraphDep};
use std::collections::BTreeSet;

/// A module to link: `--link NAME=FILE`.
#[derive(Debug, Clone)]
pub struct Link {
    /// The module name its importers use.
    pub name: String,
    /// The module (binary).
    pub wasm: Vec<u8>,
}

/// Options of [`generate_linked`].
#[derive(Debug, Clone)]
pub struct LinkOptions {
    /// Base name of the importer's files (`<name>.js`, `<name>.wasm`); the
    /// linked modules' are `<name>.link<k>.*`.
    pub name: String,
    /// Fuse links where possible (`false`: every link through JS values).
    pub fuse: bool,
    /// Fuse in wasm where the adapter compiler can (`intertype-adapt`: an
    /// adapter module instantiated between the two modules, so a fused call
    /// is wasm to wasm); `false`, or a link it cannot fuse: fused in
    /// generated JS.
    pub fuse_in_wasm: bool,
}

/// How a linked import is served.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mechanism {
    /// By a fused function of the importer's adapter module (wasm to wasm).
    Wasm,
    /// By a fused function in the importer's generated JS.
    Js,
    /// By the exporter's interface function, through JS values.
    Values,
}

impl Mechanism {
    /// The name `linkReport` uses.
    pub fn as_str(self) -> &'static str {
        match self {
            Mechanism::Wasm => "wasm",
            Mechanism::Js => "js",
            Mechanism::Values => "values",
        }
    }
}

/// One generated file.
#[derive(Debug, Clone)]
pub struct File {
    pub name: String,
    pub contents: Vec<u8>,
}

/// How one interface import of one module of the graph is satisfied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkReport {
    /// The importing module (the output name, or a link name).
    pub importer: String,
    pub module: String,
    pub name: String,
    /// `None`: fused (in wasm or in JS); `Some(why)`: through JS values.
    pub unfused: Option<String>,
    pub mechanism: Mechanism,
    /// Why a link fused in JS or through JS values is not fused in wasm.
    pub not_in_wasm: Option<String>,
    /// A link fused in wasm: what serves it on a JS engine without wasm
    /// multi-memory (the glue decides when it loads), and why not fused in
    /// JS. Otherwise the mechanism itself.
    pub fallback: (Mechanism, Option<String>),
}

/// The files of a linked graph and what satisfies each linked import.
#[derive(Debug, Clone)]
pub struct LinkedOutput {
    pub files: Vec<File>,
    pub report: Vec<LinkReport>,
}

/// Generates glue for `app` and, transitively, every linked module it uses.
pub fn generate_linked(
    app: &[u8],
    links: &[Link],
    options: &LinkOptions,
) -> Result<LinkedOutput, Error> {
    crate::check_name(&options.name)?;
    let mut seen = BTreeSet::new();
    for l in links {
        if l.name.is_empty() {
            return Err(Error::options("a link name is empty".to_string()));
        }
        if !seen.insert(&l.name) {
            return Err(Error::options(format!(
                "module {} is linked twice",
                crate::quote::js_str(&l.name)
            )));
        }
    }
    let mut modules = vec![intertype::validate_module(app)?];
    for l in links {
        modules.push(intertype::validate_module(&l.wasm).map_err(|e| {
            Error::link(format!(
                "linked module {}: {e}",
                crate::quote::js_str(&l.name)
            ))
        })?);
    }
    let label = |i: usize| {
        if i == 0 {
            options.name.clone()
        } else {
            links[i - 1].name.clone()
        }
    };
    // Each module's links, in the order its interface imports name them.
    let deps: Vec<Vec<usize>> = modules
        .iter()
        .map(|m| {
            let mut out = Vec::new();
            for import in &m.booklet.imports {
                if let Some(j) = links.iter().position(|l| l.name == import.module) {
                    if !out.contains(&(j + 1)) {
                        out.push(j + 1);
                    }
                }
            }
            out
        })
        .collect();
    // Exporters before importers; a cycle is an error.
    let mut order = Vec::new();
    let mut state = vec![0u8; modules.len()];
    visit(0, &deps, &mut state, &mut order, &mut Vec::new(), &label)?;
    for &i in &order {
        for &j in &deps[i] {
            check_link(&label(i), &modules[i], &label(j), &modules[j])?;
        }
    }
    let file = |i: usize| {
        if i == 0 {
            options.name.clone()
        } else {
            format!("{}.link{i}", options.name)
        }
    };
    let mut generated: Vec<Option<Generated>> = (0..modules.len()).map(|_| None).collect();
    let mut files = Vec::new();
    let mut report = Vec::new();
    for &i in &order {
        let wasm = if i == 0 { app } else { &links[i - 1].wasm[..] };
        // `order` is a post-order of `deps`, so every exporter was generated
        // before its importers; a gap would be a bug here, reported as one.
        let deps = deps[i]
            .iter()
            .map(|&j| {
                let gen = generated[j].as_ref().ok_or_else(|| {
                    Error::internal(format!(
                        "linked module {} was not generated before its importer {}",
                        crate::quote::js_str(&label(j)),
                        crate::quote::js_str(&label(i))
                    ))
                })?;
                Ok(GraphDep {
                    link: label(j),
                    file: file(j),
                    gen,
                })
            })
            .collect::<Result<Vec<_>, Error>>()?;
        let graph = Graph {
            label: label(i),
            fuse: options.fuse,
            fuse_in_wasm: options.fuse_in_wasm,
            deps,
        };
        let node = generate_node(wasm, &file(i), Some(&graph))?;
        files.push(File {
            name: format!("{}.js", file(i)),
            contents: node.output.js.into_bytes(),
        });
        files.push(File {
            name: format!("{}.d.ts", file(i)),
            contents: node.output.dts.into_bytes(),
        });
        files.push(File {
            name: format!("{}.wasm", file(i)),
            contents: node.output.wasm,
        });
        files.extend(node.files);
        report.extend(node.report);
        generated[i] = Some(node.generated);
    }
    Ok(LinkedOutput { files, report })
}

fn visit(
    i: usize,
    deps: &[Vec<usize>],
    state: &mut [u8],
    order: &mut Vec<usize>,
    path: &mut Vec<usize>,
    label: &dyn Fn(usize) -> String,
) -> Result<(), Error> {
    match state[i] {
        2 => return Ok(()),
        1 => {
            let at = path.iter().position(|&p| p == i).unwrap_or(0);
            let cycle: Vec<String> = path[at..]
                .iter()
                .chain(std::iter::once(&i))
                .map(|&p| crate::quote::js_str(&label(p)))
                .collect();
            return Err(Error::link(format!(
                "modules import each other in a cycle: {}",
                cycle.join(" → ")
            )));
        }
        _ => {}
    }
    state[i] = 1;
    path.push(i);
    for &j in &deps[i] {
        visit(j, deps, state, order, path, label)?;
    }
    path.pop();
    state[i] = 2;
    order.push(i);
    Ok(())
}

/// Every interface import of `importer` from `link` has an export of the
/// same name and structurally the same type in `exporter`; the error
/// names both sides.
fn check_link(
    importer: &str,
    a: &intertype::Module,
    link: &str,
    b: &intertype::Module,
) -> Result<(), Error> {
    let q = crate::quote::js_str;
    for import in a.booklet.imports.iter().filter(|i| i.module == link) {
        let want = a.booklet.func_type(import.ty).cloned().unwrap_or_default();
        let want_text = intertype::describe::func_type(&a.booklet, &want);
        let Some(export) = b.booklet.exports.iter().find(|e| e.name == import.name) else {
            return Err(Error::link(format!(
                "module {} imports {} {} of type {want_text}, but module {} does not export {}",
                q(importer),
                q(link),
                q(&import.name),
                q(link),
                q(&import.name)
            )));
        };
        let have = b
            .booklet
            .adapter_func_type(export.func)
            .cloned()
            .unwrap_or_default();
        let same = |x: &[intertype::ValType], y: &[intertype::ValType]| {
            x.len() == y.len()
                && x.iter().zip(y).all(|(p, r)| {
                    crate::xfer::same_type(&a.booklet.types, *p, &b.booklet.types, *r)
                })
        };
        if !same(&want.params, &have.params) || !same(&want.results, &have.results) {
            return Err(Error::link(format!(
                "module {} imports {} {} as {want_text}, but module {} exports it as {}",
                q(importer),
                q(link),
                q(&import.name),
                q(link),
                intertype::describe::func_type(&b.booklet, &have)
            )));
        }
    }
    Ok(())
}

/// Whether an adapter (or one it calls) calls a linked interface import.
pub(crate) fn linked_imports(
    b: &intertype::Booklet,
    adapter: u32,
    is_linked: &dyn Fn(&str) -> bool,
) -> BTreeSet<u32> {
    let mut out = BTreeSet::new();
    let mut seen = BTreeSet::new();
    let mut work = vec![adapter];
    let nimports = b.imports.len() as u32;
    while let Some(f) = work.pop() {
        if f < nimports {
            if is_linked(&b.imports[f as usize].module) {
                out.insert(f);
            }
            continue;
        }
        if !seen.insert(f) {
            continue;
        }
        if let Some(func) = b.funcs.get((f - nimports) as usize) {
            for i in &func.instrs {
                if let intertype::Instruction::CallAdapter(g) = i {
                    work.push(*g);
                }
            }
        }
    }
    out
}
