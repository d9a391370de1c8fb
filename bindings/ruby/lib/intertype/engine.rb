# frozen_string_literal: true

module Intertype
  # Compilation settings shared by modules. `fuel: true` meters fuel so that
  # instances can be given a budget (`Instance.new(mod, fuel: n)`); the
  # default engine does.
  class Engine
    attr_reader :fuel

    def initialize(fuel: true)
      @fuel = fuel
      config = Native::EngineConfig.new
      config[:consume_fuel] = fuel
      config[:epoch_interruption] = false
      out = FFI::MemoryPointer.new(:pointer)
      Native.check!(Native.intertype_engine_new(config, out))
      @ptr = FFI::AutoPointer.new(out.read_pointer, Native.method(:intertype_engine_delete))
    end

    # The engine modules use unless told otherwise (fuel metering on).
    def self.default
      @default ||= new
    end

    def to_ptr
      @ptr
    end
  end

  # A compiled module: its interface exports and imports.
  class Module
    attr_reader :engine

    # Compiles the module in `path` (binary, or .wat text).
    def self.from_file(path, engine: Engine.default)
      out = FFI::MemoryPointer.new(:pointer)
      Native.check!(Native.intertype_module_from_file(engine, path.to_s, out))
      new(out.read_pointer, engine)
    end

    # Compiles a module from its bytes.
    def self.from_bytes(bytes, engine: Engine.default)
      out = FFI::MemoryPointer.new(:pointer)
      Native.check!(Native.intertype_module_new(engine, bytes, bytes.bytesize, out))
      new(out.read_pointer, engine)
    end

    def initialize(ptr, engine)
      @ptr = FFI::AutoPointer.new(ptr, Native.method(:intertype_module_delete))
      @engine = engine
    end
    private_class_method :new

    def to_ptr
      @ptr
    end

    # {name => FuncType} of the functions the module offers.
    def exports
      @exports ||= begin
        len = FFI::MemoryPointer.new(:size_t)
        Array.new(Native.intertype_module_export_count(@ptr)) do |i|
          name = Native.read_str(len) { |l| Native.intertype_module_export_name(@ptr, i, l) }
          [name, FuncType.from_native(Native.intertype_module_export_type(@ptr, i))]
        end.to_h.freeze
      end
    end

    # [[module, name, FuncType, index]] of the host functions the module imports.
    def imports
      @imports ||= begin
        len = FFI::MemoryPointer.new(:size_t)
        Array.new(Native.intertype_module_import_count(@ptr)) do |i|
          m = Native.read_str(len) { |l| Native.intertype_module_import_module(@ptr, i, l) }
          n = Native.read_str(len) { |l| Native.intertype_module_import_name(@ptr, i, l) }
          [m, n, FuncType.from_native(Native.intertype_module_import_type(@ptr, i)), i].freeze
        end.freeze
      end
    end
  end
end
