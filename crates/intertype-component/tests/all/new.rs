//! `component new`: every module of the conformance corpus run on the
//! intertype engine and, made a component, on wasmtime's component runtime
//! (dynamic `Val` calls) gives the same values, the same errors and the
//! same host calls.

use intertype::{Booklet, TypeDef, ValType};
use intertype_component::{new, NewOptions};
use intertype_runtime::{Engine, Error, Linker, Module, Value};
use serde_json::Value as Json;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};
use wasmtime::component::{Component, Linker as ComponentLinker, Val};

pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// An example guest of `examples/`, built (release, wasm32) as the
/// runtime's conformance test builds it when it is not there yet.
pub fn guest_path(name: &str) -> PathBuf {
    static BUILD: Mutex<()> = Mutex::new(());
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target"));
    let dir = target.join("wasm-guests");
    let path = dir
        .join("wasm32-unknown-unknown/release")
        .join(format!("{}.wasm", name.replace('-', "_")));
    let _guard = BUILD.lock().unwrap_or_else(|e| e.into_inner());
    if path.exists() {
        return path;
    }
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .current_dir(root().join("examples"))
        .args(["build", "--release", "--target", "wasm32-unknown-unknown"])
        .args(["-p", name, "--target-dir"])
        .arg(&dir)
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("CARGO_BUILD_TARGET")
        .env_remove("CARGO_TARGET_DIR")
        .output()
        .expect("running cargo to build the guest");
    assert!(
        out.status.success(),
        "building guest `{name}` failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    path
}

/// The module of a conformance file, as binary.
fn corpus_module(spec: &Json) -> Vec<u8> {
    if let Some(g) = spec.get("guest").and_then(Json::as_str) {
        return std::fs::read(guest_path(g)).unwrap();
    }
    let rel = spec["module"].as_str().expect("`module` or `guest`");
    let path = root().join("tests/conformance").join(rel);
    let bytes = std::fs::read(&path).unwrap();
    if rel.ends_with(".wat") {
        intertype::text::parse(std::str::from_utf8(&bytes).unwrap(), Some(&path))
            .unwrap_or_else(|e| panic!("{rel}: {e}"))
    } else {
        bytes
    }
}

fn kebab(s: &str) -> String {
    s.replace('_', "-")
}

// ---------------------------------------------------------------------------
// Values: corpus JSON -> engine values; engine values <-> component values.

fn from_json(types: &[TypeDef], ty: ValType, j: &Json) -> Value {
    let sub = |t: ValType, j: &Json| from_json(types, t, j);
    let int = || {
        j.as_i64()
            .unwrap_or_else(|| panic!("{j} is not an integer"))
    };
    let big = || {
        j.as_str()
            .unwrap_or_else(|| panic!("{j}: 64-bit integers are strings"))
            .to_string()
    };
    let float = || match j.as_str() {
        Some("nan") => f64::NAN,
        Some("inf") => f64::INFINITY,
        Some("-inf") => f64::NEG_INFINITY,
        _ => j.as_f64().unwrap(),
    };
    match ty {
        ValType::Bool => Value::Bool(j.as_bool().unwrap()),
        ValType::S8 => Value::S8(int() as i8),
        ValType::U8 => Value::U8(int() as u8),
        ValType::S16 => Value::S16(int() as i16),
        ValType::U16 => Value::U16(int() as u16),
        ValType::S32 => Value::S32(int() as i32),
        ValType::U32 => Value::U32(int() as u32),
        ValType::S64 => Value::S64(big().parse().unwrap()),
        ValType::U64 => Value::U64(big().parse().unwrap()),
        ValType::F32 => Value::F32(float() as f32),
        ValType::F64 => Value::F64(float()),
        ValType::Char => Value::Char(j.as_str().unwrap().chars().next().unwrap()),
        ValType::String => Value::String(j.as_str().unwrap().into()),
        ValType::Type(i) => match &types[i as usize] {
            TypeDef::Record(fs) => {
                Value::Record(fs.iter().map(|f| sub(f.ty, &j[f.name.as_str()])).collect())
            }
            TypeDef::Tuple(ts) => Value::Tuple(
                ts.iter()
                    .zip(j.as_array().unwrap())
                    .map(|(t, x)| sub(*t, x))
                    .collect(),
            ),
            TypeDef::List(ValType::U8) => Value::Bytes(
                j.as_array()
                    .unwrap()
                    .iter()
                    .map(|x| x.as_u64().unwrap() as u8)
                    .collect(),
            ),
            TypeDef::List(t) => {
                Value::List(j.as_array().unwrap().iter().map(|x| sub(*t, x)).collect())
            }
            TypeDef::Variant(cases) => {
                let tag = j["tag"].as_str().unwrap();
                let k = cases.iter().position(|c| c.name == tag).unwrap();
                Value::Variant(k as u32, cases[k].ty.map(|t| Box::new(sub(t, &j["val"]))))
            }
            TypeDef::Enum(names) => Value::Enum(
                names
                    .iter()
                    .position(|n| Some(n.as_str()) == j.as_str())
                    .unwrap() as u32,
            ),
            TypeDef::Flags(names) => {
                let mut words = vec![0u32; names.len().div_ceil(32)];
                for s in j.as_array().unwrap() {
                    let k = names
                        .iter()
                        .position(|n| Some(n.as_str()) == s.as_str())
                        .unwrap();
                    words[k / 32] |= 1 << (k % 32);
                }
                Value::Flags(words)
            }
            TypeDef::Option(t) => match j {
                Json::Null => Value::Option(None),
                _ => Value::Option(Some(Box::new(sub(*t, &j["some"])))),
            },
            TypeDef::Result { ok, err } => match j.get("ok") {
                Some(v) => Value::Result(Ok(ok.map(|t| Box::new(sub(t, v))))),
                None => Value::Result(Err(err.map(|t| Box::new(sub(t, &j["err"]))))),
            },
            TypeDef::Func(_) => unreachable!(),
        },
        other => panic!("{other:?} has no component-model value"),
    }
}

/// An engine value as a component-model value (names in kebab-case).
pub fn to_val(types: &[TypeDef], ty: ValType, v: &Value) -> Val {
    let sub = |t: ValType, v: &Value| to_val(types, t, v);
    let boxed = |t: Option<ValType>, v: &Option<Box<Value>>| match (t, v) {
        (Some(t), Some(v)) => Some(Box::new(sub(t, v))),
        _ => None,
    };
    match (ty, v) {
        (_, Value::Bool(x)) => Val::Bool(*x),
        (_, Value::S8(x)) => Val::S8(*x),
        (_, Value::U8(x)) => Val::U8(*x),
        (_, Value::S16(x)) => Val::S16(*x),
        (_, Value::U16(x)) => Val::U16(*x),
        (_, Value::S32(x)) => Val::S32(*x),
        (_, Value::U32(x)) => Val::U32(*x),
        (_, Value::S64(x)) => Val::S64(*x),
        (_, Value::U64(x)) => Val::U64(*x),
        (_, Value::F32(x)) => Val::Float32(*x),
        (_, Value::F64(x)) => Val::Float64(*x),
        (_, Value::Char(x)) => Val::Char(*x),
        (_, Value::String(x)) => Val::String(x.clone()),
        (_, Value::Bytes(b)) => Val::List(b.iter().map(|x| Val::U8(*x)).collect()),
        (ValType::Type(i), v) => match (&types[i as usize], v) {
            (TypeDef::Record(fs), Value::Record(vs)) => Val::Record(
                fs.iter()
                    .zip(vs)
                    .map(|(f, v)| (kebab(&f.name), sub(f.ty, v)))
                    .collect(),
            ),
            (TypeDef::Tuple(ts), Value::Tuple(vs)) => {
                Val::Tuple(ts.iter().zip(vs).map(|(t, v)| sub(*t, v)).collect())
            }
            (TypeDef::List(t), Value::List(vs)) => {
                Val::List(vs.iter().map(|v| sub(*t, v)).collect())
            }
            (TypeDef::Variant(cs), Value::Variant(k, p)) => {
                let c = &cs[*k as usize];
                Val::Variant(kebab(&c.name), boxed(c.ty, p))
            }
            (TypeDef::Enum(ns), Value::Enum(k)) => Val::Enum(kebab(&ns[*k as usize])),
            (TypeDef::Flags(ns), Value::Flags(words)) => Val::Flags(
                ns.iter()
                    .enumerate()
                    .filter(|(k, _)| words[k / 32] & (1 << (k % 32)) != 0)
                    .map(|(_, n)| kebab(n))
                    .collect(),
            ),
            (TypeDef::Option(t), Value::Option(v)) => Val::Option(boxed(Some(*t), v)),
            (TypeDef::Result { ok, err }, Value::Result(r)) => Val::Result(match r {
                Ok(v) => Ok(boxed(*ok, v)),
                Err(v) => Err(boxed(*err, v)),
            }),
            (def, v) => panic!("{v:?} is not a {def:?}"),
        },
        (ty, v) => panic!("{v:?} is not a {ty:?}"),
    }
}

/// A component-model value as the engine value of type `ty`.
pub fn from_val(types: &[TypeDef], ty: ValType, v: &Val) -> Value {
    let sub = |t: ValType, v: &Val| from_val(types, t, v);
    let boxed = |t: Option<ValType>, v: &Option<Box<Val>>| match (t, v) {
        (Some(t), Some(v)) => Some(Box::new(sub(t, v))),
        _ => None,
    };
    match (ty, v) {
        (_, Val::Bool(x)) => Value::Bool(*x),
        (_, Val::S8(x)) => Value::S8(*x),
        (_, Val::U8(x)) => Value::U8(*x),
        (_, Val::S16(x)) => Value::S16(*x),
        (_, Val::U16(x)) => Value::U16(*x),
        (_, Val::S32(x)) => Value::S32(*x),
        (_, Val::U32(x)) => Value::U32(*x),
        (_, Val::S64(x)) => Value::S64(*x),
        (_, Val::U64(x)) => Value::U64(*x),
        (_, Val::Float32(x)) => Value::F32(*x),
        (_, Val::Float64(x)) => Value::F64(*x),
        (_, Val::Char(x)) => Value::Char(*x),
        (_, Val::String(x)) => Value::String(x.clone()),
        (ValType::Type(i), v) => match (&types[i as usize], v) {
            (TypeDef::Record(fs), Val::Record(vs)) => Value::Record(
                fs.iter()
                    .zip(vs)
                    .map(|(f, (name, v))| {
                        assert_eq!(&kebab(&f.name), name);
                        sub(f.ty, v)
                    })
                    .collect(),
            ),
            (TypeDef::Tuple(ts), Val::Tuple(vs)) => {
                Value::Tuple(ts.iter().zip(vs).map(|(t, v)| sub(*t, v)).collect())
            }
            (TypeDef::List(ValType::U8), Val::List(vs)) => Value::Bytes(
                vs.iter()
                    .map(|v| match v {
                        Val::U8(x) => *x,
                        _ => panic!("{v:?} in a list<u8>"),
                    })
                    .collect(),
            ),
            (TypeDef::List(t), Val::List(vs)) => {
                Value::List(vs.iter().map(|v| sub(*t, v)).collect())
            }
            (TypeDef::Variant(cs), Val::Variant(name, p)) => {
                let k = cs.iter().position(|c| &kebab(&c.name) == name).unwrap();
                Value::Variant(k as u32, boxed(cs[k].ty, p))
            }
            (TypeDef::Enum(ns), Val::Enum(name)) => {
                Value::Enum(ns.iter().position(|n| &kebab(n) == name).unwrap() as u32)
            }
            (TypeDef::Flags(ns), Val::Flags(set)) => {
                let mut words = vec![0u32; ns.len().div_ceil(32)];
                for s in set {
                    let k = ns.iter().position(|n| &kebab(n) == s).unwrap();
                    words[k / 32] |= 1 << (k % 32);
                }
                Value::Flags(words)
            }
            (TypeDef::Option(t), Val::Option(v)) => Value::Option(boxed(Some(*t), v)),
            (TypeDef::Result { ok, err }, Val::Result(r)) => Value::Result(match r {
                Ok(v) => Ok(boxed(*ok, v)),
                Err(v) => Err(boxed(*err, v)),
            }),
            (def, v) => panic!("{v:?} is not a {def:?}"),
        },
        (ty, v) => panic!("{v:?} is not a {ty:?}"),
    }
}

// ---------------------------------------------------------------------------
// Running one file both ways.

type Calls = Arc<Mutex<Vec<(String, String, Vec<Value>)>>>;

struct Host {
    module: String,
    name: String,
    params: Vec<ValType>,
    results: Vec<ValType>,
    returns: Vec<Value>,
    error: Option<String>,
}

fn hosts(spec: &Json, b: &Booklet) -> Vec<Host> {
    let mut out = Vec::new();
    for h in spec
        .get("host")
        .and_then(Json::as_array)
        .cloned()
        .unwrap_or_default()
    {
        let (module, name) = (h["module"].as_str().unwrap(), h["name"].as_str().unwrap());
        let imp = b
            .imports
            .iter()
            .find(|i| i.module == module && i.name == name)
            .unwrap();
        let ft = b.func_type(imp.ty).unwrap().clone();
        let returns = h
            .get("returns")
            .and_then(Json::as_array)
            .cloned()
            .unwrap_or_default()
            .iter()
            .zip(&ft.results)
            .map(|(j, t)| from_json(&b.types, *t, j))
            .collect();
        out.push(Host {
            module: module.into(),
            name: name.into(),
            params: ft.params.clone(),
            results: ft.results.clone(),
            returns,
            error: h.get("error").and_then(Json::as_str).map(str::to_string),
        });
    }
    out
}

struct Engines {
    ours: intertype_runtime::Instance,
    ours_calls: Calls,
    store: wasmtime::Store<()>,
    theirs: wasmtime::component::Instance,
    theirs_calls: Calls,
}

fn instantiate(
    module: &Module,
    engine: &Engine,
    component: &Component,
    cengine: &wasmtime::Engine,
    hosts: &[Host],
    types: &Arc<Vec<TypeDef>>,
) -> Engines {
    let ours_calls: Calls = Arc::default();
    let mut linker = Linker::new(engine);
    for h in hosts {
        let ty = module
            .imports()
            .find(|(m, n, _)| *m == h.module && *n == h.name)
            .unwrap()
            .2
            .clone();
        let (log, returns, error) = (ours_calls.clone(), h.returns.clone(), h.error.clone());
        let (m, n) = (h.module.clone(), h.name.clone());
        linker.func_new(&h.module, &h.name, ty, move |args, out| {
            log.lock()
                .unwrap()
                .push((m.clone(), n.clone(), args.to_vec()));
            if let Some(e) = &error {
                return Err(Error::host(e.clone()));
            }
            out.extend(returns.iter().cloned());
            Ok(())
        });
    }
    let ours = linker.instantiate(module).unwrap();

    let theirs_calls: Calls = Arc::default();
    let mut clinker = ComponentLinker::<()>::new(cengine);
    for h in hosts {
        let (log, error) = (theirs_calls.clone(), h.error.clone());
        let (m, n) = (h.module.clone(), h.name.clone());
        let (params, results, returns, types) = (
            h.params.clone(),
            h.results.clone(),
            h.returns.clone(),
            types.clone(),
        );
        let f = move |_: wasmtime::StoreContextMut<'_, ()>,
                      _: wasmtime::component::types::ComponentFunc,
                      args: &[Val],
                      out: &mut [Val]| {
            let args = params
                .iter()
                .zip(args)
                .map(|(t, v)| from_val(&types, *t, v))
                .collect();
            log.lock().unwrap().push((m.clone(), n.clone(), args));
            if let Some(e) = &error {
                return Err(wasmtime::Error::msg(e.clone()));
            }
            for ((slot, t), v) in out.iter_mut().zip(&results).zip(&returns) {
                *slot = to_val(&types, *t, v);
            }
            Ok(())
        };
        let name = kebab(&h.name);
        if h.module == "$root" {
            clinker.root().func_new(&name, f).unwrap();
        } else {
            let short = h.module.rsplit('/').next().unwrap();
            let short = kebab(short.split('@').next().unwrap());
            clinker
                .instance(&short)
                .unwrap()
                .func_new(&name, f)
                .unwrap();
        }
    }
    let mut store = wasmtime::Store::new(cengine, ());
    let theirs = clinker
        .instantiate(&mut store, component)
        .unwrap_or_else(|e| panic!("instantiating the component: {e:?}"));
    Engines {
        ours,
        ours_calls,
        store,
        theirs,
        theirs_calls,
    }
}

/// Runs every step of `file` on the engine and on the component; returns the
/// number of steps compared.
fn differential(file: &str) -> usize {
    let spec: Json = serde_json::from_str(
        &std::fs::read_to_string(root().join("tests/conformance").join(file)).unwrap(),
    )
    .unwrap();
    let bytes = corpus_module(&spec);
    let made = new(
        &bytes,
        &NewOptions {
            omit_unmappable: true,
        },
    )
    .unwrap_or_else(|e| panic!("{file}: component new: {e:#}"));
    let booklet = intertype::Module::from_binary(&bytes).unwrap().booklet;
    // Every omitted export is one whose types have no component form, and
    // the reason names it.
    for (name, why) in &made.omitted {
        assert!(why.contains(name.as_str()), "{file}: {name}: {why}");
        let e = booklet.exports.iter().find(|e| &e.name == name).unwrap();
        let ft = booklet.adapter_func_type(e.func).unwrap();
        let core_typed = ft
            .params
            .iter()
            .chain(&ft.results)
            .any(|t| matches!(t, ValType::I32 | ValType::I64 | ValType::Externref));
        let too_many_flags = why.contains("the component model allows at most 32");
        assert!(
            core_typed || ft.results.len() > 1 || too_many_flags,
            "{file}: {name} was left out: {why}"
        );
    }
    let types = Arc::new(booklet.types.clone());
    let engine = Engine::default();
    let module = Module::new(&engine, &bytes).unwrap();
    let cengine = wasmtime::Engine::default();
    let component = Component::new(&cengine, &made.component).unwrap();
    let hosts = hosts(&spec, &booklet);
    let mut e = instantiate(&module, &engine, &component, &cengine, &hosts, &types);

    let mut compared = 0;
    for (k, step) in spec["steps"].as_array().unwrap().iter().enumerate() {
        let call = step["call"].as_str().unwrap();
        let Some(export) = booklet.exports.iter().find(|x| x.name == call) else {
            continue; // a core function export: not part of the interface
        };
        if made.omitted.iter().any(|(n, _)| n == call) {
            continue;
        }
        let ft = booklet.adapter_func_type(export.func).unwrap().clone();
        let args: Vec<Value> = ft
            .params
            .iter()
            .zip(step["args"].as_array().cloned().unwrap_or_default().iter())
            .map(|(t, j)| from_json(&types, *t, j))
            .collect();
        e.ours_calls.lock().unwrap().clear();
        e.theirs_calls.lock().unwrap().clear();
        let ours = e.ours.func(call).unwrap().call(&mut e.ours, &args);
        let cargs: Vec<Val> = ft
            .params
            .iter()
            .zip(&args)
            .map(|(t, v)| to_val(&types, *t, v))
            .collect();
        let f = e
            .theirs
            .get_func(&mut e.store, kebab(call))
            .unwrap_or_else(|| panic!("{file}: the component has no export `{call}`"));
        let mut out = vec![Val::Bool(false); ft.results.len()];
        let theirs = f.call(&mut e.store, &cargs, &mut out).map(|()| {
            ft.results
                .iter()
                .zip(&out)
                .map(|(t, v)| from_val(&types, *t, v))
                .collect::<Vec<_>>()
        });
        let label = format!("{file} step {k}: {call}");
        match (&ours, &theirs) {
            // Compared as printed: NaN equals NaN (the canonical ABI
            // canonicalizes NaNs, so payloads are not compared).
            (Ok(a), Ok(b)) => assert_eq!(
                format!("{a:?}"),
                format!("{b:?}"),
                "{label}: different results"
            ),
            (Err(_), Err(_)) => {}
            (a, b) => panic!("{label}: engine {a:?}, component {b:?}"),
        }
        assert_eq!(
            *e.ours_calls.lock().unwrap(),
            *e.theirs_calls.lock().unwrap(),
            "{label}: different host calls"
        );
        compared += 1;
        if ours.is_err() {
            // A trap ends a component instance; start both afresh.
            e = instantiate(&module, &engine, &component, &cengine, &hosts, &types);
        }
    }
    compared
}

macro_rules! differential {
    ($($test:ident => $file:literal,)*) => {
        $(
            #[test]
            fn $test() {
                let n = differential($file);
                assert!(n > 0, "{}: no step was compared", $file);
            }
        )*

        /// Every file of the corpus is compared (or listed as not mapping).
        #[test]
        fn every_corpus_file_is_compared() {
            let mut on_disk: Vec<String> = std::fs::read_dir(root().join("tests/conformance"))
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(".json"))
                .collect();
            on_disk.sort();
            let mut listed = vec![$($file.to_string()),*];
            listed.extend(NOT_MAPPING.iter().map(|(f, _)| f.to_string()));
            listed.sort();
            assert_eq!(on_disk, listed);
        }
    };
}

/// Corpus files whose module has no component form, and a word of the
/// error `component new` gives (which names the item).
const NOT_MAPPING: &[(&str, &str)] = &[
    ("reference-c-import-implement.json", "import module \"\""),
    (
        "reference-d-int-conversions.json",
        "none of the module's interface exports",
    ),
    ("reference-f-externref.json", "externref"),
];

#[test]
fn modules_that_do_not_map_are_refused_with_the_item_named() {
    for (file, words) in NOT_MAPPING {
        let spec: Json = serde_json::from_str(
            &std::fs::read_to_string(root().join("tests/conformance").join(file)).unwrap(),
        )
        .unwrap();
        let bytes = corpus_module(&spec);
        let err = new(
            &bytes,
            &NewOptions {
                omit_unmappable: true,
            },
        )
        .map(|_| ())
        .expect_err(file);
        let msg = format!("{err:#}");
        assert!(msg.contains(words), "{file}: {msg}");
    }
}

differential! {
    article_greeting => "article-greeting.json",
    article_greeting_param => "article-greeting-param.json",
    extension_everything => "extension-everything.json",
    extension_shapes => "extension-shapes.json",
    guest_echo => "guest-echo.json",
    guest_markdown => "guest-markdown.json",
    reference_a_greeting => "reference-a-greeting.json",
    reference_b_string_param => "reference-b-string-param.json",
    reference_e_defer_free => "reference-e-defer-free.json",
    traps => "traps.json",
    values => "values.json",
    wasm_bindgen_markdown => "wasm-bindgen-markdown.json",
}

/// What does not map is refused with an error naming the item.
#[test]
fn errors_name_the_item() {
    let cases: &[(&str, &str)] = &[
        (
            r#"(module
                 (func $f_ (param externref) (result externref) local.get 0)
                 (@interface func (export "keep") (param externref) (result externref)
                   arg.get 0 call-core $f_))"#,
            "`keep` uses the core type `externref`",
        ),
        (
            r#"(module
                 (func $f_ (param i32) (result i32) local.get 0)
                 (@interface func (export "a_b") (param u32) (result u32)
                   arg.get 0 u32-to-i32 call-core $f_ i32-to-u32)
                 (@interface func (export "a-b") (param u32) (result u32)
                   arg.get 0 u32-to-i32 call-core $f_ i32-to-u32))"#,
            "export `a_b` and export `a-b` would both be named `a-b`",
        ),
        (
            r#"(module
                 (import "env" "memory" (memory 1))
                 (func $f_ (param i32) (result i32) local.get 0)
                 (@interface func (export "f") (param u32) (result u32)
                   arg.get 0 u32-to-i32 call-core $f_ i32-to-u32))"#,
            "imports `env` `memory`, which is not a function",
        ),
        (
            r#"(module
                 (import "env" "tick" (func $tick))
                 (func $f_ (param i32) (result i32) call $tick local.get 0)
                 (@interface func (export "f") (param u32) (result u32)
                   arg.get 0 u32-to-i32 call-core $f_ i32-to-u32))"#,
            "core import `env` `tick` is not implemented by an adapter",
        ),
    ];
    for (wat, words) in cases {
        let bytes = intertype::text::parse(wat, None).unwrap();
        let err = new(&bytes, &NewOptions::default())
            .map(|_| ())
            .expect_err(words);
        let msg = format!("{err:#}");
        assert!(msg.contains(words), "expected {words:?} in: {msg}");
    }
}

/// Every Rust guest of `examples/` becomes a component that validates and
/// instantiates on wasmtime's component runtime (imports defined as traps);
/// the greeting guest answers.
#[test]
fn every_rust_guest_becomes_a_component() {
    let engine = wasmtime::Engine::default();
    for guest in [
        "contacts",
        "echo",
        "greeting",
        "markdown",
        "polyglot",
        "signatures",
        "split-app",
    ] {
        let bytes = std::fs::read(guest_path(guest)).unwrap();
        let made = new(
            &bytes,
            &NewOptions {
                omit_unmappable: true,
            },
        )
        .unwrap_or_else(|e| panic!("{guest}: {e:#}"));
        let component = Component::new(&engine, &made.component).unwrap();
        let mut linker = ComponentLinker::<()>::new(&engine);
        linker.define_unknown_imports_as_traps(&component).unwrap();
        let mut store = wasmtime::Store::new(&engine, ());
        let inst = linker
            .instantiate(&mut store, &component)
            .unwrap_or_else(|e| panic!("{guest}: {e:?}"));
        if guest == "greeting" {
            let f = inst.get_func(&mut store, "greeting").unwrap();
            let mut out = [Val::Bool(false)];
            f.call(&mut store, &[Val::String("Zoë".into())], &mut out)
                .unwrap();
            assert!(
                matches!(&out[0], Val::String(s) if s.contains("Zoë")),
                "{out:?}"
            );
        }
    }
}
