//! `intertype_error_t`: what went wrong, as data a binding can branch on.

use crate::guard;
use intertype_runtime::{Error, ErrorKind, Limit, Misbehavior};
use std::any::Any;
use std::ffi::{c_char, CString};
use std::ptr;

/// Whose fault an error is (`docs/runtime.md`, "Error model").
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum intertype_error_kind_t {
    /// The module could not be loaded (invalid core module or booklet).
    INTERTYPE_ERROR_LOAD = 1,
    /// An import is missing or has the wrong type.
    INTERTYPE_ERROR_LINK = 2,
    /// A host value of the wrong type, or one that cannot be lowered.
    INTERTYPE_ERROR_HOST_TYPE = 3,
    /// Core wasm trapped; see `intertype_error_trap_code`.
    INTERTYPE_ERROR_TRAP = 4,
    /// The guest broke the interface contract; see `intertype_error_misbehavior`.
    INTERTYPE_ERROR_GUEST = 5,
    /// A resource limit was hit; see `intertype_error_limit`.
    INTERTYPE_ERROR_LIMIT = 6,
    /// A host function (callback) failed.
    INTERTYPE_ERROR_HOST = 7,
    /// The instance failed earlier and refuses calls.
    INTERTYPE_ERROR_POISONED = 8,
    /// Misuse of the API: no such function, wrong argument count, a null
    /// handle, a string that is not UTF-8.
    INTERTYPE_ERROR_USAGE = 9,
    /// A WASI guest exited; see `intertype_error_exit_code`.
    INTERTYPE_ERROR_EXIT = 10,
    /// A bug in intertype: a panic caught at the C boundary.
    INTERTYPE_ERROR_INTERNAL = 11,
}

/// How a guest broke the contract (`INTERTYPE_ERROR_GUEST`).
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum intertype_misbehavior_t {
    INTERTYPE_MISBEHAVIOR_NONE = 0,
    INTERTYPE_MISBEHAVIOR_OUT_OF_BOUNDS = 1,
    INTERTYPE_MISBEHAVIOR_MISALIGNED = 2,
    INTERTYPE_MISBEHAVIOR_INVALID_ENCODING = 3,
    INTERTYPE_MISBEHAVIOR_BAD_ALLOCATION = 4,
    INTERTYPE_MISBEHAVIOR_LENGTH_OVERFLOW = 5,
    INTERTYPE_MISBEHAVIOR_INVALID_VALUE = 6,
}

/// Which limit was hit (`INTERTYPE_ERROR_LIMIT`).
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum intertype_limit_t {
    INTERTYPE_LIMIT_NONE = 0,
    INTERTYPE_LIMIT_FUEL = 1,
    INTERTYPE_LIMIT_DEADLINE = 2,
    INTERTYPE_LIMIT_MEMORY = 3,
    INTERTYPE_LIMIT_TABLE = 4,
    INTERTYPE_LIMIT_RESOURCES = 5,
    /// One lifted value spans more than `Limits::max_value_bytes`.
    INTERTYPE_LIMIT_VALUE_SIZE = 6,
}

/// The core wasm trap behind an error, when there is one.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum intertype_trap_code_t {
    INTERTYPE_TRAP_NONE = 0,
    INTERTYPE_TRAP_STACK_OVERFLOW = 1,
    INTERTYPE_TRAP_MEMORY_OUT_OF_BOUNDS = 2,
    INTERTYPE_TRAP_HEAP_MISALIGNED = 3,
    INTERTYPE_TRAP_TABLE_OUT_OF_BOUNDS = 4,
    INTERTYPE_TRAP_INDIRECT_CALL_TO_NULL = 5,
    INTERTYPE_TRAP_BAD_SIGNATURE = 6,
    INTERTYPE_TRAP_INTEGER_OVERFLOW = 7,
    INTERTYPE_TRAP_INTEGER_DIVISION_BY_ZERO = 8,
    INTERTYPE_TRAP_BAD_CONVERSION_TO_INTEGER = 9,
    INTERTYPE_TRAP_UNREACHABLE = 10,
    INTERTYPE_TRAP_INTERRUPT = 11,
    INTERTYPE_TRAP_OUT_OF_FUEL = 12,
    INTERTYPE_TRAP_NULL_REFERENCE = 13,
    /// A trap code this version of the header has no name for.
    INTERTYPE_TRAP_OTHER = 255,
}

/// An error. Owned by whoever received it; free it with
/// `intertype_error_delete`.
pub struct intertype_error_t {
    pub(crate) kind: intertype_error_kind_t,
    misbehavior: intertype_misbehavior_t,
    limit: intertype_limit_t,
    trap: intertype_trap_code_t,
    exit_code: i32,
    /// The full message with its context lines, NUL-terminated.
    message: CString,
    backtrace: Option<CString>,
}

fn c_string(s: String) -> CString {
    // Interior NULs cannot be represented; they come only from guest strings
    // quoted in messages.
    CString::new(s.replace('\0', "\\0")).unwrap_or_default()
}

impl intertype_error_t {
    fn new(kind: intertype_error_kind_t, message: String) -> Box<intertype_error_t> {
        Box::new(intertype_error_t {
            kind,
            misbehavior: intertype_misbehavior_t::INTERTYPE_MISBEHAVIOR_NONE,
            limit: intertype_limit_t::INTERTYPE_LIMIT_NONE,
            trap: intertype_trap_code_t::INTERTYPE_TRAP_NONE,
            exit_code: 0,
            message: c_string(message),
            backtrace: None,
        })
    }

    pub(crate) fn usage(message: impl Into<String>) -> Box<intertype_error_t> {
        Self::new(
            intertype_error_kind_t::INTERTYPE_ERROR_USAGE,
            message.into(),
        )
    }

    pub(crate) fn panic(payload: Box<dyn Any + Send>) -> Box<intertype_error_t> {
        let what = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".into());
        Self::new(
            intertype_error_kind_t::INTERTYPE_ERROR_INTERNAL,
            format!("internal error in intertype (please report): {what}"),
        )
    }

    /// The message (first line) this error carries, for turning a callback's
    /// error into a runtime error.
    pub(crate) fn text(&self) -> String {
        self.message.to_string_lossy().into_owned()
    }
}

impl From<Error> for Box<intertype_error_t> {
    fn from(e: Error) -> Self {
        use intertype_error_kind_t::*;
        let kind = match e.kind() {
            ErrorKind::Load => INTERTYPE_ERROR_LOAD,
            ErrorKind::Link => INTERTYPE_ERROR_LINK,
            ErrorKind::HostType => INTERTYPE_ERROR_HOST_TYPE,
            ErrorKind::Trap => INTERTYPE_ERROR_TRAP,
            ErrorKind::Guest(_) => INTERTYPE_ERROR_GUEST,
            ErrorKind::Limit(_) => INTERTYPE_ERROR_LIMIT,
            ErrorKind::Host => INTERTYPE_ERROR_HOST,
            ErrorKind::Poisoned => INTERTYPE_ERROR_POISONED,
            ErrorKind::Usage => INTERTYPE_ERROR_USAGE,
            ErrorKind::Exit(_) => INTERTYPE_ERROR_EXIT,
            _ => INTERTYPE_ERROR_INTERNAL,
        };
        let mut out = intertype_error_t::new(kind, e.to_string());
        if let ErrorKind::Guest(m) = e.kind() {
            use intertype_misbehavior_t::*;
            out.misbehavior = match m {
                Misbehavior::OutOfBounds => INTERTYPE_MISBEHAVIOR_OUT_OF_BOUNDS,
                Misbehavior::Misaligned => INTERTYPE_MISBEHAVIOR_MISALIGNED,
                Misbehavior::InvalidEncoding => INTERTYPE_MISBEHAVIOR_INVALID_ENCODING,
                Misbehavior::BadAllocation => INTERTYPE_MISBEHAVIOR_BAD_ALLOCATION,
                Misbehavior::LengthOverflow => INTERTYPE_MISBEHAVIOR_LENGTH_OVERFLOW,
                Misbehavior::InvalidValue => INTERTYPE_MISBEHAVIOR_INVALID_VALUE,
            };
        }
        if let ErrorKind::Limit(l) = e.kind() {
            use intertype_limit_t::*;
            out.limit = match l {
                Limit::Fuel => INTERTYPE_LIMIT_FUEL,
                Limit::Deadline => INTERTYPE_LIMIT_DEADLINE,
                Limit::Memory => INTERTYPE_LIMIT_MEMORY,
                Limit::Table => INTERTYPE_LIMIT_TABLE,
                Limit::Resources => INTERTYPE_LIMIT_RESOURCES,
                Limit::ValueSize => INTERTYPE_LIMIT_VALUE_SIZE,
            };
        }
        if let ErrorKind::Exit(code) = e.kind() {
            out.exit_code = code;
        }
        if let Some(t) = e.trap_code() {
            use intertype_trap_code_t::*;
            use wasmtime::Trap;
            out.trap = match t {
                Trap::StackOverflow => INTERTYPE_TRAP_STACK_OVERFLOW,
                Trap::MemoryOutOfBounds => INTERTYPE_TRAP_MEMORY_OUT_OF_BOUNDS,
                Trap::HeapMisaligned => INTERTYPE_TRAP_HEAP_MISALIGNED,
                Trap::TableOutOfBounds => INTERTYPE_TRAP_TABLE_OUT_OF_BOUNDS,
                Trap::IndirectCallToNull => INTERTYPE_TRAP_INDIRECT_CALL_TO_NULL,
                Trap::BadSignature => INTERTYPE_TRAP_BAD_SIGNATURE,
                Trap::IntegerOverflow => INTERTYPE_TRAP_INTEGER_OVERFLOW,
                Trap::IntegerDivisionByZero => INTERTYPE_TRAP_INTEGER_DIVISION_BY_ZERO,
                Trap::BadConversionToInteger => INTERTYPE_TRAP_BAD_CONVERSION_TO_INTEGER,
                Trap::UnreachableCodeReached => INTERTYPE_TRAP_UNREACHABLE,
                Trap::Interrupt => INTERTYPE_TRAP_INTERRUPT,
                Trap::OutOfFuel => INTERTYPE_TRAP_OUT_OF_FUEL,
                Trap::NullReference => INTERTYPE_TRAP_NULL_REFERENCE,
                _ => INTERTYPE_TRAP_OTHER,
            };
        }
        out.backtrace = e.backtrace().map(|b| c_string(b.to_string()));
        out
    }
}

/// A new error of kind `INTERTYPE_ERROR_HOST` with `message` (`len` bytes
/// of UTF-8; invalid bytes are replaced). A host callback returns it to fail
/// the call; the engine takes ownership. Never null.
#[no_mangle]
pub unsafe extern "C" fn intertype_error_new(
    message: *const c_char,
    len: usize,
) -> *mut intertype_error_t {
    let make = || {
        // SAFETY: `len` readable bytes at `message` by contract.
        let bytes = unsafe { crate::bytes_arg(message.cast(), len) };
        intertype_error_t::new(
            intertype_error_kind_t::INTERTYPE_ERROR_HOST,
            String::from_utf8_lossy(bytes).into_owned(),
        )
    };
    Box::into_raw(guard(
        intertype_error_t::new(
            intertype_error_kind_t::INTERTYPE_ERROR_INTERNAL,
            "internal error while creating an error".into(),
        ),
        make,
    ))
}

/// Frees an error. Null is ignored.
#[no_mangle]
pub unsafe extern "C" fn intertype_error_delete(error: *mut intertype_error_t) {
    guard((), || {
        if !error.is_null() {
            // SAFETY: `error` came from this library and is freed once.
            drop(unsafe { Box::from_raw(error) });
        }
    })
}

// Written out rather than generated by a macro: cbindgen reads the source
// as written and does not expand macros.

/// The error's kind.
#[no_mangle]
pub unsafe extern "C" fn intertype_error_kind(
    error: *const intertype_error_t,
) -> intertype_error_kind_t {
    // SAFETY: a live error or null, by contract.
    guard(intertype_error_kind_t::INTERTYPE_ERROR_USAGE, || {
        unsafe { error.as_ref() }.map_or(intertype_error_kind_t::INTERTYPE_ERROR_USAGE, |e| e.kind)
    })
}

/// For `INTERTYPE_ERROR_GUEST`: how; otherwise `INTERTYPE_MISBEHAVIOR_NONE`.
#[no_mangle]
pub unsafe extern "C" fn intertype_error_misbehavior(
    error: *const intertype_error_t,
) -> intertype_misbehavior_t {
    // SAFETY: a live error or null, by contract.
    unsafe { error.as_ref() }.map_or(intertype_misbehavior_t::INTERTYPE_MISBEHAVIOR_NONE, |e| {
        e.misbehavior
    })
}

/// For `INTERTYPE_ERROR_LIMIT`: which; otherwise `INTERTYPE_LIMIT_NONE`.
#[no_mangle]
pub unsafe extern "C" fn intertype_error_limit(
    error: *const intertype_error_t,
) -> intertype_limit_t {
    // SAFETY: a live error or null, by contract.
    guard(intertype_limit_t::INTERTYPE_LIMIT_NONE, || {
        unsafe { error.as_ref() }.map_or(intertype_limit_t::INTERTYPE_LIMIT_NONE, |e| e.limit)
    })
}

/// The core trap behind the error, or `INTERTYPE_TRAP_NONE`.
#[no_mangle]
pub unsafe extern "C" fn intertype_error_trap_code(
    error: *const intertype_error_t,
) -> intertype_trap_code_t {
    // SAFETY: a live error or null, by contract.
    guard(intertype_trap_code_t::INTERTYPE_TRAP_NONE, || {
        unsafe { error.as_ref() }.map_or(intertype_trap_code_t::INTERTYPE_TRAP_NONE, |e| e.trap)
    })
}

/// For `INTERTYPE_ERROR_EXIT`: the guest's exit status; otherwise 0.
#[no_mangle]
pub unsafe extern "C" fn intertype_error_exit_code(error: *const intertype_error_t) -> i32 {
    // SAFETY: a live error or null, by contract.
    guard(0, || unsafe { error.as_ref() }.map_or(0, |e| e.exit_code))
}

/// The message: a NUL-terminated UTF-8 string, first line "<what>: <why>",
/// then one indented line per context ("in adapter `f` …"). Borrowed from
/// the error; valid until it is deleted.
#[no_mangle]
pub unsafe extern "C" fn intertype_error_message(error: *const intertype_error_t) -> *const c_char {
    // SAFETY: a live error or null, by contract.
    guard(ptr::null(), || match unsafe { error.as_ref() } {
        Some(e) => e.message.as_ptr(),
        None => c"(null error)".as_ptr(),
    })
}

/// The wasm backtrace at a trap, NUL-terminated, or null when there is none.
/// Borrowed from the error.
#[no_mangle]
pub unsafe extern "C" fn intertype_error_backtrace(
    error: *const intertype_error_t,
) -> *const c_char {
    // SAFETY: a live error or null, by contract.
    guard(ptr::null(), || {
        match unsafe { error.as_ref() }.and_then(|e| e.backtrace.as_ref()) {
            Some(b) => b.as_ptr(),
            None => ptr::null(),
        }
    })
}
