//! Hostile guests: each misbehaviour is a typed error, the host survives, the
//! instance is poisoned, and a fresh instance works.

use crate::util::load;
use intertype_runtime::{
    Config, Engine, Error, ErrorKind, FuncType, Instance, Limit, Limits, Linker, Misbehavior,
    Module, Type, Value,
};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// One guest with a well-behaved `ok` and many misbehaving functions. Its
/// `free` reports to the host, so tests can see deferred calls ran.
const GUEST: &str = r#"
(module
  (import "env" "freed_" (func $freed_ (param i32)))
  (memory (export "mem") 1)
  (global $heap (mut i32) (i32.const 1024))
  (data (i32.const 16) "fine")
  (data (i32.const 32) "\ff\fe bad utf-8")
  (data (i32.const 64) "\00\d8\41\00")        ;; UTF-16: unpaired high surrogate, 'A'
  (data (i32.const 80) "\07\00\00\00")        ;; discriminant 7
  (data (i32.const 96) "\00\00\11\00")        ;; 0x110000: not a char
  (func $malloc (export "malloc") (param $n i32) (result i32)
    (local $p i32)
    (local.set $p (global.get $heap))
    (global.set $heap (i32.add (global.get $heap) (local.get $n)))
    (local.get $p))
  (func $bad_malloc (param i32) (result i32) i32.const -16)
  (func $free (param $p i32) (param $n i32) (call $freed_ (local.get $p)))
  (func $ok_ (result i32 i32) i32.const 16 i32.const 4)
  (func $oob_ (result i32 i32) i32.const 65530 i32.const 100)
  (func $huge_ (result i32 i32) i32.const 0 i32.const -1)
  (func $bad_utf8_ (result i32 i32) i32.const 32 i32.const 6)
  (func $bad_utf16_ (result i32 i32) i32.const 64 i32.const 2)
  (func $odd_utf16_ (result i32 i32) i32.const 65 i32.const 1)
  (func $list_overflow_ (result i32 i32) i32.const 0 i32.const 0x7fffffff)
  (func $ptr80_ (result i32) i32.const 80)
  (func $ptr96_ (result i32) i32.const 96)
  (func $ptr81_ (result i32) i32.const 81)
  (func $trap_ (result i32 i32) unreachable)
  (func $spin_ (result i32 i32) (loop $l (br $l)) unreachable)
  (func $bomb_ (result i32 i32) (loop $l (br_if $l (i32.ne (memory.grow (i32.const 16)) (i32.const -1)))) unreachable)
  (func $take_ (param i32 i32))
  (func $recurse_ (result i32 i32) call $recurse_)

  (@interface type $v (variant (case "a") (case "b" u32)))
  (@interface func (export "ok") (result string)
    call-core $ok_ defer-call-core $free memory-to-string "mem")
  (@interface func (export "oob") (result string)
    call-core $oob_ defer-call-core $free memory-to-string "mem")
  (@interface func (export "huge") (result string)
    call-core $huge_ memory-to-string "mem")
  (@interface func (export "bad_utf8") (result string)
    call-core $bad_utf8_ defer-call-core $free memory-to-string "mem")
  (@interface func (export "bad_utf16") (result string)
    call-core $bad_utf16_ memory-to-string utf16 "mem")
  (@interface func (export "odd_utf16") (result string)
    call-core $odd_utf16_ memory-to-string utf16 "mem")
  (@interface func (export "list_overflow") (result (list u32))
    call-core $list_overflow_ value.lift (list u32) "mem")
  (@interface func (export "bad_discriminant") (result $v)
    call-core $ptr80_ value.load $v "mem")
  (@interface func (export "bad_char") (result char)
    call-core $ptr96_ value.load char "mem")
  (@interface func (export "misaligned") (result u32)
    call-core $ptr81_ value.load u32 "mem")
  (@interface func (export "bad_alloc") (param string)
    arg.get 0 string-to-memory $bad_malloc "mem" call-core $take_)
  (@interface func (export "trap") (result string)
    call-core $trap_ memory-to-string "mem")
  (@interface func (export "spin") (result string)
    call-core $spin_ memory-to-string "mem")
  (@interface func (export "bomb") (result string)
    call-core $bomb_ memory-to-string "mem")
  (@interface func (export "recurse") (result string)
    call-core $recurse_ memory-to-string "mem")
  (@interface func (export "latin1") (param string)
    arg.get 0 string-to-memory $malloc latin1 "mem" call-core $take_)

  (@interface import "host" "freed" (func (param u32)))
  (@interface implement (import "env" "freed_") (param i32)
    arg.get 0 i32-to-u32 call-adapter 0)
)
"#;

struct Guest {
    module: Module,
    linker: Linker,
    freed: Arc<AtomicUsize>,
}

fn guest(limits: Limits) -> Guest {
    let engine = Engine::new(&Config {
        limits,
        epoch_interruption: true,
        ..Config::default()
    })
    .unwrap();
    let module = load(&engine, GUEST);
    let freed = Arc::new(AtomicUsize::new(0));
    let counter = freed.clone();
    let mut linker = Linker::new(&engine);
    linker.func_new(
        "host",
        "freed",
        FuncType::new([Type::U32], []),
        move |_, _| {
            counter.fetch_add(1, Ordering::SeqCst);
            Ok(())
        },
    );
    Guest {
        module,
        linker,
        freed,
    }
}

impl Guest {
    fn fresh(&self) -> Instance {
        self.linker.instantiate(&self.module).unwrap()
    }

    /// Calls `name` on a fresh instance, expects `kind`, then checks the
    /// instance is poisoned and a fresh one still works.
    fn expect(&self, name: &str, args: &[Value], kind: ErrorKind) -> Error {
        let mut inst = self.fresh();
        let err = inst.call(name, args).unwrap_err();
        assert_eq!(err.kind(), kind, "{name}: {err:?}");
        assert!(inst.is_poisoned(), "{name}");
        assert_eq!(
            inst.call("ok", &[]).unwrap_err().kind(),
            ErrorKind::Poisoned
        );
        let mut again = self.fresh();
        assert_eq!(
            again.call("ok", &[]).unwrap(),
            vec![Value::String("fine".into())]
        );
        err
    }
}

#[test]
fn well_behaved_call_runs_its_deferred_free() {
    let g = guest(Limits::default());
    let mut inst = g.fresh();
    assert_eq!(
        inst.call("ok", &[]).unwrap(),
        vec![Value::String("fine".into())]
    );
    assert_eq!(g.freed.load(Ordering::SeqCst), 1);
}

#[test]
fn out_of_bounds_pointer_and_length() {
    let g = guest(Limits::default());
    let err = g.expect("oob", &[], ErrorKind::Guest(Misbehavior::OutOfBounds));
    assert!(err.to_string().contains("outside linear memory"), "{err}");
    assert!(
        err.to_string().contains("memory-to-string"),
        "names the instruction: {err}"
    );
    // The deferred free ran although the adapter failed after it.
    assert!(g.freed.load(Ordering::SeqCst) >= 1);
    g.expect("huge", &[], ErrorKind::Guest(Misbehavior::OutOfBounds));
}

#[test]
fn invalid_encodings() {
    let g = guest(Limits::default());
    g.expect(
        "bad_utf8",
        &[],
        ErrorKind::Guest(Misbehavior::InvalidEncoding),
    );
    g.expect(
        "bad_utf16",
        &[],
        ErrorKind::Guest(Misbehavior::InvalidEncoding),
    );
    g.expect("odd_utf16", &[], ErrorKind::Guest(Misbehavior::Misaligned));
}

#[test]
fn lengths_that_would_overflow() {
    let g = guest(Limits::default());
    g.expect(
        "list_overflow",
        &[],
        ErrorKind::Guest(Misbehavior::LengthOverflow),
    );
}

#[test]
fn invalid_values_in_memory() {
    let g = guest(Limits::default());
    g.expect(
        "bad_discriminant",
        &[],
        ErrorKind::Guest(Misbehavior::InvalidValue),
    );
    g.expect("bad_char", &[], ErrorKind::Guest(Misbehavior::InvalidValue));
    g.expect("misaligned", &[], ErrorKind::Guest(Misbehavior::Misaligned));
}

#[test]
fn allocator_returning_garbage() {
    let g = guest(Limits::default());
    g.expect(
        "bad_alloc",
        &[Value::String("hello".into())],
        ErrorKind::Guest(Misbehavior::BadAllocation),
    );
}

#[test]
fn trap_mid_call_has_a_backtrace() {
    let g = guest(Limits::default());
    let err = g.expect("trap", &[], ErrorKind::Trap);
    assert_eq!(
        err.trap_code(),
        Some(wasmtime::Trap::UnreachableCodeReached)
    );
    let bt = err.backtrace().expect("a wasm backtrace");
    assert!(bt.contains("trap_"), "{bt}");
    g.expect("recurse", &[], ErrorKind::Trap);
}

#[test]
fn runaway_loop_runs_out_of_fuel() {
    let g = guest(Limits {
        fuel: Some(1_000_000),
        ..Limits::default()
    });
    g.expect("spin", &[], ErrorKind::Limit(Limit::Fuel));
}

#[test]
fn runaway_loop_hits_the_epoch_deadline() {
    let g = guest(Limits {
        epoch_deadline: Some(1),
        ..Limits::default()
    });
    let mut inst = g.fresh();
    let engine = g.module.engine().clone();
    let ticker = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(50));
        engine.increment_epoch();
    });
    let err = inst.call("spin", &[]).unwrap_err();
    ticker.join().unwrap();
    assert_eq!(err.kind(), ErrorKind::Limit(Limit::Deadline), "{err:?}");
}

#[test]
fn memory_bomb_hits_the_memory_limit() {
    let g = guest(Limits {
        max_memory_bytes: Some(4 << 20),
        ..Limits::default()
    });
    g.expect("bomb", &[], ErrorKind::Limit(Limit::Memory));
}

#[test]
fn strings_latin1_cannot_hold_are_the_hosts_fault() {
    let g = guest(Limits::default());
    let mut inst = g.fresh();
    inst.call("latin1", &[Value::String("café".into())])
        .unwrap();
    let err = inst
        .call("latin1", &[Value::String("日本".into())])
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::HostType);
}

#[test]
fn host_function_errors_reach_the_caller() {
    let engine = Engine::default();
    let module = load(&engine, GUEST);
    let mut linker = Linker::new(&engine);
    linker.func_new("host", "freed", FuncType::new([Type::U32], []), |_, _| {
        Err(Error::host("no more frees"))
    });
    let mut inst = linker.instantiate(&module).unwrap();
    let err = inst.call("ok", &[]).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Host);
    assert!(err.to_string().contains("no more frees"), "{err}");
    // A host function that returns the wrong type is a host type error.
    let mut linker = Linker::new(&engine);
    linker.func_new("host", "freed", FuncType::new([Type::U32], []), |_, out| {
        out.push(Value::U32(1));
        Ok(())
    });
    let mut inst = linker.instantiate(&module).unwrap();
    assert_eq!(
        inst.call("ok", &[]).unwrap_err().kind(),
        ErrorKind::HostType
    );
}

#[test]
fn recursive_adapters_are_rejected_at_load() {
    let engine = Engine::default();
    let wat = r#"(module
      (@interface func $a (export "a") call-adapter $b)
      (@interface func $b call-adapter $a))"#;
    let bytes = intertype::parse_str(wat, None).unwrap();
    let err = Module::new(&engine, &bytes).err().expect("rejected");
    assert_eq!(err.kind(), ErrorKind::Load, "{err}");
}
