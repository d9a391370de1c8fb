//! The arguments of `intertype run MODULE 'f(…)'`: WAVE text checked against
//! the function's parameter types, with errors that say what was expected,
//! what was found, and where in the user's own text (a caret under it).
//!
//! Stricter than WAVE's generic typed conversion on purpose: a number out of
//! range names the range, a float literal that overflows (`1e400`) is an
//! error rather than infinity, an unknown record field or flag is an error
//! rather than ignored.

use anyhow::{bail, Result};
use intertype_runtime::{Type, Value};
use std::ops::Range;
use wasm_wave::ast::{Node, NodeType};
use wasm_wave::untyped::UntypedFuncCall;

/// A call split into the function name and its parsed arguments.
pub struct Call {
    pub name: String,
    /// The text WAVE parsed: `f(…)`, where `f` stands for the name.
    source: String,
    parsed: UntypedFuncCall<'static>,
    /// Add to a span in `source` to get the byte position in the user's text.
    shift: usize,
    /// The user's text.
    text: String,
}

/// An argument error, located in the user's text.
struct ArgError {
    span: Range<usize>,
    message: String,
}

/// How messages name the function: its signature with parameter names, and
/// each parameter's label.
pub struct Described {
    pub signature: String,
    pub labels: Vec<String>,
}

type ArgResult<T> = std::result::Result<T, ArgError>;

/// Splits `name(args…)`. The name is taken verbatim (export names such as
/// `i32_to_s8` are not WAVE labels); the arguments are parsed as WAVE.
pub fn parse(call: &str) -> Result<Call> {
    let (name, paren) = match call.find('(') {
        Some(i) => (call[..i].trim(), i),
        None => (call.trim(), call.len()),
    };
    if name.is_empty() {
        bail!("invalid call `{call}`: expected `name(arguments…)`");
    }
    let rest = &call[paren..];
    let source = format!("f{rest}");
    let shift = paren.saturating_sub(1);
    let parsed = match UntypedFuncCall::parse(&source) {
        Ok(p) => p.into_owned(),
        Err(e) => {
            let what = match e.detail() {
                Some(d) => format!("{}: {d}", e.kind()),
                None => e.kind().to_string(),
            };
            let span = e.span().start + shift..e.span().end + shift;
            bail!("{}", render(call, span, &format!("invalid call: {what}")));
        }
    };
    Ok(Call {
        name: name.to_string(),
        source,
        parsed,
        shift,
        text: call.to_string(),
    })
}

impl Call {
    /// The arguments as values of `params`. Trailing `option` arguments may
    /// be left out (they are `none`), as in WAVE.
    pub fn values(&self, params: &[Type], described: &Described) -> Result<Vec<Value>> {
        self.convert(params).map_err(|(arg, e)| {
            let span = e.span.start + self.shift..e.span.end + self.shift;
            let (name, signature) = (&self.name, &described.signature);
            let what = match arg.and_then(|i| Some((i, described.labels.get(i)?))) {
                Some((i, label)) => {
                    format!("bad argument `{label}` (parameter {i}) for `{name}: {signature}`")
                }
                None => format!("bad arguments for `{name}: {signature}`"),
            };
            anyhow::anyhow!(
                "{}",
                render(&self.text, span, &format!("{what}: {}", e.message))
            )
        })
    }

    /// The values, or the error with the index of the argument it is in.
    fn convert(&self, params: &[Type]) -> Result<Vec<Value>, (Option<usize>, ArgError)> {
        let src = self.source.as_str();
        let nodes: Vec<&Node> = match self.parsed.params_node() {
            Some(n) => match n.as_tuple() {
                Ok(it) => it.collect(),
                Err(_) => vec![n],
            },
            None => Vec::new(),
        };
        let whole = 1..src.len();
        if nodes.len() > params.len() {
            let extra = nodes[params.len()].span();
            return Err((
                None,
                ArgError {
                    span: extra,
                    message: format!(
                        "expected {} argument{}, found {}",
                        params.len(),
                        if params.len() == 1 { "" } else { "s" },
                        nodes.len()
                    ),
                },
            ));
        }
        let mut out = Vec::with_capacity(params.len());
        for (i, ty) in params.iter().enumerate() {
            match nodes.get(i) {
                Some(node) => out.push(value(node, ty, src).map_err(|e| (Some(i), e))?),
                None if matches!(ty, Type::Option(_)) => out.push(Value::Option(None)),
                None => {
                    return Err((
                        None,
                        ArgError {
                            span: whole,
                            message: format!(
                                "expected {} argument{}, found {} (argument {} is a `{ty}`)",
                                params.len(),
                                if params.len() == 1 { "" } else { "s" },
                                nodes.len(),
                                i + 1
                            ),
                        },
                    ))
                }
            }
        }
        Ok(out)
    }
}

/// `message`, then the user's text (a window of it) with a caret line under
/// `span`.
fn render(text: &str, span: Range<usize>, message: &str) -> String {
    const RADIUS: usize = 60;
    let start = span.start.min(text.len());
    let end = span.end.clamp(start, text.len());
    // Work in chars so the caret lines up and nothing splits a character.
    let col = text[..floor(text, start)].chars().count();
    let width = text[floor(text, start)..floor(text, end)]
        .chars()
        .count()
        .max(1);
    let first = col.saturating_sub(RADIUS);
    let mut shown: String = text
        .chars()
        .skip(first)
        .take(2 * RADIUS + width.min(2 * RADIUS))
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let mut pad = col - first;
    if first > 0 {
        shown.insert(0, '…');
        pad += 1;
    }
    let carets = "^".repeat(width.min(2 * RADIUS));
    format!(
        "{message}\n  |\n  | {shown}\n  | {}{carets}",
        " ".repeat(pad)
    )
}

fn floor(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn found(node: &Node, src: &str) -> String {
    let text = &src[node.span()];
    let mut short: String = text.chars().take(40).collect();
    if short.len() < text.len() {
        short.push('…');
    }
    match node.ty() {
        NodeType::Number
        | NodeType::BoolTrue
        | NodeType::BoolFalse
        | NodeType::Char
        | NodeType::Label => format!("`{short}`"),
        NodeType::String | NodeType::MultilineString => format!("the string {short}"),
        NodeType::Tuple => "a tuple".into(),
        NodeType::List => "a list".into(),
        NodeType::Record => "a record".into(),
        NodeType::VariantWithPayload => format!("the case `{short}`"),
        NodeType::OptionSome | NodeType::OptionNone => "an option".into(),
        NodeType::ResultOk | NodeType::ResultErr => "a result".into(),
        NodeType::Flags => "flags".into(),
    }
}

fn mismatch(node: &Node, src: &str, expected: &str) -> ArgError {
    ArgError {
        span: node.span(),
        message: format!("expected {expected}, found {}", found(node, src)),
    }
}

/// An integer argument of `ty` in `lo..=hi`.
fn int(node: &Node, src: &str, what: &str, lo: i128, hi: i128) -> ArgResult<i128> {
    let expected = format!("{what} (an integer from {lo} to {hi})");
    if node.ty() != NodeType::Number {
        return Err(mismatch(node, src, &expected));
    }
    let text = &src[node.span()];
    let x: i128 = text.parse().map_err(|_| mismatch(node, src, &expected))?;
    if x < lo || x > hi {
        return Err(ArgError {
            span: node.span(),
            message: format!("{x} is out of range for {what} ({lo} to {hi})"),
        });
    }
    Ok(x)
}

/// A float argument; `inf`, `-inf` and `nan` are written as such, and a
/// literal too large for the type is an error, not infinity.
fn float(node: &Node, src: &str, what: &str, max: f64) -> ArgResult<f64> {
    if node.ty() != NodeType::Number {
        return Err(mismatch(node, src, what));
    }
    let text = &src[node.span()];
    let x: f64 = text.parse().map_err(|_| mismatch(node, src, what))?;
    let literal_infinite = matches!(text, "inf" | "-inf" | "nan");
    if !literal_infinite && (x.is_infinite() || x.abs() > max) {
        return Err(ArgError {
            span: node.span(),
            message: format!(
                "{text} is out of range for {what} (write `inf` or `-inf` for infinity)"
            ),
        });
    }
    Ok(x)
}

fn label<'s>(node: &Node, src: &'s str) -> Option<&'s str> {
    if node.ty() != NodeType::Label {
        return None;
    }
    let l = &src[node.span()];
    Some(l.strip_prefix('%').unwrap_or(l))
}

fn names(list: impl IntoIterator<Item = impl AsRef<str>>) -> String {
    list.into_iter()
        .map(|n| format!("`{}`", n.as_ref()))
        .collect::<Vec<_>>()
        .join(", ")
}

fn value(node: &Node, ty: &Type, src: &str) -> ArgResult<Value> {
    Ok(match ty {
        Type::Bool => match node.ty() {
            NodeType::BoolTrue => Value::Bool(true),
            NodeType::BoolFalse => Value::Bool(false),
            _ => return Err(mismatch(node, src, "a bool (`true` or `false`)")),
        },
        Type::S8 => Value::S8(int(node, src, "an s8", -128, 127)? as i8),
        Type::U8 => Value::U8(int(node, src, "a u8", 0, 255)? as u8),
        Type::S16 => Value::S16(int(node, src, "an s16", -32768, 32767)? as i16),
        Type::U16 => Value::U16(int(node, src, "a u16", 0, 65535)? as u16),
        Type::S32 => Value::S32(int(node, src, "an s32", i32::MIN.into(), i32::MAX.into())? as i32),
        Type::I32 => Value::I32(int(node, src, "an i32", i32::MIN.into(), i32::MAX.into())? as i32),
        Type::U32 => Value::U32(int(node, src, "a u32", 0, u32::MAX.into())? as u32),
        Type::S64 => Value::S64(int(node, src, "an s64", i64::MIN.into(), i64::MAX.into())? as i64),
        Type::I64 => Value::I64(int(node, src, "an i64", i64::MIN.into(), i64::MAX.into())? as i64),
        Type::U64 => Value::U64(int(node, src, "a u64", 0, u64::MAX.into())? as u64),
        Type::F32 => Value::F32(float(node, src, "an f32", f32::MAX.into())? as f32),
        Type::F64 => Value::F64(float(node, src, "an f64", f64::MAX)?),
        Type::Char => Value::Char(
            node.as_char(src)
                .map_err(|_| mismatch(node, src, "a char (`'x'`)"))?,
        ),
        Type::String => Value::String(
            node.as_str(src)
                .map_err(|_| mismatch(node, src, "a string (`\"…\"`)"))?
                .into_owned(),
        ),
        Type::Externref => {
            return Err(ArgError {
                span: node.span(),
                message: "`externref` values cannot be written on the command line".into(),
            })
        }
        Type::List(elem) => {
            let items = node
                .as_list()
                .map_err(|_| mismatch(node, src, &format!("a list of `{elem}` (`[…]`)")))?;
            if **elem == Type::U8 {
                let mut bytes = Vec::with_capacity(items.len());
                for item in items {
                    bytes.push(int(item, src, "a u8", 0, 255)? as u8);
                }
                Value::Bytes(bytes)
            } else {
                Value::List(
                    items
                        .map(|item| value(item, elem, src))
                        .collect::<ArgResult<_>>()?,
                )
            }
        }
        Type::Record(fields) => {
            let given: Vec<(&str, &Node)> = node
                .as_record(src)
                .map_err(|_| mismatch(node, src, &format!("a record `{ty}`")))?
                .collect();
            for (name, v) in &given {
                if !fields.iter().any(|f| f.name == *name) {
                    return Err(ArgError {
                        span: v.span(),
                        message: format!(
                            "the record has no field `{name}`; its fields are {}",
                            names(fields.iter().map(|f| &f.name))
                        ),
                    });
                }
            }
            let mut out = Vec::with_capacity(fields.len());
            for f in fields {
                match given.iter().find(|(n, _)| *n == f.name) {
                    Some((_, v)) => out.push(value(v, &f.ty, src)?),
                    None if matches!(f.ty, Type::Option(_)) => out.push(Value::Option(None)),
                    None => {
                        return Err(ArgError {
                            span: node.span(),
                            message: format!("missing field `{}` (of type `{}`)", f.name, f.ty),
                        })
                    }
                }
            }
            Value::Record(out)
        }
        Type::Tuple(ts) => {
            let items: Vec<&Node> = node
                .as_tuple()
                .map_err(|_| mismatch(node, src, &format!("a tuple `{ty}`")))?
                .collect();
            if items.len() != ts.len() {
                return Err(ArgError {
                    span: node.span(),
                    message: format!(
                        "expected a tuple of {} values, found {}",
                        ts.len(),
                        items.len()
                    ),
                });
            }
            Value::Tuple(
                items
                    .iter()
                    .zip(ts)
                    .map(|(n, t)| value(n, t, src))
                    .collect::<ArgResult<_>>()?,
            )
        }
        Type::Variant(cases) => {
            let expected = || format!("a case of {}", names(cases.iter().map(|c| &c.name)));
            let (name, payload) = node
                .as_variant(src)
                .map_err(|_| mismatch(node, src, &expected()))?;
            let idx = cases
                .iter()
                .position(|c| c.name == name)
                .ok_or_else(|| mismatch(node, src, &expected()))?;
            let p = match (payload, &cases[idx].ty) {
                (Some(p), Some(t)) => Some(Box::new(value(p, t, src)?)),
                (None, None) => None,
                (Some(p), None) => {
                    return Err(ArgError {
                        span: p.span(),
                        message: format!("case `{name}` has no payload"),
                    })
                }
                (None, Some(t)) => {
                    return Err(ArgError {
                        span: node.span(),
                        message: format!("case `{name}` needs a payload: `{name}(…)` of `{t}`"),
                    })
                }
            };
            Value::Variant(idx as u32, p)
        }
        Type::Enum(ns) => {
            let expected = || format!("one of {}", names(ns));
            let name = label(node, src).ok_or_else(|| mismatch(node, src, &expected()))?;
            Value::Enum(
                ns.iter()
                    .position(|n| n == name)
                    .ok_or_else(|| mismatch(node, src, &expected()))? as u32,
            )
        }
        Type::Option(t) => match node.ty() {
            NodeType::OptionNone => Value::Option(None),
            NodeType::OptionSome => {
                let inner = node
                    .as_option()
                    .ok()
                    .flatten()
                    .ok_or_else(|| mismatch(node, src, "`some(…)` or `none`"))?;
                Value::Option(Some(Box::new(value(inner, t, src)?)))
            }
            _ => {
                return Err(mismatch(
                    node,
                    src,
                    &format!("`some(…)` or `none` (an `{ty}`)"),
                ))
            }
        },
        Type::Result { ok, err } => {
            let r = node
                .as_result()
                .map_err(|_| mismatch(node, src, "`ok(…)` or `err(…)`"))?;
            let conv = |p: Option<&Node>, t: Option<&Type>, case: &str| -> ArgResult<_> {
                Ok(match (p, t) {
                    (Some(p), Some(t)) => Some(Box::new(value(p, t, src)?)),
                    (None, None) => None,
                    (Some(p), None) => {
                        return Err(ArgError {
                            span: p.span(),
                            message: format!("`{case}` has no payload here"),
                        })
                    }
                    (None, Some(t)) => {
                        return Err(ArgError {
                            span: node.span(),
                            message: format!("`{case}` needs a payload of `{t}`"),
                        })
                    }
                })
            };
            Value::Result(match r {
                Ok(p) => Ok(conv(p, ok.as_deref(), "ok")?),
                Err(p) => Err(conv(p, err.as_deref(), "err")?),
            })
        }
        Type::Flags(ns) => {
            let given: Vec<&str> = node
                .as_flags(src)
                .map_err(|_| mismatch(node, src, &format!("flags `{{…}}` of {}", names(ns))))?
                .collect();
            let mut set = Vec::with_capacity(given.len());
            for g in given {
                let g = g.strip_prefix('%').unwrap_or(g);
                let i = ns.iter().position(|n| n == g).ok_or_else(|| ArgError {
                    span: node.span(),
                    message: format!("unknown flag `{g}`; the flags are {}", names(ns)),
                })?;
                set.push(i);
            }
            Value::flags(ns.len(), set)
        }
    })
}
