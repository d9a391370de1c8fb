//! What the booklet needs to know about the core module around it: function
//! signatures, which functions are imports, memories, exports and names; and
//! where the interface section sits so it can be replaced or stripped.

use crate::binary::write_u32_leb128;
use crate::error::{Error, Result};
use crate::types::CoreType;
use crate::SECTION_NAME;
use std::collections::BTreeMap;
use std::ops::Range;
use wasmparser::{Name, Parser, Payload, TypeRef};

mod edit;
pub use edit::{expose, ExposeOptions, Exposed};

/// A core function signature; a `None` entry is a core type adapters cannot
/// handle (such as `v128` or `funcref`), kept by its printed name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CoreFuncType {
    pub params: Vec<Result<CoreType, String>>,
    pub results: Vec<Result<CoreType, String>>,
}

impl CoreFuncType {
    /// The signature when every type is one adapters can handle.
    pub fn known(&self) -> Option<(Vec<CoreType>, Vec<CoreType>)> {
        let params = self
            .params
            .iter()
            .map(|t| t.clone().ok())
            .collect::<Option<_>>()?;
        let results = self
            .results
            .iter()
            .map(|t| t.clone().ok())
            .collect::<Option<_>>()?;
        Some((params, results))
    }
}

impl std::fmt::Display for CoreFuncType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let list = |ts: &[Result<CoreType, String>]| {
            ts.iter()
                .map(|t| match t {
                    Ok(t) => t.to_string(),
                    Err(s) => s.clone(),
                })
                .collect::<Vec<_>>()
                .join(" ")
        };
        write!(f, "[{}] -> [{}]", list(&self.params), list(&self.results))
    }
}

/// A core function: its signature and, for imports, where it comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CoreFunc {
    pub ty: CoreFuncType,
    /// `(module, name)` for imported functions.
    pub import: Option<(String, String)>,
}

/// A core export.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CoreExport {
    pub name: String,
    pub kind: ExportKind,
    pub index: u32,
}

/// What a core export exports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ExportKind {
    Func,
    Table,
    Memory,
    Global,
    Tag,
}

impl ExportKind {
    fn from_wasmparser(kind: wasmparser::ExternalKind) -> Self {
        match kind {
            wasmparser::ExternalKind::Func | wasmparser::ExternalKind::FuncExact => {
                ExportKind::Func
            }
            wasmparser::ExternalKind::Table => ExportKind::Table,
            wasmparser::ExternalKind::Memory => ExportKind::Memory,
            wasmparser::ExternalKind::Global => ExportKind::Global,
            wasmparser::ExternalKind::Tag => ExportKind::Tag,
        }
    }
}

/// A `wasm-interface-types` custom section found in the module.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SectionLocation {
    /// The whole section, header included.
    pub range: Range<usize>,
    /// The payload (after the section name).
    pub payload: Range<usize>,
}

/// The parts of a core module the interface layer refers to.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CoreModule {
    pub funcs: Vec<CoreFunc>,
    /// One entry per memory: whether it is 64-bit.
    pub memories: Vec<bool>,
    pub exports: Vec<CoreExport>,
    /// Function names from the `name` section.
    pub func_names: BTreeMap<u32, String>,
    /// Memory names from the `name` section.
    pub memory_names: BTreeMap<u32, String>,
    /// Every interface-types section, in order.
    pub interface_sections: Vec<SectionLocation>,
    /// The start function, if the module has one.
    pub start: Option<u32>,
}

impl CoreModule {
    /// Reads a binary module. The core module is checked for structure only;
    /// function bodies are not validated here.
    pub fn parse(bytes: &[u8]) -> Result<CoreModule> {
        let mut m = CoreModule::default();
        let mut types: Vec<Option<CoreFuncType>> = Vec::new();
        let core_err =
            |e: wasmparser::BinaryReaderError| Error::core(Some(e.offset()), e.message());
        for payload in Parser::new(0).parse_all(bytes) {
            match payload.map_err(core_err)? {
                Payload::Version {
                    encoding, range, ..
                } if encoding != wasmparser::Encoding::Module => {
                    return Err(Error::core(
                        Some(range.start),
                        "expected a core WebAssembly module, found a component",
                    ));
                }
                Payload::TypeSection(reader) => {
                    for group in reader {
                        for sub in group.map_err(core_err)?.into_types() {
                            types.push(match &sub.composite_type.inner {
                                wasmparser::CompositeInnerType::Func(ft) => Some(CoreFuncType {
                                    params: ft.params().iter().map(|t| core_type(*t)).collect(),
                                    results: ft.results().iter().map(|t| core_type(*t)).collect(),
                                }),
                                _ => None,
                            });
                        }
                    }
                }
                Payload::ImportSection(reader) => {
                    for import in reader.into_imports_with_offsets() {
                        let (offset, import) = import.map_err(core_err)?;
                        match import.ty {
                            TypeRef::Func(t) | TypeRef::FuncExact(t) => {
                                let ty = func_type(&types, t, offset)?;
                                m.funcs.push(CoreFunc {
                                    ty,
                                    import: Some((
                                        import.module.to_string(),
                                        import.name.to_string(),
                                    )),
                                });
                            }
                            TypeRef::Memory(mem) => m.memories.push(mem.memory64),
                            _ => {}
                        }
                    }
                }
                Payload::FunctionSection(reader) => {
                    for t in reader.into_iter_with_offsets() {
                        let (offset, t) = t.map_err(core_err)?;
                        let ty = func_type(&types, t, offset)?;
                        m.funcs.push(CoreFunc { ty, import: None });
                    }
                }
                Payload::MemorySection(reader) => {
                    for mem in reader {
                        m.memories.push(mem.map_err(core_err)?.memory64);
                    }
                }
                Payload::ExportSection(reader) => {
                    for export in reader {
                        let export = export.map_err(core_err)?;
                        m.exports.push(CoreExport {
                            name: export.name.to_string(),
                            kind: ExportKind::from_wasmparser(export.kind),
                            index: export.index,
                        });
                    }
                }
                Payload::CustomSection(reader) => match reader.as_known() {
                    wasmparser::KnownCustom::Name(names) => {
                        // A malformed name section is only debug info: ignore it.
                        for name in names.into_iter().flatten() {
                            let (map, target) = match name {
                                Name::Function(map) => (map, &mut m.func_names),
                                Name::Memory(map) => (map, &mut m.memory_names),
                                _ => continue,
                            };
                            for naming in map.into_iter().flatten() {
                                target.insert(naming.index, naming.name.to_string());
                            }
                        }
                    }
                    _ if reader.name() == SECTION_NAME => {
                        m.interface_sections.push(SectionLocation {
                            range: reader.range(),
                            payload: reader.data_offset()..reader.range().end,
                        });
                    }
                    _ => {}
                },
                Payload::StartSection { func, .. } => m.start = Some(func),
                Payload::CodeSectionEntry(_) => {}
                _ => {}
            }
        }
        Ok(m)
    }

    /// The core function exported as `name`.
    pub fn exported_func(&self, name: &str) -> Option<u32> {
        self.export(name, ExportKind::Func)
    }

    /// The memory exported as `name`.
    pub fn exported_memory(&self, name: &str) -> Option<u32> {
        self.export(name, ExportKind::Memory)
    }

    fn export(&self, name: &str, kind: ExportKind) -> Option<u32> {
        self.exports
            .iter()
            .find(|e| e.name == name && e.kind == kind)
            .map(|e| e.index)
    }

    /// A readable name of core function `idx`: its `name`-section name, else
    /// an export name, else the index.
    pub fn func_label(&self, idx: u32) -> String {
        if let Some(n) = self.func_names.get(&idx) {
            return format!("${n}");
        }
        match self
            .exports
            .iter()
            .find(|e| e.kind == ExportKind::Func && e.index == idx)
        {
            Some(e) => format!("{idx} (export {:?})", e.name),
            None => idx.to_string(),
        }
    }
}

fn core_type(t: wasmparser::ValType) -> Result<CoreType, String> {
    Ok(match t {
        wasmparser::ValType::I32 => CoreType::I32,
        wasmparser::ValType::I64 => CoreType::I64,
        wasmparser::ValType::F32 => CoreType::F32,
        wasmparser::ValType::F64 => CoreType::F64,
        wasmparser::ValType::Ref(r) if r == wasmparser::RefType::EXTERNREF => CoreType::Externref,
        other => return Err(other.to_string()),
    })
}

fn func_type(types: &[Option<CoreFuncType>], idx: u32, offset: usize) -> Result<CoreFuncType> {
    match types.get(idx as usize) {
        Some(Some(t)) => Ok(t.clone()),
        Some(None) => Err(Error::core(
            Some(offset),
            format!("type {idx} is not a function type"),
        )),
        None => Err(Error::core(
            Some(offset),
            format!("type index {idx} out of bounds"),
        )),
    }
}

/// Returns `module` without any `wasm-interface-types` section: the plain
/// core module an engine without interface types runs.
pub fn strip(module: &[u8]) -> Result<Vec<u8>> {
    let core = CoreModule::parse(module)?;
    Ok(splice(module, &core.interface_sections, None))
}

/// Returns `module` with its interface section(s) replaced by one section with
/// `payload`, placed where the first one was (or appended at the end).
pub fn with_section(module: &[u8], payload: &[u8]) -> Result<Vec<u8>> {
    let core = CoreModule::parse(module)?;
    Ok(splice(module, &core.interface_sections, Some(payload)))
}

fn splice(module: &[u8], sections: &[SectionLocation], payload: Option<&[u8]>) -> Vec<u8> {
    let encoded = payload.map(|p| {
        let mut contents = Vec::new();
        write_u32_leb128(&mut contents, SECTION_NAME.len() as u32);
        contents.extend_from_slice(SECTION_NAME.as_bytes());
        contents.extend_from_slice(p);
        let mut out = vec![0u8]; // custom section id
        write_u32_leb128(&mut out, contents.len() as u32);
        out.extend_from_slice(&contents);
        out
    });
    let mut out = Vec::with_capacity(module.len());
    let mut pos = 0;
    let mut inserted = false;
    for s in sections {
        // `range` of a custom section reader covers the name and data but not
        // the id byte and size; find the section start by backing up.
        let start = section_start(module, s.range.start);
        out.extend_from_slice(&module[pos..start]);
        if let (Some(e), false) = (&encoded, inserted) {
            out.extend_from_slice(e);
            inserted = true;
        }
        pos = s.range.end;
    }
    out.extend_from_slice(&module[pos..]);
    if let (Some(e), false) = (&encoded, inserted) {
        out.extend_from_slice(e);
    }
    out
}

/// Backs up from a custom section's contents to its id byte: the id (0) and a
/// LEB128 size precede the contents.
fn section_start(module: &[u8], contents_start: usize) -> usize {
    // The size is at most 5 bytes; its last byte has the high bit clear and
    // every earlier one has it set.
    let mut i = contents_start - 1; // last byte of the size
    while i > 0 && module[i - 1] & 0x80 != 0 {
        i -= 1;
    }
    i - 1
}
