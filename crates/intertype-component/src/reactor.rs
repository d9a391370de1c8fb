//! Reactor modules: C and C++ guests built with wasi-libc's reactor model
//! (`clang -mexec-model=reactor`, what a library guest uses) export
//! `_initialize`, which runs the static constructors and must run once
//! before any other export. The component model runs it at instantiation;
//! an intertype host knows nothing of it, so `adopt` makes it the module's
//! start function: every host (the engine, the JS glue, Python, Ruby) then
//! runs it when it instantiates the module.

use anyhow::{bail, Context, Result};
use wasmparser::{ExternalKind, Parser, Payload, TypeRef};

/// `module` with a start section that calls its exported `_initialize`, when
/// it has one and no start function yet; `None` when there is nothing to do.
pub(crate) fn start_with_initialize(module: &[u8]) -> Result<Option<Vec<u8>>> {
    let mut func_types = Vec::new(); // the type index of every function
    let mut types = Vec::new(); // (params, results) counts of every type
    let mut initialize = None;
    let mut export_end = None;
    for payload in Parser::new(0).parse_all(module) {
        match payload.context("reading the core module")? {
            Payload::TypeSection(r) => {
                for ty in r.into_iter_err_on_gc_types() {
                    let f = ty?;
                    types.push((f.params().len(), f.results().len()));
                }
            }
            Payload::ImportSection(r) => {
                for import in r.into_imports() {
                    if let TypeRef::Func(t) = import?.ty {
                        func_types.push(t);
                    }
                }
            }
            Payload::FunctionSection(r) => {
                for t in r {
                    func_types.push(t?);
                }
            }
            Payload::ExportSection(r) => {
                for export in r.clone() {
                    let export = export?;
                    if export.name == "_initialize" && export.kind == ExternalKind::Func {
                        initialize = Some(export.index);
                    }
                }
                export_end = Some(r.range().end);
            }
            Payload::StartSection { .. } => return Ok(None),
            _ => {}
        }
    }
    let (Some(func), Some(at)) = (initialize, export_end) else {
        return Ok(None);
    };
    let ty = func_types
        .get(func as usize)
        .and_then(|t| types.get(*t as usize));
    if ty != Some(&(0, 0)) {
        bail!("the module's `_initialize` export must take and return nothing");
    }
    // The start section (id 8) follows the export section (id 7).
    let mut body = Vec::new();
    leb(&mut body, func);
    let mut out = Vec::with_capacity(module.len() + 8);
    out.extend_from_slice(&module[..at]);
    out.push(8);
    leb(&mut out, body.len() as u32);
    out.extend_from_slice(&body);
    out.extend_from_slice(&module[at..]);
    Ok(Some(out))
}

fn leb(out: &mut Vec<u8>, mut n: u32) {
    loop {
        let byte = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}
