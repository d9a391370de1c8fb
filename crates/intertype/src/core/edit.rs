//! The one module editor: "export what the adapters need". Adapters name
//! core functions and memories by index, and real modules (wasm-bindgen's
//! output) use functions they never export (`__wbindgen_malloc`, shims); a
//! host that can only reach exports (wasmtime's instance, JS's
//! `WebAssembly.Instance`) needs one export per unexported function or memory
//! the adapters use. Used by the engine (`intertype-runtime`'s module load),
//! the JS generator and the adapter compiler.
//!
//! Every other byte stays as it was: sections are copied verbatim and only
//! the export section is re-encoded (or inserted where the binary format puts
//! it). Added exports are named `__intertype_func_N` /
//! `__intertype_memory_N`, with `_` prepended on a clash.

use crate::error::{Error, Result};
use crate::SECTION_NAME;
use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use wasm_encoder::{Encode, ExportKind, ExportSection};
use wasmparser::{ExportSectionReader, ExternalKind};

/// Export section id and the ids of the sections that must follow it.
const EXPORT_ID: u8 = 7;
const AFTER_EXPORT: [u8; 5] = [8, 9, 12, 10, 11];

/// What [`expose`] should do besides adding exports.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ExposeOptions {
    /// Drop the `wasm-interface-types` section(s) (an engine compiling the
    /// core module does not need them; JS glue keeps them).
    pub drop_interface: bool,
}

/// The edited module and the export name of every function and memory that
/// was asked for.
#[derive(Debug)]
pub struct Exposed {
    /// The module; the input bytes unchanged when there was nothing to do.
    pub wasm: Vec<u8>,
    pub funcs: BTreeMap<u32, String>,
    pub memories: BTreeMap<u32, String>,
}

/// Makes every function in `funcs` and memory in `memories` reachable by an
/// export name: existing exports keep their name, the others get a hidden
/// `__intertype_*` export.
pub fn expose(
    wasm: &[u8],
    funcs: &BTreeSet<u32>,
    memories: &BTreeSet<u32>,
    options: ExposeOptions,
) -> Result<Exposed> {
    let sections = split(wasm)?;
    let mut exports: Vec<(String, ExternalKind, u32)> = Vec::new();
    for s in &sections {
        if s.id == EXPORT_ID {
            let reader = ExportSectionReader::new(wasmparser::BinaryReader::new(
                &wasm[s.body.clone()],
                s.body.start,
            ))
            .map_err(core_err)?;
            for e in reader {
                let e = e.map_err(core_err)?;
                exports.push((e.name.to_string(), e.kind, e.index));
            }
        }
    }
    let taken: BTreeSet<&str> = exports.iter().map(|e| e.0.as_str()).collect();
    let existing = |kind: ExternalKind, idx: u32| {
        exports
            .iter()
            .find(|e| e.1 == kind && e.2 == idx)
            .map(|e| e.0.clone())
    };
    let fresh = |base: String| {
        let mut name = base;
        while taken.contains(name.as_str()) {
            name.insert(0, '_');
        }
        name
    };
    let mut out = Exposed {
        wasm: Vec::new(),
        funcs: BTreeMap::new(),
        memories: BTreeMap::new(),
    };
    let mut added: Vec<(String, ExportKind, u32)> = Vec::new();
    for &f in funcs {
        let name = existing(ExternalKind::Func, f).unwrap_or_else(|| {
            let n = fresh(format!("__intertype_func_{f}"));
            added.push((n.clone(), ExportKind::Func, f));
            n
        });
        out.funcs.insert(f, name);
    }
    for &m in memories {
        let name = existing(ExternalKind::Memory, m).unwrap_or_else(|| {
            let n = fresh(format!("__intertype_memory_{m}"));
            added.push((n.clone(), ExportKind::Memory, m));
            n
        });
        out.memories.insert(m, name);
    }
    let dropped = |s: &RawSection| options.drop_interface && s.is_interface(wasm);
    if added.is_empty() && !sections.iter().any(dropped) {
        out.wasm = wasm.to_vec();
        return Ok(out);
    }
    let mut new_section = Vec::new();
    if !added.is_empty() {
        let mut section = ExportSection::new();
        for (name, kind, idx) in &exports {
            section.export(name, encoder_kind(*kind), *idx);
        }
        for (name, kind, idx) in &added {
            section.export(name, *kind, *idx);
        }
        new_section.push(EXPORT_ID);
        section.encode(&mut new_section);
    }

    let mut bytes = wasm[..8].to_vec();
    let mut written = added.is_empty();
    for s in &sections {
        if dropped(s) {
            continue;
        }
        let is_after = AFTER_EXPORT.contains(&s.id);
        if !written && (s.id == EXPORT_ID || is_after) {
            bytes.extend_from_slice(&new_section);
            written = true;
        }
        if s.id == EXPORT_ID && !added.is_empty() {
            continue;
        }
        bytes.extend_from_slice(&wasm[s.whole.clone()]);
    }
    if !written {
        bytes.extend_from_slice(&new_section);
    }
    out.wasm = bytes;
    Ok(out)
}

fn core_err(e: wasmparser::BinaryReaderError) -> Error {
    Error::core(Some(e.offset()), e.message().to_string())
}

fn encoder_kind(kind: ExternalKind) -> ExportKind {
    match kind {
        ExternalKind::Func | ExternalKind::FuncExact => ExportKind::Func,
        ExternalKind::Table => ExportKind::Table,
        ExternalKind::Memory => ExportKind::Memory,
        ExternalKind::Global => ExportKind::Global,
        ExternalKind::Tag => ExportKind::Tag,
    }
}

struct RawSection {
    id: u8,
    whole: Range<usize>,
    body: Range<usize>,
}

impl RawSection {
    /// Whether this is a custom section named `wasm-interface-types`.
    fn is_interface(&self, wasm: &[u8]) -> bool {
        if self.id != 0 {
            return false;
        }
        let body = &wasm[self.body.clone()];
        let (len, used) = match read_u32(body) {
            Some(x) => x,
            None => return false,
        };
        body.get(used..used.saturating_add(len as usize)) == Some(SECTION_NAME.as_bytes())
    }
}

/// An unsigned LEB128 `u32` and its length in bytes.
fn read_u32(bytes: &[u8]) -> Option<(u32, usize)> {
    let mut v: u64 = 0;
    for (i, &b) in bytes.iter().enumerate().take(5) {
        v |= u64::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            return u32::try_from(v).ok().map(|v| (v, i + 1));
        }
    }
    None
}

/// The top-level sections of a module: id, whole byte range, body range.
fn split(wasm: &[u8]) -> Result<Vec<RawSection>> {
    if wasm.len() < 8 || &wasm[..4] != b"\0asm" {
        return Err(Error::core(Some(0), "not a WebAssembly binary module"));
    }
    let mut pos = 8;
    let mut out = Vec::new();
    while pos < wasm.len() {
        let start = pos;
        let id = wasm[pos];
        pos += 1;
        let (size, used) = read_u32(&wasm[pos..])
            .ok_or_else(|| Error::core(Some(start), "section size is truncated or too long"))?;
        pos += used;
        let end = pos
            .checked_add(size as usize)
            .filter(|&e| e <= wasm.len())
            .ok_or_else(|| Error::core(Some(start), "section runs past the end"))?;
        out.push(RawSection {
            id,
            whole: start..end,
            body: pos..end,
        });
        pos = end;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exports_of(wasm: &[u8]) -> Vec<(String, ExternalKind, u32)> {
        let mut out = Vec::new();
        for p in wasmparser::Parser::new(0).parse_all(wasm) {
            if let wasmparser::Payload::ExportSection(r) = p.unwrap() {
                for e in r {
                    let e = e.unwrap();
                    out.push((e.name.to_string(), e.kind, e.index));
                }
            }
        }
        out
    }

    #[test]
    fn adds_missing_exports_and_keeps_existing_ones() {
        let wasm = wat::parse_str(
            r#"(module (memory 1) (func $a) (func $b (export "b")) (func $c (export "__intertype_func_0"))
                 (data (i32.const 0) "x"))"#,
        )
        .unwrap();
        let out = expose(&wasm, &[0, 1].into(), &[0].into(), ExposeOptions::default()).unwrap();
        assert_eq!(out.funcs[&0], "___intertype_func_0");
        assert_eq!(out.funcs[&1], "b");
        assert_eq!(out.memories[&0], "__intertype_memory_0");
        wasmparser::Validator::new()
            .validate_all(&out.wasm)
            .unwrap();
        let names: Vec<_> = exports_of(&out.wasm).into_iter().map(|e| e.0).collect();
        assert_eq!(
            names,
            [
                "b",
                "__intertype_func_0",
                "___intertype_func_0",
                "__intertype_memory_0"
            ]
        );
    }

    #[test]
    fn inserts_an_export_section_where_it_belongs() {
        let wasm =
            wat::parse_str(r#"(module (memory 1) (func $a) (data (i32.const 0) "x"))"#).unwrap();
        let opts = ExposeOptions::default();
        let out = expose(&wasm, &[0].into(), &BTreeSet::new(), opts).unwrap();
        wasmparser::Validator::new()
            .validate_all(&out.wasm)
            .unwrap();
        assert_eq!(exports_of(&out.wasm).len(), 1);
        let same = expose(&out.wasm, &[0].into(), &BTreeSet::new(), opts).unwrap();
        assert_eq!(same.wasm, out.wasm);
    }

    #[test]
    fn drops_the_interface_section_on_request() {
        let wasm =
            wat::parse_str(r#"(module (func $a) (@custom "wasm-interface-types" "x"))"#).unwrap();
        let keep = expose(
            &wasm,
            &BTreeSet::new(),
            &BTreeSet::new(),
            ExposeOptions::default(),
        )
        .unwrap();
        assert_eq!(keep.wasm, wasm);
        let drop = ExposeOptions {
            drop_interface: true,
        };
        let out = expose(&wasm, &[0].into(), &BTreeSet::new(), drop).unwrap();
        assert!(crate::core::CoreModule::parse(&out.wasm)
            .unwrap()
            .interface_sections
            .is_empty());
        assert_eq!(out.funcs[&0], "__intertype_func_0");
    }

    #[test]
    fn truncated_sections_are_an_error() {
        let e = expose(
            b"\0asm\x01\0\0\0\x01\x05",
            &BTreeSet::new(),
            &BTreeSet::new(),
            ExposeOptions::default(),
        )
        .unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::Core);
    }
}
