//! *Plain memory forms*: typed values whose canonical-ABI memory bytes need
//! no validation (every integer and float except `bool` and `char`, and
//! records and tuples of such, nested), moved between Rust values and guest
//! memory without a [`Value`] in between.
//!
//! A [`crate::Lower`]/[`crate::Lift`] type with a plain form says so with
//! its `PLAIN` layout (size and alignment, computed at compile time from
//! the canonical rules by [`Plain::record`]) and writes/reads its bytes
//! with `store_le`/`load_le`. The executor sees these through the two
//! object-safe traits here: a borrowed argument ([`PlainWrite`],
//! [`PlainItems`]) and a typed call's result ([`ResultSink`]). Every check
//! stays the executor's (`exec/`, `canon.rs`): bounds, alignment, the
//! allocator's result, the value budget; a plain form only replaces the
//! per-field `Value` work once the bytes are known to be in range.

use crate::value::Value;
use intertype::layout::align_to;

/// Size and alignment of a plain memory form (the canonical layout).
#[doc(hidden)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Plain {
    pub size: u32,
    pub align: u32,
}

impl Plain {
    /// A scalar of `n` bytes (size and alignment `n`).
    pub const fn scalar(n: u32) -> Option<Plain> {
        Some(Plain { size: n, align: n })
    }

    /// The record or tuple of these fields, if every field is plain: fields
    /// at their aligned offsets, the size rounded up to the largest
    /// alignment (`docs/format.md` §3).
    pub const fn record(fields: &[Option<Plain>]) -> Option<Plain> {
        if fields.is_empty() {
            return None;
        }
        let mut offset = 0u32;
        let mut align = 1u32;
        let mut i = 0;
        while i < fields.len() {
            let Some(f) = fields[i] else { return None };
            offset = match align_to(offset, f.align) {
                Some(o) => o,
                None => return None,
            };
            offset = match offset.checked_add(f.size) {
                Some(o) => o,
                None => return None,
            };
            if f.align > align {
                align = f.align;
            }
            i += 1;
        }
        match align_to(offset, align) {
            Some(size) => Some(Plain { size, align }),
            None => None,
        }
    }

    /// The offset of field `i` of [`Plain::record`]`(fields)` (0 when the
    /// record is not plain: never used then).
    pub const fn offset(fields: &[Option<Plain>], i: usize) -> usize {
        let mut offset = 0u32;
        let mut k = 0;
        while k < fields.len() {
            let Some(f) = fields[k] else { return 0 };
            offset = match align_to(offset, f.align) {
                Some(o) => o,
                None => return 0,
            };
            if k == i {
                return offset as usize;
            }
            offset = offset.saturating_add(f.size);
            k += 1;
        }
        0
    }
}

/// A borrowed argument with a plain form (one value).
#[doc(hidden)]
pub trait PlainWrite {
    /// Its layout (`Some` for every value handed out as a plain argument).
    fn plain(&self) -> Option<Plain>;
    /// Writes its [`PlainWrite::plain`]`.size` bytes at the start of `out`.
    fn write_le(&self, out: &mut [u8]);
    /// The value, for adapters that take it apart another way.
    fn value(&self) -> Value;
}

/// A borrowed list argument whose elements have a plain form.
#[doc(hidden)]
pub trait PlainItems {
    /// The elements' layout.
    fn elem(&self) -> Option<Plain>;
    fn len(&self) -> usize;
    /// Writes every element, `elem().size` bytes apart, into `out`, which is
    /// `len() * elem().size` bytes.
    fn write_le(&self, out: &mut [u8]);
    /// The list, for adapters that take it apart another way.
    fn value(&self) -> Value;
}

/// The form in which a typed call's result can take its one value straight
/// from guest memory.
#[doc(hidden)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SinkForm {
    /// No such form: the result comes as a [`Value`].
    None,
    /// One plain value: its bytes.
    Value(Plain),
    /// A list of plain elements: the elements' bytes.
    List(Plain),
}

/// Where the outermost adapter of a typed call puts a result it can hand
/// over as bytes (`exec/plain.rs`, *result sinks*).
#[doc(hidden)]
pub trait ResultSink {
    fn form(&self) -> SinkForm;
    /// Decodes the checked bytes of the result (the value's
    /// `size`, or `len * size` of a list's elements); `false` if they have
    /// another size (an internal error).
    fn put(&self, bytes: &[u8]) -> bool;
}
