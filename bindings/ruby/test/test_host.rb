# frozen_string_literal: true

# Host imports: Ruby lambdas as interface functions, with records, strings
# and externrefs; exceptions in them propagate out of the outer call.

require_relative "helper"

class TestHost < Minitest::Test
  KINDS = File.join(TestPaths::ROOT, "crates/intertype-c-api/tests/c/kinds.wat")

  def kinds(imports)
    Intertype::Instance.new(Intertype::Module.from_file(KINDS), imports: imports)
  end

  def test_string_and_integer_host_functions
    seen = []
    inst = kinds("host" => {
                   "shout" => ->(s) { seen << s; "#{s.upcase}!" },
                   "add" => ->(a, b) { a + b }
                 })
    assert_equal "HI THERE!", inst.call("shout", "hi there")
    assert_equal ["hi there"], seen
    assert_equal 5, inst.exports.add(2, 3)
  end

  def test_a_ruby_exception_propagates_out_of_the_call
    boom = Class.new(StandardError)
    inst = kinds("host" => { "shout" => ->(_) { raise boom, "from Ruby" }, "add" => ->(a, b) { a + b } })
    err = assert_raises(boom) { inst.call("shout", "x") }
    assert_equal "from Ruby", err.message
    assert inst.poisoned?
    assert_raises(Intertype::PoisonedError) { inst.call("add", 1, 2) }
  end

  def test_a_host_result_of_the_wrong_type
    inst = kinds("host" => { "shout" => ->(_) { 42 }, "add" => ->(_a, _b) { 2**40 } })
    assert_raises(Intertype::HostTypeError) { inst.call("shout", "x") }
    inst = kinds("host" => { "shout" => ->(s) { s }, "add" => ->(_a, _b) { 2**40 } })
    assert_raises(Intertype::HostTypeError) { inst.call("add", 1, 2) }
  end

  def test_a_host_function_calling_back_into_its_instance_is_refused
    inst = nil
    inst = kinds("host" => { "shout" => ->(s) { inst.call("add", 1, 2).to_s + s }, "add" => ->(a, b) { a + b } })
    err = assert_raises(Intertype::UsageError) { inst.call("shout", "x") }
    assert_match(/already running a call/, err.message)
  end

  def test_record_host_import
    logged = []
    mod = Intertype::Module.from_file(TestPaths.corpus("extension/shapes.wat"))
    inst = Intertype::Instance.new(mod, imports: { "host" => { "log_point" => ->(p) { logged << p; nil } } })
    assert_equal({ x: -2, y: 1 }, inst.call("flip", { x: 1, y: -2 }))
    inst.call("run_") if mod.exports.key?("run_")
    mod2 = Intertype::Module.from_file(TestPaths.corpus("extension/everything.wat"))
    inst2 = Intertype::Instance.new(mod2, imports: { host: { point: -> { { x: 7, y: 8 } } } })
    assert_equal({ x: 7, y: 8 }, inst2.call("host_point"))
  end

  def test_externrefs_are_the_same_ruby_object
    mod = Intertype::Module.from_file(TestPaths.corpus("reference/f-externref.wat"))
    obj = Object.new
    got = []
    inst = Intertype::Instance.new(mod, imports: { "host" => { "get" => -> { got << obj; obj } } })
    assert_same obj, inst.call("keep", obj)
    assert_nil inst.call("keep", nil)
    s = +"a string"
    assert_same s, inst.exports.keep_anyref(s)
    inst.call("pump")
    assert_equal [obj], got
  end

  def test_missing_and_unknown_imports
    mod = Intertype::Module.from_file(KINDS)
    err = assert_raises(Intertype::LinkError) { Intertype::Instance.new(mod) }
    assert_match(/shout/, err.message)
    err = assert_raises(Intertype::LinkError) do
      Intertype::Instance.new(mod, imports: { "host" => { "shout" => ->(s) { s }, "add" => ->(a, b) { a + b },
                                                          "extra" => -> {} } })
    end
    assert_match(/host.extra/, err.message)
  end
end
