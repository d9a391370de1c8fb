"""Python-side value classes: wrappers for option/result values, and the
factories the native module calls to make one class per record, enum, flags
and variant type of a module (see docs/python.md, "Values")."""

from __future__ import annotations

import dataclasses
import enum
from typing import Any, Generic, Sequence, Tuple, TypeVar

T = TypeVar("T")
E = TypeVar("E")


class Some(Generic[T]):
    """`some(v)` of an `option<T>` whose `T` can itself be `None` (an option,
    an externref): `Some(None)` and `None` stay distinguishable. Other
    options are just the value or `None`."""

    __slots__ = ("value",)
    __match_args__ = ("value",)

    def __init__(self, value: T) -> None:
        self.value = value

    def __eq__(self, other: object) -> bool:
        return type(other) is Some and self.value == other.value

    def __hash__(self) -> int:
        return hash(("Some", self.value))

    def __repr__(self) -> str:
        return f"Some({self.value!r})"


class Ok(Generic[T]):
    """The `ok` case of a `result` that is not the only result of a call
    (one inside a list, a record, a tuple; and in arguments)."""

    __slots__ = ("value",)
    __match_args__ = ("value",)

    def __init__(self, value: T = None) -> None:  # type: ignore[assignment]
        self.value = value

    def __eq__(self, other: object) -> bool:
        return type(other) is Ok and self.value == other.value

    def __hash__(self) -> int:
        return hash(("Ok", self.value))

    def __repr__(self) -> str:
        return f"Ok({self.value!r})"


class Err(Generic[E]):
    """The `error` case of a `result`, where `Ok` would be used."""

    __slots__ = ("value",)
    __match_args__ = ("value",)

    def __init__(self, value: E = None) -> None:  # type: ignore[assignment]
        self.value = value

    def __eq__(self, other: object) -> bool:
        return type(other) is Err and self.value == other.value

    def __hash__(self) -> int:
        return hash(("Err", self.value))

    def __repr__(self) -> str:
        return f"Err({self.value!r})"


class Variant:
    """Base of every generated variant type. A variant type `Shape` has one
    subclass per case (`Shape.Circle(2.0)`, `Shape.Dot()`); `value` is the
    payload (`None` for a case without one)."""

    __slots__ = ("value",)
    _cases: Tuple[type, ...] = ()
    _case_name = ""
    _case_index = -1
    _has_payload = False

    def __init__(self, value: Any = None) -> None:
        if self._case_index < 0:
            raise TypeError(f"{type(self).__name__} is a variant type; construct one of its cases")
        if value is not None and not self._has_payload:
            raise TypeError(f"case {type(self).__qualname__} has no payload")
        self.value = value

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and self.value == other.value  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash((type(self), self.value))

    def __repr__(self) -> str:
        if self._has_payload:
            return f"{type(self).__qualname__}({self.value!r})"
        return f"{type(self).__qualname__}()"


def make_record(name: str, fields: Sequence[str], doc: str | None) -> type:
    """A dataclass with these (already Python-safe) field names, in order."""
    cls = dataclasses.make_dataclass(name, list(fields), eq=True, repr=True)
    cls.__module__ = "intertype.types"
    cls.__doc__ = doc or f"The record `{name}`."
    return cls


def make_enum(name: str, members: Sequence[Tuple[str, str]]) -> type:
    """An `enum.Enum`: Python member name -> case name (the member's value)."""
    cls = enum.Enum(name, list(members), module="intertype.types")  # type: ignore[misc]
    return cls


def make_flags(name: str, members: Sequence[str]) -> type:
    """An `enum.Flag`; flag i has value 1 << i."""
    cls = enum.Flag(name, [(m, 1 << i) for i, m in enumerate(members)], module="intertype.types")  # type: ignore[misc]
    return cls


def make_variant(name: str, cases: Sequence[Tuple[str, str, bool]]) -> type:
    """A variant base class with one subclass per case:
    (Python class name, case name, has payload)."""
    base = type(name, (Variant,), {"__slots__": (), "__module__": "intertype.types"})
    subclasses = []
    for index, (pyname, case, has_payload) in enumerate(cases):
        sub = type(
            pyname,
            (base,),
            {
                "__slots__": (),
                "__module__": "intertype.types",
                "__qualname__": f"{name}.{pyname}",
                "__match_args__": ("value",) if has_payload else (),
                "_case_name": case,
                "_case_index": index,
                "_has_payload": has_payload,
            },
        )
        setattr(base, pyname, sub)
        subclasses.append(sub)
    base._cases = tuple(subclasses)  # type: ignore[attr-defined]
    return base


# Shown as `intertype.X` in tracebacks and reprs.
for _cls in (Some, Ok, Err, Variant):
    _cls.__module__ = "intertype"
