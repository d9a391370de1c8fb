//! The interface of a module as JSON: every export and import with its
//! parameter and result types spelled out structurally. Test runners (the
//! conformance corpus, `docs/conformance.md`) read it to convert values; it
//! is what `intertype bindgen js --interface-json` writes.

use intertype::{Booklet, TypeDef, ValType};
use serde_json::{json, Value};

/// Nesting beyond this is written as `"…"` (validated booklets nest at most
/// 100 deep; a bound keeps output small for any input).
const MAX_DEPTH: usize = 120;

/// A value type as JSON: a keyword (`"s32"`, `"string"`) or an object with
/// one key naming the form (`{"record": [{"name": "x", "type": "s32"}]}`),
/// plus `"name"` when the type has one.
pub fn type_json(b: &Booklet, ty: ValType) -> Value {
    type_at(b, ty, 0)
}

fn type_at(b: &Booklet, ty: ValType, depth: usize) -> Value {
    let ValType::Type(i) = ty else {
        return json!(ty.keyword().unwrap_or("?"));
    };
    if depth > MAX_DEPTH {
        return json!("…");
    }
    let t = |ty: ValType| type_at(b, ty, depth + 1);
    let opt = |ty: Option<ValType>| ty.map_or(Value::Null, |ty| type_at(b, ty, depth + 1));
    let mut v = match b.types.get(i as usize) {
        Some(TypeDef::Record(fs)) => {
            json!({"record": fs.iter().map(|f| json!({"name": f.name, "type": t(f.ty)})).collect::<Vec<_>>()})
        }
        Some(TypeDef::Variant(cs)) => {
            json!({"variant": cs.iter().map(|c| json!({"name": c.name, "type": opt(c.ty)})).collect::<Vec<_>>()})
        }
        Some(TypeDef::Enum(ns)) => json!({ "enum": ns }),
        Some(TypeDef::Flags(ns)) => json!({ "flags": ns }),
        Some(TypeDef::List(e)) => json!({"list": t(*e)}),
        Some(TypeDef::Option(e)) => json!({"option": t(*e)}),
        Some(TypeDef::Result { ok, err }) => json!({"result": {"ok": opt(*ok), "err": opt(*err)}}),
        Some(TypeDef::Tuple(ts)) => json!({"tuple": ts.iter().map(|x| t(*x)).collect::<Vec<_>>()}),
        Some(TypeDef::Func(_)) | None => json!("?"),
    };
    if let (Some(name), Value::Object(o)) = (b.type_names.get(&i), &mut v) {
        o.insert("name".into(), json!(name));
    }
    v
}

/// The whole interface of a validated module.
pub fn interface_json(module: &intertype::Module) -> Value {
    let b = &module.booklet;
    let sig = |idx: u32| match b.adapter_func_type(idx) {
        Some(f) => (
            f.params
                .iter()
                .map(|t| type_json(b, *t))
                .collect::<Vec<_>>(),
            f.results
                .iter()
                .map(|t| type_json(b, *t))
                .collect::<Vec<_>>(),
        ),
        None => (vec![], vec![]),
    };
    let exports: Vec<Value> = b
        .exports
        .iter()
        .map(|e| {
            let (params, results) = sig(e.func);
            json!({"name": e.name, "params": params, "results": results})
        })
        .collect();
    let imports: Vec<Value> = b
        .imports
        .iter()
        .enumerate()
        .map(|(i, imp)| {
            let (params, results) = sig(i as u32);
            json!({"module": imp.module, "name": imp.name, "params": params, "results": results})
        })
        .collect();
    let plan = crate::plan(module).ok();
    let core: Vec<Value> = plan
        .map(|p| p.passthrough)
        .unwrap_or_default()
        .into_iter()
        .map(|(name, idx)| {
            let ty = &module.core.funcs[idx as usize].ty;
            let words = |ts: &[Result<intertype::CoreType, String>]| {
                ts.iter()
                    .map(|t| match t {
                        Ok(t) => json!(t.to_string()),
                        Err(s) => json!(s),
                    })
                    .collect::<Vec<_>>()
            };
            json!({"name": name, "params": words(&ty.params), "results": words(&ty.results)})
        })
        .collect();
    json!({"exports": exports, "imports": imports, "core_exports": core})
}
