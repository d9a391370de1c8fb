//! Reading inputs and writing outputs the same way in every subcommand.

use anyhow::{bail, Context, Result};
use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};

/// Reads a module: a binary `.wasm` as is, or `.wat` text (with
/// `(@interface …)` items) parsed to binary. `-` reads standard input.
///
/// Input that is neither is refused after its first bytes, before the rest
/// is read: a large file of something else costs nothing.
pub fn read_module(path: &Path) -> Result<Vec<u8>> {
    if path == Path::new("-") {
        let bytes = read_checked(std::io::stdin().lock(), None)?;
        return from_bytes(&bytes, None);
    }
    let file = std::fs::File::open(path)
        .with_context(|| format!("failed to read `{}`", path.display()))?;
    let bytes = read_checked(file, Some(path))?;
    from_bytes(&bytes, Some(path))
}

/// How much is read before deciding whether input can be a module.
const SNIFF_BYTES: usize = 4096;

fn read_checked(mut r: impl Read, path: Option<&Path>) -> Result<Vec<u8>> {
    let name = path.map_or("<stdin>".into(), |p| p.display().to_string());
    let failed = || format!("failed to read `{name}`");
    let mut head = Vec::with_capacity(SNIFF_BYTES);
    (&mut r)
        .take(SNIFF_BYTES as u64)
        .read_to_end(&mut head)
        .with_context(failed)?;
    if !head.starts_with(b"\0asm") && !looks_like_text(&head) {
        bail!("`{name}` is neither a binary module (no `\\0asm` header) nor UTF-8 text");
    }
    let mut bytes = head;
    r.read_to_end(&mut bytes).with_context(failed)?;
    Ok(bytes)
}

/// Whether the first bytes of an input can start a `.wat` text: UTF-8 (a
/// character cut at the end of the window is fine) without NUL bytes.
fn looks_like_text(head: &[u8]) -> bool {
    if head.contains(&0) {
        return false;
    }
    match std::str::from_utf8(head) {
        Ok(_) => true,
        Err(e) => e.error_len().is_none() && head.len() - e.valid_up_to() < 4,
    }
}

fn from_bytes(bytes: &[u8], path: Option<&Path>) -> Result<Vec<u8>> {
    if bytes.starts_with(b"\0asm") {
        return Ok(bytes.to_vec());
    }
    let name = path.map_or("<stdin>".into(), |p| p.display().to_string());
    let Ok(text) = std::str::from_utf8(bytes) else {
        bail!("`{name}` is neither a binary module (no `\\0asm` header) nor UTF-8 text");
    };
    Ok(intertype::parse_str(text, path)?)
}

/// Writes binary output to `-o FILE`, or to standard output when that is not a
/// terminal.
pub fn write_binary(output: Option<&PathBuf>, bytes: &[u8]) -> Result<()> {
    match output {
        Some(path) => std::fs::write(path, bytes)
            .with_context(|| format!("failed to write `{}`", path.display())),
        None => {
            let mut stdout = std::io::stdout();
            if stdout.is_terminal() {
                bail!("refusing to write a binary module to a terminal; use `-o FILE` or a pipe");
            }
            stdout
                .write_all(bytes)
                .and_then(|()| stdout.flush())
                .map_err(crate::output::write_error)
        }
    }
}
