# frozen_string_literal: true

# No leak across 100,000 calls: the process's resident memory stays flat
# (after a warm-up), the guest's heap returns to zero, and externrefs are
# released.

require_relative "helper"

class TestLeak < Minitest::Test
  def rss_kib
    File.read("/proc/self/status")[/^VmRSS:\s+(\d+)/, 1].to_i
  end

  def test_100_000_calls_keep_rss_flat
    inst = Intertype::Instance.new(Intertype::Module.from_file(TestPaths.guest("echo")))
    person = { name: "Lin", age: 30, tags: %w[a b], home: { x: 1, y: 2 }, score: 9.5 }
    call = lambda do |i|
      case i % 4
      when 0 then inst.call("echo_string", "hello, world #{i}")
      when 1 then inst.call("echo_person", person)
      when 2 then inst.call("echo_bytes", "bytes")
      else
        begin
          inst.call("echo_result", { err: i })
        rescue Intertype::ResultError
          nil
        end
      end
    end
    10_000.times(&call)
    GC.start
    before = rss_kib
    100_000.times(&call)
    GC.start
    after = rss_kib
    assert_equal 0, inst.call("heap_in_use")
    growth = after - before
    assert_operator growth, :<, 8 * 1024, "RSS grew by #{growth} KiB over 100,000 calls (#{before} -> #{after})"
  end

  def test_externrefs_are_released
    mod = Intertype::Module.from_file(TestPaths.corpus("reference/f-externref.wat"))
    # References of instances that earlier tests dropped may still await the
    # GC; collect them first so that they are not counted (or freed) below.
    GC.start
    GC.start
    baseline = Intertype::Refs.live_count
    inst = Intertype::Instance.new(mod, imports: { "host" => { "get" => -> { Object.new } } })
    1_000.times { inst.call("keep", Object.new) }
    inst = nil # rubocop:disable Lint/UselessAssignment -- dropped for the GC
    GC.start
    GC.start
    # Not equal: a reference some other object still held at the baseline may
    # be released by these collections too. The 1,000 kept here must be gone.
    assert_operator Intertype::Refs.live_count, :<=, baseline
  end
end
