//! The text format: `(@interface …)` annotations inside a `.wat` module.
//! (stub: being written)

use crate::Result;
use std::path::Path;

/// Parses module text into a binary module with its interface section.
pub fn parse(text: &str, path: Option<&Path>) -> Result<Vec<u8>> {
    let _ = (text, path);
    todo!()
}
