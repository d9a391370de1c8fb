//! Multi-value results without the JS API's slow path: a JS function
//! imported by wasm that returns several values must return an iterable,
//! which the engine's wasm-to-JS wrapper walks on every call (in V8 this
//! cost more than the rest of a fused 5-byte call). For linked glue, each
//! implemented core import with several numeric results is served instead
//! by a small generated wasm **trampoline**: it calls the JS function (no
//! results), which stores its results in the trampoline's memory, and
//! loads them into wasm values.

use intertype::CoreType;
use wasm_encoder::{
    CodeSection, EntityType, ExportKind, ExportSection, Function, FunctionSection, ImportSection,
    Instruction, MemArg, MemorySection, MemoryType, Module, TypeSection, ValType,
};

/// One core import served through the trampoline: the implementing JS
/// function's name (`af3`, `fz3`), its core parameter and result types.
pub(crate) struct Entry {
    pub js: String,
    pub params: Vec<CoreType>,
    pub results: Vec<CoreType>,
}

fn val(t: CoreType) -> Option<ValType> {
    Some(match t {
        CoreType::I32 => ValType::I32,
        CoreType::I64 => ValType::I64,
        CoreType::F32 => ValType::F32,
        CoreType::F64 => ValType::F64,
        CoreType::Externref => return None,
    })
}

/// Whether a core signature can go through a trampoline (several results,
/// all numbers: they are stored in memory).
pub(crate) fn fits(params: &[CoreType], results: &[CoreType]) -> bool {
    results.len() >= 2
        && results.len() <= 64
        && params.iter().chain(results).all(|t| val(*t).is_some())
}

/// The trampoline module: imports `js` `f{k}`, exports `t{k}` for each entry
/// and its memory `r` (result `j` at byte `8 * j`).
pub(crate) fn module(entries: &[Entry]) -> Vec<u8> {
    let mut types = TypeSection::new();
    let mut imports = ImportSection::new();
    let mut funcs = FunctionSection::new();
    let mut exports = ExportSection::new();
    let mut code = CodeSection::new();
    let n = entries.len() as u32;
    for (k, e) in entries.iter().enumerate() {
        let k = k as u32;
        let params: Vec<ValType> = e.params.iter().filter_map(|t| val(*t)).collect();
        let results: Vec<ValType> = e.results.iter().filter_map(|t| val(*t)).collect();
        types.ty().function(params.clone(), []);
        types.ty().function(params.clone(), results);
        imports.import("js", &format!("f{k}"), EntityType::Function(2 * k));
        funcs.function(2 * k + 1);
        exports.export(&format!("t{k}"), ExportKind::Func, n + k);
        let mut f = Function::new([]);
        for i in 0..params.len() as u32 {
            f.instruction(&Instruction::LocalGet(i));
        }
        f.instruction(&Instruction::Call(k));
        for (j, t) in e.results.iter().enumerate() {
            f.instruction(&Instruction::I32Const(8 * j as i32));
            let arg = |align| MemArg {
                offset: 0,
                align,
                memory_index: 0,
            };
            f.instruction(&match t {
                CoreType::I32 => Instruction::I32Load(arg(2)),
                CoreType::I64 => Instruction::I64Load(arg(3)),
                CoreType::F32 => Instruction::F32Load(arg(2)),
                _ => Instruction::F64Load(arg(3)),
            });
        }
        f.instruction(&Instruction::End);
        code.function(&f);
    }
    let mut memory = MemorySection::new();
    memory.memory(MemoryType {
        minimum: 1,
        maximum: Some(1),
        memory64: false,
        shared: false,
        page_size_log2: None,
    });
    exports.export("r", ExportKind::Memory, 0);
    let mut m = Module::new();
    m.section(&types)
        .section(&imports)
        .section(&funcs)
        .section(&memory)
        .section(&exports)
        .section(&code);
    m.finish()
}

/// The JS statements storing result expression `x` number `j` of core
/// type `t` into the trampoline's memory.
pub(crate) fn store(j: usize, t: CoreType, x: &str) -> String {
    match t {
        CoreType::I32 => format!("RES_I32[{}] = {x};", 2 * j),
        CoreType::I64 => format!("RES_I64[{j}] = {x};"),
        CoreType::F32 => format!("RES_F32[{}] = {x};", 2 * j),
        _ => format!("RES_F64[{j}] = {x};"),
    }
}
