//! Python values <-> engine values.
//!
//! Each parameter and result of a function gets a [`Conv`] tree when the
//! module is loaded: the shape of its type plus, for records, enums, flags
//! and variants, the Python class made for that type (one per type
//! definition, named after the booklet's type name). Calls then convert by
//! walking the tree; no type is looked up per call.

use crate::errors;
use crate::naming;
use intertype::{Booklet, TypeDef, ValType};
use intertype_runtime::{ExternRef, Type, Value};
use pyo3::exceptions::{PyOverflowError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{
    PyBool, PyByteArray, PyBytes, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple, PyType,
};
use std::collections::HashMap;
use std::sync::Arc;

/// How to convert one value of one interface type.
#[derive(Clone)]
pub(crate) enum Conv {
    Bool,
    S8,
    U8,
    S16,
    U16,
    S32,
    U32,
    S64,
    U64,
    /// Core `i32` / `i64`.
    I32,
    I64,
    F32,
    F64,
    Char,
    String,
    Externref,
    /// `list<u8>`: `bytes`.
    Bytes,
    List(Arc<Conv>),
    Record(Arc<RecordConv>),
    Tuple(Arc<[Conv]>),
    Variant(Arc<VariantConv>),
    Enum(Arc<EnumConv>),
    Flags(Arc<FlagsConv>),
    /// `wrap`: the payload can itself be `None`, so `some` is `Some(v)`.
    Option {
        inner: Arc<Conv>,
        wrap: bool,
    },
    Result {
        ok: Option<Arc<Conv>>,
        err: Option<Arc<Conv>>,
    },
}

pub(crate) struct RecordConv {
    class: Py<PyType>,
    /// Python attribute name, interface name, conversion.
    fields: Vec<(Py<PyString>, String, Conv)>,
}

pub(crate) struct VariantConv {
    class: Py<PyType>,
    /// Per case: its class and payload conversion.
    cases: Vec<(Py<PyType>, Option<Conv>)>,
}

pub(crate) struct EnumConv {
    class: Py<PyType>,
    members: Vec<Py<PyAny>>,
    by_name: HashMap<String, u32>,
}

pub(crate) struct FlagsConv {
    class: Py<PyType>,
    count: usize,
}

/// A host object inside an `externref`; comes back as the very same object.
struct PyRef(Py<PyAny>);

/// Nesting deeper than this is refused at load (validated booklets nest far
/// less; the bound keeps recursion on the native stack small for any input).
const MAX_DEPTH: usize = 200;

/// Makes the [`Conv`]s of one module, sharing one class per type definition.
pub(crate) struct Builder<'a, 'py> {
    py: Python<'py>,
    booklet: &'a Booklet,
    helpers: Bound<'py, PyModule>,
    cache: HashMap<u32, Conv>,
    /// The classes made, by Python name (for `module.types`).
    pub classes: Vec<(String, Py<PyAny>)>,
    /// The class made for each type index.
    pub by_index: HashMap<u32, Py<PyAny>>,
    taken: std::collections::HashSet<String>,
}

impl<'a, 'py> Builder<'a, 'py> {
    pub fn new(py: Python<'py>, booklet: &'a Booklet) -> PyResult<Self> {
        Ok(Builder {
            py,
            booklet,
            helpers: py.import("intertype._values")?,
            cache: HashMap::new(),
            classes: Vec::new(),
            by_index: HashMap::new(),
            taken: Default::default(),
        })
    }

    pub fn conv(&mut self, ty: ValType) -> PyResult<Conv> {
        self.conv_at(ty, 0)
    }

    fn conv_at(&mut self, ty: ValType, depth: usize) -> PyResult<Conv> {
        if depth > MAX_DEPTH {
            return Err(errors::load("type nests too deeply"));
        }
        let idx = match ty {
            ValType::S8 => return Ok(Conv::S8),
            ValType::U8 => return Ok(Conv::U8),
            ValType::S16 => return Ok(Conv::S16),
            ValType::U16 => return Ok(Conv::U16),
            ValType::S32 => return Ok(Conv::S32),
            ValType::U32 => return Ok(Conv::U32),
            ValType::S64 => return Ok(Conv::S64),
            ValType::U64 => return Ok(Conv::U64),
            ValType::F32 => return Ok(Conv::F32),
            ValType::F64 => return Ok(Conv::F64),
            ValType::String => return Ok(Conv::String),
            ValType::Externref => return Ok(Conv::Externref),
            ValType::I32 => return Ok(Conv::I32),
            ValType::I64 => return Ok(Conv::I64),
            ValType::Bool => return Ok(Conv::Bool),
            ValType::Char => return Ok(Conv::Char),
            ValType::Type(i) => i,
        };
        if let Some(c) = self.cache.get(&idx) {
            return Ok(c.clone());
        }
        let def = self
            .booklet
            .types
            .get(idx as usize)
            .ok_or_else(|| errors::load(format!("type {idx} is out of bounds")))?;
        let d = depth + 1;
        let conv = match def {
            TypeDef::Func(_) => return Err(errors::load(format!("type {idx} is a function type"))),
            TypeDef::List(ValType::U8) => Conv::Bytes,
            TypeDef::List(t) => Conv::List(Arc::new(self.conv_at(*t, d)?)),
            TypeDef::Option(t) => {
                let inner = self.conv_at(*t, d)?;
                let wrap = matches!(inner, Conv::Option { .. } | Conv::Externref);
                Conv::Option {
                    inner: Arc::new(inner),
                    wrap,
                }
            }
            TypeDef::Result { ok, err } => Conv::Result {
                ok: ok.map(|t| self.conv_at(t, d).map(Arc::new)).transpose()?,
                err: err.map(|t| self.conv_at(t, d).map(Arc::new)).transpose()?,
            },
            TypeDef::Tuple(ts) => Conv::Tuple(
                ts.iter()
                    .map(|t| self.conv_at(*t, d))
                    .collect::<PyResult<Vec<_>>>()?
                    .into(),
            ),
            TypeDef::Record(fs) => {
                let mut fields = Vec::with_capacity(fs.len());
                let py_names = naming::unique(fs.iter().map(|f| naming::snake(&f.name)));
                for (f, py_name) in fs.iter().zip(&py_names) {
                    let c = self.conv_at(f.ty, d)?;
                    fields.push((PyString::new(self.py, py_name).unbind(), f.name.clone(), c));
                }
                let name = self.class_name(idx, "Record");
                let class = self.helpers.getattr("make_record")?.call1((
                    &name,
                    py_names,
                    Option::<String>::None,
                ))?;
                self.register(idx, name, &class);
                Conv::Record(Arc::new(RecordConv {
                    class: class.cast_into::<PyType>()?.unbind(),
                    fields,
                }))
            }
            TypeDef::Variant(cs) => {
                let py_names = naming::unique(cs.iter().map(|c| naming::camel(&c.name)));
                let mut payloads = Vec::with_capacity(cs.len());
                let mut spec = Vec::with_capacity(cs.len());
                for (c, py_name) in cs.iter().zip(&py_names) {
                    payloads.push(c.ty.map(|t| self.conv_at(t, d)).transpose()?);
                    spec.push((py_name.clone(), c.name.clone(), c.ty.is_some()));
                }
                let name = self.class_name(idx, "Variant");
                let class = self.helpers.getattr("make_variant")?.call1((&name, spec))?;
                self.register(idx, name, &class);
                let case_classes: Vec<Bound<'py, PyAny>> = class
                    .getattr("_cases")?
                    .try_iter()?
                    .collect::<PyResult<_>>()?;
                let cases = case_classes
                    .into_iter()
                    .zip(payloads)
                    .map(|(c, p)| Ok((c.cast_into::<PyType>()?.unbind(), p)))
                    .collect::<PyResult<_>>()?;
                Conv::Variant(Arc::new(VariantConv {
                    class: class.cast_into::<PyType>()?.unbind(),
                    cases,
                }))
            }
            TypeDef::Enum(names) => {
                let py_names = naming::unique(names.iter().map(|n| naming::upper(n)));
                let spec: Vec<(String, String)> = py_names
                    .iter()
                    .cloned()
                    .zip(names.iter().cloned())
                    .collect();
                let name = self.class_name(idx, "Enum");
                let class = self.helpers.getattr("make_enum")?.call1((&name, spec))?;
                self.register(idx, name, &class);
                let members = py_names
                    .iter()
                    .map(|n| Ok(class.getattr(n.as_str())?.unbind()))
                    .collect::<PyResult<_>>()?;
                let by_name = names
                    .iter()
                    .enumerate()
                    .map(|(i, n)| (n.clone(), i as u32))
                    .collect();
                Conv::Enum(Arc::new(EnumConv {
                    class: class.cast_into::<PyType>()?.unbind(),
                    members,
                    by_name,
                }))
            }
            TypeDef::Flags(names) => {
                let py_names = naming::unique(names.iter().map(|n| naming::upper(n)));
                let name = self.class_name(idx, "Flags");
                let class = self
                    .helpers
                    .getattr("make_flags")?
                    .call1((&name, py_names))?;
                self.register(idx, name, &class);
                Conv::Flags(Arc::new(FlagsConv {
                    class: class.cast_into::<PyType>()?.unbind(),
                    count: names.len(),
                }))
            }
        };
        self.cache.insert(idx, conv.clone());
        Ok(conv)
    }

    /// The class name of type `idx`: its booklet name in CamelCase, or
    /// `<Kind><idx>`; unique within the module.
    fn class_name(&mut self, idx: u32, kind: &str) -> String {
        let base = match self.booklet.type_names.get(&idx) {
            Some(n) => naming::camel(n),
            None => format!("{kind}{idx}"),
        };
        let mut name = base.clone();
        let mut n = 2;
        while self.taken.contains(&name) {
            name = format!("{base}{n}");
            n += 1;
        }
        self.taken.insert(name.clone());
        name
    }

    fn register(&mut self, idx: u32, name: String, class: &Bound<'py, PyAny>) {
        self.by_index.insert(idx, class.clone().unbind());
        self.classes.push((name, class.clone().unbind()));
    }
}

/// The conversion of a core type (functions the adapters do not touch).
pub(crate) fn core_conv(ty: &Type) -> PyResult<Conv> {
    Ok(match ty {
        Type::I32 => Conv::I32,
        Type::I64 => Conv::I64,
        Type::F32 => Conv::F32,
        Type::F64 => Conv::F64,
        Type::Externref => Conv::Externref,
        other => return Err(errors::load(format!("unexpected core type {other}"))),
    })
}

fn type_error(want: &str, obj: &Bound<'_, PyAny>) -> PyErr {
    let found = obj
        .get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "?".into());
    PyTypeError::new_err(format!("expected {want}, found {found}"))
}

/// An `int` that is not a `bool`.
fn int<'py>(obj: &Bound<'py, PyAny>, want: &str) -> PyResult<()> {
    if obj.is_instance_of::<PyInt>() && !obj.is_instance_of::<PyBool>() {
        Ok(())
    } else {
        Err(type_error(want, obj))
    }
}

fn ranged(obj: &Bound<'_, PyAny>, want: &str, lo: i64, hi: i64) -> PyResult<i64> {
    int(obj, want)?;
    let v: i64 = obj
        .extract()
        .map_err(|_| PyOverflowError::new_err(format!("{obj} is out of range for {want}")))?;
    if v < lo || v > hi {
        return Err(PyOverflowError::new_err(format!(
            "{v} is out of range for {want}"
        )));
    }
    Ok(v)
}

fn float(obj: &Bound<'_, PyAny>, want: &str) -> PyResult<f64> {
    if obj.is_instance_of::<PyFloat>()
        || (obj.is_instance_of::<PyInt>() && !obj.is_instance_of::<PyBool>())
    {
        obj.extract()
    } else {
        Err(type_error(want, obj))
    }
}

impl Conv {
    /// Python -> engine. Type errors are `TypeError`, integers out of range
    /// `OverflowError`, unknown case names `ValueError`.
    pub fn to_value(&self, obj: &Bound<'_, PyAny>) -> PyResult<Value> {
        Ok(match self {
            Conv::Bool => match obj.cast::<PyBool>() {
                Ok(b) => Value::Bool(b.is_true()),
                Err(_) => return Err(type_error("bool", obj)),
            },
            Conv::S8 => Value::S8(ranged(obj, "s8", i8::MIN.into(), i8::MAX.into())? as i8),
            Conv::U8 => Value::U8(ranged(obj, "u8", 0, u8::MAX.into())? as u8),
            Conv::S16 => Value::S16(ranged(obj, "s16", i16::MIN.into(), i16::MAX.into())? as i16),
            Conv::U16 => Value::U16(ranged(obj, "u16", 0, u16::MAX.into())? as u16),
            Conv::S32 => Value::S32(ranged(obj, "s32", i32::MIN.into(), i32::MAX.into())? as i32),
            Conv::U32 => Value::U32(ranged(obj, "u32", 0, u32::MAX.into())? as u32),
            Conv::I32 => Value::I32(ranged(obj, "i32", i32::MIN.into(), i32::MAX.into())? as i32),
            Conv::S64 | Conv::I64 => {
                let want = if matches!(self, Conv::S64) {
                    "s64"
                } else {
                    "i64"
                };
                int(obj, want)?;
                let v: i64 = obj.extract().map_err(|_| {
                    PyOverflowError::new_err(format!("{obj} is out of range for {want}"))
                })?;
                if matches!(self, Conv::S64) {
                    Value::S64(v)
                } else {
                    Value::I64(v)
                }
            }
            Conv::U64 => {
                int(obj, "u64")?;
                Value::U64(obj.extract().map_err(|_| {
                    PyOverflowError::new_err(format!("{obj} is out of range for u64"))
                })?)
            }
            Conv::F32 => Value::F32(float(obj, "f32")? as f32),
            Conv::F64 => Value::F64(float(obj, "f64")?),
            Conv::Char => {
                let s = obj
                    .cast::<PyString>()
                    .map_err(|_| type_error("str (one character)", obj))?
                    .to_cow()?;
                let mut chars = s.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) => Value::Char(c),
                    _ => {
                        return Err(PyValueError::new_err(format!(
                            "expected one character, found a string of {}",
                            s.chars().count()
                        )))
                    }
                }
            }
            Conv::String => match obj.cast::<PyString>() {
                Ok(s) => Value::String(s.to_cow()?.into_owned()),
                Err(_) => return Err(type_error("str", obj)),
            },
            Conv::Externref => {
                if obj.is_none() {
                    Value::Externref(None)
                } else {
                    Value::Externref(Some(ExternRef::new(PyRef(obj.clone().unbind()))))
                }
            }
            Conv::Bytes => Value::Bytes(bytes(obj)?),
            Conv::List(elem) => {
                if obj.is_instance_of::<PyString>() || obj.is_instance_of::<PyDict>() {
                    return Err(type_error("a list", obj));
                }
                if let Ok(l) = obj.cast::<PyList>() {
                    let mut out = Vec::with_capacity(l.len());
                    for (i, x) in l.iter().enumerate() {
                        out.push(elem.to_value(&x).map_err(|e| at(e, obj.py(), i))?);
                    }
                    Value::List(out)
                } else {
                    let iter = obj.try_iter().map_err(|_| type_error("a list", obj))?;
                    let mut out = Vec::new();
                    for (i, x) in iter.enumerate() {
                        out.push(elem.to_value(&x?).map_err(|e| at(e, obj.py(), i))?);
                    }
                    Value::List(out)
                }
            }
            Conv::Record(r) => {
                let py = obj.py();
                let mut out = Vec::with_capacity(r.fields.len());
                if obj.is_instance(r.class.bind(py))? {
                    for (py_name, _, c) in &r.fields {
                        let v = obj.getattr(py_name.bind(py))?;
                        out.push(c.to_value(&v)?);
                    }
                } else if let Ok(d) = obj.cast::<PyDict>() {
                    if d.len() != r.fields.len() {
                        return Err(PyTypeError::new_err(format!(
                            "expected a dict with the {} fields of {}, found {} keys",
                            r.fields.len(),
                            r.class.bind(py).name()?,
                            d.len()
                        )));
                    }
                    for (py_name, name, c) in &r.fields {
                        let v = match d.get_item(py_name.bind(py))? {
                            Some(v) => v,
                            None => d.get_item(name)?.ok_or_else(|| {
                                PyTypeError::new_err(format!("missing field `{py_name}`"))
                            })?,
                        };
                        out.push(c.to_value(&v)?);
                    }
                } else {
                    let want = format!("{} or dict", r.class.bind(py).name()?);
                    return Err(type_error(&want, obj));
                }
                Value::Record(out)
            }
            Conv::Tuple(ts) => {
                let t = obj
                    .cast::<PyTuple>()
                    .map_err(|_| type_error("a tuple", obj))?;
                if t.len() != ts.len() {
                    return Err(PyTypeError::new_err(format!(
                        "expected a tuple of {}, found one of {}",
                        ts.len(),
                        t.len()
                    )));
                }
                Value::Tuple(
                    ts.iter()
                        .zip(t.iter())
                        .map(|(c, x)| c.to_value(&x))
                        .collect::<PyResult<_>>()?,
                )
            }
            Conv::Variant(v) => {
                let py = obj.py();
                if !obj.is_instance(v.class.bind(py))? {
                    return Err(type_error(&v.class.bind(py).name()?.to_string(), obj));
                }
                let case: u32 = obj.getattr("_case_index")?.extract()?;
                let (_, payload) = v
                    .cases
                    .get(case as usize)
                    .ok_or_else(|| type_error("a case of the variant", obj))?;
                let payload = match payload {
                    Some(c) => Some(Box::new(c.to_value(&obj.getattr("value")?)?)),
                    None => None,
                };
                Value::Variant(case, payload)
            }
            Conv::Enum(e) => {
                let py = obj.py();
                let name_obj = if obj.is_instance(e.class.bind(py))? {
                    obj.getattr("value")?
                } else if obj.is_instance_of::<PyString>() {
                    obj.clone()
                } else {
                    let want = format!("{} or str", e.class.bind(py).name()?);
                    return Err(type_error(&want, obj));
                };
                let name: String = name_obj.extract()?;
                match e.by_name.get(&name) {
                    Some(i) => Value::Enum(*i),
                    None => {
                        return Err(PyValueError::new_err(format!(
                            "{name:?} is not a case of {}",
                            e.class.bind(py).name()?
                        )))
                    }
                }
            }
            Conv::Flags(f) => {
                let py = obj.py();
                if !obj.is_instance(f.class.bind(py))? {
                    return Err(type_error(&f.class.bind(py).name()?.to_string(), obj));
                }
                let bits = obj.getattr("value")?;
                let mut words = vec![0u32; f.count.div_ceil(32)];
                for (i, w) in words.iter_mut().enumerate() {
                    let shifted = bits.call_method1("__rshift__", (32 * i,))?;
                    let low: u64 = shifted
                        .call_method1("__and__", (0xffff_ffffu64,))?
                        .extract()?;
                    *w = low as u32;
                }
                Value::Flags(words)
            }
            Conv::Option { inner, wrap } => {
                if obj.is_none() {
                    Value::Option(None)
                } else if *wrap && type_is(obj, "Some") {
                    Value::Option(Some(Box::new(inner.to_value(&obj.getattr("value")?)?)))
                } else {
                    Value::Option(Some(Box::new(inner.to_value(obj)?)))
                }
            }
            Conv::Result { ok, err } => {
                let (is_ok, payload) = if type_is(obj, "Ok") {
                    (true, ok)
                } else if type_is(obj, "Err") {
                    (false, err)
                } else {
                    return Err(type_error("intertype.Ok or intertype.Err", obj));
                };
                let p = match payload {
                    Some(c) => Some(Box::new(c.to_value(&obj.getattr("value")?)?)),
                    None => {
                        if !obj.getattr("value")?.is_none() {
                            return Err(PyTypeError::new_err(
                                "this result case has no payload: its value must be None",
                            ));
                        }
                        None
                    }
                };
                Value::Result(if is_ok { Ok(p) } else { Err(p) })
            }
        })
    }

    /// Engine -> Python.
    pub fn to_py(&self, py: Python<'_>, v: Value) -> PyResult<Py<PyAny>> {
        Ok(match (self, v) {
            (_, Value::Bool(b)) => PyBool::new(py, b).to_owned().into_any().unbind(),
            (_, Value::S8(x)) => x.into_pyobject(py)?.into_any().unbind(),
            (_, Value::U8(x)) => x.into_pyobject(py)?.into_any().unbind(),
            (_, Value::S16(x)) => x.into_pyobject(py)?.into_any().unbind(),
            (_, Value::U16(x)) => x.into_pyobject(py)?.into_any().unbind(),
            (_, Value::S32(x) | Value::I32(x)) => x.into_pyobject(py)?.into_any().unbind(),
            (_, Value::U32(x)) => x.into_pyobject(py)?.into_any().unbind(),
            (_, Value::S64(x) | Value::I64(x)) => x.into_pyobject(py)?.into_any().unbind(),
            (_, Value::U64(x)) => x.into_pyobject(py)?.into_any().unbind(),
            (_, Value::F32(x)) => f64::from(x).into_pyobject(py)?.into_any().unbind(),
            (_, Value::F64(x)) => x.into_pyobject(py)?.into_any().unbind(),
            (_, Value::Char(c)) => c.into_pyobject(py)?.into_any().unbind(),
            (_, Value::String(s)) => PyString::new(py, &s).into_any().unbind(),
            (_, Value::Bytes(b)) => PyBytes::new(py, &b).into_any().unbind(),
            (Conv::Bytes, Value::List(vs)) => {
                let b: Vec<u8> = vs
                    .into_iter()
                    .map(|v| match v {
                        Value::U8(x) => Ok(x),
                        _ => Err(mismatch()),
                    })
                    .collect::<PyResult<_>>()?;
                PyBytes::new(py, &b).into_any().unbind()
            }
            (_, Value::Externref(None)) => py.None(),
            (_, Value::Externref(Some(r))) => match r.downcast_ref::<PyRef>() {
                Some(PyRef(o)) => o.clone_ref(py),
                None => return Err(mismatch()),
            },
            (Conv::List(elem), Value::List(vs)) => {
                let items = vs
                    .into_iter()
                    .map(|v| elem.to_py(py, v))
                    .collect::<PyResult<Vec<_>>>()?;
                PyList::new(py, items)?.into_any().unbind()
            }
            (Conv::Record(r), Value::Record(vs)) if vs.len() == r.fields.len() => {
                let args = r
                    .fields
                    .iter()
                    .zip(vs)
                    .map(|((_, _, c), v)| c.to_py(py, v))
                    .collect::<PyResult<Vec<_>>>()?;
                r.class.bind(py).call1(PyTuple::new(py, args)?)?.unbind()
            }
            (Conv::Tuple(ts), Value::Tuple(vs)) if vs.len() == ts.len() => {
                let items = ts
                    .iter()
                    .zip(vs)
                    .map(|(c, v)| c.to_py(py, v))
                    .collect::<PyResult<Vec<_>>>()?;
                PyTuple::new(py, items)?.into_any().unbind()
            }
            (Conv::Variant(vc), Value::Variant(case, payload)) => {
                let (class, conv) = vc.cases.get(case as usize).ok_or_else(mismatch)?;
                let p = match (conv, payload) {
                    (Some(c), Some(p)) => c.to_py(py, *p)?,
                    (None, None) => py.None(),
                    _ => return Err(mismatch()),
                };
                class.bind(py).call1((p,))?.unbind()
            }
            (Conv::Enum(e), Value::Enum(case)) => e
                .members
                .get(case as usize)
                .ok_or_else(mismatch)?
                .clone_ref(py),
            (Conv::Flags(f), Value::Flags(words)) => {
                // Flag i is bit i of one Python int: fold the words, most
                // significant first.
                let mut bits = 0u64.into_pyobject(py)?.into_any();
                for w in words.iter().rev() {
                    bits = bits.call_method1("__lshift__", (32,))?;
                    bits = bits.call_method1("__or__", (*w,))?;
                }
                f.class.bind(py).call1((bits,))?.unbind()
            }
            (Conv::Option { inner, wrap }, Value::Option(o)) => match o {
                None => py.None(),
                Some(v) => {
                    let x = inner.to_py(py, *v)?;
                    if *wrap {
                        helper(py, "Some")?.call1((x,))?.unbind()
                    } else {
                        x
                    }
                }
            },
            (Conv::Result { ok, err }, Value::Result(r)) => {
                let (class, conv, payload) = match r {
                    Ok(p) => ("Ok", ok, p),
                    Err(p) => ("Err", err, p),
                };
                let x = match (conv, payload) {
                    (Some(c), Some(p)) => c.to_py(py, *p)?,
                    (None, None) => py.None(),
                    _ => return Err(mismatch()),
                };
                helper(py, class)?.call1((x,))?.unbind()
            }
            _ => return Err(mismatch()),
        })
    }
}

/// Adds "at index i" to an error raised while converting a list element.
fn at(e: PyErr, py: Python<'_>, i: usize) -> PyErr {
    let msg = format!("{} (at index {i})", e.value(py));
    if e.is_instance_of::<PyOverflowError>(py) {
        PyOverflowError::new_err(msg)
    } else if e.is_instance_of::<PyTypeError>(py) {
        PyTypeError::new_err(msg)
    } else if e.is_instance_of::<PyValueError>(py) {
        PyValueError::new_err(msg)
    } else {
        e
    }
}

#[cold]
fn mismatch() -> PyErr {
    errors::internal("a value of the wrong type came out of the engine")
}

/// Whether `obj`'s class is `intertype._values.<name>` (by identity).
fn type_is(obj: &Bound<'_, PyAny>, name: &str) -> bool {
    match helper(obj.py(), name) {
        Ok(cls) => obj.get_type().is(&cls),
        Err(_) => false,
    }
}

fn helper<'py>(py: Python<'py>, name: &str) -> PyResult<Bound<'py, PyAny>> {
    static HELPERS: pyo3::sync::PyOnceLock<Py<PyModule>> = pyo3::sync::PyOnceLock::new();
    let m = HELPERS.get_or_try_init(py, || {
        Ok::<_, PyErr>(py.import("intertype._values")?.unbind())
    })?;
    m.bind(py).getattr(name)
}

/// Any buffer (`bytes`, `bytearray`, `memoryview`, …) or an iterable of
/// ints in 0..=255, as bytes. Never a `str` or an `int`.
fn bytes(obj: &Bound<'_, PyAny>) -> PyResult<Vec<u8>> {
    if let Ok(b) = obj.cast::<PyBytes>() {
        return Ok(b.as_bytes().to_vec());
    }
    if let Ok(b) = obj.cast::<PyByteArray>() {
        return Ok(b.to_vec());
    }
    if obj.is_instance_of::<PyString>() || obj.is_instance_of::<PyInt>() || obj.is_none() {
        return Err(type_error("bytes (or any buffer)", obj));
    }
    let b = obj
        .py()
        .get_type::<PyBytes>()
        .call1((obj,))
        .map_err(|_| type_error("bytes (or any buffer)", obj))?;
    Ok(b.cast::<PyBytes>()?.as_bytes().to_vec())
}
