//! Loading: decode and validate the booklet, compile every adapter into a
//! plan, and give wasmtime a core module in which every function and memory
//! an adapter names is reachable.

use crate::engine::Engine;
use crate::error::Error;
use crate::plan::{self, core_type, Plans};
use crate::types::{FuncType, Type};
use intertype::core::CoreModule;
use intertype::core::ExportKind as ExternalKind;
use intertype::Booklet;
use std::collections::BTreeMap;
use std::sync::Arc;
use wasmparser::{Parser, Payload};

/// A function the interface view offers.
#[derive(Clone, Debug)]
pub struct ExportInfo {
    pub name: String,
    pub ty: FuncType,
    pub kind: ExportKind,
}

/// Where an interface-view function comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportKind {
    /// An exported adapter.
    Adapter(u32),
    /// A core function export no adapter touches, offered with its core
    /// types (also every function of a module without the section).
    Core(u32),
}

/// A compiled module: core code compiled by wasmtime, adapters compiled into
/// plans. Cheap to clone; instantiate it with [`crate::Linker::instantiate`].
#[derive(Clone)]
pub struct Module {
    pub(crate) inner: Arc<ModuleInner>,
}

pub(crate) struct ModuleInner {
    pub engine: Engine,
    pub core: wasmtime::Module,
    pub core_info: CoreModule,
    pub plans: Arc<Plans>,
    pub exports: Vec<ExportInfo>,
    /// Export name under which each core function an adapter names is
    /// reachable (its own export, or a hidden one we added).
    pub func_exports: BTreeMap<u32, String>,
    pub memory_exports: BTreeMap<u32, String>,
    pub has_section: bool,
}

impl Module {
    /// Loads a binary module (or `.wat` text with `(@interface …)`
    /// annotations), validates its booklet and compiles it.
    pub fn new(engine: &Engine, bytes: &[u8]) -> Result<Module, Error> {
        let owned;
        let bytes = if bytes.starts_with(b"\0asm") {
            bytes
        } else {
            let text = std::str::from_utf8(bytes)
                .map_err(|_| Error::load("input is neither a binary module nor UTF-8 text"))?;
            owned = intertype::parse_str(text, None)?;
            &owned[..]
        };
        let m = intertype::Module::from_binary(bytes)?;
        if m.has_section {
            m.validate()?;
        }
        Module::build(engine, bytes, m.core, &m.booklet, m.has_section)
    }

    /// Reads a module from a file (binary or text).
    pub fn from_file(engine: &Engine, path: &std::path::Path) -> Result<Module, Error> {
        let bytes = std::fs::read(path)
            .map_err(|e| Error::load(format!("cannot read `{}`: {e}", path.display())))?;
        if bytes.starts_with(b"\0asm") {
            return Module::new(engine, &bytes);
        }
        let text = std::str::from_utf8(&bytes).map_err(|_| {
            Error::load(format!(
                "`{}` is neither a binary module nor UTF-8 text",
                path.display()
            ))
        })?;
        let binary = intertype::parse_str(text, Some(path))?;
        Module::new(engine, &binary)
    }

    /// Builds a module from a core module and a booklet given separately (the
    /// booklet replaces any section the core module carries). The booklet is
    /// validated.
    pub fn from_parts(
        engine: &Engine,
        core_wasm: &[u8],
        booklet: &Booklet,
    ) -> Result<Module, Error> {
        let core = CoreModule::parse(core_wasm)?;
        intertype::validate::validate(booklet, &core)?;
        Module::build(engine, core_wasm, core, booklet, true)
    }

    fn build(
        engine: &Engine,
        bytes: &[u8],
        core: CoreModule,
        booklet: &Booklet,
        has_section: bool,
    ) -> Result<Module, Error> {
        let label = |idx: u32| -> String {
            match booklet.export_names(idx).next() {
                Some(name) => format!("adapter {idx} (export \"{name}\")"),
                None => format!("adapter {idx}"),
            }
        };
        let plans = plan::compile(booklet, &core, &label)?;
        let (wasm, func_exports, memory_exports) = reach(bytes, &core, &plans)?;
        let compiled = wasmtime::Module::new(engine.wasmtime(), &wasm)
            .map_err(|e| Error::load(format!("invalid core module: {e:#}")))?;

        let mut exports = Vec::new();
        for e in &booklet.exports {
            let ty = match plans.func(e.func) {
                Some(plan::AdapterPlan::Func(p)) => p.ty.clone(),
                Some(plan::AdapterPlan::Import { ty, .. }) => ty.clone(),
                None => continue,
            };
            exports.push(ExportInfo {
                name: e.name.clone(),
                ty,
                kind: ExportKind::Adapter(e.func),
            });
        }
        // Core functions no adapter touches stay callable with core types.
        for e in &core.exports {
            // `__intertype_*` exports belong to the toolchain (the panic
            // message export), not to the interface.
            if e.kind != ExternalKind::Func
                || plans.adapted.contains(&e.index)
                || exports.iter().any(|x| x.name == e.name)
                || e.name.starts_with("__intertype_")
            {
                continue;
            }
            let Some(f) = core.funcs.get(e.index as usize) else {
                continue;
            };
            let Some((params, results)) = f.ty.known() else {
                continue;
            };
            exports.push(ExportInfo {
                name: e.name.clone(),
                ty: FuncType::new(
                    params.into_iter().map(core_type),
                    results.into_iter().map(core_type),
                ),
                kind: ExportKind::Core(e.index),
            });
        }
        Ok(Module {
            inner: Arc::new(ModuleInner {
                engine: engine.clone(),
                core: compiled,
                core_info: core,
                plans: Arc::new(plans),
                exports,
                func_exports,
                memory_exports,
                has_section,
            }),
        })
    }

    /// The functions the interface view offers, in order: exported adapters,
    /// then core exports no adapter uses.
    pub fn exports(&self) -> &[ExportInfo] {
        &self.inner.exports
    }

    /// Interface functions the module imports: `(module, name, type)`.
    pub fn imports(&self) -> impl Iterator<Item = (&str, &str, &FuncType)> {
        self.inner.plans.adapters.iter().filter_map(|a| match a {
            plan::AdapterPlan::Import { module, name, ty } => {
                Some((module.as_str(), name.as_str(), ty))
            }
            _ => None,
        })
    }

    /// Whether the module carries a `wasm-interface-types` section.
    pub fn has_interface(&self) -> bool {
        self.inner.has_section
    }

    pub fn engine(&self) -> &Engine {
        &self.inner.engine
    }

    /// The core export names adapted functions hide (reachable with
    /// [`crate::Instance::call_core`]).
    pub fn core_exports(&self) -> impl Iterator<Item = &str> {
        self.inner.core_info.exports.iter().map(|e| e.name.as_str())
    }
}

/// Returns a core module in which every core function and memory the plans
/// use is exported, with the export names to find them by. Functions that are
/// already exported keep their name; the others get a hidden
/// `__intertype_func_N` / `__intertype_memory_N` export. The interface
/// section itself is dropped (wasmtime does not need it).
#[allow(clippy::type_complexity)]
fn reach(
    bytes: &[u8],
    core: &CoreModule,
    plans: &Plans,
) -> Result<(Vec<u8>, BTreeMap<u32, String>, BTreeMap<u32, String>), Error> {
    let taken: std::collections::HashSet<&str> =
        core.exports.iter().map(|e| e.name.as_str()).collect();
    let hidden = |kind: &str, idx: u32| {
        let mut name = format!("__intertype_{kind}_{idx}");
        while taken.contains(name.as_str()) {
            name.insert(0, '_');
        }
        name
    };
    let mut extra: Vec<(String, wasm_encoder::ExportKind, u32)> = Vec::new();
    let mut func_exports = BTreeMap::new();
    for &idx in &plans.core_funcs {
        let name = match core
            .exports
            .iter()
            .find(|e| e.kind == ExternalKind::Func && e.index == idx)
        {
            Some(e) => e.name.clone(),
            None => {
                let n = hidden("func", idx);
                extra.push((n.clone(), wasm_encoder::ExportKind::Func, idx));
                n
            }
        };
        func_exports.insert(idx, name);
    }
    let mut memory_exports = BTreeMap::new();
    for &idx in &plans.memories {
        let name = match core
            .exports
            .iter()
            .find(|e| e.kind == ExternalKind::Memory && e.index == idx)
        {
            Some(e) => e.name.clone(),
            None => {
                let n = hidden("memory", idx);
                extra.push((n.clone(), wasm_encoder::ExportKind::Memory, idx));
                n
            }
        };
        memory_exports.insert(idx, name);
    }
    if extra.is_empty() && core.interface_sections.is_empty() {
        return Ok((bytes.to_vec(), func_exports, memory_exports));
    }
    Ok((rewrite(bytes, &extra)?, func_exports, memory_exports))
}

/// Copies every section as it is, except: the interface section is dropped
/// and the export section gets `extra` appended (or is created in its place).
fn rewrite(
    bytes: &[u8],
    extra: &[(String, wasm_encoder::ExportKind, u32)],
) -> Result<Vec<u8>, Error> {
    use wasm_encoder::reencode::{Reencode, RoundtripReencoder};
    let core_err =
        |e: wasmparser::BinaryReaderError| Error::load(format!("invalid core module: {e}"));
    let mut out = wasm_encoder::Module::new();
    let mut exports_done = false;
    let emit_exports = |out: &mut wasm_encoder::Module,
                        existing: Option<wasmparser::ExportSectionReader<'_>>|
     -> Result<(), Error> {
        let mut section = wasm_encoder::ExportSection::new();
        if let Some(reader) = existing {
            for e in reader {
                let e = e.map_err(core_err)?;
                let kind = RoundtripReencoder
                    .export_kind(e.kind)
                    .map_err(|e| Error::load(format!("{e}")))?;
                section.export(e.name, kind, e.index);
            }
        }
        for (name, kind, idx) in extra {
            section.export(name, *kind, *idx);
        }
        out.section(&section);
        Ok(())
    };
    for payload in Parser::new(0).parse_all(bytes) {
        let payload = payload.map_err(core_err)?;
        // Sections that come after exports: emit ours first if none existed.
        let after_exports = matches!(
            payload,
            Payload::StartSection { .. }
                | Payload::ElementSection(_)
                | Payload::DataCountSection { .. }
                | Payload::CodeSectionStart { .. }
                | Payload::DataSection(_)
        );
        if after_exports && !exports_done {
            emit_exports(&mut out, None)?;
            exports_done = true;
        }
        match payload {
            Payload::ExportSection(reader) => {
                emit_exports(&mut out, Some(reader))?;
                exports_done = true;
            }
            Payload::CustomSection(reader) if reader.name() == intertype::SECTION_NAME => {}
            Payload::CodeSectionEntry(_) | Payload::Version { .. } | Payload::End(_) => {}
            other => {
                if let Some((id, range)) = other.as_section() {
                    out.section(&wasm_encoder::RawSection {
                        id,
                        data: &bytes[range],
                    });
                }
            }
        }
    }
    if !exports_done {
        emit_exports(&mut out, None)?;
    }
    Ok(out.finish())
}

impl ExportInfo {
    /// The parameter types.
    pub fn params(&self) -> &[Type] {
        &self.ty.params
    }
}
