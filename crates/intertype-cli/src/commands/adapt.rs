//! `intertype adapt app.wasm --link lib=lib.wasm -o adapters.wasm`: the
//! adapter module that fuses `app`'s imports with `lib`'s exports, for
//! inspection (`intertype print adapters.wasm`, `wasm-tools print`).

use anyhow::{bail, Context, Result};
use intertype_adapt::Outcome;
use std::path::PathBuf;

/// Compile the fused adapters between a module and the modules it links to.
///
/// Every interface import of INPUT whose module is a link NAME is satisfied
/// by that module's export of the same name; each core import of INPUT
/// implemented with such imports becomes one fused core function of the
/// adapter module (see docs/linking.md). What was fused, and why anything
/// was not, is reported on standard error.
#[derive(clap::Args)]
pub struct Args {
    /// The importing module (binary or text).
    input: PathBuf,
    /// `NAME=FILE`: the module satisfying imports from module NAME
    /// (repeatable).
    #[arg(long = "link", value_name = "NAME=FILE", required = true)]
    links: Vec<String>,
    /// Where to write the adapter module (default: standard output, if not
    /// a terminal).
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// Also write the shim module (the table A's imports call through).
    #[arg(long, value_name = "FILE")]
    shim: Option<PathBuf>,
}

pub fn run(args: Args) -> Result<()> {
    let app = crate::io::read_module(&args.input)?;
    let mut libs = Vec::new();
    for link in &args.links {
        let Some((name, file)) = link.split_once('=') else {
            bail!("--link {link:?}: expected NAME=FILE");
        };
        if name.is_empty() {
            bail!("--link {link:?}: the module name is empty");
        }
        let bytes = crate::io::read_module(file.as_ref())?;
        libs.push((name.to_string(), bytes));
    }
    let exporters: Vec<(&str, &[u8])> = libs
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice()))
        .collect();
    let adapters = intertype_adapt::compile(&app, &exporters)
        .with_context(|| format!("cannot link `{}`", args.input.display()))?;
    // What we wrote must be a valid module; a failure here is our bug.
    wasmparser::Validator::new()
        .validate_all(&adapters.module)
        .context("internal error: the adapter module does not validate")?;
    for link in &adapters.links {
        let (module, name) = &link.import;
        match &link.outcome {
            Outcome::Fused(f) => eprintln!(
                "fused: core import {module:?} {name:?} -> export {:?}",
                f.export
            ),
            Outcome::NotFusable(why) => {
                eprintln!("not fused: core import {module:?} {name:?}: {why}")
            }
        }
    }
    if adapters.links.is_empty() {
        eprintln!("nothing to fuse: no implemented core import calls a linked module");
    }
    if let Some(path) = &args.shim {
        std::fs::write(path, &adapters.shim)
            .with_context(|| format!("failed to write `{}`", path.display()))?;
    }
    crate::io::write_binary(args.output.as_ref(), &adapters.module)
}
