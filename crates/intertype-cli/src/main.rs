//! `intertype`: the command-line face of the toolchain, in the style of
//! `wasm-tools` — one subcommand per file under `commands/`.

use clap::Parser;
use std::io::Write;
use std::process::ExitCode;

mod commands;
mod io;
mod output;
mod terminal;
mod wave_args;

/// WebAssembly interface types: parse, print, validate, inspect, strip, run, link
/// and generate bindings for modules that carry a `wasm-interface-types` booklet.
#[derive(Parser)]
#[command(name = "intertype", version, about, max_term_width = 100)]
enum Command {
    Parse(commands::parse::Args),
    Print(commands::print::Args),
    Validate(commands::validate::Args),
    Inspect(commands::inspect::Args),
    Strip(commands::strip::Args),
    Run(commands::run::Args),
    Bindgen(commands::bindgen::Args),
    Adapt(commands::adapt::Args),
    Component(commands::component::Args),
    Wit(commands::wit::Args),
}

fn main() -> ExitCode {
    let result = match Command::parse() {
        Command::Parse(args) => commands::parse::run(args),
        Command::Print(args) => commands::print::run(args),
        Command::Validate(args) => commands::validate::run(args),
        Command::Inspect(args) => commands::inspect::run(args),
        Command::Strip(args) => commands::strip::run(args),
        Command::Run(args) => commands::run::run(args),
        Command::Bindgen(args) => commands::bindgen::run(args),
        Command::Adapt(args) => commands::adapt::run(args),
        Command::Component(args) => commands::component::run(args),
        Command::Wit(args) => commands::wit::run(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        // The reader of our output went away (`| head`): nothing to report.
        Err(e) if e.is::<output::StdoutClosed>() => ExitCode::SUCCESS,
        Err(e) if e.is::<commands::Reported>() => ExitCode::FAILURE,
        Err(e) => match e.downcast_ref::<commands::ExitWith>() {
            Some(commands::ExitWith(code)) => ExitCode::from(*code as u8),
            None => {
                // Messages quote names from the module: escape them.
                let text = format!("error: {e:#}");
                let _ = writeln!(std::io::stderr(), "{}", terminal::message(&text));
                ExitCode::FAILURE
            }
        },
    }
}
