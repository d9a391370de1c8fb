//! Reading inputs and writing outputs the same way in every subcommand.

use anyhow::{bail, Context, Result};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

/// Reads a module: a binary `.wasm` as is, or `.wat` text (with
/// `(@interface …)` items) parsed to binary. `-` reads standard input.
pub fn read_module(path: &Path) -> Result<Vec<u8>> {
    if path == Path::new("-") {
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut bytes)
            .context("failed to read standard input")?;
        return from_bytes(&bytes, None);
    }
    let bytes =
        std::fs::read(path).with_context(|| format!("failed to read `{}`", path.display()))?;
    from_bytes(&bytes, Some(path))
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
                .context("failed to write standard output")
        }
    }
}
