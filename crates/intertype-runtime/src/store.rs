//! Store state and resolution: what one wasmtime `Store` carries besides
//! wasm (limits, pooled scratch buffers, WASI, the embedder's data), and
//! what an instance resolved once at instantiation (callees with typed fast
//! paths, memories, host functions) with the calls into it that everything
//! above needs (the allocator).

use crate::error::{Error, Limit, LimitHit};
use crate::module::Module;
use crate::plan::{has_typed_callee, Malloc, Plans};
use crate::types::FuncType;
use crate::value::Value;
use intertype::CoreType;
use std::any::Any;
use std::sync::Arc;
use wasmtime::{AsContextMut, Memory, StoreContextMut, TypedFunc, Val};

/// Per-store state.
pub(crate) struct StoreData {
    pub limiter: Limiter,
    pub runtime: Option<Arc<Runtime>>,
    pub regs_pool: Vec<Vec<Value>>,
    pub vals_pool: Vec<Vec<Val>>,
    pub wasi: Option<wasmtime_wasi::p1::WasiP1Ctx>,
    /// The embedder's data (`T` of `Linker<T>`/`Instance<T>`), erased so the
    /// executor is compiled once for every `T`; [`crate::Caller`] and
    /// `Instance` downcast it back (the linker that made the store fixes `T`).
    pub user: Box<dyn Any + Send>,
    /// Why the instance is poisoned (a call failed after wasm ran). In the
    /// store so that calls back into the guest from host functions see it.
    pub poisoned: Option<String>,
    /// Set when the current outermost call entered wasm (or a host function
    /// panicked): from then on a failure may have left the guest mid-update,
    /// so it poisons; failures before it do not.
    pub entered: bool,
    /// Results of typed calls, reused.
    pub results_pool: Vec<Value>,
    /// The trap-code globals of the adapter modules of fused links, read
    /// after a trap to say which module was at fault.
    pub fused: Vec<FusedTraps>,
}

/// One adapter module's trap code and the modules its sides are.
pub(crate) struct FusedTraps {
    pub global: wasmtime::Global,
    /// Side 0 the importer, side `n` the `n`th exporter.
    pub sides: Vec<String>,
}

impl StoreData {
    pub(crate) fn new(
        limiter: Limiter,
        wasi: Option<wasmtime_wasi::p1::WasiP1Ctx>,
        user: Box<dyn Any + Send>,
    ) -> Self {
        StoreData {
            limiter,
            runtime: None,
            regs_pool: Vec::new(),
            vals_pool: Vec::new(),
            wasi,
            user,
            poisoned: None,
            entered: false,
            results_pool: Vec::new(),
            fused: Vec::new(),
        }
    }
}

/// Enforces memory and table limits and remembers which one was hit, so the
/// trap wasmtime reports becomes a typed [`Limit`] error.
pub(crate) struct Limiter {
    pub max_memory: Option<usize>,
    pub max_table: Option<usize>,
    pub max_instances: usize,
    /// [`crate::Limits::max_value_bytes`], read by every lift.
    pub max_value_bytes: Option<u64>,
    pub hit: Option<LimitHit>,
}

impl Limiter {
    /// Lets a memory or table grow to `desired` unless that passes `max`. A
    /// refusal makes `memory.grow`/`table.grow` return -1, as wasmtime's own
    /// limits do (a guest may handle it); it is remembered with the sizes so
    /// that a failure that follows (a Rust guest aborts on allocation
    /// failure) is reported as the limit it was.
    fn allow(
        &mut self,
        limit: Limit,
        unit: &str,
        max: Option<usize>,
        current: usize,
        desired: usize,
    ) -> wasmtime::Result<bool> {
        match max {
            Some(max) if desired > max => {
                self.hit = Some(LimitHit {
                    limit,
                    detail: format!(
                        "growing from {current} to {desired} {unit} was refused (the limit is {max} {unit})"
                    ),
                });
                Ok(false)
            }
            _ => Ok(true),
        }
    }
}

impl wasmtime::ResourceLimiter for Limiter {
    fn memory_growing(
        &mut self,
        current: usize,
        desired: usize,
        _max: Option<usize>,
    ) -> wasmtime::Result<bool> {
        self.allow(Limit::Memory, "bytes", self.max_memory, current, desired)
    }

    fn table_growing(
        &mut self,
        current: usize,
        desired: usize,
        _max: Option<usize>,
    ) -> wasmtime::Result<bool> {
        self.allow(Limit::Table, "elements", self.max_table, current, desired)
    }

    fn instances(&self) -> usize {
        self.max_instances
    }
}

/// A wasmtime error from a call, with the limit the limiter saw (if any).
#[cold]
pub(crate) fn wasm_error(cx: &mut StoreContextMut<'_, StoreData>, e: wasmtime::Error) -> Error {
    let hit = cx.data_mut().limiter.hit.take();
    let fault = fused_fault(cx);
    let e = Error::from_wasmtime(e, hit);
    match fault {
        Some(f) => f.into_error(e),
        None => e,
    }
}

/// What a fused call's adapter module recorded before trapping: the
/// innermost link's fault (inner links were instantiated first). Every
/// code is reset.
fn fused_fault(cx: &mut StoreContextMut<'_, StoreData>) -> Option<FusedFault> {
    if cx.data().fused.is_empty() {
        return None;
    }
    let mut found = None;
    for i in 0..cx.data().fused.len() {
        let global = cx.data().fused[i].global;
        let code = global.get(&mut *cx).i32().unwrap_or(0) as u32;
        if code == 0 {
            continue;
        }
        let _ = global.set(&mut *cx, Val::I32(0));
        if found.is_none() {
            if let Some(fault) = intertype_adapt::Fault::from_code(code) {
                let side = cx.data().fused[i].sides.get(fault.side as usize).cloned();
                found = Some(FusedFault {
                    kind: fault.kind,
                    module: side.unwrap_or_else(|| format!("side {}", fault.side)),
                });
            }
        }
    }
    found
}

struct FusedFault {
    kind: intertype_adapt::FaultKind,
    module: String,
}

impl FusedFault {
    fn into_error(self, trap: Error) -> Error {
        use crate::error::Misbehavior as M;
        use intertype_adapt::FaultKind as K;
        let m = &self.module;
        let (what, text) = match self.kind {
            K::OutOfBounds => (M::OutOfBounds, "a pointer or length out of bounds"),
            K::Misaligned => (M::Misaligned, "a misaligned pointer"),
            K::InvalidEncoding => (
                M::InvalidEncoding,
                "bytes that are not valid in their encoding",
            ),
            K::BadAllocation => (M::BadAllocation, "a bad allocation"),
            K::LengthOverflow => (M::LengthOverflow, "a length that overflows"),
            K::InvalidValue => (M::InvalidValue, "an invalid value"),
            K::Unrepresentable => {
                return Error::host_type(format!(
                    "in a fused call: {m} cannot represent the value it was given"
                ))
            }
            K::CoreTrap => return trap.context(format!("in {m} (a fused call)")),
        };
        Error::guest(what, format!("{m} misbehaved in a fused call: {text}"))
    }
}

pub(crate) fn downcast<T: 'static>(user: &(dyn std::any::Any + Send)) -> &T {
    match user.downcast_ref::<T>() {
        Some(t) => t,
        // The linker that creates a store fixes its data type, and only
        // that linker's host functions and instance see the store.
        None => unreachable!("store data of another type"),
    }
}

pub(crate) fn downcast_mut<T: 'static>(user: &mut (dyn std::any::Any + Send)) -> &mut T {
    match user.downcast_mut::<T>() {
        Some(t) => t,
        None => unreachable!("store data of another type"),
    }
}

/// What an instance resolved at instantiation.
pub(crate) struct Runtime {
    pub plans: Arc<Plans>,
    /// By callee slot.
    pub funcs: Vec<Callee>,
    /// By memory slot.
    pub memories: Vec<Memory>,
    /// By adapter index (`None` for non-imports, and for unknown imports
    /// when those trap).
    pub hosts: Vec<Option<HostFunc>>,
    /// The module and core instance, for host functions that look at the
    /// guest's memory or call back into it ([`crate::Caller`]).
    pub module: Module,
    pub core: wasmtime::Instance,
}

/// A core function, with a typed fast path for the common all-`i32` shapes.
pub(crate) enum Callee {
    P0R0(TypedFunc<(), ()>),
    P0R1(TypedFunc<(), i32>),
    P0R2(TypedFunc<(), (i32, i32)>),
    P1R0(TypedFunc<i32, ()>),
    P1R1(TypedFunc<i32, i32>),
    P1R2(TypedFunc<i32, (i32, i32)>),
    P2R0(TypedFunc<(i32, i32), ()>),
    P2R1(TypedFunc<(i32, i32), i32>),
    P2R2(TypedFunc<(i32, i32), (i32, i32)>),
    P3R0(TypedFunc<(i32, i32, i32), ()>),
    P3R1(TypedFunc<(i32, i32, i32), i32>),
    P4R1(TypedFunc<(i32, i32, i32, i32), i32>),
    Dynamic {
        func: wasmtime::Func,
        results: Box<[CoreType]>,
    },
}

impl Callee {
    pub(crate) fn new(
        store: impl AsContextMut,
        func: wasmtime::Func,
        params: &[CoreType],
        results: &[CoreType],
    ) -> wasmtime::Result<Callee> {
        let all_i32 = has_typed_callee(params, results);
        let s = store;
        Ok(match (all_i32, params.len(), results.len()) {
            (true, 0, 0) => Callee::P0R0(func.typed(s)?),
            (true, 0, 1) => Callee::P0R1(func.typed(s)?),
            (true, 0, 2) => Callee::P0R2(func.typed(s)?),
            (true, 1, 0) => Callee::P1R0(func.typed(s)?),
            (true, 1, 1) => Callee::P1R1(func.typed(s)?),
            (true, 1, 2) => Callee::P1R2(func.typed(s)?),
            (true, 2, 0) => Callee::P2R0(func.typed(s)?),
            (true, 2, 1) => Callee::P2R1(func.typed(s)?),
            (true, 2, 2) => Callee::P2R2(func.typed(s)?),
            (true, 3, 0) => Callee::P3R0(func.typed(s)?),
            (true, 3, 1) => Callee::P3R1(func.typed(s)?),
            (true, 4, 1) => Callee::P4R1(func.typed(s)?),
            _ => Callee::Dynamic {
                func,
                results: results.into(),
            },
        })
    }

    /// Calls an all-`i32` function. Returns `None` when it is not one.
    #[inline]
    pub(crate) fn call_i32(
        &self,
        cx: &mut StoreContextMut<'_, StoreData>,
        a: [i32; 4],
    ) -> Option<wasmtime::Result<[i32; 2]>> {
        cx.data_mut().entered = true;
        let r = match self {
            Callee::P0R0(f) => f.call(cx, ()).map(|()| [0, 0]),
            Callee::P0R1(f) => f.call(cx, ()).map(|x| [x, 0]),
            Callee::P0R2(f) => f.call(cx, ()).map(|(x, y)| [x, y]),
            Callee::P1R0(f) => f.call(cx, a[0]).map(|()| [0, 0]),
            Callee::P1R1(f) => f.call(cx, a[0]).map(|x| [x, 0]),
            Callee::P1R2(f) => f.call(cx, a[0]).map(|(x, y)| [x, y]),
            Callee::P2R0(f) => f.call(cx, (a[0], a[1])).map(|()| [0, 0]),
            Callee::P2R1(f) => f.call(cx, (a[0], a[1])).map(|x| [x, 0]),
            Callee::P2R2(f) => f.call(cx, (a[0], a[1])).map(|(x, y)| [x, y]),
            Callee::P3R0(f) => f.call(cx, (a[0], a[1], a[2])).map(|()| [0, 0]),
            Callee::P3R1(f) => f.call(cx, (a[0], a[1], a[2])).map(|x| [x, 0]),
            Callee::P4R1(f) => f.call(cx, (a[0], a[1], a[2], a[3])).map(|x| [x, 0]),
            Callee::Dynamic { .. } => return None,
        };
        Some(r)
    }
}

pub(crate) type HostFn =
    dyn Fn(RawCaller<'_>, &[Value], &mut Vec<Value>) -> Result<(), Error> + Send + Sync;

/// A host function with an interface signature.
#[derive(Clone)]
pub(crate) struct HostFunc {
    pub ty: FuncType,
    pub f: Arc<HostFn>,
}

impl HostFunc {
    pub(crate) fn call(
        &self,
        caller: RawCaller<'_>,
        args: &[Value],
        out: &mut Vec<Value>,
    ) -> Result<(), Error> {
        (self.f)(caller, args, out)
    }
}

/// The untyped caller the executor hands to a host function; the linker's
/// wrapper turns it into a [`Caller<T>`].
pub(crate) struct RawCaller<'a> {
    pub cx: StoreContextMut<'a, StoreData>,
    pub rt: &'a Runtime,
}

#[cold]
pub(crate) fn internal(what: &str) -> Error {
    Error::internal(format!(
        "{what} (a value of the wrong type reached an adapter)"
    ))
}

/// Calls an allocator and returns its raw result (checked by the caller).
pub(crate) fn call_malloc(
    cx: &mut StoreContextMut<'_, StoreData>,
    rt: &Runtime,
    malloc: Malloc,
    size: u32,
    align: u32,
) -> Result<u32, Error> {
    let callee = rt
        .funcs
        .get(malloc.func as usize)
        .ok_or_else(|| internal("callee slot"))?;
    let args = if malloc.realloc {
        [0, 0, align as i32, size as i32]
    } else {
        [size as i32, align as i32, 0, 0]
    };
    let r = callee
        .call_i32(cx, args)
        .ok_or_else(|| internal("allocator signature"))?;
    match r {
        Ok([ptr, _]) => Ok(ptr as u32),
        Err(e) => Err(wasm_error(cx, e)),
    }
}
