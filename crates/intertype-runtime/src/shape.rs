//! Types compiled for execution: every size, alignment, field offset,
//! discriminant width and flat form of the canonical layout
//! (`docs/format.md` §3) computed once when a module is loaded, so lifting
//! and lowering never recompute a layout per call.

use crate::error::Error;
use crate::types::Type;
use intertype::CoreType;

/// A type with its canonical layout.
#[derive(Clone, Debug)]
pub(crate) struct Shape {
    pub size: u32,
    pub align: u32,
    /// Whether the type can live in linear memory (no `externref` inside).
    pub storable: bool,
    /// The flat form: the core values that carry it on the stack.
    pub flat: Vec<CoreType>,
    pub kind: Kind,
}

#[derive(Clone, Debug)]
pub(crate) enum Kind {
    Bool,
    S8,
    U8,
    S16,
    U16,
    S32,
    U32,
    S64,
    U64,
    F32,
    F64,
    Char,
    String,
    I32,
    I64,
    Externref,
    List(Box<Shape>),
    /// Record or tuple: the fields with their offsets.
    Record {
        fields: Vec<(u32, Shape)>,
        tuple: bool,
    },
    /// Variant, enum, option or result.
    Variant {
        form: VariantForm,
        /// Discriminant size in bytes: 1, 2 or 4.
        disc: u32,
        /// Offset of the payload.
        payload: u32,
        cases: Vec<Option<Shape>>,
    },
    Flags {
        count: u32,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum VariantForm {
    Variant,
    Enum,
    Option,
    Result,
}

fn align_to(x: u32, align: u32) -> Result<u32, Error> {
    x.checked_add(align - 1)
        .map(|v| v & !(align - 1))
        .ok_or_else(|| Error::load("type is too large for 32-bit memory"))
}

fn scalar(kind: Kind, size: u32, flat: CoreType) -> Shape {
    Shape {
        size,
        align: size,
        storable: true,
        flat: vec![flat],
        kind,
    }
}

/// Joins two flat types at one position (`docs/format.md` §3).
pub(crate) fn join(a: CoreType, b: CoreType) -> Option<CoreType> {
    use CoreType::*;
    Some(match (a, b) {
        _ if a == b => a,
        (Externref, _) | (_, Externref) => return None,
        (I32, F32) | (F32, I32) => I32,
        _ => I64,
    })
}

impl Shape {
    pub(crate) fn new(ty: &Type) -> Result<Shape, Error> {
        use CoreType::*;
        Ok(match ty {
            Type::Bool => scalar(Kind::Bool, 1, I32),
            Type::S8 => scalar(Kind::S8, 1, I32),
            Type::U8 => scalar(Kind::U8, 1, I32),
            Type::S16 => scalar(Kind::S16, 2, I32),
            Type::U16 => scalar(Kind::U16, 2, I32),
            Type::S32 => scalar(Kind::S32, 4, I32),
            Type::U32 => scalar(Kind::U32, 4, I32),
            Type::I32 => scalar(Kind::I32, 4, I32),
            Type::Char => scalar(Kind::Char, 4, I32),
            Type::S64 => scalar(Kind::S64, 8, I64),
            Type::U64 => scalar(Kind::U64, 8, I64),
            Type::I64 => scalar(Kind::I64, 8, I64),
            Type::F32 => scalar(Kind::F32, 4, F32),
            Type::F64 => scalar(Kind::F64, 8, F64),
            Type::String => Shape {
                size: 8,
                align: 4,
                storable: true,
                flat: vec![I32, I32],
                kind: Kind::String,
            },
            Type::Externref => Shape {
                size: 0,
                align: 1,
                storable: false,
                flat: vec![Externref],
                kind: Kind::Externref,
            },
            Type::List(elem) => {
                let elem = Shape::new(elem)?;
                Shape {
                    size: 8,
                    align: 4,
                    storable: elem.storable,
                    flat: vec![I32, I32],
                    kind: Kind::List(Box::new(elem)),
                }
            }
            Type::Record(fields) => record(fields.iter().map(|f| &f.ty), false)?,
            Type::Tuple(ts) => record(ts.iter(), true)?,
            Type::Variant(cases) => {
                variant(VariantForm::Variant, cases.iter().map(|c| c.ty.as_ref()))?
            }
            Type::Enum(names) => variant(VariantForm::Enum, names.iter().map(|_| None))?,
            Type::Option(t) => variant(VariantForm::Option, [None, Some(&**t)].into_iter())?,
            Type::Result { ok, err } => variant(
                VariantForm::Result,
                [ok.as_deref(), err.as_deref()].into_iter(),
            )?,
            Type::Flags(names) => {
                let n = u32::try_from(names.len()).map_err(|_| Error::load("too many flags"))?;
                let (size, align) = match n {
                    0 => (0, 1),
                    1..=8 => (1, 1),
                    9..=16 => (2, 2),
                    _ => (4 * n.div_ceil(32), 4),
                };
                Shape {
                    size,
                    align,
                    storable: true,
                    flat: vec![I32; n.div_ceil(32) as usize],
                    kind: Kind::Flags { count: n },
                }
            }
        })
    }

    /// The number of flags words of a flags shape.
    pub(crate) fn flag_words(count: u32) -> usize {
        count.div_ceil(32) as usize
    }
}

fn record<'a>(types: impl Iterator<Item = &'a Type>, tuple: bool) -> Result<Shape, Error> {
    let mut fields = Vec::new();
    let mut offset = 0u32;
    let mut align = 1u32;
    let mut storable = true;
    let mut flat = Vec::new();
    for t in types {
        let s = Shape::new(t)?;
        offset = align_to(offset, s.align)?;
        align = align.max(s.align);
        storable &= s.storable;
        flat.extend_from_slice(&s.flat);
        let next = offset
            .checked_add(s.size)
            .ok_or_else(|| Error::load("type is too large"))?;
        fields.push((offset, s));
        offset = next;
    }
    Ok(Shape {
        size: align_to(offset, align)?,
        align,
        storable,
        flat,
        kind: Kind::Record { fields, tuple },
    })
}

fn variant<'a>(
    form: VariantForm,
    cases: impl Iterator<Item = Option<&'a Type>>,
) -> Result<Shape, Error> {
    let cases = cases
        .map(|c| c.map(Shape::new).transpose())
        .collect::<Result<Vec<_>, _>>()?;
    let disc: u32 = match cases.len() {
        0 => return Err(Error::load("a variant needs at least one case")),
        1..=256 => 1,
        257..=65536 => 2,
        _ => 4,
    };
    let mut case_align = 1;
    let mut case_size = 0;
    let mut storable = true;
    let mut payload_flat: Vec<CoreType> = Vec::new();
    for c in cases.iter().flatten() {
        case_align = case_align.max(c.align);
        case_size = case_size.max(c.size);
        storable &= c.storable;
        for (i, t) in c.flat.iter().enumerate() {
            match payload_flat.get_mut(i) {
                Some(slot) => {
                    *slot = join(*slot, *t).ok_or_else(|| {
                        Error::load("variant cases put `externref` and a number in one flat slot")
                    })?
                }
                None => payload_flat.push(*t),
            }
        }
    }
    let payload = align_to(disc, case_align)?;
    let align = disc.max(case_align);
    let end = payload
        .checked_add(case_size)
        .ok_or_else(|| Error::load("type is too large"))?;
    let mut flat = vec![CoreType::I32];
    flat.extend(payload_flat);
    Ok(Shape {
        size: align_to(end, align)?,
        align,
        storable,
        flat,
        kind: Kind::Variant {
            form,
            disc,
            payload,
            cases,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layouts() {
        let s = Shape::new(&Type::record([
            ("a", Type::U8),
            ("b", Type::U32),
            ("c", Type::U16),
        ]))
        .unwrap();
        assert_eq!((s.size, s.align), (12, 4));
        let s = Shape::new(&Type::result(Some(Type::U64), Some(Type::String))).unwrap();
        assert_eq!((s.size, s.align), (16, 8));
        assert_eq!(s.flat, vec![CoreType::I32, CoreType::I64, CoreType::I32]);
        let s = Shape::new(&Type::option(Type::F32)).unwrap();
        assert_eq!(s.flat, vec![CoreType::I32, CoreType::F32]);
        let s = Shape::new(&Type::Flags((0..40).map(|i| i.to_string()).collect())).unwrap();
        assert_eq!((s.size, s.align, s.flat.len()), (8, 4, 2));
    }
}
