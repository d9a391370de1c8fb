"""examples/c-greet from Python (issue 13): C compiled by clang against the
bindings of `wit-bindgen c`, adopted with `intertype component adopt` (the
example's build.sh), then loaded with this package."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import intertype
from conftest import ROOT, cli_path


def build(out: Path) -> Path:
    subprocess.run(
        ["bash", str(ROOT / "examples" / "c-greet" / "build.sh"), str(out)],
        env={**os.environ, "INTERTYPE": str(cli_path())},
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return out / "greet.wasm"


def test_c_greeting_runs_from_python(tmp_path: Path) -> None:
    module = intertype.Module.from_file(build(tmp_path))
    inst = intertype.Instance(module)
    assert inst.exports.greeting("Python") == "Hello, Python!"
    assert inst.exports.greeting("") == "Hello, !"
    assert inst.exports.greeting("世界 ✓") == "Hello, 世界 ✓!"
    # The generated `cabi_post_greeting` frees each result and the guest
    # frees its argument: 1,000 calls at 64 KiB stay within a few pages.
    big = "w" * (64 << 10)
    for _ in range(1000):
        assert len(inst.exports.greeting(big)) == len(big) + 8
    assert inst.memory_size("memory") < 16 << 20
