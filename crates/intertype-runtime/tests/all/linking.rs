//! Modules linked to modules in one store (`Linker::module`): fused and
//! through host values, chains, several importers, host functions next to
//! modules, link errors naming both sides, traps and hostile callees
//! reported against the module at fault.

use intertype_runtime::{Engine, ErrorKind, LinkKind, Linker, Misbehavior, Module, Value};

fn fixture(engine: &Engine, name: &str) -> Module {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/all/fixtures/linking")
        .join(name);
    Module::from_file(engine, &path).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn s(v: &str) -> Value {
    Value::String(v.into())
}

/// `app.wat` linked to `lib` (`lib-utf8.wat` or `lib-utf16.wat`).
fn greet_linker(engine: &Engine, lib: &str, fuse: bool) -> (Linker, Module) {
    let mut linker = Linker::new(engine);
    linker.module("lib", &fixture(engine, lib)).unwrap();
    linker.fuse_links(fuse);
    (linker, fixture(engine, "app.wat"))
}

#[test]
fn an_importer_greets_through_a_utf16_module_fused_and_unfused() {
    let engine = Engine::default();
    for lib in ["lib-utf8.wat", "lib-utf16.wat"] {
        for fuse in [true, false] {
            let (linker, app) = greet_linker(&engine, lib, fuse);
            let mut inst = linker.instantiate(&app).unwrap();
            for name in ["Lin", "", "Zoë", "🦀 and 𝄞", &"x".repeat(70_000)] {
                let r = inst.call("hello", &[s(name)]).unwrap();
                assert_eq!(r, vec![s(&format!("Hello, {name}"))], "{lib} fuse={fuse}");
            }
        }
    }
}

#[test]
fn the_report_says_which_links_fuse() {
    let engine = Engine::default();
    let (linker, app) = greet_linker(&engine, "lib-utf16.wat", true);
    let report = linker.link_report(&app).unwrap();
    assert_eq!(report.len(), 1);
    assert_eq!(
        report[0].kind,
        LinkKind::Fused {
            module: "lib".into()
        }
    );
    let (linker, app) = greet_linker(&engine, "lib-utf16.wat", false);
    let report = linker.link_report(&app).unwrap();
    assert!(matches!(&report[0].kind, LinkKind::Unfused { module, .. } if module == "lib"));
}

#[test]
fn a_chain_of_three_modules() {
    // app -> lib (middle.wat, forwarding to its own import) -> base.
    let engine = Engine::default();
    for fuse in [true, false] {
        let mut linker = Linker::new(&engine);
        linker
            .module("base", &fixture(&engine, "lib-utf16.wat"))
            .unwrap();
        linker
            .module("lib", &fixture(&engine, "middle.wat"))
            .unwrap();
        linker.fuse_links(fuse);
        let app = fixture(&engine, "app.wat");
        // A chain does not fuse across the middle: it says why.
        let report = linker.link_report(&app).unwrap();
        assert!(
            matches!(&report[0].kind, LinkKind::Unfused { .. }),
            "{report:?}"
        );
        let mut inst = linker.instantiate(&app).unwrap();
        assert_eq!(
            inst.call("hello", &[s("Ada")]).unwrap(),
            vec![s("Hello, Ada")]
        );
    }
}

#[test]
fn two_modules_and_a_host_function_satisfy_one_importer() {
    let engine = Engine::default();
    for fuse in [true, false] {
        let mut linker = Linker::new(&engine);
        let logged = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let l = logged.clone();
        linker.func_wrap("host", "log", move |(m,): (String,)| {
            l.lock().unwrap().push(m);
            Ok(())
        });
        linker
            .module("lib", &fixture(&engine, "lib-utf8.wat"))
            .unwrap();
        linker
            .module("other", &fixture(&engine, "lib-utf16.wat"))
            .unwrap();
        linker.fuse_links(fuse);
        let app = fixture(&engine, "two-libs.wat");
        let report = linker.link_report(&app).unwrap();
        let kinds: Vec<_> = report
            .iter()
            .map(|r| (r.module.as_str(), r.kind.clone()))
            .collect();
        assert!(kinds.contains(&("host", LinkKind::Host)), "{kinds:?}");
        let mut inst = linker.instantiate(&app).unwrap();
        let r = inst.call("hello", &[s("Bo")]).unwrap();
        assert_eq!(r, vec![s("Hello, Hello, Bo")]);
        assert_eq!(*logged.lock().unwrap(), vec!["Hello, Bo".to_string()]);
        // Two importers of one exporter: a second instance shares nothing.
        let mut again = linker.instantiate(&app).unwrap();
        assert_eq!(
            again.call("hello", &[s("Cy")]).unwrap(),
            vec![s("Hello, Hello, Cy")]
        );
    }
}

#[test]
fn a_missing_export_is_a_link_error_naming_both_sides() {
    let engine = Engine::default();
    let mut linker = Linker::new(&engine);
    linker
        .module("lib", &fixture(&engine, "lib-wrong-type.wat"))
        .unwrap();
    let app = fixture(&engine, "app.wat");
    let e = linker.instantiate(&app).err().unwrap();
    assert_eq!(e.kind(), ErrorKind::Link);
    assert!(e.message().contains("`lib` `greet`"), "{e}");
    assert!(e.message().contains("the module"), "{e}");
}

#[test]
fn an_ill_typed_link_is_a_link_error_naming_both_sides() {
    let engine = Engine::default();
    let wat = r#"(module
      (import "lib" "greet_" (func $g (param i32) (result i32)))
      (@interface import "lib" "greet" (func $greet (param u32) (result u32)))
      (@interface implement (import "lib" "greet_") (param i32) (result i32)
        arg.get 0 i32-to-u32 call-adapter $greet u32-to-i32))"#;
    let app = Module::new(&engine, wat.as_bytes()).unwrap();
    let mut linker = Linker::new(&engine);
    linker
        .module("lib", &fixture(&engine, "lib-utf8.wat"))
        .unwrap();
    let e = linker.instantiate(&app).err().unwrap();
    assert_eq!(e.kind(), ErrorKind::Link);
    let m = e.message();
    assert!(m.contains("the module imports `lib` `greet` as"), "{m}");
    assert!(m.contains("module `lib` exports it as"), "{m}");
    // And a linked module missing an import of its own.
    let mut linker = Linker::new(&engine);
    linker
        .module("lib", &fixture(&engine, "middle.wat"))
        .unwrap();
    let e = linker
        .instantiate(&fixture(&engine, "app.wat"))
        .err()
        .unwrap();
    assert_eq!(e.kind(), ErrorKind::Link, "{e}");
    assert!(e.message().contains("`base` `greet`"), "{e}");
}

#[test]
fn a_trap_in_the_exporter_says_which_module_trapped() {
    let engine = Engine::default();
    for fuse in [true, false] {
        let (linker, app) = greet_linker(&engine, "lib-utf8.wat", fuse);
        let mut inst = linker.instantiate(&app).unwrap();
        let e = inst.call("hello", &[s("!boom")]).err().unwrap();
        assert_eq!(e.kind(), ErrorKind::Trap, "fuse={fuse}: {e}");
        assert!(e.to_string().contains("module `lib`"), "fuse={fuse}: {e}");
    }
}

#[test]
fn a_hostile_exporter_is_caught_and_the_importer_memory_is_untouched() {
    let engine = Engine::default();
    for fuse in [true, false] {
        for (name, what) in [
            ("?x", Misbehavior::OutOfBounds),
            ("~x", Misbehavior::InvalidEncoding),
        ] {
            let (linker, app) = greet_linker(&engine, "lib-utf8.wat", fuse);
            let mut inst = linker.instantiate(&app).unwrap();
            // Warm up, then snapshot the importer's memory.
            inst.call("hello", &[s("ok")]).unwrap();
            let before = inst.memory("memory").unwrap().to_vec();
            let e = inst.call("hello", &[s(name)]).err().unwrap();
            assert_eq!(e.kind(), ErrorKind::Guest(what), "fuse={fuse} {name}: {e}");
            assert!(
                e.to_string().contains("module `lib`"),
                "fuse={fuse} {name}: {e}"
            );
            // The fused path caught it in the adapter module, not the host.
            assert_eq!(e.to_string().contains("fused call"), fuse, "{e}");
            let after = inst.memory("memory").unwrap().to_vec();
            // The importer's heap: the argument copy `hello` made before the
            // call is the only difference allowed (its own adapter's work).
            let diff: Vec<usize> = (0..before.len())
                .filter(|&i| before[i] != after[i])
                .collect();
            assert!(
                diff.iter().all(|&i| (1024..1024 + 4096).contains(&i)) && diff.len() <= name.len(),
                "fuse={fuse} {name}: the importer's memory changed at {diff:?}"
            );
        }
    }
}

#[test]
fn a_module_linked_twice_or_from_another_engine_is_refused() {
    let engine = Engine::default();
    let lib = fixture(&engine, "lib-utf8.wat");
    let mut linker = Linker::new(&engine);
    linker.module("lib", &lib).unwrap();
    assert_eq!(
        linker.module("lib", &lib).err().unwrap().kind(),
        ErrorKind::Usage
    );
    let other = Engine::default();
    let mut linker = Linker::new(&other);
    assert_eq!(
        linker.module("lib", &lib).err().unwrap().kind(),
        ErrorKind::Usage
    );
}

#[test]
fn frees_run_exactly_once_on_every_path() {
    let engine = Engine::default();
    let frees =
        |inst: &mut intertype_runtime::Instance| match inst.call("lib-frees", &[]).unwrap()[..] {
            [Value::U32(n)] => n,
            ref other => panic!("lib-frees returned {other:?}"),
        };
    for fuse in [true, false] {
        let (linker, _) = greet_linker(&engine, "lib-utf8.wat", fuse);
        let app = fixture(&engine, "app-frees.wat");
        let mut inst = linker.instantiate(&app).unwrap();
        for i in 1..=3 {
            inst.call("hello", &[s("ok")]).unwrap();
            assert_eq!(frees(&mut inst), i, "fuse={fuse}");
        }
        // A bad result: the free reached before the check still runs, once.
        for (k, bad) in ["?x", "~x"].into_iter().enumerate() {
            inst.call("hello", &[s(bad)]).err().unwrap();
            inst.clear_poison();
            assert_eq!(frees(&mut inst), 4 + k as u32, "fuse={fuse} {bad}");
        }
        // A trap in lib's core code: no result, nothing to free.
        inst.call("hello", &[s("!x")]).err().unwrap();
        inst.clear_poison();
        assert_eq!(frees(&mut inst), 5, "fuse={fuse}");
    }
}
