//! Rust guests for WebAssembly interface types: the compiler writes the
//! booklet.
//!
//! ```
//! use intertype_guest as intertype;
//!
//! /// Greets someone.
//! #[intertype::export]
//! fn greeting(name: &str) -> String {
//!     format!("Hello, {name}!")
//! }
//! # fn main() {}
//! ```
//!
//! `cargo build --target wasm32-unknown-unknown` then writes a module whose
//! `wasm-interface-types` section exports `greeting: (string) -> string`; no
//! post-processing step. Each [`export`]ed function and each function of an
//! [`import`] block contributes one *fragment* to the section through a
//! `#[link_section]` static; the linker concatenates them and the reader
//! (`intertype::Module::from_binary`) merges them into one booklet.
//!
//! * [`Interface`]: the canonical layout of a Rust type (size, alignment,
//!   load, store) and its interface type; implemented for numbers, `bool`,
//!   `char`, `String`, `Vec<T>`, `Option<T>`, `Result<T, E>`, tuples, `()`,
//!   `Box<T>` and maps (`BTreeMap`, `HashMap` with feature `std`: lists of
//!   pairs), and derived for structs (records), tuple structs (a newtype is
//!   its field's type, others tuples), enums (enums and variants) and structs
//!   of `bool`s marked `#[interface(flags)]` (flags);
//!   `#[interface(rename = "…")]` names a type, field or case.
//! * [`panic`](mod@panic): a panic's message reaches the host, and the guest stops
//!   (feature `std`, on by default).
//! * [`intertype_malloc`] / [`intertype_free`]: the allocator the adapters
//!   use, on the Rust global allocator.
//! * the global allocator itself on single-threaded wasm32: talc (feature
//!   `talc`, on by default), about 6 KB smaller than std's dlmalloc. Turn the
//!   feature off to keep dlmalloc or to set your own `#[global_allocator]`.
//!
//! `docs/guest.md` at the root of the repository describes the core ABI.

#![no_std]
// The whole point of this crate is the unsafe boundary between raw guest
// memory (written by the engine) and Rust values.
#![allow(unsafe_code)]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

mod abi;
mod allocator;
mod canon;
/// Descriptors the macros build at compile time (reached through
/// `__private`; not a user API).
mod desc;
pub mod panic;

pub use abi::{intertype_free, intertype_malloc};
#[cfg(feature = "heap-stats")]
pub use allocator::heap_in_use;
pub use canon::{Interface, Scalar};
pub use intertype_guest_macro::{export, import, Interface};

/// What the macros' generated code uses; not a stable API.
#[doc(hidden)]
pub mod __private {
    pub use crate::abi::*;
    pub use crate::canon::{
        field_offset, flag_get, flag_set, flags_align, flags_clear, flags_size, load_disc,
        record_align, record_size, store_disc, variant_layout,
    };
    pub use crate::desc::{
        export_bytes, export_len, import_bytes, import_len, Class, ExportDesc, Field, ImportDesc,
        Slot, Ty,
    };
    pub use crate::panic::{may_run, refuse};
    pub use crate::{Interface, Scalar};
    pub use alloc::string::String;
    pub use alloc::vec::Vec;
    pub use core;
}
