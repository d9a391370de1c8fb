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

mod args;
mod caller;
mod canon;
mod engine;
mod error;
mod exec;
mod guest_panic;
mod instance;
mod link;
mod linker;
mod module;
mod plain;
mod plan;
mod shape;
mod store;
mod typed;
mod types;
mod value;
pub mod wave;

/// How [`Lower`] hands an argument to the engine; support for the derives,
/// not a user API.
#[doc(hidden)]
pub use args::TypedArg;
pub use caller::Caller;
pub use engine::{Config, Engine, Limits};
pub use error::{Error, ErrorKind, Limit, Misbehavior};
pub use instance::{CallContext, Func, Instance};
/// `bindgen!("m.wasm")`: typed Rust bindings for a module, generated at
/// compile time from its booklet (path relative to the crate's
/// `Cargo.toml`; binary or `.wat` text).
///
/// For `contacts.wasm` it generates: a Rust type for each record, variant,
/// enum and flags type (`contact-info` → `ContactInfo`, implementing
/// [`Lift`] + [`Lower`] with the interface names); `Contacts<T>`, owning an
/// [`Instance<T>`], with `Contacts::new(instance)` (checks every export's
/// signature once), `Contacts::instantiate(&linker, &module, data)`, and one
/// typed method per export with the booklet's docs (`&str`, `&[u8]`, `&Rec`
/// parameters; owned results); and, when the module imports interface
/// functions, a trait `ContactsImports` (one associated function per import,
/// given the [`Caller`]) with `Contacts::add_to_linker(&mut linker)`.
/// Functions whose types have no Rust form (core `i32`/`i64`) get methods
/// over [`Value`]s. See `docs/runtime.md` and `examples/host-rust`.
pub use intertype_runtime_derive::bindgen;
/// `#[derive(Interface)]`: records, flags, enums and variants as [`Lift`] +
/// [`Lower`] (see `intertype-runtime-derive`).
pub use intertype_runtime_derive::Interface;
pub use link::{LinkInfo, LinkKind};
pub use linker::{Linker, WasiOptions};
pub use module::{ExportInfo, ExportKind, Module};
pub use typed::{BorrowList, BorrowParam, Lift, LiftList, Lower, LowerList, TypedFunc};
/// The wasmtime this crate runs on (its version is the one to configure
/// [`Engine::with_wasmtime_config`] with).
pub use wasmtime;

#[doc(hidden)]
pub mod __private {
    //! Support for code that `#[derive(Interface)]` generates.
    pub use crate::args::{ArgRef, ArgSource, ScalarSlice, TypedArg};
    pub use crate::plain::Plain;
    pub use crate::typed::derive_mismatch as mismatch;
    pub use crate::typed::plain_arg;
}
pub use types::{Case, Field, FuncType, Type};
pub use value::{ExternRef, Value};
