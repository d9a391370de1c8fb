//! `intertype bindgen js MODULE --out-dir DIR`: glue for hosts without
//! interface types. Writes `DIR/<name>.js` (an ES module), `DIR/<name>.d.ts`
//! and `DIR/<name>.wasm` (the module, with extra exports where adapters use
//! unexported core functions or memories).

use anyhow::{Context, Result};
use std::path::PathBuf;

/// Generate bindings for a host without interface types.
#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    target: Target,
}

#[derive(clap::Subcommand)]
enum Target {
    /// JavaScript (an ES module for Node and browsers) and TypeScript types.
    Js(JsArgs),
    /// A typed Python module (`.py` + `.pyi`) over the `intertype` package.
    Python(super::bindgen_python::PythonArgs),
}

#[derive(clap::Args)]
struct JsArgs {
    /// Input module (binary or text); `-` for standard input.
    input: PathBuf,
    /// Directory to write `<name>.js`, `<name>.d.ts` and `<name>.wasm` to
    /// (created if missing).
    #[arg(long, short = 'o')]
    out_dir: PathBuf,
    /// Base name of the output files [default: the input's file stem].
    #[arg(long)]
    name: Option<String>,
    /// Also write `<name>.interface.json`: every export and import with its
    /// types spelled out (what test runners read to convert values).
    #[arg(long)]
    interface_json: bool,
    /// Link module NAME (a file) to the input: its exports satisfy the
    /// input's interface imports from NAME, as `intertype run --link` does
    /// (repeatable; chains and shared modules work). Writes
    /// `<name>.link<k>.{js,d.ts,wasm}` for each linked module used.
    #[arg(long = "link", value_name = "NAME=FILE")]
    links: Vec<String>,
    /// Run every link through JS values instead of fusing it into
    /// memory-to-memory copies.
    #[arg(long, requires = "links")]
    no_fuse: bool,
    /// Fuse links in the generated JS (memory to memory through typed
    /// arrays) instead of in a wasm adapter module (`<name>.adapters.wasm`,
    /// the default where the adapter compiler fuses the link).
    #[arg(long, requires = "links", conflicts_with = "no_fuse")]
    fuse_in_js: bool,
}

pub fn run(args: Args) -> Result<()> {
    match args.target {
        Target::Js(args) => js(args),
        Target::Python(args) => super::bindgen_python::run(args),
    }
}

fn js(args: JsArgs) -> Result<()> {
    // The name becomes file names in `--out-dir`: a plain file name only.
    if let Some(name) = &args.name {
        intertype_js::check_name(name)?;
    }
    let bytes = crate::io::read_module(&args.input)?;
    let name = match args.name {
        Some(n) => n,
        None => args
            .input
            .file_stem()
            .and_then(|s| s.to_str())
            .filter(|s| *s != "-")
            .unwrap_or("module")
            .to_string(),
    };
    let write = |file: String, data: &[u8]| -> Result<()> {
        let path = args.out_dir.join(file);
        std::fs::write(&path, data).with_context(|| format!("failed to write `{}`", path.display()))
    };
    if args.links.is_empty() {
        let out = intertype_js::generate(&bytes, &intertype_js::Options { name: name.clone() })
            .with_context(|| {
                format!("failed to generate JS glue for `{}`", args.input.display())
            })?;
        std::fs::create_dir_all(&args.out_dir)
            .with_context(|| format!("failed to create `{}`", args.out_dir.display()))?;
        write(format!("{name}.js"), out.js.as_bytes())?;
        write(format!("{name}.d.ts"), out.dts.as_bytes())?;
        write(format!("{name}.wasm"), &out.wasm)?;
    } else {
        let mut links = Vec::new();
        for link in &args.links {
            let Some((link_name, file)) = link.split_once('=') else {
                anyhow::bail!("--link {link:?}: expected NAME=FILE");
            };
            let wasm = crate::io::read_module(std::path::Path::new(file))
                .with_context(|| format!("failed to load `{file}` (linked as {link_name:?})"))?;
            links.push(intertype_js::Link {
                name: link_name.to_string(),
                wasm,
            });
        }
        let options = intertype_js::LinkOptions {
            name: name.clone(),
            fuse: !args.no_fuse,
            fuse_in_wasm: !args.fuse_in_js,
        };
        let out = intertype_js::generate_linked(&bytes, &links, &options).with_context(|| {
            format!("failed to generate JS glue for `{}`", args.input.display())
        })?;
        std::fs::create_dir_all(&args.out_dir)
            .with_context(|| format!("failed to create `{}`", args.out_dir.display()))?;
        for f in &out.files {
            write(f.name.clone(), &f.contents)?;
        }
    }
    if args.interface_json {
        let module = intertype::Module::from_binary(&bytes)?;
        let json = serde_json::to_string_pretty(&intertype_js::interface::interface_json(&module))?;
        write(format!("{name}.interface.json"), json.as_bytes())?;
    }
    Ok(())
}
