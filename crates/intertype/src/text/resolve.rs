//! Name resolution and index assignment: parsed items → [`Booklet`].
//!
//! The order of everything in the binary follows wit-text 0.8 (see
//! `docs/format.md` §4), so a reference-subset module encodes to the bytes
//! the reference produces:
//!
//! * types: explicit `(@interface type …)` first, in text order; then the
//!   signatures of imports, funcs and inline `implement`s in text order, each
//!   reusing the first equal type or else appended;
//! * adapter functions: imports (text order), then funcs and inline
//!   `implement` adapters (text order);
//! * exports and implements in text order, an inline `(export …)` at its
//!   function's position.

use super::ast::{
    AdapterImpl, CoreTarget, ImplementItem, Item, Param, TypeDefAst, TypeUse, ValTypeAst,
};
use super::instrs::{Instr, InstrKind, Operand, ValueOp};
use crate::core::{CoreModule, ExportKind};
use crate::instr::{Instruction, MemArg};
use crate::types::{Case, Field, FuncType, TypeDef, ValType};
use crate::{Booklet, Export, Func, Implement, Import};
use std::collections::{BTreeMap, HashMap, HashSet};
use wast::core::Names;
use wast::token::{Id, Index, Span};
use wast::Error;

type Result<T> = std::result::Result<T, Error>;

pub(super) fn resolve<'a>(
    items: &[Item<'a>],
    names: &Names<'a>,
    core: &CoreModule,
) -> Result<Booklet> {
    let mut cx = Resolver {
        names,
        core,
        types: Vec::new(),
        first_of: HashMap::new(),
        type_ids: HashMap::new(),
        declared_type_ids: HashSet::new(),
        param_ids: HashMap::new(),
        type_names: BTreeMap::new(),
        func_ids: HashMap::new(),
        deferred: Vec::new(),
        inline_names: BTreeMap::new(),
        explicit_names: Vec::new(),
    };
    cx.register_funcs(items)?;
    cx.explicit_types(items)?;
    let mut booklet = cx.items(items)?;
    cx.check_deferred()?;
    booklet.types = cx.types;
    booklet.type_names = cx.type_names;
    // Explicit `param-names` items make an extension module; names of
    // `(param $x T)` count only in one: the reference format has no parameter
    // names, and reference-subset text must keep the reference bytes (there
    // a `$x` names a local only, as it did in the reference).
    for (func, span, count) in std::mem::take(&mut cx.explicit_names) {
        let params = booklet
            .adapter_func_type(func)
            .map_or(0, |ft| ft.params.len());
        if count != params {
            return Err(Error::new(
                span,
                format!("{count} parameter names for adapter function {func}, which has {params} parameters"),
            ));
        }
    }
    if !booklet.is_reference_subset() {
        for (func, names) in std::mem::take(&mut cx.inline_names) {
            booklet.param_names.entry(func).or_insert(names);
        }
    }
    Ok(booklet)
}

struct Resolver<'a, 'b> {
    names: &'b Names<'a>,
    core: &'b CoreModule,
    types: Vec<TypeDef>,
    /// The first index of each distinct definition, for implicit uses.
    first_of: HashMap<TypeDef, u32>,
    type_ids: HashMap<Id<'a>, u32>,
    /// Every explicit type's `$id`, to tell a forward reference from a typo.
    declared_type_ids: HashSet<Id<'a>>,
    /// Parameter `$id`s of explicit function types, for `(type $t)` uses.
    param_ids: HashMap<u32, Vec<Option<Id<'a>>>>,
    type_names: BTreeMap<u32, String>,
    func_ids: HashMap<Id<'a>, u32>,
    /// `(type N)` uses of a type that did not exist yet when they were seen
    /// (an implicit type created later); checked at the end.
    deferred: Vec<(Span, u32, Option<FuncType>)>,
    /// Parameter names from `(param $x T)`, by adapter function.
    inline_names: BTreeMap<u32, Vec<String>>,
    /// `param-names` items: function, where, how many names.
    explicit_names: Vec<(u32, Span, usize)>,
}

impl<'a> Resolver<'a, '_> {
    /// The adapter function index space: imports first, then funcs and
    /// inline `implement` adapters.
    fn register_funcs(&mut self, items: &[Item<'a>]) -> Result<()> {
        let mut next = 0u32;
        for item in items {
            if let Item::Import(i) = item {
                self.register_func(i.id, next)?;
                next += 1;
            }
        }
        for item in items {
            match item {
                Item::Func(f) => {
                    self.register_func(f.id, next)?;
                    next += 1;
                }
                Item::Implement(i) if matches!(i.adapter, AdapterImpl::Inline { .. }) => next += 1,
                _ => {}
            }
        }
        Ok(())
    }

    fn register_func(&mut self, id: Option<Id<'a>>, idx: u32) -> Result<()> {
        if let Some(id) = id {
            if self.func_ids.insert(id, idx).is_some() {
                return Err(Error::new(
                    id.span(),
                    format!("duplicate adapter function identifier ${}", id.name()),
                ));
            }
        }
        Ok(())
    }

    fn explicit_types(&mut self, items: &[Item<'a>]) -> Result<()> {
        for item in items {
            if let Item::Type(t) = item {
                if let Some(id) = t.id {
                    if !self.declared_type_ids.insert(id) {
                        return Err(Error::new(
                            id.span(),
                            format!("duplicate type identifier ${}", id.name()),
                        ));
                    }
                }
            }
        }
        for item in items {
            let Item::Type(t) = item else { continue };
            let def = self.typedef(&t.def)?;
            let idx = self.types.len() as u32;
            self.types.push(def.clone());
            self.first_of.entry(def).or_insert(idx);
            if let Some(id) = t.id {
                self.type_ids.insert(id, idx);
            }
            match &t.def {
                TypeDefAst::Func { params, .. } => {
                    self.param_ids.insert(idx, param_ids(params)?);
                }
                // Function type names stay out of the names subsection so a
                // reference-subset module keeps its reference bytes.
                _ => {
                    if let Some(id) = t.id {
                        self.type_names.insert(idx, id.name().to_string());
                    }
                }
            }
        }
        Ok(())
    }

    fn items(&mut self, items: &[Item<'a>]) -> Result<Booklet> {
        let mut b = Booklet::default();
        let nimports = items
            .iter()
            .filter(|i| matches!(i, Item::Import(_)))
            .count() as u32;
        let funcs_total = items
            .iter()
            .filter(|i| {
                matches!(
                    i,
                    Item::Func(_)
                        | Item::Implement(ImplementItem {
                            adapter: AdapterImpl::Inline { .. },
                            ..
                        })
                )
            })
            .count() as u32;
        for item in items {
            match item {
                Item::Type(_) => {}
                Item::Import(i) => {
                    let (ty, locals) = self.type_use(&i.ty)?;
                    let func = b.imports.len() as u32;
                    record_param_names(&mut self.inline_names, func, &locals);
                    b.imports.push(Import {
                        module: i.module.to_string(),
                        name: i.name.to_string(),
                        ty,
                    });
                    b.exports.extend(i.exports.iter().map(|name| Export {
                        name: name.to_string(),
                        func,
                    }));
                }
                Item::Func(f) => {
                    let func = nimports + b.funcs.len() as u32;
                    let (ty, locals) = self.type_use(&f.ty)?;
                    let instrs = self.body(&f.body, &locals)?;
                    b.funcs.push(Func { ty, instrs });
                    record_param_names(&mut self.inline_names, func, &locals);
                    b.exports.extend(f.exports.iter().map(|name| Export {
                        name: name.to_string(),
                        func,
                    }));
                }
                Item::Doc(d) => {
                    let func = self.adapter_func(d.func)?;
                    let count = nimports + funcs_total;
                    if func >= count {
                        return Err(Error::new(
                            d.span,
                            format!("doc for adapter function {func}, but there are only {count}"),
                        ));
                    }
                    if b.docs.insert(func, d.text.to_string()).is_some() {
                        return Err(Error::new(
                            d.span,
                            format!("adapter function {func} is documented twice"),
                        ));
                    }
                }
                Item::ParamNames(n) => {
                    let func = self.adapter_func(n.func)?;
                    let count = nimports + funcs_total;
                    if func >= count {
                        return Err(Error::new(
                            n.span,
                            format!("parameter names for adapter function {func}, but there are only {count}"),
                        ));
                    }
                    if n.names.iter().all(|name| name.is_empty()) {
                        return Err(Error::new(
                            n.span,
                            "`param-names` names no parameter: leave it out".to_string(),
                        ));
                    }
                    let names = n.names.iter().map(|name| name.to_string()).collect();
                    if b.param_names.insert(func, names).is_some() {
                        return Err(Error::new(
                            n.span,
                            format!("adapter function {func} has parameter names twice"),
                        ));
                    }
                    self.explicit_names.push((func, n.span, n.names.len()));
                }
                Item::Export(e) => {
                    let func = self.adapter_func(e.func)?;
                    b.exports.push(Export {
                        name: e.name.to_string(),
                        func,
                    });
                }
                Item::Implement(i) => {
                    let core_func = match &i.core {
                        CoreTarget::Func(op) => self.core_func(*op)?,
                        CoreTarget::Import { span, module, name } => {
                            self.core_import(*span, module, name)?
                        }
                    };
                    let adapter_func = match &i.adapter {
                        AdapterImpl::Func(idx) => self.adapter_func(*idx)?,
                        AdapterImpl::Inline { ty, body } => {
                            let func = nimports + b.funcs.len() as u32;
                            let (ty, locals) = self.type_use(ty)?;
                            let instrs = self.body(body, &locals)?;
                            b.funcs.push(Func { ty, instrs });
                            record_param_names(&mut self.inline_names, func, &locals);
                            func
                        }
                    };
                    b.implements.push(Implement {
                        core_func,
                        adapter_func,
                    });
                }
            }
        }
        Ok(b)
    }

    fn check_deferred(&self) -> Result<()> {
        for (span, idx, inline) in &self.deferred {
            let ft = self.func_type_at(*span, *idx)?;
            if let Some(inline) = inline {
                if inline != ft {
                    return Err(mismatch(*span, *idx));
                }
            }
        }
        Ok(())
    }

    fn func_type_at(&self, span: Span, idx: u32) -> Result<&FuncType> {
        match self.types.get(idx as usize) {
            Some(TypeDef::Func(ft)) => Ok(ft),
            Some(other) => Err(Error::new(
                span,
                format!(
                    "type {idx} is a {} type, not a function type",
                    other.keyword()
                ),
            )),
            None => Err(Error::new(
                span,
                format!(
                    "type index {idx} out of bounds (the booklet has {} types)",
                    self.types.len()
                ),
            )),
        }
    }

    /// Resolves a signature to a function type index and the parameters'
    /// `$id`s (for `arg.get $x`).
    fn type_use(&mut self, tu: &TypeUse<'a>) -> Result<(u32, Vec<Option<Id<'a>>>)> {
        let inline = FuncType {
            params: tu
                .params
                .iter()
                .map(|p| self.valtype(&p.ty))
                .collect::<Result<_>>()?,
            results: tu
                .results
                .iter()
                .map(|t| self.valtype(t))
                .collect::<Result<_>>()?,
        };
        let inline_ids = param_ids(&tu.params)?;
        let Some(index) = tu.index else {
            return Ok((self.intern(TypeDef::Func(inline)), inline_ids));
        };
        let span = index.span();
        let idx = match index {
            Index::Num(n, _) => n,
            Index::Id(id) => match self.type_ids.get(&id) {
                Some(&n) => n,
                None => return Err(unknown(id, "type")),
            },
        };
        let inline = tu.has_inline().then_some(inline);
        if idx as usize >= self.types.len() {
            // Perhaps a type created implicitly by a later item.
            self.deferred.push((span, idx, inline));
            return Ok((idx, inline_ids));
        }
        let ft = self.func_type_at(span, idx)?;
        match inline {
            Some(inline) if inline != *ft => Err(mismatch(span, idx)),
            Some(_) => Ok((idx, inline_ids)),
            None => {
                let ids = match self.param_ids.get(&idx) {
                    Some(ids) => ids.clone(),
                    None => vec![None; ft.params.len()],
                };
                Ok((idx, ids))
            }
        }
    }

    fn typedef(&mut self, def: &TypeDefAst<'a>) -> Result<TypeDef> {
        Ok(match def {
            TypeDefAst::Func { params, results } => TypeDef::Func(FuncType {
                params: params
                    .iter()
                    .map(|p| self.valtype(&p.ty))
                    .collect::<Result<_>>()?,
                results: results
                    .iter()
                    .map(|t| self.valtype(t))
                    .collect::<Result<_>>()?,
            }),
            TypeDefAst::Record(fields) => TypeDef::Record(
                fields
                    .iter()
                    .map(|(name, t)| {
                        Ok(Field {
                            name: name.to_string(),
                            ty: self.valtype(t)?,
                        })
                    })
                    .collect::<Result<_>>()?,
            ),
            TypeDefAst::Variant(cases) => TypeDef::Variant(
                cases
                    .iter()
                    .map(|(name, t)| {
                        Ok(Case {
                            name: name.to_string(),
                            ty: t.as_ref().map(|t| self.valtype(t)).transpose()?,
                        })
                    })
                    .collect::<Result<_>>()?,
            ),
            TypeDefAst::Enum(names) => TypeDef::Enum(names.iter().map(|s| s.to_string()).collect()),
            TypeDefAst::Flags(names) => {
                TypeDef::Flags(names.iter().map(|s| s.to_string()).collect())
            }
            TypeDefAst::List(t) => TypeDef::List(self.valtype(t)?),
            TypeDefAst::Option(t) => TypeDef::Option(self.valtype(t)?),
            TypeDefAst::Result { ok, err } => TypeDef::Result {
                ok: ok.as_deref().map(|t| self.valtype(t)).transpose()?,
                err: err.as_deref().map(|t| self.valtype(t)).transpose()?,
            },
            TypeDefAst::Tuple(ts) => {
                TypeDef::Tuple(ts.iter().map(|t| self.valtype(t)).collect::<Result<_>>()?)
            }
        })
    }

    fn valtype(&mut self, t: &ValTypeAst<'a>) -> Result<ValType> {
        match t {
            ValTypeAst::Prim(v) => Ok(*v),
            // A numeric reference may point past what exists so far; the
            // validator checks it against the whole type section.
            ValTypeAst::Ref(Index::Num(n, _)) => Ok(ValType::Type(*n)),
            ValTypeAst::Ref(Index::Id(id)) => match self.type_ids.get(id) {
                Some(&idx) => match &self.types[idx as usize] {
                    TypeDef::Func(_) => Err(Error::new(
                        id.span(),
                        format!(
                            "type ${} is a function type, which cannot be used as a value type",
                            id.name()
                        ),
                    )),
                    _ => Ok(ValType::Type(idx)),
                },
                None if self.declared_type_ids.contains(id) => Err(Error::new(
                    id.span(),
                    format!(
                        "type ${} is used before its definition (a type may only refer \
                         to types defined before it)",
                        id.name()
                    ),
                )),
                None => Err(unknown(*id, "type")),
            },
            ValTypeAst::Inline(def) => {
                let def = self.typedef(def)?;
                Ok(ValType::Type(self.intern(def)))
            }
        }
    }

    /// The first type equal to `def`, or a new one.
    fn intern(&mut self, def: TypeDef) -> u32 {
        if let Some(&idx) = self.first_of.get(&def) {
            return idx;
        }
        let idx = self.types.len() as u32;
        self.types.push(def.clone());
        self.first_of.insert(def, idx);
        idx
    }

    fn body(&mut self, body: &[Instr<'a>], locals: &[Option<Id<'a>>]) -> Result<Vec<Instruction>> {
        body.iter().map(|i| self.instr(i, locals)).collect()
    }

    fn instr(&mut self, instr: &Instr<'a>, locals: &[Option<Id<'a>>]) -> Result<Instruction> {
        Ok(match &instr.kind {
            InstrKind::ArgGet(Index::Num(n, _)) => Instruction::ArgGet(*n),
            InstrKind::ArgGet(Index::Id(id)) => {
                match locals.iter().position(|l| l.as_ref() == Some(id)) {
                    Some(n) => Instruction::ArgGet(n as u32),
                    None => return Err(unknown(*id, "parameter")),
                }
            }
            InstrKind::CallCore(op) => Instruction::CallCore(self.core_func(*op)?),
            InstrKind::CallAdapter(idx) => Instruction::CallAdapter(self.adapter_func(*idx)?),
            InstrKind::DeferCallCore(op) => Instruction::DeferCallCore(self.core_func(*op)?),
            InstrKind::MemoryToString { encoding, mem } => Instruction::MemoryToString {
                mem: self.opt_memory(*mem)?,
                encoding: *encoding,
            },
            InstrKind::StringToMemory {
                encoding,
                first,
                second,
            } => {
                let (malloc, mem) = self.string_to_memory(instr.span, *first, *second)?;
                Instruction::StringToMemory {
                    malloc,
                    mem,
                    encoding: *encoding,
                }
            }
            InstrKind::Convert(c) => Instruction::Convert(*c),
            InstrKind::RecordLift(t) => Instruction::RecordLift(self.valtype(t)?),
            InstrKind::RecordLower(t) => Instruction::RecordLower(self.valtype(t)?),
            InstrKind::Value {
                op,
                ty,
                malloc,
                encoding,
                mem,
            } => {
                let ty = self.valtype(ty)?;
                let malloc = malloc.map(|m| self.core_func(m)).transpose()?;
                let mem = MemArg {
                    mem: self.opt_memory(*mem)?,
                    encoding: *encoding,
                };
                match (op, malloc) {
                    (ValueOp::Lift, _) => Instruction::ValueLift { ty, mem },
                    (ValueOp::Load, _) => Instruction::ValueLoad { ty, mem },
                    (ValueOp::Lower, Some(malloc)) => Instruction::ValueLower { ty, malloc, mem },
                    (ValueOp::Store, Some(malloc)) => Instruction::ValueStore { ty, malloc, mem },
                    (ValueOp::StoreNew, Some(malloc)) => {
                        Instruction::ValueStoreNew { ty, malloc, mem }
                    }
                    // The parser requires an allocator for these.
                    (_, None) => {
                        return Err(Error::new(instr.span, "missing allocator operand".into()))
                    }
                }
            }
        })
    }

    /// `string-to-memory $malloc $mem?` (reference) or `"mem" "malloc"`
    /// (article): two export names are told apart by the exports' kinds.
    fn string_to_memory(
        &self,
        span: Span,
        first: Operand<'a>,
        second: Option<Operand<'a>>,
    ) -> Result<(u32, u32)> {
        if let (Operand::Export(a, _), Some(Operand::Export(b, _))) = (first, second) {
            let mem = self.core.exported_memory(a);
            let malloc = self.core.exported_func(b);
            if let (Some(mem), Some(malloc)) = (mem, malloc) {
                return Ok((malloc, mem));
            }
            let rev = (self.core.exported_func(a), self.core.exported_memory(b));
            if let (Some(malloc), Some(mem)) = rev {
                return Ok((malloc, mem));
            }
            return Err(Error::new(
                span,
                format!(
                    "`string-to-memory {a:?} {b:?}`: expected a memory export and a function \
                     export (the article's order, \"mem\" \"malloc\") or a function export and \
                     a memory export (the reference order, $malloc $mem); {}",
                    self.describe_exports(&[a, b])
                ),
            ));
        }
        Ok((self.core_func(first)?, self.opt_memory(second)?))
    }

    fn describe_exports(&self, names: &[&str]) -> String {
        names
            .iter()
            .map(|n| match self.core.exports.iter().find(|e| e.name == *n) {
                Some(e) => format!("{n:?} is a {} export", kind_name(e.kind)),
                None => format!("there is no core export {n:?}"),
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn core_func(&self, op: Operand<'a>) -> Result<u32> {
        match op {
            Operand::Index(mut idx) => {
                if let Index::Id(id) = idx {
                    self.names
                        .resolve_func(&mut idx)
                        .map_err(|_| unknown(id, "core function"))?;
                }
                Ok(num(idx))
            }
            Operand::Export(name, span) => self.core_export(name, span, ExportKind::Func),
        }
    }

    fn opt_memory(&self, op: Option<Operand<'a>>) -> Result<u32> {
        match op {
            None => Ok(0),
            Some(Operand::Index(mut idx)) => {
                if let Index::Id(id) = idx {
                    self.names
                        .resolve_memory(&mut idx)
                        .map_err(|_| unknown(id, "core memory"))?;
                }
                Ok(num(idx))
            }
            Some(Operand::Export(name, span)) => self.core_export(name, span, ExportKind::Memory),
        }
    }

    fn core_export(&self, name: &str, span: Span, kind: ExportKind) -> Result<u32> {
        let want = kind_name(kind);
        match self.core.exports.iter().find(|e| e.name == name) {
            Some(e) if e.kind == kind => Ok(e.index),
            Some(e) => Err(Error::new(
                span,
                format!(
                    "core export {name:?} is a {}, not a {want}",
                    kind_name(e.kind)
                ),
            )),
            None => {
                let mut msg = format!("no core {want} is exported as {name:?}");
                let candidates = self
                    .core
                    .exports
                    .iter()
                    .filter(|e| e.kind == kind)
                    .map(|e| e.name.as_str());
                if let Some(s) = super::suggest(name, candidates) {
                    msg.push_str(&format!(" (did you mean {s:?}?)"));
                }
                Err(Error::new(span, msg))
            }
        }
    }

    fn core_import(&self, span: Span, module: &str, name: &str) -> Result<u32> {
        let mut found = self
            .core
            .funcs
            .iter()
            .enumerate()
            .filter(|(_, f)| {
                f.import
                    .as_ref()
                    .is_some_and(|(m, n)| m == module && n == name)
            })
            .map(|(i, _)| i as u32);
        match (found.next(), found.next()) {
            (Some(idx), None) => Ok(idx),
            (None, _) => Err(Error::new(
                span,
                format!("no core function is imported as {module:?} {name:?}"),
            )),
            (Some(_), Some(_)) => Err(Error::new(
                span,
                format!(
                    "core function import {module:?} {name:?} is ambiguous: the core module \
                     imports it more than once; use `(func <index>)`"
                ),
            )),
        }
    }

    fn adapter_func(&self, idx: Index<'a>) -> Result<u32> {
        match idx {
            Index::Num(n, _) => Ok(n),
            Index::Id(id) => match self.func_ids.get(&id) {
                Some(&n) => Ok(n),
                None => Err(unknown(id, "adapter function")),
            },
        }
    }
}

fn param_ids<'a>(params: &[Param<'a>]) -> Result<Vec<Option<Id<'a>>>> {
    let mut seen = HashSet::new();
    for id in params.iter().filter_map(|p| p.id) {
        if !seen.insert(id) {
            return Err(Error::new(
                id.span(),
                format!("duplicate parameter identifier ${}", id.name()),
            ));
        }
    }
    Ok(params.iter().map(|p| p.id).collect())
}

/// The parameter names of adapter `func`, when any of its parameters has a
/// `$id`.
fn record_param_names(out: &mut BTreeMap<u32, Vec<String>>, func: u32, ids: &[Option<Id<'_>>]) {
    if ids.iter().any(Option::is_some) {
        let names = ids
            .iter()
            .map(|id| id.map(|id| id.name().to_string()).unwrap_or_default())
            .collect();
        out.insert(func, names);
    }
}

fn num(idx: Index<'_>) -> u32 {
    match idx {
        Index::Num(n, _) => n,
        // `resolve_*` succeeded, so this is unreachable; 0 keeps it panic-free.
        Index::Id(_) => 0,
    }
}

fn unknown(id: Id<'_>, what: &str) -> Error {
    Error::new(id.span(), format!("unknown {what} ${}", id.name()))
}

fn mismatch(span: Span, idx: u32) -> Error {
    Error::new(
        span,
        format!("the inline signature does not match type {idx}"),
    )
}

fn kind_name(kind: ExportKind) -> &'static str {
    match kind {
        ExportKind::Func => "function",
        ExportKind::Table => "table",
        ExportKind::Memory => "memory",
        ExportKind::Global => "global",
        ExportKind::Tag => "tag",
    }
}
