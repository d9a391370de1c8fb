//! Modules linked to modules, in one store: an importer's interface imports
//! satisfied by other modules' exports. Each link is either **fused** (the
//! adapter module `intertype-adapt` emits, called wasm to wasm through a
//! shim's table) or, where it cannot be fused, runs **through host values**
//! (the exporter's adapter called from the importer's like a host function,
//! in the same store). See `docs/linking.md`.

use crate::error::Error;
use crate::exec;
use crate::module::{ExportKind, Module};
use crate::store::{FusedTraps, HostFunc, Runtime, StoreData};
use crate::types::FuncType;
use std::collections::BTreeMap;
use std::sync::Arc;
use wasmtime::{AsContextMut, Store};

/// An exporter instantiated in the store.
#[derive(Clone)]
pub(crate) struct LinkedInstance {
    pub module: Module,
    pub rt: Arc<Runtime>,
    pub core: wasmtime::Instance,
}

/// How one interface import of a module is satisfied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LinkKind {
    /// A host function defined on the linker.
    Host,
    /// Module `module`'s export, fused into a direct wasm-to-wasm call.
    Fused { module: String },
    /// Module `module`'s export, called through host values; `why` it is
    /// not fused.
    Unfused { module: String, why: String },
    /// Nothing (the import traps when called, if the linker allows that).
    Missing,
}

/// One interface import and what satisfies it (see
/// [`crate::Linker::link_report`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinkInfo {
    pub module: String,
    pub name: String,
    pub ty: FuncType,
    pub kind: LinkKind,
}

/// The exporter's interface function `name`, checked against the type the
/// importer wants: a `Link` error naming both sides otherwise.
pub(crate) fn export_adapter(
    importer: &str,
    link: &str,
    name: &str,
    ty: &FuncType,
    exporter: &Module,
) -> Result<u32, Error> {
    let Some(e) = exporter.exports().iter().find(|e| e.name == name) else {
        return Err(Error::link(format!(
            "{importer} imports `{link}` `{name}` of type {ty}, but module `{link}` does not export `{name}`"
        )));
    };
    if e.ty != *ty {
        return Err(Error::link(format!(
            "{importer} imports `{link}` `{name}` as {ty}, but module `{link}` exports it as {}: {}",
            e.ty,
            crate::types::func_type_diff(ty, &e.ty)
        )));
    }
    match e.kind {
        ExportKind::Adapter(idx) => Ok(idx),
        ExportKind::Core(_) => Err(Error::link(format!(
            "{importer} imports `{link}` `{name}`, but module `{link}` exports it as a core function without an adapter"
        ))),
    }
}

/// A link through host values: the exporter's adapter, called in the same
/// store with the values the importer's adapter lifted.
pub(crate) fn unfused(link: &str, ty: &FuncType, adapter: u32, ex: &LinkedInstance) -> HostFunc {
    let rt = ex.rt.clone();
    let link = link.to_string();
    HostFunc {
        ty: ty.clone(),
        f: Arc::new(move |mut raw, args, out| {
            exec::call_adapter(&mut raw.cx, &rt, adapter, args, args.len(), out)
                .map_err(|e| e.context(format!("in module `{link}`")))
        }),
    }
}

/// The module's bytes with its booklet, as the adapter compiler reads them.
fn module_bytes(m: &Module) -> Result<Vec<u8>, Error> {
    let inner = &m.inner;
    if !inner.has_section {
        return Ok(inner.source.to_vec());
    }
    Ok(intertype::core::with_section(
        &inner.source,
        &inner.booklet_bytes,
    )?)
}

/// The adapter compiler's view of one importer and its linked exporters.
pub(crate) fn compile(
    importer: &Module,
    exporters: &[(String, Module)],
) -> Result<intertype_adapt::Adapters, Error> {
    let a = module_bytes(importer)?;
    let bs = exporters
        .iter()
        .map(|(n, m)| Ok((n.as_str(), module_bytes(m)?)))
        .collect::<Result<Vec<_>, Error>>()?;
    let refs: Vec<(&str, &[u8])> = bs.iter().map(|(n, b)| (*n, &b[..])).collect();
    intertype_adapt::compile(&a, &refs).map_err(|e| Error::link(e.to_string()))
}

/// The adapters of one importer and its exporters, compiled by wasmtime
/// once per linker (instantiating again reuses them).
pub(crate) struct Compiled {
    /// Kept so that the module ids in the cache key stay unique.
    _modules: Vec<Module>,
    adapters: intertype_adapt::Adapters,
    shim: wasmtime::Module,
    module: wasmtime::Module,
}

/// Compiled adapters by the ids of importer and exporters; `None`: nothing
/// fuses.
pub(crate) type FusionCache = std::sync::Mutex<BTreeMap<Vec<usize>, Option<Arc<Compiled>>>>;

/// Fused links of one importer, between instantiating the shim and the
/// adapter module.
pub(crate) struct Fusion {
    pub compiled: Arc<Compiled>,
    pub shim: wasmtime::Instance,
    /// A's core import index → the shim's trampoline.
    pub fused: BTreeMap<u32, wasmtime::Func>,
}

fn wasm_link_error(what: &str, e: wasmtime::Error) -> Error {
    Error::link(format!("{what}: {e:#}"))
}

/// Compiles the adapters and instantiates the shim (A imports its
/// trampolines). `None` when nothing fuses.
pub(crate) fn prepare(
    store: &mut Store<StoreData>,
    importer: &Module,
    exporters: &[(String, Module)],
    cache: &FusionCache,
) -> Result<Option<Fusion>, Error> {
    let key: Vec<usize> = std::iter::once(importer)
        .chain(exporters.iter().map(|(_, m)| m))
        .map(|m| m.id())
        .collect();
    let cached = cache.lock().ok().and_then(|c| c.get(&key).cloned());
    let compiled = match cached {
        Some(c) => c,
        None => {
            let adapters = compile(importer, exporters)?;
            let c = if adapters.fused().next().is_none() {
                None
            } else {
                let engine = store.engine().clone();
                let shim = wasmtime::Module::new(&engine, &adapters.shim)
                    .map_err(|e| wasm_link_error("the shim module", e))?;
                let module = wasmtime::Module::new(&engine, &adapters.module)
                    .map_err(|e| wasm_link_error("the adapter module", e))?;
                let mut modules = vec![importer.clone()];
                modules.extend(exporters.iter().map(|(_, m)| m.clone()));
                Some(Arc::new(Compiled {
                    _modules: modules,
                    adapters,
                    shim,
                    module,
                }))
            };
            if let Ok(mut cache) = cache.lock() {
                cache.insert(key, c.clone());
            }
            c
        }
    };
    let Some(compiled) = compiled else {
        return Ok(None);
    };
    let adapters = &compiled.adapters;
    let shim = wasmtime::Instance::new(&mut *store, &compiled.shim, &[])
        .map_err(|e| wasm_link_error("instantiating the shim module", e))?;
    let mut fused = BTreeMap::new();
    for f in adapters.fused() {
        let t = shim
            .get_func(&mut *store, &f.export)
            .ok_or_else(|| Error::internal("the shim lacks a trampoline"))?;
        fused.insert(f.core_func, t);
    }
    Ok(Some(Fusion {
        compiled: compiled.clone(),
        shim,
        fused,
    }))
}

/// Instantiates the adapter module between the importer's and exporters'
/// core instances and points the shim's table at the fused functions.
pub(crate) fn finish(
    store: &mut Store<StoreData>,
    fusion: Fusion,
    importer: wasmtime::Instance,
    importer_label: &str,
    exporters: &[(String, LinkedInstance)],
) -> Result<(), Error> {
    let adapters = &fusion.compiled.adapters;
    let mut externs = Vec::with_capacity(adapters.imports.len());
    for imp in &adapters.imports {
        let side = if imp.side == 0 {
            importer
        } else {
            exporters
                .get(imp.side as usize - 1)
                .ok_or_else(|| Error::internal("adapter import of an unknown side"))?
                .1
                .core
        };
        let ext = side.get_export(&mut *store, &imp.name).ok_or_else(|| {
            Error::internal(format!(
                "the adapter module imports `{}` `{}`, which is not exported",
                imp.module, imp.name
            ))
        })?;
        externs.push(ext);
    }
    let inst = wasmtime::Instance::new(&mut *store, &fusion.compiled.module, &externs)
        .map_err(|e| wasm_link_error("instantiating the adapter module", e))?;
    let table = fusion
        .shim
        .get_table(&mut *store, intertype_adapt::TABLE_EXPORT)
        .ok_or_else(|| Error::internal("the shim has no table"))?;
    for f in adapters.fused() {
        let func = inst
            .get_func(&mut *store, &f.export)
            .ok_or_else(|| Error::internal("a fused function is not exported"))?;
        table
            .set(&mut *store, f.table_index as u64, func.into())
            .map_err(|e| wasm_link_error("filling the shim's table", e))?;
    }
    let global = inst
        .get_global(&mut *store, intertype_adapt::TRAP_CODE_GLOBAL)
        .ok_or_else(|| Error::internal("the adapter module has no trap code"))?;
    let mut sides = vec![importer_label.to_string()];
    sides.extend(exporters.iter().map(|(n, _)| format!("module `{n}`")));
    store
        .as_context_mut()
        .data_mut()
        .fused
        .push(FusedTraps { global, sides });
    Ok(())
}
