//! `intertype.Instance`, its `exports` and the bound functions: calls with
//! Python values, host imports as Python callables, limits.
//!
//! Threads: wasm runs with the GIL released. An instance is one wasmtime
//! store and is used by one thread at a time: a second thread (or a host
//! function re-entering its own instance) gets `UsageError` instead of
//! waiting, so a re-entrant call cannot deadlock.

use crate::convert::Conv;
use crate::errors;
use crate::module::{FuncEntry, Module};
use intertype_runtime as rt;
use pyo3::exceptions::{PyAttributeError, PyKeyError, PyOverflowError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyList, PyString, PyTuple};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// The first Python exception a host function raised during the current
/// call; re-raised unchanged (type, traceback) when the call fails.
type Pending = Arc<Mutex<Option<PyErr>>>;

pub(crate) struct Shared {
    inst: Mutex<rt::Instance>,
    funcs: Vec<rt::Func>,
    entries: Arc<Vec<FuncEntry>>,
    pending: Pending,
    by_name: HashMap<String, usize>,
}

/// A module instance: its own memory, globals and fuel.
#[pyclass(frozen, module = "intertype", name = "Instance")]
pub(crate) struct Instance {
    shared: Arc<Shared>,
    module: Py<Module>,
    exports: Py<Exports>,
}

/// `instance.exports`: one attribute per export (`-` in names becomes `_`;
/// `exports["original-name"]` works too).
#[pyclass(frozen, module = "intertype", name = "Exports")]
pub(crate) struct Exports {
    funcs: Py<PyDict>,
    by_py_name: Py<PyDict>,
}

/// An export bound to its instance; call it with Python values.
#[pyclass(frozen, module = "intertype", name = "Function")]
pub(crate) struct Function {
    shared: Arc<Shared>,
    idx: usize,
}

fn lookup<'py>(obj: &Bound<'py, PyAny>, key: &str) -> PyResult<Option<Bound<'py, PyAny>>> {
    if let Ok(d) = obj.cast::<PyDict>() {
        return d.get_item(key);
    }
    match obj.getattr(key) {
        Ok(v) => Ok(Some(v)),
        Err(e) if e.is_instance_of::<PyAttributeError>(obj.py()) => Ok(None),
        Err(e) => Err(e),
    }
}

fn result_error(py: Python<'_>) -> PyResult<&Bound<'_, PyAny>> {
    static CLASS: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    CLASS.import(py, "intertype._errors", "ResultError")
}

/// Re-raises `e` with the same type and "in argument i of `f`: " before
/// its message (for the conversion errors this module raises).
fn in_argument(py: Python<'_>, e: PyErr, what: &str) -> PyErr {
    let msg = format!("{what}: {}", e.value(py));
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

/// The host function for one import: converts the engine's arguments to
/// Python, calls `callable`, converts what it returns.
fn host_func(
    entry: &FuncEntry,
    callable: Py<PyAny>,
    pending: Pending,
) -> impl Fn(&[rt::Value], &mut Vec<rt::Value>) -> Result<(), rt::Error> + Send + Sync + 'static {
    let params: Vec<Conv> = entry.params.clone();
    let results: Vec<Conv> = entry.results.clone();
    let raises = entry.raises;
    let label = format!(
        "host function `{}` `{}`",
        entry.module.as_deref().unwrap_or(""),
        entry.name
    );
    move |args, out| {
        Python::attach(|py| {
            let mut run = || -> PyResult<()> {
                let py_args = params
                    .iter()
                    .zip(args)
                    .map(|(c, v)| c.to_py(py, v.clone()))
                    .collect::<PyResult<Vec<_>>>()?;
                let ret = callable.bind(py).call1(PyTuple::new(py, py_args)?);
                match results.as_slice() {
                    [] => {
                        ret?;
                    }
                    [Conv::Result { ok, err }] if raises => {
                        let payload = |c: &Option<Arc<Conv>>, v: Bound<'_, PyAny>| -> PyResult<_> {
                            match c {
                                Some(c) => Ok(Some(Box::new(c.to_value(&v)?))),
                                None => Ok(None),
                            }
                        };
                        match ret {
                            Ok(v) => out.push(rt::Value::Result(Ok(payload(ok, v)?))),
                            Err(e) if e.is_instance(py, result_error(py)?) => {
                                let v = e.value(py).getattr("value")?;
                                out.push(rt::Value::Result(Err(payload(err, v)?)));
                            }
                            Err(e) => return Err(e),
                        }
                    }
                    [one] => out.push(one.to_value(&ret?)?),
                    many => {
                        let ret = ret?;
                        let t = ret.cast::<PyTuple>().map_err(|_| {
                            PyTypeError::new_err(format!(
                                "{label} must return a tuple of {} values",
                                many.len()
                            ))
                        })?;
                        if t.len() != many.len() {
                            return Err(PyTypeError::new_err(format!(
                                "{label} must return a tuple of {} values, returned {}",
                                many.len(),
                                t.len()
                            )));
                        }
                        for (c, v) in many.iter().zip(t.iter()) {
                            out.push(c.to_value(&v)?);
                        }
                    }
                }
                Ok(())
            };
            run().map_err(|e| {
                let message = format!("{label} raised {}", e);
                let mut slot = pending.lock().unwrap_or_else(|p| p.into_inner());
                if slot.is_none() {
                    *slot = Some(e);
                }
                rt::Error::host(message)
            })
        })
    }
}

#[pymethods]
impl Instance {
    /// Instantiates `module`. `imports` maps import module names to
    /// mappings (or objects) of callables: `{"host": {"log": print}}`.
    /// `wasi=True` gives the guest WASI preview 1 with the host's stdio;
    /// `fuel` bounds the instructions it may run; `max_memory` its linear
    /// memory in bytes.
    #[new]
    #[pyo3(signature = (module, imports=None, *, wasi=false, fuel=None, max_memory=None))]
    fn new(
        py: Python<'_>,
        module: Bound<'_, Module>,
        imports: Option<Bound<'_, PyAny>>,
        wasi: bool,
        fuel: Option<u64>,
        max_memory: Option<usize>,
    ) -> PyResult<Instance> {
        let m = module.get();
        let pending: Pending = Arc::new(Mutex::new(None));
        let mut linker = rt::Linker::new(m.rt.engine());
        linker.limits(rt::Limits {
            fuel,
            max_memory_bytes: max_memory,
            ..m.rt.engine().config().limits.clone()
        });
        if wasi {
            linker
                .wasi(rt::WasiOptions {
                    inherit_stdio: true,
                    ..Default::default()
                })
                .map_err(|e| errors::from_engine(&e))?;
        }
        if let Some(imports) = &imports {
            for entry in m.imports.iter() {
                let module_name = entry.module.as_deref().unwrap_or("");
                let Some(ns) = lookup(imports, module_name)? else {
                    continue;
                };
                let Some(f) = lookup(&ns, &entry.name)? else {
                    continue;
                };
                if !f.is_callable() {
                    return Err(PyTypeError::new_err(format!(
                        "import `{module_name}` `{}` must be callable",
                        entry.name
                    )));
                }
                linker.func_new(
                    module_name,
                    &entry.name,
                    entry.ty.clone(),
                    host_func(entry, f.unbind(), pending.clone()),
                );
            }
        }
        let inst = py.detach(|| linker.instantiate(&m.rt));
        let inst = match inst {
            Ok(i) => i,
            Err(e) => {
                if let Some(pe) = pending.lock().unwrap_or_else(|p| p.into_inner()).take() {
                    return Err(pe);
                }
                return Err(errors::from_engine(&e));
            }
        };
        let funcs = m
            .exports
            .iter()
            .map(|e| {
                inst.func(&e.name)
                    .ok_or_else(|| errors::internal("an export of the module is missing"))
            })
            .collect::<PyResult<Vec<_>>>()?;
        let mut by_name = HashMap::new();
        for (i, e) in m.exports.iter().enumerate() {
            by_name.entry(e.name.clone()).or_insert(i);
        }
        for (i, e) in m.exports.iter().enumerate() {
            by_name.entry(e.py_name.clone()).or_insert(i);
        }
        let shared = Arc::new(Shared {
            inst: Mutex::new(inst),
            funcs,
            entries: m.exports.clone(),
            pending,
            by_name,
        });
        let funcs = PyDict::new(py);
        let by_py_name = PyDict::new(py);
        for (idx, e) in m.exports.iter().enumerate() {
            let f = Py::new(
                py,
                Function {
                    shared: shared.clone(),
                    idx,
                },
            )?;
            funcs.set_item(&e.name, f.clone_ref(py))?;
            by_py_name.set_item(&e.py_name, f)?;
        }
        let exports = Py::new(
            py,
            Exports {
                funcs: funcs.unbind(),
                by_py_name: by_py_name.unbind(),
            },
        )?;
        Ok(Instance {
            shared,
            module: module.unbind(),
            exports,
        })
    }

    #[getter]
    fn exports(&self, py: Python<'_>) -> Py<Exports> {
        self.exports.clone_ref(py)
    }

    #[getter]
    fn module(&self, py: Python<'_>) -> Py<Module> {
        self.module.clone_ref(py)
    }

    /// Calls export `name` (its interface name, or the attribute name).
    #[pyo3(signature = (name, *args))]
    fn call(&self, py: Python<'_>, name: &str, args: &Bound<'_, PyTuple>) -> PyResult<Py<PyAny>> {
        let idx = *self
            .shared
            .by_name
            .get(name)
            .ok_or_else(|| errors::usage(format!("the module has no function `{name}`")))?;
        call(py, &self.shared, idx, args)
    }

    /// Remaining fuel (`None` if the instance has no fuel limit).
    #[getter]
    fn get_fuel(&self) -> PyResult<Option<u64>> {
        let inst = self.lock()?;
        Ok(inst.fuel().filter(|f| *f != u64::MAX))
    }

    #[setter]
    fn set_fuel(&self, fuel: u64) -> PyResult<()> {
        let mut inst = self.lock()?;
        inst.set_fuel(fuel).map_err(|e| errors::from_engine(&e))
    }

    /// Whether an earlier call failed inside wasm (see `clear_poison`).
    #[getter]
    fn poisoned(&self) -> PyResult<bool> {
        Ok(self.lock()?.is_poisoned())
    }

    /// Lets calls run again after a failure inside wasm, accepting that the
    /// guest may have been interrupted mid-update (docs/runtime.md).
    fn clear_poison(&self) -> PyResult<()> {
        self.lock()?.clear_poison();
        Ok(())
    }

    /// Size in bytes of the core memory exported as `name` (`None` if none).
    fn memory_size(&self, name: &str) -> PyResult<Option<usize>> {
        Ok(self.lock()?.memory_size(name))
    }

    fn __repr__(&self) -> String {
        let names: Vec<&str> = self
            .shared
            .entries
            .iter()
            .map(|e| e.name.as_str())
            .collect();
        format!("<intertype.Instance exports={names:?}>")
    }
}

impl Instance {
    fn lock(&self) -> PyResult<std::sync::MutexGuard<'_, rt::Instance>> {
        self.shared.inst.try_lock().map_err(|_| busy())
    }
}

#[cold]
fn busy() -> PyErr {
    errors::usage(
        "the instance is in use: an instance runs one call at a time (another thread is calling it, \
         or a host function called back into its own instance); use one instance per thread",
    )
}

/// Converts the arguments (type errors before wasm runs), runs the call with
/// the GIL released, converts the results.
fn call(
    py: Python<'_>,
    shared: &Shared,
    idx: usize,
    args: &Bound<'_, PyTuple>,
) -> PyResult<Py<PyAny>> {
    let e = &shared.entries[idx];
    if args.len() != e.params.len() {
        return Err(PyTypeError::new_err(format!(
            "{}() takes {} argument{} ({}), got {}",
            e.py_name,
            e.params.len(),
            if e.params.len() == 1 { "" } else { "s" },
            e.ty,
            args.len()
        )));
    }
    let mut vals = Vec::with_capacity(e.params.len());
    for (i, (c, a)) in e.params.iter().zip(args.iter()).enumerate() {
        vals.push(
            c.to_value(&a)
                .map_err(|err| in_argument(py, err, &format!("argument {i} of {}()", e.py_name)))?,
        );
    }
    let mut guard = shared.inst.try_lock().map_err(|_| busy())?;
    let inst: &mut rt::Instance = &mut guard;
    let func = &shared.funcs[idx];
    let mut out = Vec::with_capacity(e.results.len());
    let r = py.detach(|| func.call_into(inst, &vals, &mut out));
    drop(guard);
    if let Err(err) = r {
        let pending = shared
            .pending
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        return Err(pending.unwrap_or_else(|| errors::from_engine(&err)));
    }
    lift_results(py, e, out)
}

fn lift_results(py: Python<'_>, e: &FuncEntry, out: Vec<rt::Value>) -> PyResult<Py<PyAny>> {
    if out.len() != e.results.len() {
        return Err(errors::internal("wrong number of results"));
    }
    let mut out = out.into_iter();
    match e.results.as_slice() {
        [] => Ok(py.None()),
        [Conv::Result { ok, err }] if e.raises => match out.next() {
            Some(rt::Value::Result(Ok(p))) => match (ok, p) {
                (Some(c), Some(p)) => c.to_py(py, *p),
                _ => Ok(py.None()),
            },
            Some(rt::Value::Result(Err(p))) => {
                let v = match (err, p) {
                    (Some(c), Some(p)) => c.to_py(py, *p)?,
                    _ => py.None(),
                };
                Err(PyErr::from_value(result_error(py)?.call1((v,))?))
            }
            _ => Err(errors::internal("expected a result")),
        },
        [one] => one.to_py(py, out.next().unwrap_or(rt::Value::Bool(false))),
        many => {
            let items = many
                .iter()
                .zip(out)
                .map(|(c, v)| c.to_py(py, v))
                .collect::<PyResult<Vec<_>>>()?;
            Ok(PyTuple::new(py, items)?.into_any().unbind())
        }
    }
}

#[pymethods]
impl Function {
    #[pyo3(signature = (*args))]
    fn __call__(&self, py: Python<'_>, args: &Bound<'_, PyTuple>) -> PyResult<Py<PyAny>> {
        call(py, &self.shared, self.idx, args)
    }

    /// The interface name.
    #[getter]
    fn __name__(&self) -> String {
        self.shared.entries[self.idx].name.clone()
    }

    /// The signature in `intertype inspect`'s words.
    #[getter]
    fn signature(&self) -> String {
        self.shared.entries[self.idx].ty.to_string()
    }

    /// The booklet's documentation of the function, if any.
    #[getter]
    fn doc(&self) -> Option<String> {
        self.shared.entries[self.idx].doc.clone()
    }

    fn __repr__(&self) -> String {
        let e = &self.shared.entries[self.idx];
        format!("<intertype.Function {:?}: {}>", e.name, e.ty)
    }
}

#[pymethods]
impl Exports {
    fn __getattr__(&self, py: Python<'_>, name: &str) -> PyResult<Py<PyAny>> {
        match self.by_py_name.bind(py).get_item(name)? {
            Some(f) => Ok(f.unbind()),
            None => Err(PyAttributeError::new_err(format!(
                "the module has no export `{name}`"
            ))),
        }
    }

    fn __getitem__(&self, py: Python<'_>, name: &str) -> PyResult<Py<PyAny>> {
        match self.funcs.bind(py).get_item(name)? {
            Some(f) => Ok(f.unbind()),
            None => match self.by_py_name.bind(py).get_item(name)? {
                Some(f) => Ok(f.unbind()),
                None => Err(PyKeyError::new_err(name.to_string())),
            },
        }
    }

    fn __contains__(&self, py: Python<'_>, name: &str) -> PyResult<bool> {
        Ok(self.funcs.bind(py).contains(name)? || self.by_py_name.bind(py).contains(name)?)
    }

    fn __dir__(&self, py: Python<'_>) -> Py<PyList> {
        self.by_py_name.bind(py).keys().unbind()
    }

    fn __iter__(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        Ok(self.funcs.bind(py).keys().try_iter()?.into_any().unbind())
    }

    fn __len__(&self, py: Python<'_>) -> usize {
        self.funcs.bind(py).len()
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        let names: Vec<String> = self
            .funcs
            .bind(py)
            .keys()
            .iter()
            .map(|k| {
                k.cast::<PyString>()
                    .map(|s| s.to_string())
                    .unwrap_or_default()
            })
            .collect();
        format!("<intertype.Exports {names:?}>")
    }
}
