//! The adapter instruction language.
//!
//! Adapters are straight-line code over a typed value stack: no branches and
//! no loops, so an engine can compile (and fuse) them ahead of time. The
//! reference instructions keep their 2019 opcodes; the extension opcodes start
//! at `0x40` (see `docs/format.md`).

use crate::types::{StringEncoding, ValType};
use std::fmt;

/// Immediates shared by the instructions that read or write linear memory.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct MemArg {
    /// Core memory index.
    pub mem: u32,
    /// Encoding of every string inside the value.
    pub encoding: StringEncoding,
}

/// One adapter instruction.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Instruction {
    /// Push the adapter's parameter `n`.
    ArgGet(u32),
    /// Call core function `n`: pops its params, pushes its results.
    CallCore(u32),
    /// `[i32 ptr, i32 len] → [string]`, copying out of memory `mem`.
    MemoryToString { mem: u32, encoding: StringEncoding },
    /// `[string] → [i32 ptr, i32 len]`, allocating with core function
    /// `malloc` in memory `mem`.
    StringToMemory {
        malloc: u32,
        mem: u32,
        encoding: StringEncoding,
    },
    /// Call adapter function `n` (interface imports come first in that index
    /// space).
    CallAdapter(u32),
    /// Type-check (without popping) the top of the stack against core function
    /// `n`'s params and call it with those values when the adapter exits —
    /// normally or not. Used to free what a lift copied out.
    DeferCallCore(u32),
    /// A scalar conversion such as `i32-to-u8`.
    Convert(Conversion),
    /// Extension: `[f1 … fn] → [T]` for a record or tuple `T`.
    RecordLift(ValType),
    /// Extension: `[T] → [f1 … fn]` for a record or tuple `T`.
    RecordLower(ValType),
    /// Extension: `[flat(T)] → [T]`, the canonical flat lift (strings and lists
    /// inside are read from memory).
    ValueLift { ty: ValType, mem: MemArg },
    /// Extension: `[T] → [flat(T)]`, allocating strings and lists with
    /// `malloc`.
    ValueLower {
        ty: ValType,
        malloc: u32,
        mem: MemArg,
    },
    /// Extension: `[i32 ptr] → [T]`, reading the canonical layout at `ptr`.
    ValueLoad { ty: ValType, mem: MemArg },
    /// Extension: `[i32 ptr, T] → []`, writing the canonical layout at `ptr`
    /// (a return area the caller provided).
    ValueStore {
        ty: ValType,
        malloc: u32,
        mem: MemArg,
    },
    /// Extension: `[T] → [i32 ptr]`, allocating `size(T)` bytes with `malloc`
    /// and writing the canonical layout there.
    ValueStoreNew {
        ty: ValType,
        malloc: u32,
        mem: MemArg,
    },
}

/// Opcodes of the binary format.
pub mod opcode {
    pub use intertype_format::opcode::*;
}

use intertype_format::conversion;

macro_rules! conversions {
    ($($variant:ident = $op:ident, $name:literal, $from:ident -> $to:ident, $checked:literal;)*) => {
        /// The scalar conversions: the 39 of the reference plus `bool`/`char`.
        ///
        /// Lifting conversions (`i32-to-u8`, …) take a core value and produce an
        /// interface value; lowering ones (`u8-to-i32`, …) the reverse. The `x`
        /// forms trap instead of truncating when the value does not fit.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Conversion {
            $($variant,)*
        }

        impl Conversion {
            /// Every conversion, in opcode order.
            pub const ALL: &'static [Conversion] = &[$(Conversion::$variant,)*];

            pub fn opcode(self) -> u8 {
                match self { $(Conversion::$variant => conversion::$op,)* }
            }

            /// The text spelling, e.g. `i32-to-s8x`.
            pub fn name(self) -> &'static str {
                match self { $(Conversion::$variant => $name,)* }
            }

            /// The type popped.
            pub fn from(self) -> ValType {
                match self { $(Conversion::$variant => ValType::$from,)* }
            }

            /// The type pushed.
            pub fn to(self) -> ValType {
                match self { $(Conversion::$variant => ValType::$to,)* }
            }

            /// Whether an out-of-range value traps (the `x` forms and `i32-to-char`)
            /// rather than being truncated or wrapped.
            pub fn is_checked(self) -> bool {
                match self { $(Conversion::$variant => $checked,)* }
            }
        }
    };
}

conversions! {
    I32ToS8 = I32_TO_S8, "i32-to-s8", I32 -> S8, false;
    I32ToS8X = I32_TO_S8X, "i32-to-s8x", I32 -> S8, true;
    I32ToU8 = I32_TO_U8, "i32-to-u8", I32 -> U8, false;
    I32ToS16 = I32_TO_S16, "i32-to-s16", I32 -> S16, false;
    I32ToS16X = I32_TO_S16X, "i32-to-s16x", I32 -> S16, true;
    I32ToU16 = I32_TO_U16, "i32-to-u16", I32 -> U16, false;
    I32ToS32 = I32_TO_S32, "i32-to-s32", I32 -> S32, false;
    I32ToU32 = I32_TO_U32, "i32-to-u32", I32 -> U32, false;
    I32ToS64 = I32_TO_S64, "i32-to-s64", I32 -> S64, false;
    I32ToU64 = I32_TO_U64, "i32-to-u64", I32 -> U64, false;
    I64ToS8 = I64_TO_S8, "i64-to-s8", I64 -> S8, false;
    I64ToS8X = I64_TO_S8X, "i64-to-s8x", I64 -> S8, true;
    I64ToU8 = I64_TO_U8, "i64-to-u8", I64 -> U8, false;
    I64ToS16 = I64_TO_S16, "i64-to-s16", I64 -> S16, false;
    I64ToS16X = I64_TO_S16X, "i64-to-s16x", I64 -> S16, true;
    I64ToU16 = I64_TO_U16, "i64-to-u16", I64 -> U16, false;
    I64ToS32 = I64_TO_S32, "i64-to-s32", I64 -> S32, false;
    I64ToS32X = I64_TO_S32X, "i64-to-s32x", I64 -> S32, true;
    I64ToU32 = I64_TO_U32, "i64-to-u32", I64 -> U32, false;
    I64ToS64 = I64_TO_S64, "i64-to-s64", I64 -> S64, false;
    I64ToU64 = I64_TO_U64, "i64-to-u64", I64 -> U64, false;
    S8ToI32 = S8_TO_I32, "s8-to-i32", S8 -> I32, false;
    U8ToI32 = U8_TO_I32, "u8-to-i32", U8 -> I32, false;
    S16ToI32 = S16_TO_I32, "s16-to-i32", S16 -> I32, false;
    U16ToI32 = U16_TO_I32, "u16-to-i32", U16 -> I32, false;
    S32ToI32 = S32_TO_I32, "s32-to-i32", S32 -> I32, false;
    U32ToI32 = U32_TO_I32, "u32-to-i32", U32 -> I32, false;
    S64ToI32 = S64_TO_I32, "s64-to-i32", S64 -> I32, false;
    S64ToI32X = S64_TO_I32X, "s64-to-i32x", S64 -> I32, true;
    U64ToI32 = U64_TO_I32, "u64-to-i32", U64 -> I32, false;
    U64ToI32X = U64_TO_I32X, "u64-to-i32x", U64 -> I32, true;
    S8ToI64 = S8_TO_I64, "s8-to-i64", S8 -> I64, false;
    U8ToI64 = U8_TO_I64, "u8-to-i64", U8 -> I64, false;
    S16ToI64 = S16_TO_I64, "s16-to-i64", S16 -> I64, false;
    U16ToI64 = U16_TO_I64, "u16-to-i64", U16 -> I64, false;
    S32ToI64 = S32_TO_I64, "s32-to-i64", S32 -> I64, false;
    U32ToI64 = U32_TO_I64, "u32-to-i64", U32 -> I64, false;
    S64ToI64 = S64_TO_I64, "s64-to-i64", S64 -> I64, false;
    U64ToI64 = U64_TO_I64, "u64-to-i64", U64 -> I64, false;
    I32ToBool = I32_TO_BOOL, "i32-to-bool", I32 -> Bool, false;
    BoolToI32 = BOOL_TO_I32, "bool-to-i32", Bool -> I32, false;
    I32ToChar = I32_TO_CHAR, "i32-to-char", I32 -> Char, true;
    CharToI32 = CHAR_TO_I32, "char-to-i32", Char -> I32, false;
}

impl Conversion {
    pub fn from_opcode(op: u8) -> Option<Conversion> {
        Self::ALL.iter().copied().find(|c| c.opcode() == op)
    }

    pub fn from_name(name: &str) -> Option<Conversion> {
        Self::ALL.iter().copied().find(|c| c.name() == name)
    }

    /// Whether the 2019 reference format has this conversion.
    pub fn is_reference(self) -> bool {
        self.opcode() <= conversion::LAST_REFERENCE
    }
}

impl Instruction {
    /// The text mnemonic (the canonical spelling the printer writes).
    pub fn mnemonic(&self) -> &'static str {
        match self {
            Instruction::ArgGet(_) => "arg.get",
            Instruction::CallCore(_) => "call-core",
            Instruction::MemoryToString { .. } => "memory-to-string",
            Instruction::StringToMemory { .. } => "string-to-memory",
            Instruction::CallAdapter(_) => "call-adapter",
            Instruction::DeferCallCore(_) => "defer-call-core",
            Instruction::Convert(c) => c.name(),
            Instruction::RecordLift(_) => "record.lift",
            Instruction::RecordLower(_) => "record.lower",
            Instruction::ValueLift { .. } => "value.lift",
            Instruction::ValueLower { .. } => "value.lower",
            Instruction::ValueLoad { .. } => "value.load",
            Instruction::ValueStore { .. } => "value.store",
            Instruction::ValueStoreNew { .. } => "value.store_new",
        }
    }

    /// Whether the 2019 reference format can express this instruction.
    pub fn is_reference(&self) -> bool {
        match self {
            Instruction::ArgGet(_)
            | Instruction::CallCore(_)
            | Instruction::CallAdapter(_)
            | Instruction::DeferCallCore(_) => true,
            Instruction::MemoryToString { encoding, .. }
            | Instruction::StringToMemory { encoding, .. } => *encoding == StringEncoding::Utf8,
            Instruction::Convert(c) => c.is_reference(),
            _ => false,
        }
    }

    /// The value type immediate, for the instructions that have one.
    pub fn type_immediate(&self) -> Option<ValType> {
        match self {
            Instruction::RecordLift(t) | Instruction::RecordLower(t) => Some(*t),
            Instruction::ValueLift { ty, .. }
            | Instruction::ValueLower { ty, .. }
            | Instruction::ValueLoad { ty, .. }
            | Instruction::ValueStore { ty, .. }
            | Instruction::ValueStoreNew { ty, .. } => Some(*ty),
            _ => None,
        }
    }
}

impl fmt::Display for Conversion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
