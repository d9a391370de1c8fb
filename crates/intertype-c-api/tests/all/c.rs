//! C programs against `libintertype`: `tests/c/api.c` (every value kind,
//! type descriptors, host callbacks, externrefs, every error kind) and the
//! example `examples/c/greet.c`, compiled with the system C compiler (`$CC`,
//! default `cc`) with warnings as errors, linked to the `cdylib` this
//! package builds, and run under valgrind memcheck: no errors, no definite
//! leaks.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

fn crate_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The directory holding a fresh `libintertype.so`. `cargo test` does not
/// build a `cdylib` for integration tests, so this builds it (once per run,
/// same profile and target directory as the test binary).
fn lib_dir() -> PathBuf {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT
        .get_or_init(|| {
            let exe = std::env::current_exe().expect("test binary path");
            // <target>/<profile>/deps/all-<hash>
            let profile_dir = exe
                .parent()
                .and_then(Path::parent)
                .expect("the test binary is in <target>/<profile>/deps");
            let target_dir = profile_dir.parent().expect("<target>");
            let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
            let mut cmd = Command::new(cargo);
            cmd.current_dir(crate_dir())
                .args(["build", "-p", "intertype-c-api", "--lib"])
                .arg("--target-dir")
                .arg(target_dir);
            if profile_dir.file_name().is_some_and(|n| n == "release") {
                cmd.arg("--release");
            }
            let out = cmd.output().expect("running cargo build for the C library");
            assert!(
                out.status.success(),
                "cargo build -p intertype-c-api failed:\n{}",
                String::from_utf8_lossy(&out.stderr)
            );
            let lib = profile_dir.join("libintertype.so");
            assert!(
                lib.exists(),
                "cargo built the C API but {} is missing",
                lib.display()
            );
            profile_dir.to_path_buf()
        })
        .clone()
}

/// Compiles `sources` into an executable in a scratch directory.
fn compile(name: &str, sources: &[PathBuf]) -> PathBuf {
    let out_dir = std::env::temp_dir().join(format!("intertype-c-api-{}", std::process::id()));
    std::fs::create_dir_all(&out_dir).expect("scratch directory");
    let exe = out_dir.join(name);
    let lib = lib_dir();
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".into());
    let out = Command::new(&cc)
        .args(["-std=c11", "-Wall", "-Wextra", "-Werror", "-g"])
        .arg("-I")
        .arg(crate_dir().join("include"))
        .args(sources)
        .arg("-L")
        .arg(&lib)
        .arg(format!("-Wl,-rpath,{}", lib.display()))
        .args(["-lintertype", "-lm", "-o"])
        .arg(&exe)
        .output()
        .unwrap_or_else(|e| panic!("running the C compiler `{cc}`: {e}"));
    assert!(
        out.status.success(),
        "compiling {name} failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    exe
}

/// Runs `exe args` under valgrind memcheck; returns stdout. Fails on any
/// memcheck error, a definite leak, or a non-zero exit.
fn valgrind(exe: &Path, args: &[&Path]) -> String {
    let out = Command::new("valgrind")
        .args([
            "--quiet",
            "--error-exitcode=99",
            "--leak-check=full",
            "--show-leak-kinds=definite",
            "--errors-for-leak-kinds=definite",
        ])
        .arg(exe)
        .args(args)
        .output()
        .expect("running valgrind (scripts/setup.sh installs it)");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{} under valgrind exited with {}:\n{stdout}{}",
        exe.display(),
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

#[test]
fn api_under_valgrind() {
    let exe = compile("api", &[crate_dir().join("tests/c/api.c")]);
    let stdout = valgrind(&exe, &[&crate_dir().join("tests/c/kinds.wat")]);
    assert_eq!(stdout, "ok\n");
}

#[test]
fn greet_example_under_valgrind() {
    let root = crate_dir().join("../..");
    let exe = compile("greet", &[root.join("examples/c/greet.c")]);
    let module = root.join("tests/corpus/article/greeting-param.wat");
    let stdout = valgrind(&exe, &[&module, Path::new("Lin")]);
    assert_eq!(stdout, "Hello, Lin!\n");
}
