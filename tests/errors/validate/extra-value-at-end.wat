;; One value too many left on the stack at `end`.
(module
  (@interface type $point (record (field "x" s32) (field "y" s32)))
  (@interface func (export "mk") (param s32) (result $point)
    arg.get 0
    arg.get 0
    record.lift $point
    arg.get 0))
