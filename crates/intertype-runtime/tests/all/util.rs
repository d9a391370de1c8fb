//! Helpers shared by the test modules.

use intertype_runtime::{Engine, Module};
use std::path::PathBuf;

pub fn corpus(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/corpus")
        .join(rel)
}

/// Loads a module from `.wat` text with `(@interface …)` annotations.
pub fn load(engine: &Engine, wat: &str) -> Module {
    let bytes = intertype::parse_str(wat, None)
        .unwrap_or_else(|e| panic!("test module does not parse: {e}"));
    Module::new(engine, &bytes).unwrap_or_else(|e| panic!("test module does not load: {e:?}"))
}

pub fn load_file(engine: &Engine, rel: &str) -> Module {
    Module::from_file(engine, &corpus(rel)).unwrap_or_else(|e| panic!("{rel}: {e:?}"))
}
