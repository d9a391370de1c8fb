# frozen_string_literal: true

# intertype: WebAssembly modules with interface types, from Ruby.
#
#   mod = Intertype::Module.from_file("markdown.wasm")
#   inst = Intertype::Instance.new(mod)
#   inst.call("render", "# hi")          # => "<h1>hi</h1>\n"
#   inst.exports.render("# hi")          # the same, method style
#
# The gem is plain Ruby over the C API (libintertype, see docs/c-api.md)
# through ruby-ffi; docs/ruby.md describes the value mapping.
module Intertype
end

require_relative "intertype/native"
require_relative "intertype/errors"
require_relative "intertype/types"
require_relative "intertype/values"
require_relative "intertype/engine"
require_relative "intertype/instance"
