//! Reading and writing the `wasm-interface-types` section payload
//! (`docs/format.md` §1).
//!
//! A booklet in the reference subset is written as version `0.1.0` with
//! exactly the bytes `wit-writer` 0.2 produces; anything else is written as
//! `intertype/1`. The reader accepts both and is strict: every malformation is
//! an [`Error`] at the absolute byte offset of the offending byte, and no
//! input makes it panic or allocate more than the input's size.

//!
//! `reader.rs` decodes, `writer.rs` encodes; the byte codes both use are
//! `intertype-format`'s (re-exported here as [`subsection`], [`form`] and
//! [`valtype_code`]).

mod reader;
#[cfg(test)]
mod tests;
mod writer;

use crate::{Booklet, Error, Result};
use reader::Reader;
use writer::encode_payload;

/// Subsection ids (from `intertype-format`, the one table of codes).
pub mod subsection {
    pub use intertype_format::subsection::*;

    /// A readable name of subsection `id`, for error messages.
    pub fn name(id: u8) -> &'static str {
        match id {
            TYPES => "types",
            IMPORTS => "imports",
            FUNCS => "funcs",
            EXPORTS => "exports",
            IMPLEMENTS => "implements",
            TYPE_NAMES => "type names",
            CORE_NAMES => "core names",
            DOCS => "docs",
            PARAM_NAMES => "param names",
            _ => "unknown",
        }
    }
}

/// Form bytes of extension type definitions.
pub use intertype_format::form;

/// Value type codes (the fourteen reference ones are the positions in
/// [`crate::ValType::REFERENCE`]).
pub use intertype_format::valtype_code;

/// Appends `v` as unsigned LEB128 at its minimal length (the wasm binary
/// format's integer encoding; `intertype-format`'s encoder), for every crate
/// that splices sizes and indices into wasm bytes.
pub fn write_u32_leb128(sink: &mut Vec<u8>, v: u32) {
    let (bytes, len) = intertype_format::leb128::u32(v);
    sink.extend_from_slice(&bytes[..len]);
}

/// A core function a fragment names instead of indexing it (subsection 6).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum CoreName {
    /// `0x00 name:str`: the core function exported as `name`.
    Export(String),
    /// `0x01 module:str name:str`: the core function imported as
    /// `module` `name`.
    Import { module: String, name: String },
}

/// One fragment of a payload: a complete booklet whose indices are its own,
/// and, when it has a core-names subsection, the names its core function
/// indices stand for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fragment {
    pub booklet: Booklet,
    pub core_names: Option<Vec<CoreName>>,
    /// Absolute offset of the fragment's version string.
    pub offset: usize,
}

/// Decodes every fragment of a section payload found at byte `offset` of the
/// module (`docs/format.md` §1, *Fragments*). A payload written by one tool is
/// one fragment; a payload the linker concatenated from many objects is
/// several, each starting with its version string.
pub fn decode_fragments(payload: &[u8], offset: usize) -> Result<Vec<Fragment>> {
    let mut r = Reader::new(payload, offset);
    let mut fragments = Vec::new();
    loop {
        fragments.push(r.fragment(!fragments.is_empty())?);
        if r.at_end() {
            return Ok(fragments);
        }
    }
}

/// Encodes one fragment: `booklet` with its core function indices standing
/// for `core_names` (always version `intertype/1`).
pub fn encode_fragment(booklet: &Booklet, core_names: &[CoreName]) -> Vec<u8> {
    let mut sink = Vec::new();
    encode_payload(booklet, Some(core_names), &mut sink);
    sink
}

impl Booklet {
    /// Decodes a section payload of one fragment found at byte `offset` of
    /// the module.
    ///
    /// Errors carry the absolute offset (`offset` plus the position in
    /// `payload`) of the byte that is wrong. A payload of several fragments,
    /// or one that names core functions (subsection 6), needs the core module
    /// to become one booklet: use [`crate::link::merge_fragments`] (which
    /// [`crate::Module::from_binary`] does).
    pub fn decode(payload: &[u8], offset: usize) -> Result<Booklet> {
        let mut fragments = decode_fragments(payload, offset)?;
        if let Some(second) = fragments.get(1) {
            return Err(Error::binary(
                second.offset,
                format!(
                    "the payload holds {} fragments; merging them needs the core module \
                     (intertype::link::merge_fragments)",
                    fragments.len()
                ),
            ));
        }
        let fragment = fragments.remove(0);
        if fragment.core_names.is_some() {
            return Err(Error::binary(
                fragment.offset,
                "the fragment names core functions (core names subsection); resolving them \
                 needs the core module (intertype::link::merge_fragments)",
            ));
        }
        Ok(fragment.booklet)
    }

    /// Encodes the section payload: version `0.1.0` and the reference bytes when
    /// [`Booklet::is_reference_subset`], else the extension version.
    pub fn encode(&self) -> Vec<u8> {
        let mut sink = Vec::new();
        encode_payload(self, None, &mut sink);
        sink
    }
}
