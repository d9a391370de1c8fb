//! What a host function sees of the instance that called it: the embedder's
//! data `T`, the guest's memory, and the guest's functions (to call back).

use crate::args::{core_args, ArgSource};
use crate::error::{Error, Misbehavior};
use crate::exec;
use crate::instance::{CallContext, Func};
use crate::module::ExportKind;
use crate::plan::SCALAR_IO;
use crate::store::{downcast, downcast_mut};
use crate::store::{RawCaller, Runtime, StoreData};
use crate::value::Value;
use std::marker::PhantomData;
use wasmtime::{AsContextMut, StoreContextMut};

/// The context of a host function call, as wasmtime's `Caller`: the data
/// `T` of the instance (`Linker<T>`, [`crate::Instance::data`]), the guest's
/// memories, and its interface functions, which may be called back
/// ([`Caller::call`], or a [`crate::TypedFunc`] with the caller as context).
///
/// Host functions that take a `Caller` are defined with
/// [`crate::Linker::func_wrap_with_caller`] and
/// [`crate::Linker::func_new_with_caller`].
pub struct Caller<'a, T> {
    raw: RawCaller<'a>,
    _data: PhantomData<fn() -> T>,
}

impl<'a, T: 'static> Caller<'a, T> {
    pub(crate) fn new(raw: RawCaller<'a>) -> Self {
        Caller {
            raw,
            _data: PhantomData,
        }
    }

    /// The instance's data.
    pub fn data(&self) -> &T {
        downcast(&*self.raw.cx.data().user)
    }

    /// The instance's data, mutably.
    pub fn data_mut(&mut self) -> &mut T {
        downcast_mut(&mut *self.raw.cx.data_mut().user)
    }

    /// The bytes of the core memory the module exports as `name`, if any.
    /// The slice is valid until the guest runs again (it may grow memory).
    pub fn memory(&mut self, name: &str) -> Option<&mut [u8]> {
        let mem = self.raw.rt.core.get_memory(&mut self.raw.cx, name)?;
        Some(mem.data_mut(&mut self.raw.cx))
    }

    /// The bytes of the module's default memory: the one its adapters use,
    /// or else the first memory it exports.
    pub fn default_memory(&mut self) -> Option<&mut [u8]> {
        let mem = match self.raw.rt.memories.first() {
            Some(m) => *m,
            None => self
                .raw
                .rt
                .core
                .exports(&mut self.raw.cx)
                .find_map(|e| e.into_memory())?,
        };
        Some(mem.data_mut(&mut self.raw.cx))
    }

    /// `len` bytes at `ptr` of the default memory, bounds-checked (an
    /// out-of-range request is [`Misbehavior::OutOfBounds`], the guest's
    /// fault: it handed out the pointer).
    pub fn read(&mut self, ptr: u32, len: u32) -> Result<&[u8], Error> {
        let data = self
            .default_memory()
            .ok_or_else(|| Error::usage("the module has no memory"))?;
        let size = data.len();
        data.get(ptr as usize..ptr as usize + len as usize)
            .ok_or_else(|| {
                Error::guest(
                    Misbehavior::OutOfBounds,
                    format!("{len} bytes at {ptr} are outside the guest's memory of {size} bytes"),
                )
            })
    }

    /// The guest's interface function `name`, to call back with
    /// [`Func::call_in`] or, typed, [`Func::typed`] +
    /// [`crate::TypedFunc::call_in`] (the caller is the context:
    /// `f.call_in(&mut caller, args)`).
    pub fn func(&self, name: &str) -> Option<Func> {
        self.raw.rt.module.func_named(name)
    }

    /// Calls the guest's interface function `name` (re-entrantly: the guest
    /// is in the middle of the call that reached this host function).
    pub fn call(&mut self, name: &str, args: &[Value]) -> Result<Vec<Value>, Error> {
        let f = self
            .func(name)
            .ok_or_else(|| Error::usage(format!("the module has no function `{name}`")))?;
        f.call_in(self, args)
    }
}

impl<T: 'static> Caller<'_, T> {
    /// The frame of a call back into the guest: refuses a poisoned
    /// instance, and on failure names a guest panic and poisons, as the
    /// outermost call does (whose per-call budgets also cover this one).
    fn nested<R>(
        &mut self,
        run: impl FnOnce(&mut StoreContextMut<'_, StoreData>, &Runtime) -> Result<R, Error>,
    ) -> Result<R, Error> {
        let mut cx = self.raw.cx.as_context_mut();
        if let Some(why) = &cx.data().poisoned {
            return Err(crate::instance::poisoned_error(why));
        }
        let rt = self.raw.rt;
        run(&mut cx, rt).map_err(|e| {
            let e = crate::guest_panic::annotate(&mut cx, &rt.core, e);
            let d = cx.data_mut();
            if e.poisons() && d.entered {
                d.poisoned = Some(e.to_string());
            }
            e
        })
    }
}

impl<T: 'static> CallContext for Caller<'_, T> {
    fn invoke<A: ArgSource + ?Sized>(
        &mut self,
        f: &Func,
        args: &A,
        nargs: usize,
        out: &mut Vec<Value>,
    ) -> Result<(), Error> {
        self.nested(|cx, rt| match f.kind() {
            ExportKind::Adapter(idx) => {
                if f.uses_externref() {
                    let mut scope = wasmtime::RootScope::new(&mut *cx);
                    exec::call_adapter(&mut scope.as_context_mut(), rt, idx, args, nargs, out)
                } else {
                    exec::call_adapter(cx, rt, idx, args, nargs, out)
                }
            }
            ExportKind::Core(_) => {
                let vals = core_args(args, nargs)?;
                let func = rt
                    .core
                    .get_func(&mut *cx, f.name())
                    .ok_or_else(|| Error::usage(format!("no core function `{}`", f.name())))?;
                crate::instance::call_core_func(cx, func, f.name(), &vals).map(|vs| out.extend(vs))
            }
        })
    }

    // The specialised paths of `Instance` (`instance.rs`), nested.
    fn invoke_direct(
        &mut self,
        f: &Func,
        args: [i32; 4],
        nresults: usize,
    ) -> Option<Result<[u64; 2], Error>> {
        let (ExportKind::Adapter(idx), Some(d)) = (f.kind(), f.direct()) else {
            return None;
        };
        Some(self.nested(|cx, rt| exec::run_direct(cx, rt, idx, d, args, nresults)))
    }

    fn invoke_string(&mut self, f: &Func, s: &str) -> Option<Result<String, Error>> {
        let (ExportKind::Adapter(idx), Some(sc)) = (f.kind(), f.string_call()) else {
            return None;
        };
        Some(self.nested(|cx, rt| exec::run_string_call(cx, rt, idx, sc, s)))
    }

    fn invoke_scalar(
        &mut self,
        f: &Func,
        regs: &mut [u64; SCALAR_IO],
    ) -> Option<Result<(), Error>> {
        let ExportKind::Adapter(idx) = f.kind() else {
            return None;
        };
        if !f.is_scalar() {
            return None;
        }
        Some(self.nested(|cx, rt| exec::run_scalar(cx, rt, idx, regs)))
    }

    fn module_id(&self) -> usize {
        self.raw.rt.module.id()
    }

    fn take_results(&mut self) -> Vec<Value> {
        std::mem::take(&mut self.raw.cx.data_mut().results_pool)
    }

    fn put_results(&mut self, mut buf: Vec<Value>) {
        buf.clear();
        self.raw.cx.data_mut().results_pool = buf;
    }
}
