//! One module per subcommand.

pub mod inspect;
pub mod parse;
pub mod print;
pub mod strip;
pub mod validate;
