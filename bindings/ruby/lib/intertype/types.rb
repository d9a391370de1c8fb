# frozen_string_literal: true

module Intertype
  # An interface type, read once from the module's type descriptors.
  #
  # * `kind`: :bool, :s8 ... :u64, :f32, :f64, :char, :string, :i32, :i64,
  #   :externref, :list, :record, :tuple, :variant, :enum, :option,
  #   :result, :flags
  # * `children`: element type (list, option), field types (record), element
  #   types (tuple), case payloads (variant, nil for none), [ok, err]
  #   (result, nil for none)
  # * `names`: field, case or flag names (untrusted text from the module)
  class Type
    attr_reader :kind, :children, :names

    def initialize(kind, children = [], names = [])
      @kind = kind
      @children = children.freeze
      @names = names.freeze
      @index = names.each_with_index.to_h { |n, i| [n, i] }.freeze
      freeze
    end

    def self.from_native(ptr)
      kind = Native::KINDS.fetch(Native.intertype_type_kind(ptr))
      n = Native.intertype_type_len(ptr)
      children = []
      names = []
      case kind
      when :list, :option, :record, :tuple, :variant, :result
        n.times do |i|
          c = Native.intertype_type_child(ptr, i)
          children << (c.null? ? nil : from_native(c))
        end
      end
      if %i[record variant enum flags].include?(kind)
        len = FFI::MemoryPointer.new(:size_t)
        n.times do |i|
          names << Native.read_str(len) { |l| Native.intertype_type_name(ptr, i, l) }.freeze
        end
      end
      new(kind, children, names)
    end

    def to_s
      case kind
      when :list then "list<#{children[0]}>"
      when :option then "option<#{children[0]}>"
      when :tuple then "tuple<#{children.join(', ')}>"
      when :record then "record { #{names.zip(children).map { |n, t| "#{n}: #{t}" }.join(', ')} }"
      when :variant then "variant { #{names.zip(children).map { |n, t| t ? "#{n}(#{t})" : n }.join(', ')} }"
      when :enum then "enum { #{names.join(', ')} }"
      when :flags then "flags { #{names.join(', ')} }"
      when :result then "result<#{children[0] || '_'}, #{children[1] || '_'}>"
      else kind.to_s
      end
    end
    alias inspect to_s

    # Index of case/flag `name` (Symbol or String), or nil.
    def index_of(name)
      @index[name.to_s]
    end
  end

  # A function signature: `params` and `results`, lists of Type.
  class FuncType
    attr_reader :params, :results

    def initialize(params, results)
      @params = params.freeze
      @results = results.freeze
      freeze
    end

    def self.from_native(ptr)
      params = Array.new(Native.intertype_functype_param_count(ptr)) do |i|
        Type.from_native(Native.intertype_functype_param(ptr, i))
      end
      results = Array.new(Native.intertype_functype_result_count(ptr)) do |i|
        Type.from_native(Native.intertype_functype_result(ptr, i))
      end
      new(params, results)
    end

    def to_s
      s = "func(#{params.join(', ')})"
      case results.size
      when 0 then s
      when 1 then "#{s} -> #{results[0]}"
      else "#{s} -> (#{results.join(', ')})"
      end
    end
    alias inspect to_s
  end
end
