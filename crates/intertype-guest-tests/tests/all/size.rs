//! Module size against the peer: the article's greeting as a Rust guest,
//! with this crate's defaults (panic hook, allocator), must be no larger than
//! the same function built with wit-bindgen 0.60 (`benches/guests/greet-wit`,
//! checked in as the core module `scripts/build-bench-guests.sh` wrote),
//! both with the same cargo profile (optimisation, LTO, strip). The two
//! profiles are read from their Cargo.toml files and compared first, so the
//! comparison cannot drift to unequal settings. `docs/guest.md`, *Size*.

use intertype_guest_tests::{guest_with_profile, root};
use std::collections::BTreeMap;

/// The `key = value` lines of `[profile.NAME]` in a Cargo.toml.
fn profile(toml: &str, name: &str) -> BTreeMap<String, String> {
    let header = format!("[profile.{name}]");
    let mut lines = toml.lines().skip_while(|l| l.trim() != header);
    assert!(lines.next().is_some(), "no {header}");
    lines
        .take_while(|l| !l.trim_start().starts_with('['))
        .filter_map(|l| l.split('#').next())
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect()
}

/// The settings cargo uses for `examples/`'s profile `size`: release's,
/// overridden by its own.
fn examples_size_profile() -> BTreeMap<String, String> {
    let toml = std::fs::read_to_string(root().join("examples/Cargo.toml")).unwrap();
    let mut settings = profile(&toml, "release");
    let size = profile(&toml, "size");
    assert_eq!(
        size.get("inherits").map(String::as_str),
        Some("\"release\"")
    );
    settings.extend(size.into_iter().filter(|(k, _)| k != "inherits"));
    settings
}

/// Custom sections by name with their sizes, for the failure message.
fn sections(wasm: &[u8]) -> String {
    let mut out = Vec::new();
    for payload in wasmparser::Parser::new(0).parse_all(wasm) {
        let payload = payload.unwrap();
        if let Some((id, range)) = payload.as_section() {
            let name = match &payload {
                wasmparser::Payload::CustomSection(c) => format!("custom {:?}", c.name()),
                _ => format!("section {id}"),
            };
            out.push(format!("{name}: {} B", range.end - range.start));
        }
    }
    out.join(", ")
}

#[test]
fn greeting_is_no_larger_than_wit_bindgens() {
    let peer_toml =
        std::fs::read_to_string(root().join("benches/guests/greet-wit/Cargo.toml")).unwrap();
    assert_eq!(
        examples_size_profile(),
        profile(&peer_toml, "release"),
        "examples/Cargo.toml's [profile.size] must equal greet-wit's [profile.release]"
    );

    let peer =
        std::fs::read(root().join("crates/intertype-component/tests/fixtures/greet-wit.core.wasm"))
            .unwrap();
    assert!(
        sections(&peer).contains("component-type:wit-bindgen:0.60"),
        "the peer is not a wit-bindgen 0.60 module: {}",
        sections(&peer)
    );

    let ours = guest_with_profile("greeting", "size");
    // Still a whole guest after stripping: the booklet survives and runs.
    let module = intertype_runtime::Module::new(&intertype_runtime::Engine::default(), &ours)
        .expect("the stripped greeting loads");
    let mut i = intertype_runtime::Linker::new(module.engine())
        .instantiate(&module)
        .unwrap();
    let f = i.typed_func::<(&str,), (String,)>("greeting").unwrap();
    assert_eq!(f.call(&mut i, ("size",)).unwrap().0, "Hello, size!");

    assert!(
        ours.len() <= peer.len(),
        "the greeting guest is {} B, wit-bindgen's greet {} B\n  ours: {}\n  wit-bindgen: {}",
        ours.len(),
        peer.len(),
        sections(&ours),
        sections(&peer)
    );
}
