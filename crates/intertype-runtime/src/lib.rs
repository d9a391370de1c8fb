//! The intertype engine: runs WebAssembly modules that carry interface
//! adapters (a `wasm-interface-types` booklet) on wasmtime.
//!
//! * [`Engine`] — wasmtime configuration and default [`Limits`];
//! * [`Module`] — a core module compiled by wasmtime plus every adapter
//!   compiled, once, into an execution plan;
//! * [`Linker`] — host functions with interface signatures, WASI, instantiation;
//! * [`Instance`] / [`Func`] — calls with dynamic [`Value`]s;
//!   [`TypedFunc`] — calls with Rust values through [`Lift`]/[`Lower`].
//!
//! Core execution is wasmtime's; this crate only runs the adapters. See
//! `docs/runtime.md` for the architecture, the error model and the state of
//! an instance after a trap.

mod canon;
mod engine;
mod error;
mod exec;
mod guest_panic;
mod instance;
mod linker;
mod module;
mod plan;
mod shape;
mod typed;
mod types;
mod value;

pub use engine::{Config, Engine, Limits};
pub use error::{Error, ErrorKind, Limit, Misbehavior};
pub use exec::TypedArg;
pub use instance::{Func, Instance};
/// `#[derive(Interface)]`: records, flags, enums and variants as [`Lift`] +
/// [`Lower`] (see `intertype-runtime-derive`).
pub use intertype_runtime_derive::Interface;
pub use linker::{Linker, WasiOptions};
pub use module::{ExportInfo, ExportKind, Module};
pub use typed::{Lift, LiftList, Lower, LowerList, TypedFunc};

#[doc(hidden)]
pub mod __private {
    //! Support for code that `#[derive(Interface)]` generates.
    pub use crate::typed::derive_mismatch as mismatch;
}
pub use types::{Case, Field, FuncType, Type};
pub use value::{ExternRef, Value};
