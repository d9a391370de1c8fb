//! Adapters of the `greeting(string) -> string` shape run as a string call
//! (`plan/mod.rs`, `StringCall`), typed and dynamic: a misbehaving guest is
//! caught with the same errors as any adapter, and the deferred free runs
//! exactly when the adapter reached it.

use crate::util::load;
use intertype_runtime::{Engine, ErrorKind, Instance, Linker, Misbehavior, Value};

/// With `defer`, `free` is deferred after the call (so it runs even when
/// reading the result fails); without, nothing is freed.
/// `greet_` misbehaves by the name's length: 1 byte, an out-of-bounds
/// result; 2 bytes, invalid UTF-8; 3 bytes, it traps. `frees` counts frees.
fn guest(defer: bool) -> String {
    let defer = if defer { "defer-call-core $free" } else { "" };
    format!(
        r#"
(module
  (memory (export "mem") 1)
  (global $heap (mut i32) (i32.const 1024))
  (global $frees (mut i32) (i32.const 0))
  (data (i32.const 16) "Hi \ff")
  (func $malloc (param $n i32) (result i32)
    (local $p i32)
    (local.set $p (global.get $heap))
    (global.set $heap (i32.add (global.get $heap) (local.get $n)))
    (local.get $p))
  (func $free (param i32 i32) (global.set $frees (i32.add (global.get $frees) (i32.const 1))))
  (func (export "frees") (result i32) (global.get $frees))
  (func $greet_ (param $p i32) (param $n i32) (result i32 i32)
    (if (i32.eq (local.get $n) (i32.const 1)) (then (return (i32.const 65530) (i32.const 100))))
    (if (i32.eq (local.get $n) (i32.const 2)) (then (return (i32.const 16) (i32.const 4))))
    (if (i32.eq (local.get $n) (i32.const 3)) (then unreachable))
    (local.get $p) (local.get $n))
  (@interface func (export "greet") (param string) (result string)
    arg.get 0
    string-to-memory $malloc "mem"
    call-core $greet_
    {defer}
    memory-to-string "mem"))
"#
    )
}

fn frees(inst: &mut Instance) -> Value {
    // `clear_poison`: the counter is read after a failed call.
    inst.clear_poison();
    inst.call_core("frees", &[]).unwrap().remove(0)
}

fn call(inst: &mut Instance, typed: bool, name: &str) -> Result<String, intertype_runtime::Error> {
    if typed {
        let f = inst.typed_func::<(&str,), (String,)>("greet").unwrap();
        f.call(inst, (name,)).map(|(s,)| s)
    } else {
        match inst.call("greet", &[Value::String(name.into())])?.remove(0) {
            Value::String(s) => Ok(s),
            other => panic!("not a string: {other:?}"),
        }
    }
}

#[test]
fn well_behaved_calls_free_once_each() {
    let engine = Engine::default();
    for defer in [true, false] {
        let module = load(&engine, &guest(defer));
        let mut inst = Linker::new(&engine).instantiate(&module).unwrap();
        for typed in [true, false] {
            assert_eq!(call(&mut inst, typed, "hello").unwrap(), "hello");
            assert_eq!(call(&mut inst, typed, "").unwrap(), "");
        }
        assert_eq!(frees(&mut inst), Value::I32(if defer { 4 } else { 0 }));
    }
}

#[test]
fn misbehaviour_is_caught_and_the_free_runs_if_reached() {
    let engine = Engine::default();
    let cases = [
        ("x", ErrorKind::Guest(Misbehavior::OutOfBounds)),
        ("xy", ErrorKind::Guest(Misbehavior::InvalidEncoding)),
        ("xyz", ErrorKind::Trap),
    ];
    for defer in [true, false] {
        let module = load(&engine, &guest(defer));
        for typed in [true, false] {
            for (name, kind) in cases {
                let mut inst = Linker::new(&engine).instantiate(&module).unwrap();
                let err = call(&mut inst, typed, name).unwrap_err();
                assert_eq!(err.kind(), kind, "{name:?} typed={typed}: {err:?}");
                assert!(err.to_string().contains("at instruction"), "{err}");
                assert!(inst.is_poisoned());
                // The free is reached after the call, before the read; a
                // trap in the call does not reach it.
                let reached = kind != ErrorKind::Trap && defer;
                assert_eq!(
                    frees(&mut inst),
                    Value::I32(reached.into()),
                    "{name:?} defer={defer} typed={typed}"
                );
            }
        }
    }
}
