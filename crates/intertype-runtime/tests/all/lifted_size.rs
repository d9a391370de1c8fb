//! The size of what a guest can make the host build (issue 8 items 3, 4
//! and 10): list lengths are bounded even for zero-size elements, aliased
//! pointers cannot amplify a value past `Limits::max_value_bytes`, and a
//! type too large to resolve is refused at load with its name. Modules in
//! tests/corpus/hostile/.

use crate::util::{corpus, load_file};
use intertype_runtime::{
    Config, Engine, ErrorKind, Limit, Limits, Linker, Misbehavior, Module, Value,
};

fn engine(max_value_bytes: Option<u64>) -> Engine {
    Engine::new(&Config {
        limits: Limits {
            max_value_bytes,
            ..Limits::default()
        },
        ..Config::default()
    })
    .unwrap()
}

fn call(module: &Module, name: &str) -> Result<Vec<Value>, intertype_runtime::Error> {
    let mut inst = Linker::new(module.engine()).instantiate(module).unwrap();
    inst.call(name, &[])
}

fn len(v: &Value) -> usize {
    match v {
        Value::List(vs) => vs.len(),
        Value::Bytes(b) => b.len(),
        other => panic!("not a list: {other:?}"),
    }
}

#[test]
fn zero_size_elements_count_one_byte_each() {
    let m = load_file(&engine(None), "hostile/zero-size-lists.wat");
    for f in ["units", "no_flags"] {
        let err = call(&m, f).unwrap_err();
        assert_eq!(
            err.kind(),
            ErrorKind::Guest(Misbehavior::OutOfBounds),
            "{f}: {err:?}"
        );
        assert!(
            err.to_string().contains("as if each element took one byte"),
            "{err}"
        );
    }
    assert_eq!(len(&call(&m, "three").unwrap()[0]), 3);
    assert_eq!(len(&call(&m, "one_per_byte").unwrap()[0]), 65536);
    // The budget counts them too.
    let m = load_file(&engine(Some(1000)), "hostile/zero-size-lists.wat");
    let err = call(&m, "one_per_byte").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Limit(Limit::ValueSize), "{err:?}");
}

#[test]
fn aliased_pointers_hit_the_value_size_limit() {
    let m = load_file(&engine(None), "hostile/aliased-lists.wat");
    let err = call(&m, "many").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Limit(Limit::ValueSize), "{err:?}");
    // A real value of the same shape lifts.
    let few = call(&m, "few").unwrap();
    let Value::List(outer) = &few[0] else {
        panic!()
    };
    assert_eq!(outer.len(), 2);
    let Value::List(inner) = &outer[1] else {
        panic!()
    };
    assert!(matches!(&inner[1], Value::String(s) if s.len() == 60000));
}

#[test]
fn the_limit_is_configurable() {
    // 240,000 bytes of strings plus the lists' own bytes.
    let tight = load_file(&engine(Some(200_000)), "hostile/aliased-lists.wat");
    let err = call(&tight, "few").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Limit(Limit::ValueSize));
    assert!(err.to_string().contains("200000 bytes"), "{err}");
    let roomy = load_file(&engine(Some(1 << 20)), "hostile/aliased-lists.wat");
    assert!(call(&roomy, "few").is_ok());
}

#[test]
fn oversized_types_are_refused_at_load_with_their_name() {
    let err = Module::from_file(&engine(None), &corpus("hostile/oversized-type.wat"))
        .err()
        .expect("the module is refused");
    assert_eq!(err.kind(), ErrorKind::Load);
    let text = err.to_string();
    assert!(text.contains("type 3 (huge)"), "{text}");
    assert!(text.contains("at most 10000"), "{text}");
}

#[test]
fn names_from_javascript_round_trip_in_the_engine() {
    let m = load_file(&engine(None), "hostile/js-names.wat");
    let mut linker = Linker::new(m.engine());
    linker.func_wrap("ho\nst */", "log\u{2028}", |(_,): (i32,)| Ok(()));
    let mut inst = linker.instantiate(&m).unwrap();
    let rec = Value::Record(vec![
        Value::S32(1),
        Value::S32(2),
        Value::S32(3),
        Value::S32(4),
    ]);
    assert_eq!(
        inst.call("weird", std::slice::from_ref(&rec)).unwrap(),
        vec![rec]
    );
    assert_eq!(inst.call("then", &[]).unwrap(), vec![Value::S32(0)]);
}
