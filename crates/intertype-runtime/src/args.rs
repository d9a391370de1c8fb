//! Argument sources: where an adapter's arguments come from (dynamic
//! [`Value`]s or borrowed Rust values of a typed call).

use crate::error::Error;
use crate::types::Type;
use crate::value::Value;

/// Where an adapter's arguments come from: a slice of [`Value`]s (dynamic
/// calls) or borrowed Rust values (typed calls).
#[doc(hidden)]
pub trait ArgSource {
    fn arg(&self, i: u32) -> Option<ArgRef<'_>>;
}

#[doc(hidden)]
#[derive(Clone, Copy)]
pub enum ArgRef<'a> {
    Value(&'a Value),
    Str(&'a str),
    Bytes(&'a [u8]),
    /// A list of scalars of type `.0`, as their little-endian bytes.
    Scalars(&'a Type, &'a [u8]),
}

impl ArgSource for [Value] {
    fn arg(&self, i: u32) -> Option<ArgRef<'_>> {
        self.get(i as usize).map(ArgRef::Value)
    }
}

/// One argument of a typed call: borrowed string or byte data, or a value.
pub enum TypedArg<'a> {
    Str(&'a str),
    /// A `list<u8>`.
    Bytes(&'a [u8]),
    Value(Value),
    /// A list of scalars (`elem` is `u16`, `s32`, `f64`, ...): their
    /// little-endian bytes, lowered as one allocation and one copy.
    Scalars {
        elem: Type,
        le_bytes: Vec<u8>,
    },
}

impl ArgSource for [TypedArg<'_>] {
    fn arg(&self, i: u32) -> Option<ArgRef<'_>> {
        self.get(i as usize).map(|a| match a {
            TypedArg::Str(s) => ArgRef::Str(s),
            TypedArg::Bytes(b) => ArgRef::Bytes(b),
            TypedArg::Value(v) => ArgRef::Value(v),
            TypedArg::Scalars { elem, le_bytes } => ArgRef::Scalars(elem, le_bytes),
        })
    }
}

/// The arguments of a core function (core values only).
pub(crate) fn core_args<A: ArgSource + ?Sized>(
    args: &A,
    nargs: usize,
) -> Result<Vec<Value>, Error> {
    let mut vals = Vec::with_capacity(nargs);
    for i in 0..nargs as u32 {
        match args.arg(i) {
            Some(ArgRef::Value(v)) => vals.push(v.clone()),
            _ => return Err(Error::host_type("core functions take core values")),
        }
    }
    Ok(vals)
}

/// The width in bytes of a scalar list element (the canonical layout).
pub(crate) fn scalar_width(elem: &Type) -> Option<usize> {
    Some(match elem {
        Type::Bool | Type::S8 | Type::U8 => 1,
        Type::S16 | Type::U16 => 2,
        Type::S32 | Type::U32 | Type::F32 | Type::Char => 4,
        Type::S64 | Type::U64 | Type::F64 => 8,
        _ => return None,
    })
}

/// A [`ArgRef::Scalars`] list as a [`Value`] (adapters that take the list
/// apart rather than lowering it whole).
pub(crate) fn scalars_value(elem: &Type, le: &[u8]) -> Result<Value, Error> {
    let w = scalar_width(elem).ok_or_else(|| Error::internal("not a scalar list"))?;
    if *elem == Type::U8 {
        return Ok(Value::Bytes(le.to_vec()));
    }
    le.chunks_exact(w)
        .map(|c| {
            let mut b = [0u8; 8];
            b[..w].copy_from_slice(c);
            let u = u64::from_le_bytes(b);
            Ok(match elem {
                Type::Bool => Value::Bool(u != 0),
                Type::S8 => Value::S8(u as i8),
                Type::S16 => Value::S16(u as i16),
                Type::U16 => Value::U16(u as u16),
                Type::S32 => Value::S32(u as i32),
                Type::U32 => Value::U32(u as u32),
                Type::F32 => Value::F32(f32::from_bits(u as u32)),
                Type::Char => {
                    Value::Char(char::from_u32(u as u32).ok_or_else(|| Error::internal("char"))?)
                }
                Type::S64 => Value::S64(u as i64),
                Type::U64 => Value::U64(u),
                _ => Value::F64(f64::from_bits(u)),
            })
        })
        .collect::<Result<_, _>>()
        .map(Value::List)
}
