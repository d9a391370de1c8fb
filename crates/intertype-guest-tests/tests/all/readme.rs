//! The README's Rust guest, as written: its code block becomes a crate, its
//! shell block runs as is (`cargo build …`, then `intertype run …`), and the
//! output is the greeting. The guest has an interface import nobody calls
//! (`host log`), which must not stop it from running.

use intertype_guest_tests::root;
use std::path::Path;
use std::process::Command;

/// The first fenced block of `lang` after `heading` in `text`.
fn block<'t>(text: &'t str, heading: &str, lang: &str) -> &'t str {
    let start = text
        .find(heading)
        .unwrap_or_else(|| panic!("README has no {heading:?}"));
    let rest = &text[start..];
    let fence = format!("```{lang}\n");
    let open = rest
        .find(&fence)
        .unwrap_or_else(|| panic!("no ```{lang} block"))
        + fence.len();
    let len = rest[open..].find("```").expect("closed block");
    &rest[open..open + len]
}

#[test]
fn readme_guest_runs_as_written() {
    let root = root().canonicalize().unwrap();
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let code = block(&readme, "## Writing a guest in Rust", "rust");
    let shell = block(&readme, "## Writing a guest in Rust", "sh");
    // The dependency line the block's comment gives.
    assert!(
        code.contains(
            r#"intertype = { package = "intertype-guest", path = "crates/intertype-guest" }"#
        ),
        "the README's guest no longer says how it depends on the crate:\n{code}"
    );

    let dir = root.join("target/readme-guest");
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(
        dir.join("Cargo.toml"),
        format!(
            "[package]\nname = \"greeting\"\nversion = \"0.0.0\"\nedition = \"2021\"\n\n\
             [lib]\ncrate-type = [\"cdylib\"]\n\n\
             [dependencies]\nintertype = {{ package = \"intertype-guest\", path = {:?} }}\n\n\
             # Not part of the repository's workspace.\n[workspace]\n",
            root.join("crates/intertype-guest").display().to_string()
        ),
    )
    .unwrap();
    std::fs::write(dir.join("src/lib.rs"), code).unwrap();

    let cli_dir = crate::examples::cli_dir();
    let path = format!(
        "{}:{}",
        cli_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = Command::new("sh")
        .arg("-ec")
        .arg(shell)
        .current_dir(&dir)
        .env("PATH", path)
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("CARGO_BUILD_TARGET")
        .env_remove("CARGO_TARGET_DIR")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "the README's commands failed:\n{shell}\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(stdout, "\"Hello, Lin!\"\n");
    assert!(Path::new(&dir)
        .join("target/wasm32-unknown-unknown/release/greeting.wasm")
        .exists());
}
