# frozen_string_literal: true

# The echo guest (examples/echo) over every type it has: Ruby values go in
# and the same values come back, and the guest's heap is back to zero after.

require_relative "helper"

class TestEcho < Minitest::Test
  # Compiled once: a debug build of the engine compiles slowly.
  def self.echo_module
    @echo_module ||= Intertype::Module.from_file(TestPaths.guest("echo"))
  end

  def setup
    @inst = Intertype::Instance.new(self.class.echo_module)
    @e = @inst.exports
  end

  def teardown
    assert_equal 0, @e.heap_in_use, "the guest leaked"
  end

  def test_scalars
    assert_equal true, @e.echo_bool(true)
    assert_equal false, @e.echo_bool(false)
    assert_equal "ß", @e.echo_char("ß")
    assert_equal "😀", @e.echo_char("😀")
    assert_equal 255, @e.echo_u8(255)
    assert_equal(-128, @e.echo_s8(-128))
    assert_equal 65_535, @e.echo_u16(65_535)
    assert_equal(-32_768, @e.echo_s16(-32_768))
    assert_equal 4_294_967_295, @e.echo_u32(4_294_967_295)
    assert_equal(-2_147_483_648, @e.echo_s32(-2_147_483_648))
    assert_equal 18_446_744_073_709_551_615, @e.echo_u64(18_446_744_073_709_551_615)
    assert_equal(-9_223_372_036_854_775_808, @e.echo_s64(-9_223_372_036_854_775_808))
    assert_equal 1.5, @e.echo_f32(1.5)
    assert_equal(-0.1, @e.echo_f64(-0.1))
    assert @e.echo_f64(Float::NAN).nan?
    assert_equal Float::INFINITY, @e.echo_f64(Float::INFINITY)
    assert_equal 3.0, @e.echo_f64(3) # an Integer is a fine f64
  end

  def test_strings_and_bytes
    assert_equal "", @e.echo_string("")
    s = "héllo, 世界 \u0000 😀"
    assert_equal s, @e.echo_string(s)
    assert_equal Encoding::UTF_8, @e.echo_string(s).encoding
    assert_equal "x" * 100_000, @e.echo_str("x" * 100_000)
    # Strings in other encodings are transcoded to UTF-8.
    assert_equal "é", @e.echo_string("é".encode(Encoding::ISO_8859_1))
    bytes = (0..255).to_a.pack("C*")
    assert_equal bytes, @e.echo_bytes(bytes)
    assert_equal Encoding::BINARY, @e.echo_bytes(bytes).encoding
    assert_equal [1, 2, 3].pack("C*"), @e.echo_slice([1, 2, 3])
    assert_equal "".b, @e.echo_bytes("")
  end

  def test_lists
    assert_equal [0, 18_446_744_073_709_551_615], @e.echo_u64s([0, 18_446_744_073_709_551_615])
    assert_equal ["a", "", "ü"], @e.echo_strings(["a", "", "ü"])
    assert_equal [], @e.echo_strings([])
    assert_equal %i[red blue], @e.echo_colors(%i[red blue])
  end

  def test_options_and_results
    assert_nil @e.echo_option(nil)
    assert_equal "x", @e.echo_option("x")
    assert_equal 0, @e.echo_option_u32(0)
    assert_nil @e.echo_option_u32(nil)
    assert_equal "fine", @e.echo_result({ ok: "fine" })
    err = assert_raises(Intertype::ResultError) { @e.echo_result({ err: 7 }) }
    assert_equal 7, err.value
    assert_nil @e.echo_result_unit({ ok: nil })
    err = assert_raises(Intertype::ResultError) { @e.echo_result_unit({ "err" => "no" }) }
    assert_equal "no", err.value
  end

  def test_records_tuples_variants
    assert_equal({ x: 1, y: -2 }, @e.echo_point({ x: 1, y: -2 }))
    assert_equal({ x: 1, y: -2 }, @e.echo_point({ "x" => 1, "y" => -2 }))
    point = Struct.new(:x, :y)
    assert_equal({ x: 3, y: 4 }, @e.echo_point(point.new(3, 4)))
    assert_equal({ x: 5, y: 6 }, @e.echo_point_ref({ x: 5, y: 6 }))
    person = { name: "Lin", age: 30, tags: %w[a b], home: { x: 1, y: 2 }, score: 9.5 }
    assert_equal person, @e.echo_person(person)
    assert_equal person.merge(home: nil), @e.echo_person(person.merge(home: nil))
    assert_equal [7, "seven", 7.5], @e.echo_tuple([7, "seven", 7.5])
    assert_equal :green, @e.echo_color(:green)
    assert_equal :green, @e.echo_color("green")
    [
      Intertype::Variant.new(:circle, 1.5),
      Intertype::Variant.new(:rect, { x: 1, y: 2 }),
      Intertype::Variant.new(:dot, nil),
      Intertype::Variant.new(:label, [1, "one"]),
      Intertype::Variant.new(:big, 2**64 - 1)
    ].each { |v| assert_equal v, @e.echo_shape(v) }
    assert_equal Intertype::Variant.new(:dot, nil), @e.echo_shape(:dot)
    shapes = [Intertype::Variant.new(:dot, nil), Intertype::Variant.new(:circle, 2.0)]
    assert_equal shapes, @e.echo_shapes(shapes)
    nested = [person, person.merge(name: "Ada", tags: [])]
    assert_equal nested, @e.echo_nested(nested)
    assert_nil @e.echo_nested(nil)
  end

  def test_flags
    assert_equal Set[:read, :exec], @e.echo_perms(Set[:read, :exec])
    assert_equal Set[], @e.echo_perms([])
    wide = Set[:f0, :f31, :f32, :f33]
    assert_equal wide, @e.echo_wide(wide)
  end

  def test_several_params_and_none
    result = @e.mix(1, "s", { x: 1, y: 2 }, [1, 65_535], 0.5)
    assert_equal [1, "s", { x: 1, y: 2 }, [1, 65_535], 0.5], result
    assert_nil @e.nothing
  end

  def test_values_that_do_not_fit
    assert_raises(Intertype::HostTypeError) { @e.echo_u8(256) }
    assert_raises(Intertype::HostTypeError) { @e.echo_s8(-129) }
    assert_raises(Intertype::HostTypeError) { @e.echo_u64(-1) }
    assert_raises(Intertype::HostTypeError) { @e.echo_u32("1") }
    assert_raises(Intertype::HostTypeError) { @e.echo_bool(nil) }
    assert_raises(Intertype::HostTypeError) { @e.echo_char("ab") }
    assert_raises(Intertype::HostTypeError) { @e.echo_color(:purple) }
    assert_raises(Intertype::HostTypeError) { @e.echo_point({ x: 1 }) }
    assert_raises(Intertype::HostTypeError) { @e.echo_point({ x: 1, y: 2, z: 3 }) }
    assert_raises(Intertype::HostTypeError) { @e.echo_perms([:nope]) }
    assert_raises(Intertype::HostTypeError) { @e.echo_shape(Intertype::Variant.new(:dot, 1)) }
    assert_raises(Intertype::HostTypeError) { @e.echo_bytes([256]) }
    err = assert_raises(Intertype::EncodingError) { @e.echo_string("\xff\xfe".b) }
    assert_match(/not valid UTF-8/, err.message)
    assert_raises(Intertype::EncodingError) { @e.echo_string("\xff".dup.force_encoding(Encoding::UTF_8)) }
    assert_raises(Intertype::UsageError) { @e.echo_u8(1, 2) }
    assert_raises(NoMethodError) { @e.no_such_function }
    refute @inst.poisoned?, "errors before wasm runs leave the instance alone"
  end
end
