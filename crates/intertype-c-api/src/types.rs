//! Type descriptors, so a binding can discover signatures at run time.
//! Every descriptor is borrowed from the module or function it came from.

use crate::value::intertype_kind_t;
use crate::{guard, set_len};
use intertype_runtime::{FuncType, Type};
use std::ffi::{c_char, CString};
use std::ptr;

/// An interface type (opaque, borrowed).
#[repr(transparent)]
pub struct intertype_type_t(Type);

/// A function signature (opaque, borrowed).
#[repr(transparent)]
pub struct intertype_functype_t(pub(crate) FuncType);

impl intertype_type_t {
    fn borrow(t: &Type) -> *const intertype_type_t {
        // `repr(transparent)`: same layout as `Type`.
        (t as *const Type).cast()
    }
}

impl intertype_functype_t {
    pub(crate) fn borrow(t: &FuncType) -> *const intertype_functype_t {
        // `repr(transparent)`: same layout as `FuncType`.
        (t as *const FuncType).cast()
    }
}

fn with<T>(ty: *const intertype_type_t, fallback: T, f: impl FnOnce(&Type) -> T) -> T {
    // SAFETY: a live descriptor or null, by contract.
    match unsafe { ty.as_ref() } {
        Some(t) => guard(fallback, || f(&t.0)),
        None => fallback,
    }
}

/// The type's kind (never `INTERTYPE_BYTES`: `list<u8>` is `INTERTYPE_LIST`).
#[no_mangle]
pub unsafe extern "C" fn intertype_type_kind(ty: *const intertype_type_t) -> intertype_kind_t {
    use intertype_kind_t::*;
    with(ty, INTERTYPE_BOOL, |t| match t {
        Type::Bool => INTERTYPE_BOOL,
        Type::S8 => INTERTYPE_S8,
        Type::U8 => INTERTYPE_U8,
        Type::S16 => INTERTYPE_S16,
        Type::U16 => INTERTYPE_U16,
        Type::S32 => INTERTYPE_S32,
        Type::U32 => INTERTYPE_U32,
        Type::S64 => INTERTYPE_S64,
        Type::U64 => INTERTYPE_U64,
        Type::F32 => INTERTYPE_F32,
        Type::F64 => INTERTYPE_F64,
        Type::Char => INTERTYPE_CHAR,
        Type::String => INTERTYPE_STRING,
        Type::I32 => INTERTYPE_I32,
        Type::I64 => INTERTYPE_I64,
        Type::Externref => INTERTYPE_EXTERNREF,
        Type::List(_) => INTERTYPE_LIST,
        Type::Record(_) => INTERTYPE_RECORD,
        Type::Tuple(_) => INTERTYPE_TUPLE,
        Type::Variant(_) => INTERTYPE_VARIANT,
        Type::Enum(_) => INTERTYPE_ENUM,
        Type::Option(_) => INTERTYPE_OPTION,
        Type::Result { .. } => INTERTYPE_RESULT,
        Type::Flags(_) => INTERTYPE_FLAGS,
    })
}

/// How many children/names the type has: record fields, tuple elements,
/// variant cases, enum cases, flags; 1 for list and option; 2 for result
/// (ok, error); 0 otherwise.
#[no_mangle]
pub unsafe extern "C" fn intertype_type_len(ty: *const intertype_type_t) -> usize {
    with(ty, 0, |t| match t {
        Type::Record(fs) => fs.len(),
        Type::Tuple(ts) => ts.len(),
        Type::Variant(cs) => cs.len(),
        Type::Enum(ns) | Type::Flags(ns) => ns.len(),
        Type::List(_) | Type::Option(_) => 1,
        Type::Result { .. } => 2,
        _ => 0,
    })
}

/// Child `index`: the element of a list or option (index 0), the type of
/// record field `index`, tuple element `index`, the payload of variant case
/// `index`, a result's ok (0) or error (1) payload. Null when there is none
/// (a case without payload, `result` without `ok` type) or out of range.
#[no_mangle]
pub unsafe extern "C" fn intertype_type_child(
    ty: *const intertype_type_t,
    index: usize,
) -> *const intertype_type_t {
    with(ty, ptr::null(), |t| {
        let child: Option<&Type> = match (t, index) {
            (Type::List(e) | Type::Option(e), 0) => Some(e),
            (Type::Record(fs), i) => fs.get(i).map(|f| &f.ty),
            (Type::Tuple(ts), i) => ts.get(i),
            (Type::Variant(cs), i) => cs.get(i).and_then(|c| c.ty.as_ref()),
            (Type::Result { ok, .. }, 0) => ok.as_deref(),
            (Type::Result { err, .. }, 1) => err.as_deref(),
            _ => None,
        };
        child.map_or(ptr::null(), intertype_type_t::borrow)
    })
}

/// Name `index`: of a record field, variant case, enum case or flag, as
/// UTF-8 bytes (not NUL-terminated) and their number. These names come from
/// the module: untrusted text. Null out of range or for other kinds.
#[no_mangle]
pub unsafe extern "C" fn intertype_type_name(
    ty: *const intertype_type_t,
    index: usize,
    len: *mut usize,
) -> *const c_char {
    with(ty, ptr::null(), |t| {
        let name = match t {
            Type::Record(fs) => fs.get(index).map(|f| &f.name),
            Type::Variant(cs) => cs.get(index).map(|c| &c.name),
            Type::Enum(ns) | Type::Flags(ns) => ns.get(index),
            _ => None,
        };
        match name {
            Some(n) => {
                // SAFETY: `len` is null or writable.
                unsafe { set_len(len, n.len()) };
                n.as_ptr().cast()
            }
            None => ptr::null(),
        }
    })
}

/// The number of parameters.
#[no_mangle]
pub unsafe extern "C" fn intertype_functype_param_count(ty: *const intertype_functype_t) -> usize {
    // SAFETY: a live descriptor or null.
    guard(0, || unsafe { ty.as_ref() }.map_or(0, |t| t.0.params.len()))
}

/// The number of results.
#[no_mangle]
pub unsafe extern "C" fn intertype_functype_result_count(ty: *const intertype_functype_t) -> usize {
    // SAFETY: a live descriptor or null.
    guard(0, || {
        unsafe { ty.as_ref() }.map_or(0, |t| t.0.results.len())
    })
}

/// Parameter `index` (null out of range); borrowed.
#[no_mangle]
pub unsafe extern "C" fn intertype_functype_param(
    ty: *const intertype_functype_t,
    index: usize,
) -> *const intertype_type_t {
    // SAFETY: a live descriptor or null.
    guard(ptr::null(), || {
        unsafe { ty.as_ref() }
            .and_then(|t| t.0.params.get(index))
            .map_or(ptr::null(), intertype_type_t::borrow)
    })
}

/// Result `index` (null out of range); borrowed.
#[no_mangle]
pub unsafe extern "C" fn intertype_functype_result(
    ty: *const intertype_functype_t,
    index: usize,
) -> *const intertype_type_t {
    // SAFETY: a live descriptor or null.
    guard(ptr::null(), || {
        unsafe { ty.as_ref() }
            .and_then(|t| t.0.results.get(index))
            .map_or(ptr::null(), intertype_type_t::borrow)
    })
}

/// The signature in words (`func(string) -> string`), NUL-terminated; owned:
/// free it with `intertype_string_delete`.
#[no_mangle]
pub unsafe extern "C" fn intertype_functype_to_string(
    ty: *const intertype_functype_t,
) -> *mut c_char {
    // SAFETY: a live descriptor or null.
    let Some(t) = (unsafe { ty.as_ref() }) else {
        return ptr::null_mut();
    };
    guard(ptr::null_mut(), || owned_c_string(t.0.to_string()))
}

/// The type in words (`list<u8>`, `record { x: s32 }`), NUL-terminated;
/// owned: free it with `intertype_string_delete`.
#[no_mangle]
pub unsafe extern "C" fn intertype_type_to_string(ty: *const intertype_type_t) -> *mut c_char {
    with(ty, ptr::null_mut(), |t| owned_c_string(t.to_string()))
}

fn owned_c_string(s: String) -> *mut c_char {
    CString::new(s.replace('\0', "\\0"))
        .unwrap_or_default()
        .into_raw()
}
