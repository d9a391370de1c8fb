//! Argument sources: where an adapter's arguments come from (dynamic
//! [`Value`]s or borrowed Rust values of a typed call).

use crate::error::Error;
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
}

impl ArgSource for [TypedArg<'_>] {
    fn arg(&self, i: u32) -> Option<ArgRef<'_>> {
        self.get(i as usize).map(|a| match a {
            TypedArg::Str(s) => ArgRef::Str(s),
            TypedArg::Bytes(b) => ArgRef::Bytes(b),
            TypedArg::Value(v) => ArgRef::Value(v),
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
