;; Exports `greet` with a type the importer does not expect.
(module
  (func $f (export "f") (param i32) (result i32) local.get 0)
  (@interface func (export "greet") (param u32) (result u32)
    arg.get 0 u32-to-i32 call-core $f i32-to-u32))
