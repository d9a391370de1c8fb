//! Typed calls back into the guest from a host function (`Caller`) take
//! the same specialised paths as calls on an `Instance` (direct scalar
//! calls, the general scalar plan, string calls), with the same values,
//! errors and poisoning as the general path they stand for.

use crate::util::load;
use intertype_runtime::{Caller, Engine, Error, ErrorKind, Instance, Linker, Value};

/// `drive(k)` calls the host's `drive`, which calls back into `add`,
/// `widen` (direct), `mix` (general scalar plan), `echo` (string call) or
/// `trap`, chosen by `k`.
const GUEST: &str = r#"
(module
  (import "env" "drive_" (func $drive_ (param i32) (result i32)))
  (memory (export "mem") 1)
  (global $heap (mut i32) (i32.const 1024))
  (global $frees (mut i32) (i32.const 0))
  (func $malloc (param $n i32) (result i32)
    (local $p i32)
    (local.set $p (global.get $heap))
    (global.set $heap (i32.add (global.get $heap) (local.get $n)))
    (local.get $p))
  (func $free (param i32 i32)
    (global.set $frees (i32.add (global.get $frees) (i32.const 1))))
  (func $frees_ (result i32) (global.get $frees))
  (func $echo_ (param $p i32) (param $n i32) (result i32 i32)
    (local.get $p) (local.get $n))
  (func $add_ (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
  (func $id_ (param i32) (result i32) (local.get 0))
  (func $trap_ (param i32) (result i32) unreachable)
  (func $mix_ (param f64 i64) (result f64 i64)
    (f64.mul (local.get 0) (f64.const 2)) (i64.add (local.get 1) (i64.const 1)))
  (func $run_ (param i32) (result i32) (call $drive_ (local.get 0)))

  (@interface func (export "add") (param s32 s32) (result s32)
    arg.get 0 s32-to-i32 arg.get 1 s32-to-i32 call-core $add_ i32-to-s32)
  (@interface func (export "widen") (param s32) (result s64)
    arg.get 0 s32-to-i32 call-core $id_ i32-to-s64)
  (@interface func (export "mix") (param f64 s64) (result f64 s64)
    arg.get 0 arg.get 1 s64-to-i64 call-core $mix_ i64-to-s64)
  (@interface func (export "echo") (param string) (result string)
    arg.get 0 string-to-memory $malloc "mem" call-core $echo_
    defer-call-core $free memory-to-string "mem")
  (@interface func (export "trap") (param s32) (result s32)
    arg.get 0 s32-to-i32 call-core $trap_ i32-to-s32)
  (@interface func (export "frees") (result u32)
    call-core $frees_ i32-to-u32)
  (@interface func (export "drive") (param u32) (result s32)
    arg.get 0 u32-to-i32 call-core $run_ i32-to-s32)

  (@interface import "host" "drive" (func (param u32) (result s32)))
  (@interface implement (import "env" "drive_") (param i32) (result i32)
    arg.get 0 i32-to-u32 call-adapter 0 s32-to-i32)
)
"#;

/// What the host function saw, for the test to check.
#[derive(Default)]
struct Seen {
    widened: Option<i64>,
    mixed: Option<(f64, i64)>,
    echoed: Option<String>,
    dynamic: Vec<Value>,
}

fn callback(caller: &mut Caller<'_, Seen>, k: u32) -> Result<i32, Error> {
    let func = |caller: &Caller<'_, Seen>, name: &str| {
        caller
            .func(name)
            .ok_or_else(|| Error::host(format!("no `{name}`")))
    };
    match k {
        0 => {
            let add = func(caller, "add")?.typed::<(i32, i32), (i32,)>()?;
            Ok(add.call_in(caller, (40, 2))?.0)
        }
        1 => {
            let widen = func(caller, "widen")?.typed::<(i32,), (i64,)>()?;
            caller.data_mut().widened = Some(widen.call_in(caller, (-3,))?.0);
            Ok(1)
        }
        2 => {
            let mix = func(caller, "mix")?.typed::<(f64, i64), (f64, i64)>()?;
            caller.data_mut().mixed = Some(mix.call_in(caller, (1.25, 9))?);
            Ok(2)
        }
        3 => {
            let echo = func(caller, "echo")?.typed::<(&str,), (String,)>()?;
            let (s,) = echo.call_in(caller, ("nested ✓",))?;
            caller.data_mut().echoed = Some(s);
            Ok(3)
        }
        4 => {
            // The same functions called dynamically from the caller.
            let mut out = func(caller, "echo")?.call_in(caller, &[Value::String("dyn".into())])?;
            out.extend(func(caller, "add")?.call_in(caller, &[Value::S32(1), Value::S32(2)])?);
            caller.data_mut().dynamic = out;
            Ok(4)
        }
        _ => {
            let trap = func(caller, "trap")?.typed::<(i32,), (i32,)>()?;
            Ok(trap.call_in(caller, (0,))?.0)
        }
    }
}

fn instance() -> Instance<Seen> {
    let engine = Engine::default();
    let module = load(&engine, GUEST);
    let mut linker = Linker::<Seen>::with_data_type(&engine);
    linker.func_wrap_with_caller(
        "host",
        "drive",
        |mut caller: Caller<'_, Seen>, (k,): (u32,)| -> Result<(i32,), Error> {
            Ok((callback(&mut caller, k)?,))
        },
    );
    linker.instantiate_with(&module, Seen::default()).unwrap()
}

#[test]
fn typed_calls_from_a_caller_take_the_fast_paths_with_the_same_values() {
    let mut inst = instance();
    let drive = inst.typed_func::<(u32,), (i32,)>("drive").unwrap();
    assert_eq!(drive.call(&mut inst, (0,)).unwrap(), (42,));
    assert_eq!(drive.call(&mut inst, (1,)).unwrap(), (1,));
    assert_eq!(inst.data().widened, Some(-3));
    assert_eq!(drive.call(&mut inst, (2,)).unwrap(), (2,));
    assert_eq!(inst.data().mixed, Some((2.5, 10)));
    assert_eq!(drive.call(&mut inst, (3,)).unwrap(), (3,));
    assert_eq!(inst.data().echoed.as_deref(), Some("nested ✓"));
    assert_eq!(drive.call(&mut inst, (4,)).unwrap(), (4,));
    assert_eq!(
        inst.data().dynamic,
        [Value::String("dyn".into()), Value::S32(3)]
    );
    // Both string calls ran their deferred free, once each.
    assert_eq!(inst.call("frees", &[]).unwrap(), [Value::U32(2)]);
    assert!(!inst.is_poisoned());
}

#[test]
fn a_trap_in_a_nested_fast_call_names_the_adapter_and_poisons() {
    let mut inst = instance();
    let drive = inst.typed_func::<(u32,), (i32,)>("drive").unwrap();
    let err = drive.call(&mut inst, (9,)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Trap, "{err:?}");
    assert!(err.to_string().contains("\"trap\""), "{err}");
    assert!(inst.is_poisoned());
    let err = drive.call(&mut inst, (0,)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Poisoned, "{err:?}");
}
