# frozen_string_literal: true

require "ffi"

module Intertype
  # The C API (include/intertype.h), attached with ruby-ffi. Internal: the
  # rest of the gem wraps it; ownership rules are the header's.
  module Native
    extend FFI::Library

    # Where `cargo build --release -p intertype-c-api` puts the library,
    # relative to this file in the repository (bindings/ruby/lib/intertype).
    DEFAULT_LIB = File.expand_path("../../../../target/release/#{FFI.map_library_name('intertype')}", __dir__)

    def self.library_path
      ENV.fetch("INTERTYPE_LIB") { DEFAULT_LIB }
    end

    begin
      ffi_lib library_path
    rescue LoadError => e
      raise LoadError, "intertype: cannot load the C library #{library_path} (#{e.message}); " \
                       "build it with `cargo build --release -p intertype-c-api` or set INTERTYPE_LIB"
    end

    # Kinds of values and types (intertype_kind_t).
    KINDS = %i[
      _ bool s8 u8 s16 u16 s32 u32 s64 u64 f32 f64 char string i32 i64
      externref list bytes record tuple variant enum option result flags
    ].freeze

    ERROR_KINDS = %i[_ load link host_type trap guest limit host poisoned usage exit internal].freeze
    MISBEHAVIORS = %i[none out_of_bounds misaligned invalid_encoding bad_allocation length_overflow invalid_value].freeze
    LIMITS = %i[none fuel deadline memory table resources value_size].freeze
    TRAP_CODES = {
      0 => nil, 1 => :stack_overflow, 2 => :memory_out_of_bounds, 3 => :heap_misaligned,
      4 => :table_out_of_bounds, 5 => :indirect_call_to_null, 6 => :bad_signature,
      7 => :integer_overflow, 8 => :integer_division_by_zero, 9 => :bad_conversion_to_integer,
      10 => :unreachable, 11 => :interrupt, 12 => :out_of_fuel, 13 => :null_reference,
      255 => :other
    }.freeze

    class EngineConfig < FFI::Struct
      layout :consume_fuel, :bool, :epoch_interruption, :bool
    end

    callback :host_func, %i[pointer pointer size_t pointer size_t], :pointer
    callback :finalizer, [:pointer], :void

    # Errors
    attach_function :intertype_error_new, %i[pointer size_t], :pointer
    attach_function :intertype_error_delete, [:pointer], :void
    attach_function :intertype_error_kind, [:pointer], :int
    attach_function :intertype_error_misbehavior, [:pointer], :int
    attach_function :intertype_error_limit, [:pointer], :int
    attach_function :intertype_error_trap_code, [:pointer], :int
    attach_function :intertype_error_exit_code, [:pointer], :int32
    attach_function :intertype_error_message, [:pointer], :string
    attach_function :intertype_string_delete, [:pointer], :void

    # Engine, module, linker, instance, func
    attach_function :intertype_engine_new, [EngineConfig.by_ref, :pointer], :pointer
    attach_function :intertype_engine_delete, [:pointer], :void
    attach_function :intertype_module_new, %i[pointer pointer size_t pointer], :pointer
    attach_function :intertype_module_from_file, %i[pointer string pointer], :pointer
    attach_function :intertype_module_delete, [:pointer], :void
    attach_function :intertype_module_export_count, [:pointer], :size_t
    attach_function :intertype_module_export_name, %i[pointer size_t pointer], :pointer
    attach_function :intertype_module_export_type, %i[pointer size_t], :pointer
    attach_function :intertype_module_import_count, [:pointer], :size_t
    attach_function :intertype_module_import_module, %i[pointer size_t pointer], :pointer
    attach_function :intertype_module_import_name, %i[pointer size_t pointer], :pointer
    attach_function :intertype_module_import_type, %i[pointer size_t], :pointer
    attach_function :intertype_linker_new, [:pointer], :pointer
    attach_function :intertype_linker_delete, [:pointer], :void
    attach_function :intertype_linker_define,
                    %i[pointer pointer size_t pointer size_t pointer host_func pointer finalizer], :pointer
    attach_function :intertype_linker_set_fuel, %i[pointer uint64], :void
    attach_function :intertype_linker_set_max_memory, %i[pointer size_t], :void
    attach_function :intertype_linker_instantiate, %i[pointer pointer pointer], :pointer
    attach_function :intertype_instance_delete, [:pointer], :void
    attach_function :intertype_instance_func, %i[pointer pointer size_t], :pointer
    attach_function :intertype_instance_get_fuel, %i[pointer pointer], :bool
    attach_function :intertype_instance_set_fuel, %i[pointer uint64], :pointer
    attach_function :intertype_instance_is_poisoned, [:pointer], :bool
    attach_function :intertype_instance_clear_poison, [:pointer], :void
    attach_function :intertype_func_delete, [:pointer], :void
    attach_function :intertype_func_type, [:pointer], :pointer
    attach_function :intertype_func_call, %i[pointer pointer pointer size_t pointer size_t], :pointer

    # Types
    attach_function :intertype_type_kind, [:pointer], :int
    attach_function :intertype_type_len, [:pointer], :size_t
    attach_function :intertype_type_child, %i[pointer size_t], :pointer
    attach_function :intertype_type_name, %i[pointer size_t pointer], :pointer
    attach_function :intertype_functype_param_count, [:pointer], :size_t
    attach_function :intertype_functype_result_count, [:pointer], :size_t
    attach_function :intertype_functype_param, %i[pointer size_t], :pointer
    attach_function :intertype_functype_result, %i[pointer size_t], :pointer

    # Values
    attach_function :intertype_value_delete, [:pointer], :void
    attach_function :intertype_value_bool, [:bool], :pointer
    attach_function :intertype_value_s8, [:int8], :pointer
    attach_function :intertype_value_u8, [:uint8], :pointer
    attach_function :intertype_value_s16, [:int16], :pointer
    attach_function :intertype_value_u16, [:uint16], :pointer
    attach_function :intertype_value_s32, [:int32], :pointer
    attach_function :intertype_value_u32, [:uint32], :pointer
    attach_function :intertype_value_s64, [:int64], :pointer
    attach_function :intertype_value_u64, [:uint64], :pointer
    attach_function :intertype_value_f32, [:float], :pointer
    attach_function :intertype_value_f64, [:double], :pointer
    attach_function :intertype_value_i32, [:int32], :pointer
    attach_function :intertype_value_i64, [:int64], :pointer
    attach_function :intertype_value_enum, [:uint32], :pointer
    attach_function :intertype_value_char, %i[uint32 pointer], :pointer
    attach_function :intertype_value_string, %i[pointer size_t pointer], :pointer
    attach_function :intertype_value_bytes, %i[pointer size_t], :pointer
    attach_function :intertype_value_list, %i[pointer size_t], :pointer
    attach_function :intertype_value_record, %i[pointer size_t], :pointer
    attach_function :intertype_value_tuple, %i[pointer size_t], :pointer
    attach_function :intertype_value_variant, %i[uint32 pointer], :pointer
    attach_function :intertype_value_option_none, [], :pointer
    attach_function :intertype_value_option_some, [:pointer], :pointer
    attach_function :intertype_value_result_ok, [:pointer], :pointer
    attach_function :intertype_value_result_err, [:pointer], :pointer
    attach_function :intertype_value_flags, %i[pointer size_t], :pointer
    attach_function :intertype_value_externref, %i[pointer finalizer], :pointer
    attach_function :intertype_value_kind, [:pointer], :int
    attach_function :intertype_value_get_bool, [:pointer], :bool
    attach_function :intertype_value_get_signed, [:pointer], :int64
    attach_function :intertype_value_get_unsigned, [:pointer], :uint64
    attach_function :intertype_value_get_float, [:pointer], :double
    attach_function :intertype_value_get_char, [:pointer], :uint32
    attach_function :intertype_value_get_string, %i[pointer pointer], :pointer
    attach_function :intertype_value_get_bytes, %i[pointer pointer], :pointer
    attach_function :intertype_value_len, [:pointer], :size_t
    attach_function :intertype_value_get, %i[pointer size_t], :pointer
    attach_function :intertype_value_case, [:pointer], :uint32
    attach_function :intertype_value_payload, [:pointer], :pointer
    attach_function :intertype_value_get_flags, %i[pointer pointer], :pointer
    attach_function :intertype_value_get_externref, [:pointer], :pointer

    # Reads a (ptr, len) UTF-8 string the C API returned through a length
    # out-pointer.
    def self.read_str(len_ptr)
      ptr = yield len_ptr
      return nil if ptr.null?

      len = len_ptr.read(:size_t)
      len.zero? ? +"" : ptr.read_bytes(len).force_encoding(Encoding::UTF_8)
    end

    # Raises the error `err` (a pointer, freed here) as an Intertype::Error,
    # unless it is null.
    def self.check!(err)
      return if err.null?

      raise Intertype::Error.from_native(err)
    end
  end
end
