//! Rust guests on the engine: the examples under `examples/` are built for
//! wasm32 once (see the crate's `guests()`), then loaded and called.

mod echo;
mod examples;
mod fragments;
mod polyglot;
mod readme;
mod signatures;
mod size;
