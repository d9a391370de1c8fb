//! `intertype print IN.wasm`: binary to canonical text.

use anyhow::Result;
use std::path::PathBuf;

/// Print a module as text, the interface items in canonical form.
///
/// The core module is printed as `wasmprinter` prints it; the `(@interface …)`
/// items follow in one canonical form that parses back to the same bytes.
#[derive(clap::Args)]
pub struct Args {
    /// Input module (binary or text); `-` for standard input.
    input: PathBuf,
    /// Print only the `(@interface …)` items, not the core module.
    #[arg(short, long)]
    interface_only: bool,
}

pub fn run(args: Args) -> Result<()> {
    let bytes = crate::io::read_module(&args.input)?;
    let text = if args.interface_only {
        let module = intertype::Module::from_binary(&bytes)?;
        intertype::print::print_booklet(&module.booklet, &module.core)
    } else {
        intertype::print::print_module(&bytes)?
    };
    crate::output::print(&text)?;
    if !text.ends_with('\n') && !text.is_empty() {
        crate::output::println("")?;
    }
    Ok(())
}
