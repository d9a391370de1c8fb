# frozen_string_literal: true

# Errors: one class per kind, with the trap code, misbehaviour or limit; the
# instance poisoned after a failure inside wasm; limits from Instance.new.

require_relative "helper"

class TestErrors < Minitest::Test
  KINDS = File.join(TestPaths::ROOT, "crates/intertype-c-api/tests/c/kinds.wat")
  HOST = { "host" => { "shout" => ->(s) { s }, "add" => ->(a, b) { a + b } } }.freeze

  def instance(**opts)
    Intertype::Instance.new(Intertype::Module.from_file(KINDS), imports: HOST, **opts)
  end

  def test_load_errors
    err = assert_raises(Intertype::LoadError) { Intertype::Module.from_bytes("\0asm\x02\0\0\0".b) }
    assert_equal :load, err.kind
    assert_raises(Intertype::LoadError) { Intertype::Module.from_file("/nonexistent/m.wasm") }
    assert_raises(Intertype::LoadError) { Intertype::Module.from_bytes("(module (func $f (result i32) i64.const 1))") }
  end

  def test_traps
    inst = instance
    err = assert_raises(Intertype::Trap) { inst.call("boom") }
    assert_equal :unreachable, err.trap_code
    assert_kind_of Intertype::Error, err
    assert inst.poisoned?
    err = assert_raises(Intertype::PoisonedError) { inst.call("add", 1, 2) }
    assert_match(/instantiate the module again/, err.message)
    inst.clear_poison!
    err = assert_raises(Intertype::Trap) { inst.call("div", 1, 0) }
    assert_equal :integer_division_by_zero, err.trap_code
    # A fresh instance is unaffected.
    assert_equal 3, instance.call("add", 1, 2)
  end

  def test_guest_misbehaviour
    err = assert_raises(Intertype::GuestError) { instance.call("bad_string") }
    assert_equal :out_of_bounds, err.misbehavior
  end

  def test_fuel
    inst = instance(fuel: 50_000)
    assert_equal 50_000, inst.fuel
    err = assert_raises(Intertype::LimitError) { inst.call("spin") }
    assert_equal :fuel, err.limit
    inst.clear_poison!
    inst.fuel = 10_000
    assert_equal 3, inst.call("add", 1, 2)
    assert_operator inst.fuel, :<, 10_000
    # Without fuel the default engine meters but never runs out.
    assert_equal 3, instance.call("add", 1, 2)
  end

  def test_fuel_needs_a_metering_engine
    mod = Intertype::Module.from_file(KINDS, engine: Intertype::Engine.new(fuel: false))
    assert_raises(Intertype::UsageError) { Intertype::Instance.new(mod, imports: HOST, fuel: 10) }
    assert_nil Intertype::Instance.new(mod, imports: HOST).fuel
  end

  def test_memory_limit
    mod = Intertype::Module.from_bytes('(module (memory (export "m") 20))')
    err = assert_raises(Intertype::LimitError) { Intertype::Instance.new(mod, max_memory: 65_536) }
    assert_equal :memory, err.limit
  end

  def test_usage
    inst = instance
    assert_raises(Intertype::UsageError) { inst.call("nope") }
    assert_raises(Intertype::UsageError) { inst.call("add", 1) }
    refute inst.poisoned?
  end

  def test_error_hierarchy
    assert_operator Intertype::EncodingError, :<, Intertype::HostTypeError
    [Intertype::LoadError, Intertype::LinkError, Intertype::Trap, Intertype::GuestError,
     Intertype::LimitError, Intertype::HostError, Intertype::PoisonedError, Intertype::UsageError,
     Intertype::ResultError].each { |c| assert_operator c, :<, Intertype::Error }
  end
end
