//! Typed calls: Rust values in, Rust values out, through the [`Lift`] and
//! [`Lower`] traits.
//!
//! Signatures are checked once, when a [`TypedFunc`] is made; a call then
//! skips the per-argument type check that dynamic calls do. String
//! arguments are borrowed (`&str` goes straight from the caller's buffer into
//! guest memory) and string results move out of the adapter without a copy.
//!
//! Records, variants, enums and flags of user types come from
//! `#[derive(Interface)]` (`intertype-runtime-derive`) or `bindgen!`, which
//! implement these two traits by mapping fields to [`Value::Record`] and
//! cases to [`Value::Variant`].
//!
//! Types whose memory bytes need no validation (integers, floats, and
//! records and tuples of them) also have a *plain memory form*
//! (`plain.rs`): typed calls then lower and lift them, and lists of them,
//! from and to guest memory without any [`Value`].

use crate::args::{ScalarSlice, SinkArgs, TypedArg};
use crate::error::Error;
use crate::instance::{CallContext, Func, Instance};
use crate::plain::{Plain, PlainItems, PlainWrite, ResultSink, SinkForm};
use crate::plan::SCALAR_IO;
use crate::types::{FuncType, Type};
use crate::value::{ExternRef, Value};
use std::cell::Cell;
use std::marker::PhantomData;

mod host_funcs;
pub use host_funcs::{BorrowList, BorrowParam};

/// A Rust type that can be passed into wasm as an interface value.
pub trait Lower {
    /// The interface type.
    fn ty() -> Type;
    /// The value.
    fn to_value(&self) -> Value;
    /// As an argument: borrowed when possible.
    #[doc(hidden)]
    fn to_arg(&self) -> TypedArg<'_> {
        TypedArg::Value(self.to_value())
    }
    /// `()` stands for "no payload" in `Result<(), E>`.
    #[doc(hidden)]
    const IS_UNIT: bool = false;
    /// A list of these (`u8` makes it [`Value::Bytes`]).
    #[doc(hidden)]
    fn list_to_value(items: &[Self]) -> Value
    where
        Self: Sized,
    {
        Value::List(items.iter().map(Lower::to_value).collect())
    }
    /// A list of these as an argument (`u8` borrows the bytes).
    #[doc(hidden)]
    fn list_to_arg(items: &[Self]) -> TypedArg<'_>
    where
        Self: Sized,
    {
        TypedArg::Value(Self::list_to_value(items))
    }
    /// Whether the value is a scalar with [`Lower::to_bits`] (scalar plans,
    /// `plan/scalar.rs`).
    #[doc(hidden)]
    const SCALAR: bool = false;
    /// The scalar's bits (see `plan/scalar.rs`); only for [`Lower::SCALAR`] types.
    #[doc(hidden)]
    fn to_bits(&self) -> u64 {
        0
    }
    /// The string, for `str` and `String` (string-call plans).
    #[doc(hidden)]
    fn as_str(&self) -> Option<&str> {
        None
    }
    /// The plain memory form's layout, if the type has one (`plain.rs`):
    /// its canonical-ABI bytes are written by [`Lower::store_le`].
    #[doc(hidden)]
    const PLAIN: Option<Plain> = None;
    /// Writes the plain memory form (`PLAIN.size` bytes) at the start of
    /// `out` (only for [`Lower::PLAIN`] types).
    #[doc(hidden)]
    fn store_le(&self, out: &mut [u8]) {
        let _ = out;
    }
    /// [`Lower::to_arg`] of a reference: a `&[T]` borrows its elements'
    /// plain forms.
    #[doc(hidden)]
    fn ref_to_arg<'a>(this: &'a &Self) -> TypedArg<'a> {
        (**this).to_arg()
    }
}

/// A plain value borrowed as an argument; other values as a [`Value`]
/// (what `#[derive(Interface)]` records and tuples use as `to_arg`).
#[doc(hidden)]
#[inline]
pub fn plain_arg<T: Lower>(v: &T) -> TypedArg<'_> {
    if T::PLAIN.is_some() {
        TypedArg::Plain(v)
    } else {
        TypedArg::Value(v.to_value())
    }
}

impl<T: Lower> PlainWrite for T {
    fn plain(&self) -> Option<Plain> {
        T::PLAIN
    }
    fn write_le(&self, out: &mut [u8]) {
        self.store_le(out)
    }
    fn value(&self) -> Value {
        self.to_value()
    }
}

/// Writes `items`' plain forms, `size` bytes apart.
fn write_items<T: Lower>(items: &[T], out: &mut [u8]) {
    if let Some(p) = T::PLAIN {
        for (c, x) in out.chunks_exact_mut(p.size as usize).zip(items) {
            x.store_le(c);
        }
    }
}

impl<T: Lower> PlainItems for Vec<T> {
    fn elem(&self) -> Option<Plain> {
        T::PLAIN
    }
    fn len(&self) -> usize {
        Vec::len(self)
    }
    fn write_le(&self, out: &mut [u8]) {
        write_items(self, out)
    }
    fn value(&self) -> Value {
        T::list_to_value(self)
    }
}

impl<T: Lower> PlainItems for &[T] {
    fn elem(&self) -> Option<Plain> {
        T::PLAIN
    }
    fn len(&self) -> usize {
        <[T]>::len(self)
    }
    fn write_le(&self, out: &mut [u8]) {
        write_items(self, out)
    }
    fn value(&self) -> Value {
        T::list_to_value(self)
    }
}

/// Whether lists of `T` go as [`TypedArg::PlainList`]: plain elements
/// other than scalars (which have [`TypedArg::Scalars`]).
const fn plain_items<T: Lower>() -> bool {
    T::PLAIN.is_some() && !T::SCALAR
}

/// A Rust type that can be made from an interface value.
pub trait Lift: Sized {
    fn ty() -> Type;
    fn from_value(v: Value) -> Result<Self, Error>;
    #[doc(hidden)]
    const IS_UNIT: bool = false;
    /// A list of these (`u8` takes [`Value::Bytes`] without a copy).
    #[doc(hidden)]
    fn list_from_value(v: Value) -> Result<Vec<Self>, Error> {
        match v {
            Value::List(vs) => vs.into_iter().map(Self::from_value).collect(),
            other => mismatch(&Type::list(Self::ty()), &other),
        }
    }
    /// Whether [`Lift::from_bits`] makes the value (scalar plans).
    #[doc(hidden)]
    const SCALAR: bool = false;
    /// The scalar with these bits (see `plan/scalar.rs`).
    #[doc(hidden)]
    fn from_bits(bits: u64) -> Option<Self> {
        let _ = bits;
        None
    }
    /// A `String` takes the string out of `s` (string-call plans).
    #[doc(hidden)]
    fn from_string(s: &mut Option<String>) -> Option<Self> {
        let _ = s;
        None
    }
    /// The plain memory form's layout, if the type has one (`plain.rs`):
    /// [`Lift::load_le`] reads it, and every byte pattern is a value.
    #[doc(hidden)]
    const PLAIN: Option<Plain> = None;
    /// The value from its plain memory form (the first `PLAIN.size` bytes
    /// of `bytes`); `None` for types without one or too few bytes.
    #[doc(hidden)]
    fn load_le(bytes: &[u8]) -> Option<Self> {
        let _ = bytes;
        None
    }
    /// How a typed call's result of this type can come straight from guest
    /// memory: a plain value, or a `Vec` of plain elements.
    #[doc(hidden)]
    const SINK: SinkForm = match Self::PLAIN {
        Some(p) => SinkForm::Value(p),
        None => SinkForm::None,
    };
    /// The value from the bytes of [`Lift::SINK`] (a list: its elements'),
    /// checked by the engine, in one pass.
    #[doc(hidden)]
    fn from_sink(bytes: &[u8]) -> Option<Self> {
        Self::load_le(bytes)
    }
    /// A list of these from its elements' plain bytes (only for
    /// [`Lift::PLAIN`] types), in one pass.
    #[doc(hidden)]
    #[inline]
    fn list_from_plain(bytes: &[u8]) -> Option<Vec<Self>> {
        let size = Self::PLAIN?.size as usize;
        if size == 0 || !bytes.len().is_multiple_of(size) {
            return None;
        }
        let mut out = Vec::with_capacity(bytes.len() / size);
        for c in bytes.chunks_exact(size) {
            out.push(Self::load_le(c)?);
        }
        Some(out)
    }
}

/// The error of a derived `Lift` given a value of another type.
#[cold]
pub fn derive_mismatch(rust: &str, want: &Type, v: &Value) -> Error {
    Error::host_type(format!("`{rust}` is `{want}`, found {}", v.describe()))
}

fn mismatch<T>(want: &Type, v: &Value) -> Result<T, Error> {
    Err(Error::host_type(format!(
        "expected `{want}`, found {}",
        v.describe()
    )))
}

// `|x| bits` and `|b| value` give each scalar's bits (`plan/scalar.rs`:
// signed sign-extended, unsigned and `char` zero-extended, floats' IEEE bits).
macro_rules! scalar {
    ($($rust:ty => $variant:ident, $ty:ident, $plain:expr, |$x:ident| $to:expr, |$b:ident| $from:expr;)*) => {$(
        impl Lower for $rust {
            fn ty() -> Type { Type::$ty }
            fn to_value(&self) -> Value { Value::$variant(*self) }
            const SCALAR: bool = true;
            #[inline]
            fn to_bits(&self) -> u64 { let $x = *self; $to }
            // Borrowed: written straight into guest memory.
            fn list_to_arg(items: &[Self]) -> TypedArg<'_> {
                TypedArg::Scalars(ScalarSlice::$ty(items))
            }
            const PLAIN: Option<Plain> = $plain;
            #[inline]
            fn store_le(&self, out: &mut [u8]) {
                const N: usize = std::mem::size_of::<$rust>();
                if let Some(o) = out.get_mut(..N) {
                    o.copy_from_slice(&self.to_bits().to_le_bytes()[..N]);
                }
            }
        }
        impl Lift for $rust {
            fn ty() -> Type { Type::$ty }
            fn from_value(v: Value) -> Result<Self, Error> {
                match v {
                    Value::$variant(x) => Ok(x),
                    other => mismatch(&Type::$ty, &other),
                }
            }
            const SCALAR: bool = true;
            #[inline]
            fn from_bits($b: u64) -> Option<Self> { $from }
            const PLAIN: Option<Plain> = $plain;
            #[inline]
            fn load_le(bytes: &[u8]) -> Option<Self> {
                const N: usize = std::mem::size_of::<$rust>();
                <Self as Lift>::PLAIN?;
                let mut b = [0u8; 8];
                b[..N].copy_from_slice(bytes.get(..N)?);
                <Self as Lift>::from_bits(u64::from_le_bytes(b))
            }
            // Scalars: a pre-sized, vectorisable decode.
            #[inline]
            fn list_from_plain(bytes: &[u8]) -> Option<Vec<Self>> {
                const N: usize = std::mem::size_of::<$rust>();
                <Self as Lift>::PLAIN?;
                let chunks = bytes.chunks_exact(N);
                if !chunks.remainder().is_empty() {
                    return None;
                }
                // `from_bits` of a plain scalar is never `None`.
                Some(chunks.map(|c| {
                    let mut b = [0u8; 8];
                    b[..N].copy_from_slice(c);
                    <$rust as Lift>::from_bits(u64::from_le_bytes(b)).unwrap_or_default()
                }).collect())
            }
            // One pre-sized pass (a `Result` collect cannot pre-size).
            fn list_from_value(v: Value) -> Result<Vec<Self>, Error> {
                match v {
                    Value::List(vs) => {
                        let mut out = Vec::with_capacity(vs.len());
                        for v in vs {
                            match v {
                                Value::$variant(x) => out.push(x),
                                other => return mismatch(&Type::$ty, &other),
                            }
                        }
                        Ok(out)
                    }
                    other => mismatch(&Type::list(Type::$ty), &other),
                }
            }
        }
    )*};
}

// `bool` and `char` have no plain form: their memory bytes need checks.
scalar! {
    bool => Bool, Bool, None, |x| x.into(), |b| Some(b != 0);
    i8 => S8, S8, Plain::scalar(1), |x| x as i64 as u64, |b| Some(b as i8);
    i16 => S16, S16, Plain::scalar(2), |x| x as i64 as u64, |b| Some(b as i16);
    u16 => U16, U16, Plain::scalar(2), |x| x.into(), |b| Some(b as u16);
    i32 => S32, S32, Plain::scalar(4), |x| x as i64 as u64, |b| Some(b as i32);
    u32 => U32, U32, Plain::scalar(4), |x| x.into(), |b| Some(b as u32);
    i64 => S64, S64, Plain::scalar(8), |x| x as u64, |b| Some(b as i64);
    u64 => U64, U64, Plain::scalar(8), |x| x, |b| Some(b);
    f32 => F32, F32, Plain::scalar(4), |x| x.to_bits().into(), |b| Some(f32::from_bits(b as u32));
    f64 => F64, F64, Plain::scalar(8), |x| x.to_bits(), |b| Some(f64::from_bits(b));
    char => Char, Char, None, |x| u32::from(x).into(), |b| char::from_u32(b as u32);
}

impl Lower for u8 {
    fn ty() -> Type {
        Type::U8
    }
    fn to_value(&self) -> Value {
        Value::U8(*self)
    }
    fn list_to_value(items: &[u8]) -> Value {
        Value::Bytes(items.to_vec())
    }
    fn list_to_arg(items: &[u8]) -> TypedArg<'_> {
        TypedArg::Bytes(items)
    }
    const SCALAR: bool = true;
    #[inline]
    fn to_bits(&self) -> u64 {
        (*self).into()
    }
    const PLAIN: Option<Plain> = Plain::scalar(1);
    #[inline]
    fn store_le(&self, out: &mut [u8]) {
        if let Some(o) = out.first_mut() {
            *o = *self;
        }
    }
}

impl Lift for u8 {
    fn ty() -> Type {
        Type::U8
    }
    fn from_value(v: Value) -> Result<Self, Error> {
        match v {
            Value::U8(x) => Ok(x),
            other => mismatch(&Type::U8, &other),
        }
    }
    fn list_from_value(v: Value) -> Result<Vec<u8>, Error> {
        match v {
            Value::Bytes(b) => Ok(b),
            Value::List(vs) => vs.into_iter().map(u8::from_value).collect(),
            other => mismatch(&Type::list(Type::U8), &other),
        }
    }
    const SCALAR: bool = true;
    #[inline]
    fn from_bits(bits: u64) -> Option<u8> {
        Some(bits as u8)
    }
    const PLAIN: Option<Plain> = Plain::scalar(1);
    #[inline]
    fn load_le(bytes: &[u8]) -> Option<u8> {
        bytes.first().copied()
    }
}

impl Lower for str {
    fn ty() -> Type {
        Type::String
    }
    fn to_value(&self) -> Value {
        Value::String(self.to_owned())
    }
    fn to_arg(&self) -> TypedArg<'_> {
        TypedArg::Str(self)
    }
    fn as_str(&self) -> Option<&str> {
        Some(self)
    }
}

impl Lower for String {
    fn ty() -> Type {
        str::ty()
    }
    fn to_value(&self) -> Value {
        self.as_str().to_value()
    }
    fn to_arg(&self) -> TypedArg<'_> {
        self.as_str().to_arg()
    }
    fn as_str(&self) -> Option<&str> {
        Some(self)
    }
}

impl Lift for String {
    fn ty() -> Type {
        Type::String
    }
    fn from_value(v: Value) -> Result<Self, Error> {
        match v {
            Value::String(s) => Ok(s),
            other => mismatch(&Type::String, &other),
        }
    }
    fn from_string(s: &mut Option<String>) -> Option<Self> {
        s.take()
    }
}

impl<T: Lower + ?Sized> Lower for &T {
    fn ty() -> Type {
        T::ty()
    }
    fn to_value(&self) -> Value {
        (**self).to_value()
    }
    fn to_arg(&self) -> TypedArg<'_> {
        T::ref_to_arg(self)
    }
    const SCALAR: bool = T::SCALAR;
    const PLAIN: Option<Plain> = T::PLAIN;
    #[inline]
    fn store_le(&self, out: &mut [u8]) {
        (**self).store_le(out)
    }
    #[inline]
    fn to_bits(&self) -> u64 {
        (**self).to_bits()
    }
    fn as_str(&self) -> Option<&str> {
        (**self).as_str()
    }
}

impl Lower for Option<ExternRef> {
    fn ty() -> Type {
        Type::Externref
    }
    fn to_value(&self) -> Value {
        Value::Externref(self.clone())
    }
}

impl Lift for Option<ExternRef> {
    fn ty() -> Type {
        Type::Externref
    }
    fn from_value(v: Value) -> Result<Self, Error> {
        match v {
            Value::Externref(r) => Ok(r),
            other => mismatch(&Type::Externref, &other),
        }
    }
}

impl<T: Lower> Lower for [T] {
    fn ty() -> Type {
        Type::list(T::ty())
    }
    fn to_value(&self) -> Value {
        T::list_to_value(self)
    }
    fn to_arg(&self) -> TypedArg<'_> {
        T::list_to_arg(self)
    }
    fn ref_to_arg<'a>(this: &'a &[T]) -> TypedArg<'a> {
        if plain_items::<T>() {
            TypedArg::PlainList(this)
        } else {
            T::list_to_arg(this)
        }
    }
}

impl<T: Lower> Lower for Vec<T> {
    fn ty() -> Type {
        Type::list(T::ty())
    }
    fn to_value(&self) -> Value {
        T::list_to_value(self)
    }
    fn to_arg(&self) -> TypedArg<'_> {
        if plain_items::<T>() {
            TypedArg::PlainList(self)
        } else {
            T::list_to_arg(self)
        }
    }
}

impl<T: Lift> Lift for Vec<T> {
    fn ty() -> Type {
        Type::list(T::ty())
    }
    fn from_value(v: Value) -> Result<Self, Error> {
        T::list_from_value(v)
    }
    const SINK: SinkForm = match T::PLAIN {
        Some(p) => SinkForm::List(p),
        None => SinkForm::None,
    };
    /// The elements straight from guest memory into the `Vec`: one pass.
    #[inline]
    fn from_sink(bytes: &[u8]) -> Option<Self> {
        T::list_from_plain(bytes)
    }
}

impl<T: Lower> Lower for Option<T> {
    fn ty() -> Type {
        Type::option(T::ty())
    }
    fn to_value(&self) -> Value {
        Value::Option(self.as_ref().map(|v| Box::new(v.to_value())))
    }
}

impl<T: Lift> Lift for Option<T> {
    fn ty() -> Type {
        Type::option(T::ty())
    }
    fn from_value(v: Value) -> Result<Self, Error> {
        match v {
            Value::Option(None) => Ok(None),
            Value::Option(Some(v)) => Ok(Some(T::from_value(*v)?)),
            other => mismatch(&Self::ty(), &other),
        }
    }
}

impl Lower for () {
    fn ty() -> Type {
        Type::Tuple(Vec::new())
    }
    fn to_value(&self) -> Value {
        Value::Tuple(Vec::new())
    }
    const IS_UNIT: bool = true;
}

impl Lift for () {
    fn ty() -> Type {
        Type::Tuple(Vec::new())
    }
    fn from_value(v: Value) -> Result<Self, Error> {
        match v {
            Value::Tuple(vs) if vs.is_empty() => Ok(()),
            other => mismatch(&Type::Tuple(Vec::new()), &other),
        }
    }
    const IS_UNIT: bool = true;
}

fn payload_ty<T>(is_unit: bool, ty: impl FnOnce() -> Type) -> Option<Type> {
    let _ = PhantomData::<T>;
    if is_unit {
        None
    } else {
        Some(ty())
    }
}

impl<T: Lower, E: Lower> Lower for Result<T, E> {
    fn ty() -> Type {
        Type::result(
            payload_ty::<T>(T::IS_UNIT, T::ty),
            payload_ty::<E>(E::IS_UNIT, E::ty),
        )
    }
    fn to_value(&self) -> Value {
        Value::Result(match self {
            Ok(v) => Ok((!T::IS_UNIT).then(|| Box::new(v.to_value()))),
            Err(e) => Err((!E::IS_UNIT).then(|| Box::new(e.to_value()))),
        })
    }
}

impl<T: Lift, E: Lift> Lift for Result<T, E> {
    fn ty() -> Type {
        Type::result(
            payload_ty::<T>(T::IS_UNIT, T::ty),
            payload_ty::<E>(E::IS_UNIT, E::ty),
        )
    }
    fn from_value(v: Value) -> Result<Self, Error> {
        let unit = || Value::Tuple(Vec::new());
        match v {
            Value::Result(Ok(p)) => Ok(Ok(T::from_value(p.map_or_else(unit, |b| *b))?)),
            Value::Result(Err(p)) => Ok(Err(E::from_value(p.map_or_else(unit, |b| *b))?)),
            other => mismatch(&Self::ty(), &other),
        }
    }
}

/// A list of values lowered into wasm: the parameters of a typed call, the
/// results of a typed host function. Implemented for tuples.
pub trait LowerList {
    fn types() -> Vec<Type>;
    #[doc(hidden)]
    fn with_args<R>(&self, f: impl FnOnce(&[TypedArg<'_>]) -> R) -> R;
    #[doc(hidden)]
    fn push_values(&self, out: &mut Vec<Value>);
    /// Whether every element is a [`Lower::SCALAR`].
    #[doc(hidden)]
    const SCALARS: bool = false;
    /// The elements' bits, in order (only when [`LowerList::SCALARS`]).
    #[doc(hidden)]
    fn to_bits(&self, out: &mut [u64; SCALAR_IO]) {
        let _ = out;
    }
    /// The one string of a one-string list (string-call plans).
    #[doc(hidden)]
    fn single_str(&self) -> Option<&str> {
        None
    }
    /// The number of elements.
    #[doc(hidden)]
    const LEN: usize = 0;
    /// The first four elements' bits (direct calls; only when
    /// [`LowerList::SCALARS`]).
    #[doc(hidden)]
    fn to_bits4(&self) -> [u64; 4] {
        [0; 4]
    }
}

/// A list of values lifted out of wasm: the results of a typed call, the
/// parameters of a typed host function. Implemented for tuples.
pub trait LiftList: Sized {
    fn types() -> Vec<Type>;
    #[doc(hidden)]
    fn from_values(vs: &mut dyn Iterator<Item = Value>) -> Result<Self, Error>;
    /// [`LiftList::from_values`] taking (and emptying) a vector: tuples
    /// read it without a `dyn` iterator.
    #[doc(hidden)]
    fn from_vec(vs: &mut Vec<Value>) -> Result<Self, Error> {
        Self::from_values(&mut vs.drain(..))
    }
    /// Whether every element is a [`Lift::SCALAR`].
    #[doc(hidden)]
    const SCALARS: bool = false;
    /// The elements from their bits, in order (only when [`LiftList::SCALARS`]).
    #[doc(hidden)]
    fn from_bits(bits: &[u64; SCALAR_IO]) -> Option<Self> {
        let _ = bits;
        None
    }
    /// A one-string list made of `s` (string-call plans).
    #[doc(hidden)]
    fn from_string(s: String) -> Option<Self> {
        let _ = s;
        None
    }
    /// The number of elements.
    #[doc(hidden)]
    const LEN: usize = 0;
    /// A list of at most two scalars from their bits (direct calls).
    #[doc(hidden)]
    fn from_bits2(bits: [u64; 2]) -> Option<Self> {
        let _ = bits;
        None
    }
    /// The [`Lift::SINK`] of a one-element list (result sinks, `exec/plain.rs`).
    #[doc(hidden)]
    const SINK: SinkForm = SinkForm::None;
    /// The one element from the bytes of [`LiftList::SINK`].
    #[doc(hidden)]
    fn from_sink(bytes: &[u8]) -> Option<Self> {
        let _ = bytes;
        None
    }
}

macro_rules! tuples {
    ($(($($t:ident $i:tt),*);)*) => {$(
        impl<$($t: Lower),*> LowerList for ($($t,)*) {
            fn types() -> Vec<Type> { vec![$($t::ty()),*] }
            fn with_args<R>(&self, f: impl FnOnce(&[TypedArg<'_>]) -> R) -> R {
                f(&[$(self.$i.to_arg()),*])
            }
            fn push_values(&self, _out: &mut Vec<Value>) {
                $(_out.push(self.$i.to_value());)*
            }
            const SCALARS: bool = true $(&& $t::SCALAR)*;
            #[inline]
            fn to_bits(&self, _out: &mut [u64; SCALAR_IO]) {
                $(_out[$i] = self.$i.to_bits();)*
            }
            #[inline]
            fn single_str(&self) -> Option<&str> {
                if [$($i),*].len() == 1 { self.0.as_str() } else { None }
            }
            const LEN: usize = [$($i),*].len();
            #[inline]
            fn to_bits4(&self) -> [u64; 4] {
                let mut _out = [0; 4];
                // Only the first four (`% 4` keeps the others' indices in
                // range; callers check `LEN`).
                $(if $i < 4 { _out[$i % 4] = self.$i.to_bits(); })*
                _out
            }
        }
        impl<$($t: Lift),*> LiftList for ($($t,)*) {
            fn types() -> Vec<Type> { vec![$($t::ty()),*] }
            fn from_values(_vs: &mut dyn Iterator<Item = Value>) -> Result<Self, Error> {
                Ok(($(
                    $t::from_value(_vs.next().ok_or_else(|| Error::host_type("too few values"))?)?,
                )*))
            }
            #[inline]
            fn from_vec(_vs: &mut Vec<Value>) -> Result<Self, Error> {
                let mut _it = _vs.drain(..);
                Ok(($(
                    $t::from_value(_it.next().ok_or_else(|| Error::host_type("too few values"))?)?,
                )*))
            }
            const SCALARS: bool = true $(&& $t::SCALAR)*;
            #[inline]
            fn from_bits(_bits: &[u64; SCALAR_IO]) -> Option<Self> {
                Some(($($t::from_bits(_bits[$i])?,)*))
            }
            #[inline]
            fn from_string(s: String) -> Option<Self> {
                let mut _s = Some(s);
                Some(($($t::from_string(&mut _s)?,)*))
            }
            const LEN: usize = [$($i),*].len();
            #[inline]
            fn from_bits2(_bits: [u64; 2]) -> Option<Self> {
                if <Self as LiftList>::LEN > 2 {
                    return None;
                }
                Some(($($t::from_bits(_bits[$i % 2])?,)*))
            }
            const SINK: SinkForm = sink_of_one(&[$($t::SINK),*]);
            #[inline]
            fn from_sink(_bytes: &[u8]) -> Option<Self> {
                if [$($i),*].len() != 1 {
                    return None;
                }
                Some(($($t::from_sink(_bytes)?,)*))
            }
        }
        impl<$($t: Lower),*> LowerFields for ($($t,)*) {
            const FIELDS: &'static [Option<Plain>] = &[$($t::PLAIN),*];
        }
        impl<$($t: Lift),*> LiftFields for ($($t,)*) {
            const FIELDS: &'static [Option<Plain>] = &[$($t::PLAIN),*];
        }
        impl<$($t: Lower),*> Lower for ($($t,)*) where ($($t,)*): NonEmpty {
            fn ty() -> Type { Type::Tuple(vec![$($t::ty()),*]) }
            fn to_value(&self) -> Value { Value::Tuple(vec![$(self.$i.to_value()),*]) }
            fn to_arg(&self) -> TypedArg<'_> { plain_arg(self) }
            const PLAIN: Option<Plain> = Plain::record(<Self as LowerFields>::FIELDS);
            #[inline]
            fn store_le(&self, _out: &mut [u8]) {
                $(
                    let off = const { Plain::offset(<Self as LowerFields>::FIELDS, $i) };
                    if let Some(o) = _out.get_mut(off..) { self.$i.store_le(o); }
                )*
            }
        }
        impl<$($t: Lift),*> Lift for ($($t,)*) where ($($t,)*): NonEmpty {
            fn ty() -> Type { Type::Tuple(vec![$($t::ty()),*]) }
            const PLAIN: Option<Plain> = Plain::record(<Self as LiftFields>::FIELDS);
            #[inline]
            fn load_le(_bytes: &[u8]) -> Option<Self> {
                <Self as Lift>::PLAIN?;
                Some(($(
                    $t::load_le(_bytes.get(const { Plain::offset(<Self as LiftFields>::FIELDS, $i) }..)?)?,
                )*))
            }
            fn from_value(v: Value) -> Result<Self, Error> {
                match v {
                    Value::Tuple(vs) if vs.len() == [$(stringify!($t)),*].len() => {
                        let mut it = vs.into_iter();
                        <Self as LiftList>::from_values(&mut it)
                    }
                    other => mismatch(&Self::ty(), &other),
                }
            }
        }
    )*};
}

/// The plain layouts of a tuple's elements (its fields' offsets).
trait LowerFields {
    const FIELDS: &'static [Option<Plain>];
}

/// [`LowerFields`] of [`Lift`] elements.
trait LiftFields {
    const FIELDS: &'static [Option<Plain>];
}

/// The sink form of a list of one result.
const fn sink_of_one(forms: &[SinkForm]) -> SinkForm {
    match forms {
        [one] => *one,
        _ => SinkForm::None,
    }
}

/// Tuples with at least one element (the empty tuple is `()`, handled apart).
#[doc(hidden)]
pub trait NonEmpty {}

macro_rules! non_empty {
    ($(($($t:ident),*);)*) => {$( impl<$($t),*> NonEmpty for ($($t,)*) {} )*};
}

non_empty! {
    (A); (A, B); (A, B, C); (A, B, C, D); (A, B, C, D, E); (A, B, C, D, E, F);
    (A, B, C, D, E, F, G); (A, B, C, D, E, F, G, H); (A, B, C, D, E, F, G, H, I);
    (A, B, C, D, E, F, G, H, I, J); (A, B, C, D, E, F, G, H, I, J, K);
    (A, B, C, D, E, F, G, H, I, J, K, L); (A, B, C, D, E, F, G, H, I, J, K, L, M);
    (A, B, C, D, E, F, G, H, I, J, K, L, M, N); (A, B, C, D, E, F, G, H, I, J, K, L, M, N, O);
    (A, B, C, D, E, F, G, H, I, J, K, L, M, N, O, P);
}

impl LowerList for () {
    fn types() -> Vec<Type> {
        Vec::new()
    }
    fn with_args<R>(&self, f: impl FnOnce(&[TypedArg<'_>]) -> R) -> R {
        f(&[])
    }
    fn push_values(&self, _out: &mut Vec<Value>) {}
    const SCALARS: bool = true;
}

impl LiftList for () {
    fn types() -> Vec<Type> {
        Vec::new()
    }
    fn from_values(_vs: &mut dyn Iterator<Item = Value>) -> Result<Self, Error> {
        Ok(())
    }
    const SCALARS: bool = true;
    fn from_bits(_bits: &[u64; SCALAR_IO]) -> Option<Self> {
        Some(())
    }
    fn from_bits2(_bits: [u64; 2]) -> Option<Self> {
        Some(())
    }
}

tuples! {
    (A 0);
    (A 0, B 1);
    (A 0, B 1, C 2);
    (A 0, B 1, C 2, D 3);
    (A 0, B 1, C 2, D 3, E 4);
    (A 0, B 1, C 2, D 3, E 4, F 5);
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6);
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7);
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8);
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9);
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10);
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10, L 11);
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10, L 11, M 12);
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10, L 11, M 12, N 13);
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10, L 11, M 12, N 13, O 14);
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10, L 11, M 12, N 13, O 14, P 15);
}

/// An interface function with a Rust signature, checked once.
///
/// Covariant in `P` and `R`: a `TypedFunc<(&'static str,), R>` (stored in a
/// struct, say) takes strings of any shorter lifetime, such as a `format!`
/// result inside a loop.
pub struct TypedFunc<P, R> {
    func: Func,
    /// Parameters and results are all scalars and the adapter has a scalar
    /// plan: calls pass raw bits, no `Value` (`plan/scalar.rs`).
    scalar: bool,
    /// One string in, one string out, and the adapter has a string-call
    /// plan: calls pass the `&str` and get the `String` (`plan/mod.rs`).
    string: bool,
    /// `scalar`, and the plan is one direct core call (`plan/scalar.rs`,
    /// `DirectCall`) with at most four parameters and two results.
    direct: bool,
    _marker: PhantomData<fn() -> (P, R)>,
}

impl<P, R> Clone for TypedFunc<P, R> {
    fn clone(&self) -> Self {
        TypedFunc {
            func: self.func.clone(),
            scalar: self.scalar,
            string: self.string,
            direct: self.direct,
            _marker: PhantomData,
        }
    }
}

impl<P: LowerList, R: LiftList> TypedFunc<P, R> {
    /// Calls the function. No per-call type check: the signature was
    /// checked when the `TypedFunc` was made.
    #[inline]
    pub fn call<T: 'static>(&self, instance: &mut Instance<T>, params: P) -> Result<R, Error> {
        self.call_in(instance, params)
    }

    /// [`TypedFunc::call`] in any [`CallContext`]: an [`Instance`], or the
    /// [`Caller`](crate::Caller) of a host function calling back into the guest.
    #[inline]
    pub fn call_in(&self, instance: &mut impl CallContext, params: P) -> Result<R, Error> {
        if instance.module_id() != self.func.module_id() {
            return Err(Error::usage(format!(
                "function `{}` belongs to another module",
                self.func.name()
            )));
        }
        // `SCALARS` and `LEN` are constants: each monomorphised call keeps
        // only the branch its types can take.
        if P::SCALARS && R::SCALARS {
            if self.direct {
                let a = params.to_bits4().map(|b| b as i32);
                if let Some(r) = instance.invoke_direct(&self.func, a, R::LEN) {
                    return R::from_bits2(r?)
                        .ok_or_else(|| Error::internal("a scalar result out of its type's range"));
                }
                return self.call_general(instance, &params);
            }
            if self.scalar {
                let mut regs = [0u64; SCALAR_IO];
                params.to_bits(&mut regs);
                if let Some(r) = instance.invoke_scalar(&self.func, &mut regs) {
                    r?;
                    return R::from_bits(&regs)
                        .ok_or_else(|| Error::internal("a scalar result out of its type's range"));
                }
                return self.call_general(instance, &params);
            }
        } else if P::LEN == 1 && R::LEN == 1 && self.string {
            if let Some(s) = params.single_str() {
                if let Some(r) = instance.invoke_string(&self.func, s) {
                    return R::from_string(r?)
                        .ok_or_else(|| Error::internal("a string call's result is no string"));
                }
            }
        }
        self.call_general(instance, &params)
    }

    /// The call through `Value` results (any types, any context). A
    /// result with a plain memory form ([`LiftList::SINK`]) is offered a
    /// sink: the adapter's last `value.load`/`value.lift` then decodes it
    /// straight from guest memory (`exec/plain.rs`, *result sinks*). Out of line:
    /// the specialised paths above stay small enough to inline.
    #[inline(never)]
    fn call_general(&self, instance: &mut impl CallContext, params: &P) -> Result<R, Error> {
        let mut out = instance.take_results();
        let r = if matches!(R::SINK, SinkForm::None) {
            params
                .with_args(|args| instance.invoke(&self.func, args, args.len(), &mut out))
                .and_then(|()| R::from_vec(&mut out))
        } else {
            let sink = TypedSink::<R>(Cell::new(None));
            params
                .with_args(|args| {
                    let args = SinkArgs { args, sink: &sink };
                    instance.invoke(&self.func, &args, args.args.len(), &mut out)
                })
                .and_then(|()| match sink.0.take() {
                    Some(r) => Ok(r),
                    None => R::from_vec(&mut out),
                })
        };
        instance.put_results(out);
        r
    }

    pub fn func(&self) -> &Func {
        &self.func
    }
}

/// The result of a typed call, when the adapter hands it over as bytes.
struct TypedSink<R>(Cell<Option<R>>);

impl<R: LiftList> ResultSink for TypedSink<R> {
    fn form(&self) -> SinkForm {
        R::SINK
    }
    fn put(&self, bytes: &[u8]) -> bool {
        let r = R::from_sink(bytes);
        let ok = r.is_some();
        self.0.set(r);
        ok
    }
}

fn check_sig(
    what: &str,
    want: &FuncType,
    params: Vec<Type>,
    results: Vec<Type>,
) -> Result<(), Error> {
    let have = FuncType { params, results };
    if have != *want {
        return Err(Error::host_type(format!(
            "{what} does not have the Rust signature's type: {} (its type is {want})",
            crate::types::func_type_diff(want, &have)
        )));
    }
    Ok(())
}

impl<T: 'static> Instance<T> {
    /// The interface function `name` with Rust types `P` (a tuple of
    /// parameters) and `R` (a tuple of results), checked against its type.
    pub fn typed_func<P: LowerList, R: LiftList>(
        &self,
        name: &str,
    ) -> Result<TypedFunc<P, R>, Error> {
        let func = self
            .func(name)
            .ok_or_else(|| Error::usage(format!("the module has no function `{name}`")))?;
        func.typed()
    }
}

impl Func {
    /// This function with Rust types, checked against its type.
    pub fn typed<P: LowerList, R: LiftList>(&self) -> Result<TypedFunc<P, R>, Error> {
        check_sig(
            &format!("`{}`", self.name()),
            self.ty(),
            P::types(),
            R::types(),
        )?;
        let _ = self.kind();
        let scalar = P::SCALARS && R::SCALARS && self.is_scalar();
        let direct = scalar
            && P::LEN <= 4
            && self
                .direct()
                .is_some_and(|d| usize::from(d.nresults) == R::LEN && R::LEN <= 2);
        Ok(TypedFunc {
            func: self.clone(),
            scalar,
            string: self.is_string_call(),
            direct,
            _marker: PhantomData,
        })
    }
}
