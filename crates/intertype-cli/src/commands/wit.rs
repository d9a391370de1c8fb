//! `intertype wit m.wasm`: the module's interface as a WIT world
//! (`docs/component-model.md`).

use anyhow::{Context, Result};
use std::path::PathBuf;

/// Print the WIT world of a module's interface: its interface imports and
/// exports, with the types they use.
#[derive(clap::Args)]
pub struct Args {
    /// Input module (binary or text); `-` for standard input.
    input: PathBuf,
    /// The world's name.
    #[arg(long, default_value = "module")]
    world: String,
}

pub fn run(args: Args) -> Result<()> {
    let bytes = crate::io::read_module(&args.input)?;
    let module = intertype::Module::from_binary(&bytes)?;
    module.validate()?;
    let text = intertype_component::wit::world(&module.booklet, &args.world)
        .with_context(|| format!("cannot write `{}` as WIT", args.input.display()))?;
    print!("{text}");
    Ok(())
}
