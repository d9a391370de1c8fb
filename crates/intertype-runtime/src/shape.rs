//! Types compiled for execution: every size, alignment, field offset,
//! discriminant width and flat form of the canonical layout
//! (`docs/format.md` §3) computed once when a module is loaded, so lifting
//! and lowering never recompute a layout per call.
//!
//! The rules themselves (alignment, joins, discriminant sizes, flag words)
//! are `intertype::layout`'s; a `Shape` is that layout unrolled into a tree
//! the engine walks. The tests below check, on every type of the extension
//! corpus and on a generated set, that the two agree.

use crate::error::Error;
use crate::plain::Plain;
use crate::types::Type;
use intertype::layout::{self, join};
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
    /// The plain memory form (`plain.rs`), if the type has one: integers
    /// and floats other than `bool` and `char`, records and tuples of them.
    pub plain: Option<Plain>,
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

/// [`Shape::plain`] of a shape whose fields' forms are known.
fn plain_form(shape: &Shape) -> Option<Plain> {
    let plain = match &shape.kind {
        Kind::S8
        | Kind::U8
        | Kind::S16
        | Kind::U16
        | Kind::S32
        | Kind::U32
        | Kind::F32
        | Kind::S64
        | Kind::U64
        | Kind::F64 => true,
        Kind::Record { fields, .. } => {
            !fields.is_empty() && fields.iter().all(|(_, f)| f.plain.is_some())
        }
        _ => false,
    };
    (plain && shape.size > 0).then_some(Plain {
        size: shape.size,
        align: shape.align,
    })
}

fn align_to(x: u32, align: u32) -> Result<u32, Error> {
    layout::align_to(x, align).ok_or_else(|| Error::load("type is too large for 32-bit memory"))
}

fn scalar(kind: Kind, size: u32, flat: CoreType) -> Shape {
    Shape {
        size,
        align: size,
        storable: true,
        flat: vec![flat],
        kind,
        plain: None,
    }
}

impl Shape {
    pub(crate) fn new(ty: &Type) -> Result<Shape, Error> {
        let mut shape = Self::unrolled(ty)?;
        shape.plain = plain_form(&shape);
        Ok(shape)
    }

    fn unrolled(ty: &Type) -> Result<Shape, Error> {
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
                size: layout::POINTER_PAIR.0,
                align: layout::POINTER_PAIR.1,
                storable: true,
                flat: vec![I32, I32],
                kind: Kind::String,
                plain: None,
            },
            Type::Externref => Shape {
                size: 0,
                align: 1,
                storable: false,
                flat: vec![Externref],
                kind: Kind::Externref,
                plain: None,
            },
            Type::List(elem) => {
                let elem = Shape::new(elem)?;
                Shape {
                    size: layout::POINTER_PAIR.0,
                    align: layout::POINTER_PAIR.1,
                    storable: elem.storable,
                    flat: vec![I32, I32],
                    kind: Kind::List(Box::new(elem)),
                    plain: None,
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
                let (size, align) = layout::flags_size_align(names.len());
                Shape {
                    size,
                    align,
                    storable: true,
                    flat: vec![I32; Shape::flag_words(n)],
                    kind: Kind::Flags { count: n },
                    plain: None,
                }
            }
        })
    }

    /// The number of flags words of a flags shape.
    pub(crate) fn flag_words(count: u32) -> usize {
        layout::flags_words(count as usize) as usize
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
        plain: None,
    })
}

fn variant<'a>(
    form: VariantForm,
    cases: impl Iterator<Item = Option<&'a Type>>,
) -> Result<Shape, Error> {
    let cases = cases
        .map(|c| c.map(Shape::new).transpose())
        .collect::<Result<Vec<_>, _>>()?;
    if cases.is_empty() {
        return Err(Error::load("a variant needs at least one case"));
    }
    let disc = layout::discriminant_size(cases.len());
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
        plain: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use intertype::layout::{Layout, LayoutError};
    use intertype::{Booklet, Case, Field, TypeDef, ValType};

    /// Checks `shape` (built from the resolved `ty`) against `intertype::layout`.
    fn agree(types: &[TypeDef], ty: ValType, shape: &Shape) {
        let what = format!("{ty:?} in {types:?}");
        match layout::layout(types, ty) {
            Ok(Layout { size, align }) => {
                assert!(shape.storable, "{what}");
                assert_eq!((shape.size, shape.align), (size, align), "{what}");
            }
            Err(LayoutError::ExternrefInMemory) => assert!(!shape.storable, "{what}"),
            Err(e) => panic!("{what}: {e}"),
        }
        match layout::flatten(types, ty) {
            Ok(flat) => assert_eq!(shape.flat, flat, "{what}"),
            // Lists of externrefs have no flat form; the engine rejects them
            // where they would be stored.
            Err(LayoutError::ExternrefInMemory) => assert!(!shape.storable, "{what}"),
            Err(e) => panic!("{what}: {e}"),
        }
        let def = match ty {
            ValType::Type(i) => &types[i as usize],
            _ => return,
        };
        match (def, &shape.kind) {
            (TypeDef::Record(_) | TypeDef::Tuple(_), Kind::Record { fields, .. }) => {
                let tys = layout::record_fields(types, ty).unwrap();
                if shape.storable {
                    let offsets = layout::field_offsets(types, &tys).unwrap();
                    let mine: Vec<u32> = fields.iter().map(|(o, _)| *o).collect();
                    assert_eq!(mine, offsets, "{what}");
                }
                for (t, (_, s)) in tys.iter().zip(fields) {
                    agree(types, *t, s);
                }
            }
            (
                _,
                Kind::Variant {
                    disc,
                    payload,
                    cases,
                    ..
                },
            ) => {
                let tys = layout::variant_cases(types, ty).unwrap();
                assert_eq!(*disc, layout::discriminant_size(tys.len()), "{what}");
                if shape.storable {
                    let off = layout::variant_payload_offset(types, &tys).unwrap();
                    assert_eq!(*payload, off, "{what}");
                }
                for (t, s) in tys.iter().zip(cases) {
                    match (t, s) {
                        (Some(t), Some(s)) => agree(types, *t, s),
                        (None, None) => {}
                        _ => panic!("{what}: case payloads differ"),
                    }
                }
            }
            (TypeDef::List(t), Kind::List(elem)) => agree(types, *t, elem),
            (TypeDef::Flags(_) | TypeDef::Enum(_), _) => {}
            (d, k) => panic!("{what}: definition {d:?} became {k:?}"),
        }
    }

    fn check_all(booklet: &Booklet) -> usize {
        let mut checked = 0;
        let mut tys: Vec<ValType> = (0..booklet.types.len() as u32)
            .filter(|i| !matches!(booklet.types[*i as usize], TypeDef::Func(_)))
            .map(ValType::Type)
            .collect();
        for d in &booklet.types {
            if let TypeDef::Func(f) = d {
                tys.extend(f.params.iter().chain(&f.results).copied());
            }
        }
        for ty in tys {
            let resolved = Type::from_booklet(booklet, ty).unwrap();
            let shape = Shape::new(&resolved).unwrap();
            agree(&booklet.types, ty, &shape);
            checked += 1;
        }
        checked
    }

    #[test]
    fn agrees_with_the_format_crate_on_the_corpus() {
        let dir =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/corpus/extension");
        let mut checked = 0;
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|e| e != "wat") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let wasm = intertype::parse_str(&text, Some(&path)).unwrap();
            let m = intertype::Module::from_binary(&wasm).unwrap();
            checked += check_all(&m.booklet);
        }
        assert!(checked > 20, "only {checked} types checked");
    }

    /// A deterministic pseudo-random type space: every definition refers
    /// only to primitives and earlier definitions.
    fn generated(seed: u64, n: usize) -> Vec<TypeDef> {
        let mut state = seed;
        let mut next = move |m: usize| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((state >> 33) as usize) % m
        };
        const PRIMS: [ValType; 16] = [
            ValType::Bool,
            ValType::S8,
            ValType::U8,
            ValType::S16,
            ValType::U16,
            ValType::S32,
            ValType::U32,
            ValType::S64,
            ValType::U64,
            ValType::F32,
            ValType::F64,
            ValType::Char,
            ValType::String,
            ValType::I32,
            ValType::I64,
            ValType::Externref,
        ];
        let mut types: Vec<TypeDef> = Vec::new();
        for i in 0..n {
            let val = |next: &mut dyn FnMut(usize) -> usize| {
                if i > 0 && next(3) == 0 {
                    ValType::Type(next(i) as u32)
                } else {
                    // Externref rarely, so that most types stay storable.
                    let m = if next(8) == 0 { 16 } else { 15 };
                    PRIMS[next(m)]
                }
            };
            let names = |k: usize| (0..k).map(|j| format!("n{j}")).collect::<Vec<_>>();
            let def = match next(8) {
                0 => TypeDef::Record(
                    (0..1 + next(4))
                        .map(|j| Field {
                            name: format!("f{j}"),
                            ty: val(&mut next),
                        })
                        .collect(),
                ),
                1 => TypeDef::Tuple((0..1 + next(4)).map(|_| val(&mut next)).collect()),
                2 => TypeDef::Variant(
                    (0..1 + next(4))
                        .map(|j| Case {
                            name: format!("c{j}"),
                            ty: (next(3) != 0).then(|| val(&mut next)),
                        })
                        .collect(),
                ),
                3 => TypeDef::Option(val(&mut next)),
                4 => TypeDef::Result {
                    ok: (next(3) != 0).then(|| val(&mut next)),
                    err: (next(3) != 0).then(|| val(&mut next)),
                },
                5 => TypeDef::List(val(&mut next)),
                6 => TypeDef::Flags(names([0, 1, 8, 9, 16, 17, 32, 33, 70][next(9)])),
                _ => TypeDef::Enum(names([1, 2, 256, 257][next(4)])),
            };
            types.push(def);
        }
        types
    }

    #[test]
    fn agrees_with_the_format_crate_on_generated_types() {
        let mut checked = 0;
        for seed in 0..20 {
            let types = generated(seed, 60);
            // Skip definitions whose flat form cannot exist (externref joined
            // with a number) or whose expansion is too large: both are load
            // errors the validator reports, not layouts to compare.
            let booklet = Booklet {
                types,
                ..Booklet::default()
            };
            for i in 0..booklet.types.len() as u32 {
                let ty = ValType::Type(i);
                let Ok(resolved) = Type::from_booklet(&booklet, ty) else {
                    continue;
                };
                let Ok(shape) = Shape::new(&resolved) else {
                    assert!(
                        matches!(
                            layout::flatten(&booklet.types, ty),
                            Err(LayoutError::ImpossibleJoin(..))
                        ) || layout::layout(&booklet.types, ty).is_err(),
                        "{ty:?} in {:?}",
                        booklet.types
                    );
                    continue;
                };
                if matches!(
                    layout::flatten(&booklet.types, ty),
                    Err(LayoutError::FlatTooLong)
                ) {
                    continue;
                }
                agree(&booklet.types, ty, &shape);
                checked += 1;
            }
        }
        assert!(checked > 500, "only {checked} types checked");
    }

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
