//! `intertype parse IN.wat -o OUT.wasm`: text to binary.

use anyhow::Result;
use std::path::PathBuf;

/// Parse a `.wat` module with `(@interface …)` items into a binary module.
///
/// The booklet is written as the `wasm-interface-types` custom section at the
/// end of the module: version `0.1.0` and the 2019 reference bytes when only
/// the reference subset is used. Use `intertype validate` to type-check it.
#[derive(clap::Args)]
pub struct Args {
    /// Input text (or binary) module; `-` for standard input.
    input: PathBuf,
    /// Where to write the binary module (default: standard output, if not a
    /// terminal).
    #[arg(short, long)]
    output: Option<PathBuf>,
}

pub fn run(args: Args) -> Result<()> {
    let bytes = crate::io::read_module(&args.input)?;
    crate::io::write_binary(args.output.as_ref(), &bytes)
}
