//! WebAssembly interface types: the booklet of adapters a module carries in
//! its `wasm-interface-types` custom section.
//!
//! * [`types`] and [`instr`]: the interface types and the adapter language;
//! * [`Booklet`]: one decoded section; [`binary`] reads and writes it
//!   (byte-compatible with the 2019 reference for the reference subset);
//! * [`text`]: `(@interface …)` annotations inside a `.wat` module;
//! * [`validate`]: stack typing and consistency with the core module;
//! * [`print`](mod@print): the canonical text form;
//! * [`layout`]: the canonical memory layout and flattening of every type;
//! * [`core`]: what the booklet needs from the core module;
//! * [`link`]: merging the per-function fragments compilers emit.
//!
//! The format is specified in `docs/format.md` at the root of the repository.

pub mod binary;
mod booklet;
pub mod core;
pub mod describe;
mod error;
pub mod instr;
pub mod layout;
pub mod link;
pub mod print;
pub mod python_names;
pub mod text;
pub mod typed;
pub mod types;
pub mod validate;

pub use booklet::{Booklet, Export, Func, Implement, Import};
pub use error::{Error, ErrorKind, Result};
pub use instr::{Conversion, Instruction, MemArg};
pub use types::{Case, CoreType, Field, FuncType, StringEncoding, TypeDef, ValType};

/// Name of the custom section that carries the booklet.
pub const SECTION_NAME: &str = "wasm-interface-types";
/// Version string of the 2019 reference format.
pub const REFERENCE_VERSION: &str = "0.1.0";
/// Version string of a section that uses any intertype extension.
pub const EXTENSION_VERSION: &str = "intertype/1";

/// A binary module read for its interface: the core facts and the booklet
/// (empty when the module has no interface section).
#[derive(Clone, Debug)]
pub struct Module {
    pub core: core::CoreModule,
    pub booklet: Booklet,
    /// Whether the module carries an interface section at all.
    pub has_section: bool,
}

impl Module {
    /// Reads `bytes` (a binary module) and decodes its interface section,
    /// merging the fragments a linker concatenated into one booklet (see
    /// [`link`]). Does not validate; see [`Module::validate`].
    pub fn from_binary(bytes: &[u8]) -> Result<Module> {
        let core = core::CoreModule::parse(bytes)?;
        let booklet = match core.interface_sections.as_slice() {
            [] => Booklet::default(),
            [s] => link::merge_fragments(&bytes[s.payload.clone()], s.payload.start, &core)?,
            [_, second, ..] => {
                return Err(Error::binary(
                    second.range.start,
                    format!(
                        "found a second `{SECTION_NAME}` custom section; a module has at most one"
                    ),
                ))
            }
        };
        let has_section = !core.interface_sections.is_empty();
        Ok(Module {
            core,
            booklet,
            has_section,
        })
    }

    /// Type-checks every adapter and checks the booklet against the core module.
    pub fn validate(&self) -> Result<()> {
        validate::validate(&self.booklet, &self.core)
    }
}

/// Reads and fully validates a binary module: the core module (with
/// `wasmparser`'s default features) and then its booklet.
pub fn validate_module(bytes: &[u8]) -> Result<Module> {
    wasmparser::Validator::new()
        .validate_all(bytes)
        .map_err(|e| {
            let message = match function_at(bytes, e.offset()) {
                Some(f) => format!("{} (in {f})", e.message()),
                None => e.message().to_string(),
            };
            Error::core(Some(e.offset()), message)
        })?;
    let module = Module::from_binary(bytes)?;
    module.validate()?;
    Ok(module)
}

/// The function whose body holds byte `offset`, in words (`function 2
/// ($add)`), so an error in a module made from text names what its author
/// wrote rather than only a byte the author never saw.
fn function_at(bytes: &[u8], offset: usize) -> Option<String> {
    let mut imported = 0u32;
    let mut k = 0u32;
    let mut found = None;
    for payload in wasmparser::Parser::new(0).parse_all(bytes) {
        match payload.ok()? {
            wasmparser::Payload::ImportSection(reader) => {
                for import in reader.into_imports() {
                    if matches!(import.ok()?.ty, wasmparser::TypeRef::Func(_)) {
                        imported += 1;
                    }
                }
            }
            wasmparser::Payload::CodeSectionEntry(body) => {
                if body.range().contains(&offset) {
                    found = Some(imported + k);
                }
                k += 1;
            }
            _ => {}
        }
    }
    let idx = found?;
    let name = core::CoreModule::parse(bytes)
        .ok()
        .and_then(|m| m.func_names.get(&idx).cloned());
    Some(match name {
        Some(n) => format!("function {idx} (${})", print::quote(&n).trim_matches('"')),
        None => format!("function {idx}"),
    })
}

/// Parses a `.wat` text (with `(@interface …)` annotations) into a binary module
/// with its interface section. `path` is used only in error messages.
pub fn parse_str(text: &str, path: Option<&std::path::Path>) -> Result<Vec<u8>> {
    text::parse(text, path)
}

/// Reads and parses a `.wat` file (or passes a binary module through).
pub fn parse_file(path: &std::path::Path) -> Result<Vec<u8>> {
    let bytes = std::fs::read(path)
        .map_err(|e| Error::text(format!("failed to read `{}`: {e}", path.display())))?;
    if bytes.starts_with(b"\0asm") {
        return Ok(bytes);
    }
    let text = std::str::from_utf8(&bytes)
        .map_err(|e| Error::text(format!("{}: input is not UTF-8: {e}", path.display())))?;
    parse_str(text, Some(path))
}

/// What the toolchain's own crates (the fuzz targets) use; not a stable API.
#[doc(hidden)]
pub mod __private {
    pub use crate::print::{is_plain_id, quote};
}
