//! `intertype run MODULE 'f("arg")'`: instantiate a module on the intertype
//! runtime and call one interface function, arguments and results in WAVE
//! syntax (as `wasmtime run --invoke`).

use crate::wave_args;
use anyhow::{anyhow, bail, Context, Result};
use intertype_runtime::{
    Config, Engine, ErrorKind, ExportInfo, Limit as RtLimit, Limits, Linker, Module, Type, Value,
    WasiOptions,
};
use std::path::PathBuf;

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
    /// Stop the guest after this much wall-clock time, instantiation
    /// included: seconds (`1.5`), or `none`.
    #[arg(long, value_name = "SECONDS", default_value = "30", value_parser = parse_timeout)]
    timeout: LimitArg<std::time::Duration>,
    /// Largest linear memory the guest may grow to: bytes, with an optional
    /// `K`, `M` or `G` suffix (powers of 1024), or `none`. A `memory.grow`
    /// past it fails with an error naming this limit.
    #[arg(long, value_name = "BYTES", default_value = "512M", value_parser = parse_bytes)]
    max_memory: LimitArg<usize>,
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

/// A limit with a value, or `none`.
#[derive(Clone, Copy, Debug)]
pub enum LimitArg<T> {
    At(T),
    None,
}

impl<T: Copy> LimitArg<T> {
    fn get(self) -> Option<T> {
        match self {
            LimitArg::At(x) => Some(x),
            LimitArg::None => None,
        }
    }
}

fn parse_timeout(s: &str) -> std::result::Result<LimitArg<std::time::Duration>, String> {
    if s == "none" {
        return Ok(LimitArg::None);
    }
    let secs: f64 = s
        .parse()
        .map_err(|_| format!("expected seconds (e.g. `30` or `0.5`) or `none`, found `{s}`"))?;
    std::time::Duration::try_from_secs_f64(secs)
        .ok()
        .filter(|d| !d.is_zero())
        .map(LimitArg::At)
        .ok_or_else(|| format!("expected a positive number of seconds or `none`, found `{s}`"))
}

fn parse_bytes(s: &str) -> std::result::Result<LimitArg<usize>, String> {
    if s == "none" {
        return Ok(LimitArg::None);
    }
    let bad = || format!("expected bytes (e.g. `65536`, `64M`, `1G`) or `none`, found `{s}`");
    let (digits, scale) = match s.char_indices().last() {
        Some((i, 'K' | 'k')) => (&s[..i], 1u64 << 10),
        Some((i, 'M' | 'm')) => (&s[..i], 1 << 20),
        Some((i, 'G' | 'g')) => (&s[..i], 1 << 30),
        _ => (s, 1),
    };
    let n: u64 = digits.parse().map_err(|_| bad())?;
    n.checked_mul(scale)
        .and_then(|b| usize::try_from(b).ok())
        .map(LimitArg::At)
        .ok_or_else(bad)
}

/// Reading the module failed (the JSON error kind is `file`).
#[derive(Debug)]
struct FileError(anyhow::Error);

impl std::fmt::Display for FileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:#}", self.0)
    }
}

impl std::error::Error for FileError {}

pub fn run(args: Args) -> Result<()> {
    let json = args.json;
    let (fuel, timeout, max_memory) = (args.fuel, args.timeout, args.max_memory);
    match run_inner(args) {
        Ok(()) => Ok(()),
        Err(e) if e.is::<crate::output::StdoutClosed>() => Err(e),
        Err(e) => {
            // Which limit, and its value: the user can raise it.
            let hint = e
                .downcast_ref::<intertype_runtime::Error>()
                .and_then(|rt| match rt.kind() {
                    ErrorKind::Limit(RtLimit::Deadline) => timeout.get().map(|d| {
                        format!("the time limit of {} s was reached (raise it with --timeout)", d.as_secs_f64())
                    }),
                    ErrorKind::Limit(RtLimit::Memory) => max_memory.get().map(|b| {
                        format!("the memory limit of {b} bytes was reached (raise it with --max-memory)")
                    }),
                    ErrorKind::Limit(RtLimit::Fuel) => {
                        fuel.map(|f| format!("the fuel limit of {f} was used up (raise it with --fuel)"))
                    }
                    _ => None,
                });
            if json {
                let kind = match e.downcast_ref::<intertype_runtime::Error>() {
                    Some(rt) => format!("{:?}", rt.kind()),
                    None if e.is::<FileError>() => "file".to_string(),
                    None => "usage".to_string(),
                };
                let mut message = match e.downcast_ref::<intertype_runtime::Error>() {
                    Some(rt) => format!("{rt}"),
                    None => format!("{e:#}"),
                };
                if let Some(h) = &hint {
                    message.push_str(&format!("\n{h}"));
                }
                let out = serde_json::json!({ "error": { "kind": kind, "message": message } });
                crate::output::println(&out.to_string())?;
                return Err(super::Reported.into());
            }
            if let Some(rt) = e.downcast_ref::<intertype_runtime::Error>() {
                if let ErrorKind::Exit(code) = rt.kind() {
                    return Err(super::ExitWith(code).into());
                }
                // The runtime's alternate form adds the wasm backtrace.
                return Err(match hint {
                    Some(h) => anyhow!("{rt:#}\n{h}"),
                    None => anyhow!("{rt:#}"),
                });
            }
            Err(e)
        }
    }
}

fn run_inner(args: Args) -> Result<()> {
    let timeout = args.timeout.get();
    let limits = Limits {
        fuel: args.fuel,
        max_memory_bytes: args.max_memory.get(),
        // One epoch tick, given by a timer thread when the time is up.
        epoch_deadline: timeout.map(|_| 1),
        ..Limits::default()
    };
    let engine = Engine::new(&Config {
        limits,
        ..Config::default()
    })?;
    let bytes =
        crate::io::read_module(&args.module).map_err(|e| anyhow::Error::new(FileError(e)))?;
    let module = Module::new(&engine, &bytes)
        .with_context(|| format!("failed to load `{}`", args.module.display()))?;
    if args.list {
        let booklet = intertype::Module::from_binary(&bytes)
            .ok()
            .map(|m| m.booklet);
        return list(&module, booklet.as_ref(), args.json);
    }
    // Arguments and result types are checked before anything runs.
    let call = args.call.as_deref().map(wave_args::parse).transpose()?;
    if let Some(timeout) = timeout {
        let engine = engine.clone();
        // Detached: the process ends with the call, and the tick is harmless
        // if the call finished first.
        std::thread::spawn(move || {
            std::thread::sleep(timeout);
            engine.increment_epoch();
        });
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
    let Some(call) = call else {
        let mut instance = linker.instantiate(&module)?;
        if module.exports().iter().any(|e| e.name == "_start") {
            instance.call("_start", &[])?;
            return Ok(());
        }
        bail!("no call given; say which function to call, e.g. `intertype run {} 'name(…)'` (see `--list`)", args.module.display());
    };
    let ty = module
        .exports()
        .iter()
        .find(|e| e.name == call.name)
        .map(|e| e.ty.clone())
        .ok_or_else(|| {
            let names: Vec<String> = module
                .exports()
                .iter()
                .map(|e| crate::terminal::name(&e.name).into_owned())
                .collect();
            anyhow!(
                "the module has no function `{}`; it offers: {}",
                crate::terminal::name(&call.name),
                names.join(", ")
            )
        })?;
    // Parameter names and the signature for messages (the engine keeps
    // only the types).
    let booklet = intertype::Module::from_binary(&bytes)
        .ok()
        .map(|m| m.booklet);
    let adapter = module.exports().iter().find_map(|e| match e.kind {
        intertype_runtime::ExportKind::Adapter(idx) if e.name == call.name => Some(idx),
        _ => None,
    });
    let named = booklet.as_ref().zip(adapter);
    let described = wave_args::Described {
        signature: named
            .and_then(|(b, idx)| intertype::describe::adapter_func(b, idx))
            .unwrap_or_else(|| ty.to_string()),
        labels: (0..ty.params.len())
            .map(|i| match named {
                Some((b, idx)) => intertype::describe::param_label(b, idx, i),
                None => format!("p{i}"),
            })
            .collect(),
    };
    let values = call.values(&ty.params, &described)?;
    if !args.json {
        for t in &ty.results {
            intertype_runtime::wave::check_type(t).map_err(|e| {
                anyhow!(
                    "the result of `{}` cannot be shown in WAVE (try --json): {}",
                    crate::terminal::name(&call.name),
                    e.message()
                )
            })?;
        }
    }
    let mut instance = linker.instantiate(&module)?;
    let func = instance.func(call.name.as_str()).ok_or_else(|| {
        anyhow!(
            "the module has no function `{}`",
            crate::terminal::name(&call.name)
        )
    })?;
    let results = func.call(&mut instance, &values)?;
    print_results(&results, &ty.results, args.json)
}

/// The booklet and adapter index of export `e` when the booklet names its
/// parameters (subsection 8).
fn named_params<'b>(
    booklet: Option<&'b intertype::Booklet>,
    e: &ExportInfo,
) -> Option<(&'b intertype::Booklet, u32)> {
    match e.kind {
        intertype_runtime::ExportKind::Adapter(idx) => {
            let booklet = booklet?;
            booklet
                .param_names
                .contains_key(&idx)
                .then_some((booklet, idx))
        }
        intertype_runtime::ExportKind::Core(_) => None,
    }
}

/// How `--list` calls the parameters of `e` in words: a name (quoted when
/// it is not an identifier), `p{i}` for one left unnamed.
fn param_labels(booklet: Option<&intertype::Booklet>, e: &ExportInfo) -> Option<Vec<String>> {
    let (booklet, idx) = named_params(booklet, e)?;
    Some(
        (0..e.ty.params.len())
            .map(|i| intertype::describe::param_label(booklet, idx, i))
            .collect(),
    )
}

/// `func(name: type, …) -> …`: the engine's spelling of the type, with
/// the booklet's parameter names when it has them.
fn signature(e: &ExportInfo, labels: Option<&[String]>) -> String {
    let Some(labels) = labels else {
        return e.ty.to_string();
    };
    let unnamed = intertype_runtime::FuncType::new([], e.ty.results.iter().cloned()).to_string();
    let params: Vec<String> = labels
        .iter()
        .zip(&e.ty.params)
        .map(|(l, t)| format!("{l}: {t}"))
        .collect();
    format!(
        "func({}){}",
        params.join(", "),
        unnamed.strip_prefix("func()").unwrap_or("")
    )
}

fn list(module: &Module, booklet: Option<&intertype::Booklet>, json: bool) -> Result<()> {
    if json {
        let exports: Vec<_> = module
            .exports()
            .iter()
            .map(|e| {
                serde_json::json!({ "name": e.name, "type": e.ty.to_string(), "kind": match e.kind {
                    intertype_runtime::ExportKind::Adapter(_) => "adapter",
                    intertype_runtime::ExportKind::Core(_) => "core",
                }, "params": named_params(booklet, e).map(|(b, idx)| {
                    (0..e.ty.params.len()).map(|i| b.param_name(idx, i)).collect::<Vec<_>>()
                })})
            })
            .collect();
        let imports: Vec<_> = module
            .imports()
            .map(|(m, n, t)| serde_json::json!({ "module": m, "name": n, "type": t.to_string() }))
            .collect();
        return crate::output::println(
            &serde_json::json!({ "exports": exports, "imports": imports }).to_string(),
        );
    }
    // Names and types (which spell field and case names) are escaped for
    // the terminal.
    use crate::terminal::name as esc;
    let mut out = String::new();
    for e in module.exports() {
        let note = match e.kind {
            intertype_runtime::ExportKind::Adapter(_) => "",
            intertype_runtime::ExportKind::Core(_) => "  (core)",
        };
        let labels = param_labels(booklet, e);
        out.push_str(&format!(
            "{}: {}{note}\n",
            esc(&e.name),
            esc(&signature(e, labels.as_deref()))
        ));
    }
    for (m, n, t) in module.imports() {
        out.push_str(&format!("import {m:?} {n:?}: {}\n", esc(&t.to_string())));
    }
    crate::output::print(&out)
}

/// Prints results, one per line, in WAVE or as one JSON object. Byte lists
/// are written as they are formatted, never built as a second value in
/// memory (a 100 MB `list<u8>` result would otherwise take gigabytes).
fn print_results(results: &[Value], types: &[Type], json: bool) -> Result<()> {
    use std::io::Write;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::with_capacity(1 << 16, stdout.lock());
    let w = crate::output::write_error;
    if json {
        out.write_all(b"{\"results\":[").map_err(w)?;
        for (i, (v, t)) in results.iter().zip(types).enumerate() {
            if i > 0 {
                out.write_all(b",").map_err(w)?;
            }
            match v {
                Value::Bytes(b) => write_bytes(&mut out, b, b",").map_err(w)?,
                _ => {
                    let j = to_json(v, t)?;
                    serde_json::to_writer(&mut out, &j).map_err(|e| w(e.into()))?;
                }
            }
        }
        out.write_all(b"]}\n").map_err(w)?;
        return out.flush().map_err(w);
    }
    for (v, t) in results.iter().zip(types) {
        match v {
            Value::Bytes(b) => write_bytes(&mut out, b, b", ").map_err(w)?,
            _ => {
                let text = v
                    .to_wave(t)
                    .map_err(|e| anyhow!("cannot print a result: {}", e.message()))?;
                out.write_all(text.as_bytes()).map_err(w)?;
            }
        }
        out.write_all(b"\n").map_err(w)?;
    }
    out.flush().map_err(w)
}

/// `[1, 2, 3]`, written as it goes.
fn write_bytes(out: &mut impl std::io::Write, bytes: &[u8], sep: &[u8]) -> std::io::Result<()> {
    out.write_all(b"[")?;
    let digits: Vec<String> = (0..=255u8).map(|b| b.to_string()).collect();
    for (i, b) in bytes.iter().enumerate() {
        if i > 0 {
            out.write_all(sep)?;
        }
        out.write_all(digits[usize::from(*b)].as_bytes())?;
    }
    out.write_all(b"]")
}

fn non_finite(x: f64) -> &'static str {
    if x.is_nan() {
        "nan"
    } else if x > 0.0 {
        "inf"
    } else {
        "-inf"
    }
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
        // Not numbers in JSON: the WAVE spellings, the same for both widths.
        (Value::F32(x), _) => json!(non_finite(f64::from(*x))),
        (Value::F64(x), _) => json!(non_finite(*x)),
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
