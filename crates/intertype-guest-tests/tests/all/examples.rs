//! The examples under `examples/`, from a Rust host and from the CLI.

use intertype_guest_tests::{guest, guests, root};
use intertype_runtime::{Engine, Error, FuncType, Linker, Module, Type, Value};
use std::process::Command;
use std::sync::{Arc, Mutex};

fn load(name: &str) -> Module {
    Module::new(&Engine::default(), &guest(name)).unwrap_or_else(|e| panic!("{name}: {e:#}"))
}

#[test]
fn greeting() {
    let module = load("greeting");
    let mut i = Linker::new(module.engine()).instantiate(&module).unwrap();
    let f = i.typed_func::<(&str,), (String,)>("greeting").unwrap();
    assert_eq!(
        f.call(&mut i, ("Lin",)).unwrap(),
        ("Hello, Lin!".to_string(),)
    );
    assert_eq!(
        f.call(&mut i, ("世界",)).unwrap(),
        ("Hello, 世界!".to_string(),)
    );
}

#[test]
fn markdown() {
    let module = load("markdown");
    let mut i = Linker::new(module.engine()).instantiate(&module).unwrap();
    let render = i.typed_func::<(&str,), (String,)>("render").unwrap();
    let (html,) = render
        .call(&mut i, ("# Hello\n\n*intertype* & `wasm`",))
        .unwrap();
    assert_eq!(
        html,
        "<h1>Hello</h1>\n<p><em>intertype</em> &amp; <code>wasm</code></p>\n"
    );
}

fn phone(kind: u32, number: &str) -> Value {
    Value::Record(vec![Value::Enum(kind), Value::String(number.into())])
}

fn contact(name: &str, email: Option<&str>, phones: Vec<Value>) -> Value {
    Value::Record(vec![
        Value::String(name.into()),
        Value::Option(email.map(|e| Box::new(Value::String(e.into())))),
        Value::List(phones),
    ])
}

#[test]
fn contacts_with_host_imports() {
    let module = load("contacts");
    let imports: Vec<_> = module
        .imports()
        .map(|(m, n, t)| format!("{m} {n}: {t}"))
        .collect();
    assert_eq!(
        imports,
        ["host log: func(string)", "host now: func() -> u64"]
    );

    let log = Arc::new(Mutex::new(Vec::<String>::new()));
    let mut linker = Linker::new(module.engine());
    let sink = log.clone();
    linker.func_wrap("host", "log", move |(line,): (String,)| {
        sink.lock().unwrap().push(line);
        Ok(())
    });
    linker.func_new(
        "host",
        "now",
        FuncType::new([], [Type::U64]),
        |_, out: &mut Vec<Value>| -> Result<(), Error> {
            out.push(Value::U64(1_700_000_000));
            Ok(())
        },
    );
    let mut i = linker.instantiate(&module).unwrap();

    let ada = contact(
        "Ada Lovelace",
        Some("ada@example.org"),
        vec![phone(0, "+44 1"), phone(2, "+44 2")],
    );
    let ok = |v: Value| Value::Result(Ok(Some(Box::new(v))));
    let err = |v: Value| Value::Result(Err(Some(Box::new(v))));
    assert_eq!(
        i.call("add", std::slice::from_ref(&ada)).unwrap(),
        vec![ok(Value::U32(1))]
    );
    let grace = contact("Grace Hopper", None, vec![]);
    assert_eq!(
        i.call("add", std::slice::from_ref(&grace)).unwrap(),
        vec![ok(Value::U32(2))]
    );
    // errors are values: a variant with and without payload
    assert_eq!(
        i.call("add", std::slice::from_ref(&grace)).unwrap(),
        vec![err(Value::Variant(2, None))]
    );
    assert_eq!(
        i.call("add", &[contact("Bob", Some("nope"), vec![])])
            .unwrap(),
        vec![err(Value::Variant(
            1,
            Some(Box::new(Value::String(
                "`nope` is not an email address".into()
            )))
        ))]
    );
    let entry = |id: u32, c: &Value| {
        Value::Record(vec![Value::U32(id), Value::U64(1_700_000_000), c.clone()])
    };
    assert_eq!(
        i.call("get", &[Value::U32(1)]).unwrap(),
        vec![Value::Option(Some(Box::new(entry(1, &ada))))]
    );
    assert_eq!(
        i.call("get", &[Value::U32(9)]).unwrap(),
        vec![Value::Option(None)]
    );
    assert_eq!(
        i.call("find", &[Value::String("HOPPER".into())]).unwrap(),
        vec![Value::List(vec![entry(2, &grace)])]
    );
    assert_eq!(
        i.call("remove", &[Value::U32(7)]).unwrap(),
        vec![err(Value::Variant(0, Some(Box::new(Value::U32(7)))))]
    );
    assert_eq!(
        i.call("remove", &[Value::U32(1)]).unwrap(),
        vec![Value::Result(Ok(None))]
    );
    assert_eq!(i.call("count", &[]).unwrap(), vec![Value::U32(1)]);
    assert_eq!(
        *log.lock().unwrap(),
        [
            "added Ada Lovelace as #1",
            "added Grace Hopper as #2",
            "removed Ada Lovelace"
        ]
    );
}

/// The `intertype` binary: `cargo test --workspace` builds it next to this
/// test's `deps/` directory; when only this package is tested, build it.
/// The directory of the `intertype` binary (built if missing).
pub(crate) fn cli_dir() -> std::path::PathBuf {
    let cli = intertype_cli();
    std::path::Path::new(cli.get_program())
        .parent()
        .unwrap()
        .to_path_buf()
}

pub(crate) fn intertype_cli() -> Command {
    let exe = std::env::current_exe().unwrap();
    let profile_dir = exe.parent().and_then(|d| d.parent()).unwrap().to_path_buf();
    let bin = profile_dir.join(format!("intertype{}", std::env::consts::EXE_SUFFIX));
    if !bin.exists() {
        let target_dir = profile_dir.parent().unwrap();
        let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
            .current_dir(root())
            .args(["build", "-q", "-p", "intertype-cli", "--target-dir"])
            .arg(target_dir)
            .status()
            .unwrap();
        assert!(status.success(), "building the intertype CLI failed");
    }
    Command::new(bin)
}

pub(crate) fn run(args: &[&str]) -> String {
    let out = intertype_cli().args(args).output().unwrap();
    assert!(
        out.status.success(),
        "intertype {args:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

pub(crate) fn wasm(name: &str) -> String {
    guests().join(format!("{name}.wasm")).display().to_string()
}

#[test]
fn examples_run_from_the_cli() {
    assert_eq!(
        run(&["run", &wasm("markdown"), r##"render("# Hello")"##]),
        "\"<h1>Hello</h1>\\n\"\n"
    );
    assert_eq!(
        run(&["run", &wasm("greeting"), r#"greeting("Lin")"#]),
        "\"Hello, Lin!\"\n"
    );
    assert_eq!(
        run(&["run", &wasm("echo"), "echo_shape(label((3, \"ü\")))"]),
        "label((3, \"ü\"))\n"
    );
    assert_eq!(
        run(&["run", "--trap-unknown-imports", &wasm("contacts"), "get(1)"]),
        "none\n"
    );
}

/// The two-crate guest, as the CLI sees it: one booklet with the exports of
/// both crates and their documentation.
#[test]
fn two_crate_guest_from_the_cli() {
    let out = run(&["inspect", &wasm("split_app")]);
    for line in [
        "scale: func(p: point, k: s32) -> point",
        "    /// Scales a point (defined in the cdylib crate).",
        "add_points: func(a: point, b: point) -> point",
        "    /// Adds two points (defined in the library crate).",
        "host.log: func(message: string)",
        "    /// Writes a line to the host's log.",
    ] {
        assert!(
            out.lines().any(|l| l.trim() == line.trim()),
            "missing {line:?} in\n{out}"
        );
    }
    run(&["validate", &wasm("split_app")]);
}

/// The booklet a guest gets is the one `intertype print` shows, and the
/// printed text parses back to a single-fragment encoding of the same
/// booklet.
#[test]
fn printed_booklets() {
    let printed = run(&["print", &wasm("greeting")]);
    let items: Vec<&str> = printed
        .lines()
        .skip_while(|l| !l.contains("(@interface"))
        .collect();
    assert_eq!(
        items.join("\n"),
        r#"  (@interface type (;0;) (func (param string) (result string)))
  (@interface doc (func 0) "Greets `name`.")
  (@interface param-names (func 0) "name")
  (@interface func (;0;) (type 0)
    arg.get 0
    value.lower string $intertype_malloc
    call-core $__intertype_export_greeting
    defer-call-core $__intertype_post_greeting
    value.load string)
  (@interface export "greeting" (func 0))
)"#
    );
    for name in ["greeting", "markdown", "contacts", "echo", "split_app"] {
        let bytes = guest(name);
        let merged = intertype::Module::from_binary(&bytes).unwrap();
        merged.validate().unwrap();
        let text = intertype::print::print_module(&bytes).unwrap();
        let reparsed = intertype::parse_str(&text, None).unwrap();
        let again = intertype::Module::from_binary(&reparsed).unwrap();
        assert_eq!(again.booklet, merged.booklet, "{name}");
        let core = intertype::core::CoreModule::parse(&reparsed).unwrap();
        let [section] = core.interface_sections.as_slice() else {
            panic!("one section")
        };
        let fragments =
            intertype::binary::decode_fragments(&reparsed[section.payload.clone()], 0).unwrap();
        assert_eq!(
            fragments.len(),
            1,
            "{name}: the printed form is one fragment"
        );
    }
}
