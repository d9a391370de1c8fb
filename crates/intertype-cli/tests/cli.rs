//! Snapshot tests of the `intertype` command, run as a process.
//!
//! Every file under `tests/cli/` whose first lines hold `;; RUN: <args>` is a
//! test. `%s` in the arguments is the file itself, `%tmp` a fresh temporary
//! directory; several commands can be chained with ` && ` (the chain stops at
//! the first failure). The combined standard output is compared with
//! `<file>.stdout` and the standard error (plus an `[exit status: N]` line
//! when a command fails) with `<file>.stderr`; a missing snapshot means
//! "expected empty". `BLESS=1 cargo test -p intertype-cli --test cli`
//! rewrites the snapshots. Paths in messages are relative to this crate.

use libtest_mimic::{Arguments, Failed, Trial};
use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    let args = Arguments::from_args();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    collect(&root.join("tests/cli"), &mut files);
    files.sort();
    let trials = files
        .into_iter()
        .filter_map(|path| {
            let text = std::fs::read_to_string(&path).ok()?;
            let runs: Vec<String> = text
                .lines()
                .take_while(|l| l.starts_with(";;"))
                .filter_map(|l| l.strip_prefix(";; RUN:").map(|r| r.trim().to_string()))
                .collect();
            if runs.is_empty() {
                return None;
            }
            let rel = path.strip_prefix(root).unwrap().to_path_buf();
            let name = rel.display().to_string();
            Some(Trial::test(name, move || run_test(&rel, &runs)))
        })
        .collect::<Vec<_>>();
    let mut trials = trials;
    trials.extend(process_trials());
    trials.push(Trial::test(
        "examples/c-greet builds, adopts and runs",
        c_greet,
    ));
    libtest_mimic::run(&args, trials).exit();
}

/// Behaviour a snapshot cannot show: a reader that goes away, input that
/// never ends, input too large to echo (issue 8 items 5 and 7).
fn process_trials() -> Vec<Trial> {
    let mut out = Vec::new();
    let markdown = "../../tests/corpus/wasm-bindgen/markdown.wasm";
    let greeting = "../../tests/corpus/extension/shapes.wat";
    let arguments = "../../tests/corpus/hostile/arguments.wat";
    for (name, args) in [
        ("print", vec!["print", markdown]),
        ("inspect", vec!["inspect", markdown]),
        ("inspect --json", vec!["inspect", "--json", markdown]),
        ("run --list", vec!["run", "--list", greeting]),
        ("run", vec!["run", arguments, "to_u8(7)"]),
        ("parse", vec!["parse", greeting]),
    ] {
        let args: Vec<String> = args.into_iter().map(String::from).collect();
        out.push(Trial::test(
            format!("closed stdout is a quiet exit: {name}"),
            move || closed_stdout(&args),
        ));
    }
    out.push(Trial::test(
        "endless non-wasm input is refused early",
        endless_input,
    ));
    out.push(Trial::test(
        "errors in huge one-line input are bounded",
        one_line_error,
    ));
    for json in [false, true] {
        out.push(Trial::test(
            format!("a 32 MiB list<u8> result streams (json: {json})"),
            move || big_bytes_stream(json),
        ));
    }
    out
}

fn intertype() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_intertype"));
    c.current_dir(env!("CARGO_MANIFEST_DIR"));
    c
}

/// The reader of standard output is gone before the command writes: the
/// command exits 0 and prints nothing (no panic, no "Broken pipe").
fn closed_stdout(args: &[String]) -> Result<(), Failed> {
    let mut child = intertype()
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| e.to_string())?;
    drop(child.stdout.take());
    let out = child.wait_with_output().map_err(|e| e.to_string())?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() || !stderr.is_empty() {
        return Err(format!("status {:?}, stderr: {stderr}", out.status).into());
    }
    Ok(())
}

/// Standard input that never ends and is not a module: refused after its
/// first bytes, not read to the end (which never comes).
fn endless_input() -> Result<(), Failed> {
    use std::io::Write;
    let mut child = intertype()
        .args(["validate", "-"])
        .stdin(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| e.to_string())?;
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        let zeros = vec![0u8; 1 << 16];
        // Up to 4 GiB: stops when the command closes its end.
        for _ in 0..(1 << 16) {
            if stdin.write_all(&zeros).is_err() {
                return true;
            }
        }
        false
    });
    let out = child.wait_with_output().map_err(|e| e.to_string())?;
    let stopped_early = writer.join().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    if out.status.success() || !stderr.contains("neither a binary module") || !stopped_early {
        return Err(format!(
            "status {:?}, stopped early: {stopped_early}, stderr: {stderr}",
            out.status
        )
        .into());
    }
    Ok(())
}

/// The peak resident memory of `run` printing a 32 MiB `list<u8>`, sampled
/// while its output is read, stays far below what a second, formatted copy
/// would take (about 46 bytes per byte; here it is a few times 32 MiB for
/// guest memory and the lifted value).
fn big_bytes_stream(json: bool) -> Result<(), Failed> {
    use std::io::Read;
    let mut cmd = intertype();
    cmd.arg("run");
    if json {
        cmd.arg("--json");
    }
    let mut child = cmd
        .args(["../../tests/corpus/hostile/big-bytes.wat", "bytes()"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| e.to_string())?;
    let status = format!("/proc/{}/status", child.id());
    let mut stdout = child.stdout.take().unwrap();
    let (mut total, mut peak_kb, mut buf) = (0usize, 0u64, vec![0u8; 1 << 16]);
    let mut first = Vec::new();
    loop {
        let n = stdout.read(&mut buf).map_err(|e| e.to_string())?;
        if n == 0 {
            break;
        }
        if first.len() < 16 {
            first.extend_from_slice(&buf[..n.min(16)]);
        }
        total += n;
        if let Ok(s) = std::fs::read_to_string(&status) {
            let rss = s
                .lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok());
            peak_kb = peak_kb.max(rss.unwrap_or(0));
        }
    }
    let ok = child.wait().map_err(|e| e.to_string())?.success();
    let head = String::from_utf8_lossy(&first).into_owned();
    let expected_head = if json {
        "{\"results\":[[255"
    } else {
        "[255, 255,"
    };
    // "255, " per byte in WAVE, "255," in JSON.
    let min_total = if json { 4 } else { 5 } * (32 << 20);
    if !ok || total < min_total || !head.starts_with(expected_head) || peak_kb > 400 * 1024 {
        return Err(format!("ok {ok}, {total} bytes, head {head:?}, peak RSS {peak_kb} kB").into());
    }
    Ok(())
}

/// A 20 MB one-line text with an error: the message shows a window.
fn one_line_error() -> Result<(), Failed> {
    let dir = tempdir(Path::new("one-line"));
    let file = dir.join("one-line.wat");
    let text = format!("(module {} (bogus))", "(; filler ;) ".repeat(1_600_000));
    std::fs::write(&file, text).map_err(|e| e.to_string())?;
    let out = intertype()
        .arg("validate")
        .arg(&file)
        .output()
        .map_err(|e| e.to_string())?;
    let _ = std::fs::remove_dir_all(&dir);
    let stderr = String::from_utf8_lossy(&out.stderr);
    if out.status.success() || stderr.len() > 1000 || !stderr.contains(":1:") {
        return Err(format!(
            "{} bytes of stderr: {}",
            stderr.len(),
            &stderr[..stderr.len().min(400)]
        )
        .into());
    }
    Ok(())
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, out);
        } else if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("wat" | "txt")
        ) {
            out.push(path);
        }
    }
}

fn run_test(rel: &Path, runs: &[String]) -> Result<(), Failed> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let tmp = tempdir(rel);
    let mut stdout = String::new();
    let mut stderr = String::new();
    'runs: for run in runs {
        for cmd in run.split(" && ") {
            let args = shell_words(cmd)
                .into_iter()
                .map(|a| {
                    a.replace("%s", &rel.display().to_string())
                        .replace("%tmp", &tmp.display().to_string())
                })
                .collect::<Vec<_>>();
            let output = Command::new(env!("CARGO_BIN_EXE_intertype"))
                .args(&args)
                .current_dir(root)
                .output()
                .map_err(|e| format!("failed to run intertype: {e}"))?;
            stdout.push_str(&String::from_utf8_lossy(&output.stdout));
            stderr.push_str(&String::from_utf8_lossy(&output.stderr));
            if !output.status.success() {
                let code = output
                    .status
                    .code()
                    .map_or("signal".to_string(), |c| c.to_string());
                stderr.push_str(&format!("[exit status: {code}]\n"));
                break 'runs;
            }
        }
    }
    let _ = std::fs::remove_dir_all(&tmp);
    let tmp_text = tmp.display().to_string();
    let stdout = stdout.replace(&tmp_text, "%tmp");
    let stderr = stderr.replace(&tmp_text, "%tmp");
    let mut errors = Vec::new();
    for (ext, actual) in [("stdout", stdout), ("stderr", stderr)] {
        let snapshot = root.join(format!("{}.{ext}", rel.display()));
        if std::env::var_os("BLESS").is_some() {
            if actual.is_empty() {
                let _ = std::fs::remove_file(&snapshot);
            } else {
                std::fs::write(&snapshot, &actual).map_err(|e| e.to_string())?;
            }
            continue;
        }
        let expected = std::fs::read_to_string(&snapshot).unwrap_or_default();
        if expected != actual {
            errors.push(format!(
                "{ext} differs from {}\n--- expected\n{expected}\n--- actual\n{actual}\n(run with BLESS=1 to update)",
                snapshot.display()
            ));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors.join("\n").into())
    }
}

fn tempdir(rel: &Path) -> PathBuf {
    let name = rel.display().to_string().replace(['/', '\\', '.'], "_");
    let dir = std::env::temp_dir().join(format!("intertype-cli-{}-{name}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    dir
}

/// Splits on spaces, keeping 'single' and "double" quoted words together.
fn shell_words(s: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut quote = None;
    let mut in_word = false;
    for c in s.chars() {
        match (quote, c) {
            (None, '\'' | '"') => {
                quote = Some(c);
                in_word = true;
            }
            (Some(q), c) if c == q => quote = None,
            (None, c) if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            (_, c) => {
                cur.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        words.push(cur);
    }
    words
}

/// Runs examples/c-greet/build.sh into a fresh directory with `cflags`;
/// returns the adopted module.
fn build_c_greet(name: &str, cflags: &str) -> Result<PathBuf, Failed> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let out = tempdir(Path::new(name));
    let build = Command::new("bash")
        .arg(root.join("examples/c-greet/build.sh"))
        .arg(&out)
        .env("INTERTYPE", env!("CARGO_BIN_EXE_intertype"))
        .env("CFLAGS", cflags)
        .output()
        .map_err(|e| format!("running examples/c-greet/build.sh: {e}"))?;
    if !build.status.success() {
        return Err(format!(
            "examples/c-greet/build.sh failed ({}):\n{}",
            build.status,
            String::from_utf8_lossy(&build.stderr)
        )
        .into());
    }
    Ok(out.join("greet.wasm"))
}

/// examples/c-greet (issue 13): C compiled by clang against the bindings of
/// `wit-bindgen c`, adopted by this binary (the example's build.sh), then
/// run on the engine with `intertype run`; built with `-DGREET_LOG` it
/// imports WASI and runs with `--wasi`.
fn c_greet() -> Result<(), Failed> {
    let logging = build_c_greet("c-greet-log", "-DGREET_LOG")?;
    let run = intertype()
        .args(["run", "--wasi"])
        .arg(&logging)
        .arg("greeting(\"WASI\")")
        .output()
        .unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr),
    );
    if stdout.trim() != "\"Hello, WASI!\"" || !stderr.contains("greeting 4 bytes") {
        return Err(format!("with WASI: stdout {stdout}, stderr {stderr}").into());
    }

    let module = build_c_greet("c-greet", "")?;
    let inspect = intertype().arg("inspect").arg(&module).output().unwrap();
    let listing = String::from_utf8_lossy(&inspect.stdout);
    if !listing.contains("greeting: func(name: string) -> string") {
        return Err(format!("inspect shows no `greeting` export:\n{listing}").into());
    }
    for (name, want) in [
        ("Lin", "Hello, Lin!"),
        ("", "Hello, !"),
        ("世界", "Hello, 世界!"),
    ] {
        let run = intertype()
            .arg("run")
            .arg(&module)
            .arg(format!("greeting({name:?})"))
            .output()
            .unwrap();
        let got = String::from_utf8_lossy(&run.stdout);
        if !run.status.success() || got.trim() != format!("{want:?}") {
            return Err(format!(
                "greeting({name:?}): status {}, stdout {got}, stderr {}",
                run.status,
                String::from_utf8_lossy(&run.stderr)
            )
            .into());
        }
    }
    Ok(())
}
