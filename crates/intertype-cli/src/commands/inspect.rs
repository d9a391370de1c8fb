//! `intertype inspect IN.wasm [--json]`: the interface in words.

use anyhow::Result;
use intertype::{describe, Booklet, Instruction, Module, ValType};
use serde::Serialize;
use std::collections::BTreeSet;
use std::path::PathBuf;

/// Describe a module's interface in words.
///
/// Lists each export and import with its signature, named types, implemented
/// core imports, and the core exports the adapters wrap (an engine with
/// interface types hides those).
#[derive(clap::Args)]
pub struct Args {
    /// Input module (binary or text); `-` for standard input.
    input: PathBuf,
    /// Print JSON instead of text, for scripts.
    #[arg(long)]
    json: bool,
    /// Link a module (as `intertype run --link`) and show what satisfies
    /// each import: a linked module (fused or through host values, and
    /// why) or nothing.
    #[arg(long = "link", value_name = "NAME=FILE")]
    links: Vec<String>,
}

#[derive(Serialize)]
struct Report {
    /// Section version, or `null` for a plain core module.
    version: Option<&'static str>,
    /// Size of the section payload in bytes.
    section_size: usize,
    exports: Vec<Function>,
    imports: Vec<Function>,
    types: Vec<NamedType>,
    implements: Vec<Implement>,
    /// Core function exports that adapters call: hidden from the interface view.
    wrapped_core_exports: Vec<String>,
    /// Core exports that stay visible next to the interface.
    core_exports: Vec<String>,
    /// With `--link`: what satisfies each interface import.
    #[serde(skip_serializing_if = "Option::is_none")]
    links: Option<Vec<LinkRow>>,
}

#[derive(Serialize)]
struct LinkRow {
    /// The interface import: its module and name.
    import: (String, String),
    /// `module`, `host` or `missing`.
    by: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    module: Option<String>,
    fused: bool,
    /// Why a module link is not fused.
    #[serde(skip_serializing_if = "Option::is_none")]
    why: Option<String>,
}

/// What satisfies each import with the `--link`ed modules (the engine's view).
fn link_rows(bytes: &[u8], links: &[String]) -> Result<Vec<LinkRow>> {
    use intertype_runtime::LinkKind;
    let engine = intertype_runtime::Engine::default();
    let module = intertype_runtime::Module::new(&engine, bytes)?;
    let mut linker = intertype_runtime::Linker::new(&engine);
    super::run::add_links(&mut linker, &engine, links)?;
    let report = linker.link_report(&module)?;
    Ok(report
        .into_iter()
        .map(|r| {
            let import = (r.module, r.name);
            let (by, module, fused, why) = match r.kind {
                LinkKind::Host => ("host", None, false, None),
                LinkKind::Fused { module } => ("module", Some(module), true, None),
                LinkKind::Unfused { module, why } => ("module", Some(module), false, Some(why)),
                _ => ("missing", None, false, None),
            };
            LinkRow {
                import,
                by,
                module,
                fused,
                why,
            }
        })
        .collect())
}

#[derive(Serialize)]
struct Function {
    /// Export name, or `module.name` of an import.
    name: String,
    /// Adapter function index.
    func: u32,
    signature: String,
    params: Vec<String>,
    /// Parameter names from the booklet, `null` for an unnamed parameter.
    param_names: Vec<Option<String>>,
    results: Vec<String>,
    /// Documentation from the docs subsection (e.g. a Rust doc comment).
    #[serde(skip_serializing_if = "Option::is_none")]
    doc: Option<String>,
}

#[derive(Serialize)]
struct NamedType {
    index: u32,
    name: String,
    definition: String,
}

#[derive(Serialize)]
struct Implement {
    core_func: u32,
    core_import: Option<String>,
    adapter_func: u32,
}

pub fn run(args: Args) -> Result<()> {
    let loaded = crate::io::read_module(&args.input).and_then(|bytes| {
        let module = Module::from_binary(&bytes)?;
        Ok((bytes, module))
    });
    let (bytes, module) = match loaded {
        Ok(m) => m,
        // Scripts asked for JSON: errors are JSON too, on standard output.
        Err(e) if args.json => {
            let out = serde_json::json!({ "error": { "message": format!("{e:#}") } });
            crate::output::println(&serde_json::to_string_pretty(&out)?)?;
            return Err(super::Reported.into());
        }
        Err(e) => return Err(e),
    };
    let mut report = report(&module);
    if !args.links.is_empty() {
        report.links = Some(link_rows(&bytes, &args.links)?);
    }
    if args.json {
        crate::output::println(&serde_json::to_string_pretty(&report)?)?;
    } else {
        crate::output::print(&text(&report))?;
    }
    Ok(())
}

fn report(module: &Module) -> Report {
    let b = &module.booklet;
    let signature = |idx: u32| -> (String, Vec<String>, Vec<String>) {
        match (b.adapter_func_type(idx), describe::adapter_func(b, idx)) {
            (Some(ty), Some(signature)) => (signature, words(b, &ty.params), words(b, &ty.results)),
            _ => ("<invalid type>".into(), Vec::new(), Vec::new()),
        }
    };
    let param_names = |idx: u32, count: usize| -> Vec<Option<String>> {
        (0..count)
            .map(|i| b.param_name(idx, i).map(str::to_string))
            .collect()
    };
    let exports = b
        .exports
        .iter()
        .map(|e| {
            let (signature, params, results) = signature(e.func);
            Function {
                name: e.name.clone(),
                func: e.func,
                signature,
                param_names: param_names(e.func, params.len()),
                params,
                results,
                doc: b.docs.get(&e.func).cloned(),
            }
        })
        .collect();
    let imports = b
        .imports
        .iter()
        .enumerate()
        .map(|(i, imp)| {
            let (signature, params, results) = signature(i as u32);
            Function {
                name: format!("{}.{}", imp.module, imp.name),
                func: i as u32,
                signature,
                param_names: param_names(i as u32, params.len()),
                params,
                results,
                doc: b.docs.get(&(i as u32)).cloned(),
            }
        })
        .collect();
    let types = b
        .type_names
        .iter()
        .map(|(&index, name)| NamedType {
            index,
            name: name.clone(),
            definition: describe::type_def(b, index),
        })
        .collect();
    let implements = b
        .implements
        .iter()
        .map(|i| Implement {
            core_func: i.core_func,
            core_import: module
                .core
                .funcs
                .get(i.core_func as usize)
                .and_then(|f| f.import.as_ref())
                .map(|(m, n)| format!("{m}.{n}")),
            adapter_func: i.adapter_func,
        })
        .collect();

    let called: BTreeSet<u32> = b
        .funcs
        .iter()
        .flat_map(|f| &f.instrs)
        .filter_map(|i| match i {
            Instruction::CallCore(f) => Some(*f),
            _ => None,
        })
        .collect();
    let (wrapped, visible): (Vec<_>, Vec<_>) =
        module.core.exports.iter().partition(|e| {
            e.kind == intertype::core::ExportKind::Func && called.contains(&e.index)
        });
    Report {
        version: module.has_section.then(|| {
            if b.is_reference_subset() {
                intertype::REFERENCE_VERSION
            } else {
                intertype::EXTENSION_VERSION
            }
        }),
        section_size: module
            .core
            .interface_sections
            .first()
            .map_or(0, |s| s.payload.len()),
        exports,
        imports,
        types,
        implements,
        wrapped_core_exports: wrapped.iter().map(|e| e.name.clone()).collect(),
        core_exports: visible.iter().map(|e| e.name.clone()).collect(),
        links: None,
    }
}

fn words(b: &Booklet, tys: &[ValType]) -> Vec<String> {
    tys.iter().map(|t| describe::val_type(b, *t)).collect()
}

/// `name: signature`, then the documentation as `///` lines.
fn function_row(f: &Function) -> String {
    use crate::terminal::name as esc;
    let mut row = format!("{}: {}", esc(&f.name), esc(&f.signature));
    if let Some(doc) = &f.doc {
        for line in doc.lines() {
            row.push_str("\n    /// ");
            row.push_str(&esc(line));
        }
    }
    row
}

/// The report in words. Every name from the module is escaped for the
/// terminal (`crate::terminal`).
fn text(r: &Report) -> String {
    use crate::terminal::name as esc;
    let mut out = String::new();
    match r.version {
        None => out.push_str("no interface types: a plain core module\n"),
        Some(v) => {
            let what = if v == intertype::REFERENCE_VERSION {
                "the 2019 reference format"
            } else {
                "with intertype extensions"
            };
            out.push_str(&format!(
                "interface types {v} ({what}), {} bytes\n",
                r.section_size
            ));
        }
    }
    let mut section = |title: &str, rows: Vec<String>| {
        if !rows.is_empty() {
            out.push_str(&format!("{title}:\n"));
            for row in rows {
                out.push_str(&format!("  {row}\n"));
            }
        }
    };
    section("exports", r.exports.iter().map(function_row).collect());
    section("imports", r.imports.iter().map(function_row).collect());
    section(
        "types",
        r.types
            .iter()
            .map(|t| format!("{}: {}", esc(&t.name), esc(&t.definition)))
            .collect(),
    );
    section(
        "implements",
        r.implements
            .iter()
            .map(|i| match &i.core_import {
                Some(name) => format!(
                    "core import {} (func {}) by adapter {}",
                    esc(name),
                    i.core_func,
                    i.adapter_func
                ),
                None => format!("core func {} by adapter {}", i.core_func, i.adapter_func),
            })
            .collect(),
    );
    section(
        "core exports wrapped by adapters (hidden)",
        r.wrapped_core_exports
            .iter()
            .map(|n| esc(n).into_owned())
            .collect(),
    );
    section(
        "core exports",
        r.core_exports.iter().map(|n| esc(n).into_owned()).collect(),
    );
    if let Some(links) = &r.links {
        section(
            "links",
            links
                .iter()
                .map(|l| (format!("{:?} {:?}", l.import.0, l.import.1), l))
                .map(|(import, l)| match (&l.module, l.fused, &l.why) {
                    (Some(m), true, _) => format!("{import} <- module {m:?}, fused"),
                    (Some(m), false, why) => format!(
                        "{import} <- module {m:?}, through host values ({})",
                        why.as_deref().unwrap_or("")
                    ),
                    _ => format!("{import} <- {}", l.by),
                })
                .collect(),
        );
    }
    out
}
