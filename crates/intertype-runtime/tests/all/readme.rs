//! The README's Rust host example is the code `examples/host-rust/readme.rs`
//! runs (`scripts/test.sh` runs the example): this checks the two have not
//! drifted apart.

use std::path::Path;

fn root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

/// The first ```rust block after the line starting with `marker`.
fn readme_block(readme: &str, marker: &str) -> Vec<String> {
    let start = readme
        .lines()
        .position(|l| l.starts_with(marker))
        .unwrap_or_else(|| panic!("README has no line starting with {marker:?}"));
    readme
        .lines()
        .skip(start)
        .skip_while(|l| l.trim() != "```rust")
        .skip(1)
        .take_while(|l| l.trim() != "```")
        .map(str::to_string)
        .collect()
}

#[test]
fn host_example_is_the_one_ci_runs() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let block = readme_block(&readme, "**Rust** (`crates/intertype-runtime`");
    let example = std::fs::read_to_string(root().join("examples/host-rust/readme.rs")).unwrap();
    let ran: Vec<String> = example
        .lines()
        .skip_while(|l| l.trim() != "// README begin")
        .skip(1)
        .take_while(|l| l.trim() != "// README end")
        .map(|l| l.strip_prefix("    ").unwrap_or(l).to_string())
        .collect();
    assert!(!block.is_empty());
    assert_eq!(
        block, ran,
        "README's host example and examples/host-rust/readme.rs differ"
    );
}
