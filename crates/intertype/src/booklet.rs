//! The booklet: everything one `wasm-interface-types` custom section says.

use crate::instr::Instruction;
use crate::types::{FuncType, TypeDef, ValType};
use std::collections::BTreeMap;

/// The decoded contents of a module's `wasm-interface-types` section.
///
/// Index spaces, as in the 2019 reference:
/// * types: `types` (function signatures, and in the extension also records,
///   variants, …);
/// * adapter functions: every `imports` entry first, then every `funcs` entry;
/// * core functions and memories: the core module's own index spaces.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Booklet {
    pub types: Vec<TypeDef>,
    pub imports: Vec<Import>,
    pub funcs: Vec<Func>,
    pub exports: Vec<Export>,
    pub implements: Vec<Implement>,
    /// Extension: names of type definitions (for printing and bindings); does
    /// not take part in type equality.
    pub type_names: BTreeMap<u32, String>,
    /// Extension: documentation of adapter functions (imports first), e.g.
    /// from the doc comments of the Rust function a guest exports.
    pub docs: BTreeMap<u32, String>,
    /// Extension: parameter names of adapter functions (imports first), one
    /// per parameter of the function's type; `""` for an unnamed one. Only
    /// for printing, bindings and messages: calls are by position.
    pub param_names: BTreeMap<u32, Vec<String>>,
}

/// An interface function the host (or another module) provides.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Import {
    pub module: String,
    pub name: String,
    /// Index of a `TypeDef::Func` in `types`.
    pub ty: u32,
}

/// An adapter function.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Func {
    /// Index of a `TypeDef::Func` in `types`.
    pub ty: u32,
    /// The body, without the final `end`.
    pub instrs: Vec<Instruction>,
}

/// An adapter function exported under an interface name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Export {
    pub name: String,
    /// Adapter function index.
    pub func: u32,
}

/// "Core import `core_func` is implemented by adapter `adapter_func`."
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Implement {
    pub core_func: u32,
    pub adapter_func: u32,
}

impl Booklet {
    /// Whether the 2019 reference format can express this booklet exactly; such
    /// a booklet is encoded with version `0.1.0` and the reference bytes.
    pub fn is_reference_subset(&self) -> bool {
        self.type_names.is_empty()
            && self.docs.is_empty()
            && self.param_names.is_empty()
            && self.types.iter().all(|t| match t {
                TypeDef::Func(f) => f.params.iter().chain(&f.results).all(|t| t.is_reference()),
                _ => false,
            })
            && self
                .funcs
                .iter()
                .all(|f| f.instrs.iter().all(Instruction::is_reference))
    }

    /// Number of adapter functions (imports and funcs).
    pub fn adapter_func_count(&self) -> u32 {
        (self.imports.len() + self.funcs.len()) as u32
    }

    /// The signature of type `idx`, if it is a function type.
    pub fn func_type(&self, idx: u32) -> Option<&FuncType> {
        match self.types.get(idx as usize) {
            Some(TypeDef::Func(f)) => Some(f),
            _ => None,
        }
    }

    /// The signature index of adapter function `idx` (imports first).
    pub fn adapter_func_type_index(&self, idx: u32) -> Option<u32> {
        let idx = idx as usize;
        match self.imports.get(idx) {
            Some(import) => Some(import.ty),
            None => self.funcs.get(idx - self.imports.len()).map(|f| f.ty),
        }
    }

    /// The signature of adapter function `idx` (imports first).
    pub fn adapter_func_type(&self, idx: u32) -> Option<&FuncType> {
        self.func_type(self.adapter_func_type_index(idx)?)
    }

    /// The definition a value type refers to, if it refers to one.
    pub fn typedef(&self, ty: ValType) -> Option<&TypeDef> {
        match ty {
            ValType::Type(i) => self.types.get(i as usize),
            _ => None,
        }
    }

    /// The name of parameter `param` of adapter function `func`, if it has one.
    pub fn param_name(&self, func: u32, param: usize) -> Option<&str> {
        self.param_names
            .get(&func)
            .and_then(|names| names.get(param))
            .map(String::as_str)
            .filter(|name| !name.is_empty())
    }

    /// The export names of adapter function `idx`.
    pub fn export_names(&self, idx: u32) -> impl Iterator<Item = &str> {
        self.exports
            .iter()
            .filter(move |e| e.func == idx)
            .map(|e| e.name.as_str())
    }
}
