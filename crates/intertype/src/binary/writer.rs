//! Writing the section payload: version `0.1.0` with the reference bytes
//! for a booklet in the reference subset, `intertype/1` otherwise.

use super::{form, subsection, valtype_code, CoreName};
use crate::instr::opcode;
use crate::{
    Booklet, Case, Export, Field, Func, FuncType, Implement, Import, Instruction, MemArg,
    StringEncoding, TypeDef, ValType, EXTENSION_VERSION, REFERENCE_VERSION,
};

pub(super) fn encode_payload(
    booklet: &Booklet,
    core_names: Option<&[CoreName]>,
    sink: &mut Vec<u8>,
) {
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

/// Something with a binary encoding, in the style of `wasm-encoder`.
pub(super) trait Encode {
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
