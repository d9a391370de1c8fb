;; Validator: strings and memories; an empty core module.
(module

  (@interface type (;0;) (func (param i32) (param i32) (result string)))
  (@interface func (;0;) (type 0)
    arg.get 0
    arg.get 1
    memory-to-string)
  (@interface export "f" (func 0))
)
