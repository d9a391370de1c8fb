//! Validation: stack typing of every adapter and consistency with the core
//! module. (stub: being written)

use crate::core::CoreModule;
use crate::{Booklet, Result};

/// Validates `booklet` against `core`.
pub fn validate(booklet: &Booklet, core: &CoreModule) -> Result<()> {
    let _ = (booklet, core);
    todo!()
}
