"""intertype: run WebAssembly modules that carry interface types, with
Python values.

    import intertype
    module = intertype.Module.from_file("markdown.wasm")
    inst = intertype.Instance(module)
    inst.exports.render("# hi")            # '<h1>hi</h1>\\n'

A thin layer over the Rust engine (`intertype-runtime` on wasmtime); see
docs/python.md for the value mapping, errors, threads and limits.
"""

from ._errors import (
    Error,
    ExitError,
    GuestError,
    HostError,
    LimitError,
    LinkError,
    LoadError,
    PoisonedError,
    ResultError,
    TrapError,
    UsageError,
)
from ._values import Err, Ok, Some, Variant
from ._native import Exports, FuncInfo, Instance, Module, noop

__all__ = [
    "Err",
    "Error",
    "ExitError",
    "Exports",
    "FuncInfo",
    "GuestError",
    "HostError",
    "Instance",
    "LimitError",
    "LinkError",
    "LoadError",
    "Module",
    "Ok",
    "PoisonedError",
    "ResultError",
    "Some",
    "TrapError",
    "UsageError",
    "Variant",
    "noop",
]
