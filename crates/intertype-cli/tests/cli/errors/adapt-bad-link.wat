;; RUN: adapt %s --link lib.wasm -o %tmp/a.wasm
;; `--link` takes NAME=FILE.
(module)
