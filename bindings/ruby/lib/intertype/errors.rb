# frozen_string_literal: true

module Intertype
  # Every error the engine reports. `kind` says whose fault it was (one
  # subclass per kind); traps carry `trap_code`, guest misbehaviour
  # `misbehavior`, limits `limit` (symbols; see docs/ruby.md).
  class Error < StandardError
    attr_reader :kind, :trap_code, :misbehavior, :limit, :exit_code

    def initialize(message = nil, kind: nil, trap_code: nil, misbehavior: nil, limit: nil, exit_code: nil)
      super(message)
      @kind = kind || self.class::KIND
      @trap_code = trap_code
      @misbehavior = misbehavior
      @limit = limit
      @exit_code = exit_code
    end

    KIND = :error

    # Converts (and frees) a native intertype_error_t.
    def self.from_native(ptr)
      kind = Native::ERROR_KINDS[Native.intertype_error_kind(ptr)] || :internal
      message = Native.intertype_error_message(ptr).dup.force_encoding(Encoding::UTF_8)
      misbehavior = Native::MISBEHAVIORS[Native.intertype_error_misbehavior(ptr)]
      limit = Native::LIMITS[Native.intertype_error_limit(ptr)]
      trap_code = Native::TRAP_CODES.fetch(Native.intertype_error_trap_code(ptr), :other)
      exit_code = Native.intertype_error_exit_code(ptr)
      KIND_CLASSES.fetch(kind, InternalError).new(
        message, kind: kind, trap_code: trap_code,
                 misbehavior: misbehavior == :none ? nil : misbehavior,
                 limit: limit == :none ? nil : limit,
                 exit_code: kind == :exit ? exit_code : nil
      )
    ensure
      Native.intertype_error_delete(ptr)
    end
  end

  # The module could not be loaded (invalid core module or booklet).
  class LoadError < Error; KIND = :load; end
  # An import is missing or has the wrong type.
  class LinkError < Error; KIND = :link; end
  # A Ruby value that does not fit the interface type (wrong class, integer
  # out of range, a string that is not valid UTF-8, ...).
  class HostTypeError < Error; KIND = :host_type; end
  # A string whose bytes are not valid in its encoding.
  class EncodingError < HostTypeError; end
  # Core wasm trapped (`trap_code`).
  class Trap < Error; KIND = :trap; end
  # The guest broke the interface contract (`misbehavior`).
  class GuestError < Error; KIND = :guest; end
  # A resource limit was hit (`limit`: :fuel, :memory, ...).
  class LimitError < Error; KIND = :limit; end
  # A host function failed (a Ruby exception in a host function is re-raised
  # as itself instead).
  class HostError < Error; KIND = :host; end
  # The instance failed earlier inside wasm; create a new instance.
  class PoisonedError < Error; KIND = :poisoned; end
  # Misuse: no such function, wrong number of arguments.
  class UsageError < Error; KIND = :usage; end
  # A WASI guest exited (`exit_code`).
  class ExitError < Error; KIND = :exit; end
  # A bug in intertype.
  class InternalError < Error; KIND = :internal; end

  # A call returned the error case of a `result`: `value` is its payload
  # (nil without one).
  class ResultError < Error
    KIND = :result
    attr_reader :value

    def initialize(value)
      @value = value
      super("the function returned an error: #{value.inspect}")
    end
  end

  Error::KIND_CLASSES = {
    load: LoadError, link: LinkError, host_type: HostTypeError, trap: Trap,
    guest: GuestError, limit: LimitError, host: HostError, poisoned: PoisonedError,
    usage: UsageError, exit: ExitError, internal: InternalError
  }.freeze
end
