# frozen_string_literal: true

# greet(string) -> string at 5 B and 64 KiB, side by side, from one run:
#
#   (r) ruby -> intertype: the gem, `inst.call("greet", name)`
#   (f) the floor: the same C API calls made bare through ruby-ffi (one
#       string value in, one call on a cached function handle, the string
#       read out, handles freed), without the gem's type-driven conversion
#   (e) the Rust engine's own call (crates/intertype-c-api/examples/
#       greet_reference.rs: Func::call_into with a Value::String)
#
# All three run the same guest (crates/intertype-bench-support/guests/greet.wat,
# the criterion benchmarks' greeting guest) on an engine without
# fuel metering, each timed as the best of five ~200 ms batches.
#
#   cargo build --release -p intertype-c-api --example greet_reference
#   ruby benches/ruby/bench.rb
#
# Not run in CI. Results: docs/performance.md.

ROOT = File.expand_path("../..", __dir__)
$LOAD_PATH.unshift File.join(ROOT, "bindings/ruby/lib")
ENV["INTERTYPE_LIB"] ||= File.join(ROOT, "target/release/libintertype.so")
require "intertype"
require "json"

N = Intertype::Native
WAT = File.join(ROOT, "crates/intertype-bench-support/guests/greet.wat")

# Seconds per call: batch size doubled until a batch takes ~200 ms (the
# warm-up), then the best of five batches.
def time_per_call
  iters = 1
  loop do
    t = Process.clock_gettime(Process::CLOCK_MONOTONIC)
    iters.times { yield }
    break if Process.clock_gettime(Process::CLOCK_MONOTONIC) - t > 0.2

    iters *= 2
  end
  Array.new(5) do
    t = Process.clock_gettime(Process::CLOCK_MONOTONIC)
    iters.times { yield }
    (Process.clock_gettime(Process::CLOCK_MONOTONIC) - t) / iters
  end.min
end

engine = Intertype::Engine.new(fuel: false)
mod = Intertype::Module.from_file(WAT, engine: engine)
inst = Intertype::Instance.new(mod)

# The floor: bare C API calls.
func = N.intertype_instance_func(inst, "greet", 5)
out = FFI::MemoryPointer.new(:pointer)
argv = FFI::MemoryPointer.new(:pointer)
results = FFI::MemoryPointer.new(:pointer)
len = FFI::MemoryPointer.new(:size_t)
bare = lambda do |name|
  N.check!(N.intertype_value_string(name, name.bytesize, out))
  argv.put_pointer(0, out.read_pointer)
  N.check!(N.intertype_func_call(inst, func, argv, 1, results, 1))
  v = results.read_pointer
  s = N.intertype_value_get_string(v, len).read_bytes(len.read(:size_t))
  N.intertype_value_delete(v)
  s
end

reference_bin = File.join(ROOT, "target/release/examples/greet_reference")
unless File.executable?(reference_bin)
  abort "#{reference_bin} is missing: cargo build --release -p intertype-c-api --example greet_reference"
end

rows = [5, 64 * 1024].map do |size|
  name = "w" * size
  expected = "Hello, #{name}"
  raise "the gem returned something else" unless inst.call("greet", name) == expected
  raise "the bare call returned something else" unless bare.call(name) == expected

  gem_s = time_per_call { inst.call("greet", name) }
  floor_s = time_per_call { bare.call(name) }
  [size, gem_s, floor_s]
end
N.intertype_func_delete(func)

rust = `#{reference_bin}`.lines.to_h do |l|
  j = JSON.parse(l)
  [j["size"], j["ns_per_call"] / 1e9]
end

loadavg = File.read("/proc/loadavg").split.first(3).join(" ")
puts "greet(string) -> string; ruby #{RUBY_VERSION}, ffi #{FFI::VERSION}; load average #{loadavg}"
puts
puts "| size | (r) gem | (f) bare ruby-ffi | (e) Rust engine | r / f | r / e | f / e |"
puts "|---|---|---|---|---|---|---|"
fmt = ->(s) { s < 1e-3 ? format("%.2f µs", s * 1e6) : format("%.2f ms", s * 1e3) }
rows.each do |size, gem_s, floor_s|
  rust_s = rust.fetch(size)
  label = size >= 1024 ? "#{size / 1024} KiB" : "#{size} B"
  puts format("| %s | %s | %s | %s | %.2f× | %.2f× | %.2f× |", label, fmt[gem_s], fmt[floor_s], fmt[rust_s],
              gem_s / floor_s, gem_s / rust_s, floor_s / rust_s)
end
