//! Interface types: the abstract value types adapters speak, and the type
//! definitions (function signatures, records, variants, …) they refer to.
//!
//! The first fourteen value types are the 2019 reference set and keep their
//! reference byte codes; everything else is an intertype extension (see
//! `docs/format.md`).

use std::fmt;

/// A value type on an adapter's stack or in a signature.
///
/// `I32`, `I64`, `F32`, `F64` and `Externref` double as the core WebAssembly
/// types that `call-core` consumes and produces.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ValType {
    S8,
    S16,
    S32,
    S64,
    U8,
    U16,
    U32,
    U64,
    F32,
    F64,
    String,
    Externref,
    I32,
    I64,
    /// Extension: `true`/`false`, one byte in memory.
    Bool,
    /// Extension: a Unicode scalar value.
    Char,
    /// Extension: a reference to a type definition by index.
    Type(u32),
}

impl ValType {
    /// The 2019 reference types, in byte-code order.
    pub const REFERENCE: [ValType; 14] = [
        ValType::S8,
        ValType::S16,
        ValType::S32,
        ValType::S64,
        ValType::U8,
        ValType::U16,
        ValType::U32,
        ValType::U64,
        ValType::F32,
        ValType::F64,
        ValType::String,
        ValType::Externref,
        ValType::I32,
        ValType::I64,
    ];

    /// The keyword the text format and the printer use (`None` for `Type`).
    pub fn keyword(self) -> Option<&'static str> {
        Some(match self {
            ValType::S8 => "s8",
            ValType::S16 => "s16",
            ValType::S32 => "s32",
            ValType::S64 => "s64",
            ValType::U8 => "u8",
            ValType::U16 => "u16",
            ValType::U32 => "u32",
            ValType::U64 => "u64",
            ValType::F32 => "f32",
            ValType::F64 => "f64",
            ValType::String => "string",
            ValType::Externref => "externref",
            ValType::I32 => "i32",
            ValType::I64 => "i64",
            ValType::Bool => "bool",
            ValType::Char => "char",
            ValType::Type(_) => return None,
        })
    }

    /// Looks a primitive type up by its text keyword (`anyref` is the 2019
    /// spelling of `externref`).
    pub fn from_keyword(kw: &str) -> Option<ValType> {
        if kw == "anyref" {
            return Some(ValType::Externref);
        }
        Self::REFERENCE
            .iter()
            .chain(&[ValType::Bool, ValType::Char])
            .copied()
            .find(|t| t.keyword() == Some(kw))
    }

    /// Whether the 2019 reference format can express this type.
    pub fn is_reference(self) -> bool {
        !matches!(self, ValType::Bool | ValType::Char | ValType::Type(_))
    }

    /// The core WebAssembly type this value type also stands for, if any.
    pub fn as_core(self) -> Option<CoreType> {
        Some(match self {
            ValType::I32 => CoreType::I32,
            ValType::I64 => CoreType::I64,
            ValType::F32 => CoreType::F32,
            ValType::F64 => CoreType::F64,
            ValType::Externref => CoreType::Externref,
            _ => return None,
        })
    }
}

impl fmt::Display for ValType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.keyword() {
            Some(kw) => f.write_str(kw),
            None => match self {
                ValType::Type(i) => write!(f, "(type {i})"),
                _ => unreachable!(),
            },
        }
    }
}

/// A core WebAssembly value type as adapters see it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CoreType {
    I32,
    I64,
    F32,
    F64,
    Externref,
}

impl CoreType {
    /// The value type that stands for this core type on an adapter's stack.
    pub fn to_val(self) -> ValType {
        match self {
            CoreType::I32 => ValType::I32,
            CoreType::I64 => ValType::I64,
            CoreType::F32 => ValType::F32,
            CoreType::F64 => ValType::F64,
            CoreType::Externref => ValType::Externref,
        }
    }
}

impl fmt::Display for CoreType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.to_val().fmt(f)
    }
}

/// A function signature: the type of an adapter or of an interface import.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct FuncType {
    pub params: Vec<ValType>,
    pub results: Vec<ValType>,
}

/// One entry of the type index space.
///
/// The reference format only has `Func`; the rest are extensions.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum TypeDef {
    Func(FuncType),
    /// Named fields, in order.
    Record(Vec<Field>),
    /// Named cases, each with an optional payload.
    Variant(Vec<Case>),
    /// Cases without payloads.
    Enum(Vec<String>),
    /// A set of named bits.
    Flags(Vec<String>),
    /// A homogeneous sequence (`list<u8>` is the bytes fast path).
    List(ValType),
    /// `none` or `some(T)`.
    Option(ValType),
    /// `ok(T?)` or `error(E?)`.
    Result {
        ok: Option<ValType>,
        err: Option<ValType>,
    },
    /// Unnamed fields, in order.
    Tuple(Vec<ValType>),
}

impl TypeDef {
    /// The keyword of this definition's form in the text format.
    pub fn keyword(&self) -> &'static str {
        match self {
            TypeDef::Func(_) => "func",
            TypeDef::Record(_) => "record",
            TypeDef::Variant(_) => "variant",
            TypeDef::Enum(_) => "enum",
            TypeDef::Flags(_) => "flags",
            TypeDef::List(_) => "list",
            TypeDef::Option(_) => "option",
            TypeDef::Result { .. } => "result",
            TypeDef::Tuple(_) => "tuple",
        }
    }

    /// Every value type this definition mentions, in order.
    pub fn referenced(&self) -> Vec<ValType> {
        match self {
            TypeDef::Func(f) => f.params.iter().chain(&f.results).copied().collect(),
            TypeDef::Record(fields) => fields.iter().map(|f| f.ty).collect(),
            TypeDef::Variant(cases) => cases.iter().filter_map(|c| c.ty).collect(),
            TypeDef::Enum(_) | TypeDef::Flags(_) => Vec::new(),
            TypeDef::List(t) | TypeDef::Option(t) => vec![*t],
            TypeDef::Result { ok, err } => ok.iter().chain(err).copied().collect(),
            TypeDef::Tuple(ts) => ts.clone(),
        }
    }
}

/// A record field.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Field {
    pub name: String,
    pub ty: ValType,
}

/// A variant case.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Case {
    pub name: String,
    pub ty: Option<ValType>,
}

/// How a string is laid out in linear memory.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum StringEncoding {
    /// The reference encoding; length in bytes.
    #[default]
    Utf8,
    /// Length in 16-bit code units, little-endian, 2-byte aligned.
    Utf16,
    /// ISO-8859-1: one byte per `char` below U+0100; length in bytes.
    Latin1,
}

impl StringEncoding {
    pub const ALL: [StringEncoding; 3] = [
        StringEncoding::Utf8,
        StringEncoding::Utf16,
        StringEncoding::Latin1,
    ];

    pub fn keyword(self) -> &'static str {
        match self {
            StringEncoding::Utf8 => "utf8",
            StringEncoding::Utf16 => "utf16",
            StringEncoding::Latin1 => "latin1",
        }
    }

    pub fn from_keyword(kw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.keyword() == kw)
    }

    /// Byte code in the binary format.
    pub fn code(self) -> u8 {
        match self {
            StringEncoding::Utf8 => 0,
            StringEncoding::Utf16 => 1,
            StringEncoding::Latin1 => 2,
        }
    }

    pub fn from_code(code: u8) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.code() == code)
    }

    /// Bytes per unit of a string's length (2 for UTF-16, else 1).
    pub fn unit_bytes(self) -> u32 {
        match self {
            StringEncoding::Utf16 => 2,
            StringEncoding::Utf8 | StringEncoding::Latin1 => 1,
        }
    }
}

impl fmt::Display for StringEncoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.keyword())
    }
}

#[cfg(test)]
mod code_tests {
    use super::ValType;
    use intertype_format::valtype_code as code;

    /// The reference's value types are numbered by their position; the
    /// shared code table must say the same.
    #[test]
    fn reference_positions_are_the_shared_codes() {
        let codes = [
            code::S8,
            code::S16,
            code::S32,
            code::S64,
            code::U8,
            code::U16,
            code::U32,
            code::U64,
            code::F32,
            code::F64,
            code::STRING,
            code::EXTERNREF,
            code::I32,
            code::I64,
        ];
        for (i, c) in codes.iter().enumerate() {
            assert_eq!(usize::from(*c), i, "{:?}", ValType::REFERENCE[i]);
        }
        assert_eq!(
            ValType::REFERENCE[usize::from(code::STRING)],
            ValType::String
        );
        assert_eq!(ValType::REFERENCE[usize::from(code::I64)], ValType::I64);
    }
}
