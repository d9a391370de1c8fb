//! The runtime's integration tests (one binary; see STYLE.md).

mod conformance;
mod bindgen;
mod corpus;
mod derive;
mod extension;
mod host;
mod host_data;
mod hostile;
mod leak;
mod util;
