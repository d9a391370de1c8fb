//! The TypeScript declarations of the generated glue: a type per named
//! interface type, the `Exports` the instance has, the `Imports` it takes.

use crate::quote::{comment, js_str};
use crate::Plan;
use intertype::{Booklet, TypeDef, ValType};

const MAX_DEPTH: usize = 40;

/// `my-point` → `MyPoint`.
fn ts_name(name: &str) -> String {
    let mut out = String::new();
    let mut upper = true;
    for ch in name.chars() {
        if ch.is_ascii_alphanumeric() {
            if upper {
                out.extend(ch.to_uppercase());
            } else {
                out.push(ch);
            }
            upper = false;
        } else {
            upper = true;
        }
    }
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, 'T');
    }
    out
}

fn key(name: &str) -> String {
    let ident = !name.is_empty()
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$');
    if ident {
        name.to_string()
    } else {
        js_str(name)
    }
}

/// The `.d.ts` name of parameter `i` of adapter `func`: the booklet's name
/// (untrusted) in camelCase when that is a plain identifier and not a
/// reserved word, else `p{i}`.
fn param_name(b: &Booklet, func: u32, i: usize, taken: &mut Vec<String>) -> String {
    const RESERVED: &[&str] = &[
        "arguments",
        "await",
        "break",
        "case",
        "catch",
        "class",
        "const",
        "continue",
        "debugger",
        "default",
        "delete",
        "do",
        "else",
        "enum",
        "eval",
        "export",
        "extends",
        "false",
        "finally",
        "for",
        "function",
        "if",
        "implements",
        "import",
        "in",
        "instanceof",
        "interface",
        "let",
        "new",
        "null",
        "package",
        "private",
        "protected",
        "public",
        "return",
        "static",
        "super",
        "switch",
        "this",
        "throw",
        "true",
        "try",
        "typeof",
        "var",
        "void",
        "while",
        "with",
        "yield",
    ];
    let mut camel = String::new();
    let mut upper = false;
    for ch in b.param_name(func, i).unwrap_or_default().chars() {
        if ch == '-' || ch == '_' {
            upper = !camel.is_empty();
        } else if upper {
            camel.extend(ch.to_uppercase());
            upper = false;
        } else {
            camel.push(ch);
        }
    }
    let plain = camel.starts_with(|c: char| c.is_ascii_alphabetic() || c == '$')
        && camel.chars().all(|c| c.is_ascii_alphanumeric() || c == '$');
    let mut name = if plain && !RESERVED.contains(&camel.as_str()) && !taken.contains(&camel) {
        camel
    } else {
        format!("p{i}")
    };
    while taken.contains(&name) {
        name.insert(0, '_');
    }
    taken.push(name.clone());
    name
}

/// Whether a position is a parameter (what JS passes in; more lenient) or a
/// result (what the glue produces).
#[derive(Clone, Copy, PartialEq)]
enum Dir {
    In,
    Out,
}

fn ts(b: &Booklet, ty: ValType, dir: Dir, depth: usize, by_name: bool) -> String {
    use ValType::*;
    match ty {
        Bool => "boolean".into(),
        S8 | S16 | S32 | U8 | U16 | U32 | F32 | F64 | I32 => "number".into(),
        S64 | U64 | I64 => match dir {
            Dir::In => "bigint | number".into(),
            Dir::Out => "bigint".into(),
        },
        Char | String => "string".into(),
        Externref => "any".into(),
        Type(i) => {
            if by_name {
                if let Some(n) = b.type_names.get(&i) {
                    return ts_name(n);
                }
            }
            if depth > MAX_DEPTH {
                return "unknown".into();
            }
            let t = |ty: ValType| ts(b, ty, dir, depth + 1, true);
            match b.types.get(i as usize) {
                Some(TypeDef::Record(fs)) => format!(
                    "{{ {} }}",
                    fs.iter()
                        .map(|f| format!("{}: {}", key(&f.name), t(f.ty)))
                        .collect::<Vec<_>>()
                        .join("; ")
                ),
                Some(TypeDef::Tuple(ts)) => format!(
                    "[{}]",
                    ts.iter().map(|x| t(*x)).collect::<Vec<_>>().join(", ")
                ),
                Some(TypeDef::Variant(cs)) => cs
                    .iter()
                    .map(|c| match c.ty {
                        Some(p) => format!("{{ tag: {}; val: {} }}", js_str(&c.name), t(p)),
                        None => format!("{{ tag: {} }}", js_str(&c.name)),
                    })
                    .collect::<Vec<_>>()
                    .join(" | "),
                Some(TypeDef::Enum(ns)) => {
                    ns.iter().map(|n| js_str(n)).collect::<Vec<_>>().join(" | ")
                }
                Some(TypeDef::Flags(ns)) => format!(
                    "{{ {} }}",
                    ns.iter()
                        .map(|n| format!("{}?: boolean", key(n)))
                        .collect::<Vec<_>>()
                        .join("; ")
                ),
                Some(TypeDef::List(e)) => match (e, dir) {
                    (U8, Dir::Out) => "Uint8Array".into(),
                    (U8, Dir::In) => "Uint8Array | ArrayLike<number>".into(),
                    (S8, _) => "Int8Array | number[]".into(),
                    (U16, _) => "Uint16Array | number[]".into(),
                    (S16, _) => "Int16Array | number[]".into(),
                    (U32, _) => "Uint32Array | number[]".into(),
                    (S32, _) => "Int32Array | number[]".into(),
                    (U64, _) => "BigUint64Array | bigint[]".into(),
                    (S64, _) => "BigInt64Array | bigint[]".into(),
                    (F32, _) => "Float32Array | number[]".into(),
                    (F64, _) => "Float64Array | number[]".into(),
                    _ => format!("Array<{}>", t(*e)),
                },
                Some(TypeDef::Option(e)) => {
                    if matches!(b.typedef(*e), Some(TypeDef::Option(_))) {
                        format!("{{ tag: \"some\"; val: {} }} | null", t(*e))
                    } else {
                        format!("{} | null", t(*e))
                    }
                }
                Some(TypeDef::Result { ok, err }) => {
                    let case = |tag: &str, p: Option<ValType>| match p {
                        Some(p) => format!("{{ tag: \"{tag}\"; val: {} }}", t(p)),
                        None => format!("{{ tag: \"{tag}\" }}"),
                    };
                    format!("{} | {}", case("ok", *ok), case("err", *err))
                }
                Some(TypeDef::Func(_)) | None => "unknown".into(),
            }
        }
    }
}

fn signature(b: &Booklet, idx: u32, is_import: bool) -> (String, String) {
    let Some(f) = b.adapter_func_type(idx) else {
        return ("...args: unknown[]".into(), "unknown".into());
    };
    // What the user passes: parameters of exports, results of imports.
    let (pin, rout) = if is_import {
        (Dir::Out, Dir::In)
    } else {
        (Dir::In, Dir::Out)
    };
    let mut taken = Vec::new();
    let params = f
        .params
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let name = param_name(b, idx, i, &mut taken);
            format!("{name}: {}", ts(b, *t, pin, 0, true))
        })
        .collect::<Vec<_>>()
        .join(", ");
    let result = match f.results.as_slice() {
        [] => "void".into(),
        [t] => match b.typedef(*t) {
            // A `result` is returned as its ok value; its error is thrown.
            Some(TypeDef::Result { ok, .. }) => {
                ok.map_or("void".into(), |ok| ts(b, ok, rout, 0, true))
            }
            _ => ts(b, *t, rout, 0, true),
        },
        many => format!(
            "[{}]",
            many.iter()
                .map(|t| ts(b, *t, rout, 0, true))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    (params, result)
}

pub(crate) fn generate(module: &intertype::Module, plan: &Plan, name: &str) -> String {
    let b = &module.booklet;
    let file = comment(&format!("{name}.wasm"));
    let mut out = format!("// Generated by `intertype bindgen js` from {file}. Do not edit.\n\n");
    for (i, n) in &b.type_names {
        let body = ts(b, ValType::Type(*i), Dir::Out, 0, false);
        match b.types.get(*i as usize) {
            Some(TypeDef::Record(_)) | Some(TypeDef::Flags(_)) => {
                out.push_str(&format!("export interface {} {body}\n", ts_name(n)))
            }
            _ => out.push_str(&format!("export type {} = {body};\n", ts_name(n))),
        }
    }
    out.push_str("\n/** The interface exports of an instance. */\nexport interface Exports {\n");
    for e in &plan.exports {
        let is_import = (e.func as usize) < plan.imports.len();
        let (p, r) = signature(b, e.func, is_import);
        out.push_str(&format!("  {}({p}): {r};\n", key(&e.name)));
    }
    for (n, idx) in &plan.passthrough {
        let f = &module.core.funcs[*idx as usize].ty;
        let core_ts = |t: &Result<intertype::CoreType, String>| match t {
            Ok(intertype::CoreType::I64) => "bigint",
            Ok(intertype::CoreType::Externref) => "any",
            Ok(_) => "number",
            Err(_) => "unknown",
        };
        let params = f
            .params
            .iter()
            .enumerate()
            .map(|(i, t)| format!("p{i}: {}", core_ts(t)))
            .collect::<Vec<_>>()
            .join(", ");
        let result = match f.results.as_slice() {
            [] => "void".to_string(),
            [t] => core_ts(t).to_string(),
            many => format!(
                "[{}]",
                many.iter().map(core_ts).collect::<Vec<_>>().join(", ")
            ),
        };
        out.push_str(&format!(
            "  /** A core export (core types). */\n  {}({params}): {result};\n",
            key(n)
        ));
    }
    out.push_str("}\n\n/** Interface imports: plain JS functions by module and name. Imports from module `web` default to the Web API of that name. */\nexport interface Imports {\n");
    let mut modules: std::collections::BTreeMap<&str, Vec<String>> = Default::default();
    for (i, (m, n)) in plan.imports.iter().enumerate() {
        if plan.linked.contains(m) {
            // Served by a linked module (`--link`), not by the user.
            continue;
        }
        let (p, r) = signature(b, i as u32, true);
        modules
            .entry(m)
            .or_default()
            .push(format!("    {}({p}): {r};\n", key(n)));
    }
    for (m, items) in &modules {
        let opt = if *m == "web" { "?" } else { "" };
        out.push_str(&format!("  {}{opt}: {{\n{}  }};\n", key(m), items.concat()));
    }
    out.push_str("  [module: string]: Record<string, unknown> | undefined;\n}\n\n");
    out.push_str("/** Thrown by an export whose `result` is an error; thrown by an import to return an error. */\nexport declare class ResultError extends Error {\n  constructor(value: unknown);\n  value: unknown;\n}\n\n");
    out.push_str(&format!(
        "/** Instantiates {file} (by default the file next to this module). Every export is in `$exports`; the instance itself has all but `then`, `$core` and `$exports`. */\nexport function instantiate(\n  imports?: Imports,\n  wasm?: URL | string | ArrayBuffer | ArrayBufferView | WebAssembly.Module | Response | Promise<Response>,\n): Promise<Omit<Exports, \"then\" | \"$core\" | \"$exports\"> & {{ readonly $core: WebAssembly.Exports; readonly $exports: Exports }}>;\n"
    ));
    if plan.in_graph {
        out.push_str("\n/** `instantiate` within one instantiation of a graph of linked modules (one instance of each, by glue file name in `graph`). */\nexport function instantiateLinked(\n  imports?: Imports,\n  graph?: Map<string, Promise<unknown>>,\n  wasm?: URL | string | ArrayBuffer | ArrayBufferView | WebAssembly.Module | Response | Promise<Response>,\n): ReturnType<typeof instantiate>;\n\n/** What satisfies each interface import a linked module serves: fused in the adapter module (`wasm`), fused in this glue (`js`) or through JS values (`values`). */\nexport declare const linkReport: ReadonlyArray<{ importer: string; module: string; name: string; fused: boolean; mechanism: 'wasm' | 'js' | 'values'; why: string | null }>;\n");
    }
    out
}
