# frozen_string_literal: true

# Markdown `render` from Ruby gives exactly what the Rust engine gives (the
# `intertype run` command, as a process): the Rust guest (examples/markdown)
# and the 2019 wasm-bindgen module.

require_relative "helper"
require "json"
require "open3"

class TestMarkdown < Minitest::Test
  DOCS = [
    "# Hello",
    "# hi\n\n*wasm* and **bold** and `code`",
    "- one\n- two\n  - nested\n\n1. first\n2. second",
    "> quote with [a link](https://example.com \"title\")\n\n```rust\nfn main() {}\n```",
    "| a | b |\n|---|---|\n| 1 | 2 |",
    "日本語の見出し\n===\n\nÜnïcödé & <html> \"quotes\" 😀",
    "",
    "line\\\nbreak\t\ttabs\r\nand crlf"
  ].freeze

  # A WAVE string literal of `s`.
  def wave(s)
    body = s.each_char.map do |c|
      case c
      when "\\" then "\\\\"
      when "\"" then "\\\""
      when "\n" then "\\n"
      when "\t" then "\\t"
      when "\r" then "\\r"
      else c.ord < 0x20 || c.ord == 0x7f ? format("\\u{%x}", c.ord) : c
      end
    end.join
    "\"#{body}\""
  end

  def rust_render(path, doc)
    out, err, status = Open3.capture3(TestPaths.cli, "run", "--json", path, "render(#{wave(doc)})")
    assert status.success?, "intertype run failed: #{err}"
    JSON.parse(out).fetch("results").fetch(0)
  end

  # One document with every construct above (each CLI run compiles the
  # module again, which is slow in a debug build), compared as a whole; each
  # piece is rendered from Ruby too, so every call path runs.
  def check(path)
    inst = Intertype::Instance.new(Intertype::Module.from_file(path))
    doc = DOCS.join("\n\n")
    html = inst.call("render", doc)
    assert_equal rust_render(path, doc), html
    assert_equal html, inst.exports.render(doc)
    DOCS.each { |d| assert_kind_of String, inst.call("render", d) }
  end

  def test_rust_guest
    check(TestPaths.guest("markdown"))
  end

  def test_wasm_bindgen_module
    check(TestPaths.corpus("wasm-bindgen/markdown.wasm"))
  end

  def test_heading
    inst = Intertype::Instance.new(Intertype::Module.from_file(TestPaths.guest("markdown")))
    assert_equal "<h1>hi</h1>\n", inst.call("render", "# hi")
  end
end
