//! The C API of the intertype engine: `libintertype.so` / `libintertype.a`
//! with `include/intertype.h` (generated from this crate by cbindgen; the
//! test `header` fails when the checked-in header is stale, `BLESS=1`
//! rewrites it). `docs/c-api.md` is the guide.
//!
//! Every function is an `extern "C"` entry that catches panics
//! (`catch_unwind`) so that nothing unwinds into C: a bug in the engine
//! becomes an `INTERTYPE_ERROR_INTERNAL` error (or a null/zero result for
//! functions that cannot report errors).
//!
//! * `engine.rs`: engine, module, linker, instance, function handles, calls;
//! * `host.rs`: host functions as C callbacks;
//! * `value.rs`: value handles (constructors, accessors);
//! * `types.rs`: type descriptors;
//! * `error.rs`: `intertype_error_t`.

// A C API is raw pointers crossing a boundary the compiler cannot see; the
// workspace denies `unsafe` everywhere else. Each `unsafe` block here
// dereferences a pointer whose validity the header's contract puts on the
// caller (non-null, live, of the documented type).
#![allow(unsafe_code)]
// C naming: `intertype_engine_t`, `INTERTYPE_STRING`.
#![allow(non_camel_case_types)]
// The entry points are `unsafe` to call by nature; their contracts are in
// the header's comments, where C users read them.
#![allow(clippy::missing_safety_doc)]

mod engine;
mod error;
mod host;
mod types;
mod value;

pub use engine::*;
pub use error::*;
pub use host::*;
pub use types::*;
pub use value::*;

use std::panic::{catch_unwind, AssertUnwindSafe};

/// Runs an entry point that reports failure with an error object.
fn entry(f: impl FnOnce() -> Result<(), Box<intertype_error_t>>) -> *mut intertype_error_t {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(())) => std::ptr::null_mut(),
        Ok(Err(e)) => Box::into_raw(e),
        Err(panic) => Box::into_raw(intertype_error_t::panic(panic)),
    }
}

/// Runs an entry point that cannot report errors; `fallback` on a panic.
fn guard<T>(fallback: T, f: impl FnOnce() -> T) -> T {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or(fallback)
}

/// A UTF-8 string from C (`ptr`, `len`); `ptr` may be null when `len` is 0.
unsafe fn str_arg<'a>(
    ptr: *const u8,
    len: usize,
    what: &str,
) -> Result<&'a str, Box<intertype_error_t>> {
    let bytes = bytes_arg(ptr, len);
    std::str::from_utf8(bytes)
        .map_err(|e| intertype_error_t::usage(format!("{what} is not valid UTF-8: {e}")))
}

unsafe fn bytes_arg<'a>(ptr: *const u8, len: usize) -> &'a [u8] {
    if len == 0 || ptr.is_null() {
        &[]
    } else {
        // SAFETY: the caller promises `len` readable bytes at `ptr`.
        unsafe { std::slice::from_raw_parts(ptr, len) }
    }
}

/// Writes `len` through an optional out-pointer.
unsafe fn set_len(out: *mut usize, len: usize) {
    if !out.is_null() {
        // SAFETY: a non-null out-pointer is writable by contract.
        unsafe { *out = len };
    }
}

/// Frees a string this library returned (`intertype_functype_to_string`, …).
#[no_mangle]
pub unsafe extern "C" fn intertype_string_delete(s: *mut std::ffi::c_char) {
    guard((), || {
        if !s.is_null() {
            // SAFETY: `s` came from `CString::into_raw` in this library.
            drop(unsafe { std::ffi::CString::from_raw(s) });
        }
    })
}
