//! The canonical layout at run time: strings in three encodings, and whole
//! values lifted from / lowered to flat core values and linear memory
//! (`docs/format.md` §3). Every pointer and length from the guest is checked
//! before it is used; a bad one is a [`Misbehavior`], never a host panic.

use crate::args::ArgRef;
use crate::error::{Error, Limit, Misbehavior};
use crate::plain::{Plain, PlainWrite};
use crate::plan::Malloc;
use crate::shape::{Kind, Shape, VariantForm};
use crate::store::StoreData;
use crate::store::{call_malloc, internal, Runtime};
use crate::value::Value;
use intertype::{CoreType, StringEncoding};
use std::ops::Range;
use wasmtime::{Memory, StoreContextMut};

/// The bytes `[ptr, ptr + bytes)` of a memory of `size` bytes, or an error.
#[inline]
pub(crate) fn range(size: usize, ptr: u32, bytes: u64) -> Result<Range<usize>, Error> {
    let end = u64::from(ptr) + bytes;
    if end > size as u64 {
        return Err(out_of_bounds(size, ptr, bytes, end));
    }
    Ok(ptr as usize..end as usize)
}

#[cold]
fn out_of_bounds(size: usize, ptr: u32, bytes: u64, end: u64) -> Error {
    Error::guest(
        Misbehavior::OutOfBounds,
        format!(
            "range {ptr:#x}..{end:#x} ({bytes} bytes) is outside linear memory of {size:#x} bytes"
        ),
    )
}

/// Like [`range`] for memory an allocator just returned: a bad one is a bad
/// allocation.
pub(crate) fn alloc_range(
    size: usize,
    ptr: u32,
    bytes: u32,
    align: u32,
) -> Result<Range<usize>, Error> {
    if !ptr.is_multiple_of(align) {
        return Err(Error::guest(
            Misbehavior::BadAllocation,
            format!(
                "the allocator returned {ptr:#x} for {bytes} bytes, which is not {align}-aligned"
            ),
        ));
    }
    range(size, ptr, bytes.into()).map_err(|_| {
        Error::guest(
            Misbehavior::BadAllocation,
            format!("the allocator returned {ptr:#x} for {bytes} bytes, which is outside linear memory of {size:#x} bytes"),
        )
    })
}

/// Byte size of `len` elements of `elem` bytes, if it fits 32 bits.
fn byte_len(len: u32, elem: u32) -> Result<u64, Error> {
    let bytes = u64::from(len) * u64::from(elem);
    if bytes > u64::from(u32::MAX) {
        return Err(Error::guest(
            Misbehavior::LengthOverflow,
            format!("length {len} of {elem}-byte elements overflows 32-bit memory"),
        ));
    }
    Ok(bytes)
}

/// What one lifted value may still span, in guest bytes
/// ([`crate::Limits::max_value_bytes`]): every string and list is counted
/// each time a pointer leads to it, so aliasing cannot amplify, and a
/// zero-size element counts as one byte, so every length is bounded.
pub(crate) struct Budget {
    left: u64,
    limit: u64,
}

impl Budget {
    /// The budget for a value read from a memory of `memory_bytes`.
    pub(crate) fn new(max_value_bytes: Option<u64>, memory_bytes: usize) -> Budget {
        let limit = max_value_bytes
            .unwrap_or_else(|| (memory_bytes as u64).max(crate::Limits::MIN_VALUE_BYTES));
        Budget { left: limit, limit }
    }

    /// Takes `len` units of `unit` bytes; the error names the limit.
    fn charge(&mut self, len: u32, unit: u32) -> Result<(), Error> {
        let bytes = u64::from(len) * u64::from(unit);
        if bytes > self.left {
            return Err(Error::limit(
                Limit::ValueSize,
                format!(
                    "a lifted value may span at most {} bytes of guest memory (strings and lists counted each time a pointer leads to them); this one needs more",
                    self.limit
                ),
            ));
        }
        self.left -= bytes;
        Ok(())
    }
}

/// `memory-to-string`: checks and copies `len` code units at `ptr` into a new
/// host string (one validation pass, one copy for UTF-8).
/// [`read_string`] of UTF-8: one validation, one copy.
#[inline]
pub(crate) fn read_utf8(data: &[u8], ptr: u32, len: u32) -> Result<String, Error> {
    let bytes = &data[range(data.len(), ptr, len.into())?];
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(s.to_owned()),
        Err(e) => Err(invalid_utf8(ptr, e)),
    }
}

#[cold]
fn invalid_utf8(ptr: u32, e: std::str::Utf8Error) -> Error {
    Error::guest(
        Misbehavior::InvalidEncoding,
        format!("string at {ptr:#x} is not valid UTF-8: {e}"),
    )
}

pub(crate) fn read_string(
    data: &[u8],
    ptr: u32,
    len: u32,
    enc: StringEncoding,
) -> Result<String, Error> {
    match enc {
        StringEncoding::Utf8 => read_utf8(data, ptr, len),
        StringEncoding::Utf16 => {
            if !ptr.is_multiple_of(2) {
                return Err(Error::guest(
                    Misbehavior::Misaligned,
                    format!("UTF-16 string at {ptr:#x} is not 2-aligned"),
                ));
            }
            let bytes = &data[range(data.len(), ptr, byte_len(len, 2)?)?];
            let units = bytes
                .chunks_exact(2)
                .map(|c| u16::from_le_bytes([c[0], c[1]]));
            let mut s = String::with_capacity(len as usize);
            for c in char::decode_utf16(units) {
                match c {
                    Ok(c) => s.push(c),
                    Err(e) => {
                        return Err(Error::guest(
                            Misbehavior::InvalidEncoding,
                            format!(
                                "string at {ptr:#x} is not valid UTF-16: unpaired surrogate {:#x}",
                                e.unpaired_surrogate()
                            ),
                        ))
                    }
                }
            }
            Ok(s)
        }
        StringEncoding::Latin1 => {
            let bytes = &data[range(data.len(), ptr, len.into())?];
            Ok(bytes.iter().map(|&b| char::from(b)).collect())
        }
    }
}

/// The UTF-8 length of `s`, if it fits a guest's 31-bit lengths.
#[inline]
pub(crate) fn utf8_len(s: &str) -> Result<u32, Error> {
    match u32::try_from(s.len()) {
        Ok(n) if n <= i32::MAX as u32 => Ok(n),
        _ => Err(too_long(s.len())),
    }
}

#[cold]
fn too_long(bytes: usize) -> Error {
    Error::host_type(format!(
        "a string of {bytes} bytes is too long for 32-bit memory"
    ))
}

/// `(code units, bytes, alignment)` of `s` in `enc`.
pub(crate) fn encoded_len(s: &str, enc: StringEncoding) -> Result<(u32, u32, u32), Error> {
    let too_long = || too_long(s.len());
    match enc {
        StringEncoding::Utf8 => {
            let n = utf8_len(s)?;
            Ok((n, n, 1))
        }
        StringEncoding::Utf16 => {
            let units = s.encode_utf16().count();
            let n = u32::try_from(units)
                .ok()
                .filter(|n| *n <= i32::MAX as u32 / 2)
                .ok_or_else(too_long)?;
            Ok((n, n * 2, 2))
        }
        StringEncoding::Latin1 => {
            let mut n = 0u32;
            for c in s.chars() {
                if u32::from(c) > 0xff {
                    return Err(Error::host_type(format!(
                        "string contains {c:?} (U+{:04X}), which Latin-1 cannot represent",
                        u32::from(c)
                    )));
                }
                n += 1;
            }
            if n > i32::MAX as u32 {
                return Err(too_long());
            }
            Ok((n, n, 1))
        }
    }
}

/// Writes `s` into `out`, which is exactly [`encoded_len`] bytes.
pub(crate) fn encode_into(out: &mut [u8], s: &str, enc: StringEncoding) {
    match enc {
        StringEncoding::Utf8 => out.copy_from_slice(s.as_bytes()),
        StringEncoding::Utf16 => {
            for (dst, u) in out.chunks_exact_mut(2).zip(s.encode_utf16()) {
                dst.copy_from_slice(&u.to_le_bytes());
            }
        }
        StringEncoding::Latin1 => {
            for (dst, c) in out.iter_mut().zip(s.chars()) {
                *dst = u32::from(c) as u8;
            }
        }
    }
}

fn invalid(msg: String) -> Error {
    Error::guest(Misbehavior::InvalidValue, msg)
}

fn read<const N: usize>(data: &[u8], addr: u32) -> Result<[u8; N], Error> {
    let r = range(data.len(), addr, N as u64)?;
    let mut out = [0u8; N];
    out.copy_from_slice(&data[r]);
    Ok(out)
}

/// `value.load`: the value of `shape` at `ptr`, which must be aligned.
pub(crate) fn load_checked(
    data: &[u8],
    shape: &Shape,
    ptr: u32,
    enc: StringEncoding,
    budget: &mut Budget,
) -> Result<Value, Error> {
    if !ptr.is_multiple_of(shape.align) {
        return Err(Error::guest(
            Misbehavior::Misaligned,
            format!("pointer {ptr:#x} is not {}-aligned", shape.align),
        ));
    }
    range(data.len(), ptr, shape.size.into())?;
    load(data, shape, ptr, enc, budget)
}

fn load(
    data: &[u8],
    shape: &Shape,
    addr: u32,
    enc: StringEncoding,
    budget: &mut Budget,
) -> Result<Value, Error> {
    Ok(match &shape.kind {
        Kind::Bool => Value::Bool(read::<1>(data, addr)?[0] != 0),
        Kind::S8 => Value::S8(read::<1>(data, addr)?[0] as i8),
        Kind::U8 => Value::U8(read::<1>(data, addr)?[0]),
        Kind::S16 => Value::S16(i16::from_le_bytes(read(data, addr)?)),
        Kind::U16 => Value::U16(u16::from_le_bytes(read(data, addr)?)),
        Kind::S32 => Value::S32(i32::from_le_bytes(read(data, addr)?)),
        Kind::U32 => Value::U32(u32::from_le_bytes(read(data, addr)?)),
        Kind::I32 => Value::I32(i32::from_le_bytes(read(data, addr)?)),
        Kind::S64 => Value::S64(i64::from_le_bytes(read(data, addr)?)),
        Kind::U64 => Value::U64(u64::from_le_bytes(read(data, addr)?)),
        Kind::I64 => Value::I64(i64::from_le_bytes(read(data, addr)?)),
        Kind::F32 => Value::F32(f32::from_le_bytes(read(data, addr)?)),
        Kind::F64 => Value::F64(f64::from_le_bytes(read(data, addr)?)),
        Kind::Char => {
            let x = u32::from_le_bytes(read(data, addr)?);
            Value::Char(
                char::from_u32(x)
                    .ok_or_else(|| invalid(format!("{x:#x} is not a Unicode scalar value")))?,
            )
        }
        Kind::String => {
            let ptr = u32::from_le_bytes(read(data, addr)?);
            let len = u32::from_le_bytes(read(data, addr + 4)?);
            let s = read_string(data, ptr, len, enc)?;
            budget.charge(len, enc.unit_bytes())?;
            Value::String(s)
        }
        Kind::List(elem) => {
            let ptr = u32::from_le_bytes(read(data, addr)?);
            let len = u32::from_le_bytes(read(data, addr + 4)?);
            load_list(data, elem, ptr, len, enc, budget)?
        }
        Kind::Record { fields, tuple } => {
            let mut vs = Vec::with_capacity(fields.len());
            for (off, s) in fields {
                vs.push(load(data, s, addr + off, enc, budget)?);
            }
            if *tuple {
                Value::Tuple(vs)
            } else {
                Value::Record(vs)
            }
        }
        Kind::Variant {
            form,
            disc,
            payload,
            cases,
        } => {
            let d = match disc {
                1 => u32::from(read::<1>(data, addr)?[0]),
                2 => u32::from(u16::from_le_bytes(read(data, addr)?)),
                _ => u32::from_le_bytes(read(data, addr)?),
            };
            let case = cases.get(d as usize).ok_or_else(|| {
                invalid(format!(
                    "discriminant {d} is past the last case ({} cases)",
                    cases.len()
                ))
            })?;
            let v = match case {
                Some(s) => Some(Box::new(load(data, s, addr + payload, enc, budget)?)),
                None => None,
            };
            make_variant(*form, d, v)
        }
        Kind::Flags { count } => {
            let words = match shape.size {
                0 => Vec::new(),
                1 => vec![u32::from(read::<1>(data, addr)?[0])],
                2 => vec![u32::from(u16::from_le_bytes(read(data, addr)?))],
                _ => (0..Shape::flag_words(*count))
                    .map(|i| read(data, addr + 4 * i as u32).map(u32::from_le_bytes))
                    .collect::<Result<_, _>>()?,
            };
            check_flags(*count, &words)?;
            Value::Flags(words)
        }
        Kind::Externref => return Err(invalid("externref cannot be loaded from memory".into())),
    })
}

/// A list of `len` elements at `ptr`. A `list<u8>` is one bounds check and
/// one copy into [`Value::Bytes`].
fn load_list(
    data: &[u8],
    elem: &Shape,
    ptr: u32,
    len: u32,
    enc: StringEncoding,
    budget: &mut Budget,
) -> Result<Value, Error> {
    let r = list_range(data, elem, ptr, len, budget)?;
    if let Kind::U8 = elem.kind {
        return Ok(Value::Bytes(data[r].to_vec()));
    }
    if let Some(vs) = load_scalars(&elem.kind, &data[r.clone()]) {
        return Ok(Value::List(vs));
    }
    let mut vs = Vec::with_capacity(len.min(1 << 16) as usize);
    for i in 0..len {
        vs.push(load(data, elem, ptr + i * elem.size, enc, budget)?);
    }
    Ok(Value::List(vs))
}

/// The bytes of a list of `len` elements at `ptr`: aligned, inside memory,
/// charged to the budget.
fn list_range(
    data: &[u8],
    elem: &Shape,
    ptr: u32,
    len: u32,
    budget: &mut Budget,
) -> Result<std::ops::Range<usize>, Error> {
    // Zero-size elements count as one byte: the length of every list is
    // bounded by memory (and by the budget), whatever its elements take.
    let counted = elem.size.max(1);
    if !ptr.is_multiple_of(elem.align) {
        return Err(Error::guest(
            Misbehavior::Misaligned,
            format!("list at {ptr:#x} is not {}-aligned", elem.align),
        ));
    }
    let r = range(data.len(), ptr, byte_len(len, counted)?).map_err(|e| {
        if elem.size == 0 {
            Error::guest(
                Misbehavior::OutOfBounds,
                format!("a list of {len} zero-size elements at {ptr:#x} passes the end of linear memory ({:#x} bytes); lists are bounded as if each element took one byte", data.len()),
            )
        } else {
            e
        }
    })?;
    budget.charge(len, counted)?;
    Ok(r)
}

/// The plain memory form of `shape` (`plain.rs`, [`Shape::plain`]): its
/// bytes need no validation, so typed calls move them without a [`Value`].
#[inline]
pub(crate) fn plain_layout(shape: &Shape) -> Option<Plain> {
    shape.plain
}

/// `value.load` of a plain value (`plain_layout`): its bytes, with the
/// checks and errors of [`load_checked`].
pub(crate) fn load_plain<'d>(data: &'d [u8], shape: &Shape, ptr: u32) -> Result<&'d [u8], Error> {
    if !ptr.is_multiple_of(shape.align) {
        return Err(Error::guest(
            Misbehavior::Misaligned,
            format!("pointer {ptr:#x} is not {}-aligned", shape.align),
        ));
    }
    Ok(&data[range(data.len(), ptr, shape.size.into())?])
}

/// The flat form of plain value `shape` from its memory bytes at `at`, as
/// bits (`i32`s zero-extended, floats' IEEE bits), appended to `out` from
/// `*n` on: what [`Lowerer::lower_flat`] makes from the [`Value`].
pub(crate) fn plain_flat_bits(
    shape: &Shape,
    bytes: &[u8],
    at: usize,
    out: &mut [u64],
    n: &mut usize,
) -> Result<(), Error> {
    fn get<const N: usize>(bytes: &[u8], at: usize) -> Result<[u8; N], Error> {
        bytes
            .get(at..at + N)
            .and_then(|b| <[u8; N]>::try_from(b).ok())
            .ok_or_else(|| internal("plain bytes"))
    }
    let bits = match &shape.kind {
        Kind::S8 => u64::from(i32::from(i8::from_le_bytes(get(bytes, at)?)) as u32),
        Kind::U8 => u64::from(u8::from_le_bytes(get(bytes, at)?)),
        Kind::S16 => u64::from(i32::from(i16::from_le_bytes(get(bytes, at)?)) as u32),
        Kind::U16 => u64::from(u16::from_le_bytes(get(bytes, at)?)),
        Kind::S32 | Kind::U32 | Kind::F32 => u64::from(u32::from_le_bytes(get(bytes, at)?)),
        Kind::S64 | Kind::U64 | Kind::F64 => u64::from_le_bytes(get(bytes, at)?),
        Kind::Record { fields, .. } => {
            for (off, f) in fields {
                plain_flat_bits(f, bytes, at + *off as usize, out, n)?;
            }
            return Ok(());
        }
        _ => return Err(internal("a plain value of another type")),
    };
    *out.get_mut(*n).ok_or_else(|| internal("flat values"))? = bits;
    *n += 1;
    Ok(())
}

/// The memory bytes of plain value `shape` at `at` from its flat values'
/// bits (from `*n` on), each leaf taking the low bytes of its bits, as
/// `value.lift` truncates: the inverse of [`plain_flat_bits`].
pub(crate) fn plain_bytes_from_bits(
    shape: &Shape,
    bits: &[u64],
    n: &mut usize,
    out: &mut [u8],
    at: usize,
) -> Result<(), Error> {
    if let Kind::Record { fields, .. } = &shape.kind {
        for (off, f) in fields {
            plain_bytes_from_bits(f, bits, n, out, at + *off as usize)?;
        }
        return Ok(());
    }
    if shape.plain.is_none() {
        return Err(internal("a plain value of another type"));
    }
    let size = shape.size as usize;
    let b = bits.get(*n).ok_or_else(|| internal("flat values"))?;
    out.get_mut(at..at + size)
        .ok_or_else(|| internal("plain bytes"))?
        .copy_from_slice(&b.to_le_bytes()[..size]);
    *n += 1;
    Ok(())
}

/// A flat value of core type `t` from its bits.
pub(crate) fn flat_value(t: CoreType, bits: u64) -> Value {
    match t {
        CoreType::I32 => Value::I32(bits as u32 as i32),
        CoreType::I64 => Value::I64(bits as i64),
        CoreType::F32 => Value::F32(f32::from_bits(bits as u32)),
        CoreType::F64 => Value::F64(f64::from_bits(bits)),
        CoreType::Externref => Value::Externref(None),
    }
}

/// The flat form of a plain value as [`Value`]s.
fn plain_flat(shape: &Shape, bytes: &[u8], out: &mut Vec<Value>) -> Result<(), Error> {
    let mut bits = vec![0u64; shape.flat.len()];
    let mut n = 0;
    plain_flat_bits(shape, bytes, 0, &mut bits, &mut n)?;
    out.extend(
        shape
            .flat
            .iter()
            .zip(&bits[..n])
            .map(|(t, b)| flat_value(*t, *b)),
    );
    Ok(())
}

/// `value.load` of a list of plain elements (`plain_layout`): its elements' bytes, with the checks of
/// [`load_checked`] (the pair's alignment and bounds, then the list's).
pub(crate) fn load_raw_list<'d>(
    data: &'d [u8],
    shape: &Shape,
    at: u32,
    budget: &mut Budget,
) -> Result<&'d [u8], Error> {
    if !matches!(shape.kind, Kind::List(_)) {
        return Err(Error::internal("expected a list shape"));
    }
    if !at.is_multiple_of(shape.align) {
        return Err(Error::guest(
            Misbehavior::Misaligned,
            format!("pointer {at:#x} is not {}-aligned", shape.align),
        ));
    }
    range(data.len(), at, shape.size.into())?;
    let ptr = u32::from_le_bytes(read(data, at)?);
    let len = u32::from_le_bytes(read(data, at + 4)?);
    lift_raw_list(data, shape, ptr, len, budget)
}

/// `value.lift` of a list of plain elements from its flat `(ptr, len)`.
pub(crate) fn lift_raw_list<'d>(
    data: &'d [u8],
    shape: &Shape,
    ptr: u32,
    len: u32,
    budget: &mut Budget,
) -> Result<&'d [u8], Error> {
    let Kind::List(elem) = &shape.kind else {
        return Err(Error::internal("expected a list shape"));
    };
    let r = list_range(data, elem, ptr, len, budget)?;
    Ok(&data[r])
}

/// Element kinds whose memory form is their little-endian bytes.
fn scalar_kind(k: &Kind) -> bool {
    matches!(
        k,
        Kind::Bool
            | Kind::S8
            | Kind::U8
            | Kind::S16
            | Kind::U16
            | Kind::S32
            | Kind::U32
            | Kind::S64
            | Kind::U64
            | Kind::F32
            | Kind::F64
            | Kind::Char
    )
}

/// Appends the memory form of scalar `v` of kind `k`.
fn encode_scalar(k: &Kind, v: &Value, out: &mut Vec<u8>) -> Result<(), Error> {
    match (k, v) {
        (Kind::Bool, Value::Bool(b)) => out.push(u8::from(*b)),
        (Kind::S8, Value::S8(x)) => out.extend_from_slice(&x.to_le_bytes()),
        (Kind::U8, Value::U8(x)) => out.push(*x),
        (Kind::S16, Value::S16(x)) => out.extend_from_slice(&x.to_le_bytes()),
        (Kind::U16, Value::U16(x)) => out.extend_from_slice(&x.to_le_bytes()),
        (Kind::S32, Value::S32(x)) => out.extend_from_slice(&x.to_le_bytes()),
        (Kind::U32, Value::U32(x)) => out.extend_from_slice(&x.to_le_bytes()),
        (Kind::S64, Value::S64(x)) => out.extend_from_slice(&x.to_le_bytes()),
        (Kind::U64, Value::U64(x)) => out.extend_from_slice(&x.to_le_bytes()),
        (Kind::F32, Value::F32(x)) => out.extend_from_slice(&x.to_le_bytes()),
        (Kind::F64, Value::F64(x)) => out.extend_from_slice(&x.to_le_bytes()),
        (Kind::Char, Value::Char(c)) => out.extend_from_slice(&u32::from(*c).to_le_bytes()),
        (_, v) => return Err(wrong("a value of the adapter's type", v)),
    }
    Ok(())
}

/// A list of scalars straight from its bytes (bounds, alignment and budget
/// already checked); `None` for element kinds that need validation.
fn load_scalars(k: &Kind, b: &[u8]) -> Option<Vec<Value>> {
    macro_rules! each {
        ($n:literal, |$c:ident| $v:expr) => {
            b.chunks_exact($n)
                .map(|$c| $v(<[u8; $n]>::try_from($c).unwrap()))
                .collect()
        };
    }
    Some(match k {
        Kind::S8 => b.iter().map(|x| Value::S8(*x as i8)).collect(),
        Kind::S16 => each!(2, |c| |a| Value::S16(i16::from_le_bytes(a))),
        Kind::U16 => each!(2, |c| |a| Value::U16(u16::from_le_bytes(a))),
        Kind::S32 => each!(4, |c| |a| Value::S32(i32::from_le_bytes(a))),
        Kind::U32 => each!(4, |c| |a| Value::U32(u32::from_le_bytes(a))),
        Kind::F32 => each!(4, |c| |a| Value::F32(f32::from_le_bytes(a))),
        Kind::S64 => each!(8, |c| |a| Value::S64(i64::from_le_bytes(a))),
        Kind::U64 => each!(8, |c| |a| Value::U64(u64::from_le_bytes(a))),
        Kind::F64 => each!(8, |c| |a| Value::F64(f64::from_le_bytes(a))),
        _ => return None,
    })
}

fn check_flags(count: u32, words: &[u32]) -> Result<(), Error> {
    let rem = count % 32;
    if rem != 0 {
        if let Some(last) = words.last() {
            if last >> rem != 0 {
                return Err(invalid(format!(
                    "flags value {last:#x} sets bits past the last of {count} flags"
                )));
            }
        }
    }
    Ok(())
}

fn make_variant(form: VariantForm, d: u32, v: Option<Box<Value>>) -> Value {
    match form {
        VariantForm::Variant => Value::Variant(d, v),
        VariantForm::Enum => Value::Enum(d),
        VariantForm::Option => Value::Option(if d == 0 { None } else { v }),
        VariantForm::Result => Value::Result(if d == 0 { Ok(v) } else { Err(v) }),
    }
}

/// Case index and payload of a variant-like value.
fn variant_parts(v: &Value) -> Option<(u32, Option<&Value>)> {
    Some(match v {
        Value::Variant(c, p) => (*c, p.as_deref()),
        Value::Enum(c) => (*c, None),
        Value::Option(None) => (0, None),
        Value::Option(Some(p)) => (1, Some(&**p)),
        Value::Result(Ok(p)) => (0, p.as_deref()),
        Value::Result(Err(p)) => (1, p.as_deref()),
        _ => return None,
    })
}

struct Flat<'a> {
    vals: &'a [Value],
    pos: usize,
}

impl Flat<'_> {
    fn next(&mut self) -> Result<&Value, Error> {
        let v = self
            .vals
            .get(self.pos)
            .ok_or_else(|| Error::internal("flat values ran out"))?;
        self.pos += 1;
        Ok(v)
    }
    fn i32(&mut self) -> Result<i32, Error> {
        match self.next()? {
            Value::I32(x) => Ok(*x),
            _ => Err(Error::internal("expected a flat i32")),
        }
    }
    fn i64(&mut self) -> Result<i64, Error> {
        match self.next()? {
            Value::I64(x) => Ok(*x),
            _ => Err(Error::internal("expected a flat i64")),
        }
    }
}

/// `value.lift`: a value of `shape` from its flat form.
pub(crate) fn lift_flat(
    data: &[u8],
    shape: &Shape,
    flat: &[Value],
    enc: StringEncoding,
    budget: &mut Budget,
) -> Result<Value, Error> {
    let mut it = Flat { vals: flat, pos: 0 };
    lift(data, shape, &mut it, enc, budget)
}

fn lift(
    data: &[u8],
    shape: &Shape,
    it: &mut Flat<'_>,
    enc: StringEncoding,
    budget: &mut Budget,
) -> Result<Value, Error> {
    Ok(match &shape.kind {
        Kind::Bool => Value::Bool(it.i32()? != 0),
        Kind::S8 => Value::S8(it.i32()? as i8),
        Kind::U8 => Value::U8(it.i32()? as u8),
        Kind::S16 => Value::S16(it.i32()? as i16),
        Kind::U16 => Value::U16(it.i32()? as u16),
        Kind::S32 => Value::S32(it.i32()?),
        Kind::U32 => Value::U32(it.i32()? as u32),
        Kind::I32 => Value::I32(it.i32()?),
        Kind::S64 => Value::S64(it.i64()?),
        Kind::U64 => Value::U64(it.i64()? as u64),
        Kind::I64 => Value::I64(it.i64()?),
        Kind::F32 | Kind::F64 | Kind::Externref => it.next()?.clone(),
        Kind::Char => {
            let x = it.i32()? as u32;
            Value::Char(
                char::from_u32(x)
                    .ok_or_else(|| invalid(format!("{x:#x} is not a Unicode scalar value")))?,
            )
        }
        Kind::String => {
            let (ptr, len) = (it.i32()? as u32, it.i32()? as u32);
            let s = read_string(data, ptr, len, enc)?;
            budget.charge(len, enc.unit_bytes())?;
            Value::String(s)
        }
        Kind::List(elem) => {
            let (ptr, len) = (it.i32()? as u32, it.i32()? as u32);
            load_list(data, elem, ptr, len, enc, budget)?
        }
        Kind::Record { fields, tuple } => {
            let mut vs = Vec::with_capacity(fields.len());
            for (_, s) in fields {
                vs.push(lift(data, s, it, enc, budget)?);
            }
            if *tuple {
                Value::Tuple(vs)
            } else {
                Value::Record(vs)
            }
        }
        Kind::Variant { form, cases, .. } => {
            let d = it.i32()? as u32;
            let joined = &shape.flat[1..];
            let start = it.pos;
            it.pos += joined.len();
            let slots = it
                .vals
                .get(start..it.pos)
                .ok_or_else(|| Error::internal("flat values ran out"))?;
            let case = cases.get(d as usize).ok_or_else(|| {
                invalid(format!(
                    "discriminant {d} is past the last case ({} cases)",
                    cases.len()
                ))
            })?;
            let payload = match case {
                None => None,
                Some(s) => {
                    // Read the case's own types back out of the joined slots.
                    let own: Vec<Value> = s
                        .flat
                        .iter()
                        .zip(slots)
                        .map(|(t, v)| unjoin(*t, v))
                        .collect();
                    Some(Box::new(lift_flat(data, s, &own, enc, budget)?))
                }
            };
            make_variant(*form, d, payload)
        }
        Kind::Flags { count } => {
            let mut words = Vec::with_capacity(Shape::flag_words(*count));
            for _ in 0..Shape::flag_words(*count) {
                words.push(it.i32()? as u32);
            }
            check_flags(*count, &words)?;
            Value::Flags(words)
        }
    })
}

/// A joined slot read back as type `want` (wrap, bit-cast).
fn unjoin(want: CoreType, v: &Value) -> Value {
    match (want, v) {
        (CoreType::I32, Value::I64(x)) => Value::I32(*x as i32),
        (CoreType::F32, Value::I32(x)) => Value::F32(f32::from_bits(*x as u32)),
        (CoreType::F32, Value::I64(x)) => Value::F32(f32::from_bits(*x as u32)),
        (CoreType::F64, Value::I64(x)) => Value::F64(f64::from_bits(*x as u64)),
        _ => v.clone(),
    }
}

/// A value of type `have` widened into a joined slot of type `slot`.
fn join_into(slot: CoreType, v: Value) -> Value {
    match (slot, v) {
        (CoreType::I32, Value::F32(x)) => Value::I32(x.to_bits() as i32),
        (CoreType::I64, Value::I32(x)) => Value::I64(i64::from(x as u32)),
        (CoreType::I64, Value::F32(x)) => Value::I64(i64::from(x.to_bits())),
        (CoreType::I64, Value::F64(x)) => Value::I64(x.to_bits() as i64),
        (_, v) => v,
    }
}

fn zero(t: CoreType) -> Value {
    match t {
        CoreType::I32 => Value::I32(0),
        CoreType::I64 => Value::I64(0),
        CoreType::F32 => Value::F32(0.0),
        CoreType::F64 => Value::F64(0.0),
        CoreType::Externref => Value::Externref(None),
    }
}

/// Lowering into a guest: allocates with the adapter's allocator.
pub(crate) struct Lowerer<'a, 'b> {
    pub cx: &'a mut StoreContextMut<'b, StoreData>,
    pub rt: &'a Runtime,
    pub mem: Option<(Memory, StringEncoding)>,
    pub malloc: Option<Malloc>,
}

fn wrong(shape_kind: &str, v: &Value) -> Error {
    Error::host_type(format!("expected {shape_kind}, found {}", v.describe()))
}

impl Lowerer<'_, '_> {
    fn memory(&self) -> Result<(Memory, StringEncoding), Error> {
        self.mem
            .ok_or_else(|| Error::internal("no memory for a type that needs one"))
    }

    /// Allocates `size` bytes aligned to `align`; checks the result.
    pub(crate) fn alloc(&mut self, size: u32, align: u32) -> Result<u32, Error> {
        let malloc = self.malloc.ok_or_else(|| Error::internal("no allocator"))?;
        let (mem, _) = self.memory()?;
        let ptr = call_malloc(self.cx, self.rt, malloc, size, align)?;
        alloc_range(mem.data_size(&*self.cx), ptr, size, align)?;
        Ok(ptr)
    }

    fn write(&mut self, addr: u32, bytes: &[u8]) -> Result<(), Error> {
        let (mem, _) = self.memory()?;
        let data = mem.data_mut(&mut *self.cx);
        let r = range(data.len(), addr, bytes.len() as u64)?;
        data[r].copy_from_slice(bytes);
        Ok(())
    }

    fn string(&mut self, s: &str) -> Result<(u32, u32), Error> {
        let (mem, enc) = self.memory()?;
        let malloc = self.malloc.ok_or_else(|| Error::internal("no allocator"))?;
        write_string(self.cx, self.rt, mem, malloc, s, enc)
    }

    /// A `list<u8>`: one allocation, one copy.
    pub(crate) fn bytes(&mut self, b: &[u8]) -> Result<(u32, u32), Error> {
        let len = u32::try_from(b.len())
            .ok()
            .filter(|n| *n <= i32::MAX as u32)
            .ok_or_else(|| Error::host_type("list too long for 32-bit memory"))?;
        let ptr = self.alloc(len, 1)?;
        self.write(ptr, b)?;
        Ok((ptr, len))
    }

    /// `(ptr, len)` of a list value of element shape `elem`, written into the guest.
    fn any_list(&mut self, elem: &Shape, v: &Value) -> Result<(u32, u32), Error> {
        match (&elem.kind, v) {
            (Kind::U8, Value::Bytes(b)) => self.bytes(b),
            (_, Value::List(vs)) => self.list(elem, vs),
            (_, v) => Err(wrong("a list", v)),
        }
    }

    /// `value.lower` of a borrowed string or list argument of a typed call
    /// that goes into guest memory as it is (`&str`, `&[u8]`, a list of
    /// scalars or of plain values): its `(ptr, len)`. `None` for other
    /// arguments ([`Lowerer::lower_arg`] takes them).
    #[inline]
    pub(crate) fn lower_arg_pair(
        &mut self,
        shape: &Shape,
        arg: ArgRef<'_>,
    ) -> Option<Result<(u32, u32), Error>> {
        Some(match (&shape.kind, arg) {
            (Kind::String, ArgRef::Str(s)) => self.string(s),
            (Kind::List(elem), ArgRef::Bytes(b)) if matches!(elem.kind, Kind::U8) => self.bytes(b),
            (Kind::List(elem), ArgRef::Scalars(list))
                if crate::args::scalar_width(&list.elem()) == Some(elem.size as usize)
                    && scalar_kind(&elem.kind) =>
            {
                self.raw_list(elem, list.byte_len(), |out| list.write_le(out))
            }
            // A list of plain values: one allocation, one pass.
            (Kind::List(elem), ArgRef::PlainList(items))
                if elem.plain.is_some() && elem.plain == items.elem() =>
            {
                match items.len().checked_mul(elem.size as usize) {
                    Some(bytes) => self.raw_list(elem, bytes, |out| items.write_le(out)),
                    None => Err(Error::host_type("list too long for 32-bit memory")),
                }
            }
            _ => return None,
        })
    }

    /// `value.lower` of a borrowed argument of a typed call.
    pub(crate) fn lower_arg(
        &mut self,
        shape: &Shape,
        arg: ArgRef<'_>,
        out: &mut Vec<Value>,
    ) -> Result<(), Error> {
        if let Some(r) = self.lower_arg_pair(shape, arg) {
            let (p, l) = r?;
            out.push(Value::I32(p as i32));
            out.push(Value::I32(l as i32));
            return Ok(());
        }
        match arg {
            ArgRef::Value(v) => self.lower_flat(shape, v, out),
            // A plain value: its bytes, then the flat form from them.
            ArgRef::Plain(v) => match plain_layout(shape) {
                Some(p) if v.plain() == Some(p) => {
                    let mut buf = vec![0u8; p.size as usize];
                    v.write_le(&mut buf);
                    plain_flat(shape, &buf, out)
                }
                _ => self.lower_flat(shape, &v.value(), out),
            },
            // Adapters that take a borrowed argument apart another way.
            other => self.lower_flat(shape, &other.to_value()?, out),
        }
    }

    /// A list of scalars already in their little-endian layout: one
    /// allocation, one copy.
    /// `fill` writes exactly `byte_len` bytes.
    fn raw_list(
        &mut self,
        elem: &Shape,
        byte_len: usize,
        fill: impl FnOnce(&mut [u8]),
    ) -> Result<(u32, u32), Error> {
        let bytes = u32::try_from(byte_len)
            .ok()
            .filter(|n| *n <= i32::MAX as u32)
            .ok_or_else(|| Error::host_type("list too long for 32-bit memory"))?;
        let ptr = self.alloc(bytes, elem.align)?;
        let (mem, _) = self.memory()?;
        let data = mem.data_mut(&mut *self.cx);
        let r = range(data.len(), ptr, bytes.into())?;
        fill(&mut data[r]);
        Ok((ptr, bytes / elem.size))
    }

    fn list(&mut self, elem: &Shape, vs: &[Value]) -> Result<(u32, u32), Error> {
        // Scalars: encoded in one pass (no memory lookup per element), then
        // one allocation and one copy.
        if scalar_kind(&elem.kind) {
            let mut le = Vec::with_capacity(vs.len() * elem.size as usize);
            for v in vs {
                encode_scalar(&elem.kind, v, &mut le)?;
            }
            return self.raw_list(elem, le.len(), |out| out.copy_from_slice(&le));
        }
        let len = u32::try_from(vs.len()).map_err(|_| Error::host_type("list too long"))?;
        let bytes = u32::try_from(u64::from(len) * u64::from(elem.size))
            .map_err(|_| Error::host_type("list too long for 32-bit memory"))?;
        let ptr = self.alloc(bytes, elem.align)?;
        for (i, v) in vs.iter().enumerate() {
            self.store(elem, v, ptr + i as u32 * elem.size)?;
        }
        Ok((ptr, len))
    }

    /// `value.store` of a plain argument (`plain.rs`): its bytes written at
    /// `ptr` with the checks and errors of [`Lowerer::store_checked`].
    /// `None` when the layouts differ (the `Value` path then runs).
    pub(crate) fn store_plain(
        &mut self,
        shape: &Shape,
        v: &dyn PlainWrite,
        ptr: u32,
    ) -> Option<Result<(), Error>> {
        let p = shape.plain?;
        if v.plain() != Some(p) {
            return None;
        }
        Some((|| {
            if !ptr.is_multiple_of(shape.align) {
                return Err(Error::guest(
                    Misbehavior::Misaligned,
                    format!("pointer {ptr:#x} is not {}-aligned", shape.align),
                ));
            }
            let (mem, _) = self.memory()?;
            let data = mem.data_mut(&mut *self.cx);
            let r = range(data.len(), ptr, shape.size.into())?;
            v.write_le(&mut data[r]);
            Ok(())
        })())
    }

    /// `value.store`: writes `v` at `ptr`, which must be aligned and in bounds.
    pub(crate) fn store_checked(
        &mut self,
        shape: &Shape,
        v: &Value,
        ptr: u32,
    ) -> Result<(), Error> {
        if !ptr.is_multiple_of(shape.align) {
            return Err(Error::guest(
                Misbehavior::Misaligned,
                format!("pointer {ptr:#x} is not {}-aligned", shape.align),
            ));
        }
        let (mem, _) = self.memory()?;
        range(mem.data_size(&*self.cx), ptr, shape.size.into())?;
        self.store(shape, v, ptr)
    }

    fn store(&mut self, shape: &Shape, v: &Value, addr: u32) -> Result<(), Error> {
        match (&shape.kind, v) {
            (Kind::Bool, Value::Bool(b)) => self.write(addr, &[u8::from(*b)]),
            (Kind::S8, Value::S8(x)) => self.write(addr, &x.to_le_bytes()),
            (Kind::U8, Value::U8(x)) => self.write(addr, &x.to_le_bytes()),
            (Kind::S16, Value::S16(x)) => self.write(addr, &x.to_le_bytes()),
            (Kind::U16, Value::U16(x)) => self.write(addr, &x.to_le_bytes()),
            (Kind::S32, Value::S32(x)) | (Kind::I32, Value::I32(x)) => {
                self.write(addr, &x.to_le_bytes())
            }
            (Kind::U32, Value::U32(x)) => self.write(addr, &x.to_le_bytes()),
            (Kind::S64, Value::S64(x)) | (Kind::I64, Value::I64(x)) => {
                self.write(addr, &x.to_le_bytes())
            }
            (Kind::U64, Value::U64(x)) => self.write(addr, &x.to_le_bytes()),
            (Kind::F32, Value::F32(x)) => self.write(addr, &x.to_le_bytes()),
            (Kind::F64, Value::F64(x)) => self.write(addr, &x.to_le_bytes()),
            (Kind::Char, Value::Char(c)) => self.write(addr, &u32::from(*c).to_le_bytes()),
            (Kind::String, Value::String(s)) => {
                let (p, l) = self.string(s)?;
                self.write(addr, &p.to_le_bytes())?;
                self.write(addr + 4, &l.to_le_bytes())
            }
            (Kind::List(elem), Value::List(_) | Value::Bytes(_)) => {
                let (p, l) = self.any_list(elem, v)?;
                self.write(addr, &p.to_le_bytes())?;
                self.write(addr + 4, &l.to_le_bytes())
            }
            (Kind::Record { fields, .. }, Value::Record(vs) | Value::Tuple(vs))
                if vs.len() == fields.len() =>
            {
                for ((off, s), v) in fields.iter().zip(vs) {
                    self.store(s, v, addr + off)?;
                }
                Ok(())
            }
            (
                Kind::Variant {
                    disc,
                    payload,
                    cases,
                    ..
                },
                v,
            ) => {
                let (d, p) = variant_parts(v).ok_or_else(|| wrong("a variant", v))?;
                let case = cases
                    .get(d as usize)
                    .ok_or_else(|| Error::host_type(format!("case {d} does not exist")))?;
                match disc {
                    1 => self.write(addr, &[d as u8])?,
                    2 => self.write(addr, &(d as u16).to_le_bytes())?,
                    _ => self.write(addr, &d.to_le_bytes())?,
                }
                match (case, p) {
                    (Some(s), Some(p)) => self.store(s, p, addr + payload),
                    (None, None) => Ok(()),
                    _ => Err(Error::host_type(format!(
                        "case {d} payload does not match its type"
                    ))),
                }
            }
            (Kind::Flags { .. }, Value::Flags(words)) => match shape.size {
                0 => Ok(()),
                1 => self.write(addr, &[words.first().copied().unwrap_or(0) as u8]),
                2 => self.write(
                    addr,
                    &(words.first().copied().unwrap_or(0) as u16).to_le_bytes(),
                ),
                _ => {
                    for (i, w) in words.iter().enumerate() {
                        self.write(addr + 4 * i as u32, &w.to_le_bytes())?;
                    }
                    Ok(())
                }
            },
            (Kind::Externref, _) => Err(Error::host_type(
                "externref cannot be stored in linear memory",
            )),
            (_, v) => Err(wrong("a value of the adapter's type", v)),
        }
    }

    /// `value.lower`: the flat form of `v`.
    pub(crate) fn lower_flat(
        &mut self,
        shape: &Shape,
        v: &Value,
        out: &mut Vec<Value>,
    ) -> Result<(), Error> {
        match (&shape.kind, v) {
            (Kind::Bool, Value::Bool(b)) => out.push(Value::I32((*b).into())),
            (Kind::S8, Value::S8(x)) => out.push(Value::I32((*x).into())),
            (Kind::U8, Value::U8(x)) => out.push(Value::I32((*x).into())),
            (Kind::S16, Value::S16(x)) => out.push(Value::I32((*x).into())),
            (Kind::U16, Value::U16(x)) => out.push(Value::I32((*x).into())),
            (Kind::S32, Value::S32(x)) | (Kind::I32, Value::I32(x)) => out.push(Value::I32(*x)),
            (Kind::U32, Value::U32(x)) => out.push(Value::I32(*x as i32)),
            (Kind::Char, Value::Char(c)) => out.push(Value::I32(*c as i32)),
            (Kind::S64, Value::S64(x)) | (Kind::I64, Value::I64(x)) => out.push(Value::I64(*x)),
            (Kind::U64, Value::U64(x)) => out.push(Value::I64(*x as i64)),
            (Kind::F32, Value::F32(_))
            | (Kind::F64, Value::F64(_))
            | (Kind::Externref, Value::Externref(_)) => out.push(v.clone()),
            (Kind::String, Value::String(s)) => {
                let (p, l) = self.string(s)?;
                out.push(Value::I32(p as i32));
                out.push(Value::I32(l as i32));
            }
            (Kind::List(elem), Value::List(_) | Value::Bytes(_)) => {
                let (p, l) = self.any_list(elem, v)?;
                out.push(Value::I32(p as i32));
                out.push(Value::I32(l as i32));
            }
            (Kind::Record { fields, .. }, Value::Record(vs) | Value::Tuple(vs))
                if vs.len() == fields.len() =>
            {
                for ((_, s), v) in fields.iter().zip(vs) {
                    self.lower_flat(s, v, out)?;
                }
            }
            (Kind::Variant { cases, .. }, v) => {
                let (d, p) = variant_parts(v).ok_or_else(|| wrong("a variant", v))?;
                let case = cases
                    .get(d as usize)
                    .ok_or_else(|| Error::host_type(format!("case {d} does not exist")))?;
                out.push(Value::I32(d as i32));
                let joined = &shape.flat[1..];
                let mut own = Vec::new();
                match (case, p) {
                    (Some(s), Some(p)) => self.lower_flat(s, p, &mut own)?,
                    (None, None) => {}
                    _ => {
                        return Err(Error::host_type(format!(
                            "case {d} payload does not match its type"
                        )))
                    }
                }
                let n = own.len();
                out.extend(own.into_iter().zip(joined).map(|(v, t)| join_into(*t, v)));
                out.extend(joined[n..].iter().map(|t| zero(*t)));
            }
            (Kind::Flags { count }, Value::Flags(words))
                if words.len() == Shape::flag_words(*count) =>
            {
                out.extend(words.iter().map(|w| Value::I32(*w as i32)))
            }
            (_, v) => return Err(wrong("a value of the adapter's type", v)),
        }
        Ok(())
    }
}

/// `string-to-memory`: allocate, check, copy straight from the host string.
pub(crate) fn write_string(
    cx: &mut StoreContextMut<'_, StoreData>,
    rt: &Runtime,
    mem: Memory,
    malloc: Malloc,
    s: &str,
    enc: StringEncoding,
) -> Result<(u32, u32), Error> {
    if enc == StringEncoding::Utf8 {
        // The common case, without the per-encoding detour.
        let n = utf8_len(s)?;
        let ptr = call_malloc(cx, rt, malloc, n, 1)?;
        let data = mem.data_mut(&mut *cx);
        match data.get_mut(ptr as usize..ptr as usize + n as usize) {
            Some(dst) => dst.copy_from_slice(s.as_bytes()),
            None => {
                let e = alloc_range(data.len(), ptr, n, 1).err();
                return Err(e.unwrap_or_else(|| internal("string range")));
            }
        }
        return Ok((ptr, n));
    }
    let (units, bytes, align) = encoded_len(s, enc)?;
    let ptr = call_malloc(cx, rt, malloc, bytes, align)?;
    let data = mem.data_mut(&mut *cx);
    let range = alloc_range(data.len(), ptr, bytes, align)?;
    encode_into(&mut data[range], s, enc);
    Ok((ptr, units))
}
