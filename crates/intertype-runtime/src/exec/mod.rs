//! Executing plans against a live instance.
//!
//! Everything an instance resolves once (callees, memories, host functions)
//! lives in [`Runtime`] (`store.rs`); per-call scratch (registers, `Val` buffers) is pooled
//! in the store so a steady stream of calls allocates nothing beyond the
//! values it returns.

use crate::args::{ArgRef, ArgSource};
use crate::canon::{self, write_string, Lowerer};
use crate::error::{Error, Misbehavior};
use crate::plain::ResultSink;
use crate::plan::{
    AdapterPlan, Dst, FastOp, FastPlan, FastResult, FuncPlan, I32Call, Malloc, Op, Operand,
    FAST_INTS, FAST_STRS,
};
use crate::store::{internal, wasm_error, Callee, RawCaller, Runtime, StoreData};
use crate::value::{ExternRef, Value};
use intertype::{Conversion, CoreType, StringEncoding};
use wasmtime::{AsContextMut, Memory, StoreContextMut, Val};

mod fast;
mod plain;
pub(crate) use fast::{run_direct, run_scalar, run_string_call};
use plain::{lower_plain_arg, sink_op};

/// The registers and arguments of one running adapter.
struct Frame<'r, A: ?Sized> {
    regs: &'r mut [Value],
    ints: &'r mut [i32],
    strs: &'r mut [String],
    args: &'r A,
}

impl<A: ArgSource + ?Sized> Frame<'_, A> {
    #[inline]
    fn i32(&self, o: Operand) -> Result<i32, Error> {
        let v = match o {
            Operand::Int(r) => {
                return self
                    .ints
                    .get(r as usize)
                    .copied()
                    .ok_or_else(|| internal("register"))
            }
            Operand::Arg(i) => match self.args.arg(i) {
                Some(ArgRef::Value(v)) => v,
                _ => return Err(internal("expected an i32 argument")),
            },
            Operand::Reg(r) | Operand::Keep(r) => self
                .regs
                .get(r as usize)
                .ok_or_else(|| internal("register"))?,
            Operand::Str(_) => return Err(internal("expected an i32")),
        };
        match v {
            Value::I32(x) => Ok(*x),
            _ => Err(internal("expected an i32")),
        }
    }

    /// Moves (or copies, for arguments and kept registers) a value out.
    fn take(&mut self, o: Operand) -> Result<Value, Error> {
        match o {
            Operand::Int(r) => self
                .ints
                .get(r as usize)
                .map(|x| Value::I32(*x))
                .ok_or_else(|| internal("register")),
            Operand::Arg(i) => match self.args.arg(i) {
                Some(a) => a.to_value(),
                None => Err(internal("argument")),
            },
            Operand::Reg(r) => self
                .regs
                .get_mut(r as usize)
                .map(std::mem::take)
                .ok_or_else(|| internal("register")),
            Operand::Str(r) => self
                .strs
                .get_mut(r as usize)
                .map(|s| Value::String(std::mem::take(s)))
                .ok_or_else(|| internal("register")),
            Operand::Keep(r) => self
                .regs
                .get(r as usize)
                .cloned()
                .ok_or_else(|| internal("register")),
        }
    }

    fn set(&mut self, d: Dst, v: Value) -> Result<(), Error> {
        match (d, v) {
            (Dst::Int(r), Value::I32(x)) => self.set_i32(Dst::Int(r), x),
            (Dst::Int(_), _) => Err(internal("expected an i32")),
            (Dst::Str(r), Value::String(s)) => self.set_str(r, s),
            (Dst::Str(_), _) => Err(internal("expected a string")),
            (Dst::Val(r), v) => {
                *self
                    .regs
                    .get_mut(r as usize)
                    .ok_or_else(|| internal("register"))? = v;
                Ok(())
            }
        }
    }

    #[inline]
    fn set_i32(&mut self, d: Dst, x: i32) -> Result<(), Error> {
        match d {
            Dst::Int(r) => {
                *self
                    .ints
                    .get_mut(r as usize)
                    .ok_or_else(|| internal("register"))? = x;
                Ok(())
            }
            Dst::Val(_) | Dst::Str(_) => self.set(d, Value::I32(x)),
        }
    }

    #[inline]
    fn set_str(&mut self, r: u32, s: String) -> Result<(), Error> {
        *self
            .strs
            .get_mut(r as usize)
            .ok_or_else(|| internal("register"))? = s;
        Ok(())
    }
}

/// Calls adapter `func` with `args`, appending its results to `out`.
#[inline]
pub(crate) fn call_adapter<A: ArgSource + ?Sized>(
    cx: &mut StoreContextMut<'_, StoreData>,
    rt: &Runtime,
    func: u32,
    args: &A,
    nargs: usize,
    out: &mut Vec<Value>,
) -> Result<(), Error> {
    // Only a typed call's own arguments carry a result sink; adapters it
    // calls get `[Value]` arguments, without one.
    match rt.plans.func(func) {
        Some(AdapterPlan::Func(plan)) => run(cx, rt, func, plan, args, out, args.sink()),
        Some(AdapterPlan::Import { module, name, ty }) => {
            let mut values = Vec::with_capacity(nargs);
            for i in 0..nargs as u32 {
                values.push(match args.arg(i) {
                    Some(a) => a.to_value()?,
                    None => return Err(internal("argument")),
                });
            }
            call_host(cx, rt, func, module, name, ty, &values, out)
        }
        None => Err(Error::usage(format!(
            "adapter function {func} does not exist"
        ))),
    }
}

#[allow(clippy::too_many_arguments)]
fn call_host(
    cx: &mut StoreContextMut<'_, StoreData>,
    rt: &Runtime,
    func: u32,
    module: &str,
    name: &str,
    ty: &crate::types::FuncType,
    args: &[Value],
    out: &mut Vec<Value>,
) -> Result<(), Error> {
    let Some(Some(host)) = rt.hosts.get(func as usize) else {
        return Err(Error::new(
            crate::error::ErrorKind::Trap,
            format!("unknown import `{module}` `{name}` was called (nothing provides it)"),
        ));
    };
    let start = out.len();
    // A panicking host function must not unwind through wasm frames into the
    // embedder's call (leaving the instance in an unknown state): it becomes
    // a `Host` error that poisons the instance.
    let caller = RawCaller {
        cx: cx.as_context_mut(),
        rt,
    };
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        host.call(caller, args, out)
    }));
    let r = match r {
        Ok(r) => r,
        Err(payload) => {
            cx.data_mut().entered = true;
            out.truncate(start);
            Err(Error::panicked(payload.as_ref()))
        }
    };
    r.map_err(|e| e.context(format!("in host function `{module}` `{name}`")))?;
    let results = &out[start..];
    if results.len() != ty.results.len() {
        return Err(Error::host_type(format!(
            "host function `{module}` `{name}` returned {} values, its type {ty} has {}",
            results.len(),
            ty.results.len()
        )));
    }
    for (v, t) in results.iter().zip(&ty.results) {
        v.check(t).map_err(|e| {
            e.context(format!(
                "in the result of host function `{module}` `{name}`"
            ))
        })?;
    }
    Ok(())
}

/// `i32` registers up to this many live on the native stack.
const STACK_INTS: usize = 16;
/// `Value` registers up to this many live on the native stack.
const STACK_REGS: usize = 4;
/// `String` registers up to this many live on the native stack.
const STACK_STRS: usize = 4;

fn run<A: ArgSource + ?Sized>(
    cx: &mut StoreContextMut<'_, StoreData>,
    rt: &Runtime,
    adapter: u32,
    plan: &FuncPlan,
    args: &A,
    out: &mut Vec<Value>,
    sink: Option<&dyn ResultSink>,
) -> Result<(), Error> {
    if let Some(fast) = &plan.fast {
        if let Some(sc) = &fast.string_call {
            let s = match args.arg(sc.arg) {
                Some(ArgRef::Str(s)) => s,
                Some(ArgRef::Value(Value::String(s))) => s,
                _ => return Err(internal("expected a string argument")),
            };
            out.push(Value::String(run_string_call(cx, rt, adapter, sc, s)?));
            return Ok(());
        }
        return run_fast(cx, rt, plan, fast, args, out);
    }
    // Small register files live on the native stack; larger ones come from
    // a pool in the store.
    let mut small_regs: [Value; STACK_REGS];
    let mut pooled = Vec::new();
    let regs: &mut [Value] = if plan.regs == 0 {
        &mut []
    } else if plan.regs as usize <= STACK_REGS {
        small_regs = Default::default();
        &mut small_regs[..plan.regs as usize]
    } else {
        pooled = cx.data_mut().regs_pool.pop().unwrap_or_default();
        pooled.resize_with(plan.regs as usize, Value::default);
        &mut pooled
    };
    let mut small = [0i32; STACK_INTS];
    let mut big = Vec::new();
    let ints: &mut [i32] = if plan.ints as usize <= STACK_INTS {
        &mut small[..plan.ints as usize]
    } else {
        big.resize(plan.ints as usize, 0);
        &mut big
    };
    let mut small_strs: [String; STACK_STRS];
    let mut big_strs = Vec::new();
    let strs: &mut [String] = if plan.strs == 0 {
        &mut []
    } else if plan.strs as usize <= STACK_STRS {
        small_strs = Default::default();
        &mut small_strs[..plan.strs as usize]
    } else {
        big_strs.resize_with(plan.strs as usize, String::new);
        &mut big_strs
    };
    let mut frame = Frame {
        regs,
        ints,
        strs,
        args,
    };
    let mut reached = 0usize;
    let mut result = exec(cx, rt, plan, &mut frame, &mut reached, sink);
    // Deferred calls run on every exit, last reached first.
    for d in plan.deferred[..reached].iter().rev() {
        let r = match &d.fast {
            Some(call) => call_i32(cx, rt, call, frame.ints),
            None => call_core(cx, rt, d.func, &d.args, &[], &mut frame),
        };
        let r = r.map_err(|e| in_deferred(e, plan));
        if let (Err(e), true) = (r, result.is_ok()) {
            result = Err(e);
        }
    }
    if result.is_ok() {
        for o in plan.results.iter() {
            match frame.take(*o) {
                Ok(v) => out.push(v),
                Err(e) => {
                    result = Err(e);
                    break;
                }
            }
        }
    }
    if plan.regs as usize > STACK_REGS {
        pooled.clear();
        cx.data_mut().regs_pool.push(pooled);
    }
    result
}

/// Runs a plan in the fast subset ([`FastOp`]): same semantics and errors
/// as [`run`], with registers on the native stack and no operand decoding.
fn run_fast<A: ArgSource + ?Sized>(
    cx: &mut StoreContextMut<'_, StoreData>,
    rt: &Runtime,
    plan: &FuncPlan,
    fast: &FastPlan,
    args: &A,
    out: &mut Vec<Value>,
) -> Result<(), Error> {
    let mut ints = [0i32; FAST_INTS];
    let mut strs: [String; FAST_STRS] = Default::default();
    let mut reached = 0usize;
    let mut result = Ok(());
    for (at, op) in fast.ops.iter() {
        let r = match *op {
            FastOp::Call(ref call) => call_i32(cx, rt, call, &mut ints),
            FastOp::Defer(ordinal) => {
                reached = ordinal as usize + 1;
                Ok(())
            }
            FastOp::ArgToMemory {
                arg,
                mem,
                malloc,
                ptr,
                len,
            } => fast_arg_to_memory(cx, rt, args, arg, mem, malloc).and_then(|(p, l)| {
                set_int(&mut ints, ptr, p as i32).and(set_int(&mut ints, len, l as i32))
            }),
            FastOp::MemoryToString { mem, ptr, len, dst } => {
                fast_memory_to_string(cx, rt, &ints, mem, ptr, len).and_then(|s| {
                    *strs
                        .get_mut(dst as usize)
                        .ok_or_else(|| internal("register"))? = s;
                    Ok(())
                })
            }
        };
        if let Err(e) = r {
            result = Err(e.context(format!(
                "in {} at instruction {at} `{}`",
                plan.label,
                op.mnemonic()
            )));
            break;
        }
    }
    for d in plan.deferred[..reached].iter().rev() {
        let r = match &d.fast {
            Some(call) => call_i32(cx, rt, call, &mut ints),
            None => Err(internal("deferred call outside the fast subset")),
        };
        let r = r.map_err(|e| in_deferred(e, plan));
        if let (Err(e), true) = (r, result.is_ok()) {
            result = Err(e);
        }
    }
    result?;
    for r in fast.results.iter() {
        out.push(match *r {
            FastResult::Int(r) => Value::I32(ints.get(r as usize).copied().unwrap_or_default()),
            FastResult::Str(r) => Value::String(
                strs.get_mut(r as usize)
                    .map(std::mem::take)
                    .unwrap_or_default(),
            ),
        });
    }
    Ok(())
}

/// Names an adapter in an error message: its plan, or the runtime and
/// index to find the plan by, on the error path only.
trait AdapterLabel: Copy {
    fn with_label<R>(self, f: impl FnOnce(&str) -> R) -> R;
}

impl AdapterLabel for &FuncPlan {
    fn with_label<R>(self, f: impl FnOnce(&str) -> R) -> R {
        f(&self.label)
    }
}

/// Adapter `.1` of runtime `.0` (the fast paths carry no plan reference).
#[derive(Clone, Copy)]
struct Label<'r>(&'r Runtime, u32);

impl AdapterLabel for Label<'_> {
    fn with_label<R>(self, f: impl FnOnce(&str) -> R) -> R {
        match self.0.plans.func(self.1) {
            Some(AdapterPlan::Func(p)) => f(&p.label),
            _ => f(&format!("adapter {}", self.1)),
        }
    }
}

#[cold]
fn in_deferred(e: Error, plan: impl AdapterLabel) -> Error {
    plan.with_label(|label| e.context(format!("in a deferred call of {label}")))
}

#[cold]
fn in_instruction(e: Error, plan: impl AdapterLabel, at: u32, mnemonic: &str) -> Error {
    plan.with_label(|label| e.context(format!("in {label} at instruction {at} `{mnemonic}`")))
}

#[inline]
fn set_int(ints: &mut [i32], r: u32, v: i32) -> Result<(), Error> {
    *ints
        .get_mut(r as usize)
        .ok_or_else(|| internal("register"))? = v;
    Ok(())
}

#[inline]
fn fast_arg_to_memory<A: ArgSource + ?Sized>(
    cx: &mut StoreContextMut<'_, StoreData>,
    rt: &Runtime,
    args: &A,
    arg: u32,
    mem: u32,
    malloc: Malloc,
) -> Result<(u32, u32), Error> {
    let s: &str = match args.arg(arg) {
        Some(ArgRef::Str(s)) => s,
        Some(ArgRef::Value(Value::String(s))) => s,
        _ => return Err(internal("expected a string argument")),
    };
    write_string(cx, rt, memory(rt, mem)?, malloc, s, StringEncoding::Utf8)
}

#[inline]
fn fast_memory_to_string(
    cx: &mut StoreContextMut<'_, StoreData>,
    rt: &Runtime,
    ints: &[i32],
    mem: u32,
    ptr: u32,
    len: u32,
) -> Result<String, Error> {
    let get = |r: u32| {
        ints.get(r as usize)
            .copied()
            .ok_or_else(|| internal("register"))
    };
    let (ptr, len) = (get(ptr)? as u32, get(len)? as u32);
    canon::read_string(memory(rt, mem)?.data(&*cx), ptr, len, StringEncoding::Utf8)
}

impl FastOp {
    fn mnemonic(&self) -> &'static str {
        match self {
            FastOp::ArgToMemory { .. } => "string-to-memory",
            FastOp::Call(_) => "call-core",
            FastOp::Defer(_) => "defer-call-core",
            FastOp::MemoryToString { .. } => "memory-to-string",
        }
    }
}

fn exec<A: ArgSource + ?Sized>(
    cx: &mut StoreContextMut<'_, StoreData>,
    rt: &Runtime,
    plan: &FuncPlan,
    f: &mut Frame<'_, A>,
    reached: &mut usize,
    sink: Option<&dyn ResultSink>,
) -> Result<(), Error> {
    let last = plan.ops.len().wrapping_sub(1);
    for (i, (instr, op)) in plan.ops.iter().enumerate() {
        let r = match sink {
            Some(sink) if i == last => match sink_op(cx, rt, plan, op, f, sink) {
                Some(r) => r,
                None => exec_op(cx, rt, op, f, reached),
            },
            _ => exec_op(cx, rt, op, f, reached),
        };
        r.map_err(|e| {
            e.context(format!(
                "in {} at instruction {instr} `{}`",
                plan.label,
                op.mnemonic()
            ))
        })?;
    }
    Ok(())
}

#[inline]
fn memory(rt: &Runtime, slot: u32) -> Result<Memory, Error> {
    rt.memories
        .get(slot as usize)
        .copied()
        .ok_or_else(|| internal("memory slot"))
}

fn exec_op<A: ArgSource + ?Sized>(
    cx: &mut StoreContextMut<'_, StoreData>,
    rt: &Runtime,
    op: &Op,
    f: &mut Frame<'_, A>,
    reached: &mut usize,
) -> Result<(), Error> {
    match op {
        Op::CallI32(call) => call_i32(cx, rt, call, f.ints),
        Op::CallCore {
            func,
            args,
            results,
        } => call_core(cx, rt, *func, args, results, f),
        Op::CallAdapter {
            func,
            args,
            results,
        } => {
            let mut vals = Vec::with_capacity(args.len());
            for a in args.iter() {
                vals.push(f.take(*a)?);
            }
            let mut outs = Vec::with_capacity(results.len());
            call_adapter(cx, rt, *func, vals.as_slice(), vals.len(), &mut outs)?;
            for (r, v) in results.iter().zip(outs) {
                f.set(*r, v)?;
            }
            Ok(())
        }
        Op::Defer { ordinal } => {
            *reached = *ordinal as usize + 1;
            Ok(())
        }
        Op::MemoryToString {
            mem,
            encoding,
            ptr,
            len,
            dst,
        } => {
            let (ptr, len) = (f.i32(*ptr)? as u32, f.i32(*len)? as u32);
            let mem = memory(rt, *mem)?;
            let s = canon::read_string(mem.data(&*cx), ptr, len, *encoding)?;
            match *dst {
                Dst::Str(r) => f.set_str(r, s),
                other => f.set(other, Value::String(s)),
            }
        }
        Op::StringToMemory {
            mem,
            encoding,
            malloc,
            src,
            ptr,
            len,
        } => {
            let mem = memory(rt, *mem)?;
            let (p, l) = match *src {
                Operand::Arg(i) => match f.args.arg(i) {
                    Some(ArgRef::Str(s)) => write_string(cx, rt, mem, *malloc, s, *encoding)?,
                    Some(ArgRef::Value(Value::String(s))) => {
                        write_string(cx, rt, mem, *malloc, s, *encoding)?
                    }
                    _ => return Err(internal("expected a string argument")),
                },
                Operand::Str(r) => {
                    let s = f.strs.get(r as usize).ok_or_else(|| internal("register"))?;
                    write_string(cx, rt, mem, *malloc, s, *encoding)?
                }
                other => match f.take(other)? {
                    Value::String(s) => write_string(cx, rt, mem, *malloc, &s, *encoding)?,
                    _ => return Err(internal("expected a string")),
                },
            };
            f.set_i32(*ptr, p as i32)?;
            f.set_i32(*len, l as i32)
        }
        Op::Convert { conv, src, dst } => {
            let v = f.take(*src)?;
            f.set(*dst, convert(*conv, v)?)
        }
        Op::RecordLift { tuple, fields, dst } => {
            let mut vs = Vec::with_capacity(fields.len());
            for o in fields.iter() {
                vs.push(f.take(*o)?);
            }
            f.set(
                *dst,
                if *tuple {
                    Value::Tuple(vs)
                } else {
                    Value::Record(vs)
                },
            )
        }
        Op::RecordLower { src, dsts } => match f.take(*src)? {
            Value::Record(vs) | Value::Tuple(vs) if vs.len() == dsts.len() => {
                for (r, v) in dsts.iter().zip(vs) {
                    f.set(*r, v)?;
                }
                Ok(())
            }
            _ => Err(internal("expected a record")),
        },
        Op::ValueLift {
            shape,
            mem,
            src,
            dst,
        } => {
            let mut flat = Vec::with_capacity(src.len());
            for o in src.iter() {
                flat.push(f.take(*o)?);
            }
            let max_value_bytes = cx.data().limiter.max_value_bytes;
            let (data, enc): (&[u8], StringEncoding) = match mem {
                Some(m) => (memory(rt, m.mem)?.data(&*cx), m.encoding),
                None => (&[], StringEncoding::Utf8),
            };
            let mut budget = canon::Budget::new(max_value_bytes, data.len());
            let v = canon::lift_flat(data, shape, &flat, enc, &mut budget)?;
            f.set(*dst, v)
        }
        Op::ValueLower {
            shape,
            mem,
            malloc,
            src,
            dsts,
        } => {
            // Borrowed typed arguments go straight into the registers.
            if let Operand::Arg(i) = *src {
                match f.args.arg(i) {
                    Some(ArgRef::Plain(v)) => {
                        if let Some(r) = lower_plain_arg(shape, v, dsts, f) {
                            return r;
                        }
                    }
                    Some(ArgRef::Value(_)) | None => {}
                    Some(arg) => {
                        if let (Some(m), [d0, d1]) = (mem, &dsts[..]) {
                            let mut l = Lowerer {
                                cx: &mut *cx,
                                rt,
                                mem: Some((memory(rt, m.mem)?, m.encoding)),
                                malloc: *malloc,
                            };
                            if let Some(r) = l.lower_arg_pair(shape, arg) {
                                let (p, n) = r?;
                                f.set_i32(*d0, p as i32)?;
                                return f.set_i32(*d1, n as i32);
                            }
                        }
                    }
                }
            }
            // The flat values go through a buffer pooled in the store.
            let mut flat = cx.data_mut().regs_pool.pop().unwrap_or_default();
            flat.clear();
            let r = (|| {
                let mem = match mem {
                    Some(m) => Some((memory(rt, m.mem)?, m.encoding)),
                    None => None,
                };
                let mut l = Lowerer {
                    cx: &mut *cx,
                    rt,
                    mem,
                    malloc: *malloc,
                };
                match *src {
                    Operand::Arg(i) => {
                        let arg = f.args.arg(i).ok_or_else(|| internal("argument"))?;
                        l.lower_arg(shape, arg, &mut flat)?
                    }
                    other => {
                        let v = f.take(other)?;
                        l.lower_flat(shape, &v, &mut flat)?
                    }
                }
                for (r, v) in dsts.iter().zip(flat.drain(..)) {
                    f.set(*r, v)?;
                }
                Ok(())
            })();
            flat.clear();
            cx.data_mut().regs_pool.push(flat);
            r
        }
        Op::ValueLoad {
            shape,
            mem,
            ptr,
            dst,
        } => {
            let ptr = f.i32(*ptr)? as u32;
            let m = memory(rt, mem.mem)?;
            let data = m.data(&*cx);
            let mut budget = canon::Budget::new(cx.data().limiter.max_value_bytes, data.len());
            let v = canon::load_checked(data, shape, ptr, mem.encoding, &mut budget)?;
            f.set(*dst, v)
        }
        Op::ValueStore {
            shape,
            mem,
            malloc,
            ptr,
            src,
        } => {
            let ptr = f.i32(*ptr)? as u32;
            let m = memory(rt, mem.mem)?;
            let mut l = Lowerer {
                cx: &mut *cx,
                rt,
                mem: Some((m, mem.encoding)),
                malloc: *malloc,
            };
            // A plain argument: its bytes written in place.
            if let Operand::Arg(i) = *src {
                if let Some(ArgRef::Plain(v)) = f.args.arg(i) {
                    if let Some(r) = l.store_plain(shape, v, ptr) {
                        return r;
                    }
                }
            }
            let v = f.take(*src)?;
            l.store_checked(shape, &v, ptr)
        }
        Op::ValueStoreNew {
            shape,
            mem,
            malloc,
            src,
            dst,
        } => {
            let m = memory(rt, mem.mem)?;
            let mut l = Lowerer {
                cx: &mut *cx,
                rt,
                mem: Some((m, mem.encoding)),
                malloc: Some(*malloc),
            };
            if let Operand::Arg(i) = *src {
                if let Some(ArgRef::Plain(v)) = f.args.arg(i) {
                    if shape.plain.is_some() && v.plain() == shape.plain {
                        let ptr = l.alloc(shape.size, shape.align)?;
                        if let Some(r) = l.store_plain(shape, v, ptr) {
                            r?;
                            return f.set_i32(*dst, ptr as i32);
                        }
                    }
                }
            }
            let v = f.take(*src)?;
            let ptr = l.alloc(shape.size, shape.align)?;
            l.store_checked(shape, &v, ptr)?;
            f.set_i32(*dst, ptr as i32)
        }
    }
}

/// [`Op::CallI32`]: arguments from and results to `i32` registers.
#[inline]
fn call_i32(
    cx: &mut StoreContextMut<'_, StoreData>,
    rt: &Runtime,
    call: &I32Call,
    ints: &mut [i32],
) -> Result<(), Error> {
    let mut a = [0i32; 4];
    for (slot, r) in a.iter_mut().zip(&call.args[..call.nargs as usize]) {
        *slot = ints
            .get(*r as usize)
            .copied()
            .ok_or_else(|| internal("register"))?;
    }
    let callee = rt
        .funcs
        .get(call.func as usize)
        .ok_or_else(|| internal("callee slot"))?;
    match callee.call_i32(cx, a) {
        Some(Ok(r)) => {
            for (d, v) in call.results[..call.nresults as usize].iter().zip(r) {
                *ints
                    .get_mut(*d as usize)
                    .ok_or_else(|| internal("register"))? = v;
            }
            Ok(())
        }
        Some(Err(e)) => Err(wasm_error(cx, e)),
        None => Err(internal("callee")),
    }
}

fn call_core<A: ArgSource + ?Sized>(
    cx: &mut StoreContextMut<'_, StoreData>,
    rt: &Runtime,
    slot: u32,
    args: &[Operand],
    results: &[Dst],
    f: &mut Frame<'_, A>,
) -> Result<(), Error> {
    let callee = rt
        .funcs
        .get(slot as usize)
        .ok_or_else(|| internal("callee slot"))?;
    let err = |cx: &mut StoreContextMut<'_, StoreData>, e: wasmtime::Error| {
        let hit = cx.data_mut().limiter.hit.take();
        Error::from_wasmtime(e, hit)
    };
    if !matches!(callee, Callee::Dynamic { .. }) {
        let mut a = [0i32; 4];
        for (slot, o) in a.iter_mut().zip(args) {
            *slot = f.i32(*o)?;
        }
        let r = match callee.call_i32(cx, a) {
            Some(Ok(r)) => r,
            Some(Err(e)) => return Err(err(cx, e)),
            None => return Err(internal("callee")),
        };
        for (dst, v) in results.iter().zip(r) {
            f.set_i32(*dst, v)?;
        }
        return Ok(());
    }
    let Callee::Dynamic {
        func,
        results: result_types,
        ..
    } = callee
    else {
        return Err(internal("callee"));
    };
    let mut vals = cx.data_mut().vals_pool.pop().unwrap_or_default();
    vals.clear();
    let r = (|| {
        for o in args {
            let v = f.take(*o)?;
            vals.push(to_val(cx, &v)?);
        }
        let n = vals.len();
        vals.extend(result_types.iter().map(|t| match t {
            CoreType::I32 => Val::I32(0),
            CoreType::I64 => Val::I64(0),
            CoreType::F32 => Val::F32(0),
            CoreType::F64 => Val::F64(0),
            CoreType::Externref => Val::ExternRef(None),
        }));
        let (params, outs) = vals.split_at_mut(n);
        cx.data_mut().entered = true;
        func.call(&mut *cx, params, outs).map_err(|e| err(cx, e))?;
        for (dst, v) in results.iter().zip(outs.iter()) {
            let v = from_val(cx, v)?;
            f.set(*dst, v)?;
        }
        Ok(())
    })();
    vals.clear();
    cx.data_mut().vals_pool.push(vals);
    r
}

pub(crate) fn to_val(cx: &mut StoreContextMut<'_, StoreData>, v: &Value) -> Result<Val, Error> {
    Ok(match v {
        Value::I32(x) => Val::I32(*x),
        Value::I64(x) => Val::I64(*x),
        Value::F32(x) => Val::F32(x.to_bits()),
        Value::F64(x) => Val::F64(x.to_bits()),
        Value::Externref(None) => Val::ExternRef(None),
        Value::Externref(Some(r)) => Val::ExternRef(Some(
            wasmtime::ExternRef::new(&mut *cx, r.clone())
                .map_err(|e| Error::from_wasmtime(e, None))?,
        )),
        other => {
            return Err(internal(&format!(
                "expected a core value, found {}",
                other.describe()
            )))
        }
    })
}

pub(crate) fn from_val(cx: &mut StoreContextMut<'_, StoreData>, v: &Val) -> Result<Value, Error> {
    Ok(match v {
        Val::I32(x) => Value::I32(*x),
        Val::I64(x) => Value::I64(*x),
        Val::F32(x) => Value::F32(f32::from_bits(*x)),
        Val::F64(x) => Value::F64(f64::from_bits(*x)),
        Val::ExternRef(None) => Value::Externref(None),
        Val::ExternRef(Some(r)) => {
            let data = r.data(&*cx).map_err(|e| Error::from_wasmtime(e, None))?;
            match data.and_then(|d| d.downcast_ref::<ExternRef>()) {
                Some(r) => Value::Externref(Some(r.clone())),
                None => {
                    return Err(Error::guest(
                        Misbehavior::InvalidValue,
                        "an externref that this host did not create reached an adapter",
                    ))
                }
            }
        }
        other => {
            return Err(internal(&format!(
                "unsupported core value {:?}",
                other.ty(&*cx).ok()
            )))
        }
    })
}

/// The scalar conversions (`docs/format.md` §2). A failed checked lift is the
/// guest's fault; a failed checked lower is the host's.
pub(crate) fn convert(conv: Conversion, v: Value) -> Result<Value, Error> {
    use Conversion as C;
    use Value as V;
    let lift_range = |x: i64, lo: i64, hi: i64, t: &str| {
        if x < lo || x > hi {
            Err(Error::guest(
                Misbehavior::InvalidValue,
                format!("{conv}: {x} is outside the range of {t}"),
            ))
        } else {
            Ok(x)
        }
    };
    Ok(match (conv, v) {
        (C::I32ToS8, V::I32(x)) => V::S8(x as i8),
        (C::I32ToS8X, V::I32(x)) => {
            V::S8(lift_range(x.into(), i8::MIN.into(), i8::MAX.into(), "s8")? as i8)
        }
        (C::I32ToU8, V::I32(x)) => V::U8(x as u8),
        (C::I32ToS16, V::I32(x)) => V::S16(x as i16),
        (C::I32ToS16X, V::I32(x)) => {
            V::S16(lift_range(x.into(), i16::MIN.into(), i16::MAX.into(), "s16")? as i16)
        }
        (C::I32ToU16, V::I32(x)) => V::U16(x as u16),
        (C::I32ToS32, V::I32(x)) => V::S32(x),
        (C::I32ToU32, V::I32(x)) => V::U32(x as u32),
        (C::I32ToS64, V::I32(x)) => V::S64(x.into()),
        (C::I32ToU64, V::I32(x)) => V::U64((x as u32).into()),
        (C::I64ToS8, V::I64(x)) => V::S8(x as i8),
        (C::I64ToS8X, V::I64(x)) => {
            V::S8(lift_range(x, i8::MIN.into(), i8::MAX.into(), "s8")? as i8)
        }
        (C::I64ToU8, V::I64(x)) => V::U8(x as u8),
        (C::I64ToS16, V::I64(x)) => V::S16(x as i16),
        (C::I64ToS16X, V::I64(x)) => {
            V::S16(lift_range(x, i16::MIN.into(), i16::MAX.into(), "s16")? as i16)
        }
        (C::I64ToU16, V::I64(x)) => V::U16(x as u16),
        (C::I64ToS32, V::I64(x)) => V::S32(x as i32),
        (C::I64ToS32X, V::I64(x)) => {
            V::S32(lift_range(x, i32::MIN.into(), i32::MAX.into(), "s32")? as i32)
        }
        (C::I64ToU32, V::I64(x)) => V::U32(x as u32),
        (C::I64ToS64, V::I64(x)) => V::S64(x),
        (C::I64ToU64, V::I64(x)) => V::U64(x as u64),
        (C::S8ToI32, V::S8(x)) => V::I32(x.into()),
        (C::U8ToI32, V::U8(x)) => V::I32(x.into()),
        (C::S16ToI32, V::S16(x)) => V::I32(x.into()),
        (C::U16ToI32, V::U16(x)) => V::I32(x.into()),
        (C::S32ToI32, V::S32(x)) => V::I32(x),
        (C::U32ToI32, V::U32(x)) => V::I32(x as i32),
        (C::S64ToI32, V::S64(x)) => V::I32(x as i32),
        (C::S64ToI32X, V::S64(x)) => V::I32(i32::try_from(x).map_err(|_| {
            Error::host_type(format!("s64-to-i32x: {x} is outside the range of i32"))
        })?),
        (C::U64ToI32, V::U64(x)) => V::I32(x as i32),
        (C::U64ToI32X, V::U64(x)) => V::I32(
            u32::try_from(x)
                .map_err(|_| Error::host_type(format!("u64-to-i32x: {x} is outside 0..2^32")))?
                as i32,
        ),
        (C::S8ToI64, V::S8(x)) => V::I64(x.into()),
        (C::U8ToI64, V::U8(x)) => V::I64(x.into()),
        (C::S16ToI64, V::S16(x)) => V::I64(x.into()),
        (C::U16ToI64, V::U16(x)) => V::I64(x.into()),
        (C::S32ToI64, V::S32(x)) => V::I64(x.into()),
        (C::U32ToI64, V::U32(x)) => V::I64(x.into()),
        (C::S64ToI64, V::S64(x)) => V::I64(x),
        (C::U64ToI64, V::U64(x)) => V::I64(x as i64),
        (C::I32ToBool, V::I32(x)) => V::Bool(x != 0),
        (C::BoolToI32, V::Bool(b)) => V::I32(b.into()),
        (C::I32ToChar, V::I32(x)) => V::Char(char::from_u32(x as u32).ok_or_else(|| {
            Error::guest(
                Misbehavior::InvalidValue,
                format!("i32-to-char: {:#x} is not a Unicode scalar value", x as u32),
            )
        })?),
        (C::CharToI32, V::Char(c)) => V::I32(c as i32),
        (_, v) => return Err(internal(&format!("{conv} applied to {}", v.describe()))),
    })
}

impl Op {
    pub(crate) fn mnemonic(&self) -> &'static str {
        match self {
            Op::CallCore { .. } | Op::CallI32(_) => "call-core",
            Op::CallAdapter { .. } => "call-adapter",
            Op::Defer { .. } => "defer-call-core",
            Op::MemoryToString { .. } => "memory-to-string",
            Op::StringToMemory { .. } => "string-to-memory",
            Op::Convert { conv, .. } => conv.name(),
            Op::RecordLift { .. } => "record.lift",
            Op::RecordLower { .. } => "record.lower",
            Op::ValueLift { .. } => "value.lift",
            Op::ValueLower { .. } => "value.lower",
            Op::ValueLoad { .. } => "value.load",
            Op::ValueStore { .. } => "value.store",
            Op::ValueStoreNew { .. } => "value.store_new",
        }
    }
}
