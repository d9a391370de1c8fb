//! Trap codes: how a fused function says which module broke which rule.
//!
//! A fused function cannot return an error, so on a guest's misbehaviour it
//! runs the deferred calls reached so far, stores a code in the adapter
//! module's exported global [`TRAP_CODE_GLOBAL`] and executes `unreachable`.
//! Around every call into a guest's core code (the callee, an allocator, a
//! deferred call) the global holds [`FaultKind::CoreTrap`] for that side and
//! is reset to 0 when the call returns, so a trap inside guest code is also
//! attributed. The engine reads the global after a trap out of a fused call
//! (0: the trap did not come from the adapter or its callees, i.e. the
//! importer's own code) and resets it.
//!
//! `code = side << 8 | kind`: side 0 is the importer (the module whose
//! import is being satisfied), side `n >= 1` the `n`th exporter of the link
//! (in the order given to [`compile`](crate::compile)).

use std::fmt;

/// The name of the exported mutable `i32` global holding the last fault.
pub const TRAP_CODE_GLOBAL: &str = "trap-code";

/// Which rule was broken; the numbering is part of the adapter module's
/// interface (`docs/linking.md`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum FaultKind {
    /// A `(ptr, len)` or pointer outside linear memory (engine:
    /// `Misbehavior::OutOfBounds`).
    OutOfBounds = 1,
    /// A pointer not aligned as its data requires (`Misaligned`).
    Misaligned = 2,
    /// Bytes that are not valid UTF-8 / UTF-16 (`InvalidEncoding`).
    InvalidEncoding = 3,
    /// An allocator result out of bounds or misaligned (`BadAllocation`).
    BadAllocation = 4,
    /// A length whose byte size overflows 32 bits (`LengthOverflow`).
    LengthOverflow = 5,
    /// A checked conversion out of range, a `char` that is not a Unicode
    /// scalar value, a discriminant past the last case, flag bits past the
    /// last flag (`InvalidValue`).
    InvalidValue = 6,
    /// A value this side's adapter cannot represent: a string with a
    /// character above U+00FF for Latin-1, an integer outside the range of
    /// a checked lowering (`s64-to-i32x`, `u64-to-i32x`); the engine
    /// reports this as a type error.
    Unrepresentable = 7,
    /// A trap inside this side's core code (its function, allocator or a
    /// deferred call); the engine reports the trap itself.
    CoreTrap = 8,
}

impl FaultKind {
    pub const ALL: [FaultKind; 8] = [
        FaultKind::OutOfBounds,
        FaultKind::Misaligned,
        FaultKind::InvalidEncoding,
        FaultKind::BadAllocation,
        FaultKind::LengthOverflow,
        FaultKind::InvalidValue,
        FaultKind::Unrepresentable,
        FaultKind::CoreTrap,
    ];
}

/// A fault: which side, which rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Fault {
    /// 0: the importer; `n`: the `n`th exporter.
    pub side: u32,
    pub kind: FaultKind,
}

impl Fault {
    pub fn new(side: u32, kind: FaultKind) -> Fault {
        Fault { side, kind }
    }

    /// The value stored in [`TRAP_CODE_GLOBAL`].
    pub fn code(self) -> u32 {
        self.side << 8 | self.kind as u32
    }

    /// Decodes a trap code; `None` for 0 and unknown codes.
    pub fn from_code(code: u32) -> Option<Fault> {
        let kind = FaultKind::ALL
            .into_iter()
            .find(|k| *k as u32 == code & 0xff)?;
        Some(Fault {
            side: code >> 8,
            kind,
        })
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let side = if self.side == 0 {
            "the importer".to_string()
        } else {
            format!("exporter {}", self.side)
        };
        let what = match self.kind {
            FaultKind::OutOfBounds => "gave a pointer or range outside its memory",
            FaultKind::Misaligned => "gave a misaligned pointer",
            FaultKind::InvalidEncoding => "gave a string that is not valid in its encoding",
            FaultKind::BadAllocation => "returned a bad allocation",
            FaultKind::LengthOverflow => "gave a length that overflows 32-bit memory",
            FaultKind::InvalidValue => "gave a value outside its interface type",
            FaultKind::Unrepresentable => "cannot represent the value it was given",
            FaultKind::CoreTrap => "trapped in its core code",
        };
        write!(f, "{side} {what}")
    }
}
