//! Standard output for every command. A reader that goes away
//! (`intertype print m.wasm | head`) is not an error: the write fails with
//! [`StdoutClosed`], which `main` turns into a quiet, successful exit.

use anyhow::Result;
use std::io::Write;

/// Standard output was closed by its reader.
#[derive(Debug)]
pub struct StdoutClosed;

impl std::fmt::Display for StdoutClosed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("standard output was closed")
    }
}

impl std::error::Error for StdoutClosed {}

/// Maps a write error: a closed pipe is [`StdoutClosed`].
pub fn write_error(e: std::io::Error) -> anyhow::Error {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        anyhow::Error::new(StdoutClosed)
    } else {
        anyhow::Error::new(e).context("failed to write standard output")
    }
}

/// Writes `text` to standard output.
pub fn print(text: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes()).map_err(write_error)?;
    out.flush().map_err(write_error)
}

/// Writes `text` and a line break to standard output.
pub fn println(text: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes()).map_err(write_error)?;
    out.write_all(b"\n").map_err(write_error)?;
    out.flush().map_err(write_error)
}
