//! One module per subcommand.

pub mod adapt;
pub mod bindgen;
pub mod bindgen_python;
pub mod component;
pub mod inspect;
pub mod parse;
pub mod print;
pub mod run;
pub mod strip;
pub mod validate;
pub mod wit;

/// An error already printed (as JSON): exit 1 without printing it again.
#[derive(Debug)]
pub struct Reported;

impl std::fmt::Display for Reported {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("error already reported")
    }
}

impl std::error::Error for Reported {}

/// The guest asked to exit with this status (WASI `proc_exit`).
#[derive(Debug)]
pub struct ExitWith(pub i32);

impl std::fmt::Display for ExitWith {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "exit status {}", self.0)
    }
}

impl std::error::Error for ExitWith {}
