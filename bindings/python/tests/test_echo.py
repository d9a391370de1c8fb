"""Property tests through the echo guest (examples/echo): every type the
guest macros support goes in and must come back equal, with edge values
(empty, NUL, non-BMP characters, integer bounds, NaN, infinities)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import intertype

settings.register_profile("ci", max_examples=60, deadline=None)
settings.load_profile("ci")


@pytest.fixture(scope="module")
def inst(echo_module):
    return intertype.Instance(echo_module)


@pytest.fixture(scope="module")
def T(echo_module):
    return echo_module.types


def same(a, b):
    """Equality where NaN equals NaN (also inside containers)."""
    if isinstance(a, float) and isinstance(b, float):
        return (math.isnan(a) and math.isnan(b)) or a == b
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return a == b


text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40) | st.sampled_from(
    ["", "\0", "a\0b", "😀", "\U0010ffff", "é" * 100, "\ud7ff\ue000"]
)
chars = st.characters(blacklist_categories=("Cs",)) | st.sampled_from(["\0", "😀", "\U0010ffff"])


def ints(bits, signed):
    lo, hi = (-(1 << (bits - 1)), (1 << (bits - 1)) - 1) if signed else (0, (1 << bits) - 1)
    return st.integers(lo, hi) | st.sampled_from([lo, hi, 0])


SCALARS = [
    ("echo_bool", st.booleans()),
    ("echo_char", chars),
    ("echo_u8", ints(8, False)),
    ("echo_s8", ints(8, True)),
    ("echo_u16", ints(16, False)),
    ("echo_s16", ints(16, True)),
    ("echo_u32", ints(32, False)),
    ("echo_s32", ints(32, True)),
    ("echo_u64", ints(64, False)),
    ("echo_s64", ints(64, True)),
    ("echo_f32", st.floats(width=32) | st.sampled_from([math.nan, math.inf, -math.inf, -0.0])),
    ("echo_f64", st.floats() | st.sampled_from([math.nan, math.inf, -math.inf, 5e-324])),
    ("echo_string", text),
    ("echo_str", text),
    ("echo_bytes", st.binary(max_size=300)),
    ("echo_slice", st.binary(max_size=300)),
    ("echo_u64s", st.lists(ints(64, False), max_size=20)),
    ("echo_strings", st.lists(text, max_size=10)),
    ("echo_option", st.none() | text),
    ("echo_option_u32", st.none() | ints(32, False)),
]


@pytest.mark.parametrize("name, strategy", SCALARS, ids=[n for n, _ in SCALARS])
def test_round_trip(inst, name, strategy):
    f = getattr(inst.exports, name)

    @given(strategy)
    def check(x):
        got = f(x)
        assert same(got, x), (x, got)
        assert type(got) is type(x) or x is None

    check()


def test_bytes_accept_any_buffer(inst):
    assert inst.exports.echo_bytes(bytearray(b"ab")) == b"ab"
    assert inst.exports.echo_bytes(memoryview(b"xyz")[1:]) == b"yz"
    assert inst.exports.echo_bytes([1, 2, 255]) == b"\x01\x02\xff"


def test_results(inst):
    @given(text)
    def ok(s):
        assert inst.exports.echo_result(intertype.Ok(s)) == s

    @given(ints(32, False))
    def err(n):
        with pytest.raises(intertype.ResultError) as e:
            inst.exports.echo_result(intertype.Err(n))
        assert e.value.value == n

    ok()
    err()
    assert inst.exports.echo_result_unit(intertype.Ok()) is None
    with pytest.raises(intertype.ResultError) as e:
        inst.exports.echo_result_unit(intertype.Err("no"))
    assert e.value.value == "no"


def test_tuple_and_mix(inst, T):
    @given(ints(8, False), text, st.floats())
    def check(a, s, f):
        assert same(inst.exports.echo_tuple((a, s, f)), (a, s, f))

    check()
    p = T.Point(x=1, y=-2)
    assert inst.exports.mix(7, "s", p, [1, 65535], 0.5) == (7, "s", p, [1, 65535], 0.5)


def test_records(inst, T):
    persons = st.builds(
        T.Person,
        name=text,
        age=ints(8, False),
        tags=st.lists(text, max_size=4),
        home=st.none() | st.builds(T.Point, x=ints(32, True), y=ints(32, True)),
        score=st.floats(allow_nan=False),
    )

    @given(persons)
    def check(p):
        got = inst.exports.echo_person(p)
        assert got == p and type(got) is T.Person

    check()
    assert inst.exports.echo_point({"x": 3, "y": 4}) == T.Point(3, 4)
    assert repr(T.Point(3, 4)) == "Point(x=3, y=4)"
    assert inst.exports.echo_point_ref(T.Point(5, 6)) == T.Point(5, 6)

    @given(st.none() | st.lists(persons, max_size=3))
    def nested(ps):
        assert inst.exports.echo_nested(ps) == ps

    nested()


def test_enums_flags_variants(inst, T):
    for c in T.Color:
        assert inst.exports.echo_color(c) is c
    assert inst.exports.echo_color("green") is T.Color.GREEN
    assert inst.exports.echo_colors(["red", T.Color.BLUE]) == [T.Color.RED, T.Color.BLUE]

    perms = T.Perms.READ | T.Perms.EXEC
    assert inst.exports.echo_perms(perms) == perms
    assert inst.exports.echo_perms(T.Perms(0)) == T.Perms(0)

    @given(st.integers(0, (1 << 34) - 1))
    def wide(bits):
        assert inst.exports.echo_wide(T.Wide(bits)).value == bits

    wide()

    shapes = [
        T.Shape.Circle(2.0),
        T.Shape.Rect(T.Point(1, 2)),
        T.Shape.Dot(),
        T.Shape.Label((3, "x")),
        T.Shape.Big(2**64 - 1),
    ]
    for s in shapes:
        assert inst.exports.echo_shape(s) == s
    assert inst.exports.echo_shapes(shapes) == shapes
    assert repr(T.Shape.Circle(2.0)) == "Shape.Circle(2.0)"

    match inst.exports.echo_shape(T.Shape.Rect(T.Point(1, 2))):
        case T.Shape.Rect(T.Point(x=1, y=y)):
            assert y == 2
        case _:
            pytest.fail("no match")


def test_nothing_and_heap(inst):
    assert inst.exports.nothing() is None
    assert inst.exports.heap_in_use() == 0
