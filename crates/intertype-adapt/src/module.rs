//! Assembling the adapter module (imports, helpers, fused functions, the
//! trap-code global, names) and the shim module.

use crate::code::{Body, FuncRef};
use crate::fault::TRAP_CODE_GLOBAL;
use crate::strings::Helper;
use crate::{AdapterImport, Fused, ImportKind, NotFusable, Side};
use intertype::{CoreType, TypeDef};
use std::collections::HashMap;
use wasm_encoder::{
    CodeSection, ConstExpr, EntityType, ExportKind, ExportSection, Function, FunctionSection,
    GlobalSection, GlobalType, ImportSection, MemoryType, Module, NameMap, NameSection, RefType,
    TableSection, TableType, TypeSection, ValType,
};

/// The shim's exported table that the engine fills with the adapter
/// module's fused functions (entry `Fused::table_index`).
pub const TABLE_EXPORT: &str = "table";

pub(crate) fn wasm_type(t: CoreType) -> ValType {
    match t {
        CoreType::I32 => ValType::I32,
        CoreType::I64 => ValType::I64,
        CoreType::F32 => ValType::F32,
        CoreType::F64 => ValType::F64,
        CoreType::Externref => ValType::Ref(RefType::EXTERNREF),
    }
}

/// What the module is being built from, and what it has so far.
pub(crate) struct Builder<'a> {
    pub sides: &'a [Side],
    pub types: &'a [TypeDef],
    pub state: State,
}

/// Everything a failed fusion must be able to roll back.
#[derive(Clone, Default)]
pub(crate) struct State {
    pub imports: Vec<AdapterImport>,
    /// Signature of each function import, in function import order.
    pub func_import_types: Vec<(Vec<ValType>, Vec<ValType>)>,
    pub func_imports: HashMap<(u32, u32), u32>,
    pub mem_imports: HashMap<(u32, u32), u32>,
    pub helpers: Vec<(Helper, BodyBox)>,
    pub helper_index: HashMap<Helper, u32>,
    pub fused: Vec<(Fused, String, BodyBox)>,
}

/// A finished body (`Body` is not `Clone`; finished ones never change).
#[derive(Clone)]
pub(crate) struct BodyBox(pub std::rc::Rc<Body>);

impl<'a> Builder<'a> {
    pub fn new(sides: &'a [Side], types: &'a [TypeDef]) -> Builder<'a> {
        Builder {
            sides,
            types,
            state: State::default(),
        }
    }

    /// Fuses A's implement adapter `adapter` (for core import `core_func`).
    pub fn fuse(
        &mut self,
        core_func: u32,
        adapter: u32,
        module: &str,
        name: &str,
    ) -> Result<Fused, NotFusable> {
        let saved = self.state.clone();
        let r = crate::fuse::fuse(self, core_func, adapter);
        match r {
            Ok(body) => {
                let mut export = format!("{module} {name}");
                if self.state.fused.iter().any(|(f, _, _)| f.export == export) {
                    export = format!("{export} #{core_func}");
                }
                let fused = Fused {
                    core_func,
                    export,
                    table_index: self.state.fused.len() as u32,
                };
                let label = format!("fused {module} {name}");
                self.state
                    .fused
                    .push((fused.clone(), label, BodyBox(std::rc::Rc::new(body))));
                Ok(fused)
            }
            Err(e) => {
                self.state = saved;
                Err(e)
            }
        }
    }

    /// The adapter module's function for core function `f` of `side`.
    pub fn core_func(&mut self, side: u32, f: u32) -> Result<FuncRef, NotFusable> {
        if let Some(&k) = self.state.func_imports.get(&(side, f)) {
            return Ok(FuncRef::Import(k));
        }
        let s = &self.sides[side as usize];
        let core = &s.module.core;
        let name = core
            .exports
            .iter()
            .find(|e| e.kind == intertype::core::ExportKind::Func && e.index == f)
            .map(|e| e.name.clone())
            .ok_or_else(|| NotFusable::Unexported {
                side,
                what: format!("core func {}", core.func_label(f)),
            })?;
        let (params, results) = core.funcs[f as usize].ty.known().unwrap_or_default();
        let k = self.state.func_import_types.len() as u32;
        self.state.func_import_types.push((
            params.into_iter().map(wasm_type).collect(),
            results.into_iter().map(wasm_type).collect(),
        ));
        self.state.imports.push(AdapterImport {
            module: s.import_module.clone(),
            name,
            side,
            kind: ImportKind::Func(f),
        });
        self.state.func_imports.insert((side, f), k);
        Ok(FuncRef::Import(k))
    }

    /// The adapter module's memory index for memory `m` of `side`.
    pub fn memory(&mut self, side: u32, m: u32) -> Result<u32, NotFusable> {
        if let Some(&k) = self.state.mem_imports.get(&(side, m)) {
            return Ok(k);
        }
        let s = &self.sides[side as usize];
        let name = s
            .module
            .core
            .exports
            .iter()
            .find(|e| e.kind == intertype::core::ExportKind::Memory && e.index == m)
            .map(|e| e.name.clone())
            .ok_or_else(|| NotFusable::Unexported {
                side,
                what: format!("memory {m}"),
            })?;
        let k = self.state.mem_imports.len() as u32;
        self.state.imports.push(AdapterImport {
            module: s.import_module.clone(),
            name,
            side,
            kind: ImportKind::Memory(m),
        });
        self.state.mem_imports.insert((side, m), k);
        Ok(k)
    }

    pub fn helper(&mut self, h: Helper) -> FuncRef {
        if let Some(&k) = self.state.helper_index.get(&h) {
            return FuncRef::Helper(k);
        }
        let k = self.state.helpers.len() as u32;
        self.state
            .helpers
            .push((h, BodyBox(std::rc::Rc::new(h.body()))));
        self.state.helper_index.insert(h, k);
        FuncRef::Helper(k)
    }

    /// The adapter module, the shim and the import list.
    pub fn finish(self) -> (Vec<u8>, Vec<u8>, Vec<AdapterImport>) {
        let st = self.state;
        let mut types = Types::default();
        let mut imports = ImportSection::new();
        let mut names = NameMap::new();
        let mut func_k = 0u32;
        for imp in &st.imports {
            let ty = match imp.kind {
                ImportKind::Func(_) => {
                    let (p, r) = &st.func_import_types[func_k as usize];
                    let side = &self.sides[imp.side as usize];
                    let f = match imp.kind {
                        ImportKind::Func(f) => f,
                        ImportKind::Memory(_) => unreachable!(),
                    };
                    names.append(
                        func_k,
                        &format!("{} {}", side.import_module, side.module.core.func_label(f)),
                    );
                    func_k += 1;
                    EntityType::Function(types.get(p, r))
                }
                ImportKind::Memory(_) => EntityType::Memory(MemoryType {
                    minimum: 0,
                    maximum: None,
                    memory64: false,
                    shared: false,
                    page_size_log2: None,
                }),
            };
            imports.import(&imp.module, &imp.name, ty);
        }
        let n_imports = func_k;
        let n_helpers = st.helpers.len() as u32;
        let index = |f: FuncRef| match f {
            FuncRef::Import(k) => k,
            FuncRef::Helper(k) => n_imports + k,
        };
        let mut funcs = FunctionSection::new();
        let mut code = CodeSection::new();
        let bodies = st
            .helpers
            .iter()
            .map(|(h, b)| (h.name(), b))
            .chain(st.fused.iter().map(|(_, label, b)| (label.clone(), b)));
        for (k, (label, b)) in bodies.enumerate() {
            let b = &b.0;
            funcs.function(types.get(&b.params, &b.results));
            let mut f = Function::new_with_locals_types(b.locals.iter().copied());
            f.raw(b.code.resolve(index));
            code.function(&f);
            let idx = n_imports + k as u32;
            names.append(idx, &label);
        }
        let mut globals = GlobalSection::new();
        globals.global(
            GlobalType {
                val_type: ValType::I32,
                mutable: true,
                shared: false,
            },
            &ConstExpr::i32_const(0),
        );
        let mut exports = ExportSection::new();
        for (k, (fused, _, _)) in st.fused.iter().enumerate() {
            exports.export(
                &fused.export,
                ExportKind::Func,
                n_imports + n_helpers + k as u32,
            );
        }
        exports.export(TRAP_CODE_GLOBAL, ExportKind::Global, 0);
        let mut global_names = NameMap::new();
        global_names.append(0, TRAP_CODE_GLOBAL);
        let mut name_section = NameSection::new();
        name_section.module("intertype adapters");
        name_section.functions(&names);
        name_section.globals(&global_names);

        let mut m = Module::new();
        m.section(&types.section)
            .section(&imports)
            .section(&funcs)
            .section(&globals)
            .section(&exports)
            .section(&code)
            .section(&name_section);
        let module = m.finish();
        let shim = shim(&st.fused);
        (module, shim, st.imports)
    }
}

#[derive(Default)]
struct Types {
    section: TypeSection,
    seen: HashMap<(Vec<ValType>, Vec<ValType>), u32>,
}

impl Types {
    fn get(&mut self, p: &[ValType], r: &[ValType]) -> u32 {
        let key = (p.to_vec(), r.to_vec());
        if let Some(&k) = self.seen.get(&key) {
            return k;
        }
        let k = self.section.len();
        self.section
            .ty()
            .function(p.iter().copied(), r.iter().copied());
        self.seen.insert(key, k);
        k
    }
}

/// A table and one trampoline per fused function calling through it.
fn shim(fused: &[(Fused, String, BodyBox)]) -> Vec<u8> {
    let mut types = Types::default();
    let mut funcs = FunctionSection::new();
    let mut code = CodeSection::new();
    let mut exports = ExportSection::new();
    let mut names = NameMap::new();
    let n = fused.len() as u64;
    for (k, (f, label, b)) in fused.iter().enumerate() {
        let ty = types.get(&b.0.params, &b.0.results);
        funcs.function(ty);
        let mut body = Function::new([]);
        let mut s = body.instructions();
        for i in 0..b.0.params.len() as u32 {
            s.local_get(i);
        }
        s.i32_const(k as i32).call_indirect(0, ty).end();
        code.function(&body);
        exports.export(&f.export, ExportKind::Func, k as u32);
        names.append(k as u32, &format!("shim {label}"));
    }
    exports.export(TABLE_EXPORT, ExportKind::Table, 0);
    let mut tables = TableSection::new();
    tables.table(TableType {
        element_type: RefType::FUNCREF,
        minimum: n,
        maximum: Some(n),
        table64: false,
        shared: false,
    });
    let mut name_section = NameSection::new();
    name_section.module("intertype adapter shim");
    name_section.functions(&names);
    let mut m = Module::new();
    m.section(&types.section)
        .section(&funcs)
        .section(&tables)
        .section(&exports)
        .section(&code)
        .section(&name_section);
    m.finish()
}
