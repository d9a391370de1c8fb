# frozen_string_literal: true

module Intertype
  # An instance of a module: its own memory, fuel and host functions.
  #
  #   inst = Intertype::Instance.new(mod,
  #     imports: { "host" => { "log" => ->(s) { puts s } } },
  #     fuel: 1_000_000, max_memory: 16 << 20)
  #   inst.call("render", "# hi")
  #   inst.exports.render("# hi")
  #
  # After a failure inside wasm (a trap, a guest misbehaviour, a limit, a
  # host function error) the instance is poisoned: later calls raise
  # PoisonedError. Create a new instance to continue.
  class Instance
    attr_reader :module

    HOST_FUNC_ARGS = %i[pointer pointer size_t pointer size_t].freeze
    POINTER_SIZE = FFI::Pointer.size

    def initialize(mod, imports: {}, fuel: nil, max_memory: nil)
      @module = mod
      @funcs = {}
      @callbacks = []
      @pending = nil
      @in_call = false
      @argv = nil
      @results = nil
      linker = FFI::AutoPointer.new(Native.intertype_linker_new(mod.engine),
                                    Native.method(:intertype_linker_delete))
      define_imports(linker, mod, imports)
      Native.intertype_linker_set_fuel(linker, fuel) if fuel
      Native.intertype_linker_set_max_memory(linker, max_memory) if max_memory
      out = FFI::MemoryPointer.new(:pointer)
      Native.check!(Native.intertype_linker_instantiate(linker, mod, out))
      @ptr = FFI::AutoPointer.new(out.read_pointer, Native.method(:intertype_instance_delete))
      # The instance holds the host functions; the linker is no longer needed.
      linker.free
    end

    def to_ptr
      @ptr
    end

    # Calls interface function `name` with Ruby values. Returns nil (no
    # results), the result, or an Array of results. The error case of a
    # `result` is raised as ResultError.
    def call(name, *args)
      if @in_call
        raise UsageError, "the instance is already running a call (a host function called back into its own instance)"
      end

      func, type = lookup(name)
      params = type.params
      unless args.size == params.size
        raise UsageError, "`#{name}` takes #{params.size} arguments (#{type}), got #{args.size}"
      end

      nres = type.results.size
      argv = buffer(:@argv, args.size)
      made = 0
      begin
        params.each_with_index do |t, i|
          argv.put_pointer(i * POINTER_SIZE, Values.lower(t, args[i]))
          made += 1
        end
      rescue StandardError
        made.times { |i| Native.intertype_value_delete(argv.get_pointer(i * POINTER_SIZE)) }
        raise
      end
      results = buffer(:@results, nres)
      @pending = nil
      @in_call = true
      begin
        err = Native.intertype_func_call(@ptr, func, argv, args.size, results, nres)
      ensure
        @in_call = false
      end
      raise_call_error(err) unless err.null?

      case nres
      when 0 then nil
      when 1 then lift_result(type.results[0], results.get_pointer(0))
      else
        handles = Array.new(nres) { |i| results.get_pointer(i * POINTER_SIZE) }
        begin
          type.results.each_with_index.map { |t, i| lift_result(t, handles[i], owned: false) }
        ensure
          handles.each { |h| Native.intertype_value_delete(h) }
        end
      end
    end

    # Method-style calls: `exports.render(...)`; `-` in names becomes `_`.
    def exports
      @exports ||= Exports.new(self)
    end

    # The signature of `name`.
    def func_type(name)
      lookup(name)[1]
    end

    # Remaining fuel (nil when the engine does not meter fuel).
    def fuel
      out = FFI::MemoryPointer.new(:uint64)
      Native.intertype_instance_get_fuel(@ptr, out) ? out.read(:uint64) : nil
    end

    def fuel=(amount)
      Native.check!(Native.intertype_instance_set_fuel(@ptr, amount))
    end

    def poisoned?
      Native.intertype_instance_is_poisoned(@ptr)
    end

    # Lets calls run again after a failure, accepting that the guest may
    # have been interrupted mid-update.
    def clear_poison!
      Native.intertype_instance_clear_poison(@ptr)
    end

    private

    def lookup(name)
      @funcs[name] ||= begin
        name = name.to_s
        ptr = Native.intertype_instance_func(@ptr, name, name.bytesize)
        raise UsageError, "the module has no function #{name.inspect}" if ptr.null?

        func = FFI::AutoPointer.new(ptr, Native.method(:intertype_func_delete))
        [func, FuncType.from_native(Native.intertype_func_type(func))].freeze
      end
    end

    # A pointer array of at least `n` slots, kept per instance (calls on one
    # instance do not nest: `@in_call`).
    def buffer(ivar, n)
      buf = instance_variable_get(ivar)
      if buf.nil? || buf.size < n * POINTER_SIZE
        buf = FFI::MemoryPointer.new(:pointer, [n, 4].max)
        instance_variable_set(ivar, buf)
      end
      buf
    end

    # The Ruby value of result handle `h` (freed here when `owned`); the
    # error case of a top-level `result` is raised.
    def lift_result(type, h, owned: true)
      v = Values.lift(type, h)
      return v unless type.kind == :result
      raise ResultError, v[:err] if v.key?(:err)

      v[:ok]
    ensure
      Native.intertype_value_delete(h) if owned
    end

    def raise_call_error(err)
      error = Error.from_native(err)
      pending = @pending
      @pending = nil
      # A Ruby exception in a host function comes out as itself.
      raise pending if pending && error.is_a?(HostError)

      raise error
    end

    def define_imports(linker, mod, imports)
      provided = {}
      imports.each do |m, funcs|
        funcs.each { |n, f| provided[[m.to_s, n.to_s]] = f }
      end
      mod.imports.each do |m, n, type, index|
        f = provided.delete([m, n])
        next unless f

        callback = FFI::Function.new(:pointer, HOST_FUNC_ARGS) do |_env, args, _nargs, results, _nresults|
          host_call(f, type, args, results)
        end
        @callbacks << callback
        err = Native.intertype_linker_define(linker, m, m.bytesize, n, n.bytesize,
                                             Native.intertype_module_import_type(mod, index),
                                             callback, nil, nil)
        Native.check!(err)
      end
      return if provided.empty?

      names = provided.keys.map { |m, n| "#{m}.#{n}" }.join(", ")
      raise LinkError, "the module does not import #{names}"
    end

    # Runs a Ruby host function for the engine. Never lets an exception
    # escape into native frames: it is kept and re-raised by `call`.
    def host_call(f, type, args, results)
      argv = type.params.each_with_index.map do |t, i|
        Values.lift(t, args.get_pointer(i * POINTER_SIZE))
      end
      ret = f.call(*argv)
      outs = case type.results.size
             when 0 then []
             when 1 then [ret]
             else
               unless ret.is_a?(Array) && ret.size == type.results.size
                 raise HostTypeError, "a host function of type #{type} must return an Array of #{type.results.size}"
               end

               ret
             end
      type.results.each_with_index do |t, i|
        results.put_pointer(i * POINTER_SIZE, Values.lower(t, outs[i]))
      end
      FFI::Pointer::NULL
    rescue Exception => e # rubocop:disable Lint/RescueException -- nothing may unwind into native frames
      @pending ||= e
      msg = "#{e.class}: #{e.message}"
      Native.intertype_error_new(msg, msg.bytesize)
    end
  end

  # `inst.exports.some_name(args)` calls `some-name` (or `some_name`).
  class Exports < BasicObject
    def initialize(instance)
      @instance = instance
      @names = {}
      instance.module.exports.each_key { |n| @names[n.tr("-", "_")] ||= n }
    end

    def method_missing(name, *args)
      real = @names[name.to_s]
      ::Kernel.raise ::NoMethodError, "the module has no function #{name}" unless real

      @instance.call(real, *args)
    end

    def respond_to_missing?(name, _include_private = false)
      @names.key?(name.to_s)
    end

    def respond_to?(name, include_private = false)
      respond_to_missing?(name, include_private)
    end
  end
end
