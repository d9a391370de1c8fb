//! Instances and calls.

use crate::args::{core_args, ArgSource};
use crate::error::{Error, ErrorKind};
use crate::exec;
use crate::module::{ExportKind, Module};
use crate::plan::{from_bits, to_bits, AdapterPlan, DirectCall, StringCall, SCALAR_IO};
use crate::store::{wasm_error, Runtime, StoreData};
use crate::types::FuncType;
use crate::value::Value;
use std::marker::PhantomData;
use std::sync::Arc;
use wasmtime::{AsContextMut, RootScope, Store, StoreContextMut};

/// A module instance with its own store (memory, globals, fuel) and the
/// embedder's data `T` (given to [`crate::Linker::instantiate_with`]; host
/// functions reach it through [`crate::Caller`]).
///
/// After a call fails once wasm has started running (a trap, a guest
/// misbehaviour, a limit, a host function error or panic), the instance is
/// *poisoned*: the guest may be in the middle of an update, so every later
/// call returns [`ErrorKind::Poisoned`]. Instantiate the module again to
/// continue. Errors found before entering wasm (wrong argument types, unknown
/// function, a string the guest's encoding cannot hold) leave the instance
/// as it was.
pub struct Instance<T = ()> {
    store: Store<StoreData>,
    module: Module,
    rt: Arc<Runtime>,
    core: wasmtime::Instance,
    fuel_per_call: Option<u64>,
    deadline_per_call: Option<u64>,
    _data: PhantomData<fn() -> T>,
}

/// An interface function of an instance's module.
#[derive(Clone, Debug)]
pub struct Func {
    name: String,
    kind: ExportKind,
    ty: FuncType,
    uses_externref: bool,
    /// Whether its adapter has a scalar plan ([`CallContext::invoke_scalar`]).
    scalar: bool,
    /// Its adapter's scalar plan as one direct call, when it has that shape
    /// ([`CallContext::invoke_direct`]). Fast plans are copied here so that
    /// a call needs no plan lookup (the plan is read again only to name the
    /// adapter in an error).
    direct: Option<DirectCall>,
    /// Its adapter's string-call plan ([`CallContext::invoke_string`]).
    string_call: Option<StringCall>,
    module_id: usize,
}

/// Where a call runs: an [`Instance`], or a [`crate::Caller`] (a host
/// function calling back into the guest). [`Func::call_in`] and
/// [`crate::TypedFunc::call_in`] take either.
pub trait CallContext {
    #[doc(hidden)]
    fn invoke<A: ArgSource + ?Sized>(
        &mut self,
        f: &Func,
        args: &A,
        nargs: usize,
        out: &mut Vec<Value>,
    ) -> Result<(), Error>;
    #[doc(hidden)]
    fn module_id(&self) -> usize;
    #[doc(hidden)]
    fn take_results(&mut self) -> Vec<Value>;
    #[doc(hidden)]
    fn put_results(&mut self, buf: Vec<Value>);
    /// Runs `f`'s scalar plan: `regs` holds the arguments' bits on entry
    /// and the results' on return (`plan/scalar.rs`). `None` when this
    /// context has no such path (callers then take the general one).
    #[doc(hidden)]
    fn invoke_scalar(
        &mut self,
        f: &Func,
        regs: &mut [u64; SCALAR_IO],
    ) -> Option<Result<(), Error>> {
        let _ = (f, regs);
        None
    }
    /// Runs `f`'s scalar plan as one direct core call (`plan/scalar.rs`,
    /// `DirectCall`): `args` are the core arguments, the result the
    /// results' bits. `None` when `f` or this context has no such path.
    #[doc(hidden)]
    fn invoke_direct(
        &mut self,
        f: &Func,
        args: [i32; 4],
        nresults: usize,
    ) -> Option<Result<[u64; 2], Error>> {
        let _ = (f, args, nresults);
        None
    }
    /// Runs `f`'s string-call plan on `s` (`plan/mod.rs`, `StringCall`).
    /// `None` when this context has no such path.
    #[doc(hidden)]
    fn invoke_string(&mut self, f: &Func, s: &str) -> Option<Result<String, Error>> {
        let _ = (f, s);
        None
    }
}

impl Module {
    /// The interface function `name`, if the module offers it.
    pub(crate) fn func_named(&self, name: &str) -> Option<Func> {
        let e = self.exports().iter().find(|e| e.name == name)?;
        let any_externref = || {
            e.ty.params
                .iter()
                .chain(&e.ty.results)
                .any(|t| t.has_externref())
        };
        let (uses_externref, scalar, direct, string_call) = match e.kind {
            ExportKind::Adapter(idx) => match self.inner.plans.func(idx) {
                Some(AdapterPlan::Func(p)) => (
                    p.uses_externref,
                    p.scalar.is_some(),
                    p.scalar.as_ref().and_then(|s| s.direct),
                    p.fast.as_ref().and_then(|f| f.string_call),
                ),
                _ => (any_externref(), false, None, None),
            },
            ExportKind::Core(_) => (any_externref(), false, None, None),
        };
        Some(Func {
            name: e.name.clone(),
            kind: e.kind,
            ty: e.ty.clone(),
            uses_externref,
            scalar,
            direct,
            string_call,
            module_id: self.id(),
        })
    }

    pub(crate) fn id(&self) -> usize {
        Arc::as_ptr(&self.inner) as usize
    }
}

#[cold]
#[inline(never)]
pub(crate) fn poisoned_error(why: &str) -> Error {
    Error::new(
        ErrorKind::Poisoned,
        format!(
            "an earlier call failed inside wasm ({}); instantiate the module again",
            why.lines().next().unwrap_or("")
        ),
    )
}

/// Calls core function `func` with core values.
pub(crate) fn call_core_func(
    cx: &mut StoreContextMut<'_, StoreData>,
    func: wasmtime::Func,
    name: &str,
    args: &[Value],
) -> Result<Vec<Value>, Error> {
    let ty = func.ty(&*cx);
    if ty.params().len() != args.len() {
        return Err(Error::usage(format!(
            "`{name}` takes {} arguments, got {}",
            ty.params().len(),
            args.len()
        )));
    }
    let mut scope = RootScope::new(&mut *cx);
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
    cx.data_mut().entered = true;
    func.call(&mut cx, &params, &mut results)
        .map_err(|e| wasm_error(&mut cx, e))?;
    results.iter().map(|v| exec::from_val(&mut cx, v)).collect()
}

impl<T: 'static> Instance<T> {
    pub(crate) fn new(
        store: Store<StoreData>,
        module: Module,
        rt: Arc<Runtime>,
        core: wasmtime::Instance,
    ) -> Instance<T> {
        Instance {
            store,
            module,
            rt,
            core,
            fuel_per_call: None,
            deadline_per_call: None,
            _data: PhantomData,
        }
    }

    pub fn module(&self) -> &Module {
        &self.module
    }

    /// The data given at instantiation.
    pub fn data(&self) -> &T {
        crate::store::downcast(&*self.store.data().user)
    }

    /// The data given at instantiation, mutably.
    pub fn data_mut(&mut self) -> &mut T {
        crate::store::downcast_mut(&mut *self.store.data_mut().user)
    }

    /// The interface function `name`, if the module offers it.
    pub fn func(&self, name: &str) -> Option<Func> {
        self.module.func_named(name)
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
        self.begin_call()?;
        let r = call_core_func(&mut self.store.as_context_mut(), func, name, args);
        self.end_call(&r);
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

    /// Wasm stops [`crate::Limit::Deadline`] `ticks` epochs from now. The
    /// deadline counts from this call (from instantiation for the
    /// [`crate::Limits::epoch_deadline`] an instance starts with) across
    /// every later call; for a budget per call, see
    /// [`Instance::set_deadline_per_call`].
    pub fn set_epoch_deadline(&mut self, ticks: u64) {
        // wasmtime adds the delta to the current epoch without saturating.
        self.store.set_epoch_deadline(ticks.min(u64::MAX / 2));
    }

    /// Gives every call from now on `fuel` fuel of its own (refilled at the
    /// start of each call, `None` to stop refilling). Fuel metering must be
    /// on in the engine ([`crate::Config::consume_fuel`] or
    /// [`crate::Limits::fuel`]).
    pub fn set_fuel_per_call(&mut self, fuel: Option<u64>) -> Result<(), Error> {
        if fuel.is_some() && self.store.get_fuel().is_err() {
            return Err(Error::usage(
                "fuel is not metered: enable it in the engine's Config (consume_fuel)",
            ));
        }
        self.fuel_per_call = fuel;
        Ok(())
    }

    /// Gives every call from now on a deadline `ticks` epochs after it
    /// starts (`None` to stop). Epoch interruption must be on in the engine
    /// ([`crate::Config::epoch_interruption`] or
    /// [`crate::Limits::epoch_deadline`]).
    pub fn set_deadline_per_call(&mut self, ticks: Option<u64>) {
        self.deadline_per_call = ticks;
    }

    /// Size in bytes of the core memory exported as `name`.
    pub fn memory_size(&mut self, name: &str) -> Option<usize> {
        let m = self.core.get_memory(&mut self.store, name)?;
        Some(m.data_size(&self.store))
    }

    /// The bytes of the core memory exported as `name`.
    pub fn memory(&mut self, name: &str) -> Option<&mut [u8]> {
        let m = self.core.get_memory(&mut self.store, name)?;
        Some(m.data_mut(&mut self.store))
    }

    /// Whether an earlier call failed inside wasm (see the type's docs).
    pub fn is_poisoned(&self) -> bool {
        self.store.data().poisoned.is_some()
    }

    /// Lets calls run again after a failure poisoned the instance, as core
    /// wasm hosts do (a JS instance keeps working after a trap; the
    /// conformance corpus relies on it). The engine's own state is
    /// consistent after any failure — deferred calls have run, nothing is
    /// held across calls — but the *guest's* may not be: the caller accepts
    /// running code that was interrupted mid-update.
    pub fn clear_poison(&mut self) {
        self.store.data_mut().poisoned = None;
    }

    #[inline(always)]
    fn check_poison(&self) -> Result<(), Error> {
        match &self.store.data().poisoned {
            None => Ok(()),
            Some(why) => Err(poisoned_error(why)),
        }
    }

    /// Starts an outermost call: per-call budgets, and nothing entered yet.
    #[inline(always)]
    fn begin_call(&mut self) -> Result<(), Error> {
        if let Some(fuel) = self.fuel_per_call {
            self.set_fuel(fuel)?;
        }
        if let Some(ticks) = self.deadline_per_call {
            self.set_epoch_deadline(ticks);
        }
        let d = self.store.data_mut();
        d.entered = false;
        d.limiter.hit = None;
        Ok(())
    }

    /// The frame of a specialised call (string call, scalar plan): refuses
    /// a poisoned instance, sets the per-call budgets, and on failure names
    /// a guest panic and poisons as the general path does.
    #[inline(always)]
    fn fast_call<R>(
        &mut self,
        run: impl FnOnce(&mut Self) -> Result<R, Error>,
    ) -> Result<R, Error> {
        self.check_poison().and_then(|()| self.begin_call())?;
        match run(self) {
            Ok(r) => Ok(r),
            Err(e) => Err(self.fast_call_failed(e)),
        }
    }

    /// The failure half of [`Instance::fast_call`], out of line.
    #[cold]
    #[inline(never)]
    fn fast_call_failed(&mut self, e: Error) -> Error {
        let e = crate::guest_panic::annotate(&mut self.store, &self.core, e);
        self.poison_on(&e);
        e
    }

    /// Poisons the instance if `r` failed after wasm ran.
    #[inline]
    fn end_call<R>(&mut self, r: &Result<R, Error>) {
        if let Err(e) = r {
            self.poison_on(e);
        }
    }

    /// Poisons the instance if `e` happened after wasm ran.
    fn poison_on(&mut self, e: &Error) {
        let d = self.store.data_mut();
        if e.poisons() && d.entered {
            d.poisoned = Some(e.to_string());
        }
    }
}

impl<T: 'static> CallContext for Instance<T> {
    /// Runs adapter/core function `f` with pre-checked arguments.
    fn invoke<A: ArgSource + ?Sized>(
        &mut self,
        f: &Func,
        args: &A,
        nargs: usize,
        out: &mut Vec<Value>,
    ) -> Result<(), Error> {
        self.check_poison()?;
        let r = match f.kind {
            ExportKind::Adapter(idx) => {
                self.begin_call()?;
                let rt = &*self.rt;
                if f.uses_externref {
                    let mut scope = RootScope::new(&mut self.store);
                    exec::call_adapter(&mut scope.as_context_mut(), rt, idx, args, nargs, out)
                } else {
                    exec::call_adapter(&mut self.store.as_context_mut(), rt, idx, args, nargs, out)
                }
            }
            ExportKind::Core(_) => {
                let vals = core_args(args, nargs)?;
                let name = f.name.clone();
                return self.call_core(&name, &vals).map(|vs| out.extend(vs));
            }
        };
        // A guest that panicked says why (`docs/format.md`, *Panic messages*).
        let r = r.map_err(|e| crate::guest_panic::annotate(&mut self.store, &self.core, e));
        self.end_call(&r);
        r
    }

    fn module_id(&self) -> usize {
        self.module.id()
    }

    fn take_results(&mut self) -> Vec<Value> {
        std::mem::take(&mut self.store.data_mut().results_pool)
    }

    fn put_results(&mut self, mut buf: Vec<Value>) {
        buf.clear();
        self.store.data_mut().results_pool = buf;
    }

    #[inline]
    fn invoke_string(&mut self, f: &Func, s: &str) -> Option<Result<String, Error>> {
        let (ExportKind::Adapter(idx), Some(sc)) = (f.kind, &f.string_call) else {
            return None;
        };
        Some(self.fast_call(|this| {
            exec::run_string_call(&mut this.store.as_context_mut(), &this.rt, idx, sc, s)
        }))
    }

    #[inline(always)]
    fn invoke_direct(
        &mut self,
        f: &Func,
        args: [i32; 4],
        nresults: usize,
    ) -> Option<Result<[u64; 2], Error>> {
        let (ExportKind::Adapter(idx), Some(d)) = (f.kind, &f.direct) else {
            return None;
        };
        // `fast_call` written out: a closure here would not be inlined.
        if let Err(e) = self.check_poison().and_then(|()| self.begin_call()) {
            return Some(Err(e));
        }
        let r = exec::run_direct(
            &mut self.store.as_context_mut(),
            &self.rt,
            idx,
            d,
            args,
            nresults,
        );
        Some(r.map_err(|e| self.fast_call_failed(e)))
    }

    fn invoke_scalar(
        &mut self,
        f: &Func,
        regs: &mut [u64; SCALAR_IO],
    ) -> Option<Result<(), Error>> {
        let ExportKind::Adapter(idx) = f.kind else {
            return None;
        };
        if !f.scalar {
            return None;
        }
        Some(self.fast_call(|this| {
            exec::run_scalar(&mut this.store.as_context_mut(), &this.rt, idx, regs)
        }))
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
    pub fn call<T: 'static>(
        &self,
        instance: &mut Instance<T>,
        args: &[Value],
    ) -> Result<Vec<Value>, Error> {
        self.call_in(instance, args)
    }

    /// Like [`Func::call`], appending results to `out` (reuse it to avoid an
    /// allocation per call).
    pub fn call_into<T: 'static>(
        &self,
        instance: &mut Instance<T>,
        args: &[Value],
        out: &mut Vec<Value>,
    ) -> Result<(), Error> {
        self.call_into_in(instance, args, out)
    }

    /// [`Func::call`] in any [`CallContext`]: an [`Instance`], or the
    /// [`crate::Caller`] of a host function calling back into the guest.
    pub fn call_in(&self, cx: &mut impl CallContext, args: &[Value]) -> Result<Vec<Value>, Error> {
        let mut out = Vec::with_capacity(self.ty.results.len());
        self.call_into_in(cx, args, &mut out)?;
        Ok(out)
    }

    fn call_into_in(
        &self,
        instance: &mut impl CallContext,
        args: &[Value],
        out: &mut Vec<Value>,
    ) -> Result<(), Error> {
        if instance.module_id() != self.module_id {
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
        if let Some(sc) = &self.string_call {
            // The greeting shape: the string in, the string out, no `Value`
            // inside the call.
            if let Some(Value::String(s)) = args.get(sc.arg as usize) {
                if let Some(r) = instance.invoke_string(self, s) {
                    out.push(Value::String(r?));
                    return Ok(());
                }
            }
        }
        if let Some(d) = &self.direct {
            // One direct core call: the arguments' low 32 bits in, bits out.
            let mut a = [0i32; 4];
            for (slot, arg) in a
                .iter_mut()
                .zip(&args[..usize::from(d.nargs).min(args.len())])
            {
                let bits = to_bits(arg).ok_or_else(|| crate::store::internal("scalar argument"))?;
                *slot = bits as i32;
            }
            if let Some(r) = instance.invoke_direct(self, a, usize::from(d.nresults)) {
                let bits = r?;
                for (b, t) in bits.iter().zip(&self.ty.results) {
                    out.push(
                        from_bits(t, *b).ok_or_else(|| crate::store::internal("scalar result"))?,
                    );
                }
                return Ok(());
            }
        }
        if self.scalar {
            // Scalars only: raw registers, no `Value` inside the call.
            let mut regs = [0u64; SCALAR_IO];
            for (r, a) in regs.iter_mut().zip(args) {
                *r = to_bits(a).ok_or_else(|| crate::store::internal("scalar argument"))?;
            }
            if let Some(r) = instance.invoke_scalar(self, &mut regs) {
                r?;
                for (b, t) in regs.iter().zip(&self.ty.results) {
                    out.push(
                        from_bits(t, *b).ok_or_else(|| crate::store::internal("scalar result"))?,
                    );
                }
                return Ok(());
            }
        }
        instance.invoke(self, args, args.len(), out)
    }

    pub(crate) fn kind(&self) -> ExportKind {
        self.kind
    }

    pub(crate) fn uses_externref(&self) -> bool {
        self.uses_externref
    }

    /// Whether calls may take [`CallContext::invoke_scalar`].
    pub(crate) fn is_scalar(&self) -> bool {
        self.scalar
    }

    /// Whether calls may take [`CallContext::invoke_string`].
    pub(crate) fn is_string_call(&self) -> bool {
        self.string_call.is_some()
    }

    /// The string call that [`CallContext::invoke_string`] runs, if any.
    pub(crate) fn string_call(&self) -> Option<&StringCall> {
        self.string_call.as_ref()
    }

    /// The direct call that [`CallContext::invoke_direct`] runs, if any.
    pub(crate) fn direct(&self) -> Option<&DirectCall> {
        self.direct.as_ref()
    }

    pub(crate) fn module_id(&self) -> usize {
        self.module_id
    }
}
