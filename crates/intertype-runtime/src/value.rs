//! Dynamic interface values.

use crate::error::Error;
use crate::types::{Case, Type};
use std::any::Any;
use std::fmt;
use std::sync::Arc;

/// One interface value of any type.
///
/// Aggregates are positional: a record holds its fields in declaration order,
/// a variant the index of its case. The [`Type`] that goes with a value (from
/// [`crate::Func::ty`]) supplies the names.
///
/// A `list<u8>` always lifts to [`Value::Bytes`] (one copy out of linear
/// memory, one into it when lowered). A [`Value::List`] of [`Value::U8`]s is
/// accepted wherever a `list<u8>` is expected and compares equal to the
/// `Bytes` with the same contents.
#[derive(Clone, Debug)]
pub enum Value {
    Bool(bool),
    S8(i8),
    U8(u8),
    S16(i16),
    U16(u16),
    S32(i32),
    U32(u32),
    S64(i64),
    U64(u64),
    F32(f32),
    F64(f64),
    Char(char),
    String(String),
    /// Core `i32`.
    I32(i32),
    /// Core `i64`.
    I64(i64),
    /// A host reference, passed through wasm untouched (`None` is null).
    Externref(Option<ExternRef>),
    List(Vec<Value>),
    /// A `list<u8>`, contiguous.
    Bytes(Vec<u8>),
    Record(Vec<Value>),
    Tuple(Vec<Value>),
    /// Case index and payload.
    Variant(u32, Option<Box<Value>>),
    /// Case index.
    Enum(u32),
    Option(Option<Box<Value>>),
    Result(Result<Option<Box<Value>>, Option<Box<Value>>>),
    /// The set bits, 32 flags per word (flag `i` is bit `i % 32` of word `i / 32`);
    /// exactly ⌈n/32⌉ words.
    Flags(Vec<u32>),
}

impl PartialEq for Value {
    fn eq(&self, other: &Value) -> bool {
        use Value as V;
        match (self, other) {
            (V::Bool(a), V::Bool(b)) => a == b,
            (V::S8(a), V::S8(b)) => a == b,
            (V::U8(a), V::U8(b)) => a == b,
            (V::S16(a), V::S16(b)) => a == b,
            (V::U16(a), V::U16(b)) => a == b,
            (V::S32(a), V::S32(b)) | (V::I32(a), V::I32(b)) => a == b,
            (V::U32(a), V::U32(b)) => a == b,
            (V::S64(a), V::S64(b)) | (V::I64(a), V::I64(b)) => a == b,
            (V::U64(a), V::U64(b)) => a == b,
            (V::F32(a), V::F32(b)) => a == b,
            (V::F64(a), V::F64(b)) => a == b,
            (V::Char(a), V::Char(b)) => a == b,
            (V::String(a), V::String(b)) => a == b,
            (V::Externref(a), V::Externref(b)) => a == b,
            (V::List(a), V::List(b))
            | (V::Record(a), V::Record(b))
            | (V::Tuple(a), V::Tuple(b)) => a == b,
            (V::Bytes(a), V::Bytes(b)) => a == b,
            (V::Bytes(bytes), V::List(vs)) | (V::List(vs), V::Bytes(bytes)) => {
                bytes.len() == vs.len() && bytes.iter().zip(vs).all(|(b, v)| *v == V::U8(*b))
            }
            (V::Variant(c, p), V::Variant(d, q)) => c == d && p == q,
            (V::Enum(a), V::Enum(b)) => a == b,
            (V::Option(a), V::Option(b)) => a == b,
            (V::Result(a), V::Result(b)) => a == b,
            (V::Flags(a), V::Flags(b)) => a == b,
            _ => false,
        }
    }
}

impl Default for Value {
    fn default() -> Self {
        Value::I32(0)
    }
}

impl Value {
    /// Checks that the value has type `ty` (every nested value included).
    ///
    /// The error names the first part that differs and what was found
    /// there: `.score: expected `f64`, found f32 1.5 (in a value of type …)`.
    #[inline]
    pub fn check(&self, ty: &Type) -> Result<(), Error> {
        // Strings and scalars, the common arguments, without a call.
        let plain = match (self, ty) {
            (Value::String(_), Type::String)
            | (Value::S32(_), Type::S32)
            | (Value::U32(_), Type::U32)
            | (Value::S64(_), Type::S64)
            | (Value::U64(_), Type::U64)
            | (Value::F64(_), Type::F64)
            | (Value::Bool(_), Type::Bool) => true,
            _ => self.has_type(ty),
        };
        if plain {
            Ok(())
        } else {
            self.mismatch(ty)
        }
    }

    #[cold]
    fn mismatch(&self, ty: &Type) -> Result<(), Error> {
        let (path, v, t) = self.first_mismatch(ty, String::new());
        Err(Error::host_type(if path.is_empty() {
            format!("expected a value of type `{t}`, found {}", v.describe())
        } else {
            format!(
                "{path}: expected `{t}`, found {} (in a value of type `{ty}`)",
                v.describe()
            )
        }))
    }

    /// Where `self` stops matching `ty`: a path (`.field`, `[index]`,
    /// `.case`), the value and the type there.
    fn first_mismatch<'a>(&'a self, ty: &'a Type, path: String) -> (String, &'a Value, &'a Type) {
        let here = (path.clone(), self, ty);
        match (self, ty) {
            (Value::List(vs), Type::List(t)) => vs
                .iter()
                .enumerate()
                .find(|(_, v)| !v.has_type(t))
                .map_or(here, |(i, v)| v.first_mismatch(t, format!("{path}[{i}]"))),
            (Value::Record(vs), Type::Record(fs)) if vs.len() == fs.len() => vs
                .iter()
                .zip(fs)
                .find(|(v, f)| !v.has_type(&f.ty))
                .map_or(here, |(v, f)| {
                    v.first_mismatch(&f.ty, format!("{path}.{}", f.name))
                }),
            (Value::Tuple(vs), Type::Tuple(ts)) if vs.len() == ts.len() => vs
                .iter()
                .zip(ts)
                .enumerate()
                .find(|(_, (v, t))| !v.has_type(t))
                .map_or(here, |(i, (v, t))| {
                    v.first_mismatch(t, format!("{path}.{i}"))
                }),
            (Value::Variant(c, Some(p)), Type::Variant(cases)) => match cases.get(*c as usize) {
                Some(Case { name, ty: Some(t) }) => p.first_mismatch(t, format!("{path}.{name}")),
                _ => here,
            },
            (Value::Option(Some(p)), Type::Option(t)) => {
                p.first_mismatch(t, format!("{path}.some"))
            }
            (Value::Result(Ok(Some(p))), Type::Result { ok: Some(t), .. }) => {
                p.first_mismatch(t, format!("{path}.ok"))
            }
            (Value::Result(Err(Some(p))), Type::Result { err: Some(t), .. }) => {
                p.first_mismatch(t, format!("{path}.error"))
            }
            _ => here,
        }
    }

    /// Whether the value has type `ty`.
    pub fn has_type(&self, ty: &Type) -> bool {
        match (self, ty) {
            (Value::Bool(_), Type::Bool)
            | (Value::S8(_), Type::S8)
            | (Value::U8(_), Type::U8)
            | (Value::S16(_), Type::S16)
            | (Value::U16(_), Type::U16)
            | (Value::S32(_), Type::S32)
            | (Value::U32(_), Type::U32)
            | (Value::S64(_), Type::S64)
            | (Value::U64(_), Type::U64)
            | (Value::F32(_), Type::F32)
            | (Value::F64(_), Type::F64)
            | (Value::Char(_), Type::Char)
            | (Value::String(_), Type::String)
            | (Value::I32(_), Type::I32)
            | (Value::I64(_), Type::I64)
            | (Value::Externref(_), Type::Externref) => true,
            (Value::List(vs), Type::List(t)) => vs.iter().all(|v| v.has_type(t)),
            (Value::Bytes(_), Type::List(t)) => **t == Type::U8,
            (Value::Record(vs), Type::Record(fs)) => {
                vs.len() == fs.len() && vs.iter().zip(fs).all(|(v, f)| v.has_type(&f.ty))
            }
            (Value::Tuple(vs), Type::Tuple(ts)) => {
                vs.len() == ts.len() && vs.iter().zip(ts).all(|(v, t)| v.has_type(t))
            }
            (Value::Variant(case, payload), Type::Variant(cases)) => {
                match cases.get(*case as usize) {
                    Some(c) => payload_matches(payload.as_deref(), c.ty.as_ref()),
                    None => false,
                }
            }
            (Value::Enum(case), Type::Enum(names)) => (*case as usize) < names.len(),
            (Value::Option(v), Type::Option(t)) => v.as_ref().is_none_or(|v| v.has_type(t)),
            (Value::Result(r), Type::Result { ok, err }) => match r {
                Ok(v) => payload_matches(v.as_deref(), ok.as_deref()),
                Err(v) => payload_matches(v.as_deref(), err.as_deref()),
            },
            (Value::Flags(words), Type::Flags(names)) => {
                let n = names.len();
                words.len() == n.div_ceil(32)
                    && (n % 32 == 0 || words.last().is_none_or(|w| w >> (n % 32) == 0))
            }
            _ => false,
        }
    }

    /// A short description for error messages (`a string`, `s32 7`, …).
    pub fn describe(&self) -> String {
        match self {
            Value::String(s) if s.len() > 32 => "a string".to_string(),
            Value::String(s) => format!("string {s:?}"),
            Value::List(v) => format!("a list of {} values", v.len()),
            Value::Bytes(b) => format!("a list of {} bytes", b.len()),
            Value::Record(v) => format!("a record of {} fields", v.len()),
            Value::Tuple(v) => format!("a tuple of {}", v.len()),
            Value::Variant(c, _) => format!("variant case {c}"),
            Value::Enum(c) => format!("enum case {c}"),
            Value::Option(None) => "option none".to_string(),
            Value::Option(Some(_)) => "option some".to_string(),
            Value::Result(Ok(_)) => "result ok".to_string(),
            Value::Result(Err(_)) => "result error".to_string(),
            Value::Flags(w) => format!("flags of {} words", w.len()),
            Value::Externref(_) => "an externref".to_string(),
            scalar => {
                let s = format!("{scalar:?}");
                // `S32(7)` -> `s32 7`
                match s.split_once('(') {
                    Some((k, rest)) => {
                        format!("{} {}", k.to_lowercase(), rest.trim_end_matches(')'))
                    }
                    None => s,
                }
            }
        }
    }

    /// Flags with the given flag indices set, for a flags type of `count` flags.
    pub fn flags(count: usize, set: impl IntoIterator<Item = usize>) -> Value {
        let mut words = vec![0u32; count.div_ceil(32)];
        for i in set {
            if i < count {
                words[i / 32] |= 1 << (i % 32);
            }
        }
        Value::Flags(words)
    }
}

fn payload_matches(v: Option<&Value>, t: Option<&Type>) -> bool {
    match (v, t) {
        (None, None) => true,
        (Some(v), Some(t)) => v.has_type(t),
        _ => false,
    }
}

/// A host reference that wasm holds as an `externref` without looking inside.
///
/// Identity is preserved across the boundary: the `ExternRef` a guest hands
/// back is the same allocation the host passed in ([`ExternRef::ptr_eq`]).
#[derive(Clone)]
pub struct ExternRef(Arc<dyn Any + Send + Sync>);

impl ExternRef {
    pub fn new<T: Any + Send + Sync>(value: T) -> ExternRef {
        ExternRef(Arc::new(value))
    }

    pub fn downcast_ref<T: Any>(&self) -> Option<&T> {
        self.0.downcast_ref()
    }

    pub fn ptr_eq(&self, other: &ExternRef) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl PartialEq for ExternRef {
    fn eq(&self, other: &Self) -> bool {
        self.ptr_eq(other)
    }
}

impl fmt::Debug for ExternRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ExternRef({:p})", Arc::as_ptr(&self.0))
    }
}

macro_rules! value_from {
    ($($rust:ty => $variant:ident;)*) => {$(
        impl From<$rust> for Value {
            fn from(x: $rust) -> Value {
                Value::$variant(x)
            }
        }
    )*};
}

value_from! {
    bool => Bool;
    i8 => S8;
    u8 => U8;
    i16 => S16;
    u16 => U16;
    i32 => S32;
    u32 => U32;
    i64 => S64;
    u64 => U64;
    f32 => F32;
    f64 => F64;
    char => Char;
    String => String;
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::String(s.to_owned())
    }
}

/// `list<u8>`.
impl From<Vec<u8>> for Value {
    fn from(b: Vec<u8>) -> Value {
        Value::Bytes(b)
    }
}

/// `list<u8>`.
impl From<&[u8]> for Value {
    fn from(b: &[u8]) -> Value {
        Value::Bytes(b.to_vec())
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(o: Option<T>) -> Value {
        Value::Option(o.map(|v| Box::new(v.into())))
    }
}

impl From<ExternRef> for Value {
    fn from(r: ExternRef) -> Value {
        Value::Externref(Some(r))
    }
}
