//! Builds the Rust guests under `examples/` for `wasm32-unknown-unknown`
//! (once per test run, into `target/wasm-guests`) so the tests in
//! `tests/all/` can load them on the engine.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// The repository root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Where the guests are built.
pub fn target_dir() -> PathBuf {
    root().join("target/wasm-guests")
}

/// Builds every guest of the `examples/` workspace in release mode (once per
/// process) and returns the directory holding the `.wasm` files.
pub fn guests() -> &'static Path {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(|| {
        build(&["--release", "--workspace"]);
        target_dir().join("wasm32-unknown-unknown/release")
    })
}

/// Builds the two-crate guest `split-app` without LTO (the dev profile), so
/// its fragments are concatenated by the linker from separate objects, and
/// returns its bytes.
pub fn split_app_unoptimized() -> Vec<u8> {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    let dir = BUILT.get_or_init(|| {
        build(&["-p", "split-app"]);
        target_dir().join("wasm32-unknown-unknown/debug")
    });
    std::fs::read(dir.join("split_app.wasm")).expect("reading the unoptimized split_app.wasm")
}

/// Builds guest `package` with cargo profile `profile` (one of
/// `examples/Cargo.toml`'s) and returns its bytes.
pub fn guest_with_profile(package: &str, profile: &str) -> Vec<u8> {
    build(&["--profile", profile, "-p", package]);
    let path = target_dir()
        .join("wasm32-unknown-unknown")
        .join(profile)
        .join(format!("{}.wasm", package.replace('-', "_")));
    std::fs::read(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

fn build(args: &[&str]) {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo)
        .current_dir(root().join("examples"))
        .args(["build", "--target", "wasm32-unknown-unknown"])
        .args(args)
        .arg("--target-dir")
        .arg(target_dir())
        // The host test's own cargo settings must not leak into the guest build.
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("CARGO_BUILD_TARGET")
        .env_remove("CARGO_TARGET_DIR")
        .status()
        .expect("running cargo to build the guests");
    assert!(status.success(), "building the guests in examples/ failed");
}

/// The bytes of guest `name` (its crate name with `-` as `_`).
pub fn guest(name: &str) -> Vec<u8> {
    let path = guests().join(format!("{}.wasm", name.replace('-', "_")));
    std::fs::read(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}
