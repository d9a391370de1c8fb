//! `intertype validate IN.wasm`: check the core module and its booklet.

use anyhow::Result;
use std::path::PathBuf;

/// Validate the core module and type-check every adapter against it.
///
/// Checks the core module, then every adapter's stack typing and its
/// references into the core module. Prints nothing and exits 0 when valid.
#[derive(clap::Args)]
pub struct Args {
    /// Input module (binary or text); `-` for standard input.
    input: PathBuf,
}

pub fn run(args: Args) -> Result<()> {
    let bytes = crate::io::read_module(&args.input)?;
    intertype::validate_module(&bytes)?;
    Ok(())
}
