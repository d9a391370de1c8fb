//! The one integration-test binary of the `intertype` crate; each module is
//! one area.
mod errors;
mod reference;
mod schema;
mod text;
mod typed;
mod validate;
