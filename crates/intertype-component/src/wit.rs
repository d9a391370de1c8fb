//! A WIT world derived from a booklet (`intertype wit`): what the module's
//! interface looks like to the component model.

use anyhow::{bail, Result};
use intertype::{Booklet, TypeDef, ValType};
use std::collections::{BTreeMap, HashSet};
use std::fmt::Write;

/// WIT keywords, written with a `%` prefix when used as names.
const KEYWORDS: &[&str] = &[
    "as",
    "async",
    "bool",
    "borrow",
    "char",
    "constructor",
    "enum",
    "error-context",
    "export",
    "f32",
    "f64",
    "flags",
    "from",
    "func",
    "future",
    "import",
    "include",
    "interface",
    "list",
    "map",
    "option",
    "own",
    "package",
    "record",
    "resource",
    "result",
    "s16",
    "s32",
    "s64",
    "s8",
    "static",
    "stream",
    "string",
    "tuple",
    "type",
    "u16",
    "u32",
    "u64",
    "u8",
    "use",
    "variant",
    "with",
    "world",
];

/// A name as a WIT identifier: `snake_case` becomes `kebab-case`; anything
/// else that is not a kebab name (untrusted input) is refused.
fn ident(name: &str, what: &str) -> Result<String> {
    let kebab = name.replace('_', "-");
    let ok = !kebab.is_empty()
        && kebab.split('-').all(|part| {
            let mut chars = part.chars();
            let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic());
            let lower = part
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
            let upper = part
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
            first_ok && (lower || upper)
        });
    if !ok {
        bail!("{what} {name:?} is not a WIT name (kebab-case words)");
    }
    Ok(if KEYWORDS.contains(&kebab.as_str()) {
        format!("%{kebab}")
    } else {
        kebab
    })
}

/// The world `name` whose imports and exports are the booklet's interface
/// imports and exports. Named types keep their names (from the type-names
/// subsection); records, variants, enums and flags without one are named
/// `type-N` after their index.
pub fn world(booklet: &Booklet, name: &str) -> Result<String> {
    let (w, types) = writer(booklet, None)?;
    let mut out = format!("world {} {{\n", ident(name, "world name")?);
    out.push_str(&types);
    // Imports: `$root` functions at the world level, other modules as
    // inline interfaces named after the module.
    let mut by_module: BTreeMap<&str, Vec<(usize, &intertype::Import)>> = BTreeMap::new();
    for (i, imp) in booklet.imports.iter().enumerate() {
        by_module.entry(&imp.module).or_default().push((i, imp));
    }
    for (module, imports) in &by_module {
        let mut funcs = String::new();
        for (i, imp) in imports {
            let sig = w.func(imp.ty, *i as u32, &imp.name)?;
            writeln!(funcs, "{}: {sig};", ident(&imp.name, "import name")?).unwrap();
        }
        if *module == "$root" {
            for line in funcs.lines() {
                writeln!(out, "  import {line}").unwrap();
            }
        } else {
            // A component-model interface name `ns:pkg/iface@1.0` becomes
            // the inline interface `iface` (its package is not known here).
            let short = module.rsplit('/').next().unwrap_or(module);
            let short = short.split('@').next().unwrap_or(short);
            writeln!(
                out,
                "  import {}: interface {{",
                ident(short, "import module")?
            )
            .unwrap();
            for line in funcs.lines() {
                writeln!(out, "    {line}").unwrap();
            }
            out.push_str("  }\n");
        }
    }
    for e in &booklet.exports {
        let Some(ty) = booklet.adapter_func_type_index(e.func) else {
            bail!("export {:?} has no function type", e.name);
        };
        let sig = w.func(ty, e.func, &e.name)?;
        writeln!(out, "  export {}: {sig};", ident(&e.name, "export name")?).unwrap();
    }
    out.push_str("}\n");
    Ok(out)
}

/// The names of the booklet's records, variants, enums and flags (their
/// type names, else `type-N`), and their WIT declarations.
fn writer<'b>(booklet: &'b Booklet, only: Option<&HashSet<u32>>) -> Result<(Writer<'b>, String)> {
    let mut w = Writer {
        b: booklet,
        names: BTreeMap::new(),
    };
    let mut used = HashSet::new();
    for (i, def) in booklet.types.iter().enumerate() {
        let i = i as u32;
        if matches!(
            def,
            TypeDef::Record(_) | TypeDef::Variant(_) | TypeDef::Enum(_) | TypeDef::Flags(_)
        ) {
            let mut n = match booklet.type_names.get(&i) {
                Some(n) => ident(n, "type name")?,
                None => format!("type-{i}"),
            };
            while !used.insert(n.clone()) {
                n = format!("{n}-{i}");
            }
            w.names.insert(i, n);
        }
    }
    let mut types = String::new();
    for (i, def) in booklet.types.iter().enumerate() {
        if only.is_some_and(|o| !o.contains(&(i as u32))) {
            continue;
        }
        if let Some(n) = w.names.get(&(i as u32)) {
            types.push_str(&w.typedef(n, def)?);
        }
    }
    Ok((w, types))
}

/// The world `component new`'s canonical-ABI side implements: the module's
/// interface exports (`exports`, indices into `booklet.exports`) as imports
/// `export-N`, and its interface imports as exports `import-N`. The side
/// calls the module's exports and implements its imports.
pub(crate) fn shim_world(booklet: &Booklet, exports: &[usize]) -> Result<String> {
    // Only the types the functions use: the booklet may hold others that
    // WIT cannot write (the component leaves them out too).
    let mut used = HashSet::new();
    let mut work: Vec<u32> = exports
        .iter()
        .filter_map(|&i| booklet.adapter_func_type_index(booklet.exports[i].func))
        .chain(booklet.imports.iter().map(|imp| imp.ty))
        .collect();
    while let Some(t) = work.pop() {
        if !used.insert(t) {
            continue;
        }
        let mut push = |v: &ValType| {
            if let ValType::Type(i) = v {
                work.push(*i);
            }
        };
        match booklet.types.get(t as usize) {
            Some(TypeDef::Func(f)) => f.params.iter().chain(&f.results).for_each(&mut push),
            Some(TypeDef::Record(fs)) => fs.iter().for_each(|f| push(&f.ty)),
            Some(TypeDef::Variant(cs)) => {
                cs.iter().filter_map(|c| c.ty.as_ref()).for_each(&mut push)
            }
            Some(TypeDef::List(t)) | Some(TypeDef::Option(t)) => push(t),
            Some(TypeDef::Tuple(ts)) => ts.iter().for_each(&mut push),
            Some(TypeDef::Result { ok, err }) => ok.iter().chain(err.iter()).for_each(&mut push),
            _ => {}
        }
    }
    let (w, types) = writer(booklet, Some(&used))?;
    let mut out = format!("package intertype:shim;\n\nworld shim {{\n{types}");
    for &i in exports {
        let e = &booklet.exports[i];
        let Some(ty) = booklet.adapter_func_type_index(e.func) else {
            bail!("export {:?} has no function type", e.name);
        };
        let sig = w.func(ty, e.func, &e.name)?;
        writeln!(out, "  import export-{i}: {sig};").unwrap();
    }
    for (i, imp) in booklet.imports.iter().enumerate() {
        let sig = w.func(imp.ty, i as u32, &imp.name)?;
        writeln!(out, "  export import-{i}: {sig};").unwrap();
    }
    out.push_str("}\n");
    Ok(out)
}

/// The WIT name of the booklet's type `i` when it is a record, variant, enum
/// or flags (as [`world`] writes it).
pub(crate) fn type_names(booklet: &Booklet) -> Result<BTreeMap<u32, String>> {
    Ok(writer(booklet, None)?.0.names)
}

/// A name from the module as a WIT identifier, without the `%` prefix.
pub(crate) fn plain_ident(name: &str, what: &str) -> Result<String> {
    Ok(ident(name, what)?.trim_start_matches('%').to_string())
}

struct Writer<'a> {
    b: &'a Booklet,
    names: BTreeMap<u32, String>,
}

impl Writer<'_> {
    fn func(&self, ty: u32, func: u32, what: &str) -> Result<String> {
        let Some(TypeDef::Func(ft)) = self.b.types.get(ty as usize) else {
            bail!("`{what}` has no function type");
        };
        let mut params = Vec::new();
        for (i, p) in ft.params.iter().enumerate() {
            let name = match self.b.param_name(func, i) {
                Some(n) if !n.is_empty() => ident(n, "parameter name")?,
                _ => format!("p{i}"),
            };
            params.push(format!("{name}: {}", self.val(*p, what)?));
        }
        let result = match ft.results.as_slice() {
            [] => String::new(),
            [r] => format!(" -> {}", self.val(*r, what)?),
            many => format!(
                " -> tuple<{}>",
                many.iter()
                    .map(|r| self.val(*r, what))
                    .collect::<Result<Vec<_>>>()?
                    .join(", ")
            ),
        };
        Ok(format!("func({}){result}", params.join(", ")))
    }

    fn val(&self, ty: ValType, what: &str) -> Result<String> {
        Ok(match ty {
            ValType::Type(i) => {
                if let Some(n) = self.names.get(&i) {
                    return Ok(n.clone());
                }
                match self.b.types.get(i as usize) {
                    Some(TypeDef::List(t)) => format!("list<{}>", self.val(*t, what)?),
                    Some(TypeDef::Option(t)) => format!("option<{}>", self.val(*t, what)?),
                    Some(TypeDef::Tuple(ts)) => format!(
                        "tuple<{}>",
                        ts.iter()
                            .map(|t| self.val(*t, what))
                            .collect::<Result<Vec<_>>>()?
                            .join(", ")
                    ),
                    Some(TypeDef::Result { ok, err }) => match (ok, err) {
                        (None, None) => "result".into(),
                        (Some(o), None) => format!("result<{}>", self.val(*o, what)?),
                        (None, Some(e)) => format!("result<_, {}>", self.val(*e, what)?),
                        (Some(o), Some(e)) => {
                            format!("result<{}, {}>", self.val(*o, what)?, self.val(*e, what)?)
                        }
                    },
                    _ => bail!("`{what}` refers to type {i}, which is not a value type"),
                }
            }
            ValType::I32 | ValType::I64 | ValType::Externref => bail!(
                "`{what}` uses the core type `{}`, which has no WIT type",
                ty.keyword().unwrap_or("?")
            ),
            other => other.keyword().unwrap_or("?").to_string(),
        })
    }

    fn typedef(&self, name: &str, def: &TypeDef) -> Result<String> {
        let what = format!("type {name}");
        let mut out = String::new();
        match def {
            TypeDef::Record(fields) => {
                writeln!(out, "  record {name} {{").unwrap();
                for f in fields {
                    let ty = self.val(f.ty, &what)?;
                    writeln!(out, "    {}: {ty},", ident(&f.name, "field name")?).unwrap();
                }
            }
            TypeDef::Variant(cases) => {
                writeln!(out, "  variant {name} {{").unwrap();
                for c in cases {
                    let case = ident(&c.name, "case name")?;
                    match c.ty {
                        Some(t) => writeln!(out, "    {case}({}),", self.val(t, &what)?).unwrap(),
                        None => writeln!(out, "    {case},").unwrap(),
                    }
                }
            }
            TypeDef::Flags(cases) if cases.is_empty() => {
                bail!("{what} is a flags type without flags, which WIT cannot write")
            }
            TypeDef::Enum(cases) | TypeDef::Flags(cases) => {
                let kw = if matches!(def, TypeDef::Enum(_)) {
                    "enum"
                } else {
                    "flags"
                };
                writeln!(out, "  {kw} {name} {{").unwrap();
                for c in cases {
                    writeln!(out, "    {},", ident(c, "case name")?).unwrap();
                }
            }
            _ => return Ok(out),
        }
        out.push_str("  }\n");
        Ok(out)
    }
}
