//! The specialised paths (`docs/runtime.md`, *Calls*), each the steps of
//! a plan shape written out with the same checks, errors and deferred
//! calls as the general executor: string calls (`StringCall`), scalar
//! plans on raw registers (`ScalarPlan`), and direct scalar calls
//! (`DirectCall`), inlined whole into typed calls.

use super::{convert, in_deferred, in_instruction, internal, memory, write_string, Label};
use crate::canon;
use crate::error::Error;
use crate::plan::{
    conversion_type, convert_bits, from_bits, to_bits, AdapterPlan, DirectCall, ResultBits,
    ScalarOp, StringCall, SCALAR_IO, SCALAR_REGS,
};
use crate::store::{wasm_error, Callee, Runtime, StoreData};
use intertype::{Conversion, CoreType, StringEncoding};
use wasmtime::{StoreContextMut, Val};

/// Runs a [`StringCall`] with its string argument `s`: the fast plan's
/// steps written out, with the same checks, errors and deferred call.
#[inline]
pub(crate) fn run_string_call(
    cx: &mut StoreContextMut<'_, StoreData>,
    rt: &Runtime,
    adapter: u32,
    sc: &StringCall,
    s: &str,
) -> Result<String, Error> {
    // The plan is only needed to name the adapter in an error.
    let plan = Label(rt, adapter);
    let [at_arg, at_call, at_read] = sc.at;
    let mem = memory(rt, sc.arg_mem)?;
    let (ptr, len) = match (sc.malloc.realloc, rt.funcs.get(sc.malloc.func as usize)) {
        // `malloc(size)`: called straight, then `write_string`'s UTF-8 steps.
        (false, Some(Callee::P1R1(malloc))) => {
            let at = |e| in_instruction(e, plan, at_arg, "string-to-memory");
            let n = canon::utf8_len(s).map_err(at)?;
            cx.data_mut().entered = true;
            let ptr = match malloc.call(&mut *cx, n as i32) {
                Ok(p) => p as u32,
                Err(e) => return Err(at(wasm_error(cx, e))),
            };
            let data = mem.data_mut(&mut *cx);
            match data.get_mut(ptr as usize..ptr as usize + n as usize) {
                Some(dst) => dst.copy_from_slice(s.as_bytes()),
                None => {
                    let e = canon::alloc_range(data.len(), ptr, n, 1).err();
                    return Err(at(e.unwrap_or_else(|| internal("string range"))));
                }
            }
            (ptr, n)
        }
        _ => write_string(cx, rt, mem, sc.malloc, s, StringEncoding::Utf8)
            .map_err(|e| in_instruction(e, plan, at_arg, "string-to-memory"))?,
    };
    let Some(Callee::P2R2(f)) = rt.funcs.get(sc.func as usize) else {
        return Err(internal("callee"));
    };
    // `entered` is set: the allocator ran.
    let (p, l) = match f.call(&mut *cx, (ptr as i32, len as i32)) {
        Ok(r) => r,
        Err(e) => {
            return Err(in_instruction(
                wasm_error(cx, e),
                plan,
                at_call,
                "call-core",
            ))
        }
    };
    let regs = [ptr as i32, len as i32, p, l];
    let out_mem = if sc.result_mem == sc.arg_mem {
        mem
    } else {
        memory(rt, sc.result_mem)?
    };
    // Read once, whatever follows (one call site keeps it inline).
    let result = canon::read_utf8(out_mem.data(&*cx), p as u32, l as u32)
        .map_err(|e| in_instruction(e, plan, at_read, "memory-to-string"));
    let Some((func, args, nargs, before_read)) = sc.deferred else {
        return result;
    };
    if result.is_err() && !before_read {
        return result; // the deferred call was not reached
    }
    let callee = rt
        .funcs
        .get(func as usize)
        .ok_or_else(|| internal("callee slot"))?;
    let reg = |i: usize| regs[usize::from(args[i % 2]) % 4];
    let deferred = match callee {
        // `free(ptr, len)`: called straight.
        Callee::P2R0(free) if nargs == 2 => free
            .call(&mut *cx, (reg(0), reg(1)))
            .map_err(|e| wasm_error(cx, e)),
        _ => match callee.call_i32(cx, [reg(0), reg(1), 0, 0]) {
            Some(Ok(_)) => Ok(()),
            Some(Err(e)) => Err(wasm_error(cx, e)),
            None => Err(internal("callee")),
        },
    };
    let deferred = deferred.map_err(|e| in_deferred(e, plan));
    // As in `run`: a failure before the deferred call wins.
    let s = result?;
    deferred?;
    Ok(s)
}

/// Runs adapter `adapter`'s [`crate::plan::ScalarPlan`]: `io` holds the
/// arguments' bits on entry and the results' bits (in order) on return. Same semantics and errors as [`super::run`].
/// (A plan with a [`DirectCall`] runs through [`run_direct`] instead.)
#[inline]
pub(crate) fn run_scalar(
    cx: &mut StoreContextMut<'_, StoreData>,
    rt: &Runtime,
    adapter: u32,
    io: &mut [u64; SCALAR_IO],
) -> Result<(), Error> {
    let Some(AdapterPlan::Func(plan)) = rt.plans.func(adapter) else {
        return Err(internal("scalar plan"));
    };
    let Some(sp) = &plan.scalar else {
        return Err(internal("scalar plan"));
    };
    let mut regs = [0u64; SCALAR_REGS];
    regs[..SCALAR_IO].copy_from_slice(io);
    for (at, op) in sp.ops.iter() {
        if let Err(e) = scalar_op(cx, rt, op, &mut regs) {
            return Err(in_instruction(e, plan, *at, op.mnemonic()));
        }
    }
    for (o, r) in io.iter_mut().zip(sp.results.iter()) {
        *o = regs[*r as usize % SCALAR_REGS];
    }
    Ok(())
}

/// Runs adapter `adapter`'s [`DirectCall`] with its core arguments `args`
/// (the low 32 bits of the parameters' bits); returns the results' bits.
/// `nresults` is the plan's (a constant in typed calls, so the compiler
/// keeps only what is used). Same semantics and errors as [`super::run`].
///
/// Inlined whole into the typed call: the two commonest callee shapes are
/// called straight, everything else (other shapes, traps, checked
/// conversions) is out of line.
#[inline(always)]
pub(crate) fn run_direct(
    cx: &mut StoreContextMut<'_, StoreData>,
    rt: &Runtime,
    adapter: u32,
    d: &DirectCall,
    a: [i32; 4],
    nresults: usize,
) -> Result<[u64; 2], Error> {
    let r = match rt.funcs.get(d.func as usize) {
        Some(Callee::P2R1(f)) => {
            cx.data_mut().entered = true;
            f.call(&mut *cx, (a[0], a[1])).map(|x| [x, 0])
        }
        Some(Callee::P1R1(f)) => {
            cx.data_mut().entered = true;
            f.call(&mut *cx, a[0]).map(|x| [x, 0])
        }
        callee => call_direct_other(cx, callee, a)?,
    };
    let r = match r {
        Ok(r) => r,
        Err(e) => return Err(direct_trap(cx, rt, adapter, d, e)),
    };
    let bits = |lift: ResultBits, x: i32| match lift {
        ResultBits::Zext => Ok(u64::from(x as u32)),
        ResultBits::Sext => Ok(x as i64 as u64),
        ResultBits::Checked(conv, at) => direct_checked(rt, adapter, conv, at, x),
    };
    // At most two results: unrolled.
    let mut out = [0u64; 2];
    if nresults > 0 {
        out[0] = bits(d.results[0], r[0])?;
    }
    if nresults > 1 {
        out[1] = bits(d.results[1], r[1])?;
    }
    Ok(out)
}

/// [`run_direct`] for the callee shapes it does not call straight.
#[inline(never)]
fn call_direct_other(
    cx: &mut StoreContextMut<'_, StoreData>,
    callee: Option<&Callee>,
    a: [i32; 4],
) -> Result<wasmtime::Result<[i32; 2]>, Error> {
    callee
        .and_then(|c| c.call_i32(cx, a))
        .ok_or_else(|| internal("callee"))
}

#[cold]
#[inline(never)]
fn direct_trap(
    cx: &mut StoreContextMut<'_, StoreData>,
    rt: &Runtime,
    adapter: u32,
    d: &DirectCall,
    e: wasmtime::Error,
) -> Error {
    let e = wasm_error(cx, e);
    in_instruction(e, Label(rt, adapter), d.at, "call-core")
}

#[inline(never)]
fn direct_checked(
    rt: &Runtime,
    adapter: u32,
    conv: Conversion,
    at: u32,
    x: i32,
) -> Result<u64, Error> {
    convert_checked(conv, u64::from(x as u32))
        .map_err(|e| in_instruction(e, Label(rt, adapter), at, conv.name()))
}

#[inline]
fn scalar_op(
    cx: &mut StoreContextMut<'_, StoreData>,
    rt: &Runtime,
    op: &ScalarOp,
    regs: &mut [u64; SCALAR_REGS],
) -> Result<(), Error> {
    // Register indices are below SCALAR_REGS by construction (`% ` lets
    // the compiler drop the bounds checks).
    let reg = |r: u8| r as usize % SCALAR_REGS;
    match *op {
        ScalarOp::Convert { conv, src, dst } => {
            let x = regs[reg(src)];
            regs[reg(dst)] = match convert_bits(conv, x) {
                Some(y) => y,
                None => convert_checked(conv, x)?,
            };
            Ok(())
        }
        ScalarOp::CallI32 {
            func,
            args,
            nargs,
            results,
            nresults,
        } => {
            let mut a = [0i32; 4];
            for (slot, r) in a.iter_mut().zip(&args[..usize::from(nargs).min(4)]) {
                *slot = regs[reg(*r)] as i32;
            }
            let callee = rt
                .funcs
                .get(func as usize)
                .ok_or_else(|| internal("callee slot"))?;
            match callee.call_i32(cx, a) {
                Some(Ok(r)) => {
                    for (d, v) in results[..usize::from(nresults).min(2)].iter().zip(r) {
                        regs[reg(*d)] = u64::from(v as u32);
                    }
                    Ok(())
                }
                Some(Err(e)) => Err(wasm_error(cx, e)),
                None => Err(internal("callee")),
            }
        }
        ScalarOp::Call {
            func,
            ref args,
            ref results,
        } => {
            let callee = rt
                .funcs
                .get(func as usize)
                .ok_or_else(|| internal("callee slot"))?;
            if !matches!(callee, Callee::Dynamic { .. }) {
                let mut a = [0i32; 4];
                for (slot, (r, _)) in a.iter_mut().zip(args.iter()) {
                    *slot = regs[reg(*r)] as i32;
                }
                return match callee.call_i32(cx, a) {
                    Some(Ok(r)) => {
                        for ((d, _), v) in results.iter().zip(r) {
                            regs[reg(*d)] = u64::from(v as u32);
                        }
                        Ok(())
                    }
                    Some(Err(e)) => Err(wasm_error(cx, e)),
                    None => Err(internal("callee")),
                };
            }
            let Callee::Dynamic { func, .. } = callee else {
                return Err(internal("callee"));
            };
            let mut vals = cx.data_mut().vals_pool.pop().unwrap_or_default();
            vals.clear();
            let raw = |t: CoreType, b: u64| match t {
                CoreType::I32 => Val::I32(b as i32),
                CoreType::I64 => Val::I64(b as i64),
                CoreType::F32 => Val::F32(b as u32),
                CoreType::F64 => Val::F64(b),
                CoreType::Externref => Val::ExternRef(None),
            };
            vals.extend(args.iter().map(|(r, t)| raw(*t, regs[reg(*r)])));
            vals.extend(results.iter().map(|(_, t)| raw(*t, 0)));
            let (params, outs) = vals.split_at_mut(args.len());
            cx.data_mut().entered = true;
            let r = func
                .call(&mut *cx, params, outs)
                .map_err(|e| wasm_error(cx, e));
            if r.is_ok() {
                for ((d, _), v) in results.iter().zip(outs.iter()) {
                    regs[reg(*d)] = match *v {
                        Val::I32(x) => u64::from(x as u32),
                        Val::I64(x) => x as u64,
                        Val::F32(x) => x.into(),
                        Val::F64(x) => x,
                        _ => 0,
                    };
                }
            }
            vals.clear();
            cx.data_mut().vals_pool.push(vals);
            r
        }
    }
}

/// A checked conversion on bits, through [`convert`] (one source for its
/// range checks and messages).
#[cold]
fn convert_checked(conv: Conversion, x: u64) -> Result<u64, Error> {
    let from = conversion_type(conv.from()).ok_or_else(|| internal("conversion"))?;
    let v = from_bits(&from, x).ok_or_else(|| internal("conversion operand"))?;
    to_bits(&convert(conv, v)?).ok_or_else(|| internal("conversion result"))
}

impl ScalarOp {
    fn mnemonic(&self) -> &'static str {
        match self {
            ScalarOp::Convert { conv, .. } => conv.name(),
            ScalarOp::CallI32 { .. } | ScalarOp::Call { .. } => "call-core",
        }
    }
}

#[cfg(test)]
mod scalar_tests {
    //! The bits of scalar plans (`plan/scalar.rs`) against [`convert`].
    use super::convert;
    use crate::plan::{conversion_type, convert_bits, from_bits, to_bits};
    use crate::types::Type;
    use crate::value::Value;
    use intertype::Conversion;

    fn samples(t: &Type) -> Vec<Value> {
        let ints: [i64; 12] = [
            0,
            1,
            -1,
            127,
            128,
            -129,
            255,
            65535,
            -32769,
            i32::MAX as i64 + 1,
            u32::MAX as i64,
            i64::MIN,
        ];
        let mut out: Vec<Value> = ints
            .iter()
            .chain(&[i64::MAX, 0x11_0000, 0xd800, 0x10_ffff])
            .filter_map(|x| from_bits(t, *x as u64))
            .collect();
        out.push(from_bits(t, u64::MAX).unwrap_or(Value::Bool(false)));
        out
    }

    /// The bits path and `convert` on values agree on every conversion.
    #[test]
    fn bits_agree_with_values() {
        for conv in Conversion::ALL {
            let from = conversion_type(conv.from()).unwrap();
            let to = conversion_type(conv.to()).unwrap();
            for v in samples(&from)
                .into_iter()
                .filter(|v| v.check(&from).is_ok())
            {
                let via_value = convert(*conv, v.clone()).map(|r| to_bits(&r).unwrap());
                let bits = to_bits(&v).unwrap();
                match convert_bits(*conv, bits) {
                    Some(b) => {
                        assert_eq!(Ok(b), via_value.map_err(|e| e.to_string()), "{conv} {v:?}");
                        assert_eq!(from_bits(&to, b).as_ref().and_then(to_bits), Some(b));
                    }
                    None => assert!(conv.is_checked(), "{conv} has no bits form"),
                }
            }
        }
    }

    /// A direct call's two extensions (`ResultBits`) read back as every
    /// unchecked conversion out of `i32` does.
    #[test]
    fn direct_result_bits_read_as_the_conversions() {
        use crate::plan::ResultBits;
        let xs = [
            0i32,
            1,
            -1,
            127,
            128,
            -129,
            255,
            256,
            65535,
            -32769,
            i32::MAX,
            i32::MIN,
        ];
        for conv in Conversion::ALL
            .iter()
            .filter(|c| c.from() == intertype::ValType::I32 && !c.is_checked())
        {
            let to = conversion_type(conv.to()).unwrap();
            for x in xs {
                let zext = u64::from(x as u32);
                let want = from_bits(&to, convert_bits(*conv, zext).unwrap());
                let got = match ResultBits::of(Some((*conv, 0))) {
                    ResultBits::Zext => zext,
                    ResultBits::Sext => x as i64 as u64,
                    ResultBits::Checked(..) => panic!("{conv} is unchecked"),
                };
                assert_eq!(from_bits(&to, got), want, "{conv} {x}");
            }
        }
    }

    #[test]
    fn bits_round_trip() {
        for t in [
            Type::S8,
            Type::U16,
            Type::S32,
            Type::U64,
            Type::F32,
            Type::Char,
            Type::I32,
        ] {
            for v in samples(&t) {
                if v.check(&t).is_ok() {
                    let b = to_bits(&v).unwrap();
                    assert_eq!(from_bits(&t, b).as_ref().and_then(to_bits), Some(b));
                }
            }
        }
    }
}
