# frozen_string_literal: true

# Shared setup of the gem's tests: the gem from this checkout, the C library
# from INTERTYPE_LIB (scripts/test.sh points it at the debug build), paths
# into the repository.
$LOAD_PATH.unshift File.expand_path("../lib", __dir__)
require "intertype"
require "minitest/autorun"

module TestPaths
  ROOT = File.expand_path("../../..", __dir__)

  module_function

  def corpus(path)
    File.join(ROOT, "tests/corpus", path)
  end

  def target_dir
    ENV.fetch("CARGO_TARGET_DIR") { File.join(ROOT, "target") }
  end

  # An example guest of examples/, built by `cargo test -p intertype-guest-tests`.
  def guest(name)
    path = File.join(target_dir, "wasm-guests/wasm32-unknown-unknown/release", "#{name.tr('-', '_')}.wasm")
    unless File.exist?(path)
      raise "guest #{name} is not built (#{path}); run `cargo test -p intertype-guest-tests` first"
    end

    path
  end

  # The `intertype` command (cargo build -p intertype-cli).
  def cli
    path = File.join(target_dir, "debug/intertype")
    raise "#{path} is missing; run `cargo build -p intertype-cli` first" unless File.executable?(path)

    path
  end
end
