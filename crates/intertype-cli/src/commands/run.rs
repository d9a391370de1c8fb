//! `intertype run MODULE 'f("arg")'`: instantiate a module on the intertype
//! runtime and call one interface function, arguments and results in WAVE
//! syntax (as `wasmtime run --invoke`).

use anyhow::{anyhow, bail, Context, Result};
use intertype_runtime::{
    Config, Engine, ErrorKind, Instance, Limits, Linker, Module, Type, Value, WasiOptions,
};
use std::path::PathBuf;
use wasm_wave::value::{Type as WType, Value as WValue};
use wasm_wave::wasm::WasmValue;

/// Run a module: call one of its interface functions and print the results.
///
/// The call is written in WAVE, e.g. `greeting("Lin")` or
/// `area(rect({x: 3, y: 5}))`; results are printed in WAVE, one per line.
/// Without a call, a WASI command's `_start` runs.
#[derive(clap::Args)]
pub struct Args {
    /// Input module (binary or text).
    module: PathBuf,
    /// The call, in WAVE syntax: `name(arg, …)`.
    call: Option<String>,
    /// List the functions the module offers (and the imports it needs) instead of calling one.
    #[arg(long)]
    list: bool,
    /// Print results (or the error) as JSON.
    #[arg(long)]
    json: bool,
    /// Provide WASI preview 1 to modules that import it (stdio inherited).
    #[arg(long)]
    wasi: bool,
    /// Stop the guest after this much fuel (roughly, wasm instructions).
    #[arg(long, value_name = "N")]
    fuel: Option<u64>,
    /// Largest linear memory the guest may grow to, in bytes.
    #[arg(long, value_name = "BYTES")]
    max_memory: Option<usize>,
    /// Imports nobody provides trap when called instead of failing instantiation.
    #[arg(long)]
    trap_unknown_imports: bool,
}

pub fn run(args: Args) -> Result<()> {
    let json = args.json;
    match run_inner(args) {
        Ok(()) => Ok(()),
        Err(e) if json => {
            let kind = e
                .downcast_ref::<intertype_runtime::Error>()
                .map_or("usage".to_string(), |e| format!("{:?}", e.kind()));
            let out = serde_json::json!({ "error": { "kind": kind, "message": format!("{e:#}") } });
            println!("{out}");
            Err(super::Reported.into())
        }
        Err(e) => {
            if let Some(rt) = e.downcast_ref::<intertype_runtime::Error>() {
                if let ErrorKind::Exit(code) = rt.kind() {
                    return Err(super::ExitWith(code).into());
                }
                // The runtime's alternate form adds the wasm backtrace.
                return Err(anyhow!("{rt:#}"));
            }
            if let Some(ErrorKind::Exit(code)) = e
                .downcast_ref::<intertype_runtime::Error>()
                .map(|e| e.kind())
            {
                return Err(super::ExitWith(code).into());
            }
            Err(e)
        }
    }
}

fn run_inner(args: Args) -> Result<()> {
    let limits = Limits {
        fuel: args.fuel,
        max_memory_bytes: args.max_memory,
        ..Limits::default()
    };
    let engine = Engine::new(&Config {
        limits,
        ..Config::default()
    })?;
    let bytes = crate::io::read_module(&args.module)?;
    let module = Module::new(&engine, &bytes)
        .with_context(|| format!("failed to load `{}`", args.module.display()))?;
    if args.list {
        return list(&module, args.json);
    }
    let mut linker = Linker::new(&engine);
    linker.trap_unknown_imports(args.trap_unknown_imports);
    if args.wasi {
        let name = args.module.display().to_string();
        linker.wasi(WasiOptions {
            args: vec![name],
            inherit_stdio: true,
            ..WasiOptions::default()
        })?;
    }
    let mut instance = linker.instantiate(&module)?;
    let Some(call) = args.call else {
        if module.exports().iter().any(|e| e.name == "_start") {
            instance.call("_start", &[])?;
            return Ok(());
        }
        bail!("no call given; say which function to call, e.g. `intertype run {} 'name(…)'` (see `--list`)", args.module.display());
    };
    // Parameter names for messages (the engine keeps only the types).
    let booklet = intertype::Module::from_binary(&bytes)
        .ok()
        .map(|m| m.booklet);
    let results = invoke(&mut instance, &call, booklet.as_ref())?;
    let func = instance
        .func(call_name(&call)?.as_str())
        .ok_or_else(|| anyhow!("unreachable"))?;
    print_results(&results, &func.ty().results, args.json)
}

/// Splits `name(args…)`. The name is taken verbatim (export names such as
/// `i32_to_s8` are not WAVE labels); the arguments are parsed as WAVE.
fn split_call(call: &str) -> Result<(String, wasm_wave::untyped::UntypedFuncCall<'static>)> {
    let (name, rest) = match call.find('(') {
        Some(i) => (call[..i].trim(), &call[i..]),
        None => (call.trim(), ""),
    };
    if name.is_empty() {
        bail!("invalid call `{call}`: expected `name(arguments…)`");
    }
    let source = format!("f{rest}");
    let parsed = wasm_wave::untyped::UntypedFuncCall::parse(&source)
        .map_err(|e| anyhow!("invalid call `{call}`: {e}"))?
        .into_owned();
    Ok((name.to_string(), parsed))
}

fn call_name(call: &str) -> Result<String> {
    Ok(split_call(call)?.0)
}

fn invoke(
    instance: &mut Instance,
    call: &str,
    booklet: Option<&intertype::Booklet>,
) -> Result<Vec<Value>> {
    let (name, parsed) = split_call(call)?;
    let name = name.as_str();
    let func = instance.func(name).ok_or_else(|| {
        let names: Vec<&str> = instance
            .module()
            .exports()
            .iter()
            .map(|e| e.name.as_str())
            .collect();
        anyhow!(
            "the module has no function `{name}`; it offers: {}",
            names.join(", ")
        )
    })?;
    let wtypes = func
        .ty()
        .params
        .iter()
        .map(wave_type)
        .collect::<Result<Vec<_>>>()
        .with_context(|| format!("`{name}` cannot be called from the command line"))?;
    let adapter = instance
        .module()
        .exports()
        .iter()
        .find_map(|e| match e.kind {
            intertype_runtime::ExportKind::Adapter(idx) if e.name == name => Some(idx),
            _ => None,
        });
    let wvals: Vec<WValue> = parsed.to_wasm_params(wtypes.iter()).map_err(|e| {
        let named = booklet.zip(adapter);
        let signature = named
            .and_then(|(b, idx)| intertype::describe::adapter_func(b, idx))
            .unwrap_or_else(|| func.ty().to_string());
        // The argument the error is in, when the error points into one.
        let arg = parsed
            .params_node()
            .and_then(|node| node.as_tuple().ok())
            .and_then(|mut args| {
                args.position(|a| a.span().start <= e.span().start && e.span().end <= a.span().end)
            });
        match arg {
            Some(i) => {
                let label = named.map_or_else(
                    || format!("p{i}"),
                    |(b, idx)| intertype::describe::param_label(b, idx, i),
                );
                anyhow!("bad argument `{label}` (parameter {i}) for `{name}: {signature}`: {e}")
            }
            None => anyhow!("bad arguments for `{name}: {signature}`: {e}"),
        }
    })?;
    let values = wvals
        .iter()
        .zip(&func.ty().params)
        .map(|(w, t)| from_wave(w, t))
        .collect::<Result<Vec<_>>>()?;
    Ok(func.call(instance, &values)?)
}

fn list(module: &Module, json: bool) -> Result<()> {
    if json {
        let exports: Vec<_> = module
            .exports()
            .iter()
            .map(|e| {
                serde_json::json!({ "name": e.name, "type": e.ty.to_string(), "kind": match e.kind {
                    intertype_runtime::ExportKind::Adapter(_) => "adapter",
                    intertype_runtime::ExportKind::Core(_) => "core",
                }})
            })
            .collect();
        let imports: Vec<_> = module
            .imports()
            .map(|(m, n, t)| serde_json::json!({ "module": m, "name": n, "type": t.to_string() }))
            .collect();
        println!(
            "{}",
            serde_json::json!({ "exports": exports, "imports": imports })
        );
        return Ok(());
    }
    for e in module.exports() {
        let note = match e.kind {
            intertype_runtime::ExportKind::Adapter(_) => "",
            intertype_runtime::ExportKind::Core(_) => "  (core)",
        };
        println!("{}: {}{note}", e.name, e.ty);
    }
    for (m, n, t) in module.imports() {
        println!("import {m:?} {n:?}: {t}");
    }
    Ok(())
}

fn print_results(results: &[Value], types: &[Type], json: bool) -> Result<()> {
    if json {
        let vals = results
            .iter()
            .zip(types)
            .map(|(v, t)| to_json(v, t))
            .collect::<Result<Vec<_>>>()?;
        println!("{}", serde_json::json!({ "results": vals }));
        return Ok(());
    }
    for (v, t) in results.iter().zip(types) {
        let w = to_wave(v, t)?;
        println!(
            "{}",
            wasm_wave::to_string(&w).map_err(|e| anyhow!("cannot print a result: {e}"))?
        );
    }
    Ok(())
}

/// The WAVE type of an interface type (core `i32`/`i64` read and print as
/// `s32`/`s64`; `externref` has no WAVE form).
fn wave_type(t: &Type) -> Result<WType> {
    let bad = || anyhow!("type `{t}` has no WAVE form");
    Ok(match t {
        Type::Bool => WType::BOOL,
        Type::S8 => WType::S8,
        Type::U8 => WType::U8,
        Type::S16 => WType::S16,
        Type::U16 => WType::U16,
        Type::S32 | Type::I32 => WType::S32,
        Type::U32 => WType::U32,
        Type::S64 | Type::I64 => WType::S64,
        Type::U64 => WType::U64,
        Type::F32 => WType::F32,
        Type::F64 => WType::F64,
        Type::Char => WType::CHAR,
        Type::String => WType::STRING,
        Type::Externref => {
            return Err(anyhow!(
                "`externref` values cannot be written on the command line"
            ))
        }
        Type::List(e) => WType::list(wave_type(e)?),
        Type::Record(fs) => WType::record(
            fs.iter()
                .map(|f| Ok((f.name.clone(), wave_type(&f.ty)?)))
                .collect::<Result<Vec<_>>>()?,
        )
        .ok_or_else(bad)?,
        Type::Tuple(ts) => {
            WType::tuple(ts.iter().map(wave_type).collect::<Result<Vec<_>>>()?).ok_or_else(bad)?
        }
        Type::Variant(cs) => WType::variant(
            cs.iter()
                .map(|c| Ok((c.name.clone(), c.ty.as_ref().map(wave_type).transpose()?)))
                .collect::<Result<Vec<_>>>()?,
        )
        .ok_or_else(bad)?,
        Type::Enum(ns) => WType::enum_ty(ns.iter().cloned()).ok_or_else(bad)?,
        Type::Option(t) => WType::option(wave_type(t)?),
        Type::Result { ok, err } => WType::result(
            ok.as_deref().map(wave_type).transpose()?,
            err.as_deref().map(wave_type).transpose()?,
        ),
        Type::Flags(ns) => WType::flags(ns.iter().cloned()).ok_or_else(bad)?,
    })
}

fn from_wave(w: &WValue, t: &Type) -> Result<Value> {
    Ok(match t {
        Type::Bool => Value::Bool(w.unwrap_bool()),
        Type::S8 => Value::S8(w.unwrap_s8()),
        Type::U8 => Value::U8(w.unwrap_u8()),
        Type::S16 => Value::S16(w.unwrap_s16()),
        Type::U16 => Value::U16(w.unwrap_u16()),
        Type::S32 => Value::S32(w.unwrap_s32()),
        Type::I32 => Value::I32(w.unwrap_s32()),
        Type::U32 => Value::U32(w.unwrap_u32()),
        Type::S64 => Value::S64(w.unwrap_s64()),
        Type::I64 => Value::I64(w.unwrap_s64()),
        Type::U64 => Value::U64(w.unwrap_u64()),
        Type::F32 => Value::F32(w.unwrap_f32()),
        Type::F64 => Value::F64(w.unwrap_f64()),
        Type::Char => Value::Char(w.unwrap_char()),
        Type::String => Value::String(w.unwrap_string().into_owned()),
        Type::Externref => bail!("`externref` values cannot be written on the command line"),
        Type::List(e) => Value::List(
            w.unwrap_list()
                .map(|x| from_wave(&x, e))
                .collect::<Result<_>>()?,
        ),
        Type::Record(fs) => {
            let fields: Vec<_> = w.unwrap_record().collect();
            Value::Record(
                fs.iter()
                    .map(|f| {
                        let (_, v) = fields
                            .iter()
                            .find(|(n, _)| *n == f.name)
                            .ok_or_else(|| anyhow!("missing field `{}`", f.name))?;
                        from_wave(v, &f.ty)
                    })
                    .collect::<Result<_>>()?,
            )
        }
        Type::Tuple(ts) => Value::Tuple(
            w.unwrap_tuple()
                .zip(ts)
                .map(|(x, t)| from_wave(&x, t))
                .collect::<Result<_>>()?,
        ),
        Type::Variant(cs) => {
            let (name, payload) = w.unwrap_variant();
            let idx = cs
                .iter()
                .position(|c| c.name == name)
                .ok_or_else(|| anyhow!("unknown case `{name}`"))?;
            let p = match (payload, &cs[idx].ty) {
                (Some(p), Some(t)) => Some(Box::new(from_wave(&p, t)?)),
                _ => None,
            };
            Value::Variant(idx as u32, p)
        }
        Type::Enum(ns) => {
            let name = w.unwrap_enum();
            Value::Enum(
                ns.iter()
                    .position(|n| *n == name)
                    .ok_or_else(|| anyhow!("unknown case `{name}`"))? as u32,
            )
        }
        Type::Option(t) => Value::Option(match w.unwrap_option() {
            Some(v) => Some(Box::new(from_wave(&v, t)?)),
            None => None,
        }),
        Type::Result { ok, err } => {
            let conv = |p: Option<std::borrow::Cow<'_, WValue>>,
                        t: Option<&Type>|
             -> Result<Option<Box<Value>>> {
                Ok(match (p, t) {
                    (Some(p), Some(t)) => Some(Box::new(from_wave(&p, t)?)),
                    _ => None,
                })
            };
            Value::Result(match w.unwrap_result() {
                Ok(p) => Ok(conv(p, ok.as_deref())?),
                Err(p) => Err(conv(p, err.as_deref())?),
            })
        }
        Type::Flags(ns) => {
            let set: Vec<usize> = w
                .unwrap_flags()
                .filter_map(|f| ns.iter().position(|n| *n == f))
                .collect();
            Value::flags(ns.len(), set)
        }
    })
}

fn to_wave(v: &Value, t: &Type) -> Result<WValue> {
    let wt = wave_type(t)?;
    let err = |e: wasm_wave::wasm::WasmValueError| anyhow!("cannot show a `{t}` result: {e}");
    Ok(match (v, t) {
        (Value::Bool(x), _) => WValue::make_bool(*x),
        (Value::S8(x), _) => WValue::make_s8(*x),
        (Value::U8(x), _) => WValue::make_u8(*x),
        (Value::S16(x), _) => WValue::make_s16(*x),
        (Value::U16(x), _) => WValue::make_u16(*x),
        (Value::S32(x) | Value::I32(x), _) => WValue::make_s32(*x),
        (Value::U32(x), _) => WValue::make_u32(*x),
        (Value::S64(x) | Value::I64(x), _) => WValue::make_s64(*x),
        (Value::U64(x), _) => WValue::make_u64(*x),
        (Value::F32(x), _) => WValue::make_f32(*x),
        (Value::F64(x), _) => WValue::make_f64(*x),
        (Value::Char(x), _) => WValue::make_char(*x),
        (Value::String(s), _) => WValue::make_string(s.into()),
        (Value::Bytes(b), Type::List(e)) => WValue::make_list(
            &wt,
            b.iter()
                .map(|x| to_wave(&Value::U8(*x), e))
                .collect::<Result<Vec<_>>>()?,
        )
        .map_err(err)?,
        (Value::List(vs), Type::List(e)) => WValue::make_list(
            &wt,
            vs.iter()
                .map(|v| to_wave(v, e))
                .collect::<Result<Vec<_>>>()?,
        )
        .map_err(err)?,
        (Value::Record(vs), Type::Record(fs)) => {
            let fields = vs
                .iter()
                .zip(fs)
                .map(|(v, f)| Ok((f.name.as_str(), to_wave(v, &f.ty)?)))
                .collect::<Result<Vec<_>>>()?;
            WValue::make_record(&wt, fields).map_err(err)?
        }
        (Value::Tuple(vs), Type::Tuple(ts)) => WValue::make_tuple(
            &wt,
            vs.iter()
                .zip(ts)
                .map(|(v, t)| to_wave(v, t))
                .collect::<Result<Vec<_>>>()?,
        )
        .map_err(err)?,
        (Value::Variant(c, p), Type::Variant(cs)) => {
            let case = cs.get(*c as usize).ok_or_else(|| anyhow!("bad case"))?;
            let p = match (p, &case.ty) {
                (Some(p), Some(t)) => Some(to_wave(p, t)?),
                _ => None,
            };
            WValue::make_variant(&wt, &case.name, p).map_err(err)?
        }
        (Value::Enum(c), Type::Enum(ns)) => {
            WValue::make_enum(&wt, ns.get(*c as usize).ok_or_else(|| anyhow!("bad case"))?)
                .map_err(err)?
        }
        (Value::Option(p), Type::Option(inner)) => {
            WValue::make_option(&wt, p.as_ref().map(|p| to_wave(p, inner)).transpose()?)
                .map_err(err)?
        }
        (Value::Result(r), Type::Result { ok, err: e }) => {
            let conv = |p: &Option<Box<Value>>, t: Option<&Type>| -> Result<Option<WValue>> {
                Ok(match (p, t) {
                    (Some(p), Some(t)) => Some(to_wave(p, t)?),
                    _ => None,
                })
            };
            let r = match r {
                Ok(p) => Ok(conv(p, ok.as_deref())?),
                Err(p) => Err(conv(p, e.as_deref())?),
            };
            WValue::make_result(&wt, r).map_err(err)?
        }
        (Value::Flags(words), Type::Flags(ns)) => {
            let set = ns
                .iter()
                .enumerate()
                .filter(|(i, _)| words.get(i / 32).is_some_and(|w| w >> (i % 32) & 1 == 1));
            WValue::make_flags(&wt, set.map(|(_, n)| n.as_str())).map_err(err)?
        }
        _ => bail!("cannot show a `{t}` result"),
    })
}

fn to_json(v: &Value, t: &Type) -> Result<serde_json::Value> {
    use serde_json::json;
    Ok(match (v, t) {
        (Value::Bool(x), _) => json!(x),
        (Value::S8(x), _) => json!(x),
        (Value::U8(x), _) => json!(x),
        (Value::S16(x), _) => json!(x),
        (Value::U16(x), _) => json!(x),
        (Value::S32(x) | Value::I32(x), _) => json!(x),
        (Value::U32(x), _) => json!(x),
        (Value::S64(x) | Value::I64(x), _) => json!(x),
        (Value::U64(x), _) => json!(x),
        (Value::F32(x), _) if x.is_finite() => json!(x),
        (Value::F64(x), _) if x.is_finite() => json!(x),
        (Value::F32(x), _) => json!(x.to_string()),
        (Value::F64(x), _) => json!(x.to_string()),
        (Value::Char(c), _) => json!(c.to_string()),
        (Value::String(s), _) => json!(s),
        (Value::Externref(r), _) => json!(r.as_ref().map(|_| "<externref>")),
        (Value::Bytes(b), Type::List(_)) => json!(b),
        (Value::List(vs), Type::List(e)) => json!(vs
            .iter()
            .map(|v| to_json(v, e))
            .collect::<Result<Vec<_>>>()?),
        (Value::Tuple(vs), Type::Tuple(ts)) => json!(vs
            .iter()
            .zip(ts)
            .map(|(v, t)| to_json(v, t))
            .collect::<Result<Vec<_>>>()?),
        (Value::Record(vs), Type::Record(fs)) => {
            let mut m = serde_json::Map::new();
            for (v, f) in vs.iter().zip(fs) {
                m.insert(f.name.clone(), to_json(v, &f.ty)?);
            }
            serde_json::Value::Object(m)
        }
        (Value::Variant(c, p), Type::Variant(cs)) => {
            let case = cs.get(*c as usize).ok_or_else(|| anyhow!("bad case"))?;
            match (p, &case.ty) {
                (Some(p), Some(t)) => json!({ "case": case.name, "value": to_json(p, t)? }),
                _ => json!({ "case": case.name }),
            }
        }
        (Value::Enum(c), Type::Enum(ns)) => json!(ns.get(*c as usize)),
        (Value::Option(p), Type::Option(inner)) => match p {
            Some(p) => to_json(p, inner)?,
            None => serde_json::Value::Null,
        },
        (Value::Result(r), Type::Result { ok, err }) => {
            let conv = |p: &Option<Box<Value>>, t: Option<&Type>| -> Result<serde_json::Value> {
                Ok(match (p, t) {
                    (Some(p), Some(t)) => to_json(p, t)?,
                    _ => serde_json::Value::Null,
                })
            };
            match r {
                Ok(p) => json!({ "ok": conv(p, ok.as_deref())? }),
                Err(p) => json!({ "error": conv(p, err.as_deref())? }),
            }
        }
        (Value::Flags(words), Type::Flags(ns)) => json!(ns
            .iter()
            .enumerate()
            .filter(|(i, _)| words.get(i / 32).is_some_and(|w| w >> (i % 32) & 1 == 1))
            .map(|(_, n)| n)
            .collect::<Vec<_>>()),
        _ => bail!("cannot show a `{t}` result"),
    })
}
