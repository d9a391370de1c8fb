//! `intertype.Module`: a compiled module plus the Python view of its
//! interface (signatures, per-type classes, conversions), made once.

use crate::convert::{core_conv, Builder, Conv};
use crate::errors;
use crate::naming;
use intertype::{Booklet, TypeDef, ValType};
use intertype_runtime as rt;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

/// The engine every module is compiled with. Fuel metering is on so that
/// any instance may set `fuel=`; instances without it get unlimited fuel.
pub(crate) fn engine() -> &'static rt::Engine {
    static ENGINE: OnceLock<rt::Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let config = rt::Config {
            consume_fuel: true,
            ..Default::default()
        };
        // This configuration is fixed and valid; fall back to the default
        // engine (no fuel) rather than fail if wasmtime ever refuses it.
        rt::Engine::new(&config).unwrap_or_default()
    })
}

/// One function of the interface (an export, or an import the host gives).
pub(crate) struct FuncEntry {
    pub name: String,
    /// The attribute name on `instance.exports`.
    pub py_name: String,
    /// Import module name, for imports.
    pub module: Option<String>,
    pub ty: rt::FuncType,
    pub params: Vec<Conv>,
    pub results: Vec<Conv>,
    /// The only result is a `result`: calls return its `ok` payload and raise
    /// `ResultError` for `error`.
    pub raises: bool,
    pub doc: Option<String>,
}

/// A module: compiled once, shareable across threads, instantiated any
/// number of times with `Instance(module, ...)`.
#[pyclass(frozen, module = "intertype", name = "Module")]
pub(crate) struct Module {
    pub rt: rt::Module,
    pub exports: Arc<Vec<FuncEntry>>,
    pub imports: Arc<Vec<FuncEntry>>,
    types: Py<PyAny>,
    export_infos: Py<PyList>,
    import_infos: Py<PyList>,
}

/// A function's name and signature: `signature` in `intertype inspect`'s
/// words, `params`/`results` as structured types (a keyword like `"string"`,
/// or a dict like `{"record": [{"name": "x", "type": "s32"}], "name": "point"}`).
#[pyclass(frozen, get_all, module = "intertype", name = "FuncInfo")]
pub(crate) struct FuncInfo {
    name: String,
    /// The import module, for imports.
    module: Option<String>,
    /// `"adapter"` (an interface function) or `"core"` (a core export the
    /// adapters do not touch, with core types).
    kind: &'static str,
    signature: String,
    params: Py<PyList>,
    results: Py<PyList>,
    doc: Option<String>,
}

#[pymethods]
impl FuncInfo {
    fn __repr__(&self) -> String {
        match &self.module {
            Some(m) => format!("<import {m:?} {:?}: {}>", self.name, self.signature),
            None => format!("<export {:?}: {}>", self.name, self.signature),
        }
    }
}

#[pymethods]
impl Module {
    /// Loads a module from bytes (binary wasm; any buffer) or a `str` of
    /// `.wat` text with `(@interface …)` items.
    #[new]
    fn new(py: Python<'_>, source: &Bound<'_, PyAny>) -> PyResult<Module> {
        let bytes = if let Ok(text) = source.cast::<PyString>() {
            let text = text.to_cow()?;
            intertype::parse_str(&text, None).map_err(|e| errors::load(e.to_string()))?
        } else if source.is_instance_of::<pyo3::types::PyInt>() {
            return Err(pyo3::exceptions::PyTypeError::new_err(
                "Module() takes the module as bytes (or any buffer) or as .wat text (str)",
            ));
        } else {
            let b = py
                .get_type::<pyo3::types::PyBytes>()
                .call1((source,))
                .map_err(|_| {
                    pyo3::exceptions::PyTypeError::new_err(
                        "Module() takes the module as bytes (or any buffer) or as .wat text (str)",
                    )
                })?;
            b.cast::<pyo3::types::PyBytes>()?.as_bytes().to_vec()
        };
        Module::load(py, bytes)
    }

    /// Reads a module (binary or text) from a file.
    #[staticmethod]
    fn from_file(py: Python<'_>, path: PathBuf) -> PyResult<Module> {
        let data = std::fs::read(&path)
            .map_err(|e| errors::load(format!("cannot read `{}`: {e}", path.display())))?;
        let bytes = if data.starts_with(b"\0asm") {
            data
        } else {
            let text = std::str::from_utf8(&data).map_err(|_| {
                errors::load(format!(
                    "`{}` is neither a binary module nor UTF-8 text",
                    path.display()
                ))
            })?;
            intertype::parse_str(text, Some(&path)).map_err(|e| errors::load(e.to_string()))?
        };
        Module::load(py, bytes)
    }

    /// The functions the module offers: exported adapters, then core
    /// exports no adapter touches.
    #[getter]
    fn exports(&self, py: Python<'_>) -> Py<PyList> {
        self.export_infos.clone_ref(py)
    }

    /// The interface functions the module imports.
    #[getter]
    fn imports(&self, py: Python<'_>) -> Py<PyList> {
        self.import_infos.clone_ref(py)
    }

    /// The classes made for the module's records, enums, flags and variants,
    /// by their interface names in CamelCase (`module.types.Point`).
    #[getter]
    fn types(&self, py: Python<'_>) -> Py<PyAny> {
        self.types.clone_ref(py)
    }

    /// Whether the module carries a `wasm-interface-types` section.
    #[getter]
    fn has_interface(&self) -> bool {
        self.rt.has_interface()
    }

    fn __repr__(&self) -> String {
        let names: Vec<&str> = self.exports.iter().map(|e| e.name.as_str()).collect();
        format!("<intertype.Module exports={names:?}>")
    }
}

impl Module {
    fn load(py: Python<'_>, bytes: Vec<u8>) -> PyResult<Module> {
        let bytes = if bytes.starts_with(b"\0asm") {
            bytes
        } else {
            let text = std::str::from_utf8(&bytes)
                .map_err(|_| errors::load("input is neither a binary module nor UTF-8 text"))?;
            intertype::parse_str(text, None).map_err(|e| errors::load(e.to_string()))?
        };
        let m = py
            .detach(|| rt::Module::new(engine(), &bytes))
            .map_err(|e| errors::from_engine(&e))?;
        let parsed =
            intertype::Module::from_binary(&bytes).map_err(|e| errors::load(e.to_string()))?;
        let booklet = &parsed.booklet;
        let mut builder = Builder::new(py, booklet)?;

        let mut exports = Vec::new();
        let py_names = naming::unique(m.exports().iter().map(|e| naming::snake(&e.name)));
        for (e, py_name) in m.exports().iter().zip(py_names) {
            let (params, results, doc) = match e.kind {
                rt::ExportKind::Adapter(idx) => {
                    let fty = booklet.adapter_func_type(idx).ok_or_else(|| {
                        errors::load(format!("adapter {idx} has no function type"))
                    })?;
                    (
                        convs(&mut builder, &fty.params)?,
                        convs(&mut builder, &fty.results)?,
                        booklet.docs.get(&idx).cloned(),
                    )
                }
                rt::ExportKind::Core(_) => (
                    e.ty.params.iter().map(core_conv).collect::<PyResult<_>>()?,
                    e.ty.results
                        .iter()
                        .map(core_conv)
                        .collect::<PyResult<_>>()?,
                    None,
                ),
            };
            exports.push(FuncEntry {
                raises: matches!(results.as_slice(), [Conv::Result { .. }]),
                name: e.name.clone(),
                py_name,
                module: None,
                ty: e.ty.clone(),
                params,
                results,
                doc,
            });
        }

        let mut imports = Vec::new();
        for (idx, imp) in booklet.imports.iter().enumerate() {
            let idx = idx as u32;
            let fty = booklet
                .adapter_func_type(idx)
                .ok_or_else(|| errors::load(format!("import {idx} has no function type")))?;
            let ty = m
                .imports()
                .find(|(module, name, _)| *module == imp.module && *name == imp.name)
                .map(|(_, _, ty)| ty.clone())
                .ok_or_else(|| {
                    errors::load(format!("import `{}` `{}` is unknown", imp.module, imp.name))
                })?;
            let results = convs(&mut builder, &fty.results)?;
            imports.push(FuncEntry {
                raises: matches!(results.as_slice(), [Conv::Result { .. }]),
                name: imp.name.clone(),
                py_name: naming::snake(&imp.name),
                module: Some(imp.module.clone()),
                ty,
                params: convs(&mut builder, &fty.params)?,
                results,
                doc: booklet.docs.get(&idx).cloned(),
            });
        }

        let ns = PyDict::new(py);
        for (name, class) in &builder.classes {
            ns.set_item(name, class)?;
        }
        let types = py
            .import("types")?
            .getattr("SimpleNamespace")?
            .call((), Some(&ns))?
            .unbind();

        let info = |e: &FuncEntry, kind: Option<rt::ExportKind>| -> PyResult<Py<FuncInfo>> {
            let describe_all = |vts: Option<&[ValType]>, ts: &[rt::Type]| -> PyResult<Py<PyList>> {
                let items: Vec<Py<PyAny>> = match vts {
                    Some(vts) => vts
                        .iter()
                        .map(|t| describe(py, booklet, &builder.by_index, *t, 0))
                        .collect::<PyResult<_>>()?,
                    None => ts
                        .iter()
                        .map(|t| Ok(PyString::new(py, &t.to_string()).into_any().unbind()))
                        .collect::<PyResult<_>>()?,
                };
                Ok(PyList::new(py, items)?.unbind())
            };
            let adapter = match kind {
                Some(rt::ExportKind::Core(_)) => None,
                Some(rt::ExportKind::Adapter(idx)) => Some(idx),
                None => booklet
                    .imports
                    .iter()
                    .position(|i| Some(&i.module) == e.module.as_ref() && i.name == e.name)
                    .map(|i| i as u32),
            };
            let fty = adapter.and_then(|idx| booklet.adapter_func_type(idx));
            Py::new(
                py,
                FuncInfo {
                    name: e.name.clone(),
                    module: e.module.clone(),
                    kind: if adapter.is_some() { "adapter" } else { "core" },
                    signature: e.ty.to_string(),
                    params: describe_all(fty.map(|f| f.params.as_slice()), &e.ty.params)?,
                    results: describe_all(fty.map(|f| f.results.as_slice()), &e.ty.results)?,
                    doc: e.doc.clone(),
                },
            )
        };
        let export_infos = exports
            .iter()
            .zip(m.exports())
            .map(|(e, x)| info(e, Some(x.kind)))
            .collect::<PyResult<Vec<_>>>()?;
        let import_infos = imports
            .iter()
            .map(|e| info(e, None))
            .collect::<PyResult<Vec<_>>>()?;
        Ok(Module {
            rt: m,
            exports: Arc::new(exports),
            imports: Arc::new(imports),
            types,
            export_infos: PyList::new(py, export_infos)?.unbind(),
            import_infos: PyList::new(py, import_infos)?.unbind(),
        })
    }
}

fn convs(builder: &mut Builder<'_, '_>, tys: &[ValType]) -> PyResult<Vec<Conv>> {
    tys.iter().map(|t| builder.conv(*t)).collect()
}

/// A type as a Python value: the keyword of a primitive, or a dict with one
/// key naming the form (as the conformance corpus spells types) plus
/// `"name"` when the booklet names the type and `"class"` for the Python
/// class of a record, enum, flags or variant.
fn describe(
    py: Python<'_>,
    b: &Booklet,
    classes: &HashMap<u32, Py<PyAny>>,
    ty: ValType,
    depth: usize,
) -> PyResult<Py<PyAny>> {
    let ValType::Type(i) = ty else {
        return Ok(PyString::new(py, ty.keyword().unwrap_or("?"))
            .into_any()
            .unbind());
    };
    if depth > 200 {
        return Ok(PyString::new(py, "…").into_any().unbind());
    }
    let d = |t: ValType| describe(py, b, classes, t, depth + 1);
    let opt = |t: Option<ValType>| -> PyResult<Py<PyAny>> {
        match t {
            Some(t) => d(t),
            None => Ok(py.None()),
        }
    };
    let out = PyDict::new(py);
    let named = |items: Vec<(String, Py<PyAny>)>| -> PyResult<Py<PyList>> {
        let list = PyList::empty(py);
        for (name, t) in items {
            let e = PyDict::new(py);
            e.set_item("name", name)?;
            e.set_item("type", t)?;
            list.append(e)?;
        }
        Ok(list.unbind())
    };
    match b.types.get(i as usize) {
        Some(TypeDef::Record(fs)) => out.set_item(
            "record",
            named(
                fs.iter()
                    .map(|f| Ok((f.name.clone(), d(f.ty)?)))
                    .collect::<PyResult<_>>()?,
            )?,
        )?,
        Some(TypeDef::Variant(cs)) => out.set_item(
            "variant",
            named(
                cs.iter()
                    .map(|c| Ok((c.name.clone(), opt(c.ty)?)))
                    .collect::<PyResult<_>>()?,
            )?,
        )?,
        Some(TypeDef::Enum(ns)) => out.set_item("enum", ns.clone())?,
        Some(TypeDef::Flags(ns)) => out.set_item("flags", ns.clone())?,
        Some(TypeDef::List(t)) => out.set_item("list", d(*t)?)?,
        Some(TypeDef::Option(t)) => out.set_item("option", d(*t)?)?,
        Some(TypeDef::Result { ok, err }) => {
            let r = PyDict::new(py);
            r.set_item("ok", opt(*ok)?)?;
            r.set_item("err", opt(*err)?)?;
            out.set_item("result", r)?;
        }
        Some(TypeDef::Tuple(ts)) => out.set_item(
            "tuple",
            ts.iter().map(|t| d(*t)).collect::<PyResult<Vec<_>>>()?,
        )?,
        Some(TypeDef::Func(_)) | None => return Ok(PyString::new(py, "?").into_any().unbind()),
    }
    if let Some(name) = b.type_names.get(&i) {
        out.set_item("name", name)?;
    }
    if let Some(class) = classes.get(&i) {
        out.set_item("class", class)?;
    }
    Ok(out.into_any().unbind())
}
