"""The examples of examples/ from Python: markdown (byte-identical HTML to
the Rust engine, via `intertype run`), contacts (records, lists, options,
results, a variant, host imports), externrefs, and the leak check."""

from __future__ import annotations

import gc
import json
import resource
import subprocess

import pytest

import intertype
from conftest import ROOT, cli_path, guest_path


def wave_string(s: str) -> str:
    out = []
    for c in s:
        if c in '"\\\'':
            out.append("\\" + c)
        elif c == "\n":
            out.append("\\n")
        elif c == "\t":
            out.append("\\t")
        elif c == "\r":
            out.append("\\r")
        elif ord(c) < 0x20 or ord(c) == 0x7F:
            out.append("\\u{%x}" % ord(c))
        else:
            out.append(c)
    return '"' + "".join(out) + '"'


DOCS = [
    "# Hello",
    "",
    "*a* **b** `c` [d](http://e) <span>\"quotes\" & 'apostrophes'</span>\n\n- x\n- y\n\n> q\n",
    "tabs\tand\r\ncontrol \x01 chars, non-BMP 😀, NUL-free",
    (ROOT / "README.md").read_text(),
    (ROOT / "docs" / "runtime.md").read_text(),
]


def test_markdown_matches_rust_engine():
    """`render` from Python gives the bytes the Rust engine gives (the CLI,
    `intertype run --json`), on small cases and this repository's docs,
    joined into one document (one CLI run: a debug CLI compiles the guest
    slowly)."""
    wasm = guest_path("markdown")
    inst = intertype.Instance(intertype.Module.from_file(wasm))
    assert inst.exports.render("# Hello") == "<h1>Hello</h1>\n"
    doc = "\n\n---\n\n".join(DOCS)
    html = inst.exports.render(doc)
    out = subprocess.run(
        [str(cli_path()), "run", str(wasm), f"render({wave_string(doc)})", "--json"],
        capture_output=True,
        check=True,
    )
    rust = json.loads(out.stdout)["results"][0]
    assert html.encode() == rust.encode()
    assert len(html) > 10_000


def test_markdown_wasm_bindgen_module():
    """The 2019 demo module as wasm-bindgen wrote it."""
    inst = intertype.Instance(intertype.Module.from_file(ROOT / "tests/corpus/wasm-bindgen/markdown.wasm"))
    assert inst.exports.render("# Hello") == "<h1>Hello</h1>\n"


@pytest.fixture
def contacts():
    module = intertype.Module.from_file(guest_path("contacts"))
    logged = []
    clock = [1_700_000_000]

    def now():
        clock[0] += 1
        return clock[0]

    inst = intertype.Instance(module, {"host": {"log": logged.append, "now": now}})
    return module, inst, logged


def test_contacts(contacts):
    module, inst, logged = contacts
    T = module.types
    ada = T.Contact(name="Ada", email="ada@example.com", phones=[T.Phone(T.PhoneKind.MOBILE, "123")])
    assert inst.exports.add(ada) == 1
    assert logged == ["added Ada as #1"]
    # A dict is accepted for a record, a case name for an enum.
    assert inst.exports.add({"name": "Bob", "email": None, "phones": [{"kind": "work", "number": "9"}]}) == 2
    assert inst.exports.count() == 2

    entry = inst.exports.get(1)
    assert type(entry) is T.Entry
    assert entry.id == 1 and entry.added_at == 1_700_000_001 and entry.contact == ada
    assert inst.exports.get(99) is None
    assert [e.contact.name for e in inst.exports.find("b")] == ["Bob"]

    # Errors are the variant, raised as ResultError.
    with pytest.raises(intertype.ResultError) as e:
        inst.exports.add(T.Contact(name=" ", email=None, phones=[]))
    assert e.value.value == T.Problem.Invalid("the name is empty")
    with pytest.raises(intertype.ResultError) as e:
        inst.exports.add(ada)
    assert e.value.value == T.Problem.Duplicate()
    with pytest.raises(intertype.ResultError) as e:
        inst.exports.remove(7)
    match e.value.value:
        case T.Problem.NotFound(n):
            assert n == 7
        case _:
            pytest.fail("expected NotFound")
    assert inst.exports.remove(1) is None
    assert logged[-1] == "removed Ada"


def test_signatures_and_docs(contacts):
    module, inst, _ = contacts
    by_name = {f.name: f for f in module.exports}
    assert by_name["add"].signature.startswith("func(record")
    assert by_name["add"].doc.strip() == "Adds a contact; returns its id."
    assert by_name["add"].params[0]["name"] == "contact"
    assert by_name["add"].params[0]["class"] is module.types.Contact
    assert inst.exports.find.doc.strip().startswith("Entries whose name")
    imports = {(f.module, f.name): f for f in module.imports}
    assert imports[("host", "now")].results == ["u64"]
    assert imports[("host", "log")].params == ["string"]


def test_externref_identity():
    module = intertype.Module.from_file(ROOT / "tests/corpus/reference/f-externref.wat")
    obj = object()
    inst = intertype.Instance(module, {"host": {"get": lambda: obj}})
    mine = {"any": "python object"}
    assert inst.exports.keep(mine) is mine
    assert inst.exports.keep(None) is None


def test_core_exports_stay_callable():
    module = intertype.Module(
        """(module (memory (export "mem") 1)
          (func (export "add") (param i32 i64) (result i64) local.get 1 local.get 0 i64.extend_i32_s i64.add)
          (func $g (export "g_") (result i32 i32) i32.const 0 i32.const 2)
          (data (i32.const 0) "hi")
          (@interface func (export "g") (result string) call-core $g memory-to-string "mem"))"""
    )
    kinds = {f.name: f.kind for f in module.exports}
    assert kinds == {"g": "adapter", "add": "core"}
    inst = intertype.Instance(module)
    assert inst.exports.g() == "hi"
    assert inst.exports.add(-1, 2**40) == 2**40 - 1


def test_text_and_bytes_sources():
    wat = (ROOT / "tests/corpus/article/greeting.wat").read_text()
    a = intertype.Module(wat)
    b = intertype.Module((ROOT / "tests/corpus/article/greeting.wat").read_text().encode())
    assert intertype.Instance(a).exports.greeting() == intertype.Instance(b).exports.greeting()


def rss_kib() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def test_no_leak(echo_module):
    """100,000 calls with strings and records: guest heap back to zero,
    guest memory and host RSS flat after a warm-up."""
    inst = intertype.Instance(echo_module)
    T = echo_module.types
    person = T.Person(name="Ada Lovelace", age=36, tags=["math", "engines"], home=T.Point(1, 2), score=1.5)

    def burst(n):
        for i in range(n):
            assert inst.exports.echo_string("héllo wörld 😀") == "héllo wörld 😀"
            inst.exports.echo_person(person)

    burst(5_000)
    gc.collect()
    mem0, rss0 = inst.memory_size("memory"), rss_kib()
    burst(50_000)
    gc.collect()
    assert inst.exports.heap_in_use() == 0
    assert inst.memory_size("memory") == mem0
    rss1 = rss_kib()
    # 100,000 calls leaking even 16 bytes each would add ~1.5 MiB.
    assert rss1 - rss0 < 1024, (rss0, rss1)
