//! One table of the facts both sides of the format must agree on
//! (`docs/format.md` §1 and §3): the byte codes of the
//! `wasm-interface-types` section and the rules of the canonical memory
//! layout. `no_std`, no dependencies and `const fn` throughout, so the
//! guest's compile-time encoder (`intertype-guest`'s `desc.rs`) and the host
//! crates (`intertype`'s reader and writer, `intertype::layout`, the
//! engine's shapes) read the same numbers.
#![no_std]

/// Subsection ids.
pub mod subsection {
    pub const TYPES: u8 = 0;
    pub const IMPORTS: u8 = 1;
    pub const FUNCS: u8 = 2;
    pub const EXPORTS: u8 = 3;
    pub const IMPLEMENTS: u8 = 4;
    /// Extension: names of type definitions.
    pub const TYPE_NAMES: u8 = 5;
    /// Extension, fragments only: the core functions a fragment refers to,
    /// by name.
    pub const CORE_NAMES: u8 = 6;
    /// Extension: documentation of adapter functions.
    pub const DOCS: u8 = 7;
    /// Extension: parameter names of adapter functions.
    pub const PARAM_NAMES: u8 = 8;
    /// Not a subsection: the length byte of the version string `intertype/1`,
    /// which starts the next fragment of a payload.
    pub const NEXT_FRAGMENT: u8 = 0x0b;
}

/// Form bytes of type definitions.
pub mod form {
    pub const FUNC: u8 = 0x40;
    pub const RECORD: u8 = 0x41;
    pub const VARIANT: u8 = 0x42;
    pub const ENUM: u8 = 0x43;
    pub const FLAGS: u8 = 0x44;
    pub const LIST: u8 = 0x45;
    pub const OPTION: u8 = 0x46;
    pub const RESULT: u8 = 0x47;
    pub const TUPLE: u8 = 0x48;
}

/// Value type codes: the fourteen of the reference (`0x00..=0x0d`, in this
/// order) and the extension's.
pub mod valtype_code {
    pub const S8: u8 = 0x00;
    pub const S16: u8 = 0x01;
    pub const S32: u8 = 0x02;
    pub const S64: u8 = 0x03;
    pub const U8: u8 = 0x04;
    pub const U16: u8 = 0x05;
    pub const U32: u8 = 0x06;
    pub const U64: u8 = 0x07;
    pub const F32: u8 = 0x08;
    pub const F64: u8 = 0x09;
    pub const STRING: u8 = 0x0a;
    pub const EXTERNREF: u8 = 0x0b;
    pub const I32: u8 = 0x0c;
    pub const I64: u8 = 0x0d;
    pub const BOOL: u8 = 0x0e;
    pub const CHAR: u8 = 0x0f;
    /// Followed by a `u32` type index.
    pub const TYPE: u8 = 0x10;
}

/// The marker before a variant case's or result arm's payload.
pub mod case_type {
    /// No payload.
    pub const NONE: u8 = 0x00;
    /// Followed by a value type.
    pub const SOME: u8 = 0x01;
}

/// How subsection 6 names a core function.
pub mod core_name {
    /// `name:str`: the core function exported as `name`.
    pub const EXPORT: u8 = 0x00;
    /// `module:str name:str`: the core function imported so.
    pub const IMPORT: u8 = 0x01;
}

/// Instruction opcodes (the scalar conversions are in [`conversion`]).
pub mod opcode {
    pub const ARG_GET: u8 = 0x00;
    pub const CALL_CORE: u8 = 0x01;
    pub const END: u8 = 0x02;
    pub const MEMORY_TO_STRING: u8 = 0x03;
    pub const STRING_TO_MEMORY: u8 = 0x04;
    pub const CALL_ADAPTER: u8 = 0x05;
    pub const DEFER_CALL_CORE: u8 = 0x06;
    /// `memory-to-string` with a non-UTF-8 encoding.
    pub const MEMORY_TO_STRING_ENC: u8 = 0x44;
    /// `string-to-memory` with a non-UTF-8 encoding.
    pub const STRING_TO_MEMORY_ENC: u8 = 0x45;
    pub const RECORD_LIFT: u8 = 0x46;
    pub const RECORD_LOWER: u8 = 0x47;
    pub const VALUE_LIFT: u8 = 0x48;
    pub const VALUE_LOWER: u8 = 0x49;
    pub const VALUE_LOAD: u8 = 0x4a;
    pub const VALUE_STORE: u8 = 0x4b;
    pub const VALUE_STORE_NEW: u8 = 0x4c;
}

/// Opcodes of the scalar conversions, named as in the text format
/// (`i32-to-s8` is `I32_TO_S8`): the 39 of the reference (`0x07..=0x2d`)
/// and the extension's `bool`/`char` ones (`0x40..=0x43`). `intertype`'s
/// `Conversion` adds their names and types.
pub mod conversion {
    pub const I32_TO_S8: u8 = 0x07;
    pub const I32_TO_S8X: u8 = 0x08;
    pub const I32_TO_U8: u8 = 0x09;
    pub const I32_TO_S16: u8 = 0x0a;
    pub const I32_TO_S16X: u8 = 0x0b;
    pub const I32_TO_U16: u8 = 0x0c;
    pub const I32_TO_S32: u8 = 0x0d;
    pub const I32_TO_U32: u8 = 0x0e;
    pub const I32_TO_S64: u8 = 0x0f;
    pub const I32_TO_U64: u8 = 0x10;
    pub const I64_TO_S8: u8 = 0x11;
    pub const I64_TO_S8X: u8 = 0x12;
    pub const I64_TO_U8: u8 = 0x13;
    pub const I64_TO_S16: u8 = 0x14;
    pub const I64_TO_S16X: u8 = 0x15;
    pub const I64_TO_U16: u8 = 0x16;
    pub const I64_TO_S32: u8 = 0x17;
    pub const I64_TO_S32X: u8 = 0x18;
    pub const I64_TO_U32: u8 = 0x19;
    pub const I64_TO_S64: u8 = 0x1a;
    pub const I64_TO_U64: u8 = 0x1b;
    pub const S8_TO_I32: u8 = 0x1c;
    pub const U8_TO_I32: u8 = 0x1d;
    pub const S16_TO_I32: u8 = 0x1e;
    pub const U16_TO_I32: u8 = 0x1f;
    pub const S32_TO_I32: u8 = 0x20;
    pub const U32_TO_I32: u8 = 0x21;
    pub const S64_TO_I32: u8 = 0x22;
    pub const S64_TO_I32X: u8 = 0x23;
    pub const U64_TO_I32: u8 = 0x24;
    pub const U64_TO_I32X: u8 = 0x25;
    pub const S8_TO_I64: u8 = 0x26;
    pub const U8_TO_I64: u8 = 0x27;
    pub const S16_TO_I64: u8 = 0x28;
    pub const U16_TO_I64: u8 = 0x29;
    pub const S32_TO_I64: u8 = 0x2a;
    pub const U32_TO_I64: u8 = 0x2b;
    pub const S64_TO_I64: u8 = 0x2c;
    pub const U64_TO_I64: u8 = 0x2d;
    pub const I32_TO_BOOL: u8 = 0x40;
    pub const BOOL_TO_I32: u8 = 0x41;
    pub const I32_TO_CHAR: u8 = 0x42;
    pub const CHAR_TO_I32: u8 = 0x43;
    /// The last opcode of the reference conversions.
    pub const LAST_REFERENCE: u8 = U64_TO_I64;
}

/// The rules of the canonical layout (`docs/format.md` §3) that are plain
/// numbers; type-directed layout is `intertype::layout`.
pub mod layout {
    /// Size and alignment of a string or list: `(ptr: u32, len: u32)`.
    pub const POINTER_PAIR: (u32, u32) = (8, 4);

    /// The size (and alignment) in bytes of the discriminant of a variant
    /// with `cases` cases: 1 up to 256 cases, 2 up to 65536, else 4.
    pub const fn discriminant_size(cases: usize) -> u32 {
        if cases <= 1 << 8 {
            1
        } else if cases <= 1 << 16 {
            2
        } else {
            4
        }
    }

    /// The number of 32-bit words of a flags value with `n` flags, `⌈n/32⌉`
    /// (saturating at `u32::MAX`); also the length of its flat form.
    pub const fn flags_words(n: usize) -> u32 {
        let words = n.div_ceil(32);
        if words > u32::MAX as usize {
            u32::MAX
        } else {
            words as u32
        }
    }

    /// Size and alignment of `n` flags in memory: nothing for none, one byte
    /// up to 8, two up to 16, else `⌈n/32⌉` 32-bit words (size saturating at
    /// `u32::MAX`).
    pub const fn flags_size_align(n: usize) -> (u32, u32) {
        match n {
            0 => (0, 1),
            1..=8 => (1, 1),
            9..=16 => (2, 2),
            _ => (flags_words(n).saturating_mul(4), 4),
        }
    }

    /// Rounds `offset` up to a multiple of `align`; `None` on overflow or
    /// when `align` is not a power of two.
    pub const fn align_to(offset: u32, align: u32) -> Option<u32> {
        if !align.is_power_of_two() {
            return None;
        }
        let mask = align - 1;
        match offset.checked_add(mask) {
            Some(x) => Some(x & !mask),
            None => None,
        }
    }

    /// Joins two core types (as [`valtype_code`]s `I32`, `I64`, `F32`,
    /// `F64`, `EXTERNREF`) that share one flat position of a variant: equal
    /// types stay, `i32` with `f32` gives `i32`, any other pair of numbers
    /// gives `i64`, and `externref` joins only with `externref`.
    ///
    /// [`valtype_code`]: crate::valtype_code
    pub const fn join(a: u8, b: u8) -> Option<u8> {
        use crate::valtype_code::{EXTERNREF, F32, I32, I64};
        if a == b {
            Some(a)
        } else if a == EXTERNREF || b == EXTERNREF {
            None
        } else if (a == I32 && b == F32) || (a == F32 && b == I32) {
            Some(I32)
        } else {
            Some(I64)
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn rules() {
            assert_eq!(discriminant_size(256), 1);
            assert_eq!(discriminant_size(257), 2);
            assert_eq!(discriminant_size(65537), 4);
            assert_eq!(flags_words(33), 2);
            assert_eq!(flags_size_align(0), (0, 1));
            assert_eq!(flags_size_align(9), (2, 2));
            assert_eq!(flags_size_align(17), (4, 4));
            assert_eq!(flags_size_align(33), (8, 4));
            assert_eq!(align_to(5, 4), Some(8));
            assert_eq!(align_to(u32::MAX, 2), None);
            assert_eq!(align_to(1, 3), None);
            use crate::valtype_code::{EXTERNREF, F32, F64, I32, I64};
            assert_eq!(join(F32, I32), Some(I32));
            assert_eq!(join(F32, F64), Some(I64));
            assert_eq!(join(I64, I64), Some(I64));
            assert_eq!(join(EXTERNREF, EXTERNREF), Some(EXTERNREF));
            assert_eq!(join(EXTERNREF, I32), None);
        }
    }
}
