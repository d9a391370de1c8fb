//! `component new`: an intertype module as a component.
//!
//! The module's interface is presented to the component model by a
//! *canonical side*: core code with its own memory and a bump allocator
//! (`cabi_realloc`), which speaks the canonical ABI to `canon lift` and
//! `canon lower`. The canonical side is described as a booklet by
//! [`crate::adopt`] (from the world `wit::shim_world` writes: the module's
//! exports as imports `export-N`, its imports as exports `import-N`), and
//! the adapter compiler ([`intertype_adapt::compile`]) fuses that
//! description with the module's own adapters, both ways:
//!
//! * exports: the canonical side's `implement` adapter for `export-N` (lift
//!   the canonical arguments, call, lower the result into a return area) is
//!   fused with the module's export adapter;
//! * imports: the module's `implement` adapter is fused with the canonical
//!   side's export adapter for `import-N` (lower the arguments canonically,
//!   call the `canon lower`ed component import, lift the result).
//!
//! `docs/component-model.md` describes the component's shape.

use crate::component_types::Types;
use crate::wit;
use anyhow::{anyhow, bail, Context, Result};
use intertype::core::CoreModule;
use intertype::{Booklet, FuncType, TypeDef, ValType};
use intertype_adapt::{Adapters, Outcome};
use std::collections::{BTreeMap, HashMap};
use wasm_encoder::{
    CanonicalOption, CodeSection, ComponentBuilder, ComponentExportKind, ComponentTypeRef,
    ConstExpr, ElementSection, Elements, EntityType, ExportKind, ExportSection, Function,
    FunctionSection, GlobalSection, GlobalType, ImportSection, Instruction as I, MemorySection,
    MemoryType, Module, ModuleArg, RefType, TableType, TypeSection, ValType as W,
};
use wit_parser::abi::{AbiVariant, WasmSignature, WasmType};
use wit_parser::{Resolve, SizeAlign, WorldItem, WorldKey};

/// What `component new` may leave out.
#[derive(Clone, Debug, Default)]
pub struct NewOptions {
    /// Leave out interface exports whose types have no component-model form
    /// (core `i32`/`i64`/`externref`, several results) instead of refusing
    /// the module; [`NewComponent::omitted`] lists them.
    pub omit_unmappable: bool,
}

/// A component made by [`new`].
#[derive(Clone, Debug)]
pub struct NewComponent {
    /// The component binary (validated).
    pub component: Vec<u8>,
    /// Its WIT world (as `intertype wit` prints it).
    pub wit: String,
    /// Exports left out with [`NewOptions::omit_unmappable`], with why.
    pub omitted: Vec<(String, String)>,
}

/// The link name under which the module's exports are fused into the
/// canonical side.
const MODULE_LINK: &str = "module";
/// Canonical ABI limits.
const MAX_FLAT_RESULTS: usize = 1;
/// The first address the canonical side's allocator hands out; below it,
/// after 16 unused bytes, the two static return areas.
const RET_AREA: u32 = 16;

/// Makes a component of the intertype module `module`.
pub fn new(module: &[u8], options: &NewOptions) -> Result<NewComponent> {
    let parsed = intertype::validate_module(module)?;
    let mut booklet = parsed.booklet.clone();
    let core = &parsed.core;

    // Which exports map; the others are refused or left out.
    let mut omitted = Vec::new();
    let mut keep = Vec::new();
    for e in &booklet.exports {
        match export_maps(&booklet, e) {
            Ok(()) => keep.push(e.clone()),
            Err(why) if options.omit_unmappable => {
                omitted.push((e.name.clone(), format!("{why:#}")))
            }
            Err(why) => return Err(why),
        }
    }
    if keep.is_empty() && !booklet.exports.is_empty() {
        let why = omitted
            .iter()
            .map(|(_, why)| why.as_str())
            .collect::<Vec<_>>()
            .join("; ");
        bail!("none of the module's interface exports maps to the component model: {why}");
    }
    booklet.exports = keep;
    for imp in &booklet.imports {
        if let Some(ft) = booklet.func_type(imp.ty) {
            if ft.results.len() > 1 {
                bail!(
                    "import `{}` `{}` returns {} values; a component-model function returns at most one",
                    imp.module,
                    imp.name,
                    ft.results.len()
                );
            }
        }
    }
    let world_text = wit::world(&booklet, "module")?;
    let exports: Vec<usize> = (0..booklet.exports.len()).collect();
    check_core_imports(module)?;
    // The module with only the exports that map, every function and memory
    // exported (adapters may use unexported ones; the adapter compiler
    // reaches a module through its exports).
    let defined: std::collections::BTreeSet<u32> = (0..core.funcs.len() as u32)
        .filter(|&i| core.funcs[i as usize].import.is_none())
        .collect();
    let memories = (0..core.memories.len() as u32).collect();
    let exposed = intertype::core::expose(
        module,
        &defined,
        &memories,
        intertype::core::ExposeOptions::default(),
    )?;
    let module_bytes = intertype::core::with_section(&exposed.wasm, &booklet.encode())?;
    // What the component embeds: no booklet (engines refuse the section).
    let plain_module = intertype::core::strip(&module_bytes)?;

    // The canonical side's world, as WIT and as a wit-parser world.
    let shim_text = wit::shim_world(&booklet, &exports)?;
    let mut resolve = Resolve::default();
    let pkg = resolve
        .push_str("shim.wit", &shim_text)
        .with_context(|| format!("the canonical side's world does not parse:\n{shim_text}"))?;
    let world_id = resolve.select_world(&[pkg], Some("shim"))?;
    let world = &resolve.worlds[world_id];
    let export_funcs = exports
        .iter()
        .map(|i| shim_function(&resolve, &world.imports, &format!("export-{i}")))
        .collect::<Result<Vec<_>>>()?;
    let import_funcs = (0..booklet.imports.len())
        .map(|i| shim_function(&resolve, &world.exports, &format!("import-{i}")))
        .collect::<Result<Vec<_>>>()?;
    let mut sizes = SizeAlign::default();
    sizes.fill(&resolve);
    let sig = |f: &wit_parser::Function, v| Sig::of(resolve.wasm_signature(v, f));
    let ret_area = |f: &wit_parser::Function| {
        f.result
            .as_ref()
            .map(|t| {
                (
                    sizes.size(t).size_wasm32() as u32,
                    sizes.align(t).align_wasm32() as u32,
                )
            })
            .unwrap_or((0, 1))
    };
    let shapes = Shapes {
        exports: export_funcs
            .iter()
            .map(|f| FuncShape {
                lower: sig(f, AbiVariant::GuestImport),
                lift: sig(f, AbiVariant::GuestExport),
                ret: ret_area(f),
            })
            .collect(),
        imports: import_funcs
            .iter()
            .map(|f| FuncShape {
                lower: sig(f, AbiVariant::GuestImport),
                lift: sig(f, AbiVariant::GuestExport),
                ret: ret_area(f),
            })
            .collect(),
    };

    // The canonical side's description: signatures with a component-type
    // section, adopted into a booklet, its names made the module's.
    let mut desc = shapes.description();
    wit_component::embed_component_metadata(
        &mut desc,
        &resolve,
        world_id,
        wit_component::StringEncoding::UTF8,
    )?;
    let adopted = crate::adopt(&desc).context("describing the canonical side (a bug)")?;
    let mut side = intertype::Module::from_binary(&adopted)?.booklet;
    rename_like_module(&mut side, &booklet)?;

    // Exports: the canonical side imports the module's exports.
    let mut exp_side = side.clone();
    for (k, &i) in exports.iter().enumerate() {
        let imp = exp_side
            .imports
            .iter_mut()
            .find(|imp| imp.name == format!("export-{i}"))
            .ok_or_else(|| anyhow!("the canonical side lacks export-{i} (a bug)"))?;
        imp.module = MODULE_LINK.into();
        imp.name = booklet.exports[k].name.clone();
    }
    let exp_desc = intertype::core::with_section(&adopted, &exp_side.encode())?;
    let exp_adapters = intertype_adapt::compile(&exp_desc, &[(MODULE_LINK, &module_bytes)])
        .map_err(|e| anyhow!("fusing the exports: {e}"))?;
    let desc_core = CoreModule::parse(&adopted)?;
    let mut export_fused = Vec::new();
    for &i in &exports {
        let core_func = desc_core
            .funcs
            .iter()
            .position(|f| {
                f.import
                    .as_ref()
                    .is_some_and(|(_, n)| *n == format!("export-{i}"))
            })
            .ok_or_else(|| anyhow!("no core import for export-{i} (a bug)"))?
            as u32;
        let link = exp_adapters
            .links
            .iter()
            .find(|l| l.core_func == core_func)
            .ok_or_else(|| anyhow!("export `{}` was not fused (a bug)", booklet.exports[i].name))?;
        match &link.outcome {
            Outcome::Fused(f) => export_fused.push(f.export.clone()),
            Outcome::NotFusable(why) => bail!(
                "export `{}` cannot be presented to the component model: {why}",
                booklet.exports[i].name
            ),
        }
    }

    // Imports: the module's interface imports are the canonical side's
    // exports, one exporter per import module.
    let mut modules: Vec<String> = booklet.imports.iter().map(|i| i.module.clone()).collect();
    modules.sort();
    modules.dedup();
    let mut per_module = Vec::new();
    for m in &modules {
        let mut b = side.clone();
        b.exports.retain_mut(|e| {
            let Some(i) = e
                .name
                .strip_prefix("import-")
                .and_then(|n| n.parse::<usize>().ok())
            else {
                return false;
            };
            let imp = &booklet.imports[i];
            if imp.module != *m {
                return false;
            }
            e.name = imp.name.clone();
            true
        });
        per_module.push((
            m.clone(),
            intertype::core::with_section(&adopted, &b.encode())?,
        ));
    }
    let exporters: Vec<(&str, &[u8])> = per_module
        .iter()
        .map(|(m, b)| (m.as_str(), b.as_slice()))
        .collect();
    let imp_adapters = if booklet.imports.is_empty() {
        None
    } else {
        let a = intertype_adapt::compile(&module_bytes, &exporters)
            .map_err(|e| anyhow!("fusing the imports: {e}"))?;
        Some(a)
    };
    let core = CoreModule::parse(&module_bytes).unwrap_or_else(|_| core.clone());
    // Every core import of the module must be a fused implement.
    let mut fused_imports: HashMap<u32, (String, u32)> = HashMap::new();
    if let Some(a) = &imp_adapters {
        for l in &a.links {
            match &l.outcome {
                Outcome::Fused(f) => {
                    fused_imports.insert(l.core_func, (f.export.clone(), f.table_index));
                }
                Outcome::NotFusable(why) => bail!(
                    "core import `{}` `{}` cannot be connected to the component's imports: {why}",
                    l.import.0,
                    l.import.1
                ),
            }
        }
    }
    for (i, f) in core.funcs.iter().enumerate() {
        if let Some((m, n)) = &f.import {
            if !fused_imports.contains_key(&(i as u32)) {
                bail!("core import `{m}` `{n}` is not implemented by an adapter that calls an interface import: a component cannot provide it");
            }
        }
    }

    let component = assemble(&Assembly {
        booklet: &booklet,
        core: &core,
        module: &plain_module,
        shapes: &shapes,
        exp: &exp_adapters,
        export_fused: &export_fused,
        imp: imp_adapters.as_ref(),
        fused_imports: &fused_imports,
    })?;
    wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all())
        .validate_all(&component)
        .context("the component does not validate (a bug in `component new`)")?;
    Ok(NewComponent {
        component,
        wit: world_text,
        omitted,
    })
}

/// Whether export `e` has a component-model form: its WIT signature can be
/// written and it returns at most one value.
fn export_maps(booklet: &Booklet, e: &intertype::Export) -> Result<()> {
    let ft = booklet
        .adapter_func_type(e.func)
        .ok_or_else(|| anyhow!("export `{}` has no function type", e.name))?;
    let names: Vec<String> = (0..ft.params.len()).map(|i| format!("p{i}")).collect();
    Types::new(booklet)?.func(&mut ComponentBuilder::default(), ft, &names, &e.name)?;
    Ok(())
}

/// Refuses core imports that are not functions (a component cannot supply
/// a memory, table or global to the module).
fn check_core_imports(module: &[u8]) -> Result<()> {
    for payload in wasmparser::Parser::new(0).parse_all(module) {
        if let wasmparser::Payload::ImportSection(s) = payload? {
            for imp in s.into_imports() {
                let imp = imp?;
                if !matches!(imp.ty, wasmparser::TypeRef::Func(_)) {
                    bail!(
                        "the module imports `{}` `{}`, which is not a function: a component cannot provide it",
                        imp.module,
                        imp.name
                    );
                }
            }
        }
    }
    Ok(())
}

/// Gives the canonical side's record fields, cases and flags the module's
/// names (WIT spelled them in kebab-case), so the adapter compiler's
/// structural check sees the same types.
fn rename_like_module(side: &mut Booklet, module: &Booklet) -> Result<()> {
    // `N` of a shim name `export-N` or `import-N`.
    let number = |name: &str, prefix: &str| name.strip_prefix(prefix)?.parse::<usize>().ok();
    // The side imports `export-N` to call the module's export `N`, and
    // exports `import-N` for the module's import `N`.
    let calls_exports = side.imports.iter().filter_map(|imp| {
        let i = number(&imp.name, "export-")?;
        Some((
            side.func_type(imp.ty)?,
            module.adapter_func_type(module.exports.get(i)?.func)?,
        ))
    });
    let serves_imports = side.exports.iter().filter_map(|e| {
        let i = number(&e.name, "import-")?;
        Some((
            side.adapter_func_type(e.func)?,
            module.func_type(module.imports.get(i)?.ty)?,
        ))
    });
    let pairs: Vec<(FuncType, FuncType)> = calls_exports
        .chain(serves_imports)
        .map(|(s, m)| (s.clone(), m.clone()))
        .collect();
    let mut seen = std::collections::HashSet::new();
    for (s, m) in pairs {
        for (a, b) in s
            .params
            .iter()
            .zip(&m.params)
            .chain(s.results.iter().zip(&m.results))
        {
            rename(side, *a, module, *b, &mut seen);
        }
    }
    Ok(())
}

fn rename(
    side: &mut Booklet,
    s: ValType,
    module: &Booklet,
    m: ValType,
    seen: &mut std::collections::HashSet<(u32, u32)>,
) {
    let (ValType::Type(si), ValType::Type(mi)) = (s, m) else {
        return;
    };
    if !seen.insert((si, mi)) {
        return;
    }
    let (Some(sd), Some(md)) = (
        side.types.get(si as usize).cloned(),
        module.types.get(mi as usize),
    ) else {
        return;
    };
    let mut children = Vec::new();
    let renamed = match (sd, md) {
        (TypeDef::Record(mut fs), TypeDef::Record(ms)) if fs.len() == ms.len() => {
            for (f, g) in fs.iter_mut().zip(ms) {
                f.name = g.name.clone();
                children.push((f.ty, g.ty));
            }
            TypeDef::Record(fs)
        }
        (TypeDef::Variant(mut cs), TypeDef::Variant(ms)) if cs.len() == ms.len() => {
            for (c, d) in cs.iter_mut().zip(ms) {
                c.name = d.name.clone();
                if let (Some(a), Some(b)) = (c.ty, d.ty) {
                    children.push((a, b));
                }
            }
            TypeDef::Variant(cs)
        }
        (TypeDef::Enum(_), TypeDef::Enum(ms)) => TypeDef::Enum(ms.clone()),
        (TypeDef::Flags(_), TypeDef::Flags(ms)) => TypeDef::Flags(ms.clone()),
        (d @ TypeDef::List(a), TypeDef::List(b)) | (d @ TypeDef::Option(a), TypeDef::Option(b)) => {
            children.push((a, *b));
            d
        }
        (d @ TypeDef::Tuple(_), TypeDef::Tuple(bs)) => {
            if let TypeDef::Tuple(as_) = &d {
                children.extend(as_.iter().copied().zip(bs.iter().copied()));
            }
            d
        }
        (d @ TypeDef::Result { .. }, TypeDef::Result { ok: mo, err: me }) => {
            if let TypeDef::Result { ok, err } = &d {
                if let (Some(a), Some(b)) = (ok, mo) {
                    children.push((*a, *b));
                }
                if let (Some(a), Some(b)) = (err, me) {
                    children.push((*a, *b));
                }
            }
            d
        }
        (d, _) => d,
    };
    side.types[si as usize] = renamed;
    for (a, b) in children {
        rename(side, a, module, b, seen);
    }
}

/// A core signature of the canonical ABI.
#[derive(Clone, Debug)]
struct Sig {
    params: Vec<W>,
    results: Vec<W>,
    /// A lowered import's return pointer (the last parameter).
    retptr: bool,
}

impl Sig {
    fn of(s: WasmSignature) -> Sig {
        let w = |t: &WasmType| match t {
            WasmType::I32 | WasmType::Pointer | WasmType::Length => W::I32,
            WasmType::I64 | WasmType::PointerOrI64 => W::I64,
            WasmType::F32 => W::F32,
            WasmType::F64 => W::F64,
        };
        Sig {
            params: s.params.iter().map(w).collect(),
            results: s.results.iter().map(w).collect(),
            retptr: s.retptr,
        }
    }
}

struct FuncShape {
    /// `canon lower`'s signature (a return pointer parameter for results
    /// that do not fit in one core value).
    lower: Sig,
    /// `canon lift`'s signature (a returned pointer for such results).
    lift: Sig,
    /// Size and alignment of the result in memory.
    ret: (u32, u32),
}

struct Shapes {
    exports: Vec<FuncShape>,
    imports: Vec<FuncShape>,
}

impl Shapes {
    /// The static return area of exports, then of imports, then the heap.
    fn layout(&self) -> (u32, u32, u32) {
        let max = |fs: &[FuncShape]| fs.iter().map(|f| f.ret.0).max().unwrap_or(0);
        let export_area = RET_AREA;
        let import_area = (export_area + max(&self.exports) + 7) & !7;
        let heap = (import_area + max(&self.imports) + 7) & !7;
        (export_area, import_area, heap)
    }

    /// The canonical side as the adopter reads it: signatures only (every
    /// body `unreachable`), the world's core names.
    fn description(&self) -> Vec<u8> {
        let mut m = CoreBuilder::default();
        for (i, f) in self.exports.iter().enumerate() {
            m.import("$root", &format!("export-{i}"), &f.lower);
        }
        m.memory_export();
        m.func("cabi_realloc", &realloc_sig(), vec![I::Unreachable]);
        for (i, f) in self.imports.iter().enumerate() {
            m.func(&format!("import-{i}"), &f.lift, vec![I::Unreachable]);
            m.func(
                &format!("cabi_post_import-{i}"),
                &post_sig(&f.lift),
                vec![I::Unreachable],
            );
        }
        m.finish()
    }

    /// The allocator: memory, `cabi_realloc` (a bump allocator) and `reset`.
    fn allocator(&self) -> Vec<u8> {
        let (_, _, heap) = self.layout();
        let mut m = CoreBuilder::default();
        m.memory_export();
        m.globals.global(
            GlobalType {
                val_type: W::I32,
                mutable: true,
                shared: false,
            },
            &ConstExpr::i32_const(heap as i32),
        );
        // cabi_realloc(old, old_size, align, size): params 0..3; locals
        // 4 (ptr: i64), 5 (end: i64), 6 (pages: i64).
        let body = vec![
            // The canonical ABI only allocates; it never reallocates.
            I::LocalGet(0),
            I::If(wasm_encoder::BlockType::Empty),
            I::Unreachable,
            I::End,
            // ptr = (bump + align - 1) & -align, in i64 so nothing wraps.
            I::GlobalGet(0),
            I::I64ExtendI32U,
            I::LocalGet(2),
            I::I64ExtendI32U,
            I::I64Add,
            I::I64Const(1),
            I::I64Sub,
            I::I64Const(0),
            I::LocalGet(2),
            I::I64ExtendI32U,
            I::I64Sub,
            I::I64And,
            I::LocalTee(4),
            I::LocalGet(3),
            I::I64ExtendI32U,
            I::I64Add,
            I::LocalTee(5),
            // Pages the end needs, grown when the memory is smaller.
            I::I64Const(65535),
            I::I64Add,
            I::I64Const(16),
            I::I64ShrU,
            I::LocalTee(6),
            I::MemorySize(0),
            I::I64ExtendI32U,
            I::I64GtU,
            I::If(wasm_encoder::BlockType::Empty),
            I::LocalGet(6),
            I::MemorySize(0),
            I::I64ExtendI32U,
            I::I64Sub,
            I::I32WrapI64,
            I::MemoryGrow(0),
            I::I32Const(-1),
            I::I32Eq,
            I::If(wasm_encoder::BlockType::Empty),
            I::Unreachable,
            I::End,
            I::End,
            I::LocalGet(5),
            I::I32WrapI64,
            I::GlobalSet(0),
            I::LocalGet(4),
            I::I32WrapI64,
        ];
        m.func_with_locals("cabi_realloc", &realloc_sig(), vec![(3, W::I64)], body);
        m.func(
            "reset",
            &Sig {
                params: vec![],
                results: vec![],
                retptr: false,
            },
            vec![I::I32Const(heap as i32), I::GlobalSet(0)],
        );
        m.finish()
    }

    /// The import wrappers: `import-N` calls the lowered import `l` `N`
    /// (with the static return area when the result is in memory);
    /// `cabi_post_import-N` resets the allocator.
    fn import_side(&self) -> Vec<u8> {
        let (_, area, _) = self.layout();
        wrappers(
            &self.imports,
            "l",
            area,
            |i| format!("import-{i}"),
            |i| format!("cabi_post_import-{i}"),
        )
    }

    /// The export wrappers `canon lift` lifts: `lift-N` calls the fused
    /// function `f` `N`, `post-N` resets the allocator.
    fn export_side(&self) -> Vec<u8> {
        let (area, _, _) = self.layout();
        wrappers(
            &self.exports,
            "f",
            area,
            |i| format!("lift-{i}"),
            |i| format!("post-{i}"),
        )
    }
}

/// A module of wrappers around the functions `module` `N` (of the lowered
/// signatures) it imports: `wrapper(N)` (of the lifted signature) forwards
/// to one, with the static return area `area` when the result is in
/// memory, and `post(N)` calls `module` `reset`.
fn wrappers(
    funcs: &[FuncShape],
    module: &str,
    area: u32,
    wrapper: impl Fn(usize) -> String,
    post: impl Fn(usize) -> String,
) -> Vec<u8> {
    let mut m = CoreBuilder::default();
    m.import(module, "reset", &void());
    let callees: Vec<u32> = funcs
        .iter()
        .enumerate()
        .map(|(i, f)| m.import(module, &i.to_string(), &f.lower))
        .collect();
    for (i, f) in funcs.iter().enumerate() {
        m.func(
            &wrapper(i),
            &f.lift,
            forward(&f.lift, &f.lower, callees[i], area),
        );
        m.func(&post(i), &post_sig(&f.lift), vec![I::Call(0)]);
    }
    m.finish()
}

fn void() -> Sig {
    Sig {
        params: vec![],
        results: vec![],
        retptr: false,
    }
}

fn realloc_sig() -> Sig {
    Sig {
        params: vec![W::I32; 4],
        results: vec![W::I32],
        retptr: false,
    }
}

fn post_sig(lift: &Sig) -> Sig {
    Sig {
        params: lift.results.clone(),
        results: vec![],
        retptr: false,
    }
}

/// A body with the lifted signature calling `callee` with the lowered one:
/// the same parameters, and the static return area `area` as the return
/// pointer, returned, when the result lives in memory.
fn forward(lift: &Sig, lower: &Sig, callee: u32, area: u32) -> Vec<I<'static>> {
    let mut body: Vec<I<'static>> = (0..lift.params.len() as u32).map(I::LocalGet).collect();
    if lower.retptr {
        body.push(I::I32Const(area as i32));
        body.push(I::Call(callee));
        body.push(I::I32Const(area as i32));
    } else {
        debug_assert!(lift.results.len() <= MAX_FLAT_RESULTS);
        body.push(I::Call(callee));
    }
    body
}

/// A small core module writer.
#[derive(Default)]
struct CoreBuilder {
    types: TypeSection,
    imports: ImportSection,
    funcs: FunctionSection,
    memories: MemorySection,
    globals: GlobalSection,
    exports: ExportSection,
    code: CodeSection,
    tables: wasm_encoder::TableSection,
    elements: ElementSection,
    n_types: u32,
    n_imported: u32,
    n_funcs: u32,
}

impl CoreBuilder {
    fn ty(&mut self, sig: &Sig) -> u32 {
        self.types
            .ty()
            .function(sig.params.iter().copied(), sig.results.iter().copied());
        self.n_types += 1;
        self.n_types - 1
    }

    /// Imports a function; all imports come before the first `func`.
    fn import(&mut self, module: &str, name: &str, sig: &Sig) -> u32 {
        assert_eq!(self.n_funcs, 0, "imports first");
        let t = self.ty(sig);
        self.imports.import(module, name, EntityType::Function(t));
        self.n_imported += 1;
        self.n_imported - 1
    }

    fn memory_export(&mut self) {
        self.memories.memory(MemoryType {
            minimum: 1,
            maximum: None,
            memory64: false,
            shared: false,
            page_size_log2: None,
        });
        self.exports.export("memory", ExportKind::Memory, 0);
    }

    fn func(&mut self, export: &str, sig: &Sig, body: Vec<I<'_>>) -> u32 {
        self.func_with_locals(export, sig, vec![], body)
    }

    fn func_with_locals(
        &mut self,
        export: &str,
        sig: &Sig,
        locals: Vec<(u32, W)>,
        body: Vec<I<'_>>,
    ) -> u32 {
        let t = self.ty(sig);
        self.funcs.function(t);
        let idx = self.n_imported + self.n_funcs;
        self.n_funcs += 1;
        let mut f = Function::new(locals);
        for i in &body {
            f.instruction(i);
        }
        f.instruction(&I::End);
        self.code.function(&f);
        self.exports.export(export, ExportKind::Func, idx);
        idx
    }

    fn finish(self) -> Vec<u8> {
        let mut m = Module::new();
        m.section(&self.types);
        m.section(&self.imports);
        m.section(&self.funcs);
        if !self.tables.is_empty() {
            m.section(&self.tables);
        }
        if !self.memories.is_empty() {
            m.section(&self.memories);
        }
        if !self.globals.is_empty() {
            m.section(&self.globals);
        }
        m.section(&self.exports);
        if !self.elements.is_empty() {
            m.section(&self.elements);
        }
        m.section(&self.code);
        m.finish()
    }
}

/// A module importing table `` `table` `` and functions `` `0` ``… and
/// putting function `k` at `slots[k]` (filling the adapter compiler's shim
/// table once the fused functions exist).
fn fixup(sigs: &[Sig], slots: &[u32]) -> Vec<u8> {
    let mut m = CoreBuilder::default();
    m.imports.import(
        "",
        "table",
        EntityType::Table(TableType {
            element_type: RefType::FUNCREF,
            minimum: 0,
            maximum: None,
            table64: false,
            shared: false,
        }),
    );
    for (k, s) in sigs.iter().enumerate() {
        m.import("", &k.to_string(), s);
    }
    for (k, slot) in slots.iter().enumerate() {
        let funcs = [k as u32];
        m.elements.active(
            Some(0),
            &ConstExpr::i32_const(*slot as i32),
            Elements::Functions(funcs.as_slice().into()),
        );
    }
    m.finish()
}

struct Assembly<'a> {
    booklet: &'a Booklet,
    core: &'a CoreModule,
    module: &'a [u8],
    shapes: &'a Shapes,
    exp: &'a Adapters,
    export_fused: &'a [String],
    imp: Option<&'a Adapters>,
    fused_imports: &'a HashMap<u32, (String, u32)>,
}

/// Writes the component.
fn assemble(a: &Assembly<'_>) -> Result<Vec<u8>> {
    let b = a.booklet;
    let mut c = ComponentBuilder::default();
    let mut types = Types::new(b)?;
    check_names(b)?;
    let names = |func: u32, n: usize| -> Result<Vec<String>> {
        (0..n)
            .map(|i| match b.param_name(func, i) {
                Some(p) if !p.is_empty() => wit::plain_ident(p, "parameter name"),
                _ => Ok(format!("p{i}")),
            })
            .collect()
    };

    // Component imports: `$root` functions, other modules as instances.
    let mut import_funcs: Vec<u32> = vec![0; b.imports.len()];
    let mut by_module: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, imp) in b.imports.iter().enumerate() {
        by_module.entry(&imp.module).or_default().push(i);
    }
    for (module, idxs) in &by_module {
        if *module == "$root" {
            for &i in idxs {
                let imp = &b.imports[i];
                let ft = b.func_type(imp.ty).ok_or_else(|| anyhow!("import type"))?;
                let ty = types.func(&mut c, ft, &names(i as u32, ft.params.len())?, &imp.name)?;
                let name = wit::plain_ident(&imp.name, "import name")?;
                import_funcs[i] = c.import(name.as_str(), ComponentTypeRef::Func(ty));
            }
        } else {
            let mut funcs = Vec::new();
            for &i in idxs {
                let imp = &b.imports[i];
                let ft = b.func_type(imp.ty).ok_or_else(|| anyhow!("import type"))?;
                funcs.push((
                    wit::plain_ident(&imp.name, "import name")?,
                    ft,
                    names(i as u32, ft.params.len())?,
                ));
            }
            let short = module.rsplit('/').next().unwrap_or(module);
            let short = short.split('@').next().unwrap_or(short);
            let iname = wit::plain_ident(short, "import module")?;
            let inst_ty = types.instance(&mut c, &funcs, module)?;
            let ty = c.type_instance(None, &inst_ty);
            let inst = c.import(iname.as_str(), ComponentTypeRef::Instance(ty));
            for (&i, (fname, _, _)) in idxs.iter().zip(&funcs) {
                import_funcs[i] = c.alias_export(inst, fname, ComponentExportKind::Func);
            }
        }
    }
    // Export function types, defined before the core code.
    let mut export_types = Vec::new();
    for e in &b.exports {
        let ft = b
            .adapter_func_type(e.func)
            .ok_or_else(|| anyhow!("export type"))?;
        export_types.push(types.func(&mut c, ft, &names(e.func, ft.params.len())?, &e.name)?);
    }

    // The allocator.
    let alloc_mod = c.core_module_raw(Some("canonical allocator"), &a.shapes.allocator());
    let alloc = c.core_instantiate(Some("canonical allocator"), alloc_mod, []);
    let memory = c.core_alias_export(None, alloc, "memory", ExportKind::Memory);
    let realloc = c.core_alias_export(None, alloc, "cabi_realloc", ExportKind::Func);
    let reset = c.core_alias_export(None, alloc, "reset", ExportKind::Func);
    let options = || {
        [
            CanonicalOption::UTF8,
            CanonicalOption::Memory(memory),
            CanonicalOption::Realloc(realloc),
        ]
    };

    // The canonical side's items under the description's names.
    let mut side_items: Vec<(String, ExportKind, u32)> = vec![
        ("memory".into(), ExportKind::Memory, memory),
        ("cabi_realloc".into(), ExportKind::Func, realloc),
    ];

    let mut module_args: Vec<(String, u32)> = Vec::new();
    let mut shim_inst = None;
    if let Some(imp) = a.imp {
        // canon lower every import, then the import wrappers.
        let mut lowered = vec![("reset".to_string(), ExportKind::Func, reset)];
        for (i, f) in import_funcs.iter().enumerate() {
            let l = c.lower_func(None, *f, options());
            lowered.push((i.to_string(), ExportKind::Func, l));
        }
        let bag =
            c.core_instantiate_exports(None, lowered.iter().map(|(n, k, i)| (n.as_str(), *k, *i)));
        let side_mod = c.core_module_raw(Some("canonical imports"), &a.shapes.import_side());
        let side = c.core_instantiate(
            Some("canonical imports"),
            side_mod,
            [("l", ModuleArg::Instance(bag))],
        );
        for i in 0..b.imports.len() {
            for name in [format!("import-{i}"), format!("cabi_post_import-{i}")] {
                let f = c.core_alias_export(None, side, &name, ExportKind::Func);
                side_items.push((name, ExportKind::Func, f));
            }
        }
        // The module's core imports: the adapter compiler's trampolines.
        let shim_mod = c.core_module_raw(Some("import trampolines"), &imp.shim);
        let shim = c.core_instantiate(Some("import trampolines"), shim_mod, []);
        shim_inst = Some(shim);
        let mut by_core_module: BTreeMap<String, Vec<(String, u32)>> = BTreeMap::new();
        for (i, f) in a.core.funcs.iter().enumerate() {
            if let Some((m, n)) = &f.import {
                let (export, _) = &a.fused_imports[&(i as u32)];
                let t = c.core_alias_export(None, shim, export, ExportKind::Func);
                by_core_module
                    .entry(m.clone())
                    .or_default()
                    .push((n.clone(), t));
            }
        }
        for (m, items) in by_core_module {
            let bag = c.core_instantiate_exports(
                None,
                items
                    .iter()
                    .map(|(n, f)| (n.as_str(), ExportKind::Func, *f)),
            );
            module_args.push((m, bag));
        }
    }
    let side_bag = c.core_instantiate_exports(
        Some("canonical side"),
        side_items.iter().map(|(n, k, i)| (n.as_str(), *k, *i)),
    );

    // The module itself.
    let module_mod = c.core_module_raw(Some("module"), a.module);
    let module = c.core_instantiate(
        Some("module"),
        module_mod,
        module_args
            .iter()
            .map(|(m, i)| (m.as_str(), ModuleArg::Instance(*i)))
            .collect::<Vec<_>>(),
    );

    // The fused imports, then the shim's table filled with them.
    if let (Some(imp), Some(shim)) = (a.imp, shim_inst) {
        let args = adapter_args(&imp.imports, module, side_bag);
        let fused = instantiate_adapters(&mut c, "fused imports", &imp.module, args)?;
        let table =
            c.core_alias_export(None, shim, intertype_adapt::TABLE_EXPORT, ExportKind::Table);
        let mut items = vec![("table".to_string(), ExportKind::Table, table)];
        let mut sigs = Vec::new();
        let mut slots = Vec::new();
        let mut entries: Vec<_> = a.fused_imports.iter().collect();
        entries.sort();
        for (k, (core_func, (export, slot))) in entries.into_iter().enumerate() {
            let f = c.core_alias_export(None, fused, export, ExportKind::Func);
            items.push((k.to_string(), ExportKind::Func, f));
            let (params, results) = a.core.funcs[*core_func as usize]
                .ty
                .known()
                .ok_or_else(|| anyhow!("core import with unknown types"))?;
            sigs.push(Sig {
                params: params.iter().map(|t| core_val(*t)).collect(),
                results: results.iter().map(|t| core_val(*t)).collect(),
                retptr: false,
            });
            slots.push(*slot);
        }
        let bag =
            c.core_instantiate_exports(None, items.iter().map(|(n, k, i)| (n.as_str(), *k, *i)));
        let fix = c.core_module_raw(Some("fill the trampoline table"), &fixup(&sigs, &slots));
        c.core_instantiate(None, fix, [("", ModuleArg::Instance(bag))]);
    }

    // The fused exports, and the wrappers canon lift lifts.
    let args = adapter_args(&a.exp.imports, side_bag, module);
    let fused = instantiate_adapters(&mut c, "fused exports", &a.exp.module, args)?;
    let mut items = vec![("reset".to_string(), ExportKind::Func, reset)];
    for (i, name) in a.export_fused.iter().enumerate() {
        let f = c.core_alias_export(None, fused, name, ExportKind::Func);
        items.push((i.to_string(), ExportKind::Func, f));
    }
    let bag = c.core_instantiate_exports(None, items.iter().map(|(n, k, i)| (n.as_str(), *k, *i)));
    let exp_mod = c.core_module_raw(Some("canonical exports"), &a.shapes.export_side());
    let exp = c.core_instantiate(
        Some("canonical exports"),
        exp_mod,
        [("f", ModuleArg::Instance(bag))],
    );
    for (i, e) in b.exports.iter().enumerate() {
        let lift = c.core_alias_export(None, exp, &format!("lift-{i}"), ExportKind::Func);
        let post = c.core_alias_export(None, exp, &format!("post-{i}"), ExportKind::Func);
        let mut opts = options().to_vec();
        opts.push(CanonicalOption::PostReturn(post));
        let name = wit::plain_ident(&e.name, "export name")?;
        let f = c.lift_func(Some(&name), lift, export_types[i], opts);
        c.export(name.as_str(), ComponentExportKind::Func, f, None);
    }
    Ok(c.finish())
}

/// Instantiates an adapter module of the adapter compiler.
fn instantiate_adapters(
    c: &mut ComponentBuilder,
    name: &str,
    module: &[u8],
    args: Vec<(String, u32)>,
) -> Result<u32> {
    let m = c.core_module_raw(Some(name), module);
    Ok(c.core_instantiate(
        Some(name),
        m,
        args.iter()
            .map(|(n, i)| (n.as_str(), ModuleArg::Instance(*i)))
            .collect::<Vec<_>>(),
    ))
}

/// Two items of the module that would get the same component name (WIT
/// spells `a_b` and `a-b` alike; named types and `$root` imports share the
/// import namespace) are refused, naming both.
fn check_names(b: &Booklet) -> Result<()> {
    let mut imports: HashMap<String, String> = HashMap::new();
    let claim = |map: &mut HashMap<String, String>, name: String, what: String| match map
        .insert(name.clone(), what.clone())
    {
        Some(prev) if prev != what => {
            bail!("{prev} and {what} would both be named `{name}` in the component")
        }
        _ => Ok(()),
    };
    for n in wit::type_names(b)?.values() {
        let n = n.trim_start_matches('%').to_string();
        claim(&mut imports, n.clone(), format!("type `{n}`"))?;
    }
    for imp in &b.imports {
        let (name, what) = if imp.module == "$root" {
            (
                wit::plain_ident(&imp.name, "import name")?,
                format!("import `{}`", imp.name),
            )
        } else {
            let short = imp.module.rsplit('/').next().unwrap_or(&imp.module);
            let short = short.split('@').next().unwrap_or(short);
            (
                wit::plain_ident(short, "import module")?,
                format!("import module `{}`", imp.module),
            )
        };
        claim(&mut imports, name, what)?;
    }
    let mut exports = HashMap::new();
    for e in &b.exports {
        let name = wit::plain_ident(&e.name, "export name")?;
        claim(&mut exports, name, format!("export `{}`", e.name))?;
    }
    Ok(())
}

fn core_val(t: intertype::CoreType) -> W {
    match t {
        intertype::CoreType::I32 => W::I32,
        intertype::CoreType::I64 => W::I64,
        intertype::CoreType::F32 => W::F32,
        intertype::CoreType::F64 => W::F64,
        intertype::CoreType::Externref => W::EXTERNREF,
    }
}

/// The instantiation arguments of an adapter module: `importer` and
/// `exporter:NAME` are core instances whose exports have the sides' core
/// export names.
fn adapter_args(
    imports: &[intertype_adapt::AdapterImport],
    importer: u32,
    exporter: u32,
) -> Vec<(String, u32)> {
    let mut args: Vec<(String, u32)> = Vec::new();
    for imp in imports {
        if args.iter().any(|(m, _)| *m == imp.module) {
            continue;
        }
        let inst = if imp.side == 0 { importer } else { exporter };
        args.push((imp.module.clone(), inst));
    }
    args
}

/// The function `name` of the shim world. The world was generated with one
/// function per name, so a missing one is our bug: an error, not a panic.
fn shim_function<'a>(
    resolve: &Resolve,
    items: impl IntoIterator<Item = (&'a WorldKey, &'a WorldItem)>,
    name: &str,
) -> Result<wit_parser::Function> {
    items
        .into_iter()
        .find(|(k, _)| resolve.name_world_key(k) == name)
        .and_then(|(_, item)| match item {
            WorldItem::Function(f) => Some(f.clone()),
            _ => None,
        })
        .ok_or_else(|| anyhow!("internal: the shim world has no function `{name}`"))
}
