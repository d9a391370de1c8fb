//! Adapter instructions as written: both the reference (wit-text 0.8) and the
//! 2019 article spellings, and the extension instructions.

use super::ast::{parse_valtype, ValTypeAst};
use crate::instr::Conversion;
use crate::types::StringEncoding;
use wast::parser::{Parser, Result};
use wast::token::{Id, Index, Span};

/// A core function or memory operand: an index, a `$id`, or the name of a core
/// export (the article's spelling).
#[derive(Clone, Copy)]
pub(super) enum Operand<'a> {
    Index(Index<'a>),
    Export(&'a str, Span),
}

pub(super) struct Instr<'a> {
    /// The mnemonic's position.
    pub span: Span,
    pub kind: InstrKind<'a>,
}

/// The `value.*` extension instructions, which share their immediates.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum ValueOp {
    Lift,
    Lower,
    Load,
    Store,
    StoreNew,
}

impl ValueOp {
    fn needs_malloc(self) -> bool {
        matches!(self, ValueOp::Lower | ValueOp::Store | ValueOp::StoreNew)
    }
}

pub(super) enum InstrKind<'a> {
    ArgGet(Index<'a>),
    CallCore(Operand<'a>),
    CallAdapter(Index<'a>),
    DeferCallCore(Operand<'a>),
    MemoryToString {
        encoding: StringEncoding,
        mem: Option<Operand<'a>>,
    },
    /// The operand order is settled during resolution: the reference writes
    /// `$malloc $mem?`, the article `"mem" "malloc"`.
    StringToMemory {
        encoding: StringEncoding,
        first: Operand<'a>,
        second: Option<Operand<'a>>,
    },
    Convert(Conversion),
    RecordLift(ValTypeAst<'a>),
    RecordLower(ValTypeAst<'a>),
    Value {
        op: ValueOp,
        ty: ValTypeAst<'a>,
        malloc: Option<Operand<'a>>,
        encoding: StringEncoding,
        mem: Option<Operand<'a>>,
    },
}

/// Every mnemonic the parser accepts other than the conversions.
const MNEMONICS: &[&str] = &[
    "arg.get",
    "call-core",
    "call-export",
    "call-adapter",
    "call-import",
    "defer-call-core",
    "memory-to-string",
    "string-to-memory",
    "record.lift",
    "record.lower",
    "value.lift",
    "value.lower",
    "value.load",
    "value.store",
    "value.store_new",
];

/// Instructions until the end of the enclosing parentheses.
pub(super) fn parse_body<'a>(p: Parser<'a>) -> Result<Vec<Instr<'a>>> {
    let mut body = Vec::new();
    while !p.is_empty() {
        body.push(parse_instr(p)?);
    }
    Ok(body)
}

fn parse_instr<'a>(p: Parser<'a>) -> Result<Instr<'a>> {
    let (name, span) = p.step(|c| {
        if let Some((kw, rest)) = c.keyword()? {
            return Ok(((kw, c.cur_span()), rest));
        }
        if c.peek_lparen()? {
            return Err(c.error(
                "expected an instruction: folded instructions are not supported, \
                 write adapter instructions one after another",
            ));
        }
        Err(c.error("expected an instruction"))
    })?;
    let kind = match name {
        "arg.get" => InstrKind::ArgGet(p.parse()?),
        "call-core" | "call-export" => InstrKind::CallCore(required_operand(p, "a core function")?),
        "call-adapter" | "call-import" => InstrKind::CallAdapter(p.parse()?),
        "defer-call-core" => InstrKind::DeferCallCore(required_operand(p, "a core function")?),
        "memory-to-string" => {
            let encoding = parse_encoding(p)?;
            let mem = parse_operand(p)?;
            InstrKind::MemoryToString {
                encoding: encoding.unwrap_or_default(),
                mem,
            }
        }
        "string-to-memory" => {
            let first = required_operand(p, "an allocator function")?;
            let mut encoding = parse_encoding(p)?;
            let second = parse_operand(p)?;
            if encoding.is_none() {
                encoding = parse_encoding(p)?;
            }
            InstrKind::StringToMemory {
                encoding: encoding.unwrap_or_default(),
                first,
                second,
            }
        }
        "record.lift" => InstrKind::RecordLift(parse_valtype(p)?),
        "record.lower" => InstrKind::RecordLower(parse_valtype(p)?),
        "value.lift" | "value.lower" | "value.load" | "value.store" | "value.store_new" => {
            let op = match name {
                "value.lift" => ValueOp::Lift,
                "value.lower" => ValueOp::Lower,
                "value.load" => ValueOp::Load,
                "value.store" => ValueOp::Store,
                _ => ValueOp::StoreNew,
            };
            let ty = parse_valtype(p)?;
            let malloc = if op.needs_malloc() {
                Some(required_operand(p, "an allocator function")?)
            } else {
                None
            };
            let encoding = parse_encoding(p)?.unwrap_or_default();
            let mem = parse_operand(p)?;
            InstrKind::Value {
                op,
                ty,
                malloc,
                encoding,
                mem,
            }
        }
        _ => match Conversion::from_name(name) {
            Some(c) => InstrKind::Convert(c),
            None => {
                let mut msg = format!("unknown instruction `{name}`");
                let all = MNEMONICS
                    .iter()
                    .copied()
                    .chain(Conversion::ALL.iter().map(|c| c.name()));
                if let Some(s) = super::suggest(name, all) {
                    msg.push_str(&format!(" (did you mean `{s}`?)"));
                }
                return Err(p.error_at(span, msg));
            }
        },
    };
    Ok(Instr { span, kind })
}

/// An optional core operand: a number, `$id` or export-name string.
pub(super) fn parse_operand<'a>(p: Parser<'a>) -> Result<Option<Operand<'a>>> {
    if p.peek::<&[u8]>()? {
        let span = p.cur_span();
        return Ok(Some(Operand::Export(p.parse()?, span)));
    }
    if p.peek::<Id<'a>>()? || p.peek::<u32>()? {
        return Ok(Some(Operand::Index(p.parse()?)));
    }
    Ok(None)
}

fn required_operand<'a>(p: Parser<'a>, what: &str) -> Result<Operand<'a>> {
    match parse_operand(p)? {
        Some(op) => Ok(op),
        None => Err(p.error(format!(
            "expected {what}: an index, a `$id` or a core export name in quotes"
        ))),
    }
}

/// An optional string-encoding keyword (`utf8`, `utf16`, `latin1`).
fn parse_encoding(p: Parser<'_>) -> Result<Option<StringEncoding>> {
    p.step(|c| {
        if let Some((kw, rest)) = c.keyword()? {
            if let Some(e) = StringEncoding::from_keyword(kw) {
                return Ok((Some(e), rest));
            }
        }
        Ok((None, c))
    })
}
