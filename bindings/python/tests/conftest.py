"""Shared helpers: where the repository's modules and built guests are.

The suite runs against the installed package (`pip install ./bindings/python`
into a fresh virtualenv, then `pytest bindings/python/tests`; scripts/test.sh
does both). Example guests come from `cargo test -p intertype-guest-tests`
(`<target>/wasm-guests`); a missing one is built with cargo here.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


def target_dir() -> Path:
    return Path(os.environ.get("CARGO_TARGET_DIR") or ROOT / "target")


def guest_path(name: str) -> Path:
    """The example guest `name` (examples/), built for wasm32 if missing."""
    out = target_dir() / "wasm-guests"
    path = out / "wasm32-unknown-unknown/release" / (name.replace("-", "_") + ".wasm")
    if not path.exists():
        env = {k: v for k, v in os.environ.items() if k not in ("RUSTFLAGS", "CARGO_TARGET_DIR", "CARGO_BUILD_TARGET")}
        subprocess.run(
            ["cargo", "build", "--release", "--target", "wasm32-unknown-unknown", "-p", name, "--target-dir", str(out)],
            cwd=ROOT / "examples",
            env=env,
            check=True,
        )
    return path


def cli_path() -> Path:
    """The `intertype` command (built by `cargo build -p intertype-cli` if missing)."""
    exe = target_dir() / "debug" / "intertype"
    if not exe.exists():
        subprocess.run(["cargo", "build", "-p", "intertype-cli"], cwd=ROOT, check=True)
    return exe


@pytest.fixture(scope="session")
def echo_module():
    import intertype

    return intertype.Module.from_file(guest_path("echo"))
