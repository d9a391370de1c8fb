"""`greet(string) -> string` from Python, every variant side by side in one
run, at 5 B and 64 KiB:

  intertype        the `intertype` package (this repository), `inst.exports.greet`
  wasmtime-glue    wasmtime-py (PyPI `wasmtime`) with hand-written glue on the
                   same core module: malloc, write, greet_, read, free
  wasmtime-comp    wasmtime-py's component support on the component the Rust
                   benchmark uses (crates/intertype-runtime/benches/fixtures)
  extism           Extism's Python SDK (PyPI `extism`), guest written with
                   extism-pdk (benches/guests/greet-extism)
  floor            `intertype.noop(name)`: a bare PyO3 call, the least any
                   call into native code costs

    pip install ./bindings/python wasmtime==50.0.1 extism
    python benches/python/bench.py            # needs cargo + wasm32 for the extism guest

Prints per-call times (median of repeats) and ratios (theirs / ours), with
the machine load. Results: docs/performance.md ("Python").
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import intertype

ROOT = Path(__file__).resolve().parents[2]
SIZES = {"5 B": "w" * 5, "64 KiB": "w" * 65536}


def guest_wat() -> str:
    """The WAT guest of the Rust benchmarks (one source for both)."""
    return (ROOT / "crates/intertype-bench-support/guests/greet.wat").read_text()


def core_wat() -> str:
    """The same module without its booklet (a plain core module)."""
    wat = guest_wat()
    return wat[: wat.index("(@interface")] + ")"


def setup_intertype():
    inst = intertype.Instance(intertype.Module(guest_wat()))
    return inst.exports.greet


def setup_floor():
    return intertype.noop


def setup_wasmtime_glue():
    import wasmtime

    engine = wasmtime.Engine()
    store = wasmtime.Store(engine)
    module = wasmtime.Module(engine, core_wat())
    inst = wasmtime.Instance(store, module, [])
    ex = inst.exports(store)
    mem, malloc, greet_, free = ex["mem"], ex["malloc"], ex["greet_"], ex["free"]

    def greet(name: str) -> str:
        data = name.encode()
        p = malloc(store, len(data))
        mem.write(store, data, p)
        q, n = greet_(store, p, len(data))
        out = mem.read(store, q, q + n).decode()
        free(store, q, n)
        return out

    return greet


def setup_wasmtime_component():
    import wasmtime
    from wasmtime import component

    engine = wasmtime.Engine()
    store = wasmtime.Store(engine)
    comp = component.Component.from_file(
        engine, str(ROOT / "crates/intertype-runtime/benches/fixtures/greet-wit.component.wasm")
    )
    linker = component.Linker(engine)
    inst = linker.instantiate(store, comp)
    func = inst.get_func(store, "greet")
    assert func is not None

    def greet(name: str) -> str:
        out = func(store, name)
        func.post_return(store)
        return out

    return greet


def extism_guest() -> Path:
    target = ROOT / "target" / "bench-guests" / "greet-extism"
    wasm = target / "wasm32-unknown-unknown/release/greet_extism.wasm"
    if not wasm.exists():
        subprocess.run(
            ["cargo", "build", "--locked", "--release", "--target", "wasm32-unknown-unknown"],
            cwd=ROOT / "benches/guests/greet-extism",
            env={**os.environ, "CARGO_TARGET_DIR": str(target)},
            check=True,
        )
    return wasm


def setup_extism():
    import extism

    plugin = extism.Plugin(extism_guest().read_bytes(), wasi=False)

    def greet(name: str) -> str:
        return plugin.call("greet", name, lambda b: bytes(b).decode())

    return greet


VARIANTS = {
    "floor": setup_floor,
    "intertype": setup_intertype,
    "wasmtime-glue": setup_wasmtime_glue,
    "wasmtime-comp": setup_wasmtime_component,
    "extism": setup_extism,
}


def per_call(f, arg, seconds: float, repeats: int) -> float:
    """Median over `repeats` of the mean time per call, in seconds."""
    # Calibrate the batch size to ~seconds/repeats per batch.
    n, t = 1, 0.0
    while t < 0.02:
        start = time.perf_counter()
        for _ in range(n):
            f(arg)
        t = time.perf_counter() - start
        n *= 2
    batch = max(1, int(n / 2 * (seconds / repeats) / t))
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(batch):
            f(arg)
        times.append((time.perf_counter() - start) / batch)
    return statistics.median(times)


def fmt(s: float) -> str:
    if s < 1e-6:
        return f"{s * 1e9:.0f} ns"
    if s < 1e-3:
        return f"{s * 1e6:.2f} µs"
    return f"{s * 1e3:.2f} ms"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=float, default=2.0, help="measuring time per variant and size")
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--only", nargs="*", default=list(VARIANTS), help="variants to run")
    args = ap.parse_args()

    fns = {}
    for name in args.only:
        try:
            fns[name] = VARIANTS[name]()
        except Exception as e:  # a missing peer is reported, not hidden
            print(f"{name}: not run ({type(e).__name__}: {e})", file=sys.stderr)
    # Every variant computes the same thing.
    for name, f in fns.items():
        if name != "floor":
            assert f("Lin") == "Hello, Lin", name

    print(f"Python {sys.version.split()[0]}, load average before: {os.getloadavg()}")
    results = {}
    for size, arg in SIZES.items():
        for name, f in fns.items():
            results[(name, size)] = per_call(f, arg, args.seconds, args.repeats)
    print(f"load average after: {os.getloadavg()}\n")

    names = list(fns)
    print("| variant | " + " | ".join(SIZES) + " |")
    print("|---|" + "---|" * len(SIZES))
    for name in names:
        cells = []
        for size in SIZES:
            t = results[(name, size)]
            ours = results.get(("intertype", size))
            ratio = f" ({t / ours:.1f}×)" if ours and name not in ("intertype", "floor") else ""
            cells.append(fmt(t) + ratio)
        print(f"| {name} | " + " | ".join(cells) + " |")
    print("\n(×: that variant's time / intertype's time: how many times faster intertype is)")


if __name__ == "__main__":
    main()
