//! The runtime's integration tests (one binary; see STYLE.md).

mod corpus;
mod derive;
mod extension;
mod host;
mod hostile;
mod leak;
mod util;
