//! The one integration-test binary of `intertype-adapt`: adapter modules
//! compiled from pairs of modules, instantiated between them with plain
//! wasmtime, and checked against the engine's unfused path.
mod conversions;
mod differential;
mod engine;
mod harness;
mod hostile;
mod polyglot;
mod realloc;
mod records;
