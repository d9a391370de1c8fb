//! `intertype._native`: the Python package's extension module, a thin layer
//! over `intertype-runtime` (one implementation of the semantics). The
//! Python half (`python/intertype/`) holds the exception classes and the
//! factories for per-module value classes. See `docs/python.md`.

mod convert;
mod errors;
mod instance;
mod module;
mod naming;

use pyo3::prelude::*;

/// Does nothing: the cost of a bare PyO3 call, the floor the benchmark
/// (`benches/python/bench.py`) compares calls into wasm with.
#[pyfunction]
#[pyo3(signature = (*_args))]
fn noop(_args: &Bound<'_, pyo3::types::PyTuple>) {}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<module::Module>()?;
    m.add_class::<module::FuncInfo>()?;
    m.add_class::<instance::Instance>()?;
    m.add_class::<instance::Exports>()?;
    m.add_class::<instance::Function>()?;
    m.add_function(wrap_pyfunction!(noop, m)?)?;
    Ok(())
}
