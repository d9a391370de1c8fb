"""Errors: one class per engine error kind, raised where the engine
documents them; a host function's exception propagating unchanged; limits;
poisoning; type errors before wasm runs; one thread per instance."""

from __future__ import annotations

import threading
import time
import traceback

import pytest

import intertype
from conftest import ROOT

TRAPS = ROOT / "tests" / "conformance" / "modules" / "traps.wat"


def traps(fail=None):
    module = intertype.Module.from_file(TRAPS)
    return intertype.Instance(module, {"host": {"fail": fail or (lambda: None)}})


def test_hierarchy():
    for cls in (
        intertype.LoadError,
        intertype.LinkError,
        intertype.TrapError,
        intertype.GuestError,
        intertype.LimitError,
        intertype.PoisonedError,
        intertype.HostError,
        intertype.UsageError,
        intertype.ExitError,
    ):
        assert issubclass(cls, intertype.Error)
    assert not issubclass(intertype.ResultError, intertype.Error)


def test_load_error():
    with pytest.raises(intertype.LoadError, match="neither|magic|invalid"):
        intertype.Module(b"\0asm\x02\0\0\0")
    with pytest.raises(intertype.LoadError):
        intertype.Module("(module (@interface func (export \"f\") (result string) call-export \"nope\"))")
    with pytest.raises(intertype.LoadError, match="cannot read"):
        intertype.Module.from_file(ROOT / "no-such-file.wasm")
    with pytest.raises(TypeError):
        intertype.Module(42)


def test_link_error():
    module = intertype.Module.from_file(TRAPS)
    with pytest.raises(intertype.LinkError, match="host.*fail"):
        intertype.Instance(module)
    with pytest.raises(TypeError, match="callable"):
        intertype.Instance(module, {"host": {"fail": 3}})


def test_trap_error_with_code_and_backtrace():
    inst = traps()
    with pytest.raises(intertype.TrapError) as e:
        inst.exports.core_trap()
    assert e.value.trap_code == "UnreachableCodeReached"
    assert "unreachable_" in e.value.wasm_backtrace  # the wasm frame that trapped


@pytest.mark.parametrize(
    "call, misbehavior",
    [
        ("outside_string", "out-of-bounds"),
        ("bad_utf8", "invalid-encoding"),
        ("surrogate", "invalid-value"),
        ("bad_enum", "invalid-value"),
        ("bad_flags", "invalid-value"),
    ],
)
def test_guest_errors(call, misbehavior):
    inst = traps()
    with pytest.raises(intertype.GuestError) as e:
        inst.call(call)
    assert e.value.misbehavior == misbehavior


def test_bad_allocation():
    inst = traps()
    with pytest.raises(intertype.GuestError) as e:
        inst.exports.outside_alloc("hello")
    assert e.value.misbehavior == "bad-allocation"


def test_poisoned_then_cleared():
    inst = traps()
    assert inst.exports.echo("a") == "a"
    with pytest.raises(intertype.TrapError):
        inst.exports.core_trap()
    assert inst.poisoned
    with pytest.raises(intertype.PoisonedError, match="instantiate the module again"):
        inst.exports.echo("b")
    inst.clear_poison()
    assert inst.exports.echo("c") == "c"
    # A fresh instance of the same module is unaffected by the other's failure.
    assert traps().exports.echo("d") == "d"


def test_deferred_free_runs_on_failure():
    inst = traps()
    before = inst.exports.frees()
    with pytest.raises(intertype.GuestError):
        inst.exports.freed_on_trap()
    inst.clear_poison()
    assert inst.exports.frees() == before + 1


class Boom(Exception):
    pass


def test_host_exception_propagates_unchanged():
    def fail():
        raise Boom("from the host")

    inst = traps(fail)
    with pytest.raises(Boom, match="from the host") as e:
        inst.exports.host_fails()
    # The traceback still reaches into the host function.
    frames = [f.name for f in traceback.extract_tb(e.value.__traceback__)]
    assert "fail" in frames
    # The engine documents: a failure inside wasm poisons the instance.
    with pytest.raises(intertype.PoisonedError):
        inst.exports.echo("x")


def test_host_returning_wrong_type():
    module = intertype.Module(
        """(module
          (import "env" "get_" (func $get_ (result i32)))
          (func $run_ (export "run_") (result i32) call $get_)
          (@interface import "host" "get" (func (result s32)))
          (@interface func (export "run") (result s32) call-core $run_ i32-to-s32)
          (@interface implement (import "env" "get_") (result i32) call-adapter 0 s32-to-i32))"""
    )
    inst = intertype.Instance(module, {"host": {"get": lambda: 7}})
    assert inst.exports.run() == 7
    inst = intertype.Instance(module, {"host": {"get": lambda: "seven"}})
    with pytest.raises(TypeError, match="expected s32, found str"):
        inst.exports.run()
    inst = intertype.Instance(module, {"host": {"get": lambda: 1 << 40}})
    with pytest.raises(OverflowError):
        inst.exports.run()


def test_type_errors_before_wasm(echo_module):
    inst = intertype.Instance(echo_module)
    with pytest.raises(TypeError, match="argument 0 of echo_string"):
        inst.exports.echo_string(5)
    with pytest.raises(TypeError, match="takes 1 argument"):
        inst.exports.echo_string()
    with pytest.raises(OverflowError):
        inst.exports.echo_u8(256)
    with pytest.raises(OverflowError):
        inst.exports.echo_s8(-129)
    with pytest.raises(OverflowError):
        inst.exports.echo_u64(-1)
    with pytest.raises(OverflowError):
        inst.exports.echo_u64(1 << 64)
    with pytest.raises(TypeError):
        inst.exports.echo_u32(True)
    with pytest.raises(TypeError):
        inst.exports.echo_u32(1.5)
    with pytest.raises(TypeError):
        inst.exports.echo_bool(1)
    with pytest.raises(TypeError):
        inst.exports.echo_bytes("text")
    with pytest.raises(ValueError):
        inst.exports.echo_char("ab")
    with pytest.raises(ValueError):
        inst.exports.echo_color("purple")
    with pytest.raises(TypeError):
        inst.exports.echo_point({"x": 1})
    # None of these reached wasm: the instance is not poisoned.
    assert not inst.poisoned
    assert inst.exports.heap_in_use() == 0
    with pytest.raises(intertype.UsageError):
        inst.call("no_such_function")
    with pytest.raises(AttributeError):
        inst.exports.no_such_function


def test_fuel_limit():
    module = intertype.Module(
        """(module
          (func (export "spin") (loop $l (br $l)))
          (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add))"""
    )
    inst = intertype.Instance(module, fuel=10_000)
    assert inst.exports.add(1, 2) == 3
    with pytest.raises(intertype.LimitError) as e:
        inst.exports.spin()
    assert e.value.limit == "fuel"
    # Unlimited by default.
    assert intertype.Instance(module).fuel is None


def test_memory_limit():
    module = intertype.Module(
        """(module (memory (export "mem") 1)
          (func (export "grow") (param i32) (result i32) local.get 0 memory.grow))"""
    )
    inst = intertype.Instance(module, max_memory=4 * 65536)
    assert inst.exports.grow(1) == 1
    assert inst.memory_size("mem") == 2 * 65536
    # Growing past the limit is refused as wasmtime's own limits refuse it:
    # `memory.grow` returns -1 to the guest, which may handle it.
    assert inst.exports.grow(100) == -1
    assert inst.memory_size("mem") == 2 * 65536
    # A memory that cannot even be created fails instantiation.
    with pytest.raises(intertype.LimitError) as e:
        intertype.Instance(
            intertype.Module('(module (memory (export "mem") 10))'), max_memory=65536
        )
    assert e.value.limit == "memory"


def test_one_thread_at_a_time():
    """A host function that blocks keeps the instance busy: another thread
    gets UsageError (never a second call on one store), and re-entering the
    same instance from a host function is refused the same way."""
    entered = threading.Event()
    release = threading.Event()

    def fail():
        entered.set()
        release.wait(10)

    inst = traps(fail)
    t = threading.Thread(target=inst.exports.host_fails)
    t.start()
    assert entered.wait(10)
    try:
        with pytest.raises(intertype.UsageError, match="in use"):
            inst.exports.echo("x")
    finally:
        release.set()
        t.join()
    assert inst.exports.echo("y") == "y"

    holder = {}

    def reenter():
        holder["inst"].exports.echo("again")

    holder["inst"] = traps(reenter)
    with pytest.raises(intertype.UsageError):
        holder["inst"].exports.host_fails()


def test_module_shared_across_threads():
    module = intertype.Module.from_file(TRAPS)
    out = []

    def work(i):
        inst = intertype.Instance(module, {"host": {"fail": lambda: None}})
        out.append(all(inst.exports.echo(f"{i}-{k}") == f"{i}-{k}" for k in range(200)))

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert out == [True] * 4


def test_gil_released_while_wasm_runs():
    module = intertype.Module(
        '(module (func (export "spin") (param i32) (local i32)'
        ' (loop $l (br_if $l (i32.ne (local.tee 1 (i32.add (local.get 1) (i32.const 1))) (local.get 0))))))'
    )
    inst = intertype.Instance(module)
    ticks = []
    done = threading.Event()

    def ticker():
        while not done.is_set():
            ticks.append(time.perf_counter())

    t = threading.Thread(target=ticker)
    t.start()
    try:
        start = time.perf_counter()
        inst.exports.spin(200_000_000)
        end = time.perf_counter()
    finally:
        done.set()
        t.join()
    # Ticks in the middle of the call: none if the GIL were held while wasm
    # runs (Python threads only switch in the interpreter loop).
    margin = (end - start) / 4
    middle = [x for x in ticks if start + margin < x < end - margin]
    assert len(middle) > 100, (len(ticks), end - start)
