//! Scalar-only adapters run on raw registers (`plan/scalar.rs`), both typed
//! and dynamic: the same values, errors, poisoning and limits as any call.

use crate::util::load;
use intertype_runtime::{Config, Engine, ErrorKind, Instance, Limit, Linker, Misbehavior, Value};

const SCALARS: &str = r#"
(module
  (func $add_ (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
  (func $id_ (param i32) (result i32) (local.get 0))
  (func $inc_ (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
  (func $trap_ (param i32) (result i32) unreachable)
  (func $mix_ (param f64 i64) (result f64 i64)
    (f64.mul (local.get 0) (f64.const 2)) (i64.add (local.get 1) (i64.const 1)))
  (@interface func (export "add") (param s32 s32) (result s32)
    arg.get 0 s32-to-i32 arg.get 1 s32-to-i32 call-core $add_ i32-to-s32)
  (@interface func (export "wrap8") (param s64) (result s8)
    arg.get 0 s64-to-i32 call-core $id_ i32-to-s8)
  (@interface func (export "check8") (param s64) (result s8)
    arg.get 0 s64-to-i32 call-core $id_ i32-to-s8x)
  (@interface func (export "narrow") (param s64) (result s32)
    arg.get 0 s64-to-i32x call-core $id_ i32-to-s32)
  (@interface func (export "to-char") (param u32) (result char)
    arg.get 0 u32-to-i32 call-core $id_ i32-to-char)
  (@interface func (export "truthy") (param u32) (result bool)
    arg.get 0 u32-to-i32 call-core $id_ i32-to-bool)
  (@interface func (export "twice") (param s32) (result s32)
    arg.get 0 s32-to-i32 call-core $inc_ call-core $inc_ i32-to-s32)
  (@interface func (export "mix") (param f64 s64) (result f64 s64)
    arg.get 0 arg.get 1 s64-to-i64 call-core $mix_ i64-to-s64)
  (@interface func (export "trap") (param s32) (result s32)
    arg.get 0 s32-to-i32 call-core $trap_ i32-to-s32)
  (func $sub_ (param i32 i32) (result i32) (i32.sub (local.get 0) (local.get 1)))
  (func $spin_ (param i32) (result i32) (loop (br 0)) unreachable)
  (@interface func (export "widen") (param s32) (result s64)
    arg.get 0 s32-to-i32 call-core $id_ i32-to-s64)
  (@interface func (export "widen-u") (param u32) (result u64)
    arg.get 0 u32-to-i32 call-core $id_ i32-to-u64)
  (@interface func (export "rsub") (param s32 s32) (result s32)
    arg.get 1 s32-to-i32 arg.get 0 s32-to-i32 call-core $sub_ i32-to-s32)
  (@interface func (export "core") (param u8) (result i32)
    arg.get 0 u8-to-i32 call-core $id_)
  (@interface func (export "spin") (param s32) (result s32)
    arg.get 0 s32-to-i32 call-core $spin_ i32-to-s32)
)
"#;

fn instance() -> Instance {
    let engine = Engine::default();
    let module = load(&engine, SCALARS);
    Linker::new(&engine).instantiate(&module).unwrap()
}

#[test]
fn typed_and_dynamic_scalar_calls_agree() {
    let mut inst = instance();
    let add = inst.typed_func::<(i32, i32), (i32,)>("add").unwrap();
    assert_eq!(add.call(&mut inst, (2, 3)).unwrap(), (5,));
    assert_eq!(add.call(&mut inst, (i32::MAX, 1)).unwrap(), (i32::MIN,));
    assert_eq!(
        inst.call("add", &[Value::S32(-7), Value::S32(3)]).unwrap(),
        [Value::S32(-4)]
    );
    let wrap8 = inst.typed_func::<(i64,), (i8,)>("wrap8").unwrap();
    assert_eq!(wrap8.call(&mut inst, (300,)).unwrap(), (44,));
    assert_eq!(wrap8.call(&mut inst, (-129,)).unwrap(), (127,));
    assert_eq!(
        inst.call("wrap8", &[Value::S64(300)]).unwrap(),
        [Value::S8(44)]
    );
    let truthy = inst.typed_func::<(u32,), (bool,)>("truthy").unwrap();
    assert_eq!(truthy.call(&mut inst, (5,)).unwrap(), (true,));
    assert_eq!(truthy.call(&mut inst, (0,)).unwrap(), (false,));
    let to_char = inst.typed_func::<(u32,), (char,)>("to-char").unwrap();
    assert_eq!(to_char.call(&mut inst, (0x1F600,)).unwrap(), ('😀',));
    let twice = inst.typed_func::<(i32,), (i32,)>("twice").unwrap();
    assert_eq!(twice.call(&mut inst, (40,)).unwrap(), (42,));
    assert_eq!(
        inst.call("twice", &[Value::S32(1)]).unwrap(),
        [Value::S32(3)]
    );
    // Not all-i32: the core call goes through `Val`s.
    let mix = inst.typed_func::<(f64, i64), (f64, i64)>("mix").unwrap();
    assert_eq!(mix.call(&mut inst, (1.5, 41)).unwrap(), (3.0, 42));
    assert_eq!(
        inst.call("mix", &[Value::F64(-0.25), Value::S64(i64::MAX)])
            .unwrap(),
        [Value::F64(-0.5), Value::S64(i64::MIN)]
    );
    assert!(!inst.is_poisoned());
}

#[test]
fn a_failed_checked_lift_is_the_guests_fault_and_poisons() {
    for (name, arg) in [("check8", 300u64), ("to-char", 0xd800)] {
        let mut inst = instance();
        let err = match name {
            "check8" => inst
                .typed_func::<(i64,), (i8,)>(name)
                .unwrap()
                .call(&mut inst, (arg as i64,))
                .map(|_| ())
                .unwrap_err(),
            _ => inst
                .call(name, &[Value::U32(arg as u32)])
                .map(|_| ())
                .unwrap_err(),
        };
        assert_eq!(
            err.kind(),
            ErrorKind::Guest(Misbehavior::InvalidValue),
            "{err:?}"
        );
        assert!(err.to_string().contains("at instruction"), "{err}");
        assert!(inst.is_poisoned(), "{name}: wasm ran before the failure");
    }
}

#[test]
fn a_failed_checked_lower_is_the_hosts_fault_and_does_not_poison() {
    let mut inst = instance();
    let narrow = inst.typed_func::<(i64,), (i32,)>("narrow").unwrap();
    assert_eq!(narrow.call(&mut inst, (-5,)).unwrap(), (-5,));
    let err = narrow.call(&mut inst, (1 << 40,)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::HostType, "{err:?}");
    assert!(err.to_string().contains("s64-to-i32x"), "{err}");
    assert!(!inst.is_poisoned());
    assert_eq!(narrow.call(&mut inst, (7,)).unwrap(), (7,));
}

#[test]
fn a_trap_poisons_until_cleared() {
    let mut inst = instance();
    let trap = inst.typed_func::<(i32,), (i32,)>("trap").unwrap();
    let err = trap.call(&mut inst, (1,)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Trap, "{err:?}");
    let add = inst.typed_func::<(i32, i32), (i32,)>("add").unwrap();
    let err = add.call(&mut inst, (1, 1)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Poisoned, "{err:?}");
    let err = inst
        .call("add", &[Value::S32(1), Value::S32(1)])
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Poisoned, "{err:?}");
    inst.clear_poison();
    assert_eq!(add.call(&mut inst, (1, 1)).unwrap(), (2,));
}

/// Direct calls (one all-`i32` core call, `DirectCall`): the result's
/// extension, a core result left unconverted, typed and dynamic alike; and
/// arguments in another order than the parameters' (not a direct call:
/// the general scalar plan runs it).
#[test]
fn direct_calls_extend_and_order_like_the_general_path() {
    let mut inst = instance();
    let widen = inst.typed_func::<(i32,), (i64,)>("widen").unwrap();
    assert_eq!(widen.call(&mut inst, (-5,)).unwrap(), (-5,));
    assert_eq!(
        inst.call("widen", &[Value::S32(i32::MIN)]).unwrap(),
        [Value::S64(i32::MIN.into())]
    );
    let widen_u = inst.typed_func::<(u32,), (u64,)>("widen-u").unwrap();
    assert_eq!(
        widen_u.call(&mut inst, (u32::MAX,)).unwrap(),
        (u32::MAX.into(),)
    );
    assert_eq!(
        inst.call("widen-u", &[Value::U32(0x8000_0000)]).unwrap(),
        [Value::U64(0x8000_0000)]
    );
    // Arguments passed in another order than the parameters'.
    let rsub = inst.typed_func::<(i32, i32), (i32,)>("rsub").unwrap();
    assert_eq!(rsub.call(&mut inst, (10, 3)).unwrap(), (-7,));
    assert_eq!(
        inst.call("rsub", &[Value::S32(10), Value::S32(3)]).unwrap(),
        [Value::S32(-7)]
    );
    assert_eq!(
        inst.call("core", &[Value::U8(200)]).unwrap(),
        [Value::I32(200)]
    );
    assert!(!inst.is_poisoned());
}

/// A trap in a direct call names the adapter and the instruction; the
/// per-call fuel budget is set on this path too.
#[test]
fn direct_calls_name_the_adapter_and_keep_per_call_budgets() {
    let mut inst = instance();
    let err = inst.call("trap", &[Value::S32(1)]).unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("\"trap\"") && msg.contains("`call-core`"),
        "{msg}"
    );

    let engine = Engine::new(&Config {
        consume_fuel: true,
        ..Config::default()
    })
    .unwrap();
    let mut inst = Linker::new(&engine)
        .instantiate(&load(&engine, SCALARS))
        .unwrap();
    inst.set_fuel_per_call(Some(20_000)).unwrap();
    let spin = inst.typed_func::<(i32,), (i32,)>("spin").unwrap();
    let err = spin.call(&mut inst, (1,)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Limit(Limit::Fuel), "{err:?}");
    inst.clear_poison();
    // Refilled: the next call has its own budget.
    let add = inst.typed_func::<(i32, i32), (i32,)>("add").unwrap();
    for _ in 0..3 {
        assert_eq!(add.call(&mut inst, (1, 2)).unwrap(), (3,));
    }
    let err = inst.call("spin", &[Value::S32(0)]).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Limit(Limit::Fuel), "{err:?}");
}
