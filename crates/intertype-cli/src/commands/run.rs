//! `intertype run MODULE 'f("arg")'`: instantiate a module on the intertype
//! runtime and call one interface function, arguments and results in WAVE
//! syntax (as `wasmtime run --invoke`).

use anyhow::{anyhow, bail, Context, Result};
use intertype_runtime::{
    Config, Engine, ErrorKind, Instance, Limits, Linker, Module, Type, Value, WasiOptions,
};
use std::path::PathBuf;
use wasm_wave::value::Value as WValue;

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
    /// Link a module: interface imports `NAME` `f` are satisfied by FILE's
    /// export `f` (repeatable; see docs/linking.md).
    #[arg(long = "link", value_name = "NAME=FILE")]
    links: Vec<String>,
    /// Run links through host values instead of fusing them.
    #[arg(long)]
    no_fuse: bool,
}

/// `--link NAME=FILE` arguments: each module loaded and added to the linker.
pub(crate) fn add_links(linker: &mut Linker, engine: &Engine, links: &[String]) -> Result<()> {
    for link in links {
        let Some((name, file)) = link.split_once('=') else {
            bail!("--link {link:?}: expected NAME=FILE");
        };
        if name.is_empty() {
            bail!("--link {link:?}: the module name is empty");
        }
        let bytes = crate::io::read_module(file.as_ref())?;
        let module = Module::new(engine, &bytes)
            .with_context(|| format!("failed to load `{file}` (linked as {name:?})"))?;
        linker.module(name, &module)?;
    }
    Ok(())
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
    add_links(&mut linker, &engine, &args.links)?;
    linker.fuse_links(!args.no_fuse);
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
        .map(|t| intertype_runtime::wave::wave_type(t).map_err(|e| anyhow!("{}", e.message())))
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
        .map(|(w, t)| {
            intertype_runtime::wave::value_from_wave(w, t).map_err(|e| anyhow!("{}", e.message()))
        })
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
        println!(
            "{}",
            v.to_wave(t)
                .map_err(|e| anyhow!("cannot print a result: {}", e.message()))?
        );
    }
    Ok(())
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
