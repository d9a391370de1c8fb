//! Argument sources: where an adapter's arguments come from (dynamic
//! [`Value`]s or borrowed Rust values of a typed call).

use crate::error::Error;
use crate::plain::{PlainItems, PlainWrite, ResultSink};
use crate::types::Type;
use crate::value::Value;

/// Where an adapter's arguments come from: a slice of [`Value`]s (dynamic
/// calls) or borrowed Rust values (typed calls).
#[doc(hidden)]
pub trait ArgSource {
    fn arg(&self, i: u32) -> Option<ArgRef<'_>>;
    /// Where a typed call takes its result as bytes (`exec/plain.rs`, *result
    /// sinks*): only the outermost call's arguments carry one.
    #[doc(hidden)]
    fn sink(&self) -> Option<&dyn ResultSink> {
        None
    }
}

/// A typed call's arguments with its result sink.
pub(crate) struct SinkArgs<'a, A: ?Sized> {
    pub args: &'a A,
    pub sink: &'a dyn ResultSink,
}

impl<A: ArgSource + ?Sized> ArgSource for SinkArgs<'_, A> {
    #[inline]
    fn arg(&self, i: u32) -> Option<ArgRef<'_>> {
        self.args.arg(i)
    }
    fn sink(&self) -> Option<&dyn ResultSink> {
        Some(self.sink)
    }
}

#[doc(hidden)]
#[derive(Clone, Copy)]
pub enum ArgRef<'a> {
    Value(&'a Value),
    Str(&'a str),
    Bytes(&'a [u8]),
    /// A list of scalars, borrowed.
    Scalars(ScalarSlice<'a>),
    /// A value with a plain memory form, borrowed (`plain.rs`).
    Plain(&'a dyn PlainWrite),
    /// A list of values with a plain memory form, borrowed.
    PlainList(&'a dyn PlainItems),
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
    /// A list of scalars (`&[u16]`, `&[i32]`, `&[f64]`, ...), borrowed:
    /// lowered as one allocation and one pass into guest memory.
    Scalars(ScalarSlice<'a>),
    /// A value with a plain memory form (`plain.rs`): lowered from its
    /// bytes, without a [`Value`].
    Plain(&'a dyn PlainWrite),
    /// A list of such values: one allocation and one pass into guest memory.
    PlainList(&'a dyn PlainItems),
}

impl ArgSource for [TypedArg<'_>] {
    fn arg(&self, i: u32) -> Option<ArgRef<'_>> {
        self.get(i as usize).map(|a| match a {
            TypedArg::Str(s) => ArgRef::Str(s),
            TypedArg::Bytes(b) => ArgRef::Bytes(b),
            TypedArg::Value(v) => ArgRef::Value(v),
            TypedArg::Scalars(s) => ArgRef::Scalars(*s),
            TypedArg::Plain(v) => ArgRef::Plain(*v),
            TypedArg::PlainList(v) => ArgRef::PlainList(*v),
        })
    }
}

impl ArgRef<'_> {
    /// The argument as a [`Value`] (adapters that take it apart rather
    /// than lowering it whole).
    pub(crate) fn to_value(self) -> Result<Value, Error> {
        Ok(match self {
            ArgRef::Value(v) => v.clone(),
            ArgRef::Str(s) => Value::String(s.to_owned()),
            ArgRef::Bytes(b) => Value::Bytes(b.to_vec()),
            ArgRef::Scalars(l) => scalars_value(&l)?,
            ArgRef::Plain(v) => v.value(),
            ArgRef::PlainList(l) => l.value(),
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

/// A borrowed slice of scalars that writes its canonical (little-endian)
/// memory form straight into guest memory.
#[doc(hidden)]
#[derive(Clone, Copy)]
pub enum ScalarSlice<'a> {
    Bool(&'a [bool]),
    S8(&'a [i8]),
    S16(&'a [i16]),
    U16(&'a [u16]),
    S32(&'a [i32]),
    U32(&'a [u32]),
    S64(&'a [i64]),
    U64(&'a [u64]),
    F32(&'a [f32]),
    F64(&'a [f64]),
    Char(&'a [char]),
}

macro_rules! each_slice {
    ($s:expr, |$xs:ident, $ty:ident| $body:expr) => {
        match $s {
            ScalarSlice::Bool($xs) => {
                let $ty = Type::Bool;
                $body
            }
            ScalarSlice::S8($xs) => {
                let $ty = Type::S8;
                $body
            }
            ScalarSlice::S16($xs) => {
                let $ty = Type::S16;
                $body
            }
            ScalarSlice::U16($xs) => {
                let $ty = Type::U16;
                $body
            }
            ScalarSlice::S32($xs) => {
                let $ty = Type::S32;
                $body
            }
            ScalarSlice::U32($xs) => {
                let $ty = Type::U32;
                $body
            }
            ScalarSlice::S64($xs) => {
                let $ty = Type::S64;
                $body
            }
            ScalarSlice::U64($xs) => {
                let $ty = Type::U64;
                $body
            }
            ScalarSlice::F32($xs) => {
                let $ty = Type::F32;
                $body
            }
            ScalarSlice::F64($xs) => {
                let $ty = Type::F64;
                $body
            }
            ScalarSlice::Char($xs) => {
                let $ty = Type::Char;
                $body
            }
        }
    };
}

/// One element's little-endian bytes.
trait Le: Copy {
    fn put(self, out: &mut [u8]);
}
macro_rules! le {
    ($($t:ty => |$x:ident| $e:expr;)*) => {$(
        impl Le for $t {
            #[inline]
            fn put(self, out: &mut [u8]) { let $x = self; out.copy_from_slice(&$e) }
        }
    )*};
}
le! {
    bool => |x| [u8::from(x)];
    i8 => |x| x.to_le_bytes();
    i16 => |x| x.to_le_bytes();
    u16 => |x| x.to_le_bytes();
    i32 => |x| x.to_le_bytes();
    u32 => |x| x.to_le_bytes();
    i64 => |x| x.to_le_bytes();
    u64 => |x| x.to_le_bytes();
    f32 => |x| x.to_le_bytes();
    f64 => |x| x.to_le_bytes();
    char => |x| u32::from(x).to_le_bytes();
}

fn write_all<T: Le>(xs: &[T], out: &mut [u8]) {
    let w = std::mem::size_of::<T>();
    for (c, x) in out.chunks_exact_mut(w).zip(xs) {
        x.put(c);
    }
}

impl ScalarSlice<'_> {
    /// The element type.
    pub fn elem(&self) -> Type {
        each_slice!(self, |_xs, ty| ty)
    }
    /// The bytes the list takes in memory.
    pub fn byte_len(&self) -> usize {
        each_slice!(self, |xs, _ty| std::mem::size_of_val(*xs))
    }
    /// Writes the list into `out`, which is [`ScalarSlice::byte_len`] long.
    pub fn write_le(&self, out: &mut [u8]) {
        each_slice!(self, |xs, _ty| write_all(xs, out))
    }
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
pub(crate) fn scalars_value(list: &ScalarSlice<'_>) -> Result<Value, Error> {
    let mut le = vec![0; list.byte_len()];
    list.write_le(&mut le);
    let elem = &list.elem();
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
