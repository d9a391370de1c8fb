//! WAVE (the WebAssembly Value Encoding, as `wasmtime run --invoke` and
//! `intertype run` write values): interface values to and from text.
//!
//! Values are positional ([`Value`]), so reading and writing names (record
//! fields, cases, flags) takes the [`Type`]: [`Value::from_wave`],
//! [`Value::to_wave`], [`Value::wave`] (a `Display`). Core `i32`/`i64` read
//! and print as `s32`/`s64`; `externref` has no WAVE form.

use crate::error::Error;
use crate::types::{FuncType, Type};
use crate::value::Value;
use std::fmt;
use wasm_wave::value::{Type as WType, Value as WValue};
use wasm_wave::wasm::WasmValue;

type Result<T> = std::result::Result<T, Error>;

macro_rules! err {
    ($($t:tt)*) => { Error::host_type(format!($($t)*)) };
}

impl Value {
    /// Reads a WAVE value of type `ty`: `"hi"`, `[1, 2]`, `{x: 3, y: 5}`,
    /// `some(circle(2.0))`, `{read, write}`.
    pub fn from_wave(ty: &Type, text: &str) -> Result<Value> {
        let wt = wave_type(ty)?;
        let w: WValue =
            wasm_wave::from_str(&wt, text).map_err(|e| err!("invalid WAVE for `{ty}`: {e}"))?;
        from_wave(&w, ty)
    }

    /// The value in WAVE, with the names from its type `ty`.
    pub fn to_wave(&self, ty: &Type) -> Result<String> {
        let w = to_wave(self, ty)?;
        wasm_wave::to_string(&w).map_err(|e| err!("cannot write a `{ty}` in WAVE: {e}"))
    }

    /// A `Display` of the value in WAVE (`format!("{}", v.wave(&ty))`); a
    /// value that does not have type `ty` shows as `<not a TYPE: …>`.
    pub fn wave<'a>(&'a self, ty: &'a Type) -> Wave<'a> {
        Wave { value: self, ty }
    }
}

/// See [`Value::wave`].
pub struct Wave<'a> {
    value: &'a Value,
    ty: &'a Type,
}

impl fmt::Display for Wave<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.value.to_wave(self.ty) {
            Ok(s) => f.write_str(&s),
            Err(_) => write!(f, "<not a {}: {}>", self.ty, self.value.describe()),
        }
    }
}

impl<T: 'static> crate::Instance<T> {
    /// Calls an interface function written as a WAVE call,
    /// `render("# hi")` or `area(rect({x: 3, y: 5}))` (the name is taken
    /// verbatim up to the first `(`), and returns each result in WAVE: the
    /// text in, text out form of `intertype run`.
    pub fn call_wave(&mut self, call: &str) -> Result<Vec<String>> {
        let (name, args) = match call.find('(') {
            Some(i) => (call[..i].trim(), &call[i..]),
            None => (call.trim(), ""),
        };
        let func = self
            .func(name)
            .ok_or_else(|| Error::usage(format!("the module has no function `{name}`")))?;
        let values = parse_args(args, func.ty())?;
        let results = func.call(self, &values)?;
        results
            .iter()
            .zip(&func.ty().results)
            .map(|(v, t)| v.to_wave(t))
            .collect()
    }
}

/// Whether values of type `t` can be written in WAVE (`externref` cannot).
pub fn check_type(t: &Type) -> Result<()> {
    wave_type(t).map(drop)
}

/// Reads the arguments of a call, `(arg, …)` in WAVE (the parentheses
/// included; empty text is no arguments), for a function of type `ty`.
pub fn parse_args(args: &str, ty: &FuncType) -> Result<Vec<Value>> {
    let source = format!("f{}", args.trim());
    let parsed = wasm_wave::untyped::UntypedFuncCall::parse(&source)
        .map_err(|e| err!("invalid arguments `{args}`: {e}"))?;
    let wtypes = ty
        .params
        .iter()
        .map(wave_type)
        .collect::<Result<Vec<_>>>()?;
    let wvals: Vec<WValue> = parsed
        .to_wasm_params(wtypes.iter())
        .map_err(|e| err!("{e}"))?;
    wvals
        .iter()
        .zip(&ty.params)
        .map(|(w, t)| from_wave(w, t))
        .collect()
}

/// The `wasm_wave` type of an interface type (core `i32`/`i64` read and
/// print as `s32`/`s64`; `externref` has no WAVE form), for hosts that use
/// the `wasm-wave` crate (0.254) directly: the CLI locates errors in a
/// call's arguments with it.
pub fn wave_type(t: &Type) -> Result<WType> {
    let bad = || err!("type `{t}` has no WAVE form");
    Ok(match t {
        Type::Bool => WType::BOOL,
        Type::S8 => WType::S8,
        Type::U8 => WType::U8,
        Type::S16 => WType::S16,
        Type::U16 => WType::U16,
        Type::S32 | Type::I32 => WType::S32,
        Type::U32 => WType::U32,
        Type::S64 | Type::I64 => WType::S64,
        Type::U64 => WType::U64,
        Type::F32 => WType::F32,
        Type::F64 => WType::F64,
        Type::Char => WType::CHAR,
        Type::String => WType::STRING,
        Type::Externref => return Err(err!("`externref` values have no WAVE form")),
        Type::List(e) => WType::list(wave_type(e)?),
        Type::Record(fs) => WType::record(
            fs.iter()
                .map(|f| Ok((f.name.clone(), wave_type(&f.ty)?)))
                .collect::<Result<Vec<_>>>()?,
        )
        .ok_or_else(bad)?,
        Type::Tuple(ts) => {
            WType::tuple(ts.iter().map(wave_type).collect::<Result<Vec<_>>>()?).ok_or_else(bad)?
        }
        Type::Variant(cs) => WType::variant(
            cs.iter()
                .map(|c| Ok((c.name.clone(), c.ty.as_ref().map(wave_type).transpose()?)))
                .collect::<Result<Vec<_>>>()?,
        )
        .ok_or_else(bad)?,
        Type::Enum(ns) => WType::enum_ty(ns.iter().cloned()).ok_or_else(bad)?,
        Type::Option(t) => WType::option(wave_type(t)?),
        Type::Result { ok, err } => WType::result(
            ok.as_deref().map(wave_type).transpose()?,
            err.as_deref().map(wave_type).transpose()?,
        ),
        Type::Flags(ns) => WType::flags(ns.iter().cloned()).ok_or_else(bad)?,
    })
}

/// A `wasm_wave` value of WAVE type `wave_type(t)` as a [`Value`] of type `t`.
pub fn value_from_wave(w: &WValue, t: &Type) -> Result<Value> {
    from_wave(w, t)
}

fn from_wave(w: &WValue, t: &Type) -> Result<Value> {
    Ok(match t {
        Type::Bool => Value::Bool(w.unwrap_bool()),
        Type::S8 => Value::S8(w.unwrap_s8()),
        Type::U8 => Value::U8(w.unwrap_u8()),
        Type::S16 => Value::S16(w.unwrap_s16()),
        Type::U16 => Value::U16(w.unwrap_u16()),
        Type::S32 => Value::S32(w.unwrap_s32()),
        Type::I32 => Value::I32(w.unwrap_s32()),
        Type::U32 => Value::U32(w.unwrap_u32()),
        Type::S64 => Value::S64(w.unwrap_s64()),
        Type::I64 => Value::I64(w.unwrap_s64()),
        Type::U64 => Value::U64(w.unwrap_u64()),
        Type::F32 => Value::F32(w.unwrap_f32()),
        Type::F64 => Value::F64(w.unwrap_f64()),
        Type::Char => Value::Char(w.unwrap_char()),
        Type::String => Value::String(w.unwrap_string().into_owned()),
        Type::Externref => return Err(err!("`externref` values have no WAVE form")),
        Type::List(e) => Value::List(
            w.unwrap_list()
                .map(|x| from_wave(&x, e))
                .collect::<Result<_>>()?,
        ),
        Type::Record(fs) => {
            let fields: Vec<_> = w.unwrap_record().collect();
            Value::Record(
                fs.iter()
                    .map(|f| {
                        let (_, v) = fields
                            .iter()
                            .find(|(n, _)| *n == f.name)
                            .ok_or_else(|| err!("missing field `{}`", f.name))?;
                        from_wave(v, &f.ty)
                    })
                    .collect::<Result<_>>()?,
            )
        }
        Type::Tuple(ts) => Value::Tuple(
            w.unwrap_tuple()
                .zip(ts)
                .map(|(x, t)| from_wave(&x, t))
                .collect::<Result<_>>()?,
        ),
        Type::Variant(cs) => {
            let (name, payload) = w.unwrap_variant();
            let idx = cs
                .iter()
                .position(|c| c.name == name)
                .ok_or_else(|| err!("unknown case `{name}`"))?;
            let p = match (payload, &cs[idx].ty) {
                (Some(p), Some(t)) => Some(Box::new(from_wave(&p, t)?)),
                _ => None,
            };
            Value::Variant(idx as u32, p)
        }
        Type::Enum(ns) => {
            let name = w.unwrap_enum();
            Value::Enum(
                ns.iter()
                    .position(|n| *n == name)
                    .ok_or_else(|| err!("unknown case `{name}`"))? as u32,
            )
        }
        Type::Option(t) => Value::Option(match w.unwrap_option() {
            Some(v) => Some(Box::new(from_wave(&v, t)?)),
            None => None,
        }),
        Type::Result { ok, err } => {
            let conv = |p: Option<std::borrow::Cow<'_, WValue>>,
                        t: Option<&Type>|
             -> Result<Option<Box<Value>>> {
                Ok(match (p, t) {
                    (Some(p), Some(t)) => Some(Box::new(from_wave(&p, t)?)),
                    _ => None,
                })
            };
            Value::Result(match w.unwrap_result() {
                Ok(p) => Ok(conv(p, ok.as_deref())?),
                Err(p) => Err(conv(p, err.as_deref())?),
            })
        }
        Type::Flags(ns) => {
            let set: Vec<usize> = w
                .unwrap_flags()
                .filter_map(|f| ns.iter().position(|n| *n == f))
                .collect();
            Value::flags(ns.len(), set)
        }
    })
}

fn to_wave(v: &Value, t: &Type) -> Result<WValue> {
    let wt = wave_type(t)?;
    let err = |e: wasm_wave::wasm::WasmValueError| err!("cannot show a `{t}` value: {e}");
    Ok(match (v, t) {
        (Value::Bool(x), _) => WValue::make_bool(*x),
        (Value::S8(x), _) => WValue::make_s8(*x),
        (Value::U8(x), _) => WValue::make_u8(*x),
        (Value::S16(x), _) => WValue::make_s16(*x),
        (Value::U16(x), _) => WValue::make_u16(*x),
        (Value::S32(x) | Value::I32(x), _) => WValue::make_s32(*x),
        (Value::U32(x), _) => WValue::make_u32(*x),
        (Value::S64(x) | Value::I64(x), _) => WValue::make_s64(*x),
        (Value::U64(x), _) => WValue::make_u64(*x),
        (Value::F32(x), _) => WValue::make_f32(*x),
        (Value::F64(x), _) => WValue::make_f64(*x),
        (Value::Char(x), _) => WValue::make_char(*x),
        (Value::String(s), _) => WValue::make_string(s.into()),
        (Value::Bytes(b), Type::List(e)) => WValue::make_list(
            &wt,
            b.iter()
                .map(|x| to_wave(&Value::U8(*x), e))
                .collect::<Result<Vec<_>>>()?,
        )
        .map_err(err)?,
        (Value::List(vs), Type::List(e)) => WValue::make_list(
            &wt,
            vs.iter()
                .map(|v| to_wave(v, e))
                .collect::<Result<Vec<_>>>()?,
        )
        .map_err(err)?,
        (Value::Record(vs), Type::Record(fs)) => {
            let fields = vs
                .iter()
                .zip(fs)
                .map(|(v, f)| Ok((f.name.as_str(), to_wave(v, &f.ty)?)))
                .collect::<Result<Vec<_>>>()?;
            WValue::make_record(&wt, fields).map_err(err)?
        }
        (Value::Tuple(vs), Type::Tuple(ts)) => WValue::make_tuple(
            &wt,
            vs.iter()
                .zip(ts)
                .map(|(v, t)| to_wave(v, t))
                .collect::<Result<Vec<_>>>()?,
        )
        .map_err(err)?,
        (Value::Variant(c, p), Type::Variant(cs)) => {
            let case = cs.get(*c as usize).ok_or_else(|| err!("bad case"))?;
            let p = match (p, &case.ty) {
                (Some(p), Some(t)) => Some(to_wave(p, t)?),
                _ => None,
            };
            WValue::make_variant(&wt, &case.name, p).map_err(err)?
        }
        (Value::Enum(c), Type::Enum(ns)) => {
            WValue::make_enum(&wt, ns.get(*c as usize).ok_or_else(|| err!("bad case"))?)
                .map_err(err)?
        }
        (Value::Option(p), Type::Option(inner)) => {
            WValue::make_option(&wt, p.as_ref().map(|p| to_wave(p, inner)).transpose()?)
                .map_err(err)?
        }
        (Value::Result(r), Type::Result { ok, err: e }) => {
            let conv = |p: &Option<Box<Value>>, t: Option<&Type>| -> Result<Option<WValue>> {
                Ok(match (p, t) {
                    (Some(p), Some(t)) => Some(to_wave(p, t)?),
                    _ => None,
                })
            };
            let r = match r {
                Ok(p) => Ok(conv(p, ok.as_deref())?),
                Err(p) => Err(conv(p, e.as_deref())?),
            };
            WValue::make_result(&wt, r).map_err(err)?
        }
        (Value::Flags(words), Type::Flags(ns)) => {
            let set = ns
                .iter()
                .enumerate()
                .filter(|(i, _)| words.get(i / 32).is_some_and(|w| w >> (i % 32) & 1 == 1));
            WValue::make_flags(&wt, set.map(|(_, n)| n.as_str())).map_err(err)?
        }
        _ => return Err(err!("cannot show {} as a `{t}`", v.describe())),
    })
}
