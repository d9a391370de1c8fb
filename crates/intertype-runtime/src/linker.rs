//! Host functions with interface signatures, WASI, and instantiation.

use crate::caller::Caller;
use crate::engine::{Engine, Limits};
use crate::error::{Error, ErrorKind};
use crate::exec;
use crate::instance::Instance;
use crate::link::{self, LinkInfo, LinkKind, LinkedInstance};
use crate::module::Module;
use crate::plan::AdapterPlan;
use crate::store::{Callee, HostFn, HostFunc, Runtime};
use crate::store::{Limiter, StoreData};
use crate::types::FuncType;
use crate::value::Value;
use std::collections::HashMap;
use std::marker::PhantomData;
use std::sync::{Arc, OnceLock};
use wasmtime::{AsContextMut, Store};

/// WASI preview 1 settings for every instance a [`Linker`] creates.
#[derive(Clone, Debug, Default)]
pub struct WasiOptions {
    /// `argv`, program name first.
    pub args: Vec<String>,
    /// Environment variables.
    pub env: Vec<(String, String)>,
    /// Give the guest the host's stdin, stdout and stderr.
    pub inherit_stdio: bool,
}

/// Resolves a module's imports and instantiates it.
///
/// Interface imports are satisfied by host functions given with
/// [`Linker::func_new`] (dynamic) or [`Linker::func_wrap`] (typed), or their
/// `_with_caller` forms, which also get a [`Caller`] (the instance's data
/// `T`, its memory, its functions); core imports that an `implement`
/// adapter covers are satisfied by that adapter; the remaining core imports
/// come from WASI when it is enabled.
///
/// A linker is a template: cheap to clone (host functions are shared), and
/// each [`Linker::instantiate_with`] makes an independent instance with its
/// own data `T`.
pub struct Linker<T = ()> {
    engine: Engine,
    hosts: HashMap<(String, String), HostFunc>,
    core: wasmtime::Linker<StoreData>,
    wasi: Option<WasiOptions>,
    trap_unknown_imports: bool,
    limits: Limits,
    /// Modules that satisfy interface imports by link name (issue 10).
    modules: Vec<(String, Module)>,
    /// Whether links between modules are fused where they can be.
    fuse: bool,
    /// Adapter modules compiled for the links, shared by clones.
    fusions: Arc<link::FusionCache>,
    _data: PhantomData<fn() -> T>,
}

impl<T> Clone for Linker<T> {
    fn clone(&self) -> Self {
        Linker {
            engine: self.engine.clone(),
            hosts: self.hosts.clone(),
            core: self.core.clone(),
            wasi: self.wasi.clone(),
            trap_unknown_imports: self.trap_unknown_imports,
            limits: self.limits.clone(),
            modules: self.modules.clone(),
            fuse: self.fuse,
            fusions: self.fusions.clone(),
            _data: PhantomData,
        }
    }
}

impl Linker<()> {
    /// A linker whose instances carry no data (`T = ()`); see
    /// [`Linker::with_data_type`] for instances with data.
    pub fn new(engine: &Engine) -> Linker<()> {
        Linker::with_data_type(engine)
    }
}

impl<T: Send + 'static> Linker<T> {
    /// A linker whose instances each carry a `T` (given to
    /// [`Linker::instantiate_with`]), which host functions reach through
    /// [`Caller::data`]: `Linker::<MyState>::with_data_type(&engine)`.
    pub fn with_data_type(engine: &Engine) -> Linker<T> {
        Linker {
            engine: engine.clone(),
            hosts: HashMap::new(),
            core: wasmtime::Linker::new(engine.wasmtime()),
            wasi: None,
            trap_unknown_imports: false,
            limits: engine.config().limits.clone(),
            modules: Vec::new(),
            fuse: true,
            fusions: Arc::default(),
            _data: PhantomData,
        }
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Links `module` under `name`: interface imports `name` `f` of the
    /// modules this linker instantiates are satisfied by `module`'s export
    /// `f`. Each instantiation puts one instance of every module it needs
    /// (its own store, shared by every importer: diamonds share the
    /// exporter) next to the importer; each keeps its own memory and
    /// allocator. Links fuse into direct wasm-to-wasm calls where the
    /// adapter compiler can fuse them, and run through host values
    /// otherwise (`docs/linking.md`).
    pub fn module(&mut self, name: &str, module: &Module) -> Result<&mut Self, Error> {
        if !wasmtime::Engine::same(module.inner.engine.wasmtime(), self.engine.wasmtime()) {
            return Err(Error::usage(format!(
                "module `{name}` was compiled by a different engine than the linker's"
            )));
        }
        if self.modules.iter().any(|(n, _)| n == name) {
            return Err(Error::usage(format!("module `{name}` is already linked")));
        }
        self.modules.push((name.to_string(), module.clone()));
        Ok(self)
    }

    /// Whether links between modules are fused where possible (the
    /// default); `false` runs every link through host values (for
    /// comparison: tests and benchmarks).
    pub fn fuse_links(&mut self, fuse: bool) -> &mut Self {
        self.fuse = fuse;
        self
    }

    /// What satisfies each interface import of `module`: a host function,
    /// a linked module (fused or through host values, and why), or
    /// nothing. Link errors (a missing export, a type mismatch) are errors.
    pub fn link_report(&self, module: &Module) -> Result<Vec<LinkInfo>, Error> {
        let plans = &module.inner.plans;
        let mut out = Vec::new();
        let mut linked = Vec::new();
        for a in &plans.adapters {
            let AdapterPlan::Import {
                module: mn,
                name,
                ty,
            } = a
            else {
                continue;
            };
            if let Some((_, m)) = self.modules.iter().find(|(n, _)| n == mn) {
                link::export_adapter("the module", mn, name, ty, m)?;
                if !linked.iter().any(|(n, _): &(String, Module)| n == mn) {
                    linked.push((mn.clone(), m.clone()));
                }
            }
            let kind = if self.modules.iter().any(|(n, _)| n == mn) {
                LinkKind::Unfused {
                    module: mn.clone(),
                    why: "fusion is off".into(),
                }
            } else if self.hosts.contains_key(&(mn.clone(), name.clone())) {
                LinkKind::Host
            } else {
                LinkKind::Missing
            };
            out.push(LinkInfo {
                module: mn.clone(),
                name: name.clone(),
                ty: ty.clone(),
                kind,
            });
        }
        if self.fuse && !linked.is_empty() {
            let adapters = link::compile(module, &linked)?;
            for info in &mut out {
                let LinkKind::Unfused { module: mn, why } = &mut info.kind else {
                    continue;
                };
                // The links whose adapters call this import.
                let key = (mn.clone(), info.name.clone());
                let mut fused = false;
                let mut reason = None;
                for l in adapters.links.iter().filter(|l| l.calls.contains(&key)) {
                    match &l.outcome {
                        intertype_adapt::Outcome::Fused(_) => fused = true,
                        intertype_adapt::Outcome::NotFusable(r) => reason = Some(r.to_string()),
                    }
                }
                match (fused, reason) {
                    (true, None) => info.kind = LinkKind::Fused { module: mn.clone() },
                    (_, Some(r)) => *why = r,
                    (false, None) => *why = "no `implement` adapter calls it".into(),
                }
            }
        }
        Ok(out)
    }

    /// Defines interface function `module` `name` of type `ty`. The closure
    /// receives arguments of the declared types and pushes its results onto
    /// the vector; results of the wrong type are a [`ErrorKind::HostType`]
    /// error, an `Err` a [`ErrorKind::Host`] one, both raised in the caller.
    pub fn func_new(
        &mut self,
        module: &str,
        name: &str,
        ty: FuncType,
        f: impl Fn(&[Value], &mut Vec<Value>) -> Result<(), Error> + Send + Sync + 'static,
    ) -> &mut Self {
        self.define(module, name, ty, Arc::new(move |_, args, out| f(args, out)))
    }

    /// As [`Linker::func_new`], with a [`Caller`] first: the instance's
    /// data, its memory, and its functions to call back.
    pub fn func_new_with_caller(
        &mut self,
        module: &str,
        name: &str,
        ty: FuncType,
        f: impl Fn(Caller<'_, T>, &[Value], &mut Vec<Value>) -> Result<(), Error>
            + Send
            + Sync
            + 'static,
    ) -> &mut Self {
        self.define(
            module,
            name,
            ty,
            Arc::new(move |raw, args, out| f(Caller::new(raw), args, out)),
        )
    }

    fn define(&mut self, module: &str, name: &str, ty: FuncType, f: Arc<HostFn>) -> &mut Self {
        self.hosts
            .insert((module.to_string(), name.to_string()), HostFunc { ty, f });
        self
    }

    /// Enables WASI preview 1 for modules that import it.
    pub fn wasi(&mut self, options: WasiOptions) -> Result<&mut Self, Error> {
        if self.wasi.is_none() {
            wasmtime_wasi::p1::add_to_linker_sync(&mut self.core, |d: &mut StoreData| {
                d.wasi
                    .get_or_insert_with(|| wasmtime_wasi::WasiCtxBuilder::new().build_p1())
            })
            .map_err(|e| Error::link(format!("cannot add WASI: {e:#}")))?;
        }
        self.wasi = Some(options);
        Ok(self)
    }

    /// As `wasmtime run --trap-unknown-imports`: imports nobody provides
    /// trap when called instead of failing instantiation.
    pub fn trap_unknown_imports(&mut self, yes: bool) -> &mut Self {
        self.trap_unknown_imports = yes;
        self
    }

    /// Limits for instances created from now on.
    pub fn limits(&mut self, limits: Limits) -> &mut Self {
        self.limits = limits;
        self
    }

    /// Instantiates `module` in a new store of its own, with `T::default()`
    /// as its data.
    pub fn instantiate(&self, module: &Module) -> Result<Instance<T>, Error>
    where
        T: Default,
    {
        self.instantiate_with(module, T::default())
    }

    /// Instantiates `module` in a new store of its own, holding `data`.
    pub fn instantiate_with(&self, module: &Module, data: T) -> Result<Instance<T>, Error> {
        if !wasmtime::Engine::same(module.inner.engine.wasmtime(), self.engine.wasmtime()) {
            return Err(Error::usage(
                "the module was compiled by a different engine than the linker's",
            ));
        }
        let mut store = self.new_store(data)?;
        let mut linked = HashMap::new();
        let (instance, rt) = self.instantiate_in(
            &mut store,
            module,
            "the module",
            &mut linked,
            &mut Vec::new(),
        )?;
        store.data_mut().runtime = Some(rt.clone());
        Ok(Instance::new(store, module.clone(), rt, instance))
    }

    fn new_store(&self, data: T) -> Result<Store<StoreData>, Error> {
        let wasi = self.wasi.as_ref().map(|o| {
            let mut b = wasmtime_wasi::WasiCtxBuilder::new();
            b.args(&o.args);
            for (k, v) in &o.env {
                b.env(k, v);
            }
            if o.inherit_stdio {
                b.inherit_stdio();
            }
            b.build_p1()
        });
        let limiter = Limiter {
            max_memory: self.limits.max_memory_bytes,
            max_table: self.limits.max_table_elements,
            max_instances: self.limits.max_instances,
            max_value_bytes: self.limits.max_value_bytes,
            hit: None,
        };
        let mut store = Store::new(
            self.engine.wasmtime(),
            StoreData::new(limiter, wasi, Box::new(data)),
        );
        store.limiter(|d| &mut d.limiter);
        if self.engine.fuel_enabled() {
            store
                .set_fuel(self.limits.fuel.unwrap_or(u64::MAX))
                .map_err(|e| Error::usage(format!("{e:#}")))?;
        }
        if self.engine.epoch_enabled() {
            // wasmtime adds the delta to the current epoch without saturating.
            store.set_epoch_deadline(
                self.limits
                    .epoch_deadline
                    .unwrap_or(u64::MAX)
                    .min(u64::MAX / 2),
            );
            store.epoch_deadline_trap();
        }
        Ok(store)
    }

    /// Instantiates the linked module `name` in the store once (all its
    /// importers share it), after the modules it links to in turn.
    fn linked_instance(
        &self,
        store: &mut Store<StoreData>,
        name: &str,
        linked: &mut HashMap<String, LinkedInstance>,
        stack: &mut Vec<String>,
    ) -> Result<LinkedInstance, Error> {
        if let Some(l) = linked.get(name) {
            return Ok(l.clone());
        }
        if stack.iter().any(|s| s == name) {
            stack.push(name.to_string());
            return Err(Error::link(format!(
                "the linked modules import each other in a cycle: {}",
                stack.join(" -> ")
            )));
        }
        let module = match self.modules.iter().find(|(n, _)| n == name) {
            Some((_, m)) => m.clone(),
            None => return Err(Error::internal(format!("module `{name}` is not linked"))),
        };
        stack.push(name.to_string());
        let label = format!("module `{name}`");
        let (core, rt) = self.instantiate_in(store, &module, &label, linked, stack)?;
        stack.pop();
        let l = LinkedInstance { module, rt, core };
        linked.insert(name.to_string(), l.clone());
        Ok(l)
    }

    fn instantiate_in(
        &self,
        store: &mut Store<StoreData>,
        module: &Module,
        label: &str,
        linked: &mut HashMap<String, LinkedInstance>,
        stack: &mut Vec<String>,
    ) -> Result<(wasmtime::Instance, Arc<Runtime>), Error> {
        let m = &module.inner;
        // Interface imports.
        let plans = &m.plans;
        let mut exporters: Vec<(String, LinkedInstance)> = Vec::new();
        let mut hosts = Vec::with_capacity(plans.adapters.len());
        for a in &plans.adapters {
            if let AdapterPlan::Import {
                module: mn,
                name,
                ty,
            } = a
            {
                if self.modules.iter().any(|(n, _)| n == mn) {
                    let ex = self.linked_instance(store, mn, linked, stack)?;
                    let adapter = link::export_adapter(label, mn, name, ty, &ex.module)?;
                    hosts.push(Some(link::unfused(mn, ty, adapter, &ex)));
                    if !exporters.iter().any(|(n, _)| n == mn) {
                        exporters.push((mn.clone(), ex));
                    }
                    continue;
                }
            }
            hosts.push(match a {
                AdapterPlan::Func(_) => None,
                AdapterPlan::Import { module: mn, name, ty } => match self.hosts.get(&(mn.clone(), name.clone())) {
                    Some(h) if h.ty == *ty => Some(h.clone()),
                    Some(h) => {
                        return Err(Error::link(format!(
                            "host function `{mn}` `{name}` does not have the type the module imports: {} (the module imports {ty})",
                            crate::types::func_type_diff(ty, &h.ty)
                        )))
                    }
                    None if self.trap_unknown_imports => None,
                    None => {
                        return Err(Error::link(format!(
                            "missing import: interface function `{mn}` `{name}` of type {ty} is not defined"
                        )))
                    }
                },
            });
        }

        // Fused links: A's implemented imports that call linked modules
        // become the shim's trampolines.
        let fusion = if self.fuse && !exporters.is_empty() {
            let ms: Vec<(String, Module)> = exporters
                .iter()
                .map(|(n, l)| (n.clone(), l.module.clone()))
                .collect();
            link::prepare(store, module, &ms, &self.fusions)?
        } else {
            None
        };

        // Core imports.
        let rt_cell: Arc<OnceLock<Arc<Runtime>>> = Arc::new(OnceLock::new());
        let mut externs = Vec::new();
        let mut func_idx = 0u32;
        for import in m.core.imports() {
            let this_func = func_idx;
            if matches!(import.ty(), wasmtime::ExternType::Func(_)) {
                func_idx += 1;
            }
            if let Some(f) = fusion.as_ref().and_then(|f| f.fused.get(&this_func)) {
                externs.push((*f).into());
                continue;
            }
            if let (wasmtime::ExternType::Func(fty), Some(&adapter)) =
                (import.ty(), plans.implements.get(&this_func))
            {
                let label = format!(
                    "`implement` adapter {adapter} for core import `{}` `{}`",
                    import.module(),
                    import.name()
                );
                let func = implement_func(store, fty, adapter, label, rt_cell.clone());
                externs.push(func.into());
                continue;
            }
            if let Some(ext) = self.core.get_by_import(&mut *store, &import) {
                externs.push(ext);
                continue;
            }
            match import.ty() {
                wasmtime::ExternType::Func(fty) if self.trap_unknown_imports => {
                    let what = format!(
                        "unknown import `{}` `{}` was called (nothing provides it)",
                        import.module(),
                        import.name()
                    );
                    let f = wasmtime::Func::new(&mut *store, fty, move |_, _, _| {
                        Err(wasmtime::Error::new(Error::new(
                            ErrorKind::Trap,
                            what.clone(),
                        )))
                    });
                    externs.push(f.into());
                }
                ty => {
                    let hint = if import.module().starts_with("wasi") && self.wasi.is_none() {
                        " (enable WASI to provide it)"
                    } else {
                        ""
                    };
                    return Err(Error::link(format!(
                        "missing import: core {} `{}` `{}` is not defined{hint}",
                        describe_extern(&ty),
                        import.module(),
                        import.name()
                    )));
                }
            }
        }

        let instance = wasmtime::Instance::new(&mut *store, &m.core, &externs).map_err(|e| {
            let hit = store.data_mut().limiter.hit.take();
            if hit.is_none()
                && e.downcast_ref::<wasmtime::Trap>().is_none()
                && e.downcast_ref::<Error>().is_none()
            {
                Error::link(format!("{e:#}"))
            } else {
                // Name the phase: a memory or table too large for the
                // limits fails before any code runs.
                let phase = if m.core_info.start.is_some() {
                    format!("while instantiating {label} (start function)")
                } else {
                    format!("while instantiating {label} (creating memories and tables; the module has no start function)")
                };
                Error::from_wasmtime(e, hit).context(phase)
            }
        })?;
        if let Some(fusion) = fusion {
            link::finish(store, fusion, instance, label, &exporters)?;
        }

        // Resolve everything plans name, once.
        let mut funcs = Vec::with_capacity(plans.core_funcs.len());
        for idx in &plans.core_funcs {
            let missing = || Error::internal(format!("core function {idx} is not reachable"));
            let name = m.func_exports.get(idx).ok_or_else(missing)?;
            let func = instance.get_func(&mut *store, name).ok_or_else(missing)?;
            let (params, results) = m
                .core_info
                .funcs
                .get(*idx as usize)
                .and_then(|f| f.ty.known())
                .ok_or_else(missing)?;
            let callee = Callee::new(&mut *store, func, &params, &results)
                .map_err(|e| Error::load(format!("{e:#}")))?;
            funcs.push(callee);
        }
        let mut memories = Vec::with_capacity(plans.memories.len());
        for idx in &plans.memories {
            let missing = || Error::internal(format!("memory {idx} is not reachable"));
            let name = m.memory_exports.get(idx).ok_or_else(missing)?;
            memories.push(instance.get_memory(&mut *store, name).ok_or_else(missing)?);
        }
        let rt = Arc::new(Runtime {
            plans: plans.clone(),
            funcs,
            memories,
            hosts,
            module: module.clone(),
            core: instance,
        });
        let _ = rt_cell.set(rt.clone());
        Ok((instance, rt))
    }
}

fn describe_extern(ty: &wasmtime::ExternType) -> String {
    match ty {
        wasmtime::ExternType::Func(f) => format!("function {f}"),
        wasmtime::ExternType::Memory(_) => "memory".into(),
        wasmtime::ExternType::Table(_) => "table".into(),
        wasmtime::ExternType::Global(_) => "global".into(),
        wasmtime::ExternType::Tag(_) => "tag".into(),
    }
}

/// The core function that satisfies an implemented import: converts the core
/// arguments, runs the adapter (which calls the host), converts back.
fn implement_func(
    store: &mut Store<StoreData>,
    fty: wasmtime::FuncType,
    adapter: u32,
    label: String,
    rt: Arc<OnceLock<Arc<Runtime>>>,
) -> wasmtime::Func {
    wasmtime::Func::new(store, fty, move |mut caller, params, results| {
        let Some(rt) = rt.get().cloned() else {
            return Err(wasmtime::Error::new(Error::usage(format!(
                "{label} was called during instantiation (by the start function), before the instance was ready"
            ))));
        };
        let mut cx = caller.as_context_mut();
        let mut args = Vec::with_capacity(params.len());
        for p in params {
            args.push(exec::from_val(&mut cx, p).map_err(wasmtime::Error::new)?);
        }
        let mut out = Vec::with_capacity(results.len());
        exec::call_adapter(&mut cx, &rt, adapter, args.as_slice(), args.len(), &mut out)
            .map_err(|e| wasmtime::Error::new(e.context(format!("in {label}"))))?;
        for (slot, v) in results.iter_mut().zip(&out) {
            *slot = exec::to_val(&mut cx, v).map_err(wasmtime::Error::new)?;
        }
        Ok(())
    })
}
