//! Self-contained interface types: what a function's parameters and results
//! are, independent of any one module's type index space.
//!
//! A booklet names aggregates by index into its own type table; host
//! functions, typed calls and WAVE values need the whole tree. [`Type`] is
//! that tree, resolved once when a module is loaded.

use crate::error::Error;
use intertype::{Booklet, TypeDef, ValType};
use std::fmt;

/// An interface type, resolved.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Type {
    Bool,
    S8,
    U8,
    S16,
    U16,
    S32,
    U32,
    S64,
    U64,
    F32,
    F64,
    Char,
    String,
    /// Core `i32` (the reference's interface `i32`).
    I32,
    /// Core `i64`.
    I64,
    Externref,
    List(Box<Type>),
    Record(Vec<Field>),
    Tuple(Vec<Type>),
    Variant(Vec<Case>),
    Enum(Vec<String>),
    Option(Box<Type>),
    Result {
        ok: Option<Box<Type>>,
        err: Option<Box<Type>>,
    },
    Flags(Vec<String>),
}

/// A record field.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Field {
    pub name: String,
    pub ty: Type,
}

/// A variant case.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Case {
    pub name: String,
    pub ty: Option<Type>,
}

/// The signature of an interface function.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct FuncType {
    pub params: Vec<Type>,
    pub results: Vec<Type>,
}

impl FuncType {
    pub fn new(
        params: impl IntoIterator<Item = Type>,
        results: impl IntoIterator<Item = Type>,
    ) -> Self {
        FuncType {
            params: params.into_iter().collect(),
            results: results.into_iter().collect(),
        }
    }
}

impl Type {
    pub fn list(elem: Type) -> Type {
        Type::List(Box::new(elem))
    }

    pub fn option(t: Type) -> Type {
        Type::Option(Box::new(t))
    }

    pub fn result(ok: Option<Type>, err: Option<Type>) -> Type {
        Type::Result {
            ok: ok.map(Box::new),
            err: err.map(Box::new),
        }
    }

    pub fn record<'a>(fields: impl IntoIterator<Item = (&'a str, Type)>) -> Type {
        Type::Record(
            fields
                .into_iter()
                .map(|(name, ty)| Field {
                    name: name.to_string(),
                    ty,
                })
                .collect(),
        )
    }

    /// The cases of a variant-like type (variant, enum, option, result) as
    /// `(name, payload)`; `None` for other types.
    pub fn cases(&self) -> Option<Vec<(&str, Option<&Type>)>> {
        Some(match self {
            Type::Variant(cases) => cases
                .iter()
                .map(|c| (c.name.as_str(), c.ty.as_ref()))
                .collect(),
            Type::Enum(names) => names.iter().map(|n| (n.as_str(), None)).collect(),
            Type::Option(t) => vec![("none", None), ("some", Some(&**t))],
            Type::Result { ok, err } => vec![("ok", ok.as_deref()), ("error", err.as_deref())],
            _ => return None,
        })
    }

    /// Whether the type contains `externref` anywhere.
    pub(crate) fn has_externref(&self) -> bool {
        match self {
            Type::Externref => true,
            Type::List(t) | Type::Option(t) => t.has_externref(),
            Type::Record(fs) => fs.iter().any(|f| f.ty.has_externref()),
            Type::Tuple(ts) => ts.iter().any(Type::has_externref),
            Type::Variant(cs) => cs
                .iter()
                .any(|c| c.ty.as_ref().is_some_and(Type::has_externref)),
            Type::Result { ok, err } => {
                ok.as_ref().is_some_and(|t| t.has_externref())
                    || err.as_ref().is_some_and(|t| t.has_externref())
            }
            _ => false,
        }
    }

    /// Resolves a booklet value type. Definitions may only refer to smaller
    /// indices (so resolution ends); the expanded tree is capped so a module
    /// cannot make the engine build an exponentially large type.
    pub(crate) fn from_booklet(booklet: &Booklet, ty: ValType) -> Result<Type, Error> {
        let mut budget = MAX_TYPE_NODES;
        resolve(booklet, ty, booklet.types.len(), &mut budget)
    }
}

/// Where two function types differ, as `param 0 .score: expected f64, found
/// f32` (the first difference; the path walks fields, cases, elements).
pub(crate) fn func_type_diff(want: &FuncType, have: &FuncType) -> String {
    for (what, w, h) in [
        ("param", &want.params, &have.params),
        ("result", &want.results, &have.results),
    ] {
        if w.len() != h.len() {
            return format!("expected {} {what}s, found {}", w.len(), h.len());
        }
        for (i, (w, h)) in w.iter().zip(h).enumerate() {
            if let Some(d) = type_diff(w, h) {
                return format!("{what} {i}{d}");
            }
        }
    }
    "the types are equal".to_string()
}

/// The first difference between two types: `` .score: expected `f64`, found
/// `f32` `` (`None` when equal).
pub(crate) fn type_diff(want: &Type, have: &Type) -> Option<String> {
    if want == have {
        return None;
    }
    let here = || Some(format!(": expected `{want}`, found `{have}`"));
    match (want, have) {
        (Type::List(w), Type::List(h)) | (Type::Option(w), Type::Option(h)) => {
            type_diff(w, h).map(|d| format!("[]{d}"))
        }
        (Type::Record(w), Type::Record(h)) if w.len() == h.len() => {
            for (w, h) in w.iter().zip(h) {
                if w.name != h.name {
                    return Some(format!(
                        ": expected field `{}`, found field `{}`",
                        w.name, h.name
                    ));
                }
                if let Some(d) = type_diff(&w.ty, &h.ty) {
                    return Some(format!(" .{}{d}", w.name));
                }
            }
            here()
        }
        (Type::Tuple(w), Type::Tuple(h)) if w.len() == h.len() => {
            for (i, (w, h)) in w.iter().zip(h).enumerate() {
                if let Some(d) = type_diff(w, h) {
                    return Some(format!(" .{i}{d}"));
                }
            }
            here()
        }
        (Type::Variant(w), Type::Variant(h)) if w.len() == h.len() => {
            for (w, h) in w.iter().zip(h) {
                if w.name != h.name {
                    return Some(format!(
                        ": expected case `{}`, found case `{}`",
                        w.name, h.name
                    ));
                }
                match (&w.ty, &h.ty) {
                    (Some(wt), Some(ht)) => {
                        if let Some(d) = type_diff(wt, ht) {
                            return Some(format!(" .{}{d}", w.name));
                        }
                    }
                    (None, None) => {}
                    _ => return Some(format!(" .{}: payloads differ", w.name)),
                }
            }
            here()
        }
        (Type::Result { ok: wo, err: we }, Type::Result { ok: ho, err: he }) => {
            for (case, w, h) in [("ok", wo, ho), ("error", we, he)] {
                match (w, h) {
                    (Some(w), Some(h)) => {
                        if let Some(d) = type_diff(w, h) {
                            return Some(format!(" .{case}{d}"));
                        }
                    }
                    (None, None) => {}
                    _ => return here(),
                }
            }
            here()
        }
        _ => here(),
    }
}

/// Upper bound on the nodes of one resolved type.
const MAX_TYPE_NODES: usize = 10_000;

fn resolve(
    booklet: &Booklet,
    ty: ValType,
    below: usize,
    budget: &mut usize,
) -> Result<Type, Error> {
    if *budget == 0 {
        return Err(Error::load(format!(
            "type is too large (more than {MAX_TYPE_NODES} nodes when expanded)"
        )));
    }
    *budget -= 1;
    let idx = match ty {
        ValType::S8 => return Ok(Type::S8),
        ValType::S16 => return Ok(Type::S16),
        ValType::S32 => return Ok(Type::S32),
        ValType::S64 => return Ok(Type::S64),
        ValType::U8 => return Ok(Type::U8),
        ValType::U16 => return Ok(Type::U16),
        ValType::U32 => return Ok(Type::U32),
        ValType::U64 => return Ok(Type::U64),
        ValType::F32 => return Ok(Type::F32),
        ValType::F64 => return Ok(Type::F64),
        ValType::String => return Ok(Type::String),
        ValType::Externref => return Ok(Type::Externref),
        ValType::I32 => return Ok(Type::I32),
        ValType::I64 => return Ok(Type::I64),
        ValType::Bool => return Ok(Type::Bool),
        ValType::Char => return Ok(Type::Char),
        ValType::Type(i) => i as usize,
    };
    if idx >= below {
        return Err(Error::load(format!(
            "type {idx} is out of bounds or refers forward (types may refer only to smaller indices)"
        )));
    }
    let mut r = |t: ValType| resolve(booklet, t, idx, budget);
    Ok(match &booklet.types[idx] {
        TypeDef::Func(_) => {
            return Err(Error::load(format!(
                "type {idx} is a function type, not a value type"
            )))
        }
        TypeDef::Record(fields) => Type::Record(
            fields
                .iter()
                .map(|f| {
                    Ok(Field {
                        name: f.name.clone(),
                        ty: r(f.ty)?,
                    })
                })
                .collect::<Result<_, Error>>()?,
        ),
        TypeDef::Variant(cases) => Type::Variant(
            cases
                .iter()
                .map(|c| {
                    Ok(Case {
                        name: c.name.clone(),
                        ty: c.ty.map(&mut r).transpose()?,
                    })
                })
                .collect::<Result<_, Error>>()?,
        ),
        TypeDef::Enum(names) => Type::Enum(names.clone()),
        TypeDef::Flags(names) => Type::Flags(names.clone()),
        TypeDef::List(t) => Type::List(Box::new(r(*t)?)),
        TypeDef::Option(t) => Type::Option(Box::new(r(*t)?)),
        TypeDef::Result { ok, err } => Type::Result {
            ok: ok.map(&mut r).transpose()?.map(Box::new),
            err: err.map(&mut r).transpose()?.map(Box::new),
        },
        TypeDef::Tuple(ts) => Type::Tuple(ts.iter().map(|t| r(*t)).collect::<Result<_, Error>>()?),
    })
}

impl fmt::Display for Type {
    /// WIT-like spelling: `list<u8>`, `record { a: u32 }`, `result<string, u32>`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let simple = match self {
            Type::Bool => "bool",
            Type::S8 => "s8",
            Type::U8 => "u8",
            Type::S16 => "s16",
            Type::U16 => "u16",
            Type::S32 => "s32",
            Type::U32 => "u32",
            Type::S64 => "s64",
            Type::U64 => "u64",
            Type::F32 => "f32",
            Type::F64 => "f64",
            Type::Char => "char",
            Type::String => "string",
            Type::I32 => "i32",
            Type::I64 => "i64",
            Type::Externref => "externref",
            _ => "",
        };
        if !simple.is_empty() {
            return f.write_str(simple);
        }
        let join = |f: &mut fmt::Formatter<'_>, items: &mut dyn Iterator<Item = String>| {
            let v: Vec<String> = items.collect();
            f.write_str(&v.join(", "))
        };
        match self {
            Type::List(t) => write!(f, "list<{t}>"),
            Type::Option(t) => write!(f, "option<{t}>"),
            Type::Result { ok, err } => match (ok, err) {
                (None, None) => f.write_str("result"),
                (Some(o), None) => write!(f, "result<{o}>"),
                (None, Some(e)) => write!(f, "result<_, {e}>"),
                (Some(o), Some(e)) => write!(f, "result<{o}, {e}>"),
            },
            Type::Tuple(ts) => {
                f.write_str("tuple<")?;
                join(f, &mut ts.iter().map(|t| t.to_string()))?;
                f.write_str(">")
            }
            Type::Record(fs) => {
                f.write_str("record { ")?;
                join(f, &mut fs.iter().map(|x| format!("{}: {}", x.name, x.ty)))?;
                f.write_str(" }")
            }
            Type::Variant(cs) => {
                f.write_str("variant { ")?;
                join(
                    f,
                    &mut cs.iter().map(|c| match &c.ty {
                        Some(t) => format!("{}({t})", c.name),
                        None => c.name.clone(),
                    }),
                )?;
                f.write_str(" }")
            }
            Type::Enum(ns) => write!(f, "enum {{ {} }}", ns.join(", ")),
            Type::Flags(ns) => write!(f, "flags {{ {} }}", ns.join(", ")),
            _ => Ok(()),
        }
    }
}

impl fmt::Display for FuncType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ps: Vec<String> = self.params.iter().map(|t| t.to_string()).collect();
        write!(f, "func({})", ps.join(", "))?;
        match self.results.as_slice() {
            [] => Ok(()),
            [one] => write!(f, " -> {one}"),
            many => {
                let rs: Vec<String> = many.iter().map(|t| t.to_string()).collect();
                write!(f, " -> ({})", rs.join(", "))
            }
        }
    }
}
