//! Reading and writing the `wasm-interface-types` section payload
//! (`docs/format.md` §1).
//!
//! A booklet in the reference subset is written as version `0.1.0` with
//! exactly the bytes `wit-writer` 0.2 produces; anything else is written as
//! `intertype/1`. The reader accepts both and is strict: every malformation is
//! an [`Error`] at the absolute byte offset of the offending byte, and no
//! input makes it panic or allocate more than the input's size.

use crate::instr::opcode;
use crate::{
    Booklet, Case, Conversion, Error, Export, Field, Func, FuncType, Implement, Import,
    Instruction, MemArg, Result, StringEncoding, TypeDef, ValType, EXTENSION_VERSION,
    REFERENCE_VERSION,
};
use std::collections::BTreeMap;

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
/// [`ValType::REFERENCE`]).
pub use intertype_format::valtype_code;

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

fn encode_payload(booklet: &Booklet, core_names: Option<&[CoreName]>, sink: &mut Vec<u8>) {
    if core_names.is_none() && booklet.is_reference_subset() {
        // The reference has no form byte: every type is a function type.
        let types: Vec<&FuncType> = booklet
            .types
            .iter()
            .filter_map(|t| match t {
                TypeDef::Func(f) => Some(f),
                _ => None,
            })
            .collect();
        REFERENCE_VERSION.encode(sink);
        encode_subsection(sink, subsection::TYPES, &types);
    } else {
        EXTENSION_VERSION.encode(sink);
        encode_subsection(sink, subsection::TYPES, &booklet.types);
    }
    encode_subsection(sink, subsection::IMPORTS, &booklet.imports);
    encode_subsection(sink, subsection::FUNCS, &booklet.funcs);
    encode_subsection(sink, subsection::EXPORTS, &booklet.exports);
    encode_subsection(sink, subsection::IMPLEMENTS, &booklet.implements);
    // Empty in the reference subset, so never written in a `0.1.0` payload.
    let names: Vec<(u32, &str)> = booklet
        .type_names
        .iter()
        .map(|(i, n)| (*i, n.as_str()))
        .collect();
    encode_subsection(sink, subsection::TYPE_NAMES, &names);
    if let Some(core_names) = core_names {
        // Written even when empty: its presence says "indices are names".
        sink.push(subsection::CORE_NAMES);
        let mut contents = Vec::new();
        core_names.encode(&mut contents);
        contents.encode(sink);
    }
    let docs: Vec<(u32, &str)> = booklet.docs.iter().map(|(i, n)| (*i, n.as_str())).collect();
    encode_subsection(sink, subsection::DOCS, &docs);
    let params: Vec<(u32, &[String])> = booklet
        .param_names
        .iter()
        .map(|(i, n)| (*i, n.as_slice()))
        .collect();
    encode_subsection(sink, subsection::PARAM_NAMES, &params);
}

// ---------------------------------------------------------------------------
// Encoding

/// Something with a binary encoding, in the style of `wasm-encoder`.
trait Encode {
    fn encode(&self, sink: &mut Vec<u8>);
}

impl<T: Encode + ?Sized> Encode for &T {
    fn encode(&self, sink: &mut Vec<u8>) {
        T::encode(self, sink)
    }
}

impl Encode for u8 {
    fn encode(&self, sink: &mut Vec<u8>) {
        sink.push(*self);
    }
}

/// Unsigned LEB128, minimal length (as the `leb128` crate writes it).
impl Encode for u32 {
    fn encode(&self, sink: &mut Vec<u8>) {
        let mut v = *self;
        loop {
            let byte = (v & 0x7f) as u8;
            v >>= 7;
            if v == 0 {
                sink.push(byte);
                return;
            }
            sink.push(byte | 0x80);
        }
    }
}

impl Encode for usize {
    fn encode(&self, sink: &mut Vec<u8>) {
        // Sizes and counts above u32::MAX cannot be represented at all; such a
        // booklet (4 GiB of items) is a caller bug, not an input condition.
        u32::try_from(*self)
            .expect("interface-types section item count or size exceeds u32::MAX")
            .encode(sink)
    }
}

/// `vec(X)`; for `[u8]` that is also a length-prefixed byte string.
impl<T: Encode> Encode for [T] {
    fn encode(&self, sink: &mut Vec<u8>) {
        self.len().encode(sink);
        for item in self {
            item.encode(sink);
        }
    }
}

impl Encode for str {
    fn encode(&self, sink: &mut Vec<u8>) {
        self.as_bytes().encode(sink);
    }
}

impl<A: Encode, B: Encode> Encode for (A, B) {
    fn encode(&self, sink: &mut Vec<u8>) {
        self.0.encode(sink);
        self.1.encode(sink);
    }
}

impl Encode for ValType {
    fn encode(&self, sink: &mut Vec<u8>) {
        match self {
            ValType::Bool => sink.push(valtype_code::BOOL),
            ValType::Char => sink.push(valtype_code::CHAR),
            ValType::Type(idx) => {
                sink.push(valtype_code::TYPE);
                idx.encode(sink);
            }
            reference => {
                let code = ValType::REFERENCE
                    .iter()
                    .position(|t| t == reference)
                    .expect("every other value type is a reference type");
                sink.push(code as u8);
            }
        }
    }
}

/// A case type: `0x00` (no payload) or `0x01 valtype`.
impl Encode for Option<ValType> {
    fn encode(&self, sink: &mut Vec<u8>) {
        match self {
            None => sink.push(0x00),
            Some(t) => {
                sink.push(0x01);
                t.encode(sink);
            }
        }
    }
}

/// A reference-format type (no form byte).
impl Encode for FuncType {
    fn encode(&self, sink: &mut Vec<u8>) {
        self.params.encode(sink);
        self.results.encode(sink);
    }
}

impl Encode for Field {
    fn encode(&self, sink: &mut Vec<u8>) {
        self.name.encode(sink);
        self.ty.encode(sink);
    }
}

impl Encode for Case {
    fn encode(&self, sink: &mut Vec<u8>) {
        self.name.encode(sink);
        self.ty.encode(sink);
    }
}

impl Encode for String {
    fn encode(&self, sink: &mut Vec<u8>) {
        self.as_str().encode(sink);
    }
}

/// An extension-format type: form byte, then the body.
impl Encode for TypeDef {
    fn encode(&self, sink: &mut Vec<u8>) {
        match self {
            TypeDef::Func(f) => {
                sink.push(form::FUNC);
                f.encode(sink);
            }
            TypeDef::Record(fields) => {
                sink.push(form::RECORD);
                fields.encode(sink);
            }
            TypeDef::Variant(cases) => {
                sink.push(form::VARIANT);
                cases.encode(sink);
            }
            TypeDef::Enum(names) => {
                sink.push(form::ENUM);
                names.encode(sink);
            }
            TypeDef::Flags(names) => {
                sink.push(form::FLAGS);
                names.encode(sink);
            }
            TypeDef::List(t) => {
                sink.push(form::LIST);
                t.encode(sink);
            }
            TypeDef::Option(t) => {
                sink.push(form::OPTION);
                t.encode(sink);
            }
            TypeDef::Result { ok, err } => {
                sink.push(form::RESULT);
                ok.encode(sink);
                err.encode(sink);
            }
            TypeDef::Tuple(ts) => {
                sink.push(form::TUPLE);
                ts.encode(sink);
            }
        }
    }
}

impl Encode for StringEncoding {
    fn encode(&self, sink: &mut Vec<u8>) {
        sink.push(self.code());
    }
}

/// `enc:u8 mem:u32`, the tail of every extension memory instruction.
impl Encode for MemArg {
    fn encode(&self, sink: &mut Vec<u8>) {
        self.encoding.encode(sink);
        self.mem.encode(sink);
    }
}

impl Encode for Instruction {
    fn encode(&self, sink: &mut Vec<u8>) {
        match self {
            Instruction::ArgGet(i) => (opcode::ARG_GET, i).encode(sink),
            Instruction::CallCore(f) => (opcode::CALL_CORE, f).encode(sink),
            // UTF-8 always uses the reference opcodes, so a booklet has exactly
            // one encoding.
            Instruction::MemoryToString {
                mem,
                encoding: StringEncoding::Utf8,
            } => (opcode::MEMORY_TO_STRING, mem).encode(sink),
            Instruction::MemoryToString { mem, encoding } => {
                (opcode::MEMORY_TO_STRING_ENC, (encoding, mem)).encode(sink)
            }
            Instruction::StringToMemory {
                malloc,
                mem,
                encoding: StringEncoding::Utf8,
            } => (opcode::STRING_TO_MEMORY, (malloc, mem)).encode(sink),
            Instruction::StringToMemory {
                malloc,
                mem,
                encoding,
            } => (opcode::STRING_TO_MEMORY_ENC, (malloc, (encoding, mem))).encode(sink),
            Instruction::CallAdapter(f) => (opcode::CALL_ADAPTER, f).encode(sink),
            Instruction::DeferCallCore(f) => (opcode::DEFER_CALL_CORE, f).encode(sink),
            Instruction::Convert(c) => sink.push(c.opcode()),
            Instruction::RecordLift(t) => (opcode::RECORD_LIFT, t).encode(sink),
            Instruction::RecordLower(t) => (opcode::RECORD_LOWER, t).encode(sink),
            Instruction::ValueLift { ty, mem } => (opcode::VALUE_LIFT, (ty, mem)).encode(sink),
            Instruction::ValueLower { ty, malloc, mem } => {
                (opcode::VALUE_LOWER, (ty, (malloc, mem))).encode(sink)
            }
            Instruction::ValueLoad { ty, mem } => (opcode::VALUE_LOAD, (ty, mem)).encode(sink),
            Instruction::ValueStore { ty, malloc, mem } => {
                (opcode::VALUE_STORE, (ty, (malloc, mem))).encode(sink)
            }
            Instruction::ValueStoreNew { ty, malloc, mem } => {
                (opcode::VALUE_STORE_NEW, (ty, (malloc, mem))).encode(sink)
            }
        }
    }
}

impl Encode for Import {
    fn encode(&self, sink: &mut Vec<u8>) {
        self.module.encode(sink);
        self.name.encode(sink);
        self.ty.encode(sink);
    }
}

/// `size:u32 type:u32 instr* end`: the size covers everything after it.
impl Encode for Func {
    fn encode(&self, sink: &mut Vec<u8>) {
        let mut body = Vec::new();
        self.ty.encode(&mut body);
        for instr in &self.instrs {
            instr.encode(&mut body);
        }
        body.push(opcode::END);
        body.encode(sink);
    }
}

/// The function index comes first, as `wit-writer` writes it.
impl Encode for Export {
    fn encode(&self, sink: &mut Vec<u8>) {
        self.func.encode(sink);
        self.name.encode(sink);
    }
}

impl Encode for CoreName {
    fn encode(&self, sink: &mut Vec<u8>) {
        match self {
            CoreName::Export(name) => (0u8, name).encode(sink),
            CoreName::Import { module, name } => (1u8, (module, name)).encode(sink),
        }
    }
}

impl Encode for Implement {
    fn encode(&self, sink: &mut Vec<u8>) {
        self.core_func.encode(sink);
        self.adapter_func.encode(sink);
    }
}

/// `id:u8 size:u32 vec(item)`; an empty subsection is omitted, as
/// `wit-writer` does.
fn encode_subsection<T: Encode>(sink: &mut Vec<u8>, id: u8, items: &[T]) {
    if items.is_empty() {
        return;
    }
    let mut contents = Vec::new();
    items.encode(&mut contents);
    sink.push(id);
    contents.encode(sink);
}

// ---------------------------------------------------------------------------
// Decoding

/// A cursor over the payload. Positions are always relative to the start of
/// the whole payload (also in nested readers), so `base + pos` is the
/// absolute offset in the module.
struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
    /// Where the current region (payload, subsection, function body) ends.
    end: usize,
    base: usize,
    /// Whether the version is `intertype/1`.
    ext: bool,
    /// What the current region is, for "unexpected end" messages.
    region: &'static str,
}

impl<'a> Reader<'a> {
    fn new(bytes: &'a [u8], base: usize) -> Reader<'a> {
        Reader {
            bytes,
            pos: 0,
            end: bytes.len(),
            base,
            ext: false,
            region: "section payload",
        }
    }

    #[cold]
    fn err(&self, at: usize, msg: impl Into<String>) -> Error {
        Error::binary(self.base + at, msg)
    }

    #[cold]
    fn extension_err(&self, at: usize, what: &str) -> Error {
        self.err(
            at,
            format!(
                "{what} is an intertype extension in a reference-version \
                 (`{REFERENCE_VERSION}`) section; extensions need version `{EXTENSION_VERSION}`"
            ),
        )
    }

    fn at_end(&self) -> bool {
        self.pos >= self.end
    }

    fn remaining(&self) -> usize {
        self.end - self.pos
    }

    fn u8(&mut self) -> Result<u8> {
        if self.at_end() {
            return Err(self.err(self.pos, format!("unexpected end of the {}", self.region)));
        }
        let b = self.bytes[self.pos];
        self.pos += 1;
        Ok(b)
    }

    fn peek(&self) -> Option<u8> {
        if self.at_end() {
            None
        } else {
            Some(self.bytes[self.pos])
        }
    }

    /// Unsigned LEB128 of at most 5 bytes whose value fits in 32 bits.
    fn u32(&mut self) -> Result<u32> {
        let mut result = 0u32;
        for i in 0..5 {
            let at = self.pos;
            let byte = self.u8()?;
            if i == 4 && byte & 0x80 != 0 {
                return Err(self.err(at, "u32 LEB128 representation too long (more than 5 bytes)"));
            }
            if i == 4 && byte & 0x70 != 0 {
                return Err(self.err(at, "u32 LEB128 value too large (does not fit in 32 bits)"));
            }
            result |= u32::from(byte & 0x7f) << (7 * i);
            if byte & 0x80 == 0 {
                break;
            }
        }
        Ok(result)
    }

    fn bytes(&mut self, len: u32) -> Result<&'a [u8]> {
        let at = self.pos;
        let len = len as usize;
        if len > self.remaining() {
            return Err(self.err(
                at,
                format!(
                    "unexpected end of the {}: {len} bytes needed, {} left",
                    self.region,
                    self.remaining()
                ),
            ));
        }
        self.pos += len;
        Ok(&self.bytes[at..self.pos])
    }

    fn str(&mut self) -> Result<&'a str> {
        let len = self.u32()?;
        let start = self.pos;
        let bytes = self.bytes(len)?;
        std::str::from_utf8(bytes).map_err(|e| {
            self.err(
                start + e.valid_up_to(),
                "invalid UTF-8 in a string (names must be UTF-8)",
            )
        })
    }

    fn string(&mut self) -> Result<String> {
        self.str().map(str::to_owned)
    }

    /// `size:u32` then a nested reader over the next `size` bytes, which this
    /// reader skips.
    fn sub(&mut self, region: &'static str) -> Result<Reader<'a>> {
        let size_at = self.pos;
        let size = self.u32()? as usize;
        if size > self.remaining() {
            return Err(self.err(
                size_at,
                format!(
                    "{region} size {size} exceeds the {} bytes left in the {}",
                    self.remaining(),
                    self.region
                ),
            ));
        }
        let sub = Reader {
            bytes: self.bytes,
            pos: self.pos,
            end: self.pos + size,
            base: self.base,
            ext: self.ext,
            region,
        };
        self.pos += size;
        Ok(sub)
    }

    /// `version:str subsection*` up to the end of the payload or the start of
    /// the next fragment. `later` is true for every fragment but the first.
    fn fragment(&mut self, later: bool) -> Result<Fragment> {
        let offset = self.base + self.pos;
        let version = self.str()?;
        self.ext = match version {
            REFERENCE_VERSION if !later => false,
            EXTENSION_VERSION => true,
            REFERENCE_VERSION => {
                return Err(Error::binary(
                    offset,
                    format!(
                        "a `{REFERENCE_VERSION}` fragment after the first one; only \
                         `{EXTENSION_VERSION}` payloads may hold several fragments"
                    ),
                ))
            }
            other => {
                return Err(Error::binary(
                    offset,
                    format!(
                        "unknown interface-types version `{other}`: expected \
                         `{REFERENCE_VERSION}` or `{EXTENSION_VERSION}`"
                    ),
                ))
            }
        };

        let mut booklet = Booklet::default();
        let mut core_names = None;
        let mut last: Option<u8> = None;
        while !self.at_end() {
            let id_at = self.pos;
            if self.ext && self.peek() == Some(subsection::NEXT_FRAGMENT) {
                break;
            }
            let id = self.u8()?;
            if id > subsection::PARAM_NAMES {
                return Err(self.err(id_at, format!("unknown subsection id {id}")));
            }
            if id >= subsection::TYPE_NAMES && !self.ext {
                return Err(self.extension_err(
                    id_at,
                    &format!("subsection {id} ({})", subsection::name(id)),
                ));
            }
            if let Some(prev) = last {
                if id == prev {
                    return Err(self.err(
                        id_at,
                        format!("duplicate {} subsection (id {id})", subsection::name(id)),
                    ));
                }
                if id < prev {
                    return Err(self.err(
                        id_at,
                        format!(
                            "{} subsection (id {id}) out of order: it must come before the {} \
                             subsection (id {prev})",
                            subsection::name(id),
                            subsection::name(prev)
                        ),
                    ));
                }
            }
            last = Some(id);

            let mut s = self.sub(subsection::name(id))?;
            match id {
                subsection::TYPES => booklet.types = s.vec(Reader::typedef)?,
                subsection::IMPORTS => booklet.imports = s.vec(Reader::import)?,
                subsection::FUNCS => booklet.funcs = s.vec(Reader::func)?,
                subsection::EXPORTS => booklet.exports = s.vec(Reader::export)?,
                subsection::IMPLEMENTS => booklet.implements = s.vec(Reader::implement)?,
                subsection::TYPE_NAMES => {
                    let bound = booklet.types.len();
                    booklet.type_names = s.index_names("type", bound)?;
                }
                subsection::CORE_NAMES => core_names = Some(s.vec(Reader::core_name)?),
                subsection::DOCS => {
                    let bound = booklet.adapter_func_count() as usize;
                    booklet.docs = s.index_names("adapter function", bound)?;
                }
                _ => booklet.param_names = s.param_names(&booklet)?,
            }
            s.finish()?;
        }
        Ok(Fragment {
            booklet,
            core_names,
            offset,
        })
    }

    /// `0x00 name:str | 0x01 module:str name:str`.
    fn core_name(&mut self) -> Result<CoreName> {
        let at = self.pos;
        match self.u8()? {
            0x00 => Ok(CoreName::Export(self.string()?)),
            0x01 => Ok(CoreName::Import {
                module: self.string()?,
                name: self.string()?,
            }),
            b => Err(self.err(
                at,
                format!(
                    "invalid core name kind 0x{b:02x}: expected 0x00 (export) or 0x01 (import)"
                ),
            )),
        }
    }

    /// Every byte of the region must have been read.
    fn finish(&self) -> Result<()> {
        if self.at_end() {
            Ok(())
        } else {
            Err(self.err(
                self.pos,
                format!(
                    "{} trailing bytes at the end of the {}",
                    self.remaining(),
                    self.region
                ),
            ))
        }
    }

    /// `count:u32 item*`.
    fn vec<T>(&mut self, mut item: impl FnMut(&mut Self) -> Result<T>) -> Result<Vec<T>> {
        let count = self.u32()? as usize;
        // Every item takes at least one byte, so the bytes left bound the
        // count; never trust the count itself for the allocation.
        let mut items = Vec::with_capacity(count.min(self.remaining()));
        for _ in 0..count {
            items.push(item(self)?);
        }
        Ok(items)
    }

    fn valtype(&mut self) -> Result<ValType> {
        let at = self.pos;
        let code = self.u8()?;
        if let Some(t) = ValType::REFERENCE.get(usize::from(code)) {
            return Ok(*t);
        }
        let what = match code {
            valtype_code::BOOL => "value type 0x0e (bool)",
            valtype_code::CHAR => "value type 0x0f (char)",
            valtype_code::TYPE => "value type 0x10 (type reference)",
            _ => return Err(self.err(at, format!("unknown value type 0x{code:02x}"))),
        };
        if !self.ext {
            return Err(self.extension_err(at, what));
        }
        Ok(match code {
            valtype_code::BOOL => ValType::Bool,
            valtype_code::CHAR => ValType::Char,
            _ => ValType::Type(self.u32()?),
        })
    }

    fn valtypes(&mut self) -> Result<Vec<ValType>> {
        self.vec(Reader::valtype)
    }

    fn func_type(&mut self) -> Result<FuncType> {
        Ok(FuncType {
            params: self.valtypes()?,
            results: self.valtypes()?,
        })
    }

    /// `0x00 | 0x01 valtype`.
    fn case_type(&mut self) -> Result<Option<ValType>> {
        let at = self.pos;
        match self.u8()? {
            0x00 => Ok(None),
            0x01 => Ok(Some(self.valtype()?)),
            b => Err(self.err(
                at,
                format!(
                    "invalid case type marker 0x{b:02x}: expected 0x00 (none) or 0x01 (a type)"
                ),
            )),
        }
    }

    fn typedef(&mut self) -> Result<TypeDef> {
        if !self.ext {
            return Ok(TypeDef::Func(self.func_type()?));
        }
        let at = self.pos;
        Ok(match self.u8()? {
            form::FUNC => TypeDef::Func(self.func_type()?),
            form::RECORD => TypeDef::Record(self.vec(|r| {
                Ok(Field {
                    name: r.string()?,
                    ty: r.valtype()?,
                })
            })?),
            form::VARIANT => TypeDef::Variant(self.vec(|r| {
                Ok(Case {
                    name: r.string()?,
                    ty: r.case_type()?,
                })
            })?),
            form::ENUM => TypeDef::Enum(self.vec(Reader::string)?),
            form::FLAGS => TypeDef::Flags(self.vec(Reader::string)?),
            form::LIST => TypeDef::List(self.valtype()?),
            form::OPTION => TypeDef::Option(self.valtype()?),
            form::RESULT => TypeDef::Result {
                ok: self.case_type()?,
                err: self.case_type()?,
            },
            form::TUPLE => TypeDef::Tuple(self.valtypes()?),
            b => return Err(self.err(at, format!("unknown type form 0x{b:02x}"))),
        })
    }

    fn import(&mut self) -> Result<Import> {
        Ok(Import {
            module: self.string()?,
            name: self.string()?,
            ty: self.u32()?,
        })
    }

    fn func(&mut self) -> Result<Func> {
        let mut body = self.sub("function body")?;
        let ty = body.u32()?;
        let mut instrs = Vec::new();
        loop {
            match body.peek() {
                None => {
                    return Err(body.err(body.pos, "function body ends without `end` (0x02)"));
                }
                Some(opcode::END) => {
                    body.pos += 1;
                    if !body.at_end() {
                        return Err(body.err(
                            body.pos,
                            format!(
                                "{} bytes after `end` in a function body (the body must end \
                                 at its size)",
                                body.remaining()
                            ),
                        ));
                    }
                    return Ok(Func { ty, instrs });
                }
                Some(_) => instrs.push(body.instr()?),
            }
        }
    }

    fn export(&mut self) -> Result<Export> {
        Ok(Export {
            func: self.u32()?,
            name: self.string()?,
        })
    }

    fn implement(&mut self) -> Result<Implement> {
        Ok(Implement {
            core_func: self.u32()?,
            adapter_func: self.u32()?,
        })
    }

    /// `vec(index:u32 name:str)` with strictly increasing indices below
    /// `bound` (type names, docs).
    fn index_names(&mut self, what: &str, bound: usize) -> Result<BTreeMap<u32, String>> {
        let count = self.u32()?;
        let mut prev: Option<u32> = None;
        let mut names = BTreeMap::new();
        for _ in 0..count {
            let at = self.pos;
            let idx = self.u32()?;
            if let Some(p) = prev.filter(|p| idx <= *p) {
                return Err(self.err(
                    at,
                    format!(
                        "{what} names out of order: {what} {idx} after {what} {p}; indices must \
                         increase"
                    ),
                ));
            }
            if idx as usize >= bound {
                return Err(self.err(
                    at,
                    format!("name for {what} {idx}, but there are only {bound} {what}s"),
                ));
            }
            prev = Some(idx);
            let name = self.string()?;
            names.insert(idx, name);
        }
        Ok(names)
    }

    /// `vec(func:u32 vec(name:str))` with strictly increasing adapter function
    /// indices, one name per parameter of the function's type.
    fn param_names(&mut self, booklet: &Booklet) -> Result<BTreeMap<u32, Vec<String>>> {
        let count = self.u32()?;
        let bound = booklet.adapter_func_count();
        let mut prev: Option<u32> = None;
        let mut out = BTreeMap::new();
        for _ in 0..count {
            let at = self.pos;
            let func = self.u32()?;
            if let Some(p) = prev.filter(|p| func <= *p) {
                return Err(self.err(
                    at,
                    format!(
                        "parameter names out of order: adapter function {func} after {p}; \
                         indices must increase"
                    ),
                ));
            }
            if func >= bound {
                return Err(self.err(
                    at,
                    format!(
                        "parameter names for adapter function {func}, but there are only {bound}"
                    ),
                ));
            }
            prev = Some(func);
            let names = self.vec(Reader::string)?;
            if names.iter().all(String::is_empty) {
                return Err(self.err(
                    at,
                    format!("the parameter names of adapter function {func} name no parameter"),
                ));
            }
            // The count must match the signature when it is known here; the
            // validator checks it against the type in every case.
            if let Some(ft) = booklet.adapter_func_type(func) {
                if names.len() != ft.params.len() {
                    return Err(self.err(
                        at,
                        format!(
                            "{} parameter names for adapter function {func}, whose type has {} \
                             parameters",
                            names.len(),
                            ft.params.len()
                        ),
                    ));
                }
            }
            out.insert(func, names);
        }
        Ok(out)
    }

    /// The string encoding byte of an extension instruction. `utf8_ok` is
    /// false for `0x44`/`0x45`, whose UTF-8 form is the reference opcode.
    fn encoding(&mut self, utf8_ok: bool, mnemonic: &str) -> Result<StringEncoding> {
        let at = self.pos;
        let code = self.u8()?;
        match StringEncoding::from_code(code) {
            Some(StringEncoding::Utf8) if !utf8_ok => Err(self.err(
                at,
                format!(
                    "malformed `{mnemonic}`: encoding utf8 must use the reference opcode, \
                     not the extension one"
                ),
            )),
            Some(e) => Ok(e),
            None => Err(self.err(at, format!("unknown string encoding 0x{code:02x}"))),
        }
    }

    fn memarg(&mut self, mnemonic: &str) -> Result<MemArg> {
        let encoding = self.encoding(true, mnemonic)?;
        Ok(MemArg {
            mem: self.u32()?,
            encoding,
        })
    }

    fn instr(&mut self) -> Result<Instruction> {
        let at = self.pos;
        let op = self.u8()?;
        if op >= 0x40 && !self.ext {
            if let Some(mnemonic) = extension_mnemonic(op) {
                return Err(self.extension_err(at, &format!("opcode 0x{op:02x} (`{mnemonic}`)")));
            }
        }
        Ok(match op {
            opcode::ARG_GET => Instruction::ArgGet(self.u32()?),
            opcode::CALL_CORE => Instruction::CallCore(self.u32()?),
            opcode::MEMORY_TO_STRING => Instruction::MemoryToString {
                mem: self.u32()?,
                encoding: StringEncoding::Utf8,
            },
            opcode::STRING_TO_MEMORY => Instruction::StringToMemory {
                malloc: self.u32()?,
                mem: self.u32()?,
                encoding: StringEncoding::Utf8,
            },
            opcode::CALL_ADAPTER => Instruction::CallAdapter(self.u32()?),
            opcode::DEFER_CALL_CORE => Instruction::DeferCallCore(self.u32()?),
            opcode::MEMORY_TO_STRING_ENC => {
                let encoding = self.encoding(false, "memory-to-string")?;
                Instruction::MemoryToString {
                    mem: self.u32()?,
                    encoding,
                }
            }
            opcode::STRING_TO_MEMORY_ENC => {
                let malloc = self.u32()?;
                let encoding = self.encoding(false, "string-to-memory")?;
                Instruction::StringToMemory {
                    malloc,
                    mem: self.u32()?,
                    encoding,
                }
            }
            opcode::RECORD_LIFT => Instruction::RecordLift(self.valtype()?),
            opcode::RECORD_LOWER => Instruction::RecordLower(self.valtype()?),
            opcode::VALUE_LIFT => Instruction::ValueLift {
                ty: self.valtype()?,
                mem: self.memarg("value.lift")?,
            },
            opcode::VALUE_LOWER => Instruction::ValueLower {
                ty: self.valtype()?,
                malloc: self.u32()?,
                mem: self.memarg("value.lower")?,
            },
            opcode::VALUE_LOAD => Instruction::ValueLoad {
                ty: self.valtype()?,
                mem: self.memarg("value.load")?,
            },
            opcode::VALUE_STORE => Instruction::ValueStore {
                ty: self.valtype()?,
                malloc: self.u32()?,
                mem: self.memarg("value.store")?,
            },
            opcode::VALUE_STORE_NEW => Instruction::ValueStoreNew {
                ty: self.valtype()?,
                malloc: self.u32()?,
                mem: self.memarg("value.store_new")?,
            },
            op => match Conversion::from_opcode(op) {
                Some(c) => Instruction::Convert(c),
                None => return Err(self.err(at, format!("unknown opcode 0x{op:02x}"))),
            },
        })
    }
}

/// The text mnemonic of an extension opcode (`0x40`–`0x4c`), if `op` is one.
fn extension_mnemonic(op: u8) -> Option<&'static str> {
    Some(match op {
        opcode::MEMORY_TO_STRING_ENC => "memory-to-string",
        opcode::STRING_TO_MEMORY_ENC => "string-to-memory",
        opcode::RECORD_LIFT => "record.lift",
        opcode::RECORD_LOWER => "record.lower",
        opcode::VALUE_LIFT => "value.lift",
        opcode::VALUE_LOWER => "value.lower",
        opcode::VALUE_LOAD => "value.load",
        opcode::VALUE_STORE => "value.store",
        opcode::VALUE_STORE_NEW => "value.store_new",
        op => {
            return Conversion::from_opcode(op)
                .filter(|c| !c.is_reference())
                .map(Conversion::name)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::CoreModule;
    use std::collections::BTreeMap;

    /// Where payloads sit in the pretend module, so offsets are checked to be
    /// absolute.
    const BASE: usize = 1000;

    fn func(params: Vec<ValType>, results: Vec<ValType>) -> TypeDef {
        TypeDef::Func(FuncType { params, results })
    }

    /// The article's greeting: `() -> string`, core function 0, memory 0.
    fn greeting() -> Booklet {
        Booklet {
            types: vec![func(vec![], vec![ValType::String])],
            funcs: vec![Func {
                ty: 0,
                instrs: vec![
                    Instruction::CallCore(0),
                    Instruction::MemoryToString {
                        mem: 0,
                        encoding: StringEncoding::Utf8,
                    },
                ],
            }],
            exports: vec![Export {
                name: "greeting".into(),
                func: 0,
            }],
            ..Booklet::default()
        }
    }

    #[test]
    fn greeting_bytes() {
        #[rustfmt::skip]
        let expected = [
            0x05, b'0', b'.', b'1', b'.', b'0', // version "0.1.0"
            0x00, 0x04,             // types subsection, 4 bytes
              0x01,                 // 1 type
                0x00,               // no params
                0x01, 0x0a,         // 1 result: string
            // (no imports subsection: empty subsections are omitted)
            0x02, 0x08,             // funcs subsection, 8 bytes
              0x01,                 // 1 func
                0x06,               // body size 6
                0x00,               // type 0
                0x01, 0x00,         // call-core 0
                0x03, 0x00,         // memory-to-string 0
                0x02,               // end
            0x03, 0x0b,             // exports subsection, 11 bytes
              0x01,                 // 1 export
                0x00,               // func 0 (index first)
                0x08, b'g', b'r', b'e', b'e', b't', b'i', b'n', b'g',
        ];
        assert_eq!(greeting().encode(), expected);
        assert_eq!(Booklet::decode(&expected, BASE).unwrap(), greeting());
    }

    /// The reference writer, driven through its own API, writes the same bytes.
    #[test]
    fn greeting_matches_wit_writer() {
        let mut w = wit_writer::Writer::new();
        w.types(1).add(0, |_| {}, 1, |t| t.string());
        {
            let mut funcs = w.funcs(1);
            let mut f = funcs.add(0);
            f.call_core(0);
            f.memory_to_string(0);
        }
        w.imports(0);
        w.exports(1).add("greeting", 0);
        w.implements(0);
        assert_eq!(greeting().encode(), w.into_payload());
    }

    /// A booklet touching every reference item, compared with `wit-writer`.
    #[test]
    fn reference_items_match_wit_writer() {
        let booklet = Booklet {
            types: vec![
                func(
                    ValType::REFERENCE.to_vec(),
                    vec![ValType::I64, ValType::F64],
                ),
                func(vec![ValType::String], vec![]),
            ],
            imports: vec![Import {
                module: "host".into(),
                name: "log".into(),
                ty: 1,
            }],
            funcs: vec![Func {
                ty: 0,
                instrs: vec![
                    Instruction::ArgGet(200),
                    Instruction::StringToMemory {
                        malloc: 300,
                        mem: 1,
                        encoding: StringEncoding::Utf8,
                    },
                    Instruction::CallAdapter(0),
                    Instruction::DeferCallCore(7),
                    Instruction::Convert(Conversion::U64ToI64),
                ],
            }],
            exports: vec![Export {
                name: "run".into(),
                func: 1,
            }],
            implements: vec![Implement {
                core_func: 3,
                adapter_func: 1,
            }],
            type_names: BTreeMap::new(),
            docs: BTreeMap::new(),
            param_names: BTreeMap::new(),
        };
        let mut w = wit_writer::Writer::new();
        {
            let mut types = w.types(2);
            types.add(
                14,
                |t| {
                    t.s8();
                    t.s16();
                    t.s32();
                    t.s64();
                    t.u8();
                    t.u16();
                    t.u32();
                    t.u64();
                    t.f32();
                    t.f64();
                    t.string();
                    t.externref();
                    t.i32();
                    t.i64();
                },
                2,
                |t| {
                    t.i64();
                    t.f64();
                },
            );
            types.add(1, |t| t.string(), 0, |_| {});
        }
        w.imports(1).add("host", "log", 1);
        {
            let mut funcs = w.funcs(1);
            let mut f = funcs.add(0);
            f.arg_get(200);
            f.string_to_memory(300, 1);
            f.call_adapter(0);
            f.defer_call_core(7);
            f.u64_to_i64();
        }
        w.exports(1).add("run", 1);
        w.implements(1).add(3, 1);
        let expected = w.into_payload();
        assert_eq!(booklet.encode(), expected);
        assert_eq!(Booklet::decode(&expected, 0).unwrap(), booklet);
    }

    fn reference_payload(module: &[u8]) -> Vec<u8> {
        let core = CoreModule::parse(module).unwrap();
        let [section] = core.interface_sections.as_slice() else {
            panic!("expected one interface section");
        };
        module[section.payload.clone()].to_vec()
    }

    /// Every reference case, written by `wit-text`, decodes and re-encodes to
    /// the same bytes; so does the section wasm-bindgen wrote.
    #[test]
    fn reference_corpus_round_trips() {
        let cases = [
            include_str!("../../../tests/corpus/reference/a-greeting.wat"),
            include_str!("../../../tests/corpus/reference/b-string-param.wat"),
            include_str!("../../../tests/corpus/reference/c-import-implement.wat"),
            include_str!("../../../tests/corpus/reference/d-int-conversions.wat"),
            include_str!("../../../tests/corpus/reference/e-defer-free.wat"),
            include_str!("../../../tests/corpus/reference/f-externref.wat"),
        ];
        let mut modules: Vec<Vec<u8>> = cases
            .iter()
            .map(|wat| wit_text::parse_str(wat).unwrap())
            .collect();
        modules.push(include_bytes!("../../../tests/corpus/wasm-bindgen/markdown.wasm").to_vec());
        for module in &modules {
            let payload = reference_payload(module);
            let booklet = Booklet::decode(&payload, 0).unwrap();
            assert!(booklet.is_reference_subset());
            assert_eq!(booklet.encode(), payload);
        }
    }

    /// A record type, a named type, a bool result and an extension opcode.
    fn point() -> Booklet {
        let mut type_names = BTreeMap::new();
        type_names.insert(0, "point".to_string());
        Booklet {
            types: vec![
                TypeDef::Record(vec![
                    Field {
                        name: "x".into(),
                        ty: ValType::S32,
                    },
                    Field {
                        name: "y".into(),
                        ty: ValType::S32,
                    },
                ]),
                func(vec![ValType::Type(0)], vec![ValType::Bool]),
            ],
            funcs: vec![Func {
                ty: 1,
                instrs: vec![
                    Instruction::ArgGet(0),
                    Instruction::RecordLower(ValType::Type(0)),
                    Instruction::CallCore(0),
                    Instruction::Convert(Conversion::I32ToBool),
                ],
            }],
            exports: vec![Export {
                name: "f".into(),
                func: 0,
            }],
            type_names,
            ..Booklet::default()
        }
    }

    #[test]
    fn extension_bytes() {
        #[rustfmt::skip]
        let expected = [
            0x0b, b'i', b'n', b't', b'e', b'r', b't', b'y', b'p', b'e', b'/', b'1',
            0x00, 0x0f,                 // types subsection, 15 bytes
              0x02,                     // 2 types
                0x41,                   // record
                  0x02,                 // 2 fields
                    0x01, b'x', 0x02,   // "x" s32
                    0x01, b'y', 0x02,   // "y" s32
                0x40,                   // func
                  0x01, 0x10, 0x00,     // params: (type 0)
                  0x01, 0x0e,           // results: bool
            0x02, 0x0c,                 // funcs subsection, 12 bytes
              0x01,                     // 1 func
                0x0a,                   // body size 10
                0x01,                   // type 1
                0x00, 0x00,             // arg.get 0
                0x47, 0x10, 0x00,       // record.lower (type 0)
                0x01, 0x00,             // call-core 0
                0x40,                   // i32-to-bool
                0x02,                   // end
            0x03, 0x04,                 // exports subsection, 4 bytes
              0x01, 0x00, 0x01, b'f',   // func 0 as "f"
            0x05, 0x08,                 // type names subsection, 8 bytes
              0x01,                     // 1 name
                0x00,                   // type 0
                0x05, b'p', b'o', b'i', b'n', b't',
        ];
        assert_eq!(point().encode(), expected);
        assert_eq!(Booklet::decode(&expected, BASE).unwrap(), point());
    }

    #[test]
    fn extension_instruction_bytes() {
        let cases: Vec<(Instruction, &[u8])> = vec![
            (
                Instruction::MemoryToString {
                    mem: 1,
                    encoding: StringEncoding::Utf16,
                },
                &[0x44, 0x01, 0x01], // opcode, enc utf16, mem 1
            ),
            (
                Instruction::StringToMemory {
                    malloc: 5,
                    mem: 0,
                    encoding: StringEncoding::Latin1,
                },
                &[0x45, 0x05, 0x02, 0x00], // opcode, malloc 5, enc latin1, mem 0
            ),
            (
                Instruction::RecordLift(ValType::Type(3)),
                &[0x46, 0x10, 0x03],
            ),
            (
                Instruction::ValueLift {
                    ty: ValType::Type(2),
                    mem: MemArg::default(),
                },
                &[0x48, 0x10, 0x02, 0x00, 0x00], // valtype, enc utf8, mem 0
            ),
            (
                Instruction::ValueLower {
                    ty: ValType::String,
                    malloc: 4,
                    mem: MemArg {
                        mem: 1,
                        encoding: StringEncoding::Utf16,
                    },
                },
                &[0x49, 0x0a, 0x04, 0x01, 0x01], // valtype, malloc, enc, mem
            ),
            (
                Instruction::ValueLoad {
                    ty: ValType::Char,
                    mem: MemArg::default(),
                },
                &[0x4a, 0x0f, 0x00, 0x00],
            ),
            (
                Instruction::ValueStore {
                    ty: ValType::Type(0x80),
                    malloc: 1,
                    mem: MemArg::default(),
                },
                &[0x4b, 0x10, 0x80, 0x01, 0x01, 0x00, 0x00], // type index 128 is 2 bytes
            ),
            (
                Instruction::ValueStoreNew {
                    ty: ValType::Bool,
                    malloc: 1,
                    mem: MemArg::default(),
                },
                &[0x4c, 0x0e, 0x01, 0x00, 0x00],
            ),
            (Instruction::Convert(Conversion::CharToI32), &[0x43]),
        ];
        for (instr, bytes) in cases {
            let mut sink = Vec::new();
            instr.encode(&mut sink);
            assert_eq!(sink, bytes, "{instr:?}");
        }
    }

    /// A booklet with every type form, value type and instruction.
    fn everything() -> Booklet {
        let mut instrs: Vec<Instruction> = Conversion::ALL
            .iter()
            .map(|c| Instruction::Convert(*c))
            .collect();
        let mem = MemArg {
            mem: 70000,
            encoding: StringEncoding::Latin1,
        };
        instrs.extend([
            Instruction::ArgGet(u32::MAX),
            Instruction::CallCore(128),
            Instruction::MemoryToString {
                mem: 0,
                encoding: StringEncoding::Utf8,
            },
            Instruction::MemoryToString {
                mem: 2,
                encoding: StringEncoding::Latin1,
            },
            Instruction::StringToMemory {
                malloc: 1,
                mem: 2,
                encoding: StringEncoding::Utf8,
            },
            Instruction::StringToMemory {
                malloc: 1,
                mem: 2,
                encoding: StringEncoding::Utf16,
            },
            Instruction::CallAdapter(0),
            Instruction::DeferCallCore(9),
            Instruction::RecordLift(ValType::Type(1)),
            Instruction::RecordLower(ValType::Type(8)),
            Instruction::ValueLift {
                ty: ValType::Type(2),
                mem,
            },
            Instruction::ValueLower {
                ty: ValType::Type(3),
                malloc: 6,
                mem,
            },
            Instruction::ValueLoad {
                ty: ValType::Type(4),
                mem: MemArg::default(),
            },
            Instruction::ValueStore {
                ty: ValType::Type(5),
                malloc: 6,
                mem,
            },
            Instruction::ValueStoreNew {
                ty: ValType::Type(6),
                malloc: 6,
                mem,
            },
        ]);
        let mut all_valtypes = ValType::REFERENCE.to_vec();
        all_valtypes.extend([ValType::Bool, ValType::Char, ValType::Type(1)]);
        let mut type_names = BTreeMap::new();
        type_names.insert(1, "r".to_string());
        type_names.insert(7, "ünïcode name".to_string());
        Booklet {
            types: vec![
                func(all_valtypes.clone(), all_valtypes.clone()),
                TypeDef::Record(vec![Field {
                    name: "a".into(),
                    ty: ValType::U8,
                }]),
                TypeDef::Variant(vec![
                    Case {
                        name: "none".into(),
                        ty: None,
                    },
                    Case {
                        name: "some".into(),
                        ty: Some(ValType::Type(1)),
                    },
                ]),
                TypeDef::Enum(vec!["a".into(), "b".into()]),
                TypeDef::Flags(vec![]),
                TypeDef::List(ValType::U8),
                TypeDef::Option(ValType::String),
                TypeDef::Result {
                    ok: Some(ValType::S64),
                    err: None,
                },
                TypeDef::Tuple(all_valtypes),
            ],
            imports: vec![Import {
                module: "".into(),
                name: "ñ".into(),
                ty: 0,
            }],
            funcs: vec![
                Func { ty: 0, instrs },
                Func {
                    ty: 0,
                    instrs: vec![],
                },
            ],
            exports: vec![
                Export {
                    name: "x".into(),
                    func: 1,
                },
                Export {
                    name: "y".into(),
                    func: 1,
                },
            ],
            implements: vec![Implement {
                core_func: u32::MAX,
                adapter_func: 2,
            }],
            type_names,
            docs: BTreeMap::from([(0, "The first adapter.\nSecond line.".to_string())]),
            // One name per parameter of type 0 (17 parameters): unnamed ones
            // are empty, and names are the booklet's data (any text).
            param_names: BTreeMap::from([(
                2,
                (0..17)
                    .map(|i| match i {
                        0 => "first".to_string(),
                        16 => "the \"last\" one".to_string(),
                        _ => String::new(),
                    })
                    .collect(),
            )]),
        }
    }

    #[test]
    fn everything_round_trips() {
        let b = everything();
        let bytes = b.encode();
        assert!(bytes.starts_with(b"\x0bintertype/1"));
        let decoded = Booklet::decode(&bytes, 0).unwrap();
        assert_eq!(decoded, b);
        assert_eq!(decoded.encode(), bytes);
    }

    #[test]
    fn empty_booklet() {
        let bytes = Booklet::default().encode();
        assert_eq!(bytes, b"\x050.1.0");
        assert_eq!(Booklet::decode(&bytes, 0).unwrap(), Booklet::default());
    }

    // ---- errors ----

    fn decode_err(payload: &[u8]) -> (usize, String) {
        let e = Booklet::decode(payload, BASE).expect_err("payload should be rejected");
        assert_eq!(e.kind(), crate::ErrorKind::Binary);
        (e.offset().unwrap() - BASE, e.message().to_string())
    }

    fn assert_err(payload: &[u8], at: usize, needle: &str) {
        let (offset, msg) = decode_err(payload);
        assert!(
            msg.contains(needle),
            "message {msg:?} should contain {needle:?}"
        );
        assert_eq!(offset, at, "offset of {msg:?}");
    }

    const REF: &[u8] = b"\x050.1.0"; // 6 bytes
    const EXT: &[u8] = b"\x0bintertype/1"; // 12 bytes

    fn payload(version: &[u8], rest: &[u8]) -> Vec<u8> {
        [version, rest].concat()
    }

    #[test]
    fn error_unknown_version() {
        assert_err(b"\x050.2.0", 0, "version `0.2.0`");
        assert_err(b"", 0, "unexpected end");
        assert_err(b"\x05\xff\xfe...", 1, "UTF-8");
    }

    #[test]
    fn error_extension_in_reference_version() {
        // types: 1 type, params [bool]
        let p = payload(REF, &[0x00, 0x04, 0x01, 0x01, 0x0e, 0x00]);
        assert_err(
            &p,
            10,
            "value type 0x0e (bool) is an intertype extension in a reference-version",
        );
        let p = payload(REF, &[0x00, 0x05, 0x01, 0x01, 0x10, 0x00, 0x00]);
        assert_err(&p, 10, "value type 0x10");
        // funcs: 1 func, body [type 0, i32-to-bool, end]
        let p = payload(REF, &[0x02, 0x05, 0x01, 0x03, 0x00, 0x40, 0x02]);
        assert_err(
            &p,
            11,
            "opcode 0x40 (`i32-to-bool`) is an intertype extension",
        );
        let p = payload(
            REF,
            &[
                0x02, 0x09, 0x01, 0x07, 0x00, 0x4c, 0x0a, 0x01, 0x00, 0x00, 0x02,
            ],
        );
        assert_err(&p, 11, "`value.store_new`");
        // the type names subsection
        let p = payload(REF, &[0x05, 0x01, 0x00]);
        assert_err(&p, 6, "subsection 5 (type names) is an intertype extension");
        // and the same bytes are fine in the extension version
        let p = payload(EXT, &[0x00, 0x05, 0x01, 0x40, 0x01, 0x0e, 0x00]);
        Booklet::decode(&p, 0).unwrap();
    }

    #[test]
    fn error_subsection_order() {
        let imports = [0x01, 0x01, 0x00];
        let types = [0x00, 0x01, 0x00];
        assert_err(
            &payload(REF, &[imports, imports].concat()),
            9,
            "duplicate imports",
        );
        assert_err(&payload(REF, &[imports, types].concat()), 9, "out of order");
        assert_err(&payload(REF, &[0x09, 0x00]), 6, "unknown subsection id 9");
        assert_err(&payload(EXT, &[0x09, 0x00]), 12, "unknown subsection id 9");
        assert_err(
            &payload(REF, &[0x08, 0x00]),
            6,
            "subsection 8 (param names) is an intertype extension",
        );
        assert_err(
            &payload(REF, &[0x06, 0x00]),
            6,
            "subsection 6 (core names) is an intertype extension",
        );
        // in order is fine, and an explicitly empty subsection is accepted
        Booklet::decode(&payload(REF, &[types, imports].concat()), 0).unwrap();
    }

    #[test]
    fn error_param_names() {
        // types: (func (param u8 u8)); funcs: one, body `end`
        let types = [0x00, 0x06, 0x01, 0x40, 0x02, 0x04, 0x04, 0x00];
        let funcs = [0x02, 0x04, 0x01, 0x02, 0x00, 0x02];
        let with = |names: &[u8]| {
            let mut sub = vec![0x08, names.len() as u8];
            sub.extend_from_slice(names);
            payload(EXT, &[&types[..], &funcs, &sub].concat())
        };
        // func 0: "a", ""
        let b = Booklet::decode(&with(&[0x01, 0x00, 0x02, 0x01, b'a', 0x00]), 0).unwrap();
        assert_eq!(b.param_names[&0], ["a", ""]);
        assert_eq!((b.param_name(0, 0), b.param_name(0, 1)), (Some("a"), None));
        assert_eq!(Booklet::decode(&b.encode(), 0).unwrap(), b);
        let (_, msg) = decode_err(&with(&[0x01, 0x00, 0x01, 0x01, b'a']));
        assert!(
            msg.contains("1 parameter names for adapter function 0, whose type has 2"),
            "{msg}"
        );
        let (_, msg) = decode_err(&with(&[0x01, 0x01, 0x00]));
        assert!(
            msg.contains("adapter function 1, but there are only 1"),
            "{msg}"
        );
        let two = [
            0x02, 0x00, 0x02, 0x01, b'a', 0x00, 0x00, 0x02, 0x01, b'b', 0x00,
        ];
        let (_, msg) = decode_err(&with(&two));
        assert!(msg.contains("out of order"), "{msg}");
        let (_, msg) = decode_err(&with(&[0x01, 0x00, 0x02, 0x00, 0x00]));
        assert!(msg.contains("name no parameter"), "{msg}");
    }

    #[test]
    fn error_sizes() {
        // subsection size larger than the rest
        assert_err(
            &payload(REF, &[0x00, 0x05, 0x00]),
            7,
            "size 5 exceeds the 1 bytes left",
        );
        // count says 2 types, only one there
        assert_err(
            &payload(REF, &[0x00, 0x03, 0x02, 0x00, 0x00]),
            11,
            "unexpected end of the types",
        );
        // count says 1 type, two there: trailing bytes
        assert_err(
            &payload(REF, &[0x00, 0x05, 0x01, 0x00, 0x00, 0x00, 0x00]),
            11,
            "2 trailing bytes",
        );
        // empty subsection without even a count
        assert_err(
            &payload(REF, &[0x03, 0x00]),
            8,
            "unexpected end of the exports",
        );
        // a string longer than its subsection
        assert_err(
            &payload(REF, &[0x03, 0x03, 0x01, 0x00, 0x09]),
            11,
            "9 bytes needed, 0 left",
        );
        // a huge count is an error at the end of the data, not an allocation
        let p = payload(REF, &[0x04, 0x06, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x00]);
        assert_err(&p, 14, "unexpected end of the implements");
    }

    #[test]
    fn error_func_body_end() {
        // body of size 4: type 0, arg.get 0, end, then one byte more
        let p = payload(REF, &[0x02, 0x07, 0x01, 0x05, 0x00, 0x00, 0x00, 0x02, 0x07]);
        assert_err(&p, 14, "1 bytes after `end`");
        // body without `end`
        let p = payload(REF, &[0x02, 0x05, 0x01, 0x03, 0x00, 0x00, 0x00]);
        assert_err(&p, 13, "without `end`");
        // an immediate running past the body (the body is shorter than the
        // subsection)
        let p = payload(REF, &[0x02, 0x05, 0x01, 0x02, 0x00, 0x00, 0x02]);
        assert_err(&p, 12, "unexpected end of the function body");
        // a body size beyond the subsection
        let p = payload(REF, &[0x02, 0x02, 0x01, 0x09]);
        assert_err(&p, 9, "function body size 9");
    }

    #[test]
    fn error_leb128() {
        // imports: count encoded in 6 bytes
        let p = payload(REF, &[0x01, 0x06, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00]);
        assert_err(&p, 12, "too long");
        // 5th byte with bits beyond 32
        let p = payload(REF, &[0x01, 0x05, 0xff, 0xff, 0xff, 0xff, 0x1f]);
        assert_err(&p, 12, "too large");
        // truncated LEB
        let p = payload(REF, &[0x01, 0x01, 0x80]);
        assert_err(&p, 9, "unexpected end of the imports");
        // non-minimal but valid: accepted (and u32::MAX fits)
        let p = payload(REF, &[0x04, 0x07, 0x81, 0x00, 0xff, 0xff, 0xff, 0xff, 0x0f]);
        assert_eq!(
            Booklet::decode(&p, 0).unwrap_err().message(),
            "unexpected end of the implements"
        );
    }

    #[test]
    fn error_utf8() {
        // import "a\xff" "b" type 0
        let p = payload(REF, &[0x01, 0x07, 0x01, 0x02, b'a', 0xff, 0x01, b'b', 0x00]);
        assert_err(&p, 11, "invalid UTF-8");
    }

    #[test]
    fn error_utf8_encoding_on_extension_string_opcodes() {
        let p = payload(EXT, &[0x02, 0x07, 0x01, 0x05, 0x00, 0x44, 0x00, 0x00, 0x02]);
        assert_err(&p, 18, "malformed `memory-to-string`: encoding utf8");
        let p = payload(
            EXT,
            &[0x02, 0x08, 0x01, 0x06, 0x00, 0x45, 0x00, 0x00, 0x00, 0x02],
        );
        assert_err(&p, 19, "malformed `string-to-memory`: encoding utf8");
        // value.* accept utf8 (0)
        let p = payload(
            EXT,
            &[0x02, 0x08, 0x01, 0x06, 0x00, 0x48, 0x02, 0x00, 0x00, 0x02],
        );
        Booklet::decode(&p, 0).unwrap();
    }

    #[test]
    fn error_type_names() {
        let types = [0x00, 0x05, 0x02, 0x43, 0x00, 0x43, 0x00]; // two empty enums
        let names = |rest: &[u8]| payload(EXT, &[&types[..], rest].concat());
        assert_err(
            &names(&[0x05, 0x07, 0x02, 0x01, 0x01, b'a', 0x01, 0x01, b'b']),
            25,
            "out of order",
        );
        assert_err(
            &names(&[0x05, 0x04, 0x01, 0x02, 0x01, b'a']),
            22,
            "only 2 types",
        );
        let b = Booklet::decode(
            &names(&[0x05, 0x07, 0x02, 0x00, 0x01, b'a', 0x01, 0x01, b'b']),
            0,
        )
        .unwrap();
        assert_eq!(b.type_names.get(&1).map(String::as_str), Some("b"));
    }

    /// Every prefix and every one-byte change of valid payloads is decoded
    /// or rejected, never a panic; whatever decodes re-encodes and decodes to
    /// the same booklet.
    #[test]
    fn mutations_never_panic() {
        for b in [greeting(), point(), everything()] {
            let bytes = b.encode();
            for len in 0..bytes.len() {
                let _ = Booklet::decode(&bytes[..len], BASE);
            }
            for i in 0..bytes.len() {
                for v in [0x00, 0x01, 0x02, 0x0e, 0x10, 0x40, 0x44, 0x7f, 0x80, 0xff] {
                    let mut m = bytes.clone();
                    m[i] = v;
                    match Booklet::decode(&m, BASE) {
                        Ok(d) => assert_eq!(Booklet::decode(&d.encode(), 0).unwrap(), d),
                        Err(e) => assert!(e.offset().unwrap() >= BASE),
                    }
                }
            }
        }
    }
}
