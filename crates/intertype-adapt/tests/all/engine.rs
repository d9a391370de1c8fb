//! The engine's linker (`intertype_runtime::Linker::module`), fused against
//! unfused (`fuse_links(false)`: the same link through host values), on
//! generated values of every type of the differential cases: the same value
//! comes back and the importer's memory is byte for byte the same.

use crate::differential::{cases, values, wat};
use crate::harness::{echo_exporter, echo_importer, flat_exporter};
use intertype_runtime::{Engine, Instance, LinkKind, Linker, Module, Value};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

fn linker(engine: &Engine, a: &Module, b: &Module, fuse: bool) -> Linker {
    let mut linker = Linker::new(engine);
    linker.module("lib", b).unwrap();
    linker.fuse_links(fuse);
    let report = linker.link_report(a).unwrap();
    assert_eq!(
        matches!(report[0].kind, LinkKind::Fused { .. }),
        fuse,
        "{report:?}"
    );
    linker
}

fn echo(inst: &mut Instance, v: &Value) -> (Value, Vec<u8>) {
    let p = inst.call("put", std::slice::from_ref(v)).unwrap();
    let q = inst
        .call_core("run", &p)
        .unwrap_or_else(|e| panic!("call failed on {v:?}: {e}"));
    let back = inst.call("get", &q).unwrap().remove(0);
    let image = inst.memory("memory").unwrap().to_vec();
    (back, image)
}

#[test]
fn the_engine_fused_equals_the_engine_unfused_on_every_type() {
    let engine = Engine::default();
    for flat in [false, true] {
        for (name, t, a_enc, b_enc) in cases() {
            let mut defs = Vec::new();
            let ty = wat(&t, &mut defs);
            let defs = defs.join("\n  ");
            let a = Module::new(&engine, &echo_importer(&defs, &ty, a_enc)).unwrap();
            let b = if flat {
                flat_exporter(&defs, &ty, b_enc)
            } else {
                echo_exporter(&defs, &ty, b_enc, None)
            };
            let b = Module::new(&engine, &b).unwrap();
            let (fusing, unfusing) = (
                linker(&engine, &a, &b, true),
                linker(&engine, &a, &b, false),
            );
            let latin1 = a_enc == "latin1" || b_enc == "latin1";
            let mut runner = TestRunner::new(Config {
                cases: 12,
                failure_persistence: None,
                ..Config::default()
            });
            let r = runner.run(&values(&t, latin1), |v| {
                // Fresh instances: both start from the same memory.
                let mut fused: Instance = fusing.instantiate(&a).unwrap();
                let mut unfused = unfusing.instantiate(&a).unwrap();
                let (f, fi) = echo(&mut fused, &v);
                let (u, ui) = echo(&mut unfused, &v);
                prop_assert_eq!(&f, &v, "{}: fused changed the value", name);
                prop_assert_eq!(&u, &v, "{}: unfused changed the value", name);
                prop_assert!(fi == ui, "{}: the importer's memory differs", name);
                Ok(())
            });
            if let Err(e) = r {
                panic!("{name} (flat: {flat}): {e}");
            }
        }
    }
}
