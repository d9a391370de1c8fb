//! The syntax of `(@interface …)` items, as parsed (before name resolution).

use super::instrs::{parse_body, parse_operand, Instr, Operand};
use crate::types::ValType;
use wast::parser::{Parser, Result};
use wast::token::{Id, Index, Span};

pub(super) mod kw {
    wast::custom_keyword!(implement);
    wast::custom_keyword!(func);
    wast::custom_keyword!(import);
    wast::custom_keyword!(export);
    wast::custom_keyword!(param);
    wast::custom_keyword!(result);
    wast::custom_keyword!(r#type = "type");
    wast::custom_keyword!(error);
    wast::custom_keyword!(doc);
    wast::custom_keyword!(param_names = "param-names");
}

pub(super) mod annotation {
    wast::annotation!(interface);
}

/// Limit on nested inline type definitions, so hostile input cannot overflow
/// the stack of the recursive parser or resolver.
const MAX_TYPE_DEPTH: usize = 100;

/// One `(@interface …)` item, in text order.
pub(super) enum Item<'a> {
    Type(TypeItem<'a>),
    Import(ImportItem<'a>),
    Func(FuncItem<'a>),
    Export(ExportItem<'a>),
    Implement(ImplementItem<'a>),
    Doc(DocItem<'a>),
    ParamNames(ParamNamesItem<'a>),
}

/// `(@interface param-names (func <idx>) "name"*)`: the parameter names of
/// an adapter function, one string per parameter (`""` for an unnamed one).
pub(super) struct ParamNamesItem<'a> {
    pub span: Span,
    pub func: Index<'a>,
    pub names: Vec<&'a str>,
}

/// `(@interface doc (func <idx>) "text")`: documentation of an adapter
/// function (the docs subsection).
pub(super) struct DocItem<'a> {
    pub span: Span,
    pub func: Index<'a>,
    pub text: &'a str,
}

/// `(@interface type $id? <typedef>)`.
pub(super) struct TypeItem<'a> {
    pub id: Option<Id<'a>>,
    pub def: TypeDefAst<'a>,
}

/// `(@interface import "m" "n" (func $id? <typeuse>))`, or the sugar
/// `(@interface func $id? (export "x")* (import "m" "n") <typeuse>)`.
pub(super) struct ImportItem<'a> {
    pub id: Option<Id<'a>>,
    pub module: &'a str,
    pub name: &'a str,
    pub exports: Vec<&'a str>,
    pub ty: TypeUse<'a>,
}

/// `(@interface func $id? (export "x")* <typeuse> instr*)`.
pub(super) struct FuncItem<'a> {
    pub id: Option<Id<'a>>,
    pub exports: Vec<&'a str>,
    pub ty: TypeUse<'a>,
    pub body: Vec<Instr<'a>>,
}

/// `(@interface export "x" (func <idx>))`.
pub(super) struct ExportItem<'a> {
    pub name: &'a str,
    pub func: Index<'a>,
}

/// `(@interface implement <what> <how>)`.
pub(super) struct ImplementItem<'a> {
    pub core: CoreTarget<'a>,
    pub adapter: AdapterImpl<'a>,
}

/// The core function an `implement` provides.
pub(super) enum CoreTarget<'a> {
    /// `(func <core-idx>)`.
    Func(Operand<'a>),
    /// `(import "m" "n")`: the core function import with that name.
    Import {
        span: Span,
        module: &'a str,
        name: &'a str,
    },
}

/// The adapter an `implement` uses.
pub(super) enum AdapterImpl<'a> {
    /// `(func <adapter-idx>)`.
    Func(Index<'a>),
    /// `<typeuse> instr*`: an anonymous adapter defined in place.
    Inline {
        ty: TypeUse<'a>,
        body: Vec<Instr<'a>>,
    },
}

/// `(type <idx>)? (param $id? T*)* (result T*)*`.
pub(super) struct TypeUse<'a> {
    pub index: Option<Index<'a>>,
    pub params: Vec<Param<'a>>,
    pub results: Vec<ValTypeAst<'a>>,
}

impl TypeUse<'_> {
    /// Whether a signature is written inline (next to or instead of `(type)`).
    pub fn has_inline(&self) -> bool {
        !self.params.is_empty() || !self.results.is_empty()
    }
}

pub(super) struct Param<'a> {
    pub id: Option<Id<'a>>,
    pub ty: ValTypeAst<'a>,
}

/// A type definition as written.
pub(super) enum TypeDefAst<'a> {
    Func {
        params: Vec<Param<'a>>,
        results: Vec<ValTypeAst<'a>>,
    },
    Record(Vec<(&'a str, ValTypeAst<'a>)>),
    Variant(Vec<(&'a str, Option<ValTypeAst<'a>>)>),
    Enum(Vec<&'a str>),
    Flags(Vec<&'a str>),
    List(Box<ValTypeAst<'a>>),
    Option(Box<ValTypeAst<'a>>),
    Result {
        ok: Option<Box<ValTypeAst<'a>>>,
        err: Option<Box<ValTypeAst<'a>>>,
    },
    Tuple(Vec<ValTypeAst<'a>>),
}

/// A value type as written.
pub(super) enum ValTypeAst<'a> {
    Prim(ValType),
    /// `$t`, `(type $t)` or `(type N)`.
    Ref(Index<'a>),
    /// An anonymous `<typedef>` in place (never a `func`).
    Inline(Box<TypeDefAst<'a>>),
}

/// The keywords that start a non-function `<typedef>`.
const TYPEDEF_KEYWORDS: &[&str] = &[
    "record", "variant", "enum", "flags", "list", "option", "result", "tuple",
];

/// Parses the inside of `(@interface …)`.
pub(super) fn parse_item<'a>(p: Parser<'a>) -> Result<Item<'a>> {
    p.parse::<annotation::interface>()?;
    let mut l = p.lookahead1();
    if l.peek::<kw::r#type>()? {
        p.parse::<kw::r#type>()?;
        let id = p.parse()?;
        let def = p.parens(|p| {
            let (kw, span) = keyword(p, "expected `func` or a type definition")?;
            if kw == "func" {
                let (params, results) = parse_signature(p)?;
                if !p.is_empty() {
                    return Err(p.error("expected `(param …)` or `(result …)`"));
                }
                Ok(TypeDefAst::Func { params, results })
            } else {
                parse_typedef_body(p, kw, span)
            }
        })?;
        return Ok(Item::Type(TypeItem { id, def }));
    }
    if l.peek::<kw::import>()? {
        p.parse::<kw::import>()?;
        let module = p.parse()?;
        let name = p.parse()?;
        let (id, ty) = p.parens(|p| {
            p.parse::<kw::func>()?;
            let id = p.parse()?;
            let ty = parse_type_use(p)?;
            Ok((id, ty))
        })?;
        if !p.is_empty() {
            return Err(p.error("unexpected token after the imported function"));
        }
        return Ok(Item::Import(ImportItem {
            id,
            module,
            name,
            exports: Vec::new(),
            ty,
        }));
    }
    if l.peek::<kw::doc>()? {
        let span = p.parse::<kw::doc>()?.0;
        let func = p.parens(|p| {
            p.parse::<kw::func>()?;
            p.parse()
        })?;
        let text = p.parse()?;
        return Ok(Item::Doc(DocItem { span, func, text }));
    }
    if l.peek::<kw::param_names>()? {
        let span = p.parse::<kw::param_names>()?.0;
        let func = p.parens(|p| {
            p.parse::<kw::func>()?;
            p.parse()
        })?;
        let mut names = Vec::new();
        while !p.is_empty() {
            names.push(p.parse()?);
        }
        return Ok(Item::ParamNames(ParamNamesItem { span, func, names }));
    }
    if l.peek::<kw::export>()? {
        p.parse::<kw::export>()?;
        let name = p.parse()?;
        let func = p.parens(|p| {
            p.parse::<kw::func>()?;
            p.parse()
        })?;
        return Ok(Item::Export(ExportItem { name, func }));
    }
    if l.peek::<kw::func>()? {
        p.parse::<kw::func>()?;
        let id = p.parse()?;
        let mut exports = Vec::new();
        while p.peek2::<kw::export>()? {
            exports.push(p.parens(|p| {
                p.parse::<kw::export>()?;
                p.parse()
            })?);
        }
        if p.peek2::<kw::import>()? {
            let (module, name) = p.parens(|p| {
                p.parse::<kw::import>()?;
                Ok((p.parse()?, p.parse()?))
            })?;
            let ty = parse_type_use(p)?;
            if !p.is_empty() {
                return Err(p.error("an imported function has no body"));
            }
            return Ok(Item::Import(ImportItem {
                id,
                module,
                name,
                exports,
                ty,
            }));
        }
        let ty = parse_type_use(p)?;
        let body = parse_body(p)?;
        return Ok(Item::Func(FuncItem {
            id,
            exports,
            ty,
            body,
        }));
    }
    if l.peek::<kw::implement>()? {
        p.parse::<kw::implement>()?;
        let core = p.parens(|p| {
            let mut l = p.lookahead1();
            if l.peek::<kw::func>()? {
                p.parse::<kw::func>()?;
                match parse_operand(p)? {
                    Some(op) => Ok(CoreTarget::Func(op)),
                    None => Err(p.error("expected a core function index, `$id` or export name")),
                }
            } else if l.peek::<kw::import>()? {
                let span = p.parse::<kw::import>()?.0;
                Ok(CoreTarget::Import {
                    span,
                    module: p.parse()?,
                    name: p.parse()?,
                })
            } else {
                Err(l.error())
            }
        })?;
        let adapter = if p.peek2::<kw::func>()? {
            let idx = p.parens(|p| {
                p.parse::<kw::func>()?;
                p.parse()
            })?;
            if !p.is_empty() {
                return Err(p.error("unexpected token after the adapter function"));
            }
            AdapterImpl::Func(idx)
        } else {
            AdapterImpl::Inline {
                ty: parse_type_use(p)?,
                body: parse_body(p)?,
            }
        };
        return Ok(Item::Implement(ImplementItem { core, adapter }));
    }
    Err(l.error())
}

/// `(type <idx>)? (param …)* (result …)*`.
pub(super) fn parse_type_use<'a>(p: Parser<'a>) -> Result<TypeUse<'a>> {
    let index = if p.peek2::<kw::r#type>()? {
        Some(p.parens(|p| {
            p.parse::<kw::r#type>()?;
            p.parse()
        })?)
    } else {
        None
    };
    let (params, results) = parse_signature(p)?;
    Ok(TypeUse {
        index,
        params,
        results,
    })
}

/// `(param $id? T*)* (result T*)*`; a named param has exactly one type.
fn parse_signature<'a>(p: Parser<'a>) -> Result<(Vec<Param<'a>>, Vec<ValTypeAst<'a>>)> {
    let mut params = Vec::new();
    let mut results = Vec::new();
    while p.peek2::<kw::param>()? {
        p.parens(|p| {
            p.parse::<kw::param>()?;
            if let Some(id) = p.parse::<Option<Id<'a>>>()? {
                // `(param $t)` alone is an unnamed parameter of type `$t`; a
                // named parameter always has its type after the name.
                if p.is_empty() {
                    params.push(Param {
                        id: None,
                        ty: ValTypeAst::Ref(Index::Id(id)),
                    });
                    return Ok(());
                }
                let ty = parse_valtype(p)?;
                params.push(Param { id: Some(id), ty });
                if !p.is_empty() {
                    return Err(p.error("a named parameter has exactly one type"));
                }
            } else {
                while !p.is_empty() {
                    params.push(Param {
                        id: None,
                        ty: parse_valtype(p)?,
                    });
                }
            }
            Ok(())
        })?;
    }
    while p.peek2::<kw::result>()? {
        p.parens(|p| {
            p.parse::<kw::result>()?;
            while !p.is_empty() {
                results.push(parse_valtype(p)?);
            }
            Ok(())
        })?;
    }
    if p.peek2::<kw::param>()? {
        return Err(p.error("parameters must come before results"));
    }
    Ok((params, results))
}

/// A value type: a keyword, `$t`, `(type <idx>)` or an inline `<typedef>`.
pub(super) fn parse_valtype<'a>(p: Parser<'a>) -> Result<ValTypeAst<'a>> {
    if p.peek::<Id<'a>>()? {
        return Ok(ValTypeAst::Ref(Index::Id(p.parse()?)));
    }
    if p.peek::<wast::token::LParen>()? {
        // Counted from the outermost inline type (not from the module), so
        // exactly the documented 100 levels parse; one more paren is allowed
        // for a `(type …)` reference innermost, and the validator reports
        // definitions that nest deeper with their index.
        let depth = INLINE_TYPE_DEPTH.with(|d| d.get());
        if depth > MAX_TYPE_DEPTH {
            return Err(p.error("type definitions nested too deeply"));
        }
        INLINE_TYPE_DEPTH.with(|d| d.set(depth + 1));
        let parsed = parse_inline_type(p);
        INLINE_TYPE_DEPTH.with(|d| d.set(depth));
        return parsed;
    }
    parse_keyword_valtype(p)
}

thread_local! {
    /// Inline type definitions open around the one being parsed.
    static INLINE_TYPE_DEPTH: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

fn parse_inline_type<'a>(p: Parser<'a>) -> Result<ValTypeAst<'a>> {
    p.parens(|p| {
        let (kw, span) = keyword(p, "expected `type` or a type definition")?;
        match kw {
            "type" => Ok(ValTypeAst::Ref(p.parse()?)),
            "func" => Err(p.error_at(
                span,
                "a function type is not a value type; declare it with `(@interface type …)`",
            )),
            _ => Ok(ValTypeAst::Inline(Box::new(parse_typedef_body(
                p, kw, span,
            )?))),
        }
    })
}

fn parse_keyword_valtype<'a>(p: Parser<'a>) -> Result<ValTypeAst<'a>> {
    p.step(|c| {
        if let Some((kw, rest)) = c.keyword()? {
            if let Some(t) = ValType::from_keyword(kw) {
                return Ok((ValTypeAst::Prim(t), rest));
            }
            let mut msg = format!("unknown value type `{kw}`");
            let all = ValType::REFERENCE
                .iter()
                .chain(&[ValType::Bool, ValType::Char])
                .filter_map(|t| t.keyword())
                .chain(["anyref"]);
            if let Some(s) = super::suggest(kw, all) {
                msg.push_str(&format!(" (did you mean `{s}`?)"));
            }
            return Err(c.error(msg));
        }
        Err(c.error("expected a value type"))
    })
}

/// The rest of `(<kw> …)` for a non-function type definition keyword.
fn parse_typedef_body<'a>(p: Parser<'a>, kw: &'a str, span: Span) -> Result<TypeDefAst<'a>> {
    let def = match kw {
        "record" => {
            let mut fields = Vec::new();
            while !p.is_empty() {
                fields.push(p.parens(|p| {
                    expect_keyword(p, "field")?;
                    let name = p.parse()?;
                    Ok((name, parse_valtype(p)?))
                })?);
            }
            TypeDefAst::Record(fields)
        }
        "variant" => {
            let mut cases = Vec::new();
            while !p.is_empty() {
                cases.push(p.parens(|p| {
                    expect_keyword(p, "case")?;
                    let name = p.parse()?;
                    let ty = if p.is_empty() {
                        None
                    } else {
                        Some(parse_valtype(p)?)
                    };
                    Ok((name, ty))
                })?);
            }
            TypeDefAst::Variant(cases)
        }
        "enum" | "flags" => {
            let mut names = Vec::new();
            while !p.is_empty() {
                names.push(p.parse()?);
            }
            if kw == "enum" {
                TypeDefAst::Enum(names)
            } else {
                TypeDefAst::Flags(names)
            }
        }
        "list" => TypeDefAst::List(Box::new(parse_valtype(p)?)),
        "option" => TypeDefAst::Option(Box::new(parse_valtype(p)?)),
        "result" => {
            let ok = if p.is_empty() || p.peek2::<kw::error>()? {
                None
            } else {
                Some(Box::new(parse_valtype(p)?))
            };
            let err = if p.is_empty() {
                None
            } else {
                Some(Box::new(p.parens(|p| {
                    p.parse::<kw::error>()?;
                    parse_valtype(p)
                })?))
            };
            TypeDefAst::Result { ok, err }
        }
        "tuple" => {
            let mut types = Vec::new();
            while !p.is_empty() {
                types.push(parse_valtype(p)?);
            }
            TypeDefAst::Tuple(types)
        }
        _ => {
            let mut msg = format!("unknown type definition `{kw}`");
            if let Some(s) = super::suggest(kw, TYPEDEF_KEYWORDS.iter().copied()) {
                msg.push_str(&format!(" (did you mean `{s}`?)"));
            }
            return Err(p.error_at(span, msg));
        }
    };
    Ok(def)
}

/// Reads one keyword, with its span.
fn keyword<'a>(p: Parser<'a>, what: &str) -> Result<(&'a str, Span)> {
    p.step(|c| match c.keyword()? {
        Some((kw, rest)) => Ok(((kw, c.cur_span()), rest)),
        None => Err(c.error(what)),
    })
}

fn expect_keyword(p: Parser<'_>, expected: &str) -> Result<()> {
    p.step(|c| match c.keyword()? {
        Some((kw, rest)) if kw == expected => Ok(((), rest)),
        _ => Err(c.error(format!("expected `{expected}`"))),
    })
}
