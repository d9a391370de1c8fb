//! JS snippets that several emitters write (the unfused adapters in
//! [`crate::adapter`], the canonical layout in [`crate::canon`], fused links
//! in [`crate::fuse`] and their transfers in [`crate::xfer`]): one spelling
//! each, so the emitters cannot drift apart. The names they use (`DV_m`,
//! `MEM_m`, `checkAlloc{m}`, `checkRange{m}`, `startBudget`, `LEN`) are
//! the runtime helpers of [`crate::helpers`]; callers declare the
//! helpers they need.

use std::fmt::Display;

/// `base + k` as a JS expression (`base` alone for 0).
pub(crate) fn off(base: &str, k: u32) -> String {
    if k == 0 {
        base.to_string()
    } else {
        format!("{base} + {k}")
    }
}

/// Starts the size budget of one lifted value at the size of memory `m`
/// (a statement).
pub(crate) fn start_budget(m: u32) -> String {
    format!("startBudget(MEM_{m}.buffer.byteLength);")
}

/// A new allocation of `size` bytes aligned to `align` in memory `m` from
/// the allocator `malloc` (a core export name), checked to be in bounds and
/// aligned (an expression; `size` may be an expression too).
pub(crate) fn alloc(m: u32, malloc: &str, size: impl Display, align: u32) -> String {
    format!("checkAlloc{m}({malloc}({size}, {align}) >>> 0, {size}, {align})")
}

/// `const p = addr >>> 0;` and the check that a value of `size` bytes
/// aligned to `align` at `p` is in memory `m` (statements).
pub(crate) fn checked_addr(p: &str, addr: &str, m: u32, size: u32, align: u32) -> String {
    format!("const {p} = {addr} >>> 0;\ncheckRange{m}({p}, {size}, {align});")
}

/// The `(ptr, len)` pair of a string or list stored at `p` in memory `m`
/// (two expressions).
pub(crate) fn ptr_len_at(m: u32, p: &str) -> (String, String) {
    (
        format!("DV_{m}.getUint32({p}, true)"),
        format!("DV_{m}.getUint32({}, true)", off(p, 4)),
    )
}

/// Stores `ptr` and `len` as the `(ptr, len)` pair at `q` in memory `m`
/// (statements).
pub(crate) fn set_ptr_len(m: u32, q: &str, ptr: &str, len: &str) -> String {
    format!(
        "DV_{m}.setUint32({q}, {ptr}, true); DV_{m}.setUint32({}, {len}, true);",
        off(q, 4)
    )
}

/// The `DataView` getter and setter of a discriminant of a type with
/// `cases` cases.
pub(crate) fn disc_accessors(cases: usize) -> (&'static str, &'static str) {
    match intertype::layout::discriminant_size(cases) {
        1 => ("getUint8", "setUint8"),
        2 => ("getUint16", "setUint16"),
        _ => ("getUint32", "setUint32"),
    }
}

/// Reads the discriminant of a type with `cases` cases stored at `p` in
/// memory `m` (an expression).
pub(crate) fn disc_read(m: u32, p: &str, cases: usize) -> String {
    match intertype::layout::discriminant_size(cases) {
        1 => format!("U8_{m}[{p}]"),
        2 => format!("DV_{m}.getUint16({p}, true)"),
        _ => format!("DV_{m}.getUint32({p}, true)"),
    }
}
