//! The canonical memory layout and flattening of interface types
//! (`docs/format.md` §3): the component model's canonical ABI choices.
//!
//! Every value type has
//! * a **layout** ([`Layout`]: size and alignment) when a whole value of it can
//!   live in linear memory — what `value.load`, `value.store` and
//!   `value.store_new` use, and how list elements are laid out;
//! * a **flat form** (a list of [`CoreType`]s) — what `value.lift` pops and
//!   `value.lower` pushes.
//!
//! The free functions ([`layout`], [`flatten`], [`same_type`], …) answer one
//! question each. A consumer asking many questions about one type space (a
//! validator, an engine compiling adapters, a code generator) should keep one
//! [`Layouts`], which memoizes per type definition, so that nested and shared
//! definitions are computed once.
//!
//! Everything here is defensive against unvalidated input: undefined indices,
//! function types in value positions, definitions that refer to themselves or
//! to later definitions, sizes beyond `u32` and absurd nesting are errors
//! ([`LayoutError`]), never panics or unbounded recursion.

use crate::types::{CoreType, TypeDef, ValType};
use std::collections::{HashMap, HashSet};
use std::fmt;

/// How deeply type definitions may nest (a definition that refers to a
/// definition that refers to …). The validator rejects deeper definitions; the
/// functions here report [`LayoutError::TooDeep`] instead of recursing further.
pub const MAX_DEPTH: u32 = 100;

/// Most nodes one value type may have with its references written out (the
/// validator's rule; the engine resolves types into trees of this size).
pub const MAX_TYPE_NODES: u64 = 10_000;

/// The longest flat form a type may have. Longer ones are
/// [`LayoutError::FlatTooLong`]: they could not be passed on a stack sensibly,
/// and the limit bounds the work and memory of flattening hostile input.
pub const MAX_FLAT: usize = 1024;

/// The size and alignment of a type in linear memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Layout {
    /// Size in bytes: a multiple of `align`.
    pub size: u32,
    /// Alignment in bytes: 1, 2, 4 or 8.
    pub align: u32,
}

impl Layout {
    const fn new(size: u32, align: u32) -> Layout {
        Layout { size, align }
    }
}

/// Why a type has no layout or no flat form.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum LayoutError {
    /// `externref` would have to be stored in linear memory (directly, in an
    /// aggregate, or as a list element).
    ExternrefInMemory,
    /// A value type refers to this function type.
    FuncType(u32),
    /// A value type refers to a type index that is not defined.
    Undefined(u32),
    /// Definition `from` refers to `to`, which is not defined before it.
    ForwardReference { from: u32, to: u32 },
    /// The size of the type does not fit in a `u32`.
    TooLarge,
    /// The flat form would be longer than [`MAX_FLAT`].
    FlatTooLong,
    /// Two variant cases put these core types in one flat position, and they
    /// do not join (`externref` joins only with `externref`).
    ImpossibleJoin(CoreType, CoreType),
    /// Definitions nest deeper than [`MAX_DEPTH`].
    TooDeep,
}

impl fmt::Display for LayoutError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LayoutError::ExternrefInMemory => {
                f.write_str("externref cannot be stored in linear memory")
            }
            LayoutError::FuncType(i) => {
                write!(f, "type {i} is a function type, not a value type")
            }
            LayoutError::Undefined(i) => write!(f, "type {i} is not defined"),
            LayoutError::ForwardReference { from, to } => write!(
                f,
                "type {from} refers to type {to}, which is not defined before it"
            ),
            LayoutError::TooLarge => f.write_str("the size of the type does not fit in 32 bits"),
            LayoutError::FlatTooLong => {
                write!(f, "the flat form is longer than {MAX_FLAT} core values")
            }
            LayoutError::ImpossibleJoin(a, b) => write!(
                f,
                "variant cases need {a} and {b} in one flat position, \
                 and externref joins only with externref"
            ),
            LayoutError::TooDeep => {
                write!(f, "type definitions nest deeper than {MAX_DEPTH} levels")
            }
        }
    }
}

impl std::error::Error for LayoutError {}

// ---------------------------------------------------------------------------
// Free functions: one question each.

/// The canonical size and alignment of `ty`.
///
/// Fails for types that cannot live in linear memory (`externref` anywhere in
/// the value, including list elements), for malformed type references, and
/// for sizes beyond `u32`.
pub fn layout(types: &[TypeDef], ty: ValType) -> Result<Layout, LayoutError> {
    Layouts::new(types).layout(ty)
}

/// The canonical flat form of `ty`: the core values `value.lift` pops and
/// `value.lower` pushes.
///
/// Fails for variants whose cases cannot be joined, for lists whose elements
/// cannot live in memory, for malformed type references and for flat forms
/// longer than [`MAX_FLAT`].
pub fn flatten(types: &[TypeDef], ty: ValType) -> Result<Vec<CoreType>, LayoutError> {
    Layouts::new(types).flatten(ty)
}

/// Joins two core types that share one flat position of a variant: equal
/// types stay, `i32` with `f32` gives `i32`, any other pair of numbers gives
/// `i64`, and `externref` joins only with `externref`
/// (`intertype_format::layout::join`, the rule the guest uses too).
pub fn join(a: CoreType, b: CoreType) -> Option<CoreType> {
    use intertype_format::valtype_code as code;
    let to_code = |t: CoreType| match t {
        CoreType::I32 => code::I32,
        CoreType::I64 => code::I64,
        CoreType::F32 => code::F32,
        CoreType::F64 => code::F64,
        CoreType::Externref => code::EXTERNREF,
    };
    intertype_format::layout::join(to_code(a), to_code(b)).map(|j| match j {
        code::I32 => CoreType::I32,
        code::F32 => CoreType::F32,
        code::F64 => CoreType::F64,
        code::EXTERNREF => CoreType::Externref,
        _ => CoreType::I64,
    })
}

// The plain-number rules live in `intertype-format`, shared with the guest.
pub use intertype_format::layout::{
    align_to, discriminant_size, flags_size_align, flags_words, POINTER_PAIR,
};

/// The offset of each field of a record or tuple with these field types, in
/// the canonical layout.
pub fn field_offsets(types: &[TypeDef], fields: &[ValType]) -> Result<Vec<u32>, LayoutError> {
    Layouts::new(types).field_offsets(fields)
}

/// The offset of the payload of a variant with these cases (see
/// [`variant_cases`]): the discriminant size rounded up to the largest case
/// alignment.
pub fn variant_payload_offset(
    types: &[TypeDef],
    cases: &[Option<ValType>],
) -> Result<u32, LayoutError> {
    Layouts::new(types).variant_payload_offset(cases)
}

/// Structural type equality (`docs/format.md` §1): same primitive, or
/// definitions of the same form with the same names and the same component
/// types. Type names (the names subsection) do not take part. Malformed
/// references are never equal to anything but the same index.
pub fn same_type(types: &[TypeDef], a: ValType, b: ValType) -> bool {
    Layouts::new(types).same_type(a, b)
}

/// The definition `ty` refers to, if it refers to a defined one.
pub fn resolve(types: &[TypeDef], ty: ValType) -> Option<&TypeDef> {
    match ty {
        ValType::Type(i) => types.get(i as usize),
        _ => None,
    }
}

/// The cases of `ty` when it is a variant or one of the forms defined as a
/// variant: a variant's case payloads; an enum's cases (no payloads); an
/// option's `none`, `some(T)`; a result's `ok(T?)`, `error(E?)`. The
/// discriminant of a case is its position.
pub fn variant_cases(types: &[TypeDef], ty: ValType) -> Option<Vec<Option<ValType>>> {
    match resolve(types, ty)? {
        TypeDef::Variant(cases) => Some(cases.iter().map(|c| c.ty).collect()),
        TypeDef::Enum(names) => Some(vec![None; names.len()]),
        TypeDef::Option(t) => Some(vec![None, Some(*t)]),
        TypeDef::Result { ok, err } => Some(vec![*ok, *err]),
        _ => None,
    }
}

/// The field types of `ty` when it is a record or a tuple.
pub fn record_fields(types: &[TypeDef], ty: ValType) -> Option<Vec<ValType>> {
    match resolve(types, ty)? {
        TypeDef::Record(fields) => Some(fields.iter().map(|f| f.ty).collect()),
        TypeDef::Tuple(ts) => Some(ts.clone()),
        _ => None,
    }
}

/// Whether a value of `ty` contains a string or a list, so that lifting or
/// lowering it touches linear memory. Malformed input answers `true`.
pub fn needs_memory(types: &[TypeDef], ty: ValType) -> bool {
    any_reachable(
        types,
        ty,
        |t| t == ValType::String,
        |d| matches!(d, TypeDef::List(_)),
    )
}

/// Whether a value of `ty` contains an `externref`. Malformed input answers
/// `true`.
pub fn contains_externref(types: &[TypeDef], ty: ValType) -> bool {
    any_reachable(types, ty, |t| t == ValType::Externref, |_| false)
}

/// Walks every type reachable from `ty` (each definition once, so shared and
/// even cyclic definitions are cheap) and reports whether `val` holds for a
/// value type or `def` for a definition. Undefined indices and function types
/// answer `true`.
fn any_reachable(
    types: &[TypeDef],
    ty: ValType,
    val: impl Fn(ValType) -> bool,
    def: impl Fn(&TypeDef) -> bool,
) -> bool {
    let mut seen = HashSet::new();
    let mut work = vec![ty];
    while let Some(t) = work.pop() {
        if val(t) {
            return true;
        }
        let ValType::Type(i) = t else { continue };
        if !seen.insert(i) {
            continue;
        }
        match types.get(i as usize) {
            None | Some(TypeDef::Func(_)) => return true,
            Some(d) if def(d) => return true,
            Some(d) => work.extend(d.referenced()),
        }
    }
    false
}

// ---------------------------------------------------------------------------
// The memoizing context.

/// Layouts, flat forms and type equality over one type space, memoized per
/// definition. Create one per booklet and ask it many questions.
#[derive(Debug)]
pub struct Layouts<'a> {
    types: &'a [TypeDef],
    layouts: HashMap<u32, Result<Layout, LayoutError>>,
    /// Keyed by definition and whether list elements must be storable.
    flats: HashMap<(u32, bool), Result<Vec<CoreType>, LayoutError>>,
    /// `None` while a comparison is in progress (only cyclic, i.e. invalid,
    /// input meets that).
    same: HashMap<(u32, u32), Option<bool>>,
}

/// Where a type reference sits: at the top of a query, or inside definition
/// `n` (which may only refer to smaller indices).
#[derive(Clone, Copy)]
enum Site {
    Top,
    Def(u32),
}

impl<'a> Layouts<'a> {
    pub fn new(types: &'a [TypeDef]) -> Layouts<'a> {
        Layouts {
            types,
            layouts: HashMap::new(),
            flats: HashMap::new(),
            same: HashMap::new(),
        }
    }

    /// The type space this context answers for.
    pub fn types(&self) -> &'a [TypeDef] {
        self.types
    }

    /// See [`layout`](fn@layout).
    pub fn layout(&mut self, ty: ValType) -> Result<Layout, LayoutError> {
        self.layout_at(Site::Top, ty, 0)
    }

    /// See [`flatten`](fn@flatten).
    pub fn flatten(&mut self, ty: ValType) -> Result<Vec<CoreType>, LayoutError> {
        let mut out = Vec::new();
        self.flat_at(Site::Top, ty, 0, true, &mut out)?;
        Ok(out)
    }

    /// See [`field_offsets`](fn@field_offsets).
    pub fn field_offsets(&mut self, fields: &[ValType]) -> Result<Vec<u32>, LayoutError> {
        Ok(self.record_layout(Site::Top, fields.iter().copied(), 0)?.1)
    }

    /// See [`variant_payload_offset`](fn@variant_payload_offset).
    pub fn variant_payload_offset(
        &mut self,
        cases: &[Option<ValType>],
    ) -> Result<u32, LayoutError> {
        Ok(self.variant_layout(Site::Top, cases.iter().copied(), 0)?.1)
    }

    /// See [`same_type`](fn@same_type).
    pub fn same_type(&mut self, a: ValType, b: ValType) -> bool {
        self.same_at(a, b, 0)
    }

    /// Checks that definition `idx`, if it is a variant, option or result, has
    /// a flat form as far as the joins of its cases go (list elements are not
    /// looked at): `externref` meets only `externref`.
    pub(crate) fn check_joins(&mut self, idx: u32) -> Result<(), LayoutError> {
        let mut out = Vec::new();
        self.flat_at(Site::Top, ValType::Type(idx), 0, false, &mut out)
    }

    /// The definition a reference from `from` to type `i` names, after
    /// checking the reference: defined, not a function type, not a forward
    /// reference, not too deep.
    fn deref(&self, from: Site, i: u32, depth: u32) -> Result<&'a TypeDef, LayoutError> {
        let def = self
            .types
            .get(i as usize)
            .ok_or(LayoutError::Undefined(i))?;
        if let Site::Def(from) = from {
            if i >= from {
                return Err(LayoutError::ForwardReference { from, to: i });
            }
        }
        if let TypeDef::Func(_) = def {
            return Err(LayoutError::FuncType(i));
        }
        if depth >= MAX_DEPTH {
            return Err(LayoutError::TooDeep);
        }
        Ok(def)
    }

    fn layout_at(&mut self, from: Site, ty: ValType, depth: u32) -> Result<Layout, LayoutError> {
        use ValType::*;
        Ok(match ty {
            Bool | S8 | U8 => Layout::new(1, 1),
            S16 | U16 => Layout::new(2, 2),
            S32 | U32 | I32 | Char | F32 => Layout::new(4, 4),
            S64 | U64 | I64 | F64 => Layout::new(8, 8),
            String => Layout::new(POINTER_PAIR.0, POINTER_PAIR.1),
            Externref => return Err(LayoutError::ExternrefInMemory),
            Type(i) => {
                let def = self.deref(from, i, depth)?;
                if let Some(r) = self.layouts.get(&i) {
                    return r.clone();
                }
                let r = self.def_layout(i, def, depth + 1);
                // `TooDeep` depends on where the query started: not memoized.
                if r != Err(LayoutError::TooDeep) {
                    self.layouts.insert(i, r.clone());
                }
                r?
            }
        })
    }

    fn def_layout(&mut self, i: u32, def: &'a TypeDef, depth: u32) -> Result<Layout, LayoutError> {
        let from = Site::Def(i);
        Ok(match def {
            TypeDef::Func(_) => return Err(LayoutError::FuncType(i)),
            TypeDef::Record(fields) => {
                self.record_layout(from, fields.iter().map(|f| f.ty), depth)?
                    .0
            }
            TypeDef::Tuple(ts) => self.record_layout(from, ts.iter().copied(), depth)?.0,
            TypeDef::Variant(cases) => {
                self.variant_layout(from, cases.iter().map(|c| c.ty), depth)?
                    .0
            }
            TypeDef::Enum(names) => {
                let d = discriminant_size(names.len());
                Layout::new(d, d)
            }
            TypeDef::Option(t) => self.variant_layout(from, [None, Some(*t)], depth)?.0,
            TypeDef::Result { ok, err } => self.variant_layout(from, [*ok, *err], depth)?.0,
            TypeDef::Flags(names) => match flags_size_align(names.len()) {
                (u32::MAX, _) => return Err(LayoutError::TooLarge),
                (size, align) => Layout::new(size, align),
            },
            TypeDef::List(t) => {
                // The elements live in memory too.
                self.layout_at(from, *t, depth)?;
                Layout::new(POINTER_PAIR.0, POINTER_PAIR.1)
            }
        })
    }

    /// The layout of a record with these field types, and the field offsets.
    fn record_layout(
        &mut self,
        from: Site,
        fields: impl IntoIterator<Item = ValType>,
        depth: u32,
    ) -> Result<(Layout, Vec<u32>), LayoutError> {
        let mut offsets = Vec::new();
        let mut size = 0u32;
        let mut align = 1;
        for ty in fields {
            let l = self.layout_at(from, ty, depth)?;
            size = align_to(size, l.align).ok_or(LayoutError::TooLarge)?;
            offsets.push(size);
            size = size.checked_add(l.size).ok_or(LayoutError::TooLarge)?;
            align = align.max(l.align);
        }
        let size = align_to(size, align).ok_or(LayoutError::TooLarge)?;
        Ok((Layout::new(size, align), offsets))
    }

    /// The layout of a variant with these case payloads, and the payload
    /// offset.
    fn variant_layout(
        &mut self,
        from: Site,
        cases: impl IntoIterator<Item = Option<ValType>>,
        depth: u32,
    ) -> Result<(Layout, u32), LayoutError> {
        let mut count = 0usize;
        let mut payload = Layout::new(0, 1);
        for case in cases {
            count += 1;
            if let Some(ty) = case {
                let l = self.layout_at(from, ty, depth)?;
                payload.size = payload.size.max(l.size);
                payload.align = payload.align.max(l.align);
            }
        }
        let disc = discriminant_size(count);
        let offset = align_to(disc, payload.align).ok_or(LayoutError::TooLarge)?;
        let align = disc.max(payload.align);
        let end = offset
            .checked_add(payload.size)
            .ok_or(LayoutError::TooLarge)?;
        let size = align_to(end, align).ok_or(LayoutError::TooLarge)?;
        Ok((Layout::new(size, align), offset))
    }

    /// Appends the flat form of `ty` to `out`. With `strict`, list elements
    /// must have a layout (they are read from or written to memory).
    fn flat_at(
        &mut self,
        from: Site,
        ty: ValType,
        depth: u32,
        strict: bool,
        out: &mut Vec<CoreType>,
    ) -> Result<(), LayoutError> {
        use ValType::*;
        match ty {
            Bool | S8 | U8 | S16 | U16 | S32 | U32 | I32 | Char => out.push(CoreType::I32),
            S64 | U64 | I64 => out.push(CoreType::I64),
            F32 => out.push(CoreType::F32),
            F64 => out.push(CoreType::F64),
            Externref => out.push(CoreType::Externref),
            String => out.extend([CoreType::I32, CoreType::I32]),
            Type(i) => {
                let def = self.deref(from, i, depth)?;
                let key = (i, strict);
                match self.flats.get(&key) {
                    Some(Ok(flat)) => out.extend_from_slice(flat),
                    Some(Err(e)) => return Err(e.clone()),
                    None => {
                        let flat = self.def_flat(i, def, depth + 1, strict);
                        if let Ok(flat) = &flat {
                            out.extend_from_slice(flat);
                        }
                        // `TooDeep` depends on where the query started: not
                        // memoized.
                        if flat != Err(LayoutError::TooDeep) {
                            self.flats.insert(key, flat.clone());
                        }
                        flat?;
                    }
                }
            }
        }
        if out.len() > MAX_FLAT {
            return Err(LayoutError::FlatTooLong);
        }
        Ok(())
    }

    fn def_flat(
        &mut self,
        i: u32,
        def: &'a TypeDef,
        depth: u32,
        strict: bool,
    ) -> Result<Vec<CoreType>, LayoutError> {
        let from = Site::Def(i);
        let mut out = Vec::new();
        match def {
            TypeDef::Func(_) => return Err(LayoutError::FuncType(i)),
            TypeDef::Record(fields) => {
                for f in fields {
                    self.flat_at(from, f.ty, depth, strict, &mut out)?;
                }
            }
            TypeDef::Tuple(ts) => {
                for t in ts {
                    self.flat_at(from, *t, depth, strict, &mut out)?;
                }
            }
            TypeDef::Variant(cases) => {
                self.variant_flat(from, cases.iter().map(|c| c.ty), depth, strict, &mut out)?
            }
            TypeDef::Option(t) => {
                self.variant_flat(from, [None, Some(*t)], depth, strict, &mut out)?
            }
            TypeDef::Result { ok, err } => {
                self.variant_flat(from, [*ok, *err], depth, strict, &mut out)?
            }
            TypeDef::Enum(_) => out.push(CoreType::I32),
            TypeDef::Flags(names) => {
                let words = flags_words(names.len()) as usize;
                if words > MAX_FLAT {
                    return Err(LayoutError::FlatTooLong);
                }
                out.resize(words, CoreType::I32);
            }
            TypeDef::List(t) => {
                if strict {
                    self.layout_at(from, *t, depth)?;
                } else if let ValType::Type(j) = *t {
                    self.deref(from, j, depth)?;
                }
                out.extend([CoreType::I32, CoreType::I32]);
            }
        }
        Ok(out)
    }

    /// Appends a variant's flat form: the `i32` discriminant, then the cases'
    /// flat forms joined position by position.
    fn variant_flat(
        &mut self,
        from: Site,
        cases: impl IntoIterator<Item = Option<ValType>>,
        depth: u32,
        strict: bool,
        out: &mut Vec<CoreType>,
    ) -> Result<(), LayoutError> {
        let mut joined: Vec<CoreType> = Vec::new();
        let mut case = Vec::new();
        for ty in cases.into_iter().flatten() {
            case.clear();
            self.flat_at(from, ty, depth, strict, &mut case)?;
            for (slot, &t) in case.iter().enumerate() {
                match joined.get_mut(slot) {
                    Some(j) => *j = join(*j, t).ok_or(LayoutError::ImpossibleJoin(*j, t))?,
                    None => joined.push(t),
                }
            }
        }
        out.push(CoreType::I32);
        out.extend(joined);
        if out.len() > MAX_FLAT {
            return Err(LayoutError::FlatTooLong);
        }
        Ok(())
    }

    fn same_at(&mut self, a: ValType, b: ValType, depth: u32) -> bool {
        let (ValType::Type(i), ValType::Type(j)) = (a, b) else {
            return a == b;
        };
        let (Some(da), Some(db)) = (self.types.get(i as usize), self.types.get(j as usize)) else {
            return false;
        };
        if i == j {
            return true;
        }
        if depth >= MAX_DEPTH {
            return false;
        }
        let key = (i.min(j), i.max(j));
        match self.same.get(&key) {
            Some(Some(r)) => return *r,
            // A cycle (invalid input): assume equal, as equirecursive types do.
            Some(None) => return true,
            None => {}
        }
        self.same.insert(key, None);
        let r = self.same_def(da, db, depth + 1);
        self.same.insert(key, Some(r));
        r
    }

    fn same_def(&mut self, a: &'a TypeDef, b: &'a TypeDef, depth: u32) -> bool {
        let all = |this: &mut Self, xs: &[ValType], ys: &[ValType]| {
            xs.len() == ys.len() && xs.iter().zip(ys).all(|(x, y)| this.same_at(*x, *y, depth))
        };
        let opt = |this: &mut Self, x: Option<ValType>, y: Option<ValType>| match (x, y) {
            (None, None) => true,
            (Some(x), Some(y)) => this.same_at(x, y, depth),
            _ => false,
        };
        match (a, b) {
            (TypeDef::Func(f), TypeDef::Func(g)) => {
                all(self, &f.params, &g.params) && all(self, &f.results, &g.results)
            }
            (TypeDef::Record(xs), TypeDef::Record(ys)) => {
                xs.len() == ys.len()
                    && xs
                        .iter()
                        .zip(ys)
                        .all(|(x, y)| x.name == y.name && self.same_at(x.ty, y.ty, depth))
            }
            (TypeDef::Variant(xs), TypeDef::Variant(ys)) => {
                xs.len() == ys.len()
                    && xs
                        .iter()
                        .zip(ys)
                        .all(|(x, y)| x.name == y.name && opt(self, x.ty, y.ty))
            }
            (TypeDef::Enum(xs), TypeDef::Enum(ys)) | (TypeDef::Flags(xs), TypeDef::Flags(ys)) => {
                xs == ys
            }
            (TypeDef::List(x), TypeDef::List(y)) | (TypeDef::Option(x), TypeDef::Option(y)) => {
                self.same_at(*x, *y, depth)
            }
            (TypeDef::Result { ok: o1, err: e1 }, TypeDef::Result { ok: o2, err: e2 }) => {
                opt(self, *o1, *o2) && opt(self, *e1, *e2)
            }
            (TypeDef::Tuple(xs), TypeDef::Tuple(ys)) => all(self, xs, ys),
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{Case, Field, FuncType};
    use CoreType::{Externref as R, F32 as Xf32, F64 as Xf64, I32 as Xi32, I64 as Xi64};
    use ValType::*;

    fn rec(fields: &[(&str, ValType)]) -> TypeDef {
        TypeDef::Record(
            fields
                .iter()
                .map(|(n, t)| Field {
                    name: n.to_string(),
                    ty: *t,
                })
                .collect(),
        )
    }

    fn var(cases: &[(&str, Option<ValType>)]) -> TypeDef {
        TypeDef::Variant(
            cases
                .iter()
                .map(|(n, t)| Case {
                    name: n.to_string(),
                    ty: *t,
                })
                .collect(),
        )
    }

    fn names(n: usize) -> Vec<std::string::String> {
        (0..n).map(|i| format!("n{i}")).collect()
    }

    fn l(size: u32, align: u32) -> Layout {
        Layout { size, align }
    }

    /// Layout and flat form of `Type(last)` in `types`.
    fn both(
        types: &[TypeDef],
    ) -> (
        Result<Layout, LayoutError>,
        Result<Vec<CoreType>, LayoutError>,
    ) {
        let t = Type(types.len() as u32 - 1);
        (layout(types, t), flatten(types, t))
    }

    #[test]
    fn primitives() {
        let cases = [
            (Bool, l(1, 1), vec![Xi32]),
            (S8, l(1, 1), vec![Xi32]),
            (U8, l(1, 1), vec![Xi32]),
            (S16, l(2, 2), vec![Xi32]),
            (U16, l(2, 2), vec![Xi32]),
            (S32, l(4, 4), vec![Xi32]),
            (U32, l(4, 4), vec![Xi32]),
            (I32, l(4, 4), vec![Xi32]),
            (Char, l(4, 4), vec![Xi32]),
            (S64, l(8, 8), vec![Xi64]),
            (U64, l(8, 8), vec![Xi64]),
            (I64, l(8, 8), vec![Xi64]),
            (F32, l(4, 4), vec![Xf32]),
            (F64, l(8, 8), vec![Xf64]),
            (String, l(8, 4), vec![Xi32, Xi32]),
        ];
        for (t, lay, flat) in cases {
            assert_eq!(layout(&[], t), Ok(lay), "{t}");
            assert_eq!(flatten(&[], t), Ok(flat), "{t}");
        }
        assert_eq!(layout(&[], Externref), Err(LayoutError::ExternrefInMemory));
        assert_eq!(flatten(&[], Externref), Ok(vec![R]));
    }

    #[test]
    fn records_and_tuples() {
        // a@0 b@4 c@8, 9 bytes rounded to 12.
        let t = [rec(&[("a", U8), ("b", U32), ("c", U8)])];
        assert_eq!(both(&t), (Ok(l(12, 4)), Ok(vec![Xi32, Xi32, Xi32])));
        assert_eq!(field_offsets(&t, &[U8, U32, U8]), Ok(vec![0, 4, 8]));
        assert_eq!(field_offsets(&t, &[U16, U8, U32]), Ok(vec![0, 2, 4]));
        assert_eq!(field_offsets(&t, &[U8, U64]), Ok(vec![0, 8]));
        assert_eq!(field_offsets(&t, &[]), Ok(vec![]));
        // u8@0 u16@2 u64@8 u8@16: 17 bytes rounded to 24.
        let t = [TypeDef::Tuple(vec![U8, U16, U64, U8])];
        assert_eq!(both(&t), (Ok(l(24, 8)), Ok(vec![Xi32, Xi32, Xi64, Xi32])));
        // Empty aggregates (invalid as definitions, but they have a layout).
        assert_eq!(both(&[TypeDef::Tuple(vec![])]), (Ok(l(0, 1)), Ok(vec![])));
        // Nested: option<u8> is (2, 1); the string goes at 4.
        let t = [TypeDef::Option(U8), rec(&[("x", Type(0)), ("y", String)])];
        assert_eq!(both(&t), (Ok(l(12, 4)), Ok(vec![Xi32, Xi32, Xi32, Xi32])));
        assert_eq!(field_offsets(&t, &[Type(0), String]), Ok(vec![0, 4]));
        assert_eq!(record_fields(&t, Type(1)), Some(vec![Type(0), String]));
        assert_eq!(
            record_fields(&[TypeDef::Tuple(vec![U8, F64])], Type(0)),
            Some(vec![U8, F64])
        );
        assert_eq!(record_fields(&t, Type(0)), None);
        assert_eq!(record_fields(&t, U8), None);
    }

    #[test]
    fn options_results_variants() {
        // option<u64>: discriminant, payload at 8.
        let t = [TypeDef::Option(U64)];
        assert_eq!(both(&t), (Ok(l(16, 8)), Ok(vec![Xi32, Xi64])));
        assert_eq!(variant_payload_offset(&t, &[None, Some(U64)]), Ok(8));
        // result<u32, string>: payload at 4, 4 + 8 bytes; flat joins [i32] and [i32 i32].
        let t = [TypeDef::Result {
            ok: Some(U32),
            err: Some(String),
        }];
        assert_eq!(both(&t), (Ok(l(12, 4)), Ok(vec![Xi32, Xi32, Xi32])));
        // result without payloads is just a discriminant.
        let t = [TypeDef::Result {
            ok: None,
            err: None,
        }];
        assert_eq!(both(&t), (Ok(l(1, 1)), Ok(vec![Xi32])));
        let t = [TypeDef::Result {
            ok: None,
            err: Some(F32),
        }];
        assert_eq!(both(&t), (Ok(l(8, 4)), Ok(vec![Xi32, Xf32])));
        // f32 and u64 join to i64.
        let t = [var(&[("a", Some(F32)), ("b", Some(U64))])];
        assert_eq!(both(&t), (Ok(l(16, 8)), Ok(vec![Xi32, Xi64])));
        // f32 and s32 join to i32; a longer case extends the flat form.
        let t = [var(&[("a", Some(F32)), ("b", Some(String)), ("c", None)])];
        assert_eq!(both(&t), (Ok(l(12, 4)), Ok(vec![Xi32, Xi32, Xi32])));
        // f64 and (f32, f32): slot 0 joins f64/f32 to i64, slot 1 keeps f32.
        let t = [
            TypeDef::Tuple(vec![F32, F32]),
            var(&[("a", Some(F64)), ("b", Some(Type(0)))]),
        ];
        assert_eq!(both(&t), (Ok(l(16, 8)), Ok(vec![Xi32, Xi64, Xf32])));
        // Enums.
        assert_eq!(
            both(&[TypeDef::Enum(names(3))]),
            (Ok(l(1, 1)), Ok(vec![Xi32]))
        );
        assert_eq!(
            both(&[TypeDef::Enum(names(256))]),
            (Ok(l(1, 1)), Ok(vec![Xi32]))
        );
        assert_eq!(
            both(&[TypeDef::Enum(names(257))]),
            (Ok(l(2, 2)), Ok(vec![Xi32]))
        );
        assert_eq!(
            both(&[TypeDef::Enum(names(65537))]),
            (Ok(l(4, 4)), Ok(vec![Xi32]))
        );
        // 300 cases: a 2-byte discriminant, then a u8 payload at 2; 3 rounded to 4.
        let cases: Vec<Case> = (0..300)
            .map(|i| Case {
                name: format!("c{i}"),
                ty: Some(U8),
            })
            .collect();
        assert_eq!(
            both(&[TypeDef::Variant(cases)]),
            (Ok(l(4, 2)), Ok(vec![Xi32, Xi32]))
        );
        assert_eq!(variant_payload_offset(&[], &vec![Some(U8); 300]), Ok(2));
        assert_eq!(variant_payload_offset(&[], &[Some(U8)]), Ok(1));
        assert_eq!(variant_payload_offset(&[], &[None, None]), Ok(1));
        assert_eq!(variant_payload_offset(&[], &[Some(String)]), Ok(4));
    }

    #[test]
    fn externref_in_variants_and_memory() {
        let t = [TypeDef::Option(Externref)];
        assert_eq!(
            both(&t),
            (Err(LayoutError::ExternrefInMemory), Ok(vec![Xi32, R]))
        );
        let t = [var(&[
            ("a", Some(Externref)),
            ("b", Some(Externref)),
            ("c", None),
        ])];
        assert_eq!(flatten(&t, Type(0)), Ok(vec![Xi32, R]));
        let t = [var(&[("a", Some(Externref)), ("b", Some(U32))])];
        assert_eq!(
            flatten(&t, Type(0)),
            Err(LayoutError::ImpossibleJoin(R, Xi32))
        );
        let t = [TypeDef::Result {
            ok: Some(F64),
            err: Some(Externref),
        }];
        assert_eq!(
            flatten(&t, Type(0)),
            Err(LayoutError::ImpossibleJoin(Xf64, R))
        );
        // A record may carry a reference on the stack, not in memory.
        let t = [rec(&[("r", Externref), ("n", U8)])];
        assert_eq!(
            both(&t),
            (Err(LayoutError::ExternrefInMemory), Ok(vec![R, Xi32]))
        );
        // List elements live in memory.
        let t = [TypeDef::List(Externref)];
        assert_eq!(
            both(&t),
            (
                Err(LayoutError::ExternrefInMemory),
                Err(LayoutError::ExternrefInMemory)
            )
        );
        let mut cx = Layouts::new(&t);
        assert_eq!(cx.check_joins(0), Ok(()));
        let t = [TypeDef::List(U8), TypeDef::List(String)];
        assert_eq!(both(&t), (Ok(l(8, 4)), Ok(vec![Xi32, Xi32])));
    }

    #[test]
    fn flags() {
        let f = |n| both(&[TypeDef::Flags(names(n))]);
        assert_eq!(f(0), (Ok(l(0, 1)), Ok(vec![])));
        assert_eq!(f(1), (Ok(l(1, 1)), Ok(vec![Xi32])));
        assert_eq!(f(8), (Ok(l(1, 1)), Ok(vec![Xi32])));
        assert_eq!(f(9), (Ok(l(2, 2)), Ok(vec![Xi32])));
        assert_eq!(f(16), (Ok(l(2, 2)), Ok(vec![Xi32])));
        assert_eq!(f(17), (Ok(l(4, 4)), Ok(vec![Xi32])));
        assert_eq!(f(32), (Ok(l(4, 4)), Ok(vec![Xi32])));
        assert_eq!(f(33), (Ok(l(8, 4)), Ok(vec![Xi32, Xi32])));
        assert_eq!(f(40), (Ok(l(8, 4)), Ok(vec![Xi32, Xi32])));
        assert_eq!(f(MAX_FLAT * 32).1.map(|v| v.len()), Ok(MAX_FLAT));
        assert_eq!(f(MAX_FLAT * 32 + 1).1, Err(LayoutError::FlatTooLong));
        assert_eq!(flags_words(0), 0);
        assert_eq!(flags_words(1), 1);
        assert_eq!(flags_words(32), 1);
        assert_eq!(flags_words(33), 2);
        assert_eq!(flags_words(40), 2);
    }

    #[test]
    fn joins() {
        let all = [Xi32, Xi64, Xf32, Xf64, R];
        for a in all {
            for b in all {
                let want = match (a, b) {
                    _ if a == b => Some(a),
                    (R, _) | (_, R) => None,
                    (Xi32, Xf32) | (Xf32, Xi32) => Some(Xi32),
                    _ => Some(Xi64),
                };
                assert_eq!(join(a, b), want, "{a} {b}");
                assert_eq!(join(a, b), join(b, a));
            }
        }
        assert_eq!(join(Xf32, Xf64), Some(Xi64));
        assert_eq!(join(Xi32, Xi64), Some(Xi64));
        assert_eq!(join(Xf64, Xi32), Some(Xi64));
    }

    #[test]
    fn discriminants() {
        assert_eq!(discriminant_size(0), 1);
        assert_eq!(discriminant_size(2), 1);
        assert_eq!(discriminant_size(256), 1);
        assert_eq!(discriminant_size(257), 2);
        assert_eq!(discriminant_size(65536), 2);
        assert_eq!(discriminant_size(65537), 4);
        assert_eq!(align_to(5, 4), Some(8));
        assert_eq!(align_to(8, 8), Some(8));
        assert_eq!(align_to(u32::MAX, 2), None);
    }

    #[test]
    fn variant_views() {
        let t = [
            TypeDef::Enum(names(3)),
            TypeDef::Option(String),
            TypeDef::Result {
                ok: None,
                err: Some(U8),
            },
            var(&[("a", Some(F32)), ("b", None)]),
            rec(&[("x", U8)]),
        ];
        assert_eq!(variant_cases(&t, Type(0)), Some(vec![None, None, None]));
        assert_eq!(variant_cases(&t, Type(1)), Some(vec![None, Some(String)]));
        assert_eq!(variant_cases(&t, Type(2)), Some(vec![None, Some(U8)]));
        assert_eq!(variant_cases(&t, Type(3)), Some(vec![Some(F32), None]));
        assert_eq!(variant_cases(&t, Type(4)), None);
        assert_eq!(variant_cases(&t, Type(9)), None);
        assert_eq!(variant_cases(&t, U8), None);
    }

    #[test]
    fn malformed_references() {
        let func = TypeDef::Func(FuncType::default());
        assert_eq!(layout(&[], Type(5)), Err(LayoutError::Undefined(5)));
        assert_eq!(flatten(&[], Type(5)), Err(LayoutError::Undefined(5)));
        assert_eq!(
            layout(std::slice::from_ref(&func), Type(0)),
            Err(LayoutError::FuncType(0))
        );
        assert_eq!(
            flatten(std::slice::from_ref(&func), Type(0)),
            Err(LayoutError::FuncType(0))
        );
        let t = [func.clone(), TypeDef::List(Type(0))];
        assert_eq!(
            both(&t),
            (Err(LayoutError::FuncType(0)), Err(LayoutError::FuncType(0)))
        );
        // Forward and self references.
        let t = [TypeDef::Option(Type(1)), TypeDef::List(U8)];
        let fwd = LayoutError::ForwardReference { from: 0, to: 1 };
        assert_eq!(layout(&t, Type(0)), Err(fwd.clone()));
        assert_eq!(flatten(&t, Type(0)), Err(fwd));
        let t = [TypeDef::Option(Type(0))];
        let own = LayoutError::ForwardReference { from: 0, to: 0 };
        assert_eq!(both(&t), (Err(own.clone()), Err(own)));
        let t = [TypeDef::List(Type(7))];
        assert_eq!(
            both(&t),
            (
                Err(LayoutError::Undefined(7)),
                Err(LayoutError::Undefined(7))
            )
        );
        // A cycle does not hang the other functions either.
        let t = [TypeDef::Option(Type(1)), TypeDef::Option(Type(0))];
        assert!(same_type(&t, Type(0), Type(1)));
        assert!(!needs_memory(&t, Type(0)));
        assert!(!contains_externref(&t, Type(1)));
        assert!(needs_memory(&t, Type(9)));
        assert!(contains_externref(&[func], Type(0)));
    }

    #[test]
    fn sizes_overflowing_u32() {
        // Each tuple doubles the previous one: 16 << 28 = 2^32 bytes.
        let mut t = vec![TypeDef::Tuple(vec![U64, U64])];
        for i in 0..28 {
            t.push(TypeDef::Tuple(vec![Type(i), Type(i)]));
        }
        assert_eq!(layout(&t, Type(27)), Ok(l(1 << 31, 8)));
        assert_eq!(layout(&t, Type(28)), Err(LayoutError::TooLarge));
        assert_eq!(flatten(&t, Type(28)), Err(LayoutError::FlatTooLong));
        assert_eq!(flatten(&t, Type(8)).map(|f| f.len()), Ok(1 << 9));
        // A variant whose payload size is close to the limit.
        t.push(TypeDef::Option(Type(27)));
        assert_eq!(layout(&t, Type(29)), Ok(l((1 << 31) + 8, 8)));
        t.push(TypeDef::Tuple(vec![Type(27), Type(29)]));
        assert_eq!(layout(&t, Type(30)), Err(LayoutError::TooLarge));
        let huge = TypeDef::Flags(names(1 << 8));
        assert_eq!(layout(&[huge], Type(0)), Ok(l(32, 4)));
    }

    #[test]
    fn shared_definitions_are_computed_once() {
        // variant { a(T), b(T) } nested 200 times would be 2^200 walks without
        // memoization; depth is capped at MAX_DEPTH, so 90 levels here.
        let mut t = vec![TypeDef::Tuple(vec![U8, F32])];
        for i in 0..90 {
            t.push(var(&[("a", Some(Type(i))), ("b", Some(Type(i)))]));
        }
        let last = Type(90);
        assert_eq!(flatten(&t, last).map(|f| f.len()), Ok(92));
        // tuple<u8, f32> is 8 bytes; each variant level adds a 4-aligned discriminant.
        assert_eq!(layout(&t, last), Ok(l(8 + 90 * 4, 4)));
        // Two parallel, equal chains compare equal without blowing up.
        let n = t.len() as u32;
        t.push(TypeDef::Tuple(vec![U8, F32]));
        for i in 0..90 {
            let prev = if i == 0 { n } else { n + i };
            t.push(var(&[("a", Some(Type(prev))), ("b", Some(Type(prev)))]));
        }
        assert!(same_type(&t, last, Type(n + 90)));
        assert!(!same_type(&t, last, Type(n + 89)));
        assert!(!needs_memory(&t, last));
    }

    #[test]
    fn nesting_deeper_than_the_limit_is_an_error() {
        let mut t = vec![TypeDef::List(U8)];
        for i in 0..200 {
            t.push(TypeDef::Option(Type(i)));
        }
        assert_eq!(layout(&t, Type(MAX_DEPTH - 1)).map(|_| ()), Ok(()));
        assert_eq!(layout(&t, Type(MAX_DEPTH)), Err(LayoutError::TooDeep));
        assert_eq!(flatten(&t, Type(200)), Err(LayoutError::TooDeep));
        assert!(!same_type(&t, Type(200), Type(199)));
        assert!(needs_memory(&t, Type(200)));
        // Memoized results of shallower queries stay right.
        let mut cx = Layouts::new(&t);
        assert!(cx.layout(Type(50)).is_ok());
        assert_eq!(cx.layout(Type(200)), Err(LayoutError::TooDeep));
        assert!(cx.layout(Type(60)).is_ok());
    }

    #[test]
    fn structural_equality() {
        let t = [
            rec(&[("x", U8), ("y", String)]), // 0
            rec(&[("x", U8), ("y", String)]), // 1 same as 0
            rec(&[("x", U8), ("z", String)]), // 2 other name
            TypeDef::Tuple(vec![U8, String]), // 3 other form
            TypeDef::List(Type(0)),           // 4
            TypeDef::List(Type(1)),           // 5 same as 4
            TypeDef::List(Type(2)),           // 6
            TypeDef::Enum(names(2)),          // 7
            TypeDef::Flags(names(2)),         // 8 not an enum
            TypeDef::Enum(names(2)),          // 9 same as 7
            TypeDef::Result {
                ok: Some(U8),
                err: None,
            }, // 10
            TypeDef::Result {
                ok: None,
                err: Some(U8),
            }, // 11
            TypeDef::Result {
                ok: Some(U8),
                err: None,
            }, // 12 same as 10
            var(&[("a", Some(Type(4))), ("b", None)]), // 13
            var(&[("a", Some(Type(5))), ("b", None)]), // 14 same as 13
            var(&[("a", Some(Type(5))), ("b", Some(U8))]), // 15
            TypeDef::Option(S32),             // 16
            TypeDef::Option(I32),             // 17
            TypeDef::Func(FuncType {
                params: vec![Type(0)],
                results: vec![],
            }), // 18
            TypeDef::Func(FuncType {
                params: vec![Type(1)],
                results: vec![],
            }), // 19
        ];
        let same = [(0, 1), (4, 5), (7, 9), (10, 12), (13, 14), (18, 19)];
        let differ = [
            (0, 2),
            (0, 3),
            (4, 6),
            (7, 8),
            (10, 11),
            (13, 15),
            (16, 17),
            (18, 0),
        ];
        for (a, b) in same {
            assert!(same_type(&t, Type(a), Type(b)), "{a} {b}");
            assert!(same_type(&t, Type(b), Type(a)), "{b} {a}");
        }
        for (a, b) in differ {
            assert!(!same_type(&t, Type(a), Type(b)), "{a} {b}");
            assert!(!same_type(&t, Type(b), Type(a)), "{b} {a}");
        }
        assert!(same_type(&t, Type(3), Type(3)));
        assert!(same_type(&t, U8, U8));
        assert!(!same_type(&t, S32, I32));
        assert!(!same_type(&t, String, Type(0)));
        assert!(!same_type(&t, Type(99), Type(99)));
        // One context answers many questions consistently.
        let mut cx = Layouts::new(&t);
        assert!(cx.same_type(Type(13), Type(14)));
        assert!(cx.same_type(Type(14), Type(13)));
        assert!(!cx.same_type(Type(13), Type(15)));
    }

    #[test]
    fn memory_and_references() {
        let t = [
            TypeDef::List(U8),                         // 0
            rec(&[("a", U8), ("b", Type(0))]),         // 1
            TypeDef::Option(String),                   // 2
            TypeDef::Flags(names(3)),                  // 3
            TypeDef::Option(Externref),                // 4
            TypeDef::Tuple(vec![U8, Type(4)]),         // 5
            var(&[("a", None), ("b", Some(Type(3)))]), // 6
        ];
        let needs = |ty| needs_memory(&t, ty);
        assert!(needs(String) && needs(Type(0)) && needs(Type(1)) && needs(Type(2)));
        assert!(
            !needs(U8)
                && !needs(Externref)
                && !needs(Type(3))
                && !needs(Type(5))
                && !needs(Type(6))
        );
        let refs = |ty| contains_externref(&t, ty);
        assert!(refs(Externref) && refs(Type(4)) && refs(Type(5)));
        assert!(!refs(String) && !refs(Type(1)) && !refs(Type(6)));
        assert_eq!(resolve(&t, Type(3)), Some(&t[3]));
        assert_eq!(resolve(&t, Type(30)), None);
    }
}
