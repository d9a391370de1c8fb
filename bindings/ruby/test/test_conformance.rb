# frozen_string_literal: true

# The shared conformance corpus (tests/conformance/*.json, format in
# docs/conformance.md) through the gem: the same modules, calls and expected
# values as the Rust and JS runners. One test per file; each runs every step
# and fails with the list of failing steps.

require_relative "helper"
require "json"

class TestConformance < Minitest::Test
  DIR = File.join(TestPaths::ROOT, "tests/conformance")

  # A failure a corpus host function reports (`"error": "..."`).
  class HostFailure < StandardError; end

  # The corpus JSON encoding <-> the gem's Ruby values, by type.
  class Codec
    def initialize
      @refs = {}
    end

    def ref(name)
      @refs[name] ||= Object.new
    end

    def ref_name(obj)
      @refs.find { |_, o| o.equal?(obj) }&.first || "<unknown object>"
    end

    def float(j)
      case j
      when "nan" then Float::NAN
      when "inf" then Float::INFINITY
      when "-inf" then -Float::INFINITY
      else j.to_f
      end
    end

    def float_json(x)
      return "nan" if x.nan?
      return "inf" if x == Float::INFINITY
      return "-inf" if x == -Float::INFINITY

      x
    end

    # JSON -> Ruby value of `type`.
    def to_ruby(type, j)
      case type.kind
      when :s64, :u64, :i64 then Integer(j, 10)
      when :f32, :f64 then float(j)
      when :externref then j.nil? ? nil : ref(j.fetch("ref"))
      when :list then j.map { |x| to_ruby(type.children[0], x) }
      when :record
        j.to_h { |k, v| [k, (i = type.index_of(k)) ? to_ruby(type.children[i], v) : v] }
      when :tuple then type.children.zip(j).map { |t, x| to_ruby(t, x) }
      when :variant
        i = type.index_of(j.fetch("tag"))
        payload = i && type.children[i] ? to_ruby(type.children[i], j["val"]) : nil
        Intertype::Variant.new(j.fetch("tag").to_sym, payload)
      when :enum then j.to_sym
      when :flags then j.map(&:to_sym).to_set
      when :option then j.nil? ? nil : Intertype::Some.new(to_ruby(type.children[0], j.fetch("some")))
      when :result
        key = j.key?("ok") ? "ok" : "err"
        t = type.children[key == "ok" ? 0 : 1]
        { key.to_sym => t ? to_ruby(t, j[key]) : nil }
      else j
      end
    end

    # Ruby value of `type` -> JSON.
    def to_json_value(type, v)
      case type.kind
      when :s64, :u64, :i64 then v.to_s
      when :f32, :f64 then float_json(v)
      when :externref then v.nil? ? nil : { "ref" => ref_name(v) }
      when :list
        v = v.bytes if v.is_a?(String) # list<u8> comes back as a binary String
        v.map { |x| to_json_value(type.children[0], x) }
      when :record
        type.names.each_with_index.to_h { |n, i| [n, to_json_value(type.children[i], v.fetch(n.to_sym))] }
      when :tuple then type.children.zip(v).map { |t, x| to_json_value(t, x) }
      when :variant
        i = type.index_of(v.tag)
        t = type.children[i]
        t ? { "tag" => v.tag.to_s, "val" => to_json_value(t, v.value) } : { "tag" => v.tag.to_s }
      when :enum then v.to_s
      when :flags then type.names.select { |n| v.include?(n.to_sym) }
      when :option
        return nil if v.nil?

        inner = v.is_a?(Intertype::Some) ? v.value : v
        { "some" => to_json_value(type.children[0], inner) }
      when :result
        key = v.key?(:ok) ? :ok : :err
        t = type.children[key == :ok ? 0 : 1]
        { key.to_s => t ? to_json_value(t, v[key]) : nil }
      else v
      end
    end
  end

  # JSON equality with numbers compared by value (2 == 2.0).
  def self.same?(a, b)
    case a
    when Numeric then b.is_a?(Numeric) && a == b
    when Array then b.is_a?(Array) && a.size == b.size && a.zip(b).all? { |x, y| same?(x, y) }
    when Hash then b.is_a?(Hash) && a.size == b.size && a.all? { |k, x| b.key?(k) && same?(x, b[k]) }
    else a == b
    end
  end

  def run_file(file)
    spec = JSON.parse(File.read(File.join(DIR, file)))
    path = if spec["module"] then File.expand_path(spec["module"], DIR)
           else TestPaths.guest(spec.fetch("guest"))
           end
    mod = Intertype::Module.from_file(path)
    codec = Codec.new
    log = []
    imports = Hash.new { |h, k| h[k] = {} }
    (spec["host"] || []).each do |h|
      m = h.fetch("module")
      n = h.fetch("name")
      _, _, type, = mod.imports.find { |im, name, _, _| im == m && name == n }
      raise "#{file}: the module has no import #{m}.#{n}" unless type

      returns = (h["returns"] || []).each_with_index.map { |r, i| codec.to_ruby(type.results[i], r) }
      imports[m][n] = lambda do |*args|
        log << { "module" => m, "name" => n,
                 "args" => type.params.zip(args).map { |t, a| codec.to_json_value(t, a) } }
        raise HostFailure, h["error"] if h["error"]

        returns.size == 1 ? returns[0] : returns
      end
    end
    inst = Intertype::Instance.new(mod, imports: imports)

    report = []
    spec.fetch("steps").each_with_index do |step, i|
      log.clear
      problems = run_step(inst, codec, step, log)
      report << "step #{i}: #{step['call']}(#{step['args'].to_json[1..-2][0, 60]})\n    #{problems.join("\n    ")}" unless problems.empty?
    end
    assert report.empty?, "#{file}: failing steps:\n#{report.join("\n")}"
  end

  def run_step(inst, codec, step, log)
    name = step.fetch("call")
    type = begin
      inst.func_type(name)
    rescue Intertype::UsageError => e
      return [e.message]
    end
    args_json = step["args"] || []
    return ["#{name} has type #{type}; the step gives #{args_json.size} arguments"] if args_json.size != type.params.size

    args = type.params.zip(args_json).map { |t, j| codec.to_ruby(t, j) }
    results = nil
    error = nil
    begin
      r = inst.call(name, *args)
      results = type.results.size == 1 ? [r] : (r || [])
      # The gem unwraps a top-level `result`; the corpus compares it wrapped.
      results = type.results.zip(results).map { |t, v| t.kind == :result ? { ok: v } : v }
    rescue Intertype::ResultError => e
      results = [{ err: e.value }]
    rescue Intertype::Error, HostFailure => e
      error = e
    end
    inst.clear_poison! if inst.poisoned?

    problems = []
    if step.key?("expect")
      if error
        problems << "expected #{step['expect'].to_json}, got #{error.class}: #{error.message}"
      else
        actual = type.results.zip(results).map { |t, v| codec.to_json_value(t, v) }
        unless self.class.same?(step["expect"], actual)
          problems << "expected #{step['expect'].to_json}\n    actual   #{actual.to_json}"
        end
      end
    else
      want = step.fetch("expect_error")
      if error.nil?
        problems << "expected a #{want} error, got #{results.inspect}"
      else
        ok = case want
             when "trap" then error.is_a?(Intertype::Trap) || error.is_a?(Intertype::GuestError)
             when "host" then error.is_a?(Intertype::HostError) || error.is_a?(Intertype::HostTypeError) ||
                              error.is_a?(HostFailure)
             else raise "unknown expect_error #{want}"
             end
        problems << "expected a #{want} error, got #{error.class}: #{error.message}" unless ok
      end
    end
    if step.key?("host_calls") && !self.class.same?(step["host_calls"], log)
      problems << "expected host calls #{step['host_calls'].to_json}\n    actual host calls #{log.to_json}"
    end
    problems
  end

  Dir[File.join(DIR, "*.json")].sort.each do |path|
    file = File.basename(path)
    define_method("test_#{file.delete_suffix('.json').tr('-', '_')}") { run_file(file) }
  end

  def test_the_corpus_is_there
    assert_operator Dir[File.join(DIR, "*.json")].size, :>=, 15
  end
end
