"""`intertype bindgen python`: the generated typed module works (same
classes as the package makes, docs as docstrings) and `mypy --strict`
accepts a script that uses it."""

from __future__ import annotations

import ast
import importlib.util
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import cli_path, guest_path


def generate(guest: str, out: Path) -> None:
    subprocess.run([str(cli_path()), "bindgen", "python", str(guest_path(guest)), "--out-dir", str(out)], check=True)


def load(path: Path):
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_generated_module_runs(tmp_path):
    generate("contacts", tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["contacts.py", "contacts.pyi", "contacts.wasm"]
    contacts = load(tmp_path / "contacts.py")
    logged = []
    c = contacts.Contacts({"host": {"log": logged.append, "now": lambda: 5}})
    assert c.add(contacts.Contact("Ada", None, [contacts.Phone(contacts.PhoneKind.HOME, "1")])) == 1
    entry = c.get(1)
    assert type(entry) is contacts.Entry and entry.added_at == 5
    assert contacts.Contacts.add.__doc__ == "Adds a contact; returns its id."
    assert c.count() == 1
    assert logged == ["added Ada as #1"]
    # Parameters keep the Rust guest's names (the booklet's parameter names).
    assert c.add(contact=contacts.Contact("Lin", None, [])) == 2
    assert "def get(self, id: int)" in (tmp_path / "contacts.pyi").read_text()
    # The classes are the package's own for this module.
    assert contacts.Problem is contacts.module.types.Problem


def test_mypy_strict(tmp_path):
    generate("echo", tmp_path)
    generate("contacts", tmp_path)
    script = tmp_path / "use_it.py"
    script.write_text(
        textwrap.dedent(
            """
            from typing import Optional
            import intertype
            from echo import Echo, Point, Color, Shape, Perms
            from contacts import Contacts, Contact, Entry, Phone, PhoneKind

            e = Echo()
            p: Point = e.echo_point(Point(1, 2))
            n: int = p.x + e.echo_u32(3)
            c: Color = e.echo_color("red")
            s = e.echo_shape(Shape.Circle(1.0))
            if isinstance(s, Shape.Circle):
                f: float = s.value
            perms: Perms = e.echo_perms(Perms.READ | Perms.WRITE)
            o: Optional[str] = e.echo_option(None)
            text: str = e.echo_string("x")

            def log(message: str) -> None:
                print(message)

            book = Contacts({"host": {"log": log, "now": lambda: 0}})
            ident: int = book.add(Contact("Ada", None, [Phone(PhoneKind.WORK, "1")]))
            entry: Optional[Entry] = book.get(ident)
            names: list[str] = [x.contact.name for x in book.find("a")]
            try:
                book.remove(99)
            except intertype.ResultError as err:
                print(err.value)
            """
        )
    )
    env = {**os.environ, "MYPYPATH": str(tmp_path)}
    out = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(script)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    # And it runs.
    run = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr


def test_mypy_catches_a_wrong_type(tmp_path):
    generate("echo", tmp_path)
    script = tmp_path / "wrong.py"
    script.write_text("from echo import Echo\nx: str = Echo().echo_u32(1)\n")
    out = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(script)],
        cwd=tmp_path,
        env={**os.environ, "MYPYPATH": str(tmp_path)},
        capture_output=True,
        text=True,
    )
    assert out.returncode == 1 and "Incompatible types" in out.stdout, out.stdout


def test_hostile_names(tmp_path):
    """Names from the module never reach the generated source raw."""
    wat = tmp_path / "evil.wat"
    wat.write_text(
        r'''(module
          (memory (export "mem") 1)
          (func $f (result i32) i32.const 1)
          (@interface type $r (record (field "class" s32) (field "__init__" s32) (field "a\"); import os #" s32)))
          (@interface func (export "x\"\n__import__('os')") (result s32) call-core $f i32-to-s32)
          (@interface func (export "import") (result s32) call-core $f i32-to-s32))'''
    )
    subprocess.run([str(cli_path()), "bindgen", "python", str(wat), "--out-dir", str(tmp_path)], check=True)
    for f in ("evil.py", "evil.pyi"):
        tree = ast.parse((tmp_path / f).read_text())
        for node in ast.walk(tree):
            # The hostile text only ever appears inside string constants.
            assert not (isinstance(node, ast.Name) and node.id in ("os", "__import__")), f
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                mods = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module]
                assert set(mods) <= {"intertype", "enum", "__future__", "pathlib", "typing"}, mods
    evil = load(tmp_path / "evil.py")
    inst = evil.Evil()
    assert inst.import_() == 1
