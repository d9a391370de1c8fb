# frozen_string_literal: true

Gem::Specification.new do |s|
  s.name = "intertype"
  s.version = "0.1.0"
  s.summary = "Run WebAssembly modules with interface types from Ruby"
  s.description = "Ruby bindings for the intertype engine over its C API " \
                  "(libintertype): strings, records, lists, variants and host functions " \
                  "across the wasm boundary."
  s.authors = ["intertype contributors"]
  s.license = "Apache-2.0 WITH LLVM-exception"
  s.files = Dir["lib/**/*.rb"] + ["README.md"]
  s.require_paths = ["lib"]
  s.required_ruby_version = ">= 3.0"
  s.add_dependency "ffi", ">= 1.15"
end
