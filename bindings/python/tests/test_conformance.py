"""The shared conformance corpus (tests/conformance/*.json, format in
docs/conformance.md) through the Python package: the same modules, calls and
expected values as the Rust and JS runners. Values go through the package's
own mapping (records as generated classes, enums by name, options, results
as `ResultError`, externrefs by identity), driven by the structured types
`Module.exports` reports."""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path
from typing import Any, Dict, List

import pytest

import intertype
from conftest import ROOT, guest_path

CORPUS = ROOT / "tests" / "conformance"
FILES = sorted(p.name for p in CORPUS.glob("*.json"))


def test_corpus_is_there():
    assert len(FILES) >= 15, FILES


class HostFailure(Exception):
    """What a corpus host function with `"error"` raises."""


def can_be_none(ty: Any) -> bool:
    return ty == "externref" or (isinstance(ty, dict) and "option" in ty)


class Refs:
    """One host object per `{"ref": name}`; identity maps them back."""

    def __init__(self) -> None:
        self.objs: Dict[str, object] = {}

    def get(self, name: str) -> object:
        return self.objs.setdefault(name, type("HostObject", (), {"name": name})())

    def name(self, obj: object) -> str:
        for n, o in self.objs.items():
            if o is obj:
                return n
        return f"<unknown object {obj!r}>"


def to_py(ty: Any, j: Any, refs: Refs) -> Any:
    """Corpus JSON -> the Python value the package takes for type `ty`."""
    if isinstance(ty, str):
        if ty in ("s64", "u64"):
            return int(j)
        if ty == "i64":
            n = int(j)
            return n - (1 << 64) if n >= 1 << 63 else n
        if ty == "i32":
            return j - (1 << 32) if j >= 1 << 31 else j
        if ty in ("f32", "f64"):
            return {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}.get(j, j) if isinstance(j, str) else float(j)
        if ty == "externref":
            return None if j is None else refs.get(j["ref"])
        return j
    if "list" in ty:
        if ty["list"] == "u8":
            return bytes(j)
        return [to_py(ty["list"], x, refs) for x in j]
    if "record" in ty:
        # A dict keyed by interface names (the package accepts both dicts
        # and instances of the record's class).
        return {f["name"]: to_py(f["type"], j[f["name"]], refs) for f in ty["record"]}
    if "tuple" in ty:
        return tuple(to_py(t, x, refs) for t, x in zip(ty["tuple"], j))
    if "variant" in ty:
        cls = ty["class"]
        for i, case in enumerate(ty["variant"]):
            if case["name"] == j["tag"]:
                sub = cls._cases[i]
                return sub(to_py(case["type"], j.get("val"), refs)) if case["type"] is not None else sub()
        raise ValueError(f"no case {j['tag']}")
    if "enum" in ty:
        return j  # the case name; the package accepts it for the member
    if "flags" in ty:
        cls = ty["class"]
        members = list(cls)
        value = cls(0)
        for name in j:
            value |= members[ty["flags"].index(name)]
        return value
    if "option" in ty:
        if j is None:
            return None
        inner = to_py(ty["option"], j["some"], refs)
        return intertype.Some(inner) if can_be_none(ty["option"]) else inner
    if "result" in ty:
        if "ok" in j:
            t = ty["result"]["ok"]
            return intertype.Ok(None if t is None else to_py(t, j["ok"], refs))
        t = ty["result"]["err"]
        return intertype.Err(None if t is None else to_py(t, j["err"], refs))
    raise ValueError(f"unknown type {ty}")


def float_json(x: float) -> Any:
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return x


def to_json(ty: Any, v: Any, refs: Refs) -> Any:
    """A Python value the package returned for type `ty` -> corpus JSON."""
    if isinstance(ty, str):
        if ty in ("s64", "u64", "i64"):
            assert type(v) is int, v
            return str(v)
        if ty in ("f32", "f64"):
            assert type(v) is float, v
            return float_json(v)
        if ty == "externref":
            return None if v is None else {"ref": refs.name(v)}
        if ty == "bool":
            assert type(v) is bool, v
        elif ty in ("char", "string"):
            assert type(v) is str, v
        else:
            assert type(v) is int, v
        return v
    if "list" in ty:
        if ty["list"] == "u8":
            assert type(v) is bytes, v
            return list(v)
        assert type(v) is list, v
        return [to_json(ty["list"], x, refs) for x in v]
    if "record" in ty:
        assert type(v) is ty["class"], v
        fields = dataclasses.fields(v)
        return {f["name"]: to_json(f["type"], getattr(v, pf.name), refs) for f, pf in zip(ty["record"], fields)}
    if "tuple" in ty:
        assert type(v) is tuple, v
        return [to_json(t, x, refs) for t, x in zip(ty["tuple"], v)]
    if "variant" in ty:
        assert isinstance(v, ty["class"]), v
        case = ty["variant"][v._case_index]
        if case["type"] is None:
            return {"tag": case["name"]}
        return {"tag": case["name"], "val": to_json(case["type"], v.value, refs)}
    if "enum" in ty:
        assert isinstance(v, ty["class"]), v
        return v.value
    if "flags" in ty:
        assert isinstance(v, ty["class"]), v
        return [n for i, n in enumerate(ty["flags"]) if v.value & (1 << i)]
    if "option" in ty:
        if v is None:
            return None
        if can_be_none(ty["option"]):
            assert type(v) is intertype.Some, v
            v = v.value
        return {"some": to_json(ty["option"], v, refs)}
    if "result" in ty:
        key, t = ("ok", ty["result"]["ok"]) if type(v) is intertype.Ok else ("err", ty["result"]["err"])
        assert type(v) in (intertype.Ok, intertype.Err), v
        return {key: None if t is None else to_json(t, v.value, refs)}
    raise ValueError(f"unknown type {ty}")


def make_host(info: Any, spec: Dict[str, Any], refs: Refs, log: List[Any]):
    returns = spec.get("returns", [])
    error = spec.get("error")

    def host(*args: Any) -> Any:
        log.append(
            {
                "module": info.module,
                "name": info.name,
                "args": [to_json(t, a, refs) for t, a in zip(info.params, args)],
            }
        )
        if error is not None:
            raise HostFailure(error)
        values = [to_py(t, j, refs) for t, j in zip(info.results, returns)]
        if len(info.results) == 1 and isinstance(info.results[0], dict) and "result" in info.results[0]:
            r = values[0]
            if type(r) is intertype.Err:
                raise intertype.ResultError(r.value)
            return r.value
        if len(values) == 0:
            return None
        if len(values) == 1:
            return values[0]
        return tuple(values)

    return host


def results_json(info: Any, ret: Any, refs: Refs) -> List[Any]:
    n = len(info.results)
    if n == 0:
        assert ret is None
        return []
    if n == 1:
        ty = info.results[0]
        if isinstance(ty, dict) and "result" in ty:
            # The only result is a result: the call returned the ok payload.
            t = ty["result"]["ok"]
            return [{"ok": None if t is None else to_json(t, ret, refs)}]
        return [to_json(ty, ret, refs)]
    assert type(ret) is tuple and len(ret) == n
    return [to_json(t, v, refs) for t, v in zip(info.results, ret)]


@pytest.mark.parametrize("file", FILES)
def test_conformance(file: str) -> None:
    path = CORPUS / file
    spec = json.loads(path.read_text())
    if "module" in spec:
        module = intertype.Module.from_file(path.parent / spec["module"])
    else:
        module = intertype.Module.from_file(guest_path(spec["guest"]))
    exports = {f.name: f for f in module.exports}
    imports = {(f.module, f.name): f for f in module.imports}
    refs = Refs()
    log: List[Any] = []
    host_ns: Dict[str, Dict[str, Any]] = {}
    for h in spec.get("host", []):
        info = imports[(h["module"], h["name"])]
        host_ns.setdefault(h["module"], {})[h["name"]] = make_host(info, h, refs, log)
    inst = intertype.Instance(module, host_ns)

    problems = []
    for i, step in enumerate(spec["steps"]):
        log.clear()
        call = step["call"]
        label = f"step {i}: {call}({', '.join(json.dumps(a)[:60] for a in step.get('args', []))})"
        info = exports.get(call)
        if info is None:
            problems.append(f"{label}: no export `{call}`")
            continue
        args = [to_py(t, a, refs) for t, a in zip(info.params, step.get("args", []))]
        got: Any
        try:
            ret = inst.call(call, *args)
            got = results_json(info, ret, refs)
        except intertype.ResultError as e:
            t = info.results[0]["result"]["err"]
            got = [{"err": None if t is None else to_json(t, e.value, refs)}]
        except (intertype.TrapError, intertype.GuestError) as e:
            got = {"error": "trap", "message": str(e)}
        except (intertype.HostError, HostFailure) as e:
            got = {"error": "host", "message": str(e)}
        if inst.poisoned:
            inst.clear_poison()
        if "expect" in step:
            if got != step["expect"]:
                problems.append(f"{label}: expected {step['expect']}, got {got}")
        else:
            want = step["expect_error"]
            if not (isinstance(got, dict) and got.get("error") == want):
                problems.append(f"{label}: expected a `{want}` error, got {got}")
        if "host_calls" in step and log != step["host_calls"]:
            problems.append(f"{label}: host calls {log}, expected {step['host_calls']}")
    assert not problems, f"{file}: failing steps:\n" + "\n".join(problems)
