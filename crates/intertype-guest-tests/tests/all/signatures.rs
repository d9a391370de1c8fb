//! `examples/signatures`: what a Rust developer writes in the first week
//! works from the engine (borrowed values inside options and lists,
//! lifetimes, newtypes, tuple structs, boxes, maps, keyword field names,
//! renames, two types named `Error`, imports taking borrowed values), and a
//! panic's message reaches the host while the guest stops.

use intertype_guest_tests::guest;
use intertype_runtime::{
    Engine, Error, ErrorKind, FuncType, Instance, Linker, Module, Type, Value,
};
use std::sync::{Arc, Mutex, OnceLock};

fn module() -> &'static Module {
    static MODULE: OnceLock<Module> = OnceLock::new();
    MODULE.get_or_init(|| {
        Module::new(&Engine::default(), &guest("signatures")).expect("the guest loads")
    })
}

type Recorded = Arc<Mutex<Vec<Value>>>;

fn instance() -> (Instance, Recorded) {
    let recorded: Recorded = Arc::default();
    let sink = recorded.clone();
    let mut linker = Linker::new(module().engine());
    linker.func_new(
        "host",
        "record",
        FuncType::new(
            [
                Type::List(Box::new(Type::String)),
                Type::Option(Box::new(Type::String)),
            ],
            [Type::U32],
        ),
        move |args: &[Value], out: &mut Vec<Value>| -> Result<(), Error> {
            let mut all = sink.lock().unwrap();
            all.push(Value::Tuple(args.to_vec()));
            out.push(Value::U32(all.len() as u32));
            Ok(())
        },
    );
    (linker.instantiate(module()).unwrap(), recorded)
}

fn s(text: &str) -> Value {
    Value::String(text.into())
}

fn strings(items: &[&str]) -> Value {
    Value::List(items.iter().map(|t| s(t)).collect())
}

fn some(v: Value) -> Value {
    Value::Option(Some(Box::new(v)))
}

#[test]
fn borrowed_values_inside_options_and_lists() {
    let (mut i, _) = instance();
    let mut call = |name: &str, args: &[Value]| i.call(name, args).unwrap();
    assert_eq!(
        call("greet", &[Value::Option(None)]),
        [s("Hello, stranger!")]
    );
    assert_eq!(call("greet", &[some(s("Lin"))]), [s("Hello, Lin!")]);
    assert_eq!(
        call("join", &[strings(&["a", "b", "c"]), s("-")]),
        [s("a-b-c")]
    );
    assert_eq!(call("join", &[strings(&[]), s("-")]), [s("")]);
    assert_eq!(
        call(
            "count_long",
            &[strings(&["a", "abc", "abcd"]), Value::U32(3)]
        ),
        [Value::U32(2)]
    );
    assert_eq!(call("longest", &[s("ab"), s("abc")]), [s("abc")]);
    let bytes = Value::List(vec![Value::U8(1), Value::U8(2), Value::U8(3)]);
    let names = Value::List(vec![some(s("a")), Value::Option(None), some(s(""))]);
    assert_eq!(call("weigh", &[some(bytes), names]), [Value::U32(5)]);
    assert_eq!(
        call("weigh", &[Value::Option(None), Value::List(vec![])]),
        [Value::U32(0)]
    );
}

#[test]
fn newtypes_tuples_boxes_maps_and_names() {
    let (mut i, _) = instance();
    let mut call = |name: &str, args: &[Value]| i.call(name, args).unwrap();
    assert_eq!(call("double", &[Value::F64(2.5)]), [Value::F64(5.0)]);
    assert_eq!(
        call(
            "widen",
            &[
                Value::Tuple(vec![Value::U32(5), Value::U32(10)]),
                Value::U32(2)
            ]
        ),
        [Value::Tuple(vec![Value::U32(3), Value::U32(12)])]
    );
    assert_eq!(
        call(
            "boxed",
            &[Value::Record(vec![Value::F64(1.5), Value::F64(-2.0)])]
        ),
        [Value::Record(vec![Value::F64(-1.5), Value::F64(2.0)])]
    );
    let pair = |k: &str, n: u32| Value::Tuple(vec![s(k), Value::U32(n)]);
    assert_eq!(
        call("histogram", &[strings(&["b", "a", "b"])]),
        [Value::List(vec![pair("a", 1), pair("b", 2)])]
    );
    assert_eq!(
        call("total", &[Value::List(vec![pair("x", 3), pair("y", 4)])]),
        [Value::U32(7)]
    );
    assert_eq!(
        call("token", &[s("42")]),
        [Value::Record(vec![s("number"), Value::Bool(true)])]
    );
    assert_eq!(
        call(
            "worst",
            &[Value::List(vec![Value::Enum(0), Value::Enum(1)])]
        ),
        [some(Value::Enum(1))]
    );

    // The names the booklet gives: renames, keywords, kebab-case.
    let booklet = intertype::Module::from_binary(&guest("signatures"))
        .unwrap()
        .booklet;
    let mut names: Vec<&str> = booklet.type_names.values().map(String::as_str).collect();
    names.sort();
    assert_eq!(
        names,
        [
            "coordinates",
            "files-error",
            "level",
            "token",
            "users-error"
        ]
    );
    let described: Vec<String> = booklet
        .type_names
        .keys()
        .map(|&i| intertype::describe::type_def(&booklet, i))
        .collect();
    for expected in [
        "record { lat: f64, lon: f64 }",
        "record { type: string, match: bool }",
        "enum { warn, error }",
        "variant { not-found(u32), banned }",
        "variant { missing(string), too-big(u64) }",
    ] {
        assert!(
            described.iter().any(|d| d == expected),
            "{expected} in {described:?}"
        );
    }
}

#[test]
fn two_types_named_error() {
    let (mut i, _) = instance();
    let err = |case: u32, v: Option<Value>| {
        Value::Result(Err(Some(Box::new(Value::Variant(case, v.map(Box::new))))))
    };
    assert_eq!(
        i.call("find_user", &[Value::U32(7)]).unwrap(),
        [err(0, Some(Value::U32(7)))]
    );
    assert_eq!(
        i.call("find_user", &[Value::U32(2)]).unwrap(),
        [err(1, None)]
    );
    assert_eq!(
        i.call("read_file", &[s("/big")]).unwrap(),
        [err(1, Some(Value::U64(1 << 40)))]
    );
}

#[test]
fn imports_take_borrowed_values() {
    let (mut i, recorded) = instance();
    assert_eq!(i.call("tag", &[s("red green")]).unwrap(), [Value::U32(1)]);
    assert_eq!(i.call("tag", &[s("")]).unwrap(), [Value::U32(2)]);
    assert_eq!(
        *recorded.lock().unwrap(),
        [
            Value::Tuple(vec![strings(&["red", "green"]), some(s("red"))]),
            Value::Tuple(vec![strings(&[]), Value::Option(None)]),
        ]
    );
}

/// A panic's message is the host's error; afterwards the guest refuses
/// every call (also when the host clears the engine's poison), so no call
/// sees a half-updated state and nothing leaks per panic.
#[test]
fn panics_reach_the_host_and_stop_the_guest() {
    let (mut i, _) = instance();
    assert_eq!(i.call("bump", &[]).unwrap(), [Value::U32(1)]);
    let e = i.call("fail", &[s("boom \u{1b}[2J")]).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Trap);
    let text = e.to_string();
    assert!(
        text.starts_with("trap: the guest panicked at signatures/src/lib.rs:"),
        "{text}"
    );
    // The guest's text reaches a terminal escaped.
    assert!(text.contains(": boom \\u{1b}[2J"), "{text}");
    assert!(
        text.contains("(wasm trap: wasm `unreachable` instruction executed)"),
        "{text}"
    );
    // The engine poisons the instance...
    let e = i.call("bump", &[]).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Poisoned);
    assert!(e.to_string().contains("boom"), "{e}");
    // ...and the guest itself stops: clearing the poison does not bring
    // back a guest whose state a panic interrupted.
    i.clear_poison();
    let e = i.call("bump", &[]).unwrap_err();
    assert!(e.to_string().contains("the guest panicked at"), "{e}");
    assert!(e.to_string().contains("boom"), "{e}");

    // A panic while a `RefCell` is borrowed: later calls report the panic,
    // not a `BorrowMutError` of the guest's broken state.
    let (mut i, _) = instance();
    let e = i.call("fail_while_borrowed", &[]).unwrap_err();
    assert!(
        e.to_string().contains("failed while holding the state"),
        "{e}"
    );
    i.clear_poison();
    let e = i.call("bump", &[]).unwrap_err();
    assert!(
        e.to_string().contains("failed while holding the state"),
        "{e}"
    );

    // Nothing grows per panic: 2,000 panicking calls with a 10 KB message
    // on one instance (the poison cleared each time) leave its memory as
    // the first one left it.
    let (mut i, _) = instance();
    let big = "x".repeat(10_000);
    let e = i.call("fail", &[s(&big)]).unwrap_err();
    // The message is bounded.
    assert!(e.to_string().len() < 1200, "{}", e.to_string().len());
    let size = i.memory_size("memory").unwrap();
    for _ in 0..2_000 {
        i.clear_poison();
        i.call("fail", &[s(&big)]).unwrap_err();
    }
    assert_eq!(i.memory_size("memory").unwrap(), size);
}

/// From the command line: keyword field names in WAVE, parameter names in
/// errors, the panic message.
#[test]
fn from_the_cli() {
    use crate::examples::{intertype_cli, run, wasm};
    let module = wasm("signatures");
    let m = module.as_str();
    assert_eq!(
        run(&["run", "--trap-unknown-imports", m, r#"token("42")"#]),
        "{type: \"number\", match: true}\n"
    );
    assert_eq!(
        run(&["run", "--trap-unknown-imports", m, r#"greet(some("Lin"))"#]),
        "\"Hello, Lin!\"\n"
    );
    assert_eq!(
        run(&[
            "run",
            "--trap-unknown-imports",
            m,
            "boxed({lat: 1.5, lon: 2})"
        ]),
        "{lat: -1.5, lon: -2}\n"
    );
    let stderr = |args: &[&str]| {
        let out = intertype_cli().args(args).output().unwrap();
        assert!(!out.status.success());
        String::from_utf8(out.stderr).unwrap()
    };
    let e = stderr(&["run", "--trap-unknown-imports", m, r#"join(["a"], 5)"#]);
    assert!(
        e.contains("bad argument `separator` (parameter 1) for `join: func(parts: list<string>, separator: string) -> string`"),
        "{e}"
    );
    let e = stderr(&["run", "--trap-unknown-imports", m, r#"fail("boom")"#]);
    assert!(
        e.contains("the guest panicked at signatures/src/lib.rs:"),
        "{e}"
    );
    assert!(e.contains("boom"), "{e}");
    let inspect = run(&["inspect", m]);
    assert!(
        inspect.contains("  read_file: func(path: string) -> result<list<u8>, files-error>"),
        "{inspect}"
    );
    assert!(
        inspect.contains("  host.record: func(tags: list<string>, note: option<string>) -> u32"),
        "{inspect}"
    );
}

/// The host derive reads the guest's types the same way: renames, keyword
/// fields, newtypes and tuple structs, checked by the typed calls.
#[test]
fn host_derive_matches_the_guest() {
    use intertype_runtime::Interface;

    #[derive(Interface, Debug, PartialEq)]
    #[interface(rename = "coordinates")]
    struct Position {
        #[interface(rename = "lat")]
        latitude: f64,
        #[interface(rename = "lon")]
        longitude: f64,
    }

    #[derive(Interface, Debug, PartialEq)]
    struct Token {
        r#type: String,
        match_: bool,
    }

    #[derive(Interface, Debug, PartialEq)]
    struct Meters(f64);

    #[derive(Interface, Debug, PartialEq)]
    struct Range(u32, u32);

    #[derive(Interface, Debug, PartialEq, Clone, Copy)]
    enum Level {
        #[interface(rename = "warn")]
        Warning,
        Error,
    }

    let (mut i, _) = instance();
    let boxed = i.typed_func::<(Position,), (Position,)>("boxed").unwrap();
    let p = Position {
        latitude: 1.0,
        longitude: 2.0,
    };
    assert_eq!(
        boxed.call(&mut i, (p,)).unwrap().0,
        Position {
            latitude: -1.0,
            longitude: -2.0
        }
    );
    let token = i.typed_func::<(&str,), (Token,)>("token").unwrap();
    assert_eq!(
        token.call(&mut i, ("x",)).unwrap().0,
        Token {
            r#type: "word".into(),
            match_: true
        }
    );
    let double = i.typed_func::<(Meters,), (Meters,)>("double").unwrap();
    assert_eq!(double.call(&mut i, (Meters(1.5),)).unwrap().0, Meters(3.0));
    let widen = i.typed_func::<(Range, u32), (Range,)>("widen").unwrap();
    assert_eq!(widen.call(&mut i, (Range(5, 6), 1)).unwrap().0, Range(4, 7));
    let worst = i
        .typed_func::<(Vec<Level>,), (Option<Level>,)>("worst")
        .unwrap();
    assert_eq!(
        worst.call(&mut i, (vec![Level::Warning],)).unwrap().0,
        Some(Level::Warning)
    );
    // A field the guest calls differently does not type-check.
    #[derive(Interface)]
    struct Wrong {
        latitude: f64,
        longitude: f64,
    }
    assert!(i.typed_func::<(Wrong,), (Wrong,)>("boxed").is_err());
}
