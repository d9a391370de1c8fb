# frozen_string_literal: true

require "set"

module Intertype
  # A variant value: `tag` is the case name as a Symbol, `value` the payload
  # (nil for a case without one). A bare Symbol is accepted for payload-less
  # cases.
  Variant = Struct.new(:tag, :value)

  # `some(value)` of an option whose payload is itself an option (so
  # `some(none)` and `none` differ). Plain options use the value or nil.
  Some = Struct.new(:value)

  # Ruby values <-> C value handles, guided by the interface type. Internal.
  module Values
    INT_RANGES = {
      s8: -(2**7)..(2**7 - 1), u8: 0..(2**8 - 1),
      s16: -(2**15)..(2**15 - 1), u16: 0..(2**16 - 1),
      s32: -(2**31)..(2**31 - 1), u32: 0..(2**32 - 1),
      s64: -(2**63)..(2**63 - 1), u64: 0..(2**64 - 1),
      # Core i32/i64 take either signedness (the bits are what count).
      i32: -(2**31)..(2**32 - 1), i64: -(2**63)..(2**64 - 1)
    }.freeze

    INT_CONSTRUCTORS = {
      s8: :intertype_value_s8, u8: :intertype_value_u8, s16: :intertype_value_s16,
      u16: :intertype_value_u16, s32: :intertype_value_s32, u32: :intertype_value_u32,
      s64: :intertype_value_s64, u64: :intertype_value_u64
    }.freeze

    module_function

    def type_error(type, obj, why = nil)
      shown = obj.inspect
      shown = "#{shown[0, 60]}..." if shown.size > 63
      HostTypeError.new("expected #{type}, got #{shown}#{why ? " (#{why})" : ''}")
    end

    # A new owned handle for `obj` as a value of `type`.
    def lower(type, obj)
      case type.kind
      when :string then lower_string(obj)
      when :bool
        raise type_error(type, obj) unless obj == true || obj == false

        Native.intertype_value_bool(obj)
      when :s8, :u8, :s16, :u16, :s32, :u32, :s64, :u64
        check_int(type, obj)
        Native.public_send(INT_CONSTRUCTORS[type.kind], obj)
      when :i32
        check_int(type, obj)
        Native.intertype_value_i32(obj >= 2**31 ? obj - 2**32 : obj)
      when :i64
        check_int(type, obj)
        Native.intertype_value_i64(obj >= 2**63 ? obj - 2**64 : obj)
      when :f32, :f64
        raise type_error(type, obj) unless obj.is_a?(Numeric) && obj.real?

        type.kind == :f32 ? Native.intertype_value_f32(obj.to_f) : Native.intertype_value_f64(obj.to_f)
      when :char then lower_char(type, obj)
      when :externref then Refs.lower(obj)
      when :list then lower_list(type, obj)
      when :record then lower_record(type, obj)
      when :tuple
        raise type_error(type, obj) unless obj.is_a?(Array) && obj.size == type.children.size

        aggregate(:intertype_value_tuple, type.children.zip(obj))
      when :variant then lower_variant(type, obj)
      when :enum
        i = name_index(type, obj)
        raise type_error(type, obj, "no such case") unless i

        Native.intertype_value_enum(i)
      when :flags then lower_flags(type, obj)
      when :option then lower_option(type, obj)
      when :result then lower_result(type, obj)
      else raise type_error(type, obj, "unsupported type")
      end
    end

    def check_int(type, obj)
      raise type_error(type, obj) unless obj.is_a?(Integer)
      raise type_error(type, obj, "out of range #{INT_RANGES[type.kind]}") unless INT_RANGES[type.kind].cover?(obj)
    end

    # Scratch out-pointers, one set per thread, reused on every call
    # (allocating them per value costs more than the C call).
    def out_ptr
      Thread.current[:intertype_out_ptr] ||= FFI::MemoryPointer.new(:pointer)
    end

    def len_ptr
      Thread.current[:intertype_len_ptr] ||= FFI::MemoryPointer.new(:size_t)
    end

    def lower_string(obj)
      raise HostTypeError, "expected a String, got #{obj.class}" unless obj.is_a?(String)

      unless [Encoding::UTF_8, Encoding::BINARY, Encoding::US_ASCII].include?(obj.encoding)
        begin
          obj = obj.encode(Encoding::UTF_8)
        rescue EncodingError, ::EncodingError => e
          raise Intertype::EncodingError, "cannot convert a #{obj.encoding} string to UTF-8: #{e.message}"
        end
      end
      out = out_ptr
      err = Native.intertype_value_string(obj, obj.bytesize, out)
      unless err.null?
        e = Error.from_native(err)
        raise Intertype::EncodingError, "a string that is not valid UTF-8 (#{e.message.sub(/\A.*not valid UTF-8: /, '')})"
      end
      out.read_pointer
    end

    def lower_char(type, obj)
      scalar = case obj
               when Integer then obj
               when String
                 s = obj.encoding == Encoding::UTF_8 ? obj : obj.encode(Encoding::UTF_8)
                 raise Intertype::EncodingError, "a char that is not valid UTF-8" unless s.valid_encoding?
                 raise type_error(type, obj, "not one character") unless s.length == 1

                 s.ord
               else raise type_error(type, obj)
               end
      raise type_error(type, obj, "not a Unicode scalar value") unless scalar.between?(0, 0x10FFFF)

      out = out_ptr
      err = Native.intertype_value_char(scalar, out)
      raise type_error(type, obj, Error.from_native(err).message) unless err.null?

      out.read_pointer
    end

    def lower_list(type, obj)
      elem = type.children[0]
      if elem.kind == :u8 && obj.is_a?(String)
        return Native.intertype_value_bytes(obj, obj.bytesize)
      end
      raise type_error(type, obj) unless obj.is_a?(Array)

      if elem.kind == :u8
        obj.each { |b| check_int(elem, b) }
        bytes = obj.pack("C*")
        return Native.intertype_value_bytes(bytes, bytes.bytesize)
      end
      aggregate(:intertype_value_list, obj.map { |x| [elem, x] })
    end

    def lower_record(type, obj)
      obj = obj.to_h if obj.is_a?(Struct)
      raise type_error(type, obj) unless obj.is_a?(Hash)

      obj.each_key do |k|
        raise type_error(type, obj, "no field #{k.inspect}") unless type.index_of(k)
      end
      pairs = type.names.each_with_index.map do |name, i|
        v = if obj.key?(name.to_sym) then obj[name.to_sym]
            elsif obj.key?(name) then obj[name]
            else raise type_error(type, obj, "field #{name.inspect} is missing")
            end
        [type.children[i], v]
      end
      aggregate(:intertype_value_record, pairs)
    end

    def lower_variant(type, obj)
      tag, payload = case obj
                     when Variant then [obj.tag, obj.value]
                     when Symbol, String then [obj, nil]
                     else raise type_error(type, obj)
                     end
      i = name_index(type, tag)
      raise type_error(type, obj, "no such case") unless i

      payload_type = type.children[i]
      if payload_type
        Native.intertype_value_variant(i, lower(payload_type, payload))
      else
        raise type_error(type, obj, "case #{tag} has no payload") unless payload.nil?

        Native.intertype_value_variant(i, nil)
      end
    end

    def lower_flags(type, obj)
      raise type_error(type, obj) unless obj.is_a?(Set) || obj.is_a?(Array)

      words = Array.new((type.names.size + 31) / 32, 0)
      obj.each do |f|
        i = name_index(type, f)
        raise type_error(type, obj, "no flag #{f.inspect}") unless i

        words[i / 32] |= 1 << (i % 32)
      end
      buf = FFI::MemoryPointer.new(:uint32, [words.size, 1].max)
      buf.write_array_of_uint32(words)
      Native.intertype_value_flags(buf, words.size)
    end

    def lower_option(type, obj)
      return Native.intertype_value_option_none if obj.nil?

      inner = type.children[0]
      if obj.is_a?(Some)
        obj = obj.value
      elsif inner.kind == :option
        raise type_error(type, obj, "wrap the payload of a nested option in Intertype::Some")
      end
      Native.intertype_value_option_some(lower(inner, obj))
    end

    def lower_result(type, obj)
      raise type_error(type, obj, "expected {ok: v} or {err: v}") unless obj.is_a?(Hash) && obj.size == 1

      key, v = obj.first
      case key.to_s
      when "ok" then Native.intertype_value_result_ok(lower_payload(type.children[0], v, type, obj))
      when "err" then Native.intertype_value_result_err(lower_payload(type.children[1], v, type, obj))
      else raise type_error(type, obj, "expected {ok: v} or {err: v}")
      end
    end

    def lower_payload(payload_type, v, type, obj)
      return lower(payload_type, v) if payload_type
      raise type_error(type, obj, "this case has no payload") unless v.nil?

      nil
    end

    def name_index(type, name)
      return nil unless name.is_a?(Symbol) || name.is_a?(String)

      type.index_of(name)
    end

    # Lowers each [type, obj] pair and passes the handles to `constructor`
    # (which consumes them). On a failure, frees what was made.
    def aggregate(constructor, pairs)
      handles = []
      begin
        pairs.each { |t, x| handles << lower(t, x) }
      rescue StandardError
        handles.each { |h| Native.intertype_value_delete(h) }
        raise
      end
      arr = FFI::MemoryPointer.new(:pointer, [handles.size, 1].max)
      arr.write_array_of_pointer(handles)
      Native.public_send(constructor, arr, handles.size)
    end

    # ---------------------------------------------------------------------

    # The Ruby value of the handle `ptr` (borrowed) of type `type`.
    def lift(type, ptr)
      case type.kind
      when :string
        Native.read_str(len_ptr) { |l| Native.intertype_value_get_string(ptr, l) }
      when :bool then Native.intertype_value_get_bool(ptr)
      when :s8, :s16, :s32, :s64, :i32, :i64 then Native.intertype_value_get_signed(ptr)
      when :u8, :u16, :u32, :u64 then Native.intertype_value_get_unsigned(ptr)
      when :f32, :f64 then Native.intertype_value_get_float(ptr)
      when :char then [Native.intertype_value_get_char(ptr)].pack("U")
      when :externref then Refs.lift(ptr)
      when :list
        if Native::KINDS[Native.intertype_value_kind(ptr)] == :bytes
          len = len_ptr
          p = Native.intertype_value_get_bytes(ptr, len)
          n = len.read(:size_t)
          n.zero? ? "".b : p.read_bytes(n)
        else
          elem = type.children[0]
          Array.new(Native.intertype_value_len(ptr)) { |i| lift(elem, Native.intertype_value_get(ptr, i)) }
        end
      when :record
        type.names.each_with_index.to_h do |name, i|
          [name.to_sym, lift(type.children[i], Native.intertype_value_get(ptr, i))]
        end
      when :tuple
        type.children.each_with_index.map { |t, i| lift(t, Native.intertype_value_get(ptr, i)) }
      when :variant
        c = Native.intertype_value_case(ptr)
        payload_type = type.children[c]
        Variant.new(type.names[c].to_sym, payload_type && lift(payload_type, Native.intertype_value_payload(ptr)))
      when :enum then type.names[Native.intertype_value_case(ptr)].to_sym
      when :flags
        n = len_ptr
        words_ptr = Native.intertype_value_get_flags(ptr, n)
        words = words_ptr.read_array_of_uint32(n.read(:size_t))
        type.names.each_with_index.select { |_, i| words[i / 32][i % 32] == 1 }.to_set { |name, _| name.to_sym }
      when :option
        return nil if Native.intertype_value_case(ptr).zero?

        inner = type.children[0]
        v = lift(inner, Native.intertype_value_payload(ptr))
        inner.kind == :option ? Some.new(v) : v
      when :result
        ok = Native.intertype_value_case(ptr).zero?
        payload_type = type.children[ok ? 0 : 1]
        v = payload_type && lift(payload_type, Native.intertype_value_payload(ptr))
        ok ? { ok: v } : { err: v }
      else
        raise InternalError, "unsupported type #{type}"
      end
    end
  end

  # Ruby objects held by wasm as externrefs. Each native reference holds a
  # count on its object here; the C finalizer drops it, so an object lives
  # exactly as long as some instance or value still refers to it.
  module Refs
    @objects = {}

    FINALIZER = FFI::Function.new(:void, [:pointer]) do |data|
      entry = @objects[data.address]
      if entry
        entry[1] -= 1
        @objects.delete(data.address) if entry[1] <= 0
      end
    end

    class << self
      def lower(obj)
        return Native.intertype_value_externref(nil, nil) if obj.nil?

        id = obj.__id__
        entry = (@objects[id] ||= [obj, 0])
        entry[1] += 1
        Native.intertype_value_externref(FFI::Pointer.new(id), FINALIZER)
      end

      def lift(ptr)
        data = Native.intertype_value_get_externref(ptr)
        return nil if data.null?

        @objects.fetch(data.address) { raise InternalError, "an externref this gem did not create" }[0]
      end

      # How many host objects wasm holds (for tests).
      def live_count
        @objects.size
      end
    end
  end
end
