//! Python names for interface names, shared by the Python package
//! (`bindings/python`) and `intertype bindgen python`, which must name every
//! class, field, member and method identically (the generated module reaches
//! the package's classes by these names). Names come from the module, which
//! is untrusted: every name becomes a plain ASCII identifier that is not a
//! keyword and does not start with `_` (so no dunder can be reached), and
//! names in one scope are made unique.

const KEYWORDS: &[&str] = &[
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
    "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import",
    "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while",
    "with", "yield",
];

fn safe(mut s: String) -> String {
    if s.is_empty() || s.starts_with(|c: char| c.is_ascii_digit() || c == '_') {
        s.insert(0, 'x');
    }
    if KEYWORDS.contains(&s.as_str()) {
        s.push('_');
    }
    s
}

/// `added-at` -> `added_at`: attributes, fields, function names (case kept).
pub fn snake(name: &str) -> String {
    safe(
        name.chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect(),
    )
}

/// `not-found` -> `NotFound`: classes.
pub fn camel(name: &str) -> String {
    let mut out = String::new();
    for part in name.split(|c: char| !c.is_ascii_alphanumeric()) {
        let mut cs = part.chars();
        if let Some(first) = cs.next() {
            out.push(first.to_ascii_uppercase());
            out.extend(cs);
        }
    }
    safe(out)
}

/// `dark-red` -> `DARK_RED`: enum and flag members.
pub fn upper(name: &str) -> String {
    safe(snake(name).to_ascii_uppercase())
}

/// Makes names unique in order (`a`, `a_2`, …).
pub fn unique(names: impl IntoIterator<Item = String>) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    names
        .into_iter()
        .map(|base| {
            let mut name = base.clone();
            let mut n = 2;
            while !seen.insert(name.clone()) {
                name = format!("{base}_{n}");
                n += 1;
            }
            name
        })
        .collect()
}
