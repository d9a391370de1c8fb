//! Schema approval: the extension's encoding of a module that uses every type
//! form and instruction is pinned here. A change to the format must come with
//! a new `EXTENSION_VERSION`, so that no tool misreads a section written by
//! another version: if this test fails, either the change was a mistake, or
//! bump the version in `src/lib.rs`, update `docs/format.md`, and re-bless
//! with `BLESS=1 cargo test -p intertype --test all schema`.
//!
//! The one change allowed within a version is a new *subsection* at the end
//! (`docs/format.md` §1): a reader that predates it rejects its id as
//! unknown rather than misreading it. The parameter names subsection (id 8)
//! was added to `intertype/1` that way; re-bless after checking that the
//! old encoding is a prefix of the new one.

use std::path::Path;

#[test]
fn extension_encoding_is_pinned_to_its_version() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text =
        std::fs::read_to_string(root.join("../../tests/corpus/extension/everything.wat")).unwrap();
    let module = intertype::parse_str(&text, None).unwrap();
    let core = intertype::core::CoreModule::parse(&module).unwrap();
    let payload = &module[core.interface_sections[0].payload.clone()];

    let mut actual = format!("version {}\n", intertype::EXTENSION_VERSION);
    for chunk in payload.chunks(32) {
        actual += &chunk.iter().map(|b| format!("{b:02x}")).collect::<String>();
        actual.push('\n');
    }
    let approved_path = root.join("tests/all/schema/approved.txt");
    if std::env::var_os("BLESS").is_some() {
        std::fs::write(&approved_path, &actual).unwrap();
        return;
    }
    let approved = std::fs::read_to_string(&approved_path).unwrap_or_default();
    let approved_version = approved.lines().next().unwrap_or_default();
    let actual_version = actual.lines().next().unwrap_or_default();
    if approved_version == actual_version {
        assert_eq!(
            approved, actual,
            "the encoding of `intertype/1` changed without a new EXTENSION_VERSION (see this file's docs)"
        );
    } else {
        panic!("EXTENSION_VERSION changed ({approved_version} -> {actual_version}): re-bless the approved encoding");
    }
}
