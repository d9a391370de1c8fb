//! Interface signatures in words, for people: `func(name: string) -> string`,
//! `record { x: s32, y: s32 }`, `list<u8>`. Used by `intertype inspect` and
//! error messages; the spelling follows today's WIT where it can.

use crate::types::{FuncType, TypeDef, ValType};
use crate::Booklet;

/// Nesting beyond this is printed as `…` (booklets from untrusted input may
/// be deep; output stays bounded).
const MAX_DEPTH: usize = 16;

/// A value type in words. Named definitions print by name.
pub fn val_type(booklet: &Booklet, ty: ValType) -> String {
    let mut out = String::new();
    write_val(booklet, ty, 0, true, &mut out);
    out
}

/// A type definition in words, always expanded (also when it has a name).
pub fn type_def(booklet: &Booklet, idx: u32) -> String {
    let mut out = String::new();
    write_val(booklet, ValType::Type(idx), 0, false, &mut out);
    out
}

/// A function signature in words, parameters numbered: `func(p0: s32,
/// p1: string) -> string`.
pub fn func_type(booklet: &Booklet, ty: &FuncType) -> String {
    let mut out = String::new();
    write_func(booklet, ty, None, 0, &mut out);
    out
}

/// The signature of adapter function `func` in words, with the parameter
/// names of the booklet where it has them (`func(name: string) -> string`);
/// `None` if there is no such function.
pub fn adapter_func(booklet: &Booklet, func: u32) -> Option<String> {
    let ty = booklet.adapter_func_type(func)?;
    let mut out = String::new();
    let names = booklet.param_names.get(&func).map(Vec::as_slice);
    write_func(booklet, ty, names, 0, &mut out);
    Some(out)
}

/// How parameter `i` is called in words: its name when it is a plain
/// identifier, the quoted (escaped) name otherwise, `p{i}` when it has none.
pub fn param_label(booklet: &Booklet, func: u32, i: usize) -> String {
    label(booklet.param_names.get(&func).map(Vec::as_slice), i)
}

fn label(names: Option<&[String]>, i: usize) -> String {
    match names.and_then(|n| n.get(i)).filter(|n| !n.is_empty()) {
        Some(name)
            if name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') =>
        {
            name.clone()
        }
        Some(name) => format!("{name:?}"),
        None => format!("p{i}"),
    }
}

fn write_func(
    booklet: &Booklet,
    ty: &FuncType,
    names: Option<&[String]>,
    depth: usize,
    out: &mut String,
) {
    let d = depth + 1;
    out.push_str("func(");
    for (i, p) in ty.params.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(&label(names, i));
        out.push_str(": ");
        write_val(booklet, *p, d, true, out);
    }
    out.push(')');
    match ty.results.as_slice() {
        [] => {}
        [one] => {
            out.push_str(" -> ");
            write_val(booklet, *one, d, true, out);
        }
        many => {
            out.push_str(" -> (");
            for (i, r) in many.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_val(booklet, *r, d, true, out);
            }
            out.push(')');
        }
    }
}

fn write_val(booklet: &Booklet, ty: ValType, depth: usize, by_name: bool, out: &mut String) {
    let idx = match ty {
        ValType::Type(idx) => idx,
        other => {
            out.push_str(other.keyword().unwrap_or("?"));
            return;
        }
    };
    if by_name {
        if let Some(name) = booklet.type_names.get(&idx) {
            out.push_str(name);
            return;
        }
    }
    if depth >= MAX_DEPTH {
        out.push('…');
        return;
    }
    let Some(def) = booklet.types.get(idx as usize) else {
        out.push_str(&format!("(type {idx})"));
        return;
    };
    let d = depth + 1;
    let list = |items: &mut dyn Iterator<Item = ValType>, out: &mut String| {
        for (i, t) in items.enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            write_val(booklet, t, d, true, out);
        }
    };
    match def {
        TypeDef::Func(f) => write_func(booklet, f, None, d, out),
        TypeDef::Record(fields) => {
            out.push_str("record { ");
            for (i, f) in fields.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(&f.name);
                out.push_str(": ");
                write_val(booklet, f.ty, d, true, out);
            }
            out.push_str(" }");
        }
        TypeDef::Variant(cases) => {
            out.push_str("variant { ");
            for (i, c) in cases.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(&c.name);
                if let Some(t) = c.ty {
                    out.push('(');
                    write_val(booklet, t, d, true, out);
                    out.push(')');
                }
            }
            out.push_str(" }");
        }
        TypeDef::Enum(names) => out.push_str(&format!("enum {{ {} }}", names.join(", "))),
        TypeDef::Flags(names) => out.push_str(&format!("flags {{ {} }}", names.join(", "))),
        TypeDef::List(t) => {
            out.push_str("list<");
            write_val(booklet, *t, d, true, out);
            out.push('>');
        }
        TypeDef::Option(t) => {
            out.push_str("option<");
            write_val(booklet, *t, d, true, out);
            out.push('>');
        }
        TypeDef::Result { ok, err } => {
            out.push_str("result");
            if ok.is_some() || err.is_some() {
                out.push('<');
                match ok {
                    Some(t) => write_val(booklet, *t, d, true, out),
                    None => out.push('_'),
                }
                if let Some(e) = err {
                    out.push_str(", ");
                    write_val(booklet, *e, d, true, out);
                }
                out.push('>');
            }
        }
        TypeDef::Tuple(ts) => {
            out.push_str("tuple<");
            list(&mut ts.iter().copied(), out);
            out.push('>');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::Field;

    #[test]
    fn words() {
        let mut b = Booklet::default();
        b.types.push(TypeDef::List(ValType::U8));
        b.types.push(TypeDef::Record(vec![
            Field {
                name: "x".into(),
                ty: ValType::S32,
            },
            Field {
                name: "data".into(),
                ty: ValType::Type(0),
            },
        ]));
        b.types.push(TypeDef::Result {
            ok: Some(ValType::Type(1)),
            err: Some(ValType::String),
        });
        b.type_names.insert(1, "point".into());
        assert_eq!(val_type(&b, ValType::Type(2)), "result<point, string>");
        assert_eq!(type_def(&b, 1), "record { x: s32, data: list<u8> }");
        let f = FuncType {
            params: vec![ValType::String, ValType::Bool],
            results: vec![ValType::Type(1)],
        };
        assert_eq!(func_type(&b, &f), "func(p0: string, p1: bool) -> point");
    }

    #[test]
    fn dangling_and_deep_types_do_not_panic() {
        let mut b = Booklet::default();
        for i in 0..100u32 {
            b.types
                .push(TypeDef::List(ValType::Type(i.wrapping_sub(1))));
        }
        let s = val_type(&b, ValType::Type(99));
        assert!(s.contains('…'));
        // A function type that mentions itself (invalid, but decodable).
        let f = FuncType {
            params: vec![ValType::Type(100)],
            results: vec![],
        };
        b.types.push(TypeDef::Func(f.clone()));
        assert!(func_type(&b, &f).contains('…'));
        assert_eq!(val_type(&b, ValType::Type(500)), "(type 500)");
    }
}
