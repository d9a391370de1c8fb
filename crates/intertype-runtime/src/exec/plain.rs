//! The plain memory forms in the executor (`plain.rs`, `docs/runtime.md`,
//! *Calls*): result sinks, which decode a typed call's checked result bytes
//! straight from guest memory, and plain arguments lowered straight into
//! the registers.

use super::{internal, memory, Frame};
use crate::args::ArgSource;
use crate::canon;
use crate::error::Error;
use crate::plain::{ResultSink, SinkForm};
use crate::plan::{conversion_type, convert_bits, Dst, FuncPlan, Op, Operand};
use crate::store::{Runtime, StoreData};
use crate::types::Type;
use crate::value::Value;
use intertype::CoreType;
use wasmtime::StoreContextMut;

/// *Result sinks*: a typed call whose one result has a plain memory form
/// (`plain.rs`: a record of integers, `Vec<u32>`, `Vec<Point>`, ...) passes
/// a sink with its arguments. When the adapter's last op is the
/// `value.load` (or, for a list, `value.lift`) of that value into the
/// register it returns, the op makes the checks of the `Value` path
/// (alignment, bounds, `max_value_bytes`, with the same errors) and hands
/// the checked bytes to the sink, which decodes them straight from guest
/// memory into the Rust value; the register gets an empty placeholder.
/// `None`: not such an op, run it as usual.
pub(super) fn sink_op<A: ArgSource + ?Sized>(
    cx: &mut StoreContextMut<'_, StoreData>,
    rt: &Runtime,
    plan: &FuncPlan,
    op: &Op,
    f: &mut Frame<'_, A>,
    sink: &dyn ResultSink,
) -> Option<Result<(), Error>> {
    let returned =
        |dst: &Dst| matches!((dst, &*plan.results), (Dst::Val(r), [Operand::Reg(o)]) if r == o);
    let put = |bytes: &[u8]| match sink.put(bytes) {
        true => Ok(()),
        false => Err(internal("a result sink of another layout")),
    };
    let form = sink.form();
    let r = match op {
        Op::ValueLoad {
            shape,
            mem,
            ptr,
            dst,
        } if returned(dst) => match form {
            SinkForm::Value(p) if canon::plain_layout(shape) == Some(p) => (|| {
                let ptr = f.i32(*ptr)? as u32;
                let data = memory(rt, mem.mem)?.data(&*cx);
                put(canon::load_plain(data, shape, ptr)?)?;
                f.set(*dst, Value::List(Vec::new()))
            })(),
            SinkForm::List(p) if plain_elem(shape) == Some(p) => (|| {
                let ptr = f.i32(*ptr)? as u32;
                let data = memory(rt, mem.mem)?.data(&*cx);
                let mut budget = canon::Budget::new(cx.data().limiter.max_value_bytes, data.len());
                put(canon::load_raw_list(data, shape, ptr, &mut budget)?)?;
                f.set(*dst, Value::List(Vec::new()))
            })(),
            _ => return None,
        },
        Op::ValueLift {
            shape,
            mem,
            src,
            dst,
        } if returned(dst) => match (form, mem) {
            // A plain record returned flat: its bytes made from the flat
            // values (truncated as `value.lift` truncates them).
            (SinkForm::Value(p), _)
                if shape.plain == Some(p)
                    && src.len() == shape.flat.len()
                    && src.len() <= PLAIN_FLAT
                    && p.size <= 64 =>
            {
                (|| {
                    let mut bits = [0u64; PLAIN_FLAT];
                    for ((b, o), t) in bits.iter_mut().zip(src.iter()).zip(shape.flat.iter()) {
                        *b = match t {
                            CoreType::I32 => u64::from(f.i32(*o)? as u32),
                            _ => match f.take(*o)? {
                                Value::I64(x) => x as u64,
                                Value::F32(x) => x.to_bits().into(),
                                Value::F64(x) => x.to_bits(),
                                _ => return Err(internal("a flat value of another type")),
                            },
                        };
                    }
                    let mut bytes = [0u8; 64];
                    let mut n = 0;
                    canon::plain_bytes_from_bits(shape, &bits, &mut n, &mut bytes, 0)?;
                    put(&bytes[..p.size as usize])?;
                    f.set(*dst, Value::List(Vec::new()))
                })()
            }
            (SinkForm::List(p), Some(mem)) if src.len() == 2 && plain_elem(shape) == Some(p) => {
                (|| {
                    let (ptr, len) = (f.i32(src[0])? as u32, f.i32(src[1])? as u32);
                    let data = memory(rt, mem.mem)?.data(&*cx);
                    let mut budget =
                        canon::Budget::new(cx.data().limiter.max_value_bytes, data.len());
                    put(canon::lift_raw_list(data, shape, ptr, len, &mut budget)?)?;
                    f.set(*dst, Value::List(Vec::new()))
                })()
            }
            _ => return None,
        },
        // A scalar result's unchecked conversion: its bits, as bytes.
        Op::Convert { conv, src, dst } if returned(dst) && !conv.is_checked() => {
            let size = match (form, conversion_type(conv.to())) {
                (SinkForm::Value(p), Some(to)) => match to {
                    Type::S8 | Type::U8 => 1,
                    Type::S16 | Type::U16 => 2,
                    Type::S32 | Type::U32 => 4,
                    Type::S64 | Type::U64 => 8,
                    _ => return None,
                }
                .eq(&p.size)
                .then_some(p.size as usize)?,
                _ => return None,
            };
            (|| {
                let x = match conversion_type(conv.from()) {
                    Some(Type::I32) => u64::from(f.i32(*src)? as u32),
                    _ => match f.take(*src)? {
                        Value::I64(x) => x as u64,
                        _ => return Err(internal("expected an i64")),
                    },
                };
                let y = convert_bits(*conv, x).ok_or_else(|| internal("conversion"))?;
                put(&y.to_le_bytes()[..size])?;
                f.set(*dst, Value::List(Vec::new()))
            })()
        }
        _ => return None,
    };
    Some(r)
}

/// The plain layout of the elements of list `shape`.
fn plain_elem(shape: &crate::shape::Shape) -> Option<crate::plain::Plain> {
    match &shape.kind {
        crate::shape::Kind::List(elem) => canon::plain_layout(elem),
        _ => None,
    }
}

/// Flat values of a plain value up to this many go through the native
/// stack in [`lower_plain_arg`].
const PLAIN_FLAT: usize = 16;

/// `value.lower` of a plain argument (`plain.rs`) straight into the
/// registers: its bytes written on the native stack, each flat value read
/// from them (`i32` registers get no `Value`). `None` when the value does
/// not fit the stack buffers or has another layout (the general path then
/// runs).
pub(super) fn lower_plain_arg<A: ArgSource + ?Sized>(
    shape: &crate::shape::Shape,
    v: &dyn crate::plain::PlainWrite,
    dsts: &[Dst],
    f: &mut Frame<'_, A>,
) -> Option<Result<(), Error>> {
    let p = shape.plain?;
    if v.plain() != Some(p) || p.size > 64 || shape.flat.len() > PLAIN_FLAT {
        return None;
    }
    let mut buf = [0u8; 64];
    let bytes = &mut buf[..p.size as usize];
    v.write_le(bytes);
    let mut bits = [0u64; PLAIN_FLAT];
    let mut n = 0;
    let r = canon::plain_flat_bits(shape, bytes, 0, &mut bits, &mut n).and_then(|()| {
        for ((d, b), t) in dsts.iter().zip(&bits[..n]).zip(shape.flat.iter()) {
            match *d {
                Dst::Int(_) => f.set_i32(*d, *b as u32 as i32)?,
                other => f.set(other, canon::flat_value(*t, *b))?,
            }
        }
        Ok(())
    });
    Some(r)
}
