;; A core function taking i32 called with an s32.
(module
  (func $take (param i32))
  (@interface func (export "f") (param s32)
    arg.get 0
    call-core $take))
