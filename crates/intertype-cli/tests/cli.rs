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
        .collect();
    libtest_mimic::run(&args, trials).exit();
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
