//! The runtime's integration tests (one binary; see STYLE.md).

mod bindgen;
mod conformance;
mod corpus;
mod derive;
mod extension;
mod host;
mod host_data;
mod hostile;
mod layers;
mod leak;
mod lifted_size;
mod linking;
mod nested_paths;
mod plain_forms;
mod raw_lists;
mod readme;
mod scalar_lists;
mod scalar_path;
mod string_call;
mod util;
