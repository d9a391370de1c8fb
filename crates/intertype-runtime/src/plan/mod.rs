//! Plans: every adapter is type-checked and turned (by [`compile`], in
//! `compile.rs`), once at load time, into straight-line register code ([`Op`]s over SSA registers) with
//! every type's layout precomputed. Executing a plan never looks at the
//! booklet again.
//!
//! The adapter language has no branches, so the stack height and the type of
//! every slot is known at each instruction: `arg.get` compiles to nothing (its
//! slot simply *is* the argument), and every value an instruction pushes gets
//! its own register. A register is read exactly once (moved out) unless a
//! `defer-call-core` peeked at it, in which case it is kept for the deferred
//! call at exit.

use crate::shape::Shape;
use crate::types::{FuncType, Type};
use intertype::{Conversion, CoreType, StringEncoding};
use std::collections::{BTreeMap, HashSet};

mod compile;
mod scalar;
pub(crate) use compile::compile;
pub(crate) use scalar::{
    conversion_type, convert_bits, from_bits, to_bits, DirectCall, ResultBits, ScalarOp,
    ScalarPlan, SCALAR_IO, SCALAR_REGS,
};

/// Where an instruction's operand lives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Operand {
    /// The adapter's argument `n` (borrowed; never consumed).
    Arg(u32),
    /// Register `n`, moved out when read.
    Reg(u32),
    /// Register `n`, copied when read (a deferred call needs it at exit).
    Keep(u32),
    /// Core `i32` register `n` (a separate, unboxed register file; reads copy).
    Int(u32),
    /// String register `n` (moved out when read; strings are never peeked
    /// by a deferred call, which takes core values only).
    Str(u32),
}

/// Where an instruction puts a value it pushes. Registers come in three
/// files by type, known at load time: unboxed `i32`s (every pointer, length
/// and allocator result), `String`s, and [`Value`](crate::Value)s for the
/// rest. The first two never build or drop a `Value`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Dst {
    Val(u32),
    Int(u32),
    Str(u32),
}

/// A core function an adapter uses: an index into the instance's callee table.
pub(crate) type CoreSlot = u32;
/// A memory an adapter uses: an index into the instance's memory table.
pub(crate) type MemSlot = u32;

#[derive(Clone, Copy, Debug)]
pub(crate) struct Malloc {
    /// Takes `(size)` or `(size, align)`; the callee ignores what it does not take.
    pub func: CoreSlot,
    /// The canonical ABI's `cabi_realloc(old_ptr, old_size, align, new_size)`,
    /// called with no old allocation.
    pub realloc: bool,
}

/// A call of an all-`i32` core function whose arguments and results all
/// live in `i32` registers: the common case (allocators, frees, `(ptr, len)`
/// functions), run without touching a `Value`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct I32Call {
    pub func: CoreSlot,
    pub args: [u32; 4],
    pub nargs: u8,
    pub results: [u32; 2],
    pub nresults: u8,
}

impl I32Call {
    fn new(
        func: CoreSlot,
        params: &[CoreType],
        results: &[CoreType],
        args: &[Operand],
        dsts: &[Dst],
    ) -> Option<I32Call> {
        if !has_typed_callee(params, results) {
            return None;
        }
        let mut call = I32Call {
            func,
            args: [0; 4],
            nargs: args.len() as u8,
            results: [0; 2],
            nresults: dsts.len() as u8,
        };
        for (slot, a) in call.args.iter_mut().zip(args) {
            let Operand::Int(r) = a else { return None };
            *slot = *r;
        }
        for (slot, d) in call.results.iter_mut().zip(dsts) {
            let Dst::Int(r) = d else { return None };
            *slot = *r;
        }
        Some(call)
    }
}

/// The straight-line subset most adapters are made of — strings in and out
/// of linear memory around `i32` core calls (the article's `greeting`,
/// wasm-bindgen's string functions) — with every operand resolved to a
/// register index. A plan made only of these runs without `Value`
/// registers or operand decoding ([`FuncPlan::fast`]).
#[derive(Clone, Copy, Debug)]
pub(crate) enum FastOp {
    /// `string-to-memory` (UTF-8) of string argument `arg`.
    ArgToMemory {
        arg: u32,
        mem: MemSlot,
        malloc: Malloc,
        ptr: u32,
        len: u32,
    },
    Call(I32Call),
    Defer(u32),
    /// `memory-to-string` (UTF-8) into string register `dst`.
    MemoryToString {
        mem: MemSlot,
        ptr: u32,
        len: u32,
        dst: u32,
    },
}

/// A result of a [`FastPlan`].
#[derive(Clone, Copy, Debug)]
pub(crate) enum FastResult {
    Int(u32),
    Str(u32),
}

/// See [`FastOp`].
#[derive(Debug)]
pub(crate) struct FastPlan {
    /// `(instruction index, op)`.
    pub ops: Box<[(u32, FastOp)]>,
    pub results: Box<[FastResult]>,
    /// The same plan as a [`StringCall`], when it has that shape.
    pub string_call: Option<StringCall>,
}

/// The commonest fast plan, `greeting(string) -> string`'s shape: the
/// string argument written to memory, one `(ptr, len) -> (ptr, len)` core
/// call, the result read as a string, and at most one deferred call of
/// `i32` registers among those four. Run straight, like hand-written glue,
/// with the same checks and errors as the fast plan it comes from.
#[derive(Clone, Copy, Debug)]
pub(crate) struct StringCall {
    pub arg: u32,
    pub arg_mem: MemSlot,
    pub malloc: Malloc,
    pub func: CoreSlot,
    pub result_mem: MemSlot,
    /// The deferred call (its registers: 0, 1 the argument's pointer and
    /// length, 2, 3 the call's results), and whether it is reached before
    /// the result is read (so it also runs when reading fails).
    pub deferred: Option<(CoreSlot, [u8; 2], u8, bool)>,
    /// Instruction indices, for error messages.
    pub at: [u32; 3],
}

impl StringCall {
    fn new(fast: &FastPlan, deferred: &[Deferred]) -> Option<StringCall> {
        let [(
            at0,
            FastOp::ArgToMemory {
                arg,
                mem: arg_mem,
                malloc,
                ptr,
                len,
            },
        ), (at1, FastOp::Call(call)), rest @ ..] = &*fast.ops
        else {
            return None;
        };
        if call.nargs != 2 || call.nresults != 2 || call.args[..2] != [*ptr, *len] {
            return None;
        }
        let regs = [*ptr, *len, call.results[0], call.results[1]];
        let reg = |r: u32| regs.iter().position(|x| *x == r).map(|i| i as u8);
        let read = |op: &FastOp| match *op {
            FastOp::MemoryToString { mem, ptr, len, dst } if ptr == regs[2] && len == regs[3] => {
                Some((mem, dst))
            }
            _ => None,
        };
        let defer = |ordinal: u32, before: bool| {
            let d = deferred.get(ordinal as usize)?.fast?;
            let mut args = [0u8; 2];
            for (a, r) in args.iter_mut().zip(&d.args[..d.nargs as usize]) {
                *a = reg(*r)?;
            }
            (d.nargs <= 2 && d.nresults == 0 && deferred.len() == 1)
                .then_some((d.func, args, d.nargs, before))
        };
        let (result_mem, dst, deferred, at2) = match rest {
            [(at, op)] => {
                let (m, d) = read(op)?;
                (m, d, None, *at)
            }
            [(_, FastOp::Defer(o)), (at, op)] => {
                let (m, d) = read(op)?;
                (m, d, Some(defer(*o, true)?), *at)
            }
            [(at, op), (_, FastOp::Defer(o))] => {
                let (m, d) = read(op)?;
                (m, d, Some(defer(*o, false)?), *at)
            }
            _ => return None,
        };
        if !matches!(*fast.results, [FastResult::Str(r)] if r == dst) {
            return None;
        }
        Some(StringCall {
            arg: *arg,
            arg_mem: *arg_mem,
            malloc: *malloc,
            func: call.func,
            result_mem,
            deferred,
            at: [*at0, *at1, at2],
        })
    }
}

/// `i32` registers a [`FastPlan`] may use (they live on the native stack).
pub(crate) const FAST_INTS: usize = 16;
/// String registers a [`FastPlan`] may use.
pub(crate) const FAST_STRS: usize = 2;

impl FastPlan {
    fn new(plan: &FuncPlan) -> Option<FastPlan> {
        if plan.regs != 0
            || plan.ints as usize > FAST_INTS
            || plan.strs as usize > FAST_STRS
            || plan.uses_externref
            || plan.deferred.iter().any(|d| d.fast.is_none())
        {
            return None;
        }
        let ops = plan
            .ops
            .iter()
            .map(|(at, op)| {
                Some((
                    *at,
                    match *op {
                        Op::CallI32(c) => FastOp::Call(c),
                        Op::Defer { ordinal } => FastOp::Defer(ordinal),
                        Op::StringToMemory {
                            mem,
                            encoding: StringEncoding::Utf8,
                            malloc,
                            src: Operand::Arg(arg),
                            ptr: Dst::Int(ptr),
                            len: Dst::Int(len),
                        } => FastOp::ArgToMemory {
                            arg,
                            mem,
                            malloc,
                            ptr,
                            len,
                        },
                        Op::MemoryToString {
                            mem,
                            encoding: StringEncoding::Utf8,
                            ptr: Operand::Int(ptr),
                            len: Operand::Int(len),
                            dst: Dst::Str(dst),
                        } => FastOp::MemoryToString { mem, ptr, len, dst },
                        _ => return None,
                    },
                ))
            })
            .collect::<Option<_>>()?;
        let results = plan
            .results
            .iter()
            .map(|o| match *o {
                Operand::Int(r) => Some(FastResult::Int(r)),
                Operand::Str(r) => Some(FastResult::Str(r)),
                _ => None,
            })
            .collect::<Option<_>>()?;
        let mut fast = FastPlan {
            ops,
            results,
            string_call: None,
        };
        fast.string_call = StringCall::new(&fast, &plan.deferred);
        Some(fast)
    }
}

#[derive(Debug)]
pub(crate) enum Op {
    CallI32(I32Call),
    CallCore {
        func: CoreSlot,
        args: Box<[Operand]>,
        results: Box<[Dst]>,
    },
    CallAdapter {
        func: u32,
        args: Box<[Operand]>,
        results: Box<[Dst]>,
    },
    /// Marks deferred call number `ordinal` as reached.
    Defer {
        ordinal: u32,
    },
    MemoryToString {
        mem: MemSlot,
        encoding: StringEncoding,
        ptr: Operand,
        len: Operand,
        dst: Dst,
    },
    StringToMemory {
        mem: MemSlot,
        encoding: StringEncoding,
        malloc: Malloc,
        src: Operand,
        ptr: Dst,
        len: Dst,
    },
    Convert {
        conv: Conversion,
        src: Operand,
        dst: Dst,
    },
    RecordLift {
        tuple: bool,
        fields: Box<[Operand]>,
        dst: Dst,
    },
    RecordLower {
        src: Operand,
        dsts: Box<[Dst]>,
    },
    ValueLift {
        shape: Box<Shape>,
        mem: Option<MemArgSlot>,
        src: Box<[Operand]>,
        dst: Dst,
    },
    ValueLower {
        shape: Box<Shape>,
        mem: Option<MemArgSlot>,
        malloc: Option<Malloc>,
        src: Operand,
        dsts: Box<[Dst]>,
    },
    ValueLoad {
        shape: Box<Shape>,
        mem: MemArgSlot,
        ptr: Operand,
        dst: Dst,
    },
    ValueStore {
        shape: Box<Shape>,
        mem: MemArgSlot,
        malloc: Option<Malloc>,
        ptr: Operand,
        src: Operand,
    },
    ValueStoreNew {
        shape: Box<Shape>,
        mem: MemArgSlot,
        malloc: Malloc,
        src: Operand,
        dst: Dst,
    },
}

#[derive(Clone, Copy, Debug)]
pub(crate) struct MemArgSlot {
    pub mem: MemSlot,
    pub encoding: StringEncoding,
}

/// A deferred core call: run at exit, last reached first.
#[derive(Debug)]
pub(crate) struct Deferred {
    pub func: CoreSlot,
    pub args: Box<[Operand]>,
    /// The same call, when it can run on `i32` registers alone.
    pub fast: Option<I32Call>,
}

/// One adapter function, compiled.
#[derive(Debug)]
pub(crate) struct FuncPlan {
    /// For error messages: `adapter 3 ("greeting")`.
    pub label: String,
    pub ty: FuncType,
    /// `(instruction index, op)`.
    pub ops: Vec<(u32, Op)>,
    /// Number of `Value` registers.
    pub regs: u32,
    /// Number of `i32` registers.
    pub ints: u32,
    /// Number of `String` registers.
    pub strs: u32,
    pub results: Box<[Operand]>,
    pub deferred: Vec<Deferred>,
    /// Whether externrefs are created while running it (needs a GC root scope).
    pub uses_externref: bool,
    /// The same plan in the fast subset, when it fits.
    pub fast: Option<FastPlan>,
    /// The same plan over raw scalar registers, when it has only scalars.
    pub scalar: Option<ScalarPlan>,
}

// Plans are made once per adapter and read on every call: kept inline (no
// box to follow), whatever the size difference.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub(crate) enum AdapterPlan {
    Import {
        module: String,
        name: String,
        ty: FuncType,
    },
    Func(FuncPlan),
}

/// Everything compiled from one booklet.
#[derive(Debug, Default)]
pub(crate) struct Plans {
    pub adapters: Vec<AdapterPlan>,
    /// Core function index of each callee slot.
    pub core_funcs: Vec<u32>,
    /// Core memory index of each memory slot.
    pub memories: Vec<u32>,
    /// Core import function index → adapter that implements it.
    pub implements: BTreeMap<u32, u32>,
    /// Core function indices adapters use (hidden from the interface view).
    pub adapted: HashSet<u32>,
}

impl Plans {
    pub(crate) fn func(&self, idx: u32) -> Option<&AdapterPlan> {
        self.adapters.get(idx as usize)
    }
}

pub(crate) fn core_type(t: CoreType) -> Type {
    match t {
        CoreType::I32 => Type::I32,
        CoreType::I64 => Type::I64,
        CoreType::F32 => Type::F32,
        CoreType::F64 => Type::F64,
        CoreType::Externref => Type::Externref,
    }
}

/// Whether [`Callee::new`] gives a function of this type a typed fast path.
pub(crate) fn has_typed_callee(params: &[CoreType], results: &[CoreType]) -> bool {
    params.iter().chain(results).all(|t| *t == CoreType::I32)
        && matches!(
            (params.len(), results.len()),
            (0..=2, 0..=2) | (3, 0..=1) | (4, 1)
        )
}
