"""The exceptions of `intertype`: one class per kind of engine error
(`docs/runtime.md`, "Error model"), and `ResultError` for the error case of a
function whose only result is a `result`."""

from __future__ import annotations

from typing import Any, Optional


class Error(Exception):
    """Any error of the engine. `kind` names the engine's `ErrorKind`."""

    kind = "error"


class LoadError(Error):
    """The module could not be loaded (invalid core module, malformed or
    ill-typed booklet)."""

    kind = "load"


class LinkError(Error):
    """An import is missing or has the wrong type."""

    kind = "link"


class TrapError(Error):
    """Core wasm trapped. `trap_code` names the trap as wasmtime does
    (`"UnreachableCodeReached"`, `"MemoryOutOfBounds"`, ...) when it is
    known; `wasm_backtrace` holds the wasm frames."""

    kind = "trap"
    trap_code: Optional[str] = None
    wasm_backtrace: Optional[str] = None


class GuestError(Error):
    """The guest broke the interface contract (`misbehavior`: `"out-of-bounds"`,
    `"misaligned"`, `"invalid-encoding"`, `"bad-allocation"`,
    `"length-overflow"`, `"invalid-value"`)."""

    kind = "guest"
    misbehavior: str = ""


class LimitError(Error):
    """A resource limit was hit (`limit`: `"fuel"`, `"deadline"`, `"memory"`,
    `"table"`, `"resources"`, `"value-size"`)."""

    kind = "limit"
    limit: str = ""


class PoisonedError(Error):
    """An earlier call failed inside wasm; the instance refuses further calls
    (`Instance.clear_poison()` or a new instance)."""

    kind = "poisoned"


class HostError(Error):
    """A host value the guest cannot take (a lowering conversion out of range,
    a string outside Latin-1 for a Latin-1 parameter), or a host function
    that failed without a Python exception."""

    kind = "host"


class UsageError(Error):
    """No such function, an instance used from two threads at once, or a
    re-entrant call."""

    kind = "usage"


class ExitError(Error):
    """A WASI guest called `proc_exit`; `code` is its status."""

    kind = "exit"
    code: int = 0


class ResultError(Exception):
    """Raised for the error case of a call whose only result is a `result`;
    `value` is the error payload (`None` without one). Host functions raise
    it to return the error case."""

    def __init__(self, value: Any = None) -> None:
        super().__init__(value)
        self.value = value

    def __repr__(self) -> str:
        return f"ResultError({self.value!r})"


# Shown as `intertype.X` in tracebacks and reprs.
for _cls in (Error, LoadError, LinkError, TrapError, GuestError, LimitError, PoisonedError, HostError, UsageError, ExitError, ResultError):
    _cls.__module__ = "intertype"
