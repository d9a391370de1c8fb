//! The host's side of the first week (issue 14): user data `T`, `Caller`
//! (data, guest memory, calls back into the guest), panics, poisoning,
//! typed-call lifetimes, error sources and messages, WAVE, serialization,
//! per-call budgets, memory limits.

use crate::util::load;
use intertype_runtime::{
    Caller, Config, Engine, Error, ErrorKind, FuncType, Limit, Limits, Linker, Module, Type,
    TypedFunc, Value,
};

/// A guest with host imports: `log` (a string), `sum` (a pointer and a
/// length the host reads out of guest memory), `twice` (the host calls
/// back into the guest's `double`), `boom` (the host panics or fails).
const GUEST: &str = r#"
(module
  (import "env" "log_" (func $log_ (param i32 i32)))
  (import "env" "sum_" (func $sum_ (param i32 i32) (result i32)))
  (import "env" "twice_" (func $twice_ (param i32) (result i32)))
  (import "env" "boom_" (func $boom_))
  (memory (export "mem") 1)
  (global $heap (mut i32) (i32.const 1024))
  (data (i32.const 16) "\01\02\03\04")
  (func $malloc (export "malloc") (param $n i32) (result i32)
    (local $p i32)
    (local.set $p (global.get $heap))
    (global.set $heap (i32.add (global.get $heap) (local.get $n)))
    (local.get $p))
  (func $say_ (param $p i32) (param $n i32) (call $log_ (local.get $p) (local.get $n)))
  (func $sum16_ (result i32) (call $sum_ (i32.const 16) (i32.const 4)))
  (func $sum_far_ (result i32) (call $sum_ (i32.const 65530) (i32.const 100)))
  (func $double_ (param i32) (result i32) (i32.mul (local.get 0) (i32.const 2)))
  (func $quad_ (param i32) (result i32) (call $twice_ (local.get 0)))
  (func $boom (call $boom_))
  (func $take_ (param i32 i32))
  (func $trap_ unreachable)

  (@interface func (export "say") (param string)
    arg.get 0 string-to-memory $malloc "mem" call-core $say_)
  (@interface func (export "sum16") (result u32)
    call-core $sum16_ i32-to-u32)
  (@interface func (export "sum_far") (result u32)
    call-core $sum_far_ i32-to-u32)
  (@interface func (export "double") (param u32) (result u32)
    arg.get 0 u32-to-i32 call-core $double_ i32-to-u32)
  (@interface func (export "quad") (param u32) (result u32)
    arg.get 0 u32-to-i32 call-core $quad_ i32-to-u32)
  (@interface func (export "boom")
    call-core $boom)
  (@interface func (export "trap")
    call-core $trap_)
  (@interface func (export "latin1") (param string)
    arg.get 0 string-to-memory $malloc latin1 "mem" call-core $take_)

  (@interface import "host" "log" (func (param string)))
  (@interface import "host" "sum" (func (param u32 u32) (result u32)))
  (@interface import "host" "twice" (func (param u32) (result u32)))
  (@interface import "host" "boom" (func))
  (@interface implement (import "env" "log_") (param i32 i32)
    arg.get 0 arg.get 1 memory-to-string "mem" call-adapter 0)
  (@interface implement (import "env" "sum_") (param i32 i32) (result i32)
    arg.get 0 i32-to-u32 arg.get 1 i32-to-u32 call-adapter 1 u32-to-i32)
  (@interface implement (import "env" "twice_") (param i32) (result i32)
    arg.get 0 i32-to-u32 call-adapter 2 u32-to-i32)
  (@interface implement (import "env" "boom_")
    call-adapter 3)
)
"#;

/// Per-instance state of the tests' host.
#[derive(Default)]
struct State {
    lines: Vec<String>,
    boom: Boom,
}

#[derive(Default, Clone, Copy)]
enum Boom {
    #[default]
    Panic,
    Io,
    Anyhow,
}

#[derive(Debug, PartialEq)]
struct Teapot(u32);

impl std::fmt::Display for Teapot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "I'm a teapot ({})", self.0)
    }
}

impl std::error::Error for Teapot {}

fn linker(engine: &Engine) -> Linker<State> {
    let mut linker = Linker::<State>::with_data_type(engine);
    linker
        .func_wrap_with_caller(
            "host",
            "log",
            |mut caller: Caller<'_, State>, (line,): (String,)| {
                caller.data_mut().lines.push(line);
                Ok(())
            },
        )
        .func_wrap_with_caller(
            "host",
            "sum",
            |mut caller: Caller<'_, State>, (ptr, len): (u32, u32)| {
                let bytes = caller.read(ptr, len)?;
                Ok((bytes.iter().map(|b| u32::from(*b)).sum::<u32>(),))
            },
        )
        .func_wrap_with_caller(
            "host",
            "twice",
            |mut caller: Caller<'_, State>, (x,): (u32,)| {
                let double = caller
                    .func("double")
                    .ok_or_else(|| Error::host("no double"))?
                    .typed::<(u32,), (u32,)>()?;
                let (y,) = double.call_in(&mut caller, (x,))?;
                let (z,) = double.call_in(&mut caller, (y,))?;
                Ok((z,))
            },
        )
        .func_wrap_with_caller(
            "host",
            "boom",
            |caller: Caller<'_, State>, (): ()| -> Result<(), Error> {
                match caller.data().boom {
                    Boom::Panic => panic!("the host gave up at {}", 42),
                    Boom::Io => Err(std::io::Error::other("disk on fire").into()),
                    Boom::Anyhow => {
                        let e: anyhow::Error = Teapot(418).into();
                        Err(Error::from(e.context("while brewing")))
                    }
                }
            },
        );
    linker
}

#[test]
fn each_instance_has_its_own_data_from_a_shared_linker() {
    let engine = Engine::default();
    let module = load(&engine, GUEST);
    let linker = linker(&engine);
    let copy = linker.clone();
    let mut a = linker.instantiate(&module).unwrap();
    let mut b = copy
        .instantiate_with(
            &module,
            State {
                lines: vec!["earlier".into()],
                ..State::default()
            },
        )
        .unwrap();
    let say = a.typed_func::<(&str,), ()>("say").unwrap();
    say.call(&mut a, ("one",)).unwrap();
    say.call(&mut a, ("two",)).unwrap();
    say.call(&mut b, ("three",)).unwrap();
    assert_eq!(a.data().lines, ["one", "two"]);
    assert_eq!(b.data().lines, ["earlier", "three"]);
    b.data_mut().lines.clear();
    assert!(b.data().lines.is_empty());
}

#[test]
fn host_functions_read_guest_memory_and_call_back() {
    let engine = Engine::default();
    let module = load(&engine, GUEST);
    let mut inst = linker(&engine).instantiate(&module).unwrap();
    assert_eq!(inst.call("sum16", &[]).unwrap(), [Value::U32(10)]);
    // `quad` -> host `twice` -> guest `double` twice.
    let quad = inst.typed_func::<(u32,), (u32,)>("quad").unwrap();
    assert_eq!(quad.call(&mut inst, (5,)).unwrap(), (20,));
    // A pointer the guest hands out past its memory is the guest's fault.
    let err = inst.call("sum_far", &[]).unwrap_err();
    assert_eq!(
        err.kind(),
        ErrorKind::Guest(intertype_runtime::Misbehavior::OutOfBounds),
        "{err:?}"
    );
    assert!(err.to_string().contains("100 bytes at 65530"), "{err}");
}

#[test]
fn a_panicking_host_function_poisons_the_instance() {
    let engine = Engine::default();
    let module = load(&engine, GUEST);
    let mut inst = linker(&engine).instantiate(&module).unwrap();
    let err = inst.call("boom", &[]).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Host, "{err:?}");
    assert!(
        err.to_string()
            .contains("the host function panicked: the host gave up at 42"),
        "{err}"
    );
    assert!(inst.is_poisoned());
    let again = inst.call("sum16", &[]).unwrap_err();
    assert_eq!(again.kind(), ErrorKind::Poisoned, "{again:?}");
    assert!(again.to_string().contains("panicked"), "{again}");
}

#[test]
fn errors_before_wasm_runs_do_not_poison() {
    let engine = Engine::default();
    let module = load(&engine, GUEST);
    let mut inst = linker(&engine).instantiate(&module).unwrap();
    let err = inst
        .call("latin1", &[Value::String("日本".into())])
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::HostType, "{err:?}");
    assert!(!inst.is_poisoned());
    inst.call("latin1", &[Value::String("café".into())])
        .unwrap();
    let err = inst.call("double", &[Value::S32(1)]).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::HostType);
    assert!(!inst.is_poisoned());
    assert_eq!(inst.call("sum16", &[]).unwrap(), [Value::U32(10)]);
}

#[test]
fn host_errors_keep_their_source() {
    let engine = Engine::default();
    let module = load(&engine, GUEST);
    let linker = linker(&engine);
    let with = |boom| {
        let mut inst = linker
            .instantiate_with(
                &module,
                State {
                    boom,
                    ..State::default()
                },
            )
            .unwrap();
        inst.call("boom", &[]).unwrap_err()
    };
    let io = with(Boom::Io);
    assert_eq!(io.kind(), ErrorKind::Host);
    assert_eq!(
        io.downcast_ref::<std::io::Error>().unwrap().to_string(),
        "disk on fire"
    );
    let source = std::error::Error::source(&io).expect("a source");
    assert_eq!(source.to_string(), "disk on fire");

    let teapot = with(Boom::Anyhow);
    assert_eq!(teapot.downcast_ref::<Teapot>(), Some(&Teapot(418)));
    assert!(
        teapot
            .to_string()
            .contains("while brewing: I'm a teapot (418)"),
        "{teapot}"
    );
    // `?` on the standard library's errors.
    let parse = || -> Result<u32, Error> { Ok("x".parse::<u32>()?) };
    assert!(parse()
        .unwrap_err()
        .downcast_ref::<std::num::ParseIntError>()
        .is_some());
    // An error type of one's own, without anyhow.
    let own = Error::host_error(Teapot(1));
    assert_eq!(own.downcast_ref::<Teapot>(), Some(&Teapot(1)));
    assert_eq!(
        std::error::Error::source(&own).unwrap().to_string(),
        "I'm a teapot (1)"
    );
}

/// Stored in a struct with `'static` strings, called with short-lived ones.
struct Greeter {
    say: TypedFunc<(&'static str,), ()>,
}

#[test]
fn typed_funcs_take_short_lived_strings() {
    let engine = Engine::default();
    let module = load(&engine, GUEST);
    let mut inst = linker(&engine).instantiate(&module).unwrap();
    let g = Greeter {
        say: inst.typed_func("say").unwrap(),
    };
    for i in 0..3 {
        let line = format!("line {i}");
        g.say.call(&mut inst, (&line,)).unwrap();
    }
    let say = inst.typed_func::<(&str,), ()>("say").unwrap();
    for i in 3..5 {
        say.call(&mut inst, (format!("line {i}").as_str(),))
            .unwrap();
    }
    assert_eq!(inst.data().lines.len(), 5);
    assert_eq!(inst.data().lines[4], "line 4");
}

#[derive(intertype_runtime::Interface)]
struct Scored {
    score: f32,
}

#[test]
fn signature_and_value_mismatches_say_where() {
    let engine = Engine::default();
    let module = load(
        &engine,
        r#"(module
          (import "env" "g_" (func $g_ (param f64)))
          (func $f_ (param f64) (call $g_ (local.get 0)))
          (@interface type $p (record (field "score" f64)))
          (@interface func (export "f") (param $p)
            arg.get 0 record.lower $p call-core $f_)
          (@interface import "host" "g" (func (param $p)))
          (@interface implement (import "env" "g_") (param f64)
            arg.get 0 record.lift $p call-adapter 0))"#,
    );
    let mut linker = Linker::new(&engine);
    linker.func_wrap("host", "g", |(_,): (Scored,)| Ok(()));
    let err = linker.instantiate(&module).err().unwrap();
    assert_eq!(err.kind(), ErrorKind::Link);
    assert!(
        err.to_string()
            .contains("param 0 .score: expected `f64`, found `f32`"),
        "{err}"
    );

    let mut linker = Linker::new(&engine);
    linker.func_new(
        "host",
        "g",
        FuncType::new([Type::record([("score", Type::F64)])], []),
        |_, _| Ok(()),
    );
    let inst = linker.instantiate(&module).unwrap();
    let err = inst.typed_func::<(Scored,), ()>("f").err().unwrap();
    assert!(
        err.to_string()
            .contains("param 0 .score: expected `f64`, found `f32`"),
        "{err}"
    );

    // Dynamic values: what was found, and where.
    let record = Type::record([("name", Type::String), ("score", Type::F64)]);
    let v = Value::Record(vec![Value::String("a".into()), Value::F32(1.5)]);
    let err = v.check(&record).unwrap_err();
    assert!(
        err.to_string()
            .contains(".score: expected `f64`, found f32 1.5"),
        "{err}"
    );
    let list = Type::list(Type::String);
    let err = Value::List(vec!["a".into(), Value::U8(1)])
        .check(&list)
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("[1]: expected `string`, found u8 1"),
        "{err}"
    );
}

#[test]
fn wave_text_round_trips_through_values() {
    let ty = Type::record([
        ("name", Type::String),
        ("tags", Type::list(Type::String)),
        ("age", Type::option(Type::U8)),
    ]);
    let v = Value::from_wave(&ty, r#"{name: "Lin", tags: ["a", "b"], age: some(7)}"#).unwrap();
    assert_eq!(
        v,
        Value::Record(vec![
            "Lin".into(),
            Value::List(vec!["a".into(), "b".into()]),
            Some(7u8).into(),
        ])
    );
    assert_eq!(
        v.wave(&ty).to_string(),
        r#"{name: "Lin", tags: ["a", "b"], age: some(7)}"#
    );
    let err = Value::from_wave(&ty, "{name: 3}").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::HostType);
    assert_eq!(Value::from(3u32), Value::U32(3));
    assert_eq!(Value::from(&b"hi"[..]), Value::Bytes(b"hi".to_vec()));
    let args = intertype_runtime::wave::parse_args(
        r#"("x", 2)"#,
        &FuncType::new([Type::String, Type::U32], []),
    )
    .unwrap();
    assert_eq!(args, ["x".into(), Value::U32(2)]);

    // Text in, text out.
    let engine = Engine::default();
    let module = load(&engine, GUEST);
    let mut inst = linker(&engine).instantiate(&module).unwrap();
    assert_eq!(inst.call_wave("quad(4)").unwrap(), ["16"]);
    assert_eq!(inst.call_wave("say(\"hi\")").unwrap(), Vec::<String>::new());
    assert_eq!(inst.data().lines, ["hi"]);
    let err = inst.call_wave("quad(\"x\")").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::HostType, "{err}");
    assert_eq!(
        inst.call_wave("nope()").unwrap_err().kind(),
        ErrorKind::Usage
    );
}

#[test]
fn serialized_modules_load_without_compiling() {
    let engine = Engine::default();
    let module = load(&engine, GUEST);
    let bytes = module.serialize().unwrap();
    // SAFETY: the bytes were just made by `serialize` with this engine.
    #[allow(unsafe_code)]
    let again = unsafe { Module::deserialize(&engine, &bytes) }.unwrap();
    let mut inst = linker(&engine).instantiate(&again).unwrap();
    assert_eq!(inst.call("sum16", &[]).unwrap(), [Value::U32(10)]);
    assert_eq!(again.exports().len(), module.exports().len());
    #[allow(unsafe_code)]
    let bad = unsafe { Module::deserialize(&engine, b"not a module") };
    assert_eq!(bad.err().unwrap().kind(), ErrorKind::Load);
    #[allow(unsafe_code)]
    let cut = unsafe { Module::deserialize(&engine, &bytes[..bytes.len() / 2]) };
    assert_eq!(cut.err().unwrap().kind(), ErrorKind::Load);
}

const SPIN_AND_GROW: &str = r#"
(module
  (memory (export "mem") 1)
  (func $count_ (param $n i32) (result i32)
    (local $i i32)
    (loop $l
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $i))
  (func $grow_ (param $pages i32) (result i32) (memory.grow (local.get $pages)))
  (func $grow_or_die_ (param $pages i32)
    (if (i32.eq (memory.grow (local.get $pages)) (i32.const -1)) (then unreachable)))
  (@interface func (export "count") (param u32) (result u32)
    arg.get 0 u32-to-i32 call-core $count_ i32-to-u32)
  (@interface func (export "grow") (param u32) (result s32)
    arg.get 0 u32-to-i32 call-core $grow_ i32-to-s32)
  (@interface func (export "grow_or_die") (param u32)
    arg.get 0 u32-to-i32 call-core $grow_or_die_))
"#;

#[test]
fn fuel_per_call_is_refilled_for_each_call() {
    let engine = Engine::new(&Config {
        consume_fuel: true,
        ..Config::default()
    })
    .unwrap();
    let module = load(&engine, SPIN_AND_GROW);
    let mut inst = Linker::new(&engine).instantiate(&module).unwrap();
    inst.set_fuel_per_call(Some(20_000)).unwrap();
    let count = inst.typed_func::<(u32,), (u32,)>("count").unwrap();
    // Each call alone fits; together they would not.
    for _ in 0..10 {
        assert_eq!(count.call(&mut inst, (1000,)).unwrap(), (1000,));
    }
    let err = count.call(&mut inst, (1_000_000,)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Limit(Limit::Fuel), "{err:?}");

    let plain = Engine::default();
    let module = load(&plain, SPIN_AND_GROW);
    let mut inst = Linker::new(&plain).instantiate(&module).unwrap();
    assert_eq!(
        inst.set_fuel_per_call(Some(1)).unwrap_err().kind(),
        ErrorKind::Usage
    );
}

#[test]
fn deadline_per_call_counts_from_each_call() {
    let engine = Engine::new(&Config {
        epoch_interruption: true,
        ..Config::default()
    })
    .unwrap();
    let module = load(&engine, SPIN_AND_GROW);
    let mut inst = Linker::new(&engine).instantiate(&module).unwrap();
    inst.set_deadline_per_call(Some(1));
    // Epochs pass between calls; each call still gets its own tick.
    for _ in 0..3 {
        engine.increment_epoch();
        assert_eq!(
            inst.call("count", &[Value::U32(10)]).unwrap(),
            [Value::U32(10)]
        );
    }
}

#[test]
fn memory_limit_makes_memory_grow_fail_softly() {
    let engine = Engine::new(&Config {
        limits: Limits {
            max_memory_bytes: Some(4 << 16),
            ..Limits::default()
        },
        ..Config::default()
    })
    .unwrap();
    let module = load(&engine, SPIN_AND_GROW);
    let mut inst = Linker::new(&engine).instantiate(&module).unwrap();
    assert_eq!(
        inst.call("grow", &[Value::U32(2)]).unwrap(),
        [Value::S32(1)]
    );
    // Past the limit: -1, and the guest carries on.
    assert_eq!(
        inst.call("grow", &[Value::U32(2)]).unwrap(),
        [Value::S32(-1)]
    );
    assert_eq!(
        inst.call("grow", &[Value::U32(1)]).unwrap(),
        [Value::S32(3)]
    );
    // A guest that gives up is reported as the limit, with the sizes.
    let err = inst.call("grow_or_die", &[Value::U32(1)]).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Limit(Limit::Memory), "{err:?}");
    assert!(
        err.to_string().contains(
            "growing from 262144 to 327680 bytes was refused (the limit is 262144 bytes)"
        ),
        "{err}"
    );
}

#[test]
fn long_tuples_are_lists_of_values() {
    type Twelve = (u8, u8, u8, u8, u8, u8, u8, u8, u8, u8, u8, u8);
    let t = <Twelve as intertype_runtime::Lower>::ty();
    assert!(matches!(t, Type::Tuple(ref ts) if ts.len() == 12));
    let v = intertype_runtime::Lower::to_value(&(
        1u8, 2u8, 3u8, 4u8, 5u8, 6u8, 7u8, 8u8, 9u8, 10u8, 11u8, 12u8,
    ));
    let back: Twelve = intertype_runtime::Lift::from_value(v).unwrap();
    assert_eq!(back.11, 12);
}

#[test]
fn wasmtime_config_of_ones_own() {
    let mut wt = intertype_runtime::wasmtime::Config::new();
    wt.cranelift_opt_level(intertype_runtime::wasmtime::OptLevel::None);
    let engine = Engine::with_wasmtime_config(wt, &Config::default()).unwrap();
    let module = load(&engine, SPIN_AND_GROW);
    let mut inst = Linker::new(&engine).instantiate(&module).unwrap();
    assert_eq!(
        inst.call("count", &[Value::U32(3)]).unwrap(),
        [Value::U32(3)]
    );
}

#[test]
fn handles_stay_send_and_sync() {
    fn send<X: Send>() {}
    fn send_sync<X: Send + Sync>() {}
    send::<intertype_runtime::Instance>();
    // State only needs to be `Send` (it may hold a `Cell`).
    struct Unsync(std::cell::Cell<u32>);
    send::<intertype_runtime::Instance<Unsync>>();
    assert_eq!(Unsync(std::cell::Cell::new(1)).0.get(), 1);
    let _ = Linker::<Unsync>::with_data_type;
    send_sync::<Linker<State>>();
    send_sync::<Module>();
    send_sync::<Error>();
    send_sync::<TypedFunc<(&'static str,), (String,)>>();
}

#[test]
fn host_functions_may_borrow_their_string_arguments() {
    let engine = Engine::default();
    let module = load(&engine, GUEST);
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::<usize>::new()));
    let sink = seen.clone();
    let mut linker = linker(&engine);
    linker.func_wrap_borrowed::<(&str,), _, _>("host", "log", move |(line,)| {
        sink.lock().unwrap().push(line.len());
        Ok(())
    });
    linker.func_wrap_borrowed::<(u32, u32), _, _>("host", "sum", |(ptr, len)| Ok((ptr + len,)));
    let mut inst = linker.instantiate(&module).unwrap();
    inst.call("say", &["héllo".into()]).unwrap();
    assert_eq!(*seen.lock().unwrap(), [6]);
    assert_eq!(inst.call("sum16", &[]).unwrap(), [Value::U32(20)]);
    // The borrowed form has the same interface type.
    let mut typed = Linker::new(&engine);
    typed.func_wrap_borrowed::<(&str, &[u8], Option<String>), _, _>("m", "f", |(s, b, o)| {
        Ok(((s.len() + b.len() + o.map_or(0, |o| o.len())) as u32,))
    });
}

#[test]
fn a_failed_call_back_poisons_even_if_the_host_swallows_it() {
    let engine = Engine::default();
    let module = load(&engine, GUEST);
    let mut linker = linker(&engine);
    linker.func_wrap_with_caller(
        "host",
        "twice",
        |mut caller: Caller<'_, State>, (x,): (u32,)| {
            let err = caller.call("trap", &[]).unwrap_err();
            caller.data_mut().lines.push(format!("{:?}", err.kind()));
            // The whole memory, by name and by default.
            let size = caller.memory("mem").map_or(0, |m| m.len());
            assert_eq!(caller.default_memory().map(|m| m.len()), Some(size));
            assert!(caller.memory("nope").is_none());
            Ok((x,))
        },
    );
    let mut inst = linker.instantiate(&module).unwrap();
    assert_eq!(
        inst.call("quad", &[Value::U32(3)]).unwrap(),
        [Value::U32(3)]
    );
    assert_eq!(inst.data().lines, ["Trap"]);
    assert!(inst.is_poisoned());
    assert_eq!(
        inst.call("sum16", &[]).unwrap_err().kind(),
        ErrorKind::Poisoned
    );
}
