//! The hostile-module probe: *valid* modules with hostile contents — names
//! that are JS syntax, line terminators, escape sequences or
//! `Object.prototype` members; list lengths up to 2³²−1, zero-size
//! elements; memory full of pointers that alias each other; deeply nested
//! types — run through the engine and through the generated JS glue in
//! Node. Every outcome must be a value or a typed error, within time and
//! memory bounds, and both hosts must agree (`docs/security.md`).
//!
//! [`generate`] turns fuzzer bytes into a [`Case`] (module text plus the
//! exports to call); [`Probe::check`] runs it in both hosts and panics with
//! the module text when they disagree or misbehave.

use intertype_runtime::{Engine, ErrorKind, Limit, Linker, Module, Type, Value};
use serde_json::{json, Value as Json};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Names no module should be able to abuse: JS syntax, line terminators,
/// terminal escapes, names `Object.prototype` and the glue itself own.
pub const HOSTILE_NAMES: &[&str] = &[
    "then",
    "__proto__",
    "constructor",
    "toString",
    "valueOf",
    "hasOwnProperty",
    "$core",
    "$exports",
    "a\nb",
    "\u{2028}alert(1)",
    "\u{2029}",
    "*/ globalThis.pwned = 1; /*",
    "\"'`${1}",
    "\u{1b}[31mred",
    "\\",
    " ",
    "\r",
    "\u{0}",
    "é",
    "🎉",
    "</script>",
    "a-b",
    "0",
    "NaN",
    "prototype",
    "arguments",
    "default",
    "x",
    "y",
    "z",
];

/// A generated module and the exports to call (each without arguments).
#[derive(Clone, Debug)]
pub struct Case {
    pub wat: String,
    pub exports: Vec<String>,
}

/// Reads choices out of fuzzer bytes; zeros once they run out.
struct Bytes<'a> {
    data: &'a [u8],
    pos: usize,
}

impl Bytes<'_> {
    fn u8(&mut self) -> u8 {
        let b = self.data.get(self.pos).copied().unwrap_or(0);
        self.pos += 1;
        b
    }
    fn u32(&mut self) -> u32 {
        u32::from_le_bytes([self.u8(), self.u8(), self.u8(), self.u8()])
    }
    fn below(&mut self, n: usize) -> usize {
        if n <= 1 {
            0
        } else if n <= 256 {
            self.u8() as usize % n
        } else {
            self.u32() as usize % n
        }
    }
}

/// Bytes of memory the generated data fills (pointers point below it).
const DATA: usize = 32768;

/// A generated type: its text, and what it takes in memory.
struct Ty {
    text: String,
    align: u32,
}

fn quote(s: &str) -> String {
    intertype::__private::quote(s)
}

/// `k` distinct hostile names.
fn names(b: &mut Bytes<'_>, k: usize) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    let mut tries = 0;
    while out.len() < k && tries < 4 * k + 8 {
        let n = HOSTILE_NAMES[b.below(HOSTILE_NAMES.len())];
        if !out.contains(&n) {
            out.push(n);
        }
        tries += 1;
    }
    out
}

/// Type definitions in order (each refers only to earlier ones).
fn types(b: &mut Bytes<'_>) -> Vec<Ty> {
    let prims = [
        ("u8", 1),
        ("s32", 4),
        ("u64", 8),
        ("f32", 4),
        ("f64", 8),
        ("char", 4),
        ("bool", 1),
        ("string", 4),
    ];
    let mut defs: Vec<Ty> = Vec::new();
    let count = 1 + b.below(12);
    for i in 0..count {
        // Operand types: a primitive or an earlier definition.
        let operand = |b: &mut Bytes<'_>, defs: &[Ty]| -> (String, u32) {
            if !defs.is_empty() && b.u8().is_multiple_of(2) {
                let j = b.below(defs.len());
                (format!("$t{j}"), defs[j].align)
            } else {
                let (p, a) = prims[b.below(prims.len())];
                (p.to_string(), a)
            }
        };
        let ty = match b.below(13) {
            0 | 1 => {
                let n = 1 + b.below(3);
                let fields: Vec<_> = names(b, n)
                    .into_iter()
                    .map(|n| (n, operand(b, &defs)))
                    .collect();
                Ty {
                    align: fields.iter().map(|f| f.1 .1).max().unwrap_or(1),
                    text: format!(
                        "(record {})",
                        fields
                            .iter()
                            .map(|(n, (t, _))| format!("(field {} {t})", quote(n)))
                            .collect::<Vec<_>>()
                            .join(" ")
                    ),
                }
            }
            2 => {
                let n = b.below(3);
                let ts: Vec<_> = (0..n).map(|_| operand(b, &defs)).collect();
                Ty {
                    align: ts.iter().map(|t| t.1).max().unwrap_or(1),
                    text: format!(
                        "(tuple {})",
                        ts.iter()
                            .map(|t| t.0.as_str())
                            .collect::<Vec<_>>()
                            .join(" ")
                    ),
                }
            }
            3..=5 => {
                let (t, _) = operand(b, &defs);
                Ty {
                    text: format!("(list {t})"),
                    align: 4,
                }
            }
            6 => {
                let n = 1 + b.below(3);
                let cases: Vec<_> = names(b, n)
                    .into_iter()
                    .map(|n| {
                        let p = (b.u8().is_multiple_of(2)).then(|| operand(b, &defs));
                        (n, p)
                    })
                    .collect();
                let align = cases
                    .iter()
                    .filter_map(|c| c.1.as_ref().map(|p| p.1))
                    .max()
                    .unwrap_or(1);
                Ty {
                    align,
                    text: format!(
                        "(variant {})",
                        cases
                            .iter()
                            .map(|(n, p)| match p {
                                Some((t, _)) => format!("(case {} {t})", quote(n)),
                                None => format!("(case {})", quote(n)),
                            })
                            .collect::<Vec<_>>()
                            .join(" ")
                    ),
                }
            }
            7 => {
                let n = 1 + b.below(4);
                Ty {
                    align: 1,
                    text: format!(
                        "(enum {})",
                        names(b, n)
                            .iter()
                            .map(|n| quote(n))
                            .collect::<Vec<_>>()
                            .join(" ")
                    ),
                }
            }
            8 => {
                let n = b.below(6);
                Ty {
                    align: 4,
                    text: format!(
                        "(flags {})",
                        names(b, n)
                            .iter()
                            .map(|n| quote(n))
                            .collect::<Vec<_>>()
                            .join(" ")
                    ),
                }
            }
            9 => {
                let (t, a) = operand(b, &defs);
                Ty {
                    text: format!("(option {t})"),
                    align: a,
                }
            }
            10 => {
                let (t, a) = operand(b, &defs);
                let (e, a2) = operand(b, &defs);
                Ty {
                    text: format!("(result {t} (error {e}))"),
                    align: a.max(a2),
                }
            }
            // Deep nesting: a list of the previous definition.
            11 if i > 0 => Ty {
                text: format!("(list $t{})", i - 1),
                align: 4,
            },
            // Zero-size elements.
            _ => Ty {
                text: if b.u8().is_multiple_of(2) {
                    "(list (tuple))".into()
                } else {
                    "(list (flags))".into()
                },
                align: 4,
            },
        };
        defs.push(ty);
    }
    defs
}

/// Memory contents: words from a palette that makes pointers, aliased
/// pointers, small and huge lengths, text and garbage, repeated so that
/// structures point into each other.
fn memory(b: &mut Bytes<'_>) -> Vec<u8> {
    let mut words = Vec::new();
    let n = 4 + b.below(64);
    for _ in 0..n {
        let w: u32 = match b.below(10) {
            0..=2 => (b.u32() % DATA as u32) & !7,
            3 | 4 => b.u32() % 17,
            5 => [
                u32::MAX,
                0x7fff_ffff,
                0x1_0000,
                8191,
                4096,
                1024,
                1000,
                512,
                255,
            ][b.below(9)],
            6 => 0,
            7 => u32::from_le_bytes(*b"text"),
            8 => 0x8080_c0ff, // invalid UTF-8, a lone surrogate in UTF-16
            _ => b.u32(),
        };
        words.push(w);
    }
    let mut data = Vec::with_capacity(DATA);
    while data.len() < DATA {
        let w = words[(data.len() / 4) % words.len()];
        data.extend_from_slice(&w.to_le_bytes());
    }
    // An aliasing gadget read as `list<list<string>>` from address 0: an
    // outer list whose entries all point at one inner list whose entries all
    // point at one string, lengths chosen so that the value spans anything
    // from a few bytes to gigabytes (`GADGET_TYPE`).
    let put = |data: &mut Vec<u8>, at: usize, w: u32| {
        data[at..at + 4].copy_from_slice(&w.to_le_bytes());
    };
    let outer = [1u32, 16, 255, 1000][b.below(4)];
    let inner = [1u32, 16, 255, 512][b.below(4)];
    let string = [0u32, 1, 255, 4000][b.below(4)];
    put(&mut data, 0, 4096);
    put(&mut data, 4, outer);
    for i in 0..outer as usize {
        put(&mut data, 4096 + 8 * i, 16384);
        put(&mut data, 4100 + 8 * i, inner);
    }
    for i in 0..inner as usize {
        put(&mut data, 16384 + 8 * i, 28672);
        put(&mut data, 16388 + 8 * i, string);
    }
    for i in 0..string as usize {
        data[28672 + i] = b'a' + (i % 26) as u8;
    }
    data
}

/// The type the aliasing gadget at address 0 is read as.
const GADGET_TYPE: &str = "(list (list string))";

/// Turns fuzzer bytes into a module with hostile contents.
pub fn generate(data: &[u8]) -> Case {
    let mut b = Bytes { data, pos: 0 };
    let defs = types(&mut b);
    let mem = memory(&mut b);
    // `defs` gets the gadget's type last.
    let mut wat = String::from("(module\n  (memory $mem (export \"mem\") 1)\n");
    wat.push_str("  (data (i32.const 0) \"");
    for byte in &mem {
        wat.push_str(&format!("\\{byte:02x}"));
    }
    wat.push_str("\")\n");
    let mut items = String::new();
    let mut defs = defs;
    defs.push(Ty {
        text: GADGET_TYPE.into(),
        align: 4,
    });
    for (i, d) in defs.iter().enumerate() {
        items.push_str(&format!("  (@interface type $t{i} {})\n", d.text));
    }
    let mut exports = Vec::new();
    let nexports = 1 + b.below(4);
    for k in 0..nexports {
        // A name from the hostile pool, made unique.
        let name = format!(
            "{}{}",
            HOSTILE_NAMES[b.below(HOSTILE_NAMES.len())],
            "_".repeat(k)
        );
        let mut t = b.below(defs.len());
        let encoding = ["", " utf16 $mem", " latin1 $mem"][b.below(3)];
        let ptr = if b.u8().is_multiple_of(4) {
            t = defs.len() - 1;
            0 // the gadget
        } else if b.u8().is_multiple_of(8) {
            b.u32() // anywhere, also out of bounds or misaligned
        } else {
            (b.u32() % DATA as u32) & !(defs[t].align - 1)
        };
        wat.push_str(&format!(
            "  (func $p{k} (export \"p{k}_\") (result i32) i32.const {})\n",
            ptr as i32
        ));
        items.push_str(&format!(
            "  (@interface func (export {}) (result $t{t})\n    call-core $p{k}\n    value.load $t{t}{encoding})\n",
            quote(&name)
        ));
        exports.push(name);
    }
    wat.push_str(&items);
    wat.push_str(")\n");
    Case { wat, exports }
}

/// What a call came to, in a form both hosts produce.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// The results, in the conformance value encoding (`docs/conformance.md`).
    Value(Json),
    /// An error of a category: `trap` (core trap or guest misbehaviour),
    /// `limit` (the lifted-value size limit), `host` (a host-side type or
    /// range error), or anything else by name.
    Error(String, String),
}

fn engine_category(kind: ErrorKind) -> String {
    match kind {
        ErrorKind::Trap | ErrorKind::Guest(_) => "trap".into(),
        ErrorKind::Limit(Limit::ValueSize) => "limit".into(),
        ErrorKind::HostType => "host".into(),
        other => format!("{other:?}"),
    }
}

fn float_json(x: f64) -> Json {
    if x.is_nan() {
        json!("nan")
    } else if x.is_infinite() {
        json!(if x > 0.0 { "inf" } else { "-inf" })
    } else {
        json!(x)
    }
}

/// A value in the conformance encoding.
pub fn to_json(ty: &Type, v: &Value) -> Json {
    let payload = |t: Option<&Type>, v: &Option<Box<Value>>| match (t, v) {
        (Some(t), Some(v)) => to_json(t, v),
        _ => Json::Null,
    };
    match (ty, v) {
        (_, Value::Bool(x)) => json!(x),
        (_, Value::S8(x)) => json!(x),
        (_, Value::U8(x)) => json!(x),
        (_, Value::S16(x)) => json!(x),
        (_, Value::U16(x)) => json!(x),
        (_, Value::S32(x) | Value::I32(x)) => json!(x),
        (_, Value::U32(x)) => json!(x),
        (_, Value::S64(x) | Value::I64(x)) => json!(x.to_string()),
        (_, Value::U64(x)) => json!(x.to_string()),
        (_, Value::F32(x)) => float_json(f64::from(*x)),
        (_, Value::F64(x)) => float_json(*x),
        (_, Value::Char(c)) => json!(c.to_string()),
        (_, Value::String(s)) => json!(s),
        (_, Value::Bytes(b)) => json!(b),
        (Type::List(e), Value::List(vs)) => Json::Array(vs.iter().map(|v| to_json(e, v)).collect()),
        (Type::Tuple(ts), Value::Tuple(vs)) => {
            Json::Array(ts.iter().zip(vs).map(|(t, v)| to_json(t, v)).collect())
        }
        (Type::Record(fs), Value::Record(vs)) => Json::Object(
            fs.iter()
                .zip(vs)
                .map(|(f, v)| (f.name.clone(), to_json(&f.ty, v)))
                .collect(),
        ),
        (Type::Variant(cs), Value::Variant(i, p)) => {
            let c = &cs[*i as usize];
            match (&c.ty, p) {
                (Some(t), Some(p)) => json!({ "tag": c.name, "val": to_json(t, p) }),
                _ => json!({ "tag": c.name }),
            }
        }
        (Type::Enum(ns), Value::Enum(i)) => json!(ns[*i as usize]),
        (Type::Flags(ns), Value::Flags(words)) => Json::Array(
            ns.iter()
                .enumerate()
                .filter(|(i, _)| words.get(i / 32).is_some_and(|w| w >> (i % 32) & 1 == 1))
                .map(|(_, n)| json!(n))
                .collect(),
        ),
        (Type::Option(t), Value::Option(p)) => match p {
            Some(p) => json!({ "some": to_json(t, p) }),
            None => Json::Null,
        },
        (Type::Result { ok, err }, Value::Result(r)) => match r {
            Ok(p) => json!({ "ok": payload(ok.as_deref(), p) }),
            Err(p) => json!({ "err": payload(err.as_deref(), p) }),
        },
        (t, v) => json!(format!("<{v:?} does not have type {t}>")),
    }
}

/// Every export of `case` in the engine, each on a fresh instance.
pub fn engine_outcomes(wasm: &[u8], exports: &[String]) -> Vec<Outcome> {
    let engine = Engine::default();
    let module = Module::new(&engine, wasm).expect("a generated module loads in the engine");
    exports
        .iter()
        .map(|name| {
            let mut instance = Linker::new(&engine)
                .instantiate(&module)
                .expect("a generated module instantiates");
            let func = instance.func(name.as_str()).expect("the export exists");
            let ty = func.ty().clone();
            match func.call(&mut instance, &[]) {
                Ok(vs) => Outcome::Value(Json::Array(
                    ty.results
                        .iter()
                        .zip(&vs)
                        .map(|(t, v)| to_json(t, v))
                        .collect(),
                )),
                Err(e) => Outcome::Error(engine_category(e.kind()), e.to_string()),
            }
        })
        .collect()
}

/// A Node process running `js/host.mjs`: one line in (a glue directory),
/// one line out (the outcomes). Restarted after a crash or a timeout, and
/// every few hundred cases so imported glue does not pile up.
pub struct NodeHost {
    child: Child,
    stdin: ChildStdin,
    lines: mpsc::Receiver<std::io::Result<String>>,
    served: usize,
}

/// Heap for the Node host: a value that needs more is a finding.
const NODE_HEAP_MB: u32 = 1024;

impl NodeHost {
    pub fn start() -> std::io::Result<NodeHost> {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("js/host.mjs");
        let mut child = Command::new(std::env::var("NODE").unwrap_or_else(|_| "node".into()))
            .arg(format!("--max-old-space-size={NODE_HEAP_MB}"))
            .arg("--stack-size=900")
            .arg(script)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()?;
        let stdin = child.stdin.take().expect("piped");
        let stdout: ChildStdout = child.stdout.take().expect("piped");
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Ok(NodeHost {
            child,
            stdin,
            lines,
            served: 0,
        })
    }

    /// The outcomes of calling `exports` of the glue in `dir` (base `base`),
    /// or `Err` with what went wrong with Node itself.
    fn run(
        &mut self,
        dir: &Path,
        base: &str,
        exports: &[String],
        timeout: Duration,
    ) -> Result<Vec<Outcome>, String> {
        let request = json!({ "dir": dir, "base": base, "exports": exports });
        writeln!(self.stdin, "{request}").map_err(|e| format!("node is gone: {e}"))?;
        self.stdin
            .flush()
            .map_err(|e| format!("node is gone: {e}"))?;
        self.served += 1;
        let line = match self.lines.recv_timeout(timeout) {
            Ok(Ok(line)) => line,
            Ok(Err(e)) => return Err(format!("reading from node: {e}")),
            Err(mpsc::RecvTimeoutError::Timeout) => {
                return Err(format!("node did not answer within {timeout:?}"))
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                let status = self.child.wait().map(|s| s.to_string()).unwrap_or_default();
                return Err(format!("node exited ({status})"));
            }
        };
        let reply: Json =
            serde_json::from_str(&line).map_err(|e| format!("bad reply {line:?}: {e}"))?;
        if let Some(e) = reply.get("fatal") {
            return Err(format!("the glue failed to load or instantiate: {e}"));
        }
        let outcomes = reply["outcomes"]
            .as_array()
            .ok_or_else(|| format!("bad reply {line}"))?
            .iter()
            .map(|o| match o.get("error") {
                Some(cat) => Outcome::Error(
                    cat.as_str().unwrap_or("?").to_string(),
                    o["message"].as_str().unwrap_or("").to_string(),
                ),
                None => Outcome::Value(o["value"].clone()),
            })
            .collect();
        Ok(outcomes)
    }
}

impl Drop for NodeHost {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What the probe saw, for its report.
#[derive(Clone, Debug, Default)]
pub struct Stats {
    /// Modules run in both hosts.
    pub modules: u64,
    /// Generated modules the validator refused (never run).
    pub invalid: u64,
    /// Calls that returned a value (in both hosts).
    pub values: u64,
    /// Calls that trapped (guest misbehaviour) in both hosts.
    pub traps: u64,
    /// Calls stopped by the lifted-value size limit in both hosts.
    pub limits: u64,
}

/// Runs cases through both hosts; keeps one Node process.
pub struct Probe {
    pub stats: Stats,
    node: Option<NodeHost>,
    dir: PathBuf,
    counter: usize,
    /// Per case, for each host.
    pub time_limit: Duration,
}

impl Probe {
    pub fn new() -> Probe {
        let dir = std::env::temp_dir().join(format!("intertype-probe-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a temporary directory");
        Probe {
            stats: Stats::default(),
            node: None,
            dir,
            counter: 0,
            time_limit: Duration::from_secs(20),
        }
    }

    /// Generates a case from `data` and checks it; panics on a finding.
    pub fn check_bytes(&mut self, data: &[u8]) {
        let case = generate(data);
        self.check(&case);
    }

    /// Checks one case: it must load (it is valid), every call must end in a
    /// value or a typed error in time, and the engine and the glue must
    /// agree. Panics with the module text otherwise.
    pub fn check(&mut self, case: &Case) {
        let fail = |what: String| -> ! {
            // The module is large (its memory is data): keep it in a file.
            let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/probe-findings");
            let _ = std::fs::create_dir_all(&dir);
            let file = dir.join(format!("finding-{}.wat", std::process::id()));
            let _ = std::fs::write(&file, &case.wat);
            panic!("{what}\n(module: {})", file.display())
        };
        let wasm = match intertype::parse_str(&case.wat, None) {
            Ok(w) => w,
            Err(e) => fail(format!("a generated module does not parse: {e}")),
        };
        if let Err(e) = intertype::validate_module(&wasm) {
            // Some generated combinations are invalid (an empty name where
            // one is required, a type too large): skip them, but they must
            // be errors, not panics.
            let _ = e;
            self.stats.invalid += 1;
            return;
        }
        let start = Instant::now();
        let engine = engine_outcomes(&wasm, &case.exports);
        if start.elapsed() > self.time_limit {
            fail(format!("the engine took {:?}", start.elapsed()));
        }
        self.counter += 1;
        let base = format!("m{}", self.counter);
        let glue =
            match intertype_js::generate(&wasm, &intertype_js::Options { name: base.clone() }) {
                Ok(g) => g,
                Err(e) => fail(format!(
                    "the engine loads the module but bindgen fails: {e}"
                )),
            };
        let module = intertype::Module::from_binary(&wasm).expect("valid");
        let iface = intertype_js::interface::interface_json(&module);
        let write = |ext: &str, data: &[u8]| {
            std::fs::write(self.dir.join(format!("{base}.{ext}")), data).expect("writing glue")
        };
        write("js", glue.js.as_bytes());
        write("wasm", &glue.wasm);
        write("interface.json", iface.to_string().as_bytes());
        if self.node.as_ref().is_none_or(|n| n.served >= 300) {
            self.node = None;
            self.node = Some(NodeHost::start().expect("node runs (scripts/setup.sh installs it)"));
        }
        let node = self.node.as_mut().expect("started");
        let js = match node.run(&self.dir, &base, &case.exports, self.time_limit) {
            Ok(o) => o,
            Err(e) => {
                self.node = None;
                fail(format!("the JS host failed: {e}"))
            }
        };
        for ext in ["js", "wasm", "interface.json"] {
            let _ = std::fs::remove_file(self.dir.join(format!("{base}.{ext}")));
        }
        for ((name, e), j) in case.exports.iter().zip(&engine).zip(&js) {
            let same = match (e, j) {
                (Outcome::Value(a), Outcome::Value(b)) => same_json(a, b),
                (Outcome::Error(a, _), Outcome::Error(b, _)) => a == b,
                _ => false,
            };
            if !same {
                fail(format!(
                    "the hosts disagree on export {name:?}:\n  engine: {e:?}\n  JS:     {j:?}"
                ));
            }
        }
        self.stats.modules += 1;
        for (name, o) in case.exports.iter().zip(&engine) {
            match o {
                Outcome::Value(_) => self.stats.values += 1,
                Outcome::Error(cat, _) if cat == "trap" => self.stats.traps += 1,
                Outcome::Error(cat, _) if cat == "limit" => self.stats.limits += 1,
                _ => {}
            }
            if let Outcome::Error(cat, msg) = o {
                if !matches!(cat.as_str(), "trap" | "limit") {
                    fail(format!(
                        "export {name:?}: an untyped or unexpected error {cat}: {msg}"
                    ));
                }
            }
        }
    }
}

/// JSON equality, except that floats may differ in the last bits: the JS
/// side's numbers arrive as text, which `serde_json` parses to within an
/// ulp or so, not always exactly.
fn same_json(a: &Json, b: &Json) -> bool {
    match (a, b) {
        (Json::Number(x), Json::Number(y)) => match (x.as_f64(), y.as_f64()) {
            (Some(x), Some(y)) if x.is_finite() && y.is_finite() => {
                x == y || (x - y).abs() <= 1e-12 * x.abs().max(y.abs()) || (x - y).abs() < 1e-300
            }
            _ => x == y,
        },
        (Json::Array(x), Json::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same_json(a, b))
        }
        (Json::Object(x), Json::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| same_json(v, w)))
        }
        _ => a == b,
    }
}

impl Default for Probe {
    fn default() -> Self {
        Probe::new()
    }
}

impl Drop for Probe {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
