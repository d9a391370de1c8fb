//! Instances and calls.

use crate::error::{Error, ErrorKind};
use crate::exec::{self, ArgSource, Runtime, StoreData};
use crate::module::{ExportKind, Module};
use crate::types::FuncType;
use crate::value::Value;
use std::sync::Arc;
use wasmtime::{AsContextMut, RootScope, Store};

/// A module instance with its own store (memory, globals, fuel).
///
/// After a call fails once wasm has started running (a trap, a guest
/// misbehaviour, a limit, a host function error), the instance is
/// *poisoned*: the guest may be in the middle of an update, so every later
/// call returns [`ErrorKind::Poisoned`]. Instantiate the module again to
/// continue. Errors found before entering wasm (wrong argument types, unknown
/// function) leave the instance as it was.
pub struct Instance {
    store: Store<StoreData>,
    module: Module,
    rt: Arc<Runtime>,
    core: wasmtime::Instance,
    poisoned: Option<String>,
    results_buf: Vec<Value>,
}

/// An interface function of an instance's module.
#[derive(Clone, Debug)]
pub struct Func {
    name: String,
    kind: ExportKind,
    ty: FuncType,
    uses_externref: bool,
    module_id: usize,
}

impl Instance {
    pub(crate) fn new(
        store: Store<StoreData>,
        module: Module,
        rt: Arc<Runtime>,
        core: wasmtime::Instance,
    ) -> Instance {
        Instance {
            store,
            module,
            rt,
            core,
            poisoned: None,
            results_buf: Vec::new(),
        }
    }

    pub(crate) fn take_results_buf(&mut self) -> Vec<Value> {
        std::mem::take(&mut self.results_buf)
    }

    pub(crate) fn put_results_buf(&mut self, mut buf: Vec<Value>) {
        buf.clear();
        self.results_buf = buf;
    }

    pub fn module(&self) -> &Module {
        &self.module
    }

    /// The interface function `name`, if the module offers it.
    pub fn func(&self, name: &str) -> Option<Func> {
        let e = self.module.exports().iter().find(|e| e.name == name)?;
        let uses_externref = match e.kind {
            ExportKind::Adapter(idx) => match self.rt.plans.func(idx) {
                Some(crate::plan::AdapterPlan::Func(p)) => p.uses_externref,
                _ => {
                    e.ty.params
                        .iter()
                        .chain(&e.ty.results)
                        .any(|t| t.has_externref())
                }
            },
            ExportKind::Core(_) => {
                e.ty.params
                    .iter()
                    .chain(&e.ty.results)
                    .any(|t| t.has_externref())
            }
        };
        Some(Func {
            name: e.name.clone(),
            kind: e.kind,
            ty: e.ty.clone(),
            uses_externref,
            module_id: Arc::as_ptr(&self.module.inner) as usize,
        })
    }

    /// Calls interface function `name` with `args`.
    pub fn call(&mut self, name: &str, args: &[Value]) -> Result<Vec<Value>, Error> {
        let f = self
            .func(name)
            .ok_or_else(|| Error::usage(format!("the module has no function `{name}`")))?;
        f.call(self, args)
    }

    /// Calls a core export by name with core values (`Value::I32`, …),
    /// whether or not an adapter hides it: the backward-compatible view.
    pub fn call_core(&mut self, name: &str, args: &[Value]) -> Result<Vec<Value>, Error> {
        self.check_poison()?;
        let func = self.core.get_func(&mut self.store, name).ok_or_else(|| {
            Error::usage(format!("the core module has no function export `{name}`"))
        })?;
        let ty = func.ty(&self.store);
        if ty.params().len() != args.len() {
            return Err(Error::usage(format!(
                "`{name}` takes {} arguments, got {}",
                ty.params().len(),
                args.len()
            )));
        }
        let mut scope = RootScope::new(&mut self.store);
        let mut cx = scope.as_context_mut();
        let mut params = Vec::with_capacity(args.len());
        for (a, t) in args.iter().zip(ty.params()) {
            let v = exec::to_val(&mut cx, a).map_err(|_| {
                Error::host_type(format!("expected a core {t}, found {}", a.describe()))
            })?;
            params.push(v);
        }
        let mut results: Vec<wasmtime::Val> = ty
            .results()
            .map(|t| wasmtime::Val::default_for_ty(&t).unwrap_or(wasmtime::Val::I32(0)))
            .collect();
        let r = func.call(&mut cx, &params, &mut results).map_err(|e| {
            let hit = cx.data_mut().limiter.hit.take();
            Error::from_wasmtime(e, hit)
        });
        let r = r.and_then(|()| results.iter().map(|v| exec::from_val(&mut cx, v)).collect());
        drop(scope);
        if let Err(e) = &r {
            if e.poisons() {
                self.poisoned = Some(e.to_string());
            }
        }
        r
    }

    /// Remaining fuel, when fuel is metered.
    pub fn fuel(&self) -> Option<u64> {
        self.store.get_fuel().ok()
    }

    /// Sets the remaining fuel (fuel metering must be on in the engine).
    pub fn set_fuel(&mut self, fuel: u64) -> Result<(), Error> {
        self.store
            .set_fuel(fuel)
            .map_err(|e| Error::usage(format!("{e:#}")))
    }

    /// Wasm stops [`crate::Limit::Deadline`] `ticks` epochs from now.
    pub fn set_epoch_deadline(&mut self, ticks: u64) {
        // wasmtime adds the delta to the current epoch without saturating.
        self.store.set_epoch_deadline(ticks.min(u64::MAX / 2));
    }

    /// Size in bytes of the core memory exported as `name`.
    pub fn memory_size(&mut self, name: &str) -> Option<usize> {
        let m = self.core.get_memory(&mut self.store, name)?;
        Some(m.data_size(&self.store))
    }

    /// Whether an earlier call failed inside wasm (see the type's docs).
    pub fn is_poisoned(&self) -> bool {
        self.poisoned.is_some()
    }

    /// Lets calls run again after a failure poisoned the instance, as core
    /// wasm hosts do (a JS instance keeps working after a trap; the
    /// conformance corpus relies on it). The engine's own state is
    /// consistent after any failure — deferred calls have run, nothing is
    /// held across calls — but the *guest's* may not be: the caller accepts
    /// running code that was interrupted mid-update.
    pub fn clear_poison(&mut self) {
        self.poisoned = None;
    }

    fn check_poison(&self) -> Result<(), Error> {
        match &self.poisoned {
            None => Ok(()),
            Some(why) => Err(Error::new(
                ErrorKind::Poisoned,
                format!(
                    "an earlier call failed inside wasm ({}); instantiate the module again",
                    why.lines().next().unwrap_or("")
                ),
            )),
        }
    }

    /// Runs adapter/core function `f` with pre-checked arguments.
    pub(crate) fn invoke<A: ArgSource + ?Sized>(
        &mut self,
        f: &Func,
        args: &A,
        nargs: usize,
        out: &mut Vec<Value>,
    ) -> Result<(), Error> {
        self.check_poison()?;
        let r = match f.kind {
            ExportKind::Adapter(idx) => {
                let rt = &*self.rt;
                if f.uses_externref {
                    let mut scope = RootScope::new(&mut self.store);
                    exec::call_adapter(&mut scope.as_context_mut(), rt, idx, args, nargs, out)
                } else {
                    exec::call_adapter(&mut self.store.as_context_mut(), rt, idx, args, nargs, out)
                }
            }
            ExportKind::Core(_) => {
                let mut vals = Vec::with_capacity(nargs);
                for i in 0..nargs as u32 {
                    match args.arg(i) {
                        Some(exec::ArgRef::Value(v)) => vals.push(v.clone()),
                        _ => return Err(Error::host_type("core functions take core values")),
                    }
                }
                let name = f.name.clone();
                return self.call_core(&name, &vals).map(|vs| out.extend(vs));
            }
        };
        // A guest that panicked says why (`docs/format.md`, *Panic messages*).
        let r = r.map_err(|e| crate::guest_panic::annotate(&mut self.store, &self.core, e));
        if let Err(e) = &r {
            if e.poisons() {
                self.poisoned = Some(e.to_string());
            }
        }
        r
    }

    pub(crate) fn owns(&self, f: &Func) -> bool {
        f.module_id == Arc::as_ptr(&self.module.inner) as usize
    }
}

impl Func {
    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn ty(&self) -> &FuncType {
        &self.ty
    }

    /// Calls the function; arguments are type-checked before wasm runs.
    pub fn call(&self, instance: &mut Instance, args: &[Value]) -> Result<Vec<Value>, Error> {
        let mut out = Vec::with_capacity(self.ty.results.len());
        self.call_into(instance, args, &mut out)?;
        Ok(out)
    }

    /// Like [`Func::call`], appending results to `out` (reuse it to avoid an
    /// allocation per call).
    pub fn call_into(
        &self,
        instance: &mut Instance,
        args: &[Value],
        out: &mut Vec<Value>,
    ) -> Result<(), Error> {
        if !instance.owns(self) {
            return Err(Error::usage(format!(
                "function `{}` belongs to another module",
                self.name
            )));
        }
        if args.len() != self.ty.params.len() {
            return Err(Error::host_type(format!(
                "`{}` takes {} arguments ({}), got {}",
                self.name,
                self.ty.params.len(),
                self.ty,
                args.len()
            )));
        }
        for (i, (a, t)) in args.iter().zip(&self.ty.params).enumerate() {
            a.check(t)
                .map_err(|e| e.context(format!("in argument {i} of `{}`", self.name)))?;
        }
        instance.invoke(self, args, args.len(), out)
    }

    pub(crate) fn kind(&self) -> ExportKind {
        self.kind
    }
}
