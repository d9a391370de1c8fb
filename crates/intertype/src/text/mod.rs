//! The text format: `(@interface …)` annotations inside a `.wat` module
//! (`docs/format.md` §4).
//!
//! The core module is parsed and encoded by `wast`; the interface items are
//! parsed here from the same token stream, resolved against the core module's
//! names and exports, and encoded as one `wasm-interface-types` custom section
//! appended after everything `wast` emits (where wit-text 0.8 puts it).
//!
//! Both spellings of the instructions are accepted: the reference's
//! (`call-core $f`, `memory-to-string $mem`, `string-to-memory $malloc $mem`)
//! and the 2019 article's (`call-export "f"`, `memory-to-string "mem"`,
//! `string-to-memory "mem" "malloc"`, `call-import $g`).

mod ast;
mod instrs;
mod resolve;

use crate::core::CoreModule;
use crate::{Booklet, Result, SECTION_NAME};
use ast::{annotation, parse_item, Item};
use std::path::Path;
use wast::core::{Module, ModuleField, ModuleKind};
use wast::parser::{self, Parse, ParseBuffer, Parser};
use wast::token::{Id, NameAnnotation, Span};

/// Parses module text into a binary module: the core module as `wast`
/// encodes it, followed by the interface section when the text has any
/// `(@interface …)` item (else the core module alone). `path` is used only
/// in error messages.
pub fn parse(text: &str, path: Option<&Path>) -> Result<Vec<u8>> {
    let parsed = parse_text(text, path)?;
    match parsed.booklet {
        None => Ok(parsed.core),
        Some(booklet) => crate::core::with_section(&parsed.core, &booklet.encode()),
    }
}

/// Like [`parse`], but returns the core module (without an interface section)
/// and the booklet separately; the booklet is empty when the text has no
/// `(@interface …)` item.
pub fn parse_booklet(text: &str, path: Option<&Path>) -> Result<(Vec<u8>, Booklet)> {
    let parsed = parse_text(text, path)?;
    Ok((parsed.core, parsed.booklet.unwrap_or_default()))
}

struct Parsed {
    core: Vec<u8>,
    /// `None` when there are no interface items at all.
    booklet: Option<Booklet>,
}

fn parse_text(text: &str, path: Option<&Path>) -> Result<Parsed> {
    parse_inner(text, 0).map_err(|e| crate::Error::text(render_error(&e, text, path)))
}

/// Characters of the source line shown on each side of the error column.
const SNIPPET_RADIUS: usize = 60;

/// A text error as rustc renders one (`--> file:line:col`, the line, a
/// caret), with the line cut to a window around the column: the input may be
/// one line of hundreds of megabytes, and an error must not echo all of it.
fn render_error(e: &wast::Error, text: &str, path: Option<&Path>) -> String {
    let offset = e.span().offset().min(text.len());
    let offset = (0..=offset)
        .rev()
        .find(|&i| text.is_char_boundary(i))
        .unwrap_or(0);
    let before = &text[..offset];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line_no = before.bytes().filter(|&b| b == b'\n').count() + 1;
    let line_end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    let line = text[line_start..line_end].trim_end_matches('\r');
    let col = text[line_start..offset].chars().count();
    let first = col.saturating_sub(SNIPPET_RADIUS);
    let mut snippet: String = line
        .chars()
        .skip(first)
        .take(2 * SNIPPET_RADIUS)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let mut caret = col - first;
    if first > 0 {
        snippet.insert(0, '…');
        caret += 1;
    }
    if line.chars().count() > first + 2 * SNIPPET_RADIUS {
        snippet.push('…');
    }
    let mut message = e.message();
    if message.chars().count() > 300 {
        message = message.chars().take(300).collect::<String>() + "…";
    }
    let file = path.map_or("<anon>".to_string(), |p| p.display().to_string());
    format!(
        "{message}\n     --> {file}:{line_no}:{}\n      |\n {line_no:4} | {snippet}\n      | {:>width$}",
        col + 1,
        "^",
        width = caret + 1
    )
}

/// Nested `(module quote …)` levels allowed.
const MAX_QUOTE_DEPTH: u32 = 4;

fn parse_inner(text: &str, depth: u32) -> std::result::Result<Parsed, wast::Error> {
    let buf = ParseBuffer::new(text)?;
    let source = parser::parse::<Source<'_>>(&buf)?;
    match source {
        Source::Binary(mut module) => Ok(Parsed {
            core: module.encode()?,
            booklet: None,
        }),
        Source::Quote { span, id, strings } => {
            if depth >= MAX_QUOTE_DEPTH {
                return Err(wast::Error::new(
                    span,
                    "`module quote` nested too deeply".into(),
                ));
            }
            let mut quoted = String::from("(module ");
            if let Some(id) = id {
                // Quoted form, so any identifier round-trips.
                quoted.push_str(&format!("$\"{}\" ", escape(id.name())));
            }
            let prefix = quoted.len();
            for s in &strings {
                let s = std::str::from_utf8(s).map_err(|_| {
                    wast::Error::new(span, "quoted module text is not UTF-8".into())
                })?;
                quoted.push_str(s);
                quoted.push(' ');
            }
            quoted.push(')');
            parse_inner(&quoted, depth + 1).map_err(|e| {
                let (line, mut col) = e.span().linecol_in(&quoted);
                // Columns of the first line count from the first string.
                if line == 0 {
                    col = col.saturating_sub(prefix);
                }
                wast::Error::new(
                    span,
                    format!(
                        "in the quoted module, line {} column {}: {}",
                        line + 1,
                        col + 1,
                        e.message()
                    ),
                )
            })
        }
        Source::Text { mut module, items } => {
            let span = module.span;
            let names = module.resolve()?;
            let core = module.encode()?;
            if items.is_empty() {
                return Ok(Parsed {
                    core,
                    booklet: None,
                });
            }
            let core_module = CoreModule::parse(&core).map_err(|e| {
                wast::Error::new(span, format!("the core module is malformed: {e}"))
            })?;
            if !core_module.interface_sections.is_empty() {
                return Err(wast::Error::new(
                    span,
                    format!(
                        "the module has both `(@interface …)` items and a `{SECTION_NAME}` \
                         custom section"
                    ),
                ));
            }
            let booklet = resolve::resolve(&items, &names, &core_module)?;
            Ok(Parsed {
                core,
                booklet: Some(booklet),
            })
        }
    }
}

fn escape(s: &str) -> String {
    s.chars()
        .flat_map(|c| match c {
            '"' | '\\' => vec!['\\', c],
            '\n' => vec!['\\', 'n'],
            c => vec![c],
        })
        .collect()
}

/// A whole `.wat` file.
enum Source<'a> {
    Text {
        module: Module<'a>,
        items: Vec<Item<'a>>,
    },
    /// `(module binary …)`: passed through, no interface items.
    Binary(Module<'a>),
    /// `(module quote …)`: the strings are the module's text.
    Quote {
        span: Span,
        id: Option<Id<'a>>,
        strings: Vec<&'a [u8]>,
    },
}

impl<'a> Parse<'a> for Source<'a> {
    fn parse(p: Parser<'a>) -> wast::parser::Result<Self> {
        // The annotations `wast` itself registers for a module, plus ours.
        let _custom = p.register_annotation("custom");
        let _producers = p.register_annotation("producers");
        let _name = p.register_annotation("name");
        let _dylink = p.register_annotation("dylink.0");
        let _hint = p.register_annotation("metadata.code.branch_hint");
        let _interface = p.register_annotation("interface");

        if p.is_empty() {
            return Err(p.error("expected a module or at least one module field"));
        }
        if p.peek2::<wast::kw::component>()? {
            return Err(p.error("components are not supported: expected a core module"));
        }
        if !p.peek2::<wast::kw::module>()? {
            let (fields, items) = fields(p)?;
            return Ok(Source::Text {
                module: Module {
                    span: Span::from_offset(0),
                    id: None,
                    name: None,
                    kind: ModuleKind::Text(fields),
                },
                items,
            });
        }
        p.parens(|p| {
            let span = p.parse::<wast::kw::module>()?.0;
            let id = p.parse::<Option<Id<'a>>>()?;
            let name = p.parse::<Option<NameAnnotation<'a>>>()?;
            if p.peek::<wast::kw::binary>()? {
                p.parse::<wast::kw::binary>()?;
                let mut blobs = Vec::new();
                while !p.is_empty() {
                    blobs.push(p.parse()?);
                }
                return Ok(Source::Binary(Module {
                    span,
                    id,
                    name,
                    kind: ModuleKind::Binary(blobs),
                }));
            }
            if p.peek::<wast::kw::quote>()? {
                p.parse::<wast::kw::quote>()?;
                let mut strings = Vec::new();
                while !p.is_empty() {
                    strings.push(p.parse()?);
                }
                return Ok(Source::Quote { span, id, strings });
            }
            let (fields, items) = fields(p)?;
            Ok(Source::Text {
                module: Module {
                    span,
                    id,
                    name,
                    kind: ModuleKind::Text(fields),
                },
                items,
            })
        })
    }
}

/// Module fields, each either a core field (parsed by `wast`) or an
/// `(@interface …)` item.
fn fields<'a>(p: Parser<'a>) -> wast::parser::Result<(Vec<ModuleField<'a>>, Vec<Item<'a>>)> {
    let mut fields = Vec::new();
    let mut items = Vec::new();
    while !p.is_empty() {
        p.parens(|p| {
            if p.peek::<annotation::interface>()? {
                items.push(parse_item(p)?);
            } else {
                fields.push(p.parse()?);
            }
            Ok(())
        })?;
    }
    Ok((fields, items))
}

/// The candidate closest to `word` by edit distance, if it is close enough to
/// be a plausible typo.
fn suggest<'c>(word: &str, candidates: impl IntoIterator<Item = &'c str>) -> Option<&'c str> {
    // Long inputs cannot be typos of short names; skip the quadratic work.
    if word.len() > 64 {
        return None;
    }
    let limit = (word.chars().count() / 3).max(2);
    candidates
        .into_iter()
        .filter(|c| c.len() <= 64)
        .map(|c| (edit_distance(word, c), c))
        .filter(|&(d, _)| d <= limit)
        .min_by_key(|&(d, _)| d)
        .map(|(_, c)| c)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur.push((prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests;
