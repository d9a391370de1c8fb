;; RUN: inspect %s && validate %s && print --interface-only %s
;; A plain core module is fine everywhere; it just has no interface.
(module (func (export "f")))
