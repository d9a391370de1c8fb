//! The canonical text form of a booklet. (stub: being written)

use crate::core::CoreModule;
use crate::{Booklet, Result};

/// Prints the `(@interface …)` items of `booklet`, one per line group.
pub fn print_booklet(booklet: &Booklet, core: &CoreModule) -> String {
    let _ = (booklet, core);
    todo!()
}

/// Prints a whole binary module: the core module as `wasmprinter` prints it,
/// with the interface items in place of the custom section.
pub fn print_module(bytes: &[u8]) -> Result<String> {
    let _ = bytes;
    todo!()
}
