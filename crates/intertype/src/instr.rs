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

macro_rules! conversions {
    ($($variant:ident = $op:literal, $name:literal, $from:ident -> $to:ident, $checked:literal;)*) => {
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
                match self { $(Conversion::$variant => $op,)* }
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
    I32ToS8 = 0x07, "i32-to-s8", I32 -> S8, false;
    I32ToS8X = 0x08, "i32-to-s8x", I32 -> S8, true;
    I32ToU8 = 0x09, "i32-to-u8", I32 -> U8, false;
    I32ToS16 = 0x0a, "i32-to-s16", I32 -> S16, false;
    I32ToS16X = 0x0b, "i32-to-s16x", I32 -> S16, true;
    I32ToU16 = 0x0c, "i32-to-u16", I32 -> U16, false;
    I32ToS32 = 0x0d, "i32-to-s32", I32 -> S32, false;
    I32ToU32 = 0x0e, "i32-to-u32", I32 -> U32, false;
    I32ToS64 = 0x0f, "i32-to-s64", I32 -> S64, false;
    I32ToU64 = 0x10, "i32-to-u64", I32 -> U64, false;
    I64ToS8 = 0x11, "i64-to-s8", I64 -> S8, false;
    I64ToS8X = 0x12, "i64-to-s8x", I64 -> S8, true;
    I64ToU8 = 0x13, "i64-to-u8", I64 -> U8, false;
    I64ToS16 = 0x14, "i64-to-s16", I64 -> S16, false;
    I64ToS16X = 0x15, "i64-to-s16x", I64 -> S16, true;
    I64ToU16 = 0x16, "i64-to-u16", I64 -> U16, false;
    I64ToS32 = 0x17, "i64-to-s32", I64 -> S32, false;
    I64ToS32X = 0x18, "i64-to-s32x", I64 -> S32, true;
    I64ToU32 = 0x19, "i64-to-u32", I64 -> U32, false;
    I64ToS64 = 0x1a, "i64-to-s64", I64 -> S64, false;
    I64ToU64 = 0x1b, "i64-to-u64", I64 -> U64, false;
    S8ToI32 = 0x1c, "s8-to-i32", S8 -> I32, false;
    U8ToI32 = 0x1d, "u8-to-i32", U8 -> I32, false;
    S16ToI32 = 0x1e, "s16-to-i32", S16 -> I32, false;
    U16ToI32 = 0x1f, "u16-to-i32", U16 -> I32, false;
    S32ToI32 = 0x20, "s32-to-i32", S32 -> I32, false;
    U32ToI32 = 0x21, "u32-to-i32", U32 -> I32, false;
    S64ToI32 = 0x22, "s64-to-i32", S64 -> I32, false;
    S64ToI32X = 0x23, "s64-to-i32x", S64 -> I32, true;
    U64ToI32 = 0x24, "u64-to-i32", U64 -> I32, false;
    U64ToI32X = 0x25, "u64-to-i32x", U64 -> I32, true;
    S8ToI64 = 0x26, "s8-to-i64", S8 -> I64, false;
    U8ToI64 = 0x27, "u8-to-i64", U8 -> I64, false;
    S16ToI64 = 0x28, "s16-to-i64", S16 -> I64, false;
    U16ToI64 = 0x29, "u16-to-i64", U16 -> I64, false;
    S32ToI64 = 0x2a, "s32-to-i64", S32 -> I64, false;
    U32ToI64 = 0x2b, "u32-to-i64", U32 -> I64, false;
    S64ToI64 = 0x2c, "s64-to-i64", S64 -> I64, false;
    U64ToI64 = 0x2d, "u64-to-i64", U64 -> I64, false;
    I32ToBool = 0x40, "i32-to-bool", I32 -> Bool, false;
    BoolToI32 = 0x41, "bool-to-i32", Bool -> I32, false;
    I32ToChar = 0x42, "i32-to-char", I32 -> Char, true;
    CharToI32 = 0x43, "char-to-i32", Char -> I32, false;
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
        self.opcode() <= 0x2d
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
