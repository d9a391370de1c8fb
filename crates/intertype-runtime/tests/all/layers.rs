//! The runtime's modules form layers without a circle: each file refers
//! only to modules below it (read from its `crate::` paths, comments
//! skipped). A new module must be placed in `LAYERS`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Bottom first. A module may use any module listed before it.
const LAYERS: &[&str] = &[
    "error",
    "engine",
    "types",
    "value",
    "plain",
    "shape",
    "plan",
    "module",
    "store",
    "args",
    "canon",
    "exec",
    "link",
    "guest_panic",
    "instance",
    "caller",
    "linker",
    "typed",
    "wave",
];

/// Every `.rs` file under `dir`, keyed by its top-level module
/// (`plan/compile.rs` belongs to `plan`).
fn sources(dir: &Path, top: Option<&str>, out: &mut Vec<(String, String)>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let stem = path.file_stem().unwrap().to_str().unwrap().to_string();
        if path.is_dir() {
            sources(&path, Some(top.unwrap_or(&stem)), out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let module = top.map_or(stem, str::to_string);
            out.push((module, std::fs::read_to_string(&path).unwrap()));
        }
    }
}

/// The identifiers following each `crate::` in code (comments skipped),
/// with `crate::{a, b::c}` groups opened.
fn crate_paths(src: &str) -> Vec<String> {
    let mut names = Vec::new();
    for line in src.lines() {
        let code = match line.find("//") {
            Some(i) => &line[..i],
            None => line,
        };
        let mut rest = code;
        while let Some(i) = rest.find("crate::") {
            rest = &rest[i + "crate::".len()..];
            let group: &str = if let Some(inner) = rest.strip_prefix('{') {
                &inner[..inner.find('}').unwrap_or(inner.len())]
            } else {
                rest
            };
            for part in group.split(',') {
                let ident: String = part
                    .trim()
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if !ident.is_empty() {
                    names.push(ident);
                }
                if !rest.starts_with('{') {
                    break;
                }
            }
        }
    }
    names
}

/// `pub use module::{A, B}` in lib.rs: which module a root name comes from.
fn reexports(lib: &str) -> BTreeMap<String, String> {
    let mut map = BTreeMap::new();
    for line in lib.lines() {
        let Some(rest) = line.trim().strip_prefix("pub use ") else {
            continue;
        };
        let Some((module, names)) = rest.split_once("::") else {
            continue;
        };
        let names = names.trim_end_matches(';');
        let names = names.trim_start_matches('{').trim_end_matches('}');
        for n in names.split(',') {
            let n = n.trim();
            if !n.is_empty() {
                map.insert(n.to_string(), module.to_string());
            }
        }
    }
    map
}

/// Module -> the modules it refers to.
fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, None, &mut files);
    let lib = std::fs::read_to_string(src.join("lib.rs")).unwrap();
    let names = reexports(&lib);
    let modules: BTreeSet<String> = files.iter().map(|(m, _)| m.clone()).collect();
    let mut deps: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (module, text) in &files {
        if module == "lib" {
            continue;
        }
        let entry = deps.entry(module.clone()).or_default();
        for name in crate_paths(text) {
            let target = if modules.contains(&name) {
                name
            } else if let Some(m) = names.get(&name) {
                m.clone()
            } else {
                continue;
            };
            if &target != module {
                entry.insert(target);
            }
        }
    }
    deps
}

/// A cycle through `start`, if there is one (depth-first).
fn cycle_from(
    deps: &BTreeMap<String, BTreeSet<String>>,
    path: &mut Vec<String>,
) -> Option<Vec<String>> {
    let last = path.last().unwrap().clone();
    for next in deps.get(&last).into_iter().flatten() {
        if *next == path[0] {
            let mut c = path.clone();
            c.push(next.clone());
            return Some(c);
        }
        if !path.contains(next) {
            path.push(next.clone());
            if let Some(c) = cycle_from(deps, path) {
                return Some(c);
            }
            path.pop();
        }
    }
    None
}

#[test]
fn no_import_cycle_between_modules() {
    let deps = graph();
    for module in deps.keys() {
        if let Some(c) = cycle_from(&deps, &mut vec![module.clone()]) {
            panic!(
                "import cycle between the runtime's modules: {}",
                c.join(" -> ")
            );
        }
    }
}

#[test]
fn each_module_uses_only_layers_below_it() {
    let deps = graph();
    let rank = |m: &str| LAYERS.iter().position(|l| *l == m);
    let mut wrong = Vec::new();
    for (module, uses) in &deps {
        let Some(r) = rank(module) else {
            wrong.push(format!("`{module}` is not placed in LAYERS"));
            continue;
        };
        for u in uses {
            if rank(u).is_none_or(|ru| ru >= r) {
                wrong.push(format!("`{module}` uses `{u}`, which is not below it"));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn the_reader_sees_crate_paths() {
    // The checks above are only as good as this parser.
    let src = "use crate::a::X;\nuse crate::{b, c::Y};\n// crate::d\nlet x = crate::e::f();";
    assert_eq!(crate_paths(src), ["a", "b", "c", "e"]);
}
