//! Booklet types as component-model types, for `component new`.
//!
//! Every type is defined in the root of the component. Records, variants,
//! enums and flags are named types in the component model (bindings
//! generators need a name for them): they are *imported* under their WIT
//! name (`(import "point" (type (eq N)))`), as wit-component does for the
//! types of a world, and every use refers to the imported index. An
//! imported instance (an interface import from a module other than `$root`)
//! refers to root types through outer aliases.

use crate::wit;
use anyhow::{bail, Result};
use intertype::{Booklet, FuncType, TypeDef, ValType};
use std::collections::{BTreeMap, HashMap};
use wasm_encoder::{
    Alias, ComponentBuilder, ComponentOuterAliasKind, ComponentTypeRef, ComponentValType,
    InstanceType, PrimitiveValType, TypeBounds,
};

/// Component type indices of booklet types, defined on demand.
pub(crate) struct Types<'a> {
    booklet: &'a Booklet,
    /// WIT names of records, variants, enums and flags.
    names: BTreeMap<u32, String>,
    /// Booklet type index -> component type index (after the import, for
    /// named types).
    defined: HashMap<u32, u32>,
}

impl<'a> Types<'a> {
    pub(crate) fn new(booklet: &'a Booklet) -> Result<Self> {
        Ok(Types {
            booklet,
            names: wit::type_names(booklet)?,
            defined: HashMap::new(),
        })
    }

    /// The component value type of `ty`, defining what it needs in `c`.
    pub(crate) fn val(
        &mut self,
        c: &mut ComponentBuilder,
        ty: ValType,
        what: &str,
    ) -> Result<ComponentValType> {
        let p = |p| Ok(ComponentValType::Primitive(p));
        match ty {
            ValType::Bool => p(PrimitiveValType::Bool),
            ValType::S8 => p(PrimitiveValType::S8),
            ValType::U8 => p(PrimitiveValType::U8),
            ValType::S16 => p(PrimitiveValType::S16),
            ValType::U16 => p(PrimitiveValType::U16),
            ValType::S32 => p(PrimitiveValType::S32),
            ValType::U32 => p(PrimitiveValType::U32),
            ValType::S64 => p(PrimitiveValType::S64),
            ValType::U64 => p(PrimitiveValType::U64),
            ValType::F32 => p(PrimitiveValType::F32),
            ValType::F64 => p(PrimitiveValType::F64),
            ValType::Char => p(PrimitiveValType::Char),
            ValType::String => p(PrimitiveValType::String),
            ValType::Type(i) => Ok(ComponentValType::Type(self.typedef(c, i, what)?)),
            ValType::I32 | ValType::I64 | ValType::Externref => bail!(
                "`{what}` uses the core type `{}`, which has no component-model type",
                ty.keyword().unwrap_or("?")
            ),
        }
    }

    fn vals(
        &mut self,
        c: &mut ComponentBuilder,
        tys: &[ValType],
        what: &str,
    ) -> Result<Vec<ComponentValType>> {
        tys.iter().map(|t| self.val(c, *t, what)).collect()
    }

    fn opt(
        &mut self,
        c: &mut ComponentBuilder,
        ty: Option<ValType>,
        what: &str,
    ) -> Result<Option<ComponentValType>> {
        ty.map(|t| self.val(c, t, what)).transpose()
    }

    fn typedef(&mut self, c: &mut ComponentBuilder, i: u32, what: &str) -> Result<u32> {
        if let Some(&idx) = self.defined.get(&i) {
            return Ok(idx);
        }
        let Some(def) = self.booklet.types.get(i as usize) else {
            bail!("`{what}` refers to type {i}, which does not exist");
        };
        let idx = match def {
            TypeDef::Record(fields) => {
                let tys = fields
                    .iter()
                    .map(|f| self.val(c, f.ty, what))
                    .collect::<Result<Vec<_>>>()?;
                let names = fields
                    .iter()
                    .map(|f| wit::plain_ident(&f.name, "field name"))
                    .collect::<Result<Vec<_>>>()?;
                let (idx, enc) = c.type_defined(None);
                enc.record(names.iter().map(String::as_str).zip(tys));
                idx
            }
            TypeDef::Variant(cases) => {
                let mut tys = Vec::new();
                for case in cases {
                    tys.push(self.opt(c, case.ty, what)?);
                }
                let names = cases
                    .iter()
                    .map(|k| wit::plain_ident(&k.name, "case name"))
                    .collect::<Result<Vec<_>>>()?;
                let (idx, enc) = c.type_defined(None);
                enc.variant(names.iter().map(String::as_str).zip(tys));
                idx
            }
            TypeDef::Enum(cases) => {
                let names = cases
                    .iter()
                    .map(|k| wit::plain_ident(k, "case name"))
                    .collect::<Result<Vec<_>>>()?;
                let (idx, enc) = c.type_defined(None);
                enc.enum_type(names.iter().map(String::as_str));
                idx
            }
            TypeDef::Flags(flags) => {
                if flags.is_empty() {
                    bail!("`{what}` uses a flags type without flags, which the component model cannot express");
                }
                if flags.len() > 32 {
                    bail!(
                        "`{what}` uses the flags type `{}` with {} flags; the component model allows at most 32",
                        self.names.get(&i).map(String::as_str).unwrap_or("?"),
                        flags.len()
                    );
                }
                let names = flags
                    .iter()
                    .map(|k| wit::plain_ident(k, "flag name"))
                    .collect::<Result<Vec<_>>>()?;
                let (idx, enc) = c.type_defined(None);
                enc.flags(names.iter().map(String::as_str));
                idx
            }
            TypeDef::List(t) => {
                let t = self.val(c, *t, what)?;
                let (idx, enc) = c.type_defined(None);
                enc.list(t);
                idx
            }
            TypeDef::Option(t) => {
                let t = self.val(c, *t, what)?;
                let (idx, enc) = c.type_defined(None);
                enc.option(t);
                idx
            }
            TypeDef::Tuple(ts) => {
                let ts = self.vals(c, ts, what)?;
                let (idx, enc) = c.type_defined(None);
                enc.tuple(ts);
                idx
            }
            TypeDef::Result { ok, err } => {
                let ok = self.opt(c, *ok, what)?;
                let err = self.opt(c, *err, what)?;
                let (idx, enc) = c.type_defined(None);
                enc.result(ok, err);
                idx
            }
            TypeDef::Func(_) => bail!("`{what}` uses the function type {i} as a value"),
        };
        // A named type is imported under its name; uses refer to the import.
        let idx = match self.names.get(&i) {
            Some(name) => {
                let name = name.trim_start_matches('%').to_string();
                c.import(name.as_str(), ComponentTypeRef::Type(TypeBounds::Eq(idx)))
            }
            None => idx,
        };
        self.defined.insert(i, idx);
        Ok(idx)
    }

    /// A component function type for `ft` with parameter names `names`.
    pub(crate) fn func(
        &mut self,
        c: &mut ComponentBuilder,
        ft: &FuncType,
        names: &[String],
        what: &str,
    ) -> Result<u32> {
        let params = self.vals(c, &ft.params, what)?;
        let result = match ft.results.as_slice() {
            [] => None,
            [r] => Some(self.val(c, *r, what)?),
            many => bail!(
                "`{what}` returns {} values; a component-model function returns at most one",
                many.len()
            ),
        };
        let (idx, mut enc) = c.type_function(None);
        enc.params(names.iter().map(String::as_str).zip(params));
        enc.result(result);
        Ok(idx)
    }

    /// An instance type exporting `funcs` (`(name, type, parameter names)`),
    /// whose types are outer aliases of root types.
    pub(crate) fn instance(
        &mut self,
        c: &mut ComponentBuilder,
        funcs: &[(String, &FuncType, Vec<String>)],
        what: &str,
    ) -> Result<InstanceType> {
        // Define every root type first, then alias each into the instance.
        let mut sigs = Vec::new();
        for (name, ft, _) in funcs {
            let params = self.vals(c, &ft.params, name)?;
            let result = match ft.results.as_slice() {
                [] => None,
                [r] => Some(self.val(c, *r, name)?),
                many => bail!(
                    "`{what}` `{name}` returns {} values; a component-model function returns at most one",
                    many.len()
                ),
            };
            sigs.push((params, result));
        }
        let mut inst = InstanceType::new();
        let mut aliased: HashMap<u32, u32> = HashMap::new();
        let mut local = |inst: &mut InstanceType, t: ComponentValType| match t {
            ComponentValType::Primitive(_) => t,
            ComponentValType::Type(root) => {
                let idx = *aliased.entry(root).or_insert_with(|| {
                    let idx = inst.type_count();
                    inst.alias(Alias::Outer {
                        kind: ComponentOuterAliasKind::Type,
                        count: 1,
                        index: root,
                    });
                    idx
                });
                ComponentValType::Type(idx)
            }
        };
        for ((name, _, names), (params, result)) in funcs.iter().zip(sigs) {
            let params: Vec<_> = params.into_iter().map(|t| local(&mut inst, t)).collect();
            let result = result.map(|t| local(&mut inst, t));
            let idx = inst.type_count();
            let mut enc = inst.ty().function();
            enc.params(names.iter().map(String::as_str).zip(params));
            enc.result(result);
            inst.export(name.as_str(), ComponentTypeRef::Func(idx));
        }
        Ok(inst)
    }
}
