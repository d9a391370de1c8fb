//! `intertype strip IN.wasm -o OUT.wasm`: the plain core module.

use anyhow::Result;
use std::path::PathBuf;

/// Remove the interface section, leaving the plain core module.
///
/// An engine without interface types already runs the original (it ignores
/// the section); stripping makes the module smaller. Everything else is kept
/// byte for byte.
#[derive(clap::Args)]
pub struct Args {
    /// Input module (binary or text); `-` for standard input.
    input: PathBuf,
    /// Where to write the core module (default: standard output, if not a
    /// terminal).
    #[arg(short, long)]
    output: Option<PathBuf>,
}

pub fn run(args: Args) -> Result<()> {
    let bytes = crate::io::read_module(&args.input)?;
    let core = intertype::core::strip(&bytes)?;
    crate::io::write_binary(args.output.as_ref(), &core)
}
