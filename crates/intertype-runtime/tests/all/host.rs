//! Typed host functions and WASI.

use crate::util::{load, load_file};
use intertype_runtime::{Engine, ErrorKind, Linker, WasiOptions};
use std::sync::{Arc, Mutex};

#[test]
fn typed_host_function_implements_an_import() {
    let engine = Engine::default();
    let module = load_file(&engine, "reference/c-import-implement.wat");
    let seen = Arc::new(Mutex::new(String::new()));
    let sink = seen.clone();
    let mut linker = Linker::new(&engine);
    linker.func_wrap("", "log", move |(s,): (String,)| {
        sink.lock().unwrap().push_str(&s);
        Ok(())
    });
    let mut inst = linker.instantiate(&module).unwrap();
    let run = inst.typed_func::<(), ()>("run").unwrap();
    run.call(&mut inst, ()).unwrap();
    run.call(&mut inst, ()).unwrap();
    assert_eq!(*seen.lock().unwrap(), "hello from wasmhello from wasm");
}

const ARGC: &str = r#"
(module
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $sizes (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func $argc_ (result i32)
    (drop (call $sizes (i32.const 0) (i32.const 4)))
    (i32.load (i32.const 0)))
  (@interface func (export "argc") (result u32)
    call-core $argc_ i32-to-u32))
"#;

#[test]
fn wasi_preview1_is_opt_in() {
    let engine = Engine::default();
    let module = load(&engine, ARGC);
    let err = Linker::new(&engine).instantiate(&module).err().unwrap();
    assert_eq!(err.kind(), ErrorKind::Link);
    assert!(
        err.to_string().contains("args_sizes_get") && err.to_string().contains("WASI"),
        "{err}"
    );
    let mut linker = Linker::new(&engine);
    linker
        .wasi(WasiOptions {
            args: vec!["prog".into(), "a".into(), "b".into()],
            ..WasiOptions::default()
        })
        .unwrap();
    let mut inst = linker.instantiate(&module).unwrap();
    let argc = inst.typed_func::<(), (u32,)>("argc").unwrap();
    assert_eq!(argc.call(&mut inst, ()).unwrap(), (3,));
}
