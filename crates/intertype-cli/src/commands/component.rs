//! `intertype component adopt IN.wasm -o OUT.wasm`: the bridge to the
//! component model (`docs/component-model.md`).

use anyhow::{Context, Result};
use std::path::PathBuf;

/// The component model: adopt a canonical-ABI (wit-bindgen) guest.
#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Sub,
}

#[derive(clap::Subcommand)]
enum Sub {
    /// Give a core module built with wit-bindgen (it carries a
    /// `component-type` custom section) a booklet describing its world with
    /// canonical-ABI adapters, so the intertype engine and polyfills run it.
    Adopt {
        /// The core module (binary); `-` for standard input.
        input: PathBuf,
        /// Where to write the adopted module (default: standard output, if
        /// not a terminal).
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
}

pub fn run(args: Args) -> Result<()> {
    match args.command {
        Sub::Adopt { input, output } => {
            let bytes = crate::io::read_module(&input)?;
            let adopted = intertype_component::adopt(&bytes)
                .with_context(|| format!("cannot adopt `{}`", input.display()))?;
            crate::io::write_binary(output.as_ref(), &adopted)
        }
    }
}
