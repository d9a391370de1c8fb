//! The runtime's integration tests (one binary; see STYLE.md).

mod conformance;
mod corpus;
mod derive;
mod extension;
mod host;
mod hostile;
mod leak;
mod lifted_size;
mod util;
