//! Reading the section payload, strictly: every malformation is an
//! [`Error`] at the absolute offset of the offending byte.

use super::{form, subsection, valtype_code, CoreName, Fragment};
use crate::instr::opcode;
use crate::{
    Booklet, Case, Conversion, Error, Export, Field, Func, FuncType, Implement, Import,
    Instruction, MemArg, Result, StringEncoding, TypeDef, ValType, EXTENSION_VERSION,
    REFERENCE_VERSION,
};
use std::collections::BTreeMap;

/// A cursor over the payload. Positions are always relative to the start of
/// the whole payload (also in nested readers), so `base + pos` is the
/// absolute offset in the module.
pub(super) struct Reader<'a> {
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
    pub(super) fn new(bytes: &'a [u8], base: usize) -> Reader<'a> {
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

    pub(super) fn at_end(&self) -> bool {
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
    pub(super) fn fragment(&mut self, later: bool) -> Result<Fragment> {
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
