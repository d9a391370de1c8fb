//! `include/intertype.h` must be what cbindgen generates from `src/`.
//! `BLESS=1 cargo test -p intertype-c-api --test all header` rewrites it;
//! review the diff.

use std::path::Path;

#[test]
fn header_is_up_to_date() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let config = cbindgen::Config::from_file(dir.join("cbindgen.toml")).expect("cbindgen.toml");
    let mut fresh = Vec::new();
    cbindgen::Builder::new()
        .with_config(config)
        .with_src(dir.join("src/lib.rs"))
        .generate()
        .expect("cbindgen failed on src/")
        .write(&mut fresh);
    let fresh = String::from_utf8(fresh).expect("cbindgen wrote UTF-8");
    let path = dir.join("include/intertype.h");
    if std::env::var_os("BLESS").is_some() {
        std::fs::write(&path, &fresh).expect("writing include/intertype.h");
        return;
    }
    let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        checked_in == fresh,
        "include/intertype.h differs from what cbindgen generates from src/; \
         run `BLESS=1 cargo test -p intertype-c-api --test all header` and review the diff"
    );
}
