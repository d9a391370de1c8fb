//! The bridge to the component model.
//!
//! [`adopt`] reads a core module built with a component-model bindings
//! generator (wit-bindgen writes the world it implements into a
//! `component-type:*` custom section) and gives it a booklet: one adapter per
//! function of the world that speaks the canonical ABI the module was
//! compiled against. The engine then runs the module like any intertype
//! module. [`new()`] goes the other way: it makes a component of an
//! intertype module. The mapping is described in `docs/component-model.md`.

mod component_types;
pub mod new;
mod reactor;
pub mod wit;

pub use new::{new, NewComponent, NewOptions};

use anyhow::{anyhow, bail, Context, Result};
use intertype::core::CoreModule;
use intertype::{
    Booklet, Case, Export, Field, Func, FuncType, Implement, Import, Instruction, MemArg,
    StringEncoding, TypeDef, ValType,
};
use std::collections::HashMap;
use wit_parser::{
    Function, FunctionKind, LiftLowerAbi, ManglingAndAbi, Resolve, Type, TypeDefKind, TypeId,
    WasmExport, WasmExportKind, WasmImport, WorldItem, WorldKey,
};

/// The canonical ABI's limits on flat parameters and results
/// (`MAX_FLAT_PARAMS`, `MAX_FLAT_RESULTS`).
const MAX_FLAT_PARAMS: usize = 16;
const MAX_FLAT_RESULTS: usize = 1;

/// Returns `module` (a core module with a `component-type` section) with a
/// booklet describing every function of its world. The core module is kept
/// byte for byte, including its `component-type` section; a reactor's
/// `_initialize` becomes its start function (`reactor.rs`).
pub fn adopt(module: &[u8]) -> Result<Vec<u8>> {
    let booklet = adopt_booklet(module)?;
    let payload = booklet.encode();
    let started = reactor::start_with_initialize(module)?;
    let module = started.as_deref().unwrap_or(module);
    let out = intertype::core::with_section(module, &payload)?;
    let adopted = intertype::Module::from_binary(&out)?;
    adopted
        .validate()
        .context("the generated booklet does not validate (a bug in `adopt`)")?;
    Ok(out)
}

/// The booklet [`adopt`] writes.
pub fn adopt_booklet(module: &[u8]) -> Result<Booklet> {
    let core = CoreModule::parse(module)?;
    if !core.interface_sections.is_empty() {
        bail!("the module already has an interface-types booklet");
    }
    let has_component_type = wasmparser::Parser::new(0).parse_all(module).any(|p| {
        matches!(p, Ok(wasmparser::Payload::CustomSection(c)) if c.name().starts_with("component-type"))
    });
    if !has_component_type {
        bail!("the module has no `component-type` custom section: build it with a component-model bindings generator such as wit-bindgen");
    }
    let (_, bindgen) = wit_component::metadata::decode(module)
        .context("reading the module's `component-type` custom section")?;
    let resolve = &bindgen.resolve;
    let world = &resolve.worlds[bindgen.world];
    let mut b = Builder {
        resolve,
        core: &core,
        booklet: Booklet::default(),
        types: HashMap::new(),
        used_names: HashMap::new(),
        mangling: None,
        memory: 0,
        realloc: None,
        encoding: StringEncoding::Utf8,
    };
    b.memory = match core.exported_memory("memory") {
        Some(m) => m,
        None if core.memories.is_empty() => 0,
        None => bail!("the module has a memory but does not export it as `memory`"),
    };

    // Interface imports come first in the adapter index space; the adapters
    // implementing the core imports follow.
    let mut imports = Vec::new();
    for (key, item) in &world.imports {
        for (iface, key, func) in world_funcs(resolve, key, item)? {
            let enc = bindgen
                .metadata
                .import_encodings
                .get(resolve, key, &func.name);
            let encoding = b.encoding(enc, iface, func)?;
            let ty = b.func_type(func)?;
            let (module, name) = resolve.wasm_import_name(
                ManglingAndAbi::Legacy(LiftLowerAbi::Sync),
                WasmImport::Func {
                    interface: iface,
                    func,
                },
            );
            let names: Vec<String> = func.params.iter().map(|p| p.name.clone()).collect();
            if names.iter().any(|n| !n.is_empty()) {
                let idx = b.booklet.imports.len() as u32;
                b.booklet.param_names.insert(idx, names);
            }
            b.booklet.imports.push(Import {
                module: module.clone(),
                name: name.clone(),
                ty,
            });
            imports.push((iface, func, module, name, encoding));
        }
    }
    for (idx, (iface, func, module, name, encoding)) in imports.iter().enumerate() {
        b.encoding = *encoding;
        b.import_adapter(idx as u32, *iface, func, module, name)?;
    }
    for (key, item) in &world.exports {
        for (iface, key, func) in world_funcs(resolve, key, item)? {
            let enc = bindgen
                .metadata
                .export_encodings
                .get(resolve, key, &func.name);
            b.encoding = b.encoding(enc, iface, func)?;
            b.export_adapter(iface, func)?;
        }
    }
    Ok(b.booklet)
}

/// The functions a world item contributes: a freestanding function, or every
/// function of an interface. Types are handled where they are used.
fn world_funcs<'a>(
    resolve: &'a Resolve,
    key: &'a WorldKey,
    item: &'a WorldItem,
) -> Result<Vec<(Option<&'a WorldKey>, &'a WorldKey, &'a Function)>> {
    Ok(match item {
        WorldItem::Function(f) => vec![(None, key, f)],
        WorldItem::Interface { id, .. } => resolve.interfaces[*id]
            .functions
            .values()
            .map(|f| (Some(key), key, f))
            .collect(),
        WorldItem::Type { .. } => Vec::new(),
    })
}

struct Builder<'a> {
    resolve: &'a Resolve,
    core: &'a CoreModule,
    booklet: Booklet,
    /// Structural dedup of type definitions.
    types: HashMap<TypeDef, u32>,
    /// Type names already given, to which type index.
    used_names: HashMap<String, u32>,
    /// The name mangling the module uses, found from its first export.
    mangling: Option<ManglingAndAbi>,
    memory: u32,
    realloc: Option<u32>,
    /// The string encoding of the function being adapted.
    encoding: StringEncoding,
}

impl Builder<'_> {
    fn item_name(&self, iface: Option<&WorldKey>, func: &Function) -> String {
        match iface {
            Some(k) => format!("{}#{}", self.resolve.name_world_key(k), func.name),
            None => func.name.clone(),
        }
    }

    fn check_supported(&self, iface: Option<&WorldKey>, func: &Function) -> Result<()> {
        if !matches!(func.kind, FunctionKind::Freestanding) {
            bail!(
                "`{}` is a {}: not supported yet (resources and async functions do not map to interface types)",
                self.item_name(iface, func),
                match func.kind {
                    FunctionKind::AsyncFreestanding
                    | FunctionKind::AsyncMethod(_)
                    | FunctionKind::AsyncStatic(_) => "async function",
                    _ => "resource method or constructor",
                }
            );
        }
        Ok(())
    }

    fn def(&mut self, def: TypeDef) -> u32 {
        if let Some(&i) = self.types.get(&def) {
            return i;
        }
        let i = self.booklet.types.len() as u32;
        self.booklet.types.push(def.clone());
        self.types.insert(def, i);
        i
    }

    fn func_type(&mut self, func: &Function) -> Result<u32> {
        let what = func.name.clone();
        let params = func
            .params
            .iter()
            .map(|p| self.val(&p.ty, &what))
            .collect::<Result<Vec<_>>>()?;
        let results = match &func.result {
            Some(t) => vec![self.val(t, &what)?],
            None => Vec::new(),
        };
        Ok(self.def(TypeDef::Func(FuncType { params, results })))
    }

    fn val(&mut self, ty: &Type, what: &str) -> Result<ValType> {
        Ok(match ty {
            Type::Bool => ValType::Bool,
            Type::U8 => ValType::U8,
            Type::U16 => ValType::U16,
            Type::U32 => ValType::U32,
            Type::U64 => ValType::U64,
            Type::S8 => ValType::S8,
            Type::S16 => ValType::S16,
            Type::S32 => ValType::S32,
            Type::S64 => ValType::S64,
            Type::F32 => ValType::F32,
            Type::F64 => ValType::F64,
            Type::Char => ValType::Char,
            Type::String => ValType::String,
            Type::ErrorContext => {
                bail!("`{what}` uses `error-context`: async is not supported yet")
            }
            Type::Id(id) => self.typedef(*id, what)?,
        })
    }

    fn typedef(&mut self, id: TypeId, what: &str) -> Result<ValType> {
        let t = &self.resolve.types[id];
        let unsupported = |kind: &str| {
            anyhow!(
                "`{what}` uses {kind}{}: not supported yet",
                t.name
                    .as_ref()
                    .map(|n| format!(" `{n}`"))
                    .unwrap_or_default()
            )
        };
        let def = match &t.kind {
            TypeDefKind::Type(inner) => return self.val(inner, what),
            TypeDefKind::Record(r) => TypeDef::Record(
                r.fields
                    .iter()
                    .map(|f| {
                        Ok(Field {
                            name: f.name.clone(),
                            ty: self.val(&f.ty, what)?,
                        })
                    })
                    .collect::<Result<_>>()?,
            ),
            TypeDefKind::Tuple(t) => TypeDef::Tuple(
                t.types
                    .iter()
                    .map(|t| self.val(t, what))
                    .collect::<Result<_>>()?,
            ),
            TypeDefKind::Variant(v) => TypeDef::Variant(
                v.cases
                    .iter()
                    .map(|c| {
                        Ok(Case {
                            name: c.name.clone(),
                            ty: c.ty.as_ref().map(|t| self.val(t, what)).transpose()?,
                        })
                    })
                    .collect::<Result<_>>()?,
            ),
            TypeDefKind::Enum(e) => TypeDef::Enum(e.cases.iter().map(|c| c.name.clone()).collect()),
            TypeDefKind::Flags(f) => {
                TypeDef::Flags(f.flags.iter().map(|c| c.name.clone()).collect())
            }
            TypeDefKind::Option(t) => TypeDef::Option(self.val(t, what)?),
            TypeDefKind::Result(r) => TypeDef::Result {
                ok: r.ok.as_ref().map(|t| self.val(t, what)).transpose()?,
                err: r.err.as_ref().map(|t| self.val(t, what)).transpose()?,
            },
            TypeDefKind::List(t) => TypeDef::List(self.val(t, what)?),
            TypeDefKind::Resource | TypeDefKind::Handle(_) => {
                return Err(unsupported("a resource"))
            }
            TypeDefKind::Future(_) | TypeDefKind::Stream(_) => {
                return Err(unsupported("a future or stream (async)"))
            }
            TypeDefKind::Map(..) => return Err(unsupported("a map")),
            TypeDefKind::FixedLengthList(..) => return Err(unsupported("a fixed-length list")),
            TypeDefKind::Unknown => return Err(unsupported("an unresolved type")),
        };
        let idx = self.def(def);
        if let Some(name) = &t.name {
            self.name_type(idx, id, name);
        }
        Ok(ValType::Type(idx))
    }

    /// Names type `idx` after its WIT name; a second type with the same name
    /// (from another interface) is named `interface-name` instead.
    fn name_type(&mut self, idx: u32, id: TypeId, name: &str) {
        if self.booklet.type_names.contains_key(&idx) {
            return;
        }
        let mut name = name.to_string();
        if self.used_names.get(&name).is_some_and(|&i| i != idx) {
            if let wit_parser::TypeOwner::Interface(i) = self.resolve.types[id].owner {
                if let Some(iface) = &self.resolve.interfaces[i].name {
                    name = format!("{iface}-{name}");
                }
            }
            let base = name.clone();
            let mut n = 2;
            while self.used_names.get(&name).is_some_and(|&i| i != idx) {
                name = format!("{base}{n}");
                n += 1;
            }
        }
        self.used_names.insert(name.clone(), idx);
        self.booklet.type_names.insert(idx, name);
    }

    fn flat_len(&self, tys: &[ValType]) -> Result<usize> {
        let mut n = 0;
        for t in tys {
            n += intertype::layout::flatten(&self.booklet.types, *t)
                .map_err(|e| anyhow!("{e:?}"))?
                .len();
        }
        Ok(n)
    }

    fn mem(&self) -> MemArg {
        MemArg {
            mem: self.memory,
            encoding: self.encoding,
        }
    }

    /// The string encoding a function was compiled with (wit-bindgen's
    /// `--string-encoding`): UTF-8 and UTF-16 map, `latin1+utf16` does not.
    fn encoding(
        &self,
        enc: Option<wit_component::StringEncoding>,
        iface: Option<&WorldKey>,
        func: &Function,
    ) -> Result<StringEncoding> {
        use wit_component::StringEncoding as E;
        match enc.unwrap_or_default() {
            E::UTF8 => Ok(StringEncoding::Utf8),
            E::UTF16 => Ok(StringEncoding::Utf16),
            E::CompactUTF16 => bail!(
                "`{}` uses the string encoding latin1+utf16, which intertype does not have (its Latin-1 is a different encoding)",
                self.item_name(iface, func)
            ),
        }
    }

    fn realloc(&mut self, what: &str) -> Result<u32> {
        if let Some(r) = self.realloc {
            return Ok(r);
        }
        let r = ["cabi_realloc", "cm32p2_realloc"]
            .iter()
            .find_map(|n| self.core.exported_func(n))
            .ok_or_else(|| {
                anyhow!("`{what}` passes values through memory but the module exports no `cabi_realloc`")
            })?;
        self.realloc = Some(r);
        Ok(r)
    }

    fn add_func(&mut self, ty: u32, instrs: Vec<Instruction>, func: &Function) -> u32 {
        let idx = self.booklet.adapter_func_count();
        self.booklet.funcs.push(Func { ty, instrs });
        let names: Vec<String> = func.params.iter().map(|p| p.name.clone()).collect();
        if names.iter().any(|n| !n.is_empty()) {
            self.booklet.param_names.insert(idx, names);
        }
        if let Some(doc) = &func.docs.contents {
            self.booklet.docs.insert(idx, doc.clone());
        }
        idx
    }

    /// A core export of the function, trying both name manglings.
    fn core_export(
        &mut self,
        iface: Option<&WorldKey>,
        func: &Function,
        post_return: bool,
    ) -> Option<u32> {
        let manglings = match self.mangling {
            Some(m) => vec![m],
            None => vec![
                ManglingAndAbi::Legacy(LiftLowerAbi::Sync),
                ManglingAndAbi::Standard32,
            ],
        };
        for m in manglings {
            let name = self.resolve.wasm_export_name(
                m,
                WasmExport::Func {
                    interface: iface,
                    func,
                    kind: if post_return {
                        WasmExportKind::PostReturn
                    } else {
                        WasmExportKind::Normal
                    },
                },
            );
            if let Some(i) = self.core.exported_func(&name) {
                self.mangling = Some(m);
                return Some(i);
            }
        }
        None
    }

    /// An exported function: lower the interface arguments, call the core
    /// export, lift its results, then let the post-return function free them.
    fn export_adapter(&mut self, iface: Option<&WorldKey>, func: &Function) -> Result<()> {
        let what = self.item_name(iface, func);
        self.check_supported(iface, func)?;
        let ty = self.func_type(func)?;
        let sig = self.booklet.func_type(ty).cloned().expect("just added");
        let core = self
            .core_export(iface, func, false)
            .ok_or_else(|| anyhow!("the module does not export the core function for `{what}`"))?;
        let mem = self.mem();
        let mut body = Vec::new();
        if self.flat_len(&sig.params)? <= MAX_FLAT_PARAMS {
            for (i, p) in sig.params.iter().enumerate() {
                body.push(Instruction::ArgGet(i as u32));
                body.push(Instruction::ValueLower {
                    ty: *p,
                    malloc: self.realloc_if_needed(*p, &what)?,
                    mem,
                });
            }
        } else {
            let tuple = ValType::Type(self.def(TypeDef::Tuple(sig.params.clone())));
            for i in 0..sig.params.len() {
                body.push(Instruction::ArgGet(i as u32));
            }
            body.push(Instruction::RecordLift(tuple));
            body.push(Instruction::ValueStoreNew {
                ty: tuple,
                malloc: self.realloc(&what)?,
                mem,
            });
        }
        body.push(Instruction::CallCore(core));
        if let Some(post) = self.core_export(iface, func, true) {
            body.push(Instruction::DeferCallCore(post));
        }
        if let [r] = sig.results.as_slice() {
            if self.flat_len(&sig.results)? <= MAX_FLAT_RESULTS {
                body.push(Instruction::ValueLift { ty: *r, mem });
            } else {
                body.push(Instruction::ValueLoad { ty: *r, mem });
            }
        }
        let name = match iface {
            Some(k) => format!("{}#{}", self.resolve.name_world_key(k), func.name),
            None => func.name.clone(),
        };
        let idx = self.add_func(ty, body, func);
        self.booklet.exports.push(Export { name, func: idx });
        Ok(())
    }

    /// `malloc` for lowering `ty`: the realloc when `ty` holds strings or
    /// lists, else any index (never called; the realloc if the module has one).
    fn realloc_if_needed(&mut self, ty: ValType, what: &str) -> Result<u32> {
        if intertype::layout::needs_memory(&self.booklet.types, ty) {
            self.realloc(what)
        } else {
            Ok(self.realloc(what).unwrap_or(0))
        }
    }

    /// An imported function: the core import is implemented by an adapter
    /// that lifts the guest's core arguments, calls the interface import and
    /// lowers the results (through the return pointer when they do not fit).
    fn import_adapter(
        &mut self,
        import: u32,
        iface: Option<&WorldKey>,
        func: &Function,
        module: &str,
        name: &str,
    ) -> Result<()> {
        let what = self.item_name(iface, func);
        self.check_supported(iface, func)?;
        let Some(core_idx) = self.core.funcs.iter().position(|f| {
            f.import
                .as_ref()
                .is_some_and(|(m, n)| m == module && n == name)
        }) else {
            // The guest never calls it: the linker removed the import.
            return Ok(());
        };
        let (core_params, core_results) = self.core.funcs[core_idx]
            .ty
            .known()
            .ok_or_else(|| anyhow!("core import for `{what}` has a type intertype cannot use"))?;
        let sig = self.booklet.imports[import as usize].ty;
        let sig = self.booklet.func_type(sig).cloned().expect("added");
        let mem = self.mem();
        let mut body = Vec::new();
        let params_flat = self.flat_len(&sig.params)?;
        let results_in_memory =
            !sig.results.is_empty() && self.flat_len(&sig.results)? > MAX_FLAT_RESULTS;
        if results_in_memory {
            // The return area is the last core parameter.
            body.push(Instruction::ArgGet(core_params.len() as u32 - 1));
        }
        if params_flat <= MAX_FLAT_PARAMS {
            let mut arg = 0u32;
            for p in &sig.params {
                let n = self.flat_len(&[*p])?;
                for _ in 0..n {
                    body.push(Instruction::ArgGet(arg));
                    arg += 1;
                }
                body.push(Instruction::ValueLift { ty: *p, mem });
            }
        } else {
            let tuple = ValType::Type(self.def(TypeDef::Tuple(sig.params.clone())));
            body.push(Instruction::ArgGet(0));
            body.push(Instruction::ValueLoad { ty: tuple, mem });
            body.push(Instruction::RecordLower(tuple));
        }
        body.push(Instruction::CallAdapter(import));
        if let [r] = sig.results.as_slice() {
            let malloc = self.realloc_if_needed(*r, &what)?;
            if results_in_memory {
                body.push(Instruction::ValueStore {
                    ty: *r,
                    malloc,
                    mem,
                });
            } else {
                body.push(Instruction::ValueLower {
                    ty: *r,
                    malloc,
                    mem,
                });
            }
        }
        let ty = self.def(TypeDef::Func(FuncType {
            params: core_params.iter().map(|t| t.to_val()).collect(),
            results: core_results.iter().map(|t| t.to_val()).collect(),
        }));
        let idx = self.booklet.adapter_func_count();
        self.booklet.funcs.push(Func { ty, instrs: body });
        self.booklet.implements.push(Implement {
            core_func: core_idx as u32,
            adapter_func: idx,
        });
        Ok(())
    }
}
