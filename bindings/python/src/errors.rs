//! Engine errors as Python exceptions: the classes live in
//! `intertype/_errors.py` (one per `ErrorKind`); this maps each error to its
//! class and fills in the details (trap code, backtrace, limit, …).

use intertype_runtime::{Error, ErrorKind, Limit, Misbehavior};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;

fn class<'py>(py: Python<'py>, name: &str) -> PyResult<Bound<'py, PyAny>> {
    static ERRORS: PyOnceLock<Py<PyModule>> = PyOnceLock::new();
    let m = ERRORS.get_or_try_init(py, || {
        Ok::<_, PyErr>(py.import("intertype._errors")?.unbind())
    })?;
    m.bind(py).getattr(name)
}

/// An exception of class `intertype.<name>` with `message` and attributes.
fn raise(name: &str, message: String, attrs: &[(&str, Option<String>)]) -> PyErr {
    Python::attach(|py| {
        let make = || -> PyResult<PyErr> {
            let exc = class(py, name)?.call1((message.clone(),))?;
            for (k, v) in attrs {
                exc.setattr(*k, v.clone())?;
            }
            Ok(PyErr::from_value(exc))
        };
        make().unwrap_or_else(|e| e)
    })
}

#[cold]
pub(crate) fn load(message: impl Into<String>) -> PyErr {
    raise("LoadError", message.into(), &[])
}

#[cold]
pub(crate) fn usage(message: impl Into<String>) -> PyErr {
    raise("UsageError", message.into(), &[])
}

#[cold]
pub(crate) fn internal(message: &str) -> PyErr {
    raise("Error", format!("internal error: {message}"), &[])
}

fn misbehavior(m: Misbehavior) -> &'static str {
    match m {
        Misbehavior::OutOfBounds => "out-of-bounds",
        Misbehavior::Misaligned => "misaligned",
        Misbehavior::InvalidEncoding => "invalid-encoding",
        Misbehavior::BadAllocation => "bad-allocation",
        Misbehavior::LengthOverflow => "length-overflow",
        Misbehavior::InvalidValue => "invalid-value",
    }
}

fn limit(l: Limit) -> &'static str {
    match l {
        Limit::Fuel => "fuel",
        Limit::Deadline => "deadline",
        Limit::Memory => "memory",
        Limit::Table => "table",
        Limit::Resources => "resources",
        Limit::ValueSize => "value-size",
    }
}

/// The Python exception for an engine error.
#[cold]
pub(crate) fn from_engine(e: &Error) -> PyErr {
    let message = e.to_string();
    let backtrace = e.backtrace().map(str::to_string);
    match e.kind() {
        ErrorKind::Load => raise("LoadError", message, &[]),
        ErrorKind::Link => raise("LinkError", message, &[]),
        ErrorKind::HostType | ErrorKind::Host => raise("HostError", message, &[]),
        ErrorKind::Trap => raise(
            "TrapError",
            message,
            &[
                ("trap_code", e.trap_code().map(|t| format!("{t:?}"))),
                ("wasm_backtrace", backtrace),
            ],
        ),
        ErrorKind::Guest(m) => raise(
            "GuestError",
            message,
            &[
                ("misbehavior", Some(misbehavior(m).into())),
                ("wasm_backtrace", backtrace),
            ],
        ),
        ErrorKind::Limit(l) => raise("LimitError", message, &[("limit", Some(limit(l).into()))]),
        ErrorKind::Poisoned => raise("PoisonedError", message, &[]),
        ErrorKind::Usage => raise("UsageError", message, &[]),
        ErrorKind::Exit(code) => Python::attach(|py| {
            let e = raise("ExitError", message, &[]);
            let _ = e.value(py).setattr("code", code);
            e
        }),
        _ => raise("Error", message, &[]),
    }
}
