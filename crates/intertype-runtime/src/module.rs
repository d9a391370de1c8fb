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
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

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
    /// The core module as given and the booklet's bytes, for
    /// [`Module::serialize`] (plans are rebuilt from them; only wasmtime's
    /// compilation is worth caching).
    pub source: Arc<[u8]>,
    pub booklet_bytes: Vec<u8>,
}

/// The first bytes of [`Module::serialize`]'s output.
const SERIALIZED_MAGIC: &[u8; 16] = b"intertype-mod\0\x00\x01";

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
        Module::build(engine, bytes, m.core, &m.booklet, m.has_section, None)
    }

    /// Intertype's part of [`Module::new`] on a binary module, without
    /// wasmtime's compile: decode, validate, plan every adapter, export what
    /// the plans reach. Returns the core module wasmtime would compile.
    /// For the module-load benchmark (`benches/growth.rs`), not a user API.
    #[doc(hidden)]
    pub fn load_without_compile(bytes: &[u8]) -> Result<Vec<u8>, Error> {
        let m = intertype::Module::from_binary(bytes)?;
        if m.has_section {
            m.validate()?;
        }
        Ok(Loaded::new(bytes, &m.core, &m.booklet)?.wasm)
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
        Module::build(engine, core_wasm, core, booklet, true, None)
    }

    /// The module in a form [`Module::deserialize`] loads without compiling
    /// again: wasmtime's compiled code (`wasmtime::Module::serialize`) plus
    /// the core module and booklet the plans are rebuilt from (rebuilding
    /// them is quick; compiling is what takes time: about 150 ms for the
    /// markdown module). Valid for the same intertype and wasmtime versions
    /// and engine configuration only.
    pub fn serialize(&self) -> Result<Vec<u8>, Error> {
        let m = &self.inner;
        let compiled = m
            .core
            .serialize()
            .map_err(|e| Error::usage(format!("cannot serialize: {e:#}")))?;
        let mut out = Vec::with_capacity(
            SERIALIZED_MAGIC.len() + 17 + m.source.len() + m.booklet_bytes.len() + compiled.len(),
        );
        out.extend_from_slice(SERIALIZED_MAGIC);
        out.push(m.has_section as u8);
        for part in [&m.source[..], &m.booklet_bytes[..]] {
            out.extend_from_slice(&(part.len() as u64).to_le_bytes());
            out.extend_from_slice(part);
        }
        out.extend_from_slice(&compiled);
        Ok(out)
    }

    /// Loads what [`Module::serialize`] wrote.
    ///
    /// # Safety
    ///
    /// As `wasmtime::Module::deserialize`: the bytes must come from
    /// [`Module::serialize`] of a trusted module (compiled code is loaded
    /// and run as is). A version or configuration mismatch is detected and
    /// reported as an error, but arbitrary bytes are not safe to load.
    // The one unsafe operation of the crate: loading compiled code is
    // unsafe in wasmtime, and the caller must vouch for the bytes.
    #[allow(unsafe_code)]
    pub unsafe fn deserialize(engine: &Engine, bytes: &[u8]) -> Result<Module, Error> {
        let bad = || Error::load("not a serialized intertype module (or from another version)");
        let rest = bytes.strip_prefix(&SERIALIZED_MAGIC[..]).ok_or_else(bad)?;
        let (&has_section, mut rest) = rest.split_first().ok_or_else(bad)?;
        let mut parts = [&[][..]; 2];
        for part in &mut parts {
            let (len, tail) = rest.split_first_chunk::<8>().ok_or_else(bad)?;
            let len = usize::try_from(u64::from_le_bytes(*len)).map_err(|_| bad())?;
            if tail.len() < len {
                return Err(bad());
            }
            (*part, rest) = tail.split_at(len);
        }
        let [core_wasm, booklet_bytes] = parts;
        let core = CoreModule::parse(core_wasm)?;
        let booklet = Booklet::decode(booklet_bytes, 0)?;
        if has_section != 0 {
            intertype::validate::validate(&booklet, &core)?;
        }
        // SAFETY: the caller vouches for the bytes (see above).
        let compiled = unsafe { wasmtime::Module::deserialize(engine.wasmtime(), rest) }
            .map_err(|e| Error::load(format!("cannot load the compiled code: {e:#}")))?;
        Module::build(
            engine,
            core_wasm,
            core,
            &booklet,
            has_section != 0,
            Some(compiled),
        )
    }

    fn build(
        engine: &Engine,
        bytes: &[u8],
        core: CoreModule,
        booklet: &Booklet,
        has_section: bool,
        compiled: Option<wasmtime::Module>,
    ) -> Result<Module, Error> {
        let loaded = Loaded::new(bytes, &core, booklet)?;
        let compiled = match compiled {
            Some(c) => c,
            None => wasmtime::Module::new(engine.wasmtime(), &loaded.wasm)
                .map_err(|e| Error::load(format!("invalid core module: {e:#}")))?,
        };
        let Loaded {
            plans,
            func_exports,
            memory_exports,
            exports,
            booklet_bytes,
            ..
        } = loaded;
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
                source: bytes.into(),
                booklet_bytes,
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

/// What loading a module decides before wasmtime compiles its core code:
/// the adapters' plans and the core module with everything they reach
/// exported.
struct Loaded {
    plans: Plans,
    /// The core module for wasmtime.
    wasm: Vec<u8>,
    func_exports: BTreeMap<u32, String>,
    memory_exports: BTreeMap<u32, String>,
    exports: Vec<ExportInfo>,
    /// The booklet re-encoded, for [`Module::serialize`].
    booklet_bytes: Vec<u8>,
}

impl Loaded {
    fn new(bytes: &[u8], core: &CoreModule, booklet: &Booklet) -> Result<Loaded, Error> {
        // The first export name of each adapter, for its label, found in one
        // pass (a scan of the exports per adapter is quadratic in modules
        // with many exports).
        let mut first_export: HashMap<u32, &str> = HashMap::new();
        for e in &booklet.exports {
            first_export.entry(e.func).or_insert(&e.name);
        }
        let label = |idx: u32| -> String {
            match first_export.get(&idx) {
                Some(name) => format!("adapter {idx} (export \"{name}\")"),
                None => format!("adapter {idx}"),
            }
        };
        let plans = plan::compile(booklet, core, &label)?;
        let (wasm, func_exports, memory_exports) = reach(bytes, &plans)?;

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
        let adapter_names: HashSet<String> = exports.iter().map(|x| x.name.clone()).collect();
        for e in &core.exports {
            // `__intertype_*` exports belong to the toolchain (the panic
            // message export), not to the interface.
            if e.kind != ExternalKind::Func
                || plans.adapted.contains(&e.index)
                || adapter_names.contains(&e.name)
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
        Ok(Loaded {
            plans,
            wasm,
            func_exports,
            memory_exports,
            exports,
            booklet_bytes: booklet.encode(),
        })
    }
}

/// Returns a core module in which every core function and memory the plans
/// use is exported (see [`intertype::core::expose`]), with the export names
/// to find them by. The interface section itself is dropped (wasmtime does
/// not need it).
#[allow(clippy::type_complexity)]
fn reach(
    bytes: &[u8],
    plans: &Plans,
) -> Result<(Vec<u8>, BTreeMap<u32, String>, BTreeMap<u32, String>), Error> {
    let funcs = plans.core_funcs.iter().copied().collect();
    let memories = plans.memories.iter().copied().collect();
    let options = intertype::core::ExposeOptions {
        drop_interface: true,
    };
    let out = intertype::core::expose(bytes, &funcs, &memories, options)
        .map_err(|e| Error::load(format!("invalid core module: {e}")))?;
    Ok((out.wasm, out.funcs, out.memories))
}

impl ExportInfo {
    /// The parameter types.
    pub fn params(&self) -> &[Type] {
        &self.ty.params
    }
}
