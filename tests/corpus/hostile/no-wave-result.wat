;; A function whose result has no WAVE form and which traps when called:
;; `intertype run` must refuse before calling it (issue 8 item 12).
(module
  (func $boom_ (result externref) unreachable)
  (@interface func (export "boom") (result externref) call-core $boom_))
