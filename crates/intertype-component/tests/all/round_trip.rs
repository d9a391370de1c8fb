//! Round trip: a wit-bindgen guest adopted (`component adopt`) and made a
//! component again (`component new`) has the WIT of the component
//! wit-component makes of the original, and gives the same values on
//! wasmtime's component runtime.

use intertype_component::{adopt, new, NewOptions};
use wasmtime::component::{Component, Linker, Val};

/// The world of a component, printed by wit-component (decoded components
/// get the same synthesized package and world names).
fn wit_of(component: &[u8]) -> String {
    let decoded = wit_component::decode(component).unwrap();
    let resolve = decoded.resolve();
    let pkg = resolve.worlds[match &decoded {
        wit_component::DecodedWasm::Component(_, w) => *w,
        _ => panic!("not a component"),
    }]
    .package
    .unwrap();
    let mut printer = wit_component::WitPrinter::default();
    printer.print(resolve, pkg, &[]).unwrap();
    printer.output.to_string()
}

fn original(core: &[u8]) -> Vec<u8> {
    wit_component::ComponentEncoder::default()
        .validate(true)
        .module(core)
        .unwrap()
        .encode()
        .unwrap()
}

fn round_trip(core: &[u8]) -> Vec<u8> {
    let adopted = adopt(core).unwrap();
    new(&adopted, &NewOptions::default()).unwrap().component
}

#[test]
fn greet_wit_round_trips() {
    let core = include_bytes!("../fixtures/greet-wit.core.wasm");
    let (theirs, ours) = (original(core), round_trip(core));
    assert_eq!(wit_of(&ours), wit_of(&theirs));
    let engine = wasmtime::Engine::default();
    for bytes in [&theirs, &ours] {
        let component = Component::new(&engine, bytes).unwrap();
        let mut store = wasmtime::Store::new(&engine, ());
        let inst = Linker::new(&engine)
            .instantiate(&mut store, &component)
            .unwrap();
        let f = inst.get_func(&mut store, "greet").unwrap();
        let mut out = [Val::Bool(false)];
        f.call(&mut store, &[Val::String("Zoë".into())], &mut out)
            .unwrap();
        assert_eq!(out[0], Val::String("Hello, Zoë".into()));
    }
}

#[test]
fn every_type_round_trips() {
    let core = include_bytes!("../fixtures/every-type-wit.core.wasm");
    let (theirs, ours) = (original(core), round_trip(core));
    let wit = wit_of(&ours);
    assert_eq!(wit, wit_of(&theirs));
    assert!(wit.contains("record point"), "{wit}");
    assert!(wit.contains("export sum-many: func(a: u32"), "{wit}");
    // The same values from both, for every case of the every-type test.
    let engine = wasmtime::Engine::default();
    let mut results = Vec::new();
    for bytes in [&theirs, &ours] {
        let component = Component::new(&engine, bytes).unwrap();
        let mut store = wasmtime::Store::new(&engine, ());
        let inst = Linker::new(&engine)
            .instantiate(&mut store, &component)
            .unwrap();
        let mut all = Vec::new();
        for (name, args) in crate::every_type::cases() {
            let f = inst.get_func(&mut store, name).unwrap();
            let n = f.ty(&store).results().len();
            let mut out = vec![Val::Bool(false); n];
            f.call(&mut store, &args, &mut out).unwrap();
            if name.starts_with("echo-") {
                assert_eq!(out, args, "{name}");
            }
            all.push(out);
        }
        results.push(all);
    }
    assert_eq!(results[0], results[1]);
}
