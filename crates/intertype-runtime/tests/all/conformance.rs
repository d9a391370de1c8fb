//! The conformance corpus (`tests/conformance/*.json`, format in
//! `docs/conformance.md`) run through the engine: the same modules, calls
//! and expected values as the JS runner (`tests/js/conformance.test.mjs`).
//!
//! One `#[test]` per file; each runs every step and then fails with the list
//! of failing steps (expected vs actual), not just the first.

use intertype_guest_tests::guest_path;
use intertype_runtime::{Engine, Error, ErrorKind, ExternRef, Linker, Module, Type, Value};
use serde_json::{json, Map, Value as Json};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn conformance_dir() -> PathBuf {
    root().join("tests/conformance")
}

macro_rules! conformance {
    ($($test:ident => $file:literal,)*) => {
        $(
            #[test]
            fn $test() {
                run_file($file);
            }
        )*

        /// Every file of the corpus has a test above (a new file is not
        /// silently left out).
        #[test]
        fn every_file_has_a_test() {
            let mut on_disk: Vec<String> = std::fs::read_dir(conformance_dir())
                .expect("reading tests/conformance")
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(".json"))
                .collect();
            on_disk.sort();
            let mut tested = vec![$($file.to_string()),*];
            tested.sort();
            assert_eq!(on_disk, tested, "add the new files to the list in conformance.rs");
        }
    };
}

conformance! {
    article_greeting => "article-greeting.json",
    article_greeting_param => "article-greeting-param.json",
    extension_everything => "extension-everything.json",
    extension_shapes => "extension-shapes.json",
    guest_echo => "guest-echo.json",
    guest_markdown => "guest-markdown.json",
    reference_a_greeting => "reference-a-greeting.json",
    reference_b_string_param => "reference-b-string-param.json",
    reference_c_import_implement => "reference-c-import-implement.json",
    reference_d_int_conversions => "reference-d-int-conversions.json",
    reference_e_defer_free => "reference-e-defer-free.json",
    reference_f_externref => "reference-f-externref.json",
    traps => "traps.json",
    values => "values.json",
    wasm_bindgen_markdown => "wasm-bindgen-markdown.json",
}

// ---------------------------------------------------------------------------
// Values: the corpus's JSON encoding <-> engine values, by type

/// One host object per `{"ref": name}` of a file.
#[derive(Default)]
struct Refs(BTreeMap<String, ExternRef>);

impl Refs {
    fn get(&mut self, name: &str) -> ExternRef {
        self.0
            .entry(name.to_string())
            .or_insert_with(|| ExternRef::new(name.to_string()))
            .clone()
    }

    fn name(&self, r: &ExternRef) -> String {
        self.0
            .iter()
            .find(|(_, o)| o.ptr_eq(r))
            .map(|(n, _)| n.clone())
            .unwrap_or_else(|| "<unknown object>".into())
    }
}

fn int(ty: &Type, j: &Json, min: i64, max: i64) -> Result<i64, String> {
    match j.as_i64() {
        Some(n) if (min..=max).contains(&n) => Ok(n),
        _ => Err(format!(
            "{ty}: expected an integer in {min}..={max}, got {j}"
        )),
    }
}

fn big<T: std::str::FromStr>(ty: &Type, j: &Json) -> Result<T, String> {
    j.as_str()
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("{ty}: expected a decimal string, got {j}"))
}

fn float(ty: &Type, j: &Json) -> Result<f64, String> {
    match j {
        Json::String(s) if s == "nan" => Ok(f64::NAN),
        Json::String(s) if s == "inf" => Ok(f64::INFINITY),
        Json::String(s) if s == "-inf" => Ok(f64::NEG_INFINITY),
        _ => j
            .as_f64()
            .ok_or_else(|| format!("{ty}: expected a number, \"nan\" or \"inf\", got {j}")),
    }
}

fn float_json(x: f64) -> Json {
    if x.is_nan() {
        json!("nan")
    } else if x == f64::INFINITY {
        json!("inf")
    } else if x == f64::NEG_INFINITY {
        json!("-inf")
    } else {
        json!(x)
    }
}

fn payload(
    ty: Option<&Type>,
    j: Option<&Json>,
    refs: &mut Refs,
) -> Result<Option<Box<Value>>, String> {
    match ty {
        None => Ok(None),
        Some(t) => Ok(Some(Box::new(to_value(t, j.unwrap_or(&Json::Null), refs)?))),
    }
}

/// Corpus JSON -> the engine value of type `ty`.
fn to_value(ty: &Type, j: &Json, refs: &mut Refs) -> Result<Value, String> {
    Ok(match ty {
        Type::Bool => Value::Bool(j.as_bool().ok_or_else(|| format!("bool: got {j}"))?),
        Type::S8 => Value::S8(int(ty, j, i8::MIN.into(), i8::MAX.into())? as i8),
        Type::U8 => Value::U8(int(ty, j, 0, u8::MAX.into())? as u8),
        Type::S16 => Value::S16(int(ty, j, i16::MIN.into(), i16::MAX.into())? as i16),
        Type::U16 => Value::U16(int(ty, j, 0, u16::MAX.into())? as u16),
        Type::S32 => Value::S32(int(ty, j, i32::MIN.into(), i32::MAX.into())? as i32),
        Type::U32 => Value::U32(int(ty, j, 0, u32::MAX.into())? as u32),
        Type::I32 => Value::I32(int(ty, j, i32::MIN.into(), u32::MAX.into())? as u32 as i32),
        Type::S64 => Value::S64(big(ty, j)?),
        Type::U64 => Value::U64(big(ty, j)?),
        Type::I64 => Value::I64(match j.as_str().and_then(|s| s.parse::<u64>().ok()) {
            Some(u) => u as i64,
            None => big(ty, j)?,
        }),
        Type::F32 => Value::F32(float(ty, j)? as f32),
        Type::F64 => Value::F64(float(ty, j)?),
        Type::Char => {
            let s = j.as_str().ok_or_else(|| format!("char: got {j}"))?;
            let mut cs = s.chars();
            match (cs.next(), cs.next()) {
                (Some(c), None) => Value::Char(c),
                _ => return Err(format!("char: expected one character, got {j}")),
            }
        }
        Type::String => Value::String(
            j.as_str()
                .ok_or_else(|| format!("string: got {j}"))?
                .to_string(),
        ),
        Type::Externref => match j {
            Json::Null => Value::Externref(None),
            _ => {
                let name = j.get("ref").and_then(Json::as_str).ok_or_else(|| {
                    format!("externref: expected null or {{\"ref\": name}}, got {j}")
                })?;
                Value::Externref(Some(refs.get(name)))
            }
        },
        Type::List(elem) => {
            let items = j
                .as_array()
                .ok_or_else(|| format!("{ty}: expected an array, got {j}"))?;
            if **elem == Type::U8 {
                let mut bytes = Vec::with_capacity(items.len());
                for x in items {
                    bytes.push(int(elem, x, 0, 255)? as u8);
                }
                Value::Bytes(bytes)
            } else {
                Value::List(
                    items
                        .iter()
                        .map(|x| to_value(elem, x, refs))
                        .collect::<Result<_, _>>()?,
                )
            }
        }
        Type::Record(fields) => {
            let obj = j
                .as_object()
                .ok_or_else(|| format!("{ty}: expected an object, got {j}"))?;
            if let Some(k) = obj.keys().find(|k| !fields.iter().any(|f| &f.name == *k)) {
                return Err(format!("{ty}: no field `{k}`"));
            }
            Value::Record(
                fields
                    .iter()
                    .map(|f| {
                        let v = obj
                            .get(&f.name)
                            .ok_or_else(|| format!("{ty}: field `{}` is missing", f.name))?;
                        to_value(&f.ty, v, refs)
                    })
                    .collect::<Result<_, _>>()?,
            )
        }
        Type::Tuple(ts) => {
            let items = j
                .as_array()
                .ok_or_else(|| format!("{ty}: expected an array, got {j}"))?;
            if items.len() != ts.len() {
                return Err(format!("{ty}: expected {} items, got {j}", ts.len()));
            }
            Value::Tuple(
                ts.iter()
                    .zip(items)
                    .map(|(t, x)| to_value(t, x, refs))
                    .collect::<Result<_, _>>()?,
            )
        }
        Type::Variant(cases) => {
            let tag = j
                .get("tag")
                .and_then(Json::as_str)
                .ok_or_else(|| format!("{ty}: expected {{\"tag\": case}}, got {j}"))?;
            let i = cases
                .iter()
                .position(|c| c.name == tag)
                .ok_or_else(|| format!("{ty}: no case `{tag}`"))?;
            Value::Variant(i as u32, payload(cases[i].ty.as_ref(), j.get("val"), refs)?)
        }
        Type::Enum(names) => {
            let name = j.as_str().ok_or_else(|| format!("{ty}: got {j}"))?;
            let i = names
                .iter()
                .position(|n| n == name)
                .ok_or_else(|| format!("{ty}: no case `{name}`"))?;
            Value::Enum(i as u32)
        }
        Type::Flags(names) => {
            let set = j
                .as_array()
                .ok_or_else(|| format!("{ty}: expected an array, got {j}"))?;
            let mut idx = Vec::new();
            for s in set {
                let s = s.as_str().ok_or_else(|| format!("{ty}: got {s}"))?;
                idx.push(
                    names
                        .iter()
                        .position(|n| n == s)
                        .ok_or_else(|| format!("{ty}: no flag `{s}`"))?,
                );
            }
            Value::flags(names.len(), idx)
        }
        Type::Option(t) => match j {
            Json::Null => Value::Option(None),
            _ => {
                let v = j
                    .get("some")
                    .ok_or_else(|| format!("{ty}: expected null or {{\"some\": v}}, got {j}"))?;
                Value::Option(Some(Box::new(to_value(t, v, refs)?)))
            }
        },
        Type::Result { ok, err } => {
            if let Some(v) = j.get("ok") {
                Value::Result(Ok(payload(ok.as_deref(), Some(v), refs)?))
            } else if let Some(v) = j.get("err") {
                Value::Result(Err(payload(err.as_deref(), Some(v), refs)?))
            } else {
                return Err(format!(
                    "{ty}: expected {{\"ok\": v}} or {{\"err\": v}}, got {j}"
                ));
            }
        }
    })
}

fn mismatch(ty: &Type, v: &Value) -> String {
    format!("the engine returned {v:?} for type {ty}")
}

fn payload_json(ty: Option<&Type>, v: &Option<Box<Value>>, refs: &Refs) -> Result<Json, String> {
    match (ty, v) {
        (None, None) => Ok(Json::Null),
        (Some(t), Some(v)) => to_json(t, v, refs),
        (Some(t), None) => Err(format!("a payload of type {t} is missing")),
        (None, Some(v)) => Err(format!("unexpected payload {v:?}")),
    }
}

/// An engine value of type `ty` -> corpus JSON.
fn to_json(ty: &Type, v: &Value, refs: &Refs) -> Result<Json, String> {
    Ok(match (ty, v) {
        (Type::Bool, Value::Bool(b)) => json!(b),
        (Type::S8, Value::S8(n)) => json!(n),
        (Type::U8, Value::U8(n)) => json!(n),
        (Type::S16, Value::S16(n)) => json!(n),
        (Type::U16, Value::U16(n)) => json!(n),
        (Type::S32, Value::S32(n)) | (Type::I32, Value::I32(n)) => json!(n),
        (Type::U32, Value::U32(n)) => json!(n),
        (Type::S64, Value::S64(n)) | (Type::I64, Value::I64(n)) => json!(n.to_string()),
        (Type::U64, Value::U64(n)) => json!(n.to_string()),
        (Type::F32, Value::F32(x)) => float_json(f64::from(*x)),
        (Type::F64, Value::F64(x)) => float_json(*x),
        (Type::Char, Value::Char(c)) => json!(c.to_string()),
        (Type::String, Value::String(s)) => json!(s),
        (Type::Externref, Value::Externref(r)) => match r {
            None => Json::Null,
            Some(r) => json!({ "ref": refs.name(r) }),
        },
        (Type::List(elem), Value::Bytes(bytes)) if **elem == Type::U8 => json!(bytes),
        (Type::List(elem), Value::List(items)) => Json::Array(
            items
                .iter()
                .map(|x| to_json(elem, x, refs))
                .collect::<Result<_, _>>()?,
        ),
        (Type::Record(fields), Value::Record(vs)) if fields.len() == vs.len() => {
            let mut obj = Map::new();
            for (f, x) in fields.iter().zip(vs) {
                obj.insert(f.name.clone(), to_json(&f.ty, x, refs)?);
            }
            Json::Object(obj)
        }
        (Type::Tuple(ts), Value::Tuple(vs)) if ts.len() == vs.len() => Json::Array(
            ts.iter()
                .zip(vs)
                .map(|(t, x)| to_json(t, x, refs))
                .collect::<Result<_, _>>()?,
        ),
        (Type::Variant(cases), Value::Variant(i, p)) if (*i as usize) < cases.len() => {
            let c = &cases[*i as usize];
            match c.ty.as_ref() {
                None if p.is_none() => json!({ "tag": c.name }),
                t => json!({ "tag": c.name, "val": payload_json(t, p, refs)? }),
            }
        }
        (Type::Enum(names), Value::Enum(i)) if (*i as usize) < names.len() => {
            json!(names[*i as usize])
        }
        (Type::Flags(names), Value::Flags(words)) if v.has_type(ty) => Json::Array(
            names
                .iter()
                .enumerate()
                .filter(|(i, _)| words[i / 32] & (1 << (i % 32)) != 0)
                .map(|(_, n)| json!(n))
                .collect(),
        ),
        (Type::Option(_), Value::Option(None)) => Json::Null,
        (Type::Option(t), Value::Option(Some(x))) => json!({ "some": to_json(t, x, refs)? }),
        (Type::Result { ok, .. }, Value::Result(Ok(p))) => {
            json!({ "ok": payload_json(ok.as_deref(), p, refs)? })
        }
        (Type::Result { err, .. }, Value::Result(Err(p))) => {
            json!({ "err": payload_json(err.as_deref(), p, refs)? })
        }
        _ => return Err(mismatch(ty, v)),
    })
}

/// JSON equality with numbers compared by value (`2` and `2.0` are the
/// same number, as in JS).
fn same(a: &Json, b: &Json) -> bool {
    match (a, b) {
        (Json::Number(x), Json::Number(y)) => match (x.as_i64(), y.as_i64()) {
            (Some(x), Some(y)) => x == y,
            _ => match (x.as_u64(), y.as_u64()) {
                (Some(x), Some(y)) => x == y,
                _ => x.as_f64() == y.as_f64(),
            },
        },
        (Json::Array(x), Json::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b))
        }
        (Json::Object(x), Json::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, a)| y.get(k).is_some_and(|b| same(a, b)))
        }
        _ => a == b,
    }
}

// ---------------------------------------------------------------------------
// The runner

type Log = Arc<Mutex<Vec<Json>>>;

fn run_file(file: &str) {
    let path = conformance_dir().join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{file}: {e}"));
    let spec: Json = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{file}: {e}"));

    let module_path = match (spec.get("module"), spec.get("guest")) {
        (Some(m), None) => path
            .parent()
            .unwrap()
            .join(m.as_str().expect("`module` is a path")),
        (None, Some(g)) => guest_path(g.as_str().expect("`guest` is a name")),
        _ => panic!("{file}: exactly one of `module` and `guest`"),
    };
    let engine = Engine::default();
    let module = Module::from_file(&engine, &module_path)
        .unwrap_or_else(|e| panic!("{file}: loading {}: {e:?}", module_path.display()));

    let refs = Arc::new(Mutex::new(Refs::default()));
    let log: Log = Arc::default();
    let mut linker = Linker::new(&engine);
    for h in spec
        .get("host")
        .and_then(Json::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
    {
        define_host(file, &module, &mut linker, h, &refs, &log);
    }
    let mut inst = linker
        .instantiate(&module)
        .unwrap_or_else(|e| panic!("{file}: instantiating: {e:?}"));

    let steps = spec["steps"].as_array().expect("`steps` is a list");
    let mut report = String::new();
    for (i, step) in steps.iter().enumerate() {
        log.lock().unwrap().clear();
        let call = step["call"].as_str().expect("`call` is a name");
        let args_json = step
            .get("args")
            .and_then(Json::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let label = format!(
            "step {i}: {call}({})",
            args_json
                .iter()
                .map(|a| short(&a.to_string()))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let problems = run_step(&mut inst, step, call, args_json, &refs, &log);
        if !problems.is_empty() {
            let _ = writeln!(report, "  {label}");
            for p in problems {
                let _ = writeln!(report, "      {p}");
            }
        }
    }
    assert!(
        report.is_empty(),
        "{file}: failing steps:\n{report}({} steps in all)",
        steps.len()
    );
}

fn short(s: &str) -> String {
    if s.chars().count() > 60 {
        format!("{}...", s.chars().take(57).collect::<String>())
    } else {
        s.to_string()
    }
}

fn define_host(
    file: &str,
    module: &Module,
    linker: &mut Linker,
    h: &Json,
    refs: &Arc<Mutex<Refs>>,
    log: &Log,
) {
    let m = h["module"].as_str().expect("host `module`").to_string();
    let n = h["name"].as_str().expect("host `name`").to_string();
    let ty = module
        .imports()
        .find(|(im, name, _)| *im == m && *name == n)
        .map(|(_, _, ty)| ty.clone())
        .unwrap_or_else(|| panic!("{file}: the module has no interface import `{m}` `{n}`"));
    let error = h
        .get("error")
        .map(|e| e.as_str().expect("`error` is a message").to_string());
    let returns_json = h
        .get("returns")
        .and_then(Json::as_array)
        .cloned()
        .unwrap_or_default();
    assert!(
        error.is_some() || returns_json.len() == ty.results.len(),
        "{file}: host `{m}` `{n}` of type {ty}: {} values in `returns`",
        returns_json.len()
    );
    let returns: Vec<Value> = {
        let mut refs = refs.lock().unwrap();
        ty.results
            .iter()
            .zip(&returns_json)
            .map(|(t, j)| to_value(t, j, &mut refs))
            .collect::<Result<_, _>>()
            .unwrap_or_else(|e| panic!("{file}: `returns` of host `{m}` `{n}`: {e}"))
    };
    let (refs, log, params) = (refs.clone(), log.clone(), ty.params.clone());
    linker.func_new(&m.clone(), &n.clone(), ty, move |args, out| {
        let args: Vec<Json> = {
            let refs = refs.lock().unwrap();
            params
                .iter()
                .zip(args)
                .map(|(t, v)| to_json(t, v, &refs).unwrap_or_else(|e| json!(format!("<{e}>"))))
                .collect()
        };
        log.lock()
            .unwrap()
            .push(json!({ "module": m, "name": n, "args": args }));
        if let Some(msg) = &error {
            return Err(Error::host(msg.clone()));
        }
        out.extend(returns.iter().cloned());
        Ok(())
    });
}

/// Runs one step; returns what went wrong (nothing when it passed).
fn run_step(
    inst: &mut intertype_runtime::Instance,
    step: &Json,
    call: &str,
    args_json: &[Json],
    refs: &Mutex<Refs>,
    log: &Log,
) -> Vec<String> {
    let mut problems = Vec::new();
    let Some(func) = inst.func(call) else {
        return vec![format!("the module has no function `{call}`")];
    };
    let ty = func.ty().clone();
    if args_json.len() != ty.params.len() {
        return vec![format!(
            "`{call}` has type {ty}; the step gives {} arguments",
            args_json.len()
        )];
    }
    let args: Result<Vec<Value>, String> = {
        let mut refs = refs.lock().unwrap();
        ty.params
            .iter()
            .zip(args_json)
            .map(|(t, j)| to_value(t, j, &mut refs))
            .collect()
    };
    let args = match args {
        Ok(a) => a,
        Err(e) => return vec![format!("bad argument in the JSON: {e}")],
    };

    let result = func.call(inst, &args);
    if let Err(e) = &result {
        // The engine poisons an instance after a failure inside wasm; the
        // corpus, like core wasm hosts, continues on the same instance.
        if inst.is_poisoned() {
            inst.clear_poison();
        }
        if e.kind() == ErrorKind::Poisoned {
            problems.push(format!("unexpected Poisoned error: {e}"));
        }
    }

    match (step.get("expect"), step.get("expect_error")) {
        (Some(expect), None) => match &result {
            Err(e) => problems.push(format!("expected {expect}, got error {e} [{:?}]", e.kind())),
            Ok(results) => {
                let refs = refs.lock().unwrap();
                let actual: Result<Vec<Json>, String> = if results.len() == ty.results.len() {
                    ty.results
                        .iter()
                        .zip(results)
                        .map(|(t, v)| to_json(t, v, &refs))
                        .collect()
                } else {
                    Err(format!(
                        "{} results for type {ty}: {results:?}",
                        results.len()
                    ))
                };
                match actual {
                    Err(e) => problems.push(format!("expected {expect}, but {e}")),
                    Ok(actual) => {
                        let actual = Json::Array(actual);
                        if !same(expect, &actual) {
                            problems.push(format!("expected {expect}\n      actual   {actual}"));
                        }
                    }
                }
            }
        },
        (None, Some(want)) => {
            let want = want
                .as_str()
                .expect("`expect_error` is \"trap\" or \"host\"");
            match &result {
                Ok(results) => {
                    problems.push(format!("expected a {want} error, got results {results:?}"))
                }
                Err(e) => {
                    let ok = match want {
                        "trap" => matches!(e.kind(), ErrorKind::Trap | ErrorKind::Guest(_)),
                        "host" => matches!(e.kind(), ErrorKind::Host | ErrorKind::HostType),
                        other => panic!("unknown `expect_error` {other:?}"),
                    };
                    if !ok {
                        problems.push(format!(
                            "expected a {want} error, got {:?} error: {e}",
                            e.kind()
                        ));
                    }
                }
            }
        }
        _ => panic!("a step has exactly one of `expect` and `expect_error`: {step}"),
    }

    if let Some(expected) = step.get("host_calls") {
        let actual = Json::Array(log.lock().unwrap().clone());
        if !same(expected, &actual) {
            problems.push(format!(
                "expected host calls {expected}\n      actual host calls {actual}"
            ));
        }
    }
    problems
}
