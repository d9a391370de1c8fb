//! `intertype component adopt IN.wasm -o OUT.wasm` and `intertype
//! component new IN.wasm -o OUT.wasm`: the bridge to the component model
//! (`docs/component-model.md`).

use anyhow::{Context, Result};
use std::path::PathBuf;

/// The component model: adopt a canonical-ABI (wit-bindgen) guest, or make
/// a component of an intertype module.
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
    /// Make a component of an intertype module: its WIT world (`intertype
    /// wit`), the core module, and shim modules the adapter compiler
    /// generates that present the canonical ABI and run the module's own
    /// adapters. Runs on wasmtime's component runtime and under jco.
    New {
        /// The intertype module (binary or text); `-` for standard input.
        input: PathBuf,
        /// Where to write the component (default: standard output, if not a
        /// terminal).
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// Leave out interface exports that have no component-model form
        /// (core types, several results, more than 32 flags), each named on
        /// standard error, instead of refusing the module.
        #[arg(long)]
        omit_unmappable: bool,
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
        Sub::New {
            input,
            output,
            omit_unmappable,
        } => {
            let bytes = crate::io::read_module(&input)?;
            let made = intertype_component::new(
                &bytes,
                &intertype_component::NewOptions { omit_unmappable },
            )
            .with_context(|| format!("cannot make a component of `{}`", input.display()))?;
            for (name, why) in &made.omitted {
                eprintln!(
                    "note: left out export `{}`: {}",
                    crate::terminal::name(name),
                    crate::terminal::message(why)
                );
            }
            crate::io::write_binary(output.as_ref(), &made.component)
        }
    }
}
