//! `expose`: the module rewrite the JS glue needs. Adapters call core
//! functions and read memories by index, and real modules (wasm-bindgen's
//! output) use functions they never export (`__wbindgen_malloc`, shims). JS
//! can only reach exports, so the rewrite adds one export per unexported
//! function or memory the glue uses, named `__intertype_func_N` /
//! `__intertype_memory_N` (the names the engine's own rewrite uses, with `_`
//! prepended on a clash).
//!
//! Every other byte stays as it was: sections are copied verbatim and only
//! the export section is re-encoded (or inserted where the binary format puts
//! it), so the result still instantiates with plain `WebAssembly.instantiate`
//! and keeps its interface section.

use std::collections::{BTreeMap, BTreeSet};
use wasm_encoder::{Encode, ExportKind, ExportSection};
use wasmparser::{ExportSectionReader, ExternalKind};

/// Export section id and the ids of the sections that must follow it.
const EXPORT_ID: u8 = 7;
const AFTER_EXPORT: [u8; 5] = [8, 9, 12, 10, 11];

/// The rewritten module and the export name of every function and memory
/// that was asked for.
#[derive(Debug)]
pub struct Exposed {
    /// The module; the input bytes unchanged when nothing was missing.
    pub wasm: Vec<u8>,
    pub funcs: BTreeMap<u32, String>,
    pub memories: BTreeMap<u32, String>,
}

/// Makes every function in `funcs` and memory in `memories` reachable by an
/// export name.
pub fn expose(
    wasm: &[u8],
    funcs: &BTreeSet<u32>,
    memories: &BTreeSet<u32>,
) -> Result<Exposed, String> {
    let sections = split(wasm)?;
    let mut exports: Vec<(String, ExternalKind, u32)> = Vec::new();
    for s in &sections {
        if s.id == EXPORT_ID {
            let reader = ExportSectionReader::new(wasmparser::BinaryReader::new(
                &wasm[s.body.clone()],
                s.body.start,
            ))
            .map_err(|e| e.to_string())?;
            for e in reader {
                let e = e.map_err(|e| e.to_string())?;
                exports.push((e.name.to_string(), e.kind, e.index));
            }
        }
    }
    let taken: BTreeSet<String> = exports.iter().map(|e| e.0.clone()).collect();
    let existing = |kind: ExternalKind, idx: u32| {
        exports
            .iter()
            .find(|e| e.1 == kind && e.2 == idx)
            .map(|e| e.0.clone())
    };
    let fresh = |base: String| {
        let mut name = base;
        while taken.contains(&name) {
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
    if added.is_empty() {
        out.wasm = wasm.to_vec();
        return Ok(out);
    }
    let mut section = ExportSection::new();
    for (name, kind, idx) in &exports {
        section.export(name, encoder_kind(*kind)?, *idx);
    }
    for (name, kind, idx) in &added {
        section.export(name, *kind, *idx);
    }
    let mut new_section = vec![EXPORT_ID];
    section.encode(&mut new_section);

    let mut bytes = wasm[..8].to_vec();
    let mut written = false;
    for s in &sections {
        let is_after = AFTER_EXPORT.contains(&s.id);
        if s.id == EXPORT_ID || (is_after && !written) {
            if !written {
                bytes.extend_from_slice(&new_section);
                written = true;
            }
            if s.id == EXPORT_ID {
                continue;
            }
        }
        bytes.extend_from_slice(&wasm[s.whole.clone()]);
    }
    if !written {
        bytes.extend_from_slice(&new_section);
    }
    out.wasm = bytes;
    Ok(out)
}

fn encoder_kind(kind: ExternalKind) -> Result<ExportKind, String> {
    Ok(match kind {
        ExternalKind::Func | ExternalKind::FuncExact => ExportKind::Func,
        ExternalKind::Table => ExportKind::Table,
        ExternalKind::Memory => ExportKind::Memory,
        ExternalKind::Global => ExportKind::Global,
        ExternalKind::Tag => ExportKind::Tag,
    })
}

struct RawSection {
    id: u8,
    whole: std::ops::Range<usize>,
    body: std::ops::Range<usize>,
}

/// The top-level sections of a module: id, whole byte range, body range.
fn split(wasm: &[u8]) -> Result<Vec<RawSection>, String> {
    if wasm.len() < 8 || &wasm[..4] != b"\0asm" {
        return Err("not a WebAssembly binary module".into());
    }
    let mut pos = 8;
    let mut out = Vec::new();
    while pos < wasm.len() {
        let start = pos;
        let id = wasm[pos];
        pos += 1;
        let mut size: u64 = 0;
        let mut shift = 0;
        loop {
            let b = *wasm
                .get(pos)
                .ok_or_else(|| format!("section at byte {start}: truncated size"))?;
            pos += 1;
            size |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                break;
            }
            shift += 7;
            if shift > 28 {
                return Err(format!("section at byte {start}: size is too long"));
            }
        }
        let end = pos
            .checked_add(size as usize)
            .filter(|&e| e <= wasm.len())
            .ok_or_else(|| format!("section at byte {start}: runs past the end"))?;
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
        let out = expose(&wasm, &[0, 1].into(), &[0].into()).unwrap();
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
        let out = expose(&wasm, &[0].into(), &BTreeSet::new()).unwrap();
        wasmparser::Validator::new()
            .validate_all(&out.wasm)
            .unwrap();
        assert_eq!(exports_of(&out.wasm).len(), 1);
        let same = expose(&out.wasm, &[0].into(), &BTreeSet::new()).unwrap();
        assert_eq!(same.wasm, out.wasm);
    }
}
