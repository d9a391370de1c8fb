//! Scalar plans: adapters made only of scalar conversions around core calls
//! (`arg.get 0 s32-to-i32 arg.get 1 s32-to-i32 call-core $add i32-to-s32`),
//! run over a file of raw 64-bit registers instead of [`Value`]s, so that a
//! typed call of such an adapter builds no `Value` and allocates nothing.
//!
//! Every register holds a scalar as *bits* ([`to_bits`]): signed integers
//! sign-extended to 64 bits, unsigned ones, `char` and core `i32`
//! zero-extended, `bool` as 0 or 1, floats as their IEEE bits. The unchecked
//! conversions are then truncations and extensions of those bits
//! ([`convert_bits`]); the checked ones (`s64-to-i32x`, `i32-to-char`, …)
//! go through [`crate::exec`]'s `convert` on `Value`s, so their range checks
//! and error messages have one source (a test checks both agree).

use super::{CoreSlot, Dst, FuncPlan, Op, Operand};
use crate::types::Type;
use crate::value::Value;
use intertype::{Conversion, CoreType, ValType};

/// Registers of a scalar plan: its arguments first, then one per value it
/// computes. Plans needing more are not scalar plans.
pub(crate) const SCALAR_REGS: usize = 32;
/// Parameters, and results, a scalar plan may have (the longest Rust tuple
/// has 16): a call passes them in a `[u64; SCALAR_IO]`.
pub(crate) const SCALAR_IO: usize = 16;

#[derive(Debug)]
pub(crate) enum ScalarOp {
    Convert {
        conv: Conversion,
        src: u8,
        dst: u8,
    },
    /// A call of an all-`i32` core function through its typed callee.
    CallI32 {
        func: CoreSlot,
        args: [u8; 4],
        nargs: u8,
        results: [u8; 2],
        nresults: u8,
    },
    /// A call of any other scalar core function (`Func::call` with `Val`s).
    Call {
        func: CoreSlot,
        args: Box<[(u8, CoreType)]>,
        results: Box<[(u8, CoreType)]>,
    },
}

/// See the module docs.
#[derive(Debug)]
pub(crate) struct ScalarPlan {
    /// `(instruction index, op)`.
    pub ops: Box<[(u32, ScalarOp)]>,
    /// The registers holding the results, in order.
    pub results: Box<[u8]>,
    /// The same plan as one direct call, when it has that shape.
    pub direct: Option<DirectCall>,
}

/// The commonest scalar adapter, `add(s32, s32) -> s32`'s shape: core
/// argument `k` an unchecked conversion of parameter `k` to `i32` (the low
/// 32 bits of its bits), one call of an all-`i32` core function, result `k`
/// core result `k`, converted or not. Runs without a register file, inlined
/// into typed calls. (Other orders run as the general scalar plan.)
#[derive(Clone, Copy, Debug)]
pub(crate) struct DirectCall {
    pub func: CoreSlot,
    /// Instruction index of the `call-core`.
    pub at: u32,
    /// Core arguments: parameters `0..nargs`.
    pub nargs: u8,
    /// How each core result becomes a result's bits.
    pub results: [ResultBits; 2],
    pub nresults: u8,
}

/// How a [`DirectCall`]'s core `i32` result becomes a result's bits: the
/// unchecked conversions out of `i32` reduced to the two extensions they
/// differ by. Every reader of bits (`from_bits`, `Lift::from_bits`) reads
/// only the low bits of types narrower than 64 bits (and `bool` as "not
/// zero"), so zero-extending stands for every such conversion; only
/// `i32-to-s64` sign-extends (a unit test in `exec/fast.rs` checks this against
/// [`convert_bits`]).
#[derive(Clone, Copy, Debug)]
pub(crate) enum ResultBits {
    Zext,
    Sext,
    /// A checked conversion (`i32-to-char`, `i32-to-s8x`, ...), with its
    /// instruction index.
    Checked(Conversion, u32),
}

impl ResultBits {
    pub(crate) fn of(conv: Option<(Conversion, u32)>) -> ResultBits {
        match conv {
            None => ResultBits::Zext,
            Some((c, at)) if c.is_checked() => ResultBits::Checked(c, at),
            Some((Conversion::I32ToS64, _)) => ResultBits::Sext,
            Some(_) => ResultBits::Zext,
        }
    }
}

impl DirectCall {
    fn new(np: usize, ops: &[(u32, ScalarOp)], results: &[u8]) -> Option<DirectCall> {
        use std::collections::HashMap;
        // Register -> the parameter it holds truncated to i32.
        let mut lowered: HashMap<u8, u8> = HashMap::new();
        // Register -> (core result, conversion).
        let mut lifted: HashMap<u8, (u8, Option<(Conversion, u32)>)> = HashMap::new();
        let mut call: Option<DirectCall> = None;
        for (at, op) in ops {
            match *op {
                ScalarOp::Convert { conv, src, dst }
                    if call.is_none()
                        && (src as usize) < np
                        && conv.to() == ValType::I32
                        && !conv.is_checked() =>
                {
                    lowered.insert(dst, src);
                }
                ScalarOp::Convert { conv, src, dst } if call.is_some() => {
                    let (k, None) = lifted.remove(&src)? else {
                        return None;
                    };
                    lifted.insert(dst, (k, Some((conv, *at))));
                }
                ScalarOp::CallI32 {
                    func,
                    args,
                    nargs,
                    results,
                    nresults,
                } if call.is_none() => {
                    let d = DirectCall {
                        func,
                        at: *at,
                        nargs,
                        results: [ResultBits::Zext; 2],
                        nresults: 0,
                    };
                    for (k, r) in args[..nargs as usize].iter().enumerate() {
                        if lowered.remove(r)? != k as u8 {
                            return None;
                        }
                    }
                    for (k, r) in results[..nresults as usize].iter().enumerate() {
                        lifted.insert(*r, (k as u8, None));
                    }
                    call = Some(d);
                }
                _ => return None,
            }
        }
        let mut d = call?;
        if results.len() > 2 {
            return None;
        }
        for (i, (slot, r)) in d.results.iter_mut().zip(results).enumerate() {
            let (k, conv) = lifted.remove(r)?;
            if usize::from(k) != i || conv.is_some_and(|(c, _)| c.from() != ValType::I32) {
                return None;
            }
            *slot = ResultBits::of(conv);
        }
        d.nresults = results.len() as u8;
        Some(d)
    }
}

/// Whether values of `t` are scalars a scalar plan carries.
pub(crate) fn is_scalar(t: &Type) -> bool {
    use Type as T;
    matches!(
        t,
        T::Bool
            | T::S8
            | T::U8
            | T::S16
            | T::U16
            | T::S32
            | T::U32
            | T::S64
            | T::U64
            | T::F32
            | T::F64
            | T::Char
            | T::I32
            | T::I64
    )
}

impl ScalarPlan {
    /// The scalar form of `plan`, when it has one. `core_types` gives a
    /// callee slot's core parameter and result types.
    pub(crate) fn new(
        plan: &FuncPlan,
        core_types: &dyn Fn(CoreSlot) -> Option<(Vec<CoreType>, Vec<CoreType>)>,
    ) -> Option<ScalarPlan> {
        let np = plan.ty.params.len();
        let ni = plan.ints as usize;
        if !plan.deferred.is_empty()
            || plan.strs != 0
            || plan.uses_externref
            || np + ni + plan.regs as usize > SCALAR_REGS
            || np > SCALAR_IO
            || plan.results.len() > SCALAR_IO
            || !plan.ty.params.iter().chain(&plan.ty.results).all(is_scalar)
        {
            return None;
        }
        let src = |o: Operand| -> Option<u8> {
            Some(match o {
                Operand::Arg(i) => i as usize,
                Operand::Int(r) => np + r as usize,
                Operand::Reg(r) | Operand::Keep(r) => np + ni + r as usize,
                Operand::Str(_) => return None,
            } as u8)
        };
        let dst = |d: Dst| -> Option<u8> {
            Some(match d {
                Dst::Int(r) => np + r as usize,
                Dst::Val(r) => np + ni + r as usize,
                Dst::Str(_) => return None,
            } as u8)
        };
        let int = |r: u32| (np + r as usize) as u8;
        let mut ops = Vec::with_capacity(plan.ops.len());
        for (at, op) in &plan.ops {
            let op = match op {
                Op::Convert {
                    conv,
                    src: s,
                    dst: d,
                } => ScalarOp::Convert {
                    conv: *conv,
                    src: src(*s)?,
                    dst: dst(*d)?,
                },
                Op::CallI32(c) => {
                    let mut args = [0; 4];
                    let mut results = [0; 2];
                    for (a, r) in args.iter_mut().zip(&c.args[..c.nargs as usize]) {
                        *a = int(*r);
                    }
                    for (a, r) in results.iter_mut().zip(&c.results[..c.nresults as usize]) {
                        *a = int(*r);
                    }
                    ScalarOp::CallI32 {
                        func: c.func,
                        args,
                        nargs: c.nargs,
                        results,
                        nresults: c.nresults,
                    }
                }
                Op::CallCore {
                    func,
                    args,
                    results,
                } => {
                    let (params, outs) = core_types(*func)?;
                    if params.len() != args.len()
                        || outs.len() != results.len()
                        || params
                            .iter()
                            .chain(&outs)
                            .any(|t| *t == CoreType::Externref)
                    {
                        return None;
                    }
                    ScalarOp::Call {
                        func: *func,
                        args: args
                            .iter()
                            .zip(params)
                            .map(|(a, t)| Some((src(*a)?, t)))
                            .collect::<Option<_>>()?,
                        results: results
                            .iter()
                            .zip(outs)
                            .map(|(d, t)| Some((dst(*d)?, t)))
                            .collect::<Option<_>>()?,
                    }
                }
                _ => return None,
            };
            ops.push((*at, op));
        }
        let results: Box<[u8]> = plan
            .results
            .iter()
            .map(|o| src(*o))
            .collect::<Option<_>>()?;
        Some(ScalarPlan {
            direct: DirectCall::new(np, &ops, &results),
            ops: ops.into(),
            results,
        })
    }
}

/// A scalar [`Value`] as bits (see the module docs); `None` for others.
#[inline]
pub(crate) fn to_bits(v: &Value) -> Option<u64> {
    use Value as V;
    Some(match *v {
        V::Bool(b) => b as u64,
        V::S8(x) => x as i64 as u64,
        V::S16(x) => x as i64 as u64,
        V::S32(x) => x as i64 as u64,
        V::S64(x) => x as u64,
        V::U8(x) => x.into(),
        V::U16(x) => x.into(),
        V::U32(x) => x.into(),
        V::U64(x) => x,
        V::F32(x) => x.to_bits().into(),
        V::F64(x) => x.to_bits(),
        V::Char(c) => u32::from(c).into(),
        V::I32(x) => u64::from(x as u32),
        V::I64(x) => x as u64,
        _ => return None,
    })
}

/// The [`Value`] of type `t` with these bits; `None` when `t` is not a
/// scalar or the bits are no `char`.
#[inline]
pub(crate) fn from_bits(t: &Type, b: u64) -> Option<Value> {
    use Type as T;
    use Value as V;
    Some(match t {
        T::Bool => V::Bool(b != 0),
        T::S8 => V::S8(b as i8),
        T::S16 => V::S16(b as i16),
        T::S32 => V::S32(b as i32),
        T::S64 => V::S64(b as i64),
        T::U8 => V::U8(b as u8),
        T::U16 => V::U16(b as u16),
        T::U32 => V::U32(b as u32),
        T::U64 => V::U64(b),
        T::F32 => V::F32(f32::from_bits(b as u32)),
        T::F64 => V::F64(f64::from_bits(b)),
        T::Char => V::Char(char::from_u32(b as u32)?),
        T::I32 => V::I32(b as i32),
        T::I64 => V::I64(b as i64),
        _ => return None,
    })
}

/// An unchecked conversion on bits; `None` for the checked ones (they go
/// through `Value`s).
#[inline]
pub(crate) fn convert_bits(conv: Conversion, x: u64) -> Option<u64> {
    use Conversion as C;
    Some(match conv {
        C::I32ToS8 | C::I64ToS8 => x as i8 as i64 as u64,
        C::I32ToU8 | C::I64ToU8 => (x as u8).into(),
        C::I32ToS16 | C::I64ToS16 => x as i16 as i64 as u64,
        C::I32ToU16 | C::I64ToU16 => (x as u16).into(),
        C::I32ToS32 | C::I32ToS64 | C::I64ToS32 => x as i32 as i64 as u64,
        C::I32ToU32 | C::I32ToU64 | C::I64ToU32 => (x as u32).into(),
        C::I64ToS64 | C::I64ToU64 => x,
        // To core i32: the low 32 bits.
        C::S8ToI32
        | C::U8ToI32
        | C::S16ToI32
        | C::U16ToI32
        | C::S32ToI32
        | C::U32ToI32
        | C::S64ToI32
        | C::U64ToI32
        | C::BoolToI32
        | C::CharToI32 => (x as u32).into(),
        // To core i64: already sign- or zero-extended.
        C::S8ToI64
        | C::U8ToI64
        | C::S16ToI64
        | C::U16ToI64
        | C::S32ToI64
        | C::U32ToI64
        | C::S64ToI64
        | C::U64ToI64 => x,
        C::I32ToBool => u64::from(x as u32 != 0),
        C::I32ToS8X
        | C::I64ToS8X
        | C::I32ToS16X
        | C::I64ToS16X
        | C::I64ToS32X
        | C::S64ToI32X
        | C::U64ToI32X
        | C::I32ToChar => return None,
    })
}

/// The interface type of a conversion's operand or result (all scalars).
pub(crate) fn conversion_type(t: ValType) -> Option<Type> {
    Some(match t {
        ValType::S8 => Type::S8,
        ValType::S16 => Type::S16,
        ValType::S32 => Type::S32,
        ValType::S64 => Type::S64,
        ValType::U8 => Type::U8,
        ValType::U16 => Type::U16,
        ValType::U32 => Type::U32,
        ValType::U64 => Type::U64,
        ValType::F32 => Type::F32,
        ValType::F64 => Type::F64,
        ValType::I32 => Type::I32,
        ValType::I64 => Type::I64,
        ValType::Bool => Type::Bool,
        ValType::Char => Type::Char,
        _ => return None,
    })
}
