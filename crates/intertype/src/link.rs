//! Merging the fragments of a payload into one booklet.
//!
//! A compiler that writes the booklet per function (the `intertype-guest`
//! macros emit one `#[link_section]` static per exported or imported
//! function) cannot know the final module's indices, and the linker only
//! concatenates same-named custom sections. So each such piece is a complete
//! `intertype/1` *fragment* with its own type and adapter indices, and a
//! *core names* subsection (id 6) that says which core function each of its
//! core function indices stands for, by export or import name; its memory 0
//! is the core export `memory`. [`merge_fragments`] resolves the names against
//! the core module, renumbers types (sharing identical ones) and adapters
//! (interface imports of all fragments first, identical imports shared) and
//! yields one ordinary [`Booklet`]: the validator, the printer and the engine
//! never see fragments. `docs/format.md` §1 specifies the encoding.

use crate::binary::{decode_fragments, CoreName, Fragment};
use crate::core::{CoreModule, ExportKind};
use crate::{
    Booklet, Error, Export, Func, Implement, Import, Instruction, Result, TypeDef, ValType,
};
use std::collections::{BTreeMap, HashMap};

/// The core export a fragment's memory 0 stands for.
pub const MEMORY_EXPORT: &str = "memory";

/// Decodes the payload found at byte `offset` and merges its fragments into
/// one booklet, resolving core names against `core`. A payload of a single
/// fragment without core names decodes exactly as [`Booklet::decode`].
pub fn merge_fragments(payload: &[u8], offset: usize, core: &CoreModule) -> Result<Booklet> {
    let mut fragments = decode_fragments(payload, offset)?;
    if fragments.len() == 1 && fragments[0].core_names.is_none() {
        return Ok(fragments.remove(0).booklet);
    }
    // The linker concatenates fragments in object order, which changes with
    // incremental builds; ordering them by content makes the merged booklet
    // (its import and function indices, its printed form) depend only on
    // what the fragments say.
    fragments.sort_by_cached_key(|f| format!("{:?}", (&f.booklet, &f.core_names)));
    merge(&fragments, core)
}

/// Merges decoded fragments (see the module documentation).
pub fn merge(fragments: &[Fragment], core: &CoreModule) -> Result<Booklet> {
    // A fragment that only implements core imports the linker removed (an
    // imported function nobody calls) has nothing left to do; its interface
    // imports must not become requirements of the module.
    let fragments: Vec<&Fragment> = fragments
        .iter()
        .filter(|f| !only_implements_absent_imports(f, core))
        .collect();
    let mut out = Booklet::default();
    let mut types = TypeTable::default();
    let mut import_index: HashMap<(String, String), u32> = HashMap::new();
    let mut maps = Vec::with_capacity(fragments.len());

    // Types and interface imports first: every import of every fragment
    // precedes every merged function in the adapter index space.
    for fragment in &fragments {
        let b = &fragment.booklet;
        let mut type_map = Vec::with_capacity(b.types.len());
        for (i, def) in b.types.iter().enumerate() {
            let def = remap_typedef(def, &type_map, fragment.offset)?;
            let idx = types.intern(&mut out, def);
            if let Some(name) = b.type_names.get(&(i as u32)) {
                out.type_names.entry(idx).or_insert_with(|| name.clone());
            }
            type_map.push(idx);
        }
        let mut import_map = Vec::with_capacity(b.imports.len());
        for import in &b.imports {
            let ty = map_index(&type_map, import.ty, "type", fragment.offset)?;
            let key = (import.module.clone(), import.name.clone());
            let idx = match import_index.get(&key) {
                Some(&idx) => {
                    if out.imports[idx as usize].ty != ty {
                        return Err(Error::binary(
                            fragment.offset,
                            format!(
                                "interface import {:?} {:?} is declared with two different \
                                 types by two fragments",
                                import.module, import.name
                            ),
                        ));
                    }
                    idx
                }
                None => {
                    let idx = out.imports.len() as u32;
                    out.imports.push(Import {
                        module: import.module.clone(),
                        name: import.name.clone(),
                        ty,
                    });
                    import_index.insert(key, idx);
                    idx
                }
            };
            import_map.push(idx);
        }
        maps.push((type_map, import_map));
    }

    // Adapter functions: each fragment's funcs, in order, after all imports.
    let mut next_func = out.imports.len() as u32;
    let mut func_maps = Vec::with_capacity(fragments.len());
    for fragment in &fragments {
        let (_, import_map) = &maps[func_maps.len()];
        let mut adapter_map = import_map.clone();
        for _ in &fragment.booklet.funcs {
            adapter_map.push(next_func);
            next_func += 1;
        }
        func_maps.push(adapter_map);
    }

    for (fragment, ((type_map, _), adapter_map)) in
        fragments.iter().zip(maps.iter().zip(&func_maps))
    {
        let b = &fragment.booklet;
        let at = fragment.offset;
        let cx = Resolver {
            names: fragment.core_names.as_deref(),
            core,
            at,
        };
        for func in &b.funcs {
            let ty = map_index(type_map, func.ty, "type", at)?;
            let instrs = func
                .instrs
                .iter()
                .map(|i| remap_instr(i, type_map, adapter_map, &cx))
                .collect::<Result<Vec<_>>>()?;
            out.funcs.push(Func { ty, instrs });
        }
        for export in &b.exports {
            if out.exports.iter().any(|e| e.name == export.name) {
                return Err(Error::binary(
                    at,
                    format!(
                        "interface export {:?} is defined by two fragments",
                        export.name
                    ),
                ));
            }
            out.exports.push(Export {
                name: export.name.clone(),
                func: map_index(adapter_map, export.func, "adapter function", at)?,
            });
        }
        for implement in &b.implements {
            // A core import nobody calls is removed by the linker; its
            // implement has nothing left to connect.
            let Some(core_func) = cx.func_or_absent_import(implement.core_func)? else {
                continue;
            };
            // Two crates that import the same host function both implement
            // the same core import; the first one serves.
            if out.implements.iter().any(|i| i.core_func == core_func) {
                continue;
            }
            out.implements.push(Implement {
                core_func,
                adapter_func: map_index(
                    adapter_map,
                    implement.adapter_func,
                    "adapter function",
                    at,
                )?,
            });
        }
        for (func, text) in &b.docs {
            let idx = map_index(adapter_map, *func, "adapter function", at)?;
            out.docs.entry(idx).or_insert_with(|| text.clone());
        }
        for (func, names) in &b.param_names {
            let idx = map_index(adapter_map, *func, "adapter function", at)?;
            out.param_names.entry(idx).or_insert_with(|| names.clone());
        }
    }
    out.type_names = shorten_type_names(&out.type_names)?;
    Ok(out)
}

/// The separator of a qualified type name in a fragment
/// (`my_crate::users::error`).
pub const PATH_SEPARATOR: &str = "::";

/// Turns the qualified type names of fragments (`app::users::error`, as the
/// guest macros write them) into the shortest ends of their paths that no
/// other type shares, joined with `-` and kebab-cased (`error`, or
/// `users-error` and `files-error` for two different `Error`s). Two
/// different types with the same whole path are an error. Names without
/// `::` are one-segment paths.
pub fn shorten_type_names(names: &BTreeMap<u32, String>) -> Result<BTreeMap<u32, String>> {
    // A path of more segments than this is taken as one name: hostile input
    // cannot make the rounds below many.
    const MAX_SEGMENTS: usize = 16;
    let paths: Vec<(u32, Vec<&str>)> = names
        .iter()
        .map(|(&i, name)| {
            let path: Vec<&str> = name.split(PATH_SEPARATOR).collect();
            (
                i,
                if path.len() > MAX_SEGMENTS {
                    vec![name.as_str()]
                } else {
                    path
                },
            )
        })
        .collect();
    let suffix = |path: &[&str], k: usize| -> String {
        path[path.len().saturating_sub(k)..]
            .iter()
            .map(|seg| seg.replace('_', "-"))
            .collect::<Vec<_>>()
            .join("-")
    };
    let mut out = BTreeMap::new();
    let mut pending: Vec<usize> = (0..paths.len()).collect();
    // Round k gives every type whose k-segment end no other type's k-segment
    // end equals that end as its name; the rest try k + 1.
    for k in 1..=MAX_SEGMENTS {
        if pending.is_empty() {
            break;
        }
        let ends: HashMap<usize, String> = pending
            .iter()
            .map(|&n| (n, suffix(&paths[n].1, k)))
            .collect();
        // Names given in earlier rounds are taken.
        let mut counts: HashMap<&str, usize> =
            out.values().map(|v: &String| (v.as_str(), 1)).collect();
        for &n in &pending {
            *counts.entry(ends[&n].as_str()).or_default() += 1;
        }
        let (done, rest): (Vec<usize>, Vec<usize>) = pending
            .iter()
            .partition(|&&n| counts[ends[&n].as_str()] == 1);
        drop(counts);
        for n in done {
            out.insert(paths[n].0, ends[&n].clone());
        }
        pending = rest;
    }
    if let Some(&n) = pending.first() {
        let end = suffix(&paths[n].1, MAX_SEGMENTS);
        let other = pending
            .iter()
            .copied()
            .find(|&m| m != n && suffix(&paths[m].1, MAX_SEGMENTS) == end)
            .unwrap_or(n);
        let (a, b) = (
            paths[n].0.min(paths[other].0),
            paths[n].0.max(paths[other].0),
        );
        return Err(Error::binary(
            0,
            format!(
                "types {a} and {b} are different types with the same name {:?}; rename one \
                 (`#[interface(rename = \"…\")]` in Rust)",
                names[&paths[n].0]
            ),
        ));
    }
    Ok(out)
}

/// Whether `fragment` names core functions, exports nothing, and every one
/// of its `implement`s connects a core import the module does not have.
fn only_implements_absent_imports(fragment: &Fragment, core: &CoreModule) -> bool {
    let Some(names) = fragment.core_names.as_deref() else {
        return false;
    };
    let b = &fragment.booklet;
    let cx = Resolver {
        names: Some(names),
        core,
        at: fragment.offset,
    };
    b.exports.is_empty()
        && !b.implements.is_empty()
        && b.implements.iter().all(|i| {
            matches!(
                names.get(i.core_func as usize),
                Some(CoreName::Import { .. })
            ) && matches!(cx.func_or_absent_import(i.core_func), Ok(None))
        })
}

/// Types already in the merged booklet, for sharing identical definitions.
#[derive(Default)]
struct TypeTable {
    index: HashMap<TypeDef, u32>,
}

impl TypeTable {
    fn intern(&mut self, out: &mut Booklet, def: TypeDef) -> u32 {
        if let Some(&idx) = self.index.get(&def) {
            return idx;
        }
        let idx = out.types.len() as u32;
        out.types.push(def.clone());
        self.index.insert(def, idx);
        idx
    }
}

fn map_index(map: &[u32], idx: u32, what: &str, at: usize) -> Result<u32> {
    map.get(idx as usize).copied().ok_or_else(|| {
        Error::binary(
            at,
            format!(
                "fragment refers to {what} {idx}, which it does not define (or not before its use)"
            ),
        )
    })
}

fn remap_valtype(ty: ValType, type_map: &[u32], at: usize) -> Result<ValType> {
    Ok(match ty {
        ValType::Type(i) => ValType::Type(map_index(type_map, i, "type", at)?),
        other => other,
    })
}

fn remap_typedef(def: &TypeDef, type_map: &[u32], at: usize) -> Result<TypeDef> {
    let t = |ty: ValType| remap_valtype(ty, type_map, at);
    let opt = |ty: Option<ValType>| ty.map(t).transpose();
    Ok(match def {
        TypeDef::Func(f) => TypeDef::Func(crate::FuncType {
            params: f.params.iter().map(|p| t(*p)).collect::<Result<_>>()?,
            results: f.results.iter().map(|p| t(*p)).collect::<Result<_>>()?,
        }),
        TypeDef::Record(fields) => TypeDef::Record(
            fields
                .iter()
                .map(|f| {
                    Ok(crate::Field {
                        name: f.name.clone(),
                        ty: t(f.ty)?,
                    })
                })
                .collect::<Result<_>>()?,
        ),
        TypeDef::Variant(cases) => TypeDef::Variant(
            cases
                .iter()
                .map(|c| {
                    Ok(crate::Case {
                        name: c.name.clone(),
                        ty: opt(c.ty)?,
                    })
                })
                .collect::<Result<_>>()?,
        ),
        TypeDef::Enum(names) => TypeDef::Enum(names.clone()),
        TypeDef::Flags(names) => TypeDef::Flags(names.clone()),
        TypeDef::List(e) => TypeDef::List(t(*e)?),
        TypeDef::Option(e) => TypeDef::Option(t(*e)?),
        TypeDef::Result { ok, err } => TypeDef::Result {
            ok: opt(*ok)?,
            err: opt(*err)?,
        },
        TypeDef::Tuple(ts) => TypeDef::Tuple(ts.iter().map(|x| t(*x)).collect::<Result<_>>()?),
    })
}

/// Resolves a fragment's core function and memory indices.
struct Resolver<'a> {
    names: Option<&'a [CoreName]>,
    core: &'a CoreModule,
    at: usize,
}

impl Resolver<'_> {
    fn name(&self, idx: u32) -> Result<Option<&CoreName>> {
        match self.names {
            None => Ok(None),
            Some(names) => names.get(idx as usize).map(Some).ok_or_else(|| {
                Error::binary(
                    self.at,
                    format!(
                        "fragment refers to core function {idx}, but its core names \
                         subsection has {} entries",
                        names.len()
                    ),
                )
            }),
        }
    }

    /// A core function the fragment uses; it must exist.
    fn func(&self, idx: u32) -> Result<u32> {
        match self.name(idx)? {
            None => Ok(idx),
            Some(CoreName::Export(name)) => self.core.exported_func(name).ok_or_else(|| {
                Error::binary(
                    self.at,
                    format!("fragment refers to core export {name:?}, but the core module exports no such function"),
                )
            }),
            Some(CoreName::Import { module, name }) => {
                self.import(module, name).ok_or_else(|| {
                    Error::binary(
                        self.at,
                        format!(
                            "fragment refers to core import {module:?} {name:?}, but the core \
                             module imports no such function"
                        ),
                    )
                })
            }
        }
    }

    /// The core function an `implement` connects: `None` for a named import
    /// that the module does not have.
    fn func_or_absent_import(&self, idx: u32) -> Result<Option<u32>> {
        match self.name(idx)? {
            Some(CoreName::Import { module, name }) => Ok(self.import(module, name)),
            _ => self.func(idx).map(Some),
        }
    }

    fn import(&self, module: &str, name: &str) -> Option<u32> {
        self.core
            .funcs
            .iter()
            .position(|f| {
                f.import
                    .as_ref()
                    .is_some_and(|(m, n)| m == module && n == name)
            })
            .map(|i| i as u32)
    }

    fn memory(&self, idx: u32) -> Result<u32> {
        if self.names.is_none() {
            return Ok(idx);
        }
        if idx != 0 {
            return Err(Error::binary(
                self.at,
                format!("fragment with core names uses memory {idx}; only memory 0 (the export {MEMORY_EXPORT:?}) is allowed"),
            ));
        }
        self.core
            .exports
            .iter()
            .find(|e| e.name == MEMORY_EXPORT && e.kind == ExportKind::Memory)
            .map(|e| e.index)
            .ok_or_else(|| {
                Error::binary(
                    self.at,
                    format!("fragment uses memory 0, but the core module exports no memory {MEMORY_EXPORT:?}"),
                )
            })
    }
}

fn remap_instr(
    instr: &Instruction,
    type_map: &[u32],
    adapter_map: &[u32],
    cx: &Resolver<'_>,
) -> Result<Instruction> {
    let ty = |t: ValType| remap_valtype(t, type_map, cx.at);
    let mem = |m: crate::MemArg| -> Result<crate::MemArg> {
        Ok(crate::MemArg {
            mem: cx.memory(m.mem)?,
            encoding: m.encoding,
        })
    };
    Ok(match instr {
        Instruction::ArgGet(i) => Instruction::ArgGet(*i),
        Instruction::Convert(c) => Instruction::Convert(*c),
        Instruction::CallCore(f) => Instruction::CallCore(cx.func(*f)?),
        Instruction::DeferCallCore(f) => Instruction::DeferCallCore(cx.func(*f)?),
        Instruction::CallAdapter(f) => {
            Instruction::CallAdapter(map_index(adapter_map, *f, "adapter function", cx.at)?)
        }
        Instruction::MemoryToString { mem: m, encoding } => Instruction::MemoryToString {
            mem: cx.memory(*m)?,
            encoding: *encoding,
        },
        Instruction::StringToMemory {
            malloc,
            mem: m,
            encoding,
        } => Instruction::StringToMemory {
            malloc: cx.func(*malloc)?,
            mem: cx.memory(*m)?,
            encoding: *encoding,
        },
        Instruction::RecordLift(t) => Instruction::RecordLift(ty(*t)?),
        Instruction::RecordLower(t) => Instruction::RecordLower(ty(*t)?),
        Instruction::ValueLift { ty: t, mem: m } => Instruction::ValueLift {
            ty: ty(*t)?,
            mem: mem(*m)?,
        },
        Instruction::ValueLoad { ty: t, mem: m } => Instruction::ValueLoad {
            ty: ty(*t)?,
            mem: mem(*m)?,
        },
        Instruction::ValueLower {
            ty: t,
            malloc,
            mem: m,
        } => Instruction::ValueLower {
            ty: ty(*t)?,
            malloc: cx.func(*malloc)?,
            mem: mem(*m)?,
        },
        Instruction::ValueStore {
            ty: t,
            malloc,
            mem: m,
        } => Instruction::ValueStore {
            ty: ty(*t)?,
            malloc: cx.func(*malloc)?,
            mem: mem(*m)?,
        },
        Instruction::ValueStoreNew {
            ty: t,
            malloc,
            mem: m,
        } => Instruction::ValueStoreNew {
            ty: ty(*t)?,
            malloc: cx.func(*malloc)?,
            mem: mem(*m)?,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::binary::encode_fragment;
    use crate::{FuncType, MemArg, StringEncoding};

    const CORE: &str = r#"(module
        (import "host" "log_" (func $log_ (param i32 i32)))
        (memory (export "memory") 1)
        (func (export "malloc") (param i32 i32) (result i32) i32.const 0)
        (func (export "f_") (param i32) (result i32) local.get 0)
        (func (export "g_") (param i32 i32)))"#;

    fn core() -> (Vec<u8>, CoreModule) {
        let bytes = wat::parse_str(CORE).unwrap();
        let core = CoreModule::parse(&bytes).unwrap();
        (bytes, core)
    }

    fn point() -> TypeDef {
        TypeDef::Record(vec![
            crate::Field {
                name: "x".into(),
                ty: ValType::S32,
            },
            crate::Field {
                name: "y".into(),
                ty: ValType::S32,
            },
        ])
    }

    fn func(params: Vec<ValType>, results: Vec<ValType>) -> TypeDef {
        TypeDef::Func(FuncType { params, results })
    }

    fn mem() -> MemArg {
        MemArg {
            mem: 0,
            encoding: StringEncoding::Utf8,
        }
    }

    /// `f: (point) -> point` calling core export "f_" (name 0) with
    /// allocator "malloc" (name 1).
    fn export_fragment() -> Vec<u8> {
        let mut b = Booklet {
            types: vec![
                point(),
                func(vec![ValType::Type(0)], vec![ValType::Type(0)]),
            ],
            funcs: vec![Func {
                ty: 1,
                instrs: vec![
                    Instruction::ArgGet(0),
                    Instruction::ValueStoreNew {
                        ty: ValType::Type(0),
                        malloc: 1,
                        mem: mem(),
                    },
                    Instruction::CallCore(0),
                    Instruction::ValueLoad {
                        ty: ValType::Type(0),
                        mem: mem(),
                    },
                ],
            }],
            exports: vec![Export {
                name: "f".into(),
                func: 0,
            }],
            ..Booklet::default()
        };
        b.type_names.insert(0, "point".into());
        b.docs.insert(0, "Does f.".into());
        encode_fragment(
            &b,
            &[
                CoreName::Export("f_".into()),
                CoreName::Export("malloc".into()),
            ],
        )
    }

    /// The interface import `host log: (string)` implementing core import
    /// `host log_`, plus an export `g: (point, string)` calling "g_".
    fn import_fragment(core_import: &str) -> Vec<u8> {
        let b = Booklet {
            types: vec![
                func(vec![ValType::String], vec![]),
                func(vec![ValType::I32, ValType::I32], vec![]),
            ],
            imports: vec![Import {
                module: "host".into(),
                name: "log".into(),
                ty: 0,
            }],
            funcs: vec![Func {
                ty: 1,
                instrs: vec![
                    Instruction::ArgGet(0),
                    Instruction::ArgGet(1),
                    Instruction::MemoryToString {
                        mem: 0,
                        encoding: StringEncoding::Utf8,
                    },
                    Instruction::CallAdapter(0),
                ],
            }],
            implements: vec![Implement {
                core_func: 0,
                adapter_func: 1,
            }],
            ..Booklet::default()
        };
        encode_fragment(
            &b,
            &[CoreName::Import {
                module: "host".into(),
                name: core_import.into(),
            }],
        )
    }

    #[test]
    fn merges_concatenated_fragments() {
        let (_, core) = core();
        // Two copies of the export fragment would export `f` twice; use one,
        // and the import fragment twice (two crates importing one function).
        let payload = [
            import_fragment("log_"),
            export_fragment(),
            import_fragment("log_"),
        ]
        .concat();
        let fragments = decode_fragments(&payload, 100).unwrap();
        assert_eq!(fragments.len(), 3);
        assert_eq!(fragments[1].offset, 100 + import_fragment("log_").len());
        let b = merge_fragments(&payload, 100, &core).unwrap();
        // imports first, shared
        assert_eq!(b.imports.len(), 1);
        assert_eq!(b.funcs.len(), 3);
        // fragments are merged in content order, not link order: the export's
        // adapter comes after the two import adapters here
        let f = b.exports[0].func;
        assert_eq!(
            b.exports,
            vec![Export {
                name: "f".into(),
                func: 3
            }]
        );
        // core names resolved: f_ is core func 2, malloc core func 1
        let body = &b.funcs[(f - 1) as usize].instrs;
        assert_eq!(body[2], Instruction::CallCore(2));
        assert!(matches!(
            body[1],
            Instruction::ValueStoreNew { malloc: 1, .. }
        ));
        // the link order does not change the result
        let reordered = [
            export_fragment(),
            import_fragment("log_"),
            import_fragment("log_"),
        ]
        .concat();
        assert_eq!(merge_fragments(&reordered, 100, &core).unwrap(), b);
        // one implement for the shared core import 0
        assert_eq!(
            b.implements,
            vec![Implement {
                core_func: 0,
                adapter_func: 1
            }]
        );
        // identical function types are shared: (string) and (i32 i32) once
        assert_eq!(b.types.len(), 4);
        assert_eq!(b.type_names.values().collect::<Vec<_>>(), ["point"]);
        assert_eq!(b.docs.get(&f).map(String::as_str), Some("Does f."));
        crate::validate::validate(&b, &core).unwrap();
        // the merged booklet encodes as one fragment and reads back equal
        let again = Booklet::decode(&b.encode(), 0).unwrap();
        assert_eq!(again, b);
    }

    #[test]
    fn qualified_type_names_are_shortened() {
        let names = |list: &[&str]| -> BTreeMap<u32, String> {
            list.iter()
                .enumerate()
                .map(|(i, n)| (i as u32, n.to_string()))
                .collect()
        };
        let short = |list: &[&str]| -> Vec<String> {
            shorten_type_names(&names(list))
                .unwrap()
                .into_values()
                .collect()
        };
        assert_eq!(short(&["app::point"]), ["point"]);
        assert_eq!(
            short(&[
                "app::users::error",
                "app::files::error",
                "app::point",
                "plain"
            ]),
            ["users-error", "files-error", "point", "plain"]
        );
        // two crates with an `Error` each
        assert_eq!(
            short(&["crate_a::error", "crate_b::error"]),
            ["crate-a-error", "crate-b-error"]
        );
        // a plain name and a qualified one ending the same
        assert_eq!(short(&["error", "app::error"]), ["error", "app-error"]);
        let e = shorten_type_names(&names(&["app::error", "app::error"])).unwrap_err();
        assert!(e.message().contains("same name \"app::error\""), "{e}");
        // paths that only differ in `_` and `::`
        assert_eq!(short(&["a_b::x", "a::b::x"]), ["a-b-x", "b-x"]);
        // a later round never takes a name an earlier one gave
        if let Ok(out) = shorten_type_names(&names(&["q::a_b::x", "a::b::x", "z::b::x"])) {
            let mut values: Vec<&String> = out.values().collect();
            values.sort();
            values.dedup();
            assert_eq!(values.len(), 3, "{out:?}");
        }
        // many names, long paths: bounded work
        let many: Vec<String> = (0..2_000)
            .map(|i| format!("{}::t{}", "m::".repeat(40), i % 2))
            .collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        assert!(shorten_type_names(&names(&many)).is_err());
    }

    #[test]
    fn an_import_nobody_calls_has_no_implement() {
        let (_, core) = core();
        // Nothing of the fragment is left: the interface import it declared
        // is not a requirement of the module.
        let b = merge_fragments(&import_fragment("gone"), 0, &core).unwrap();
        assert_eq!(b, Booklet::default());
        // The same fragment next to another keeps only the other.
        let payload = [import_fragment("gone"), export_fragment()].concat();
        let b = merge_fragments(&payload, 0, &core).unwrap();
        assert!(b.imports.is_empty());
        assert_eq!(b.funcs.len(), 1);
        assert_eq!(b.exports[0].func, 0);
    }

    #[test]
    fn errors_name_the_missing_export() {
        let (_, mut core) = core();
        core.exports.retain(|e| e.name != "f_");
        let e = merge_fragments(&export_fragment(), 7, &core).unwrap_err();
        assert_eq!(e.offset(), Some(7));
        assert!(e.message().contains("core export \"f_\""), "{e}");
        // a single fragment with names cannot be decoded without the core module
        let e = Booklet::decode(&export_fragment(), 0).unwrap_err();
        assert!(e.message().contains("merge_fragments"), "{e}");
        // nor can several
        let two = [export_fragment(), export_fragment()].concat();
        let e = Booklet::decode(&two, 0).unwrap_err();
        assert!(e.message().contains("2 fragments"), "{e}");
        // and two fragments exporting one name are an error
        let (_, core) = self::core();
        let e = merge_fragments(&two, 0, &core).unwrap_err();
        assert!(e.message().contains("defined by two fragments"), "{e}");
    }

    #[test]
    fn later_fragments_must_be_extension_fragments() {
        let (_, core) = core();
        let reference = Booklet::default().encode(); // "0.1.0"
        let payload = [export_fragment(), reference].concat();
        // the reference version's length byte (5) reads as a subsection id
        // after the export fragment's docs (7): out of order
        assert!(merge_fragments(&payload, 0, &core).is_err());
    }
}
