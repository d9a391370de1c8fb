//! JS code for the canonical layout (`docs/format.md` §3), generated per type
//! from `intertype::layout`: flat lift/lower (`value.lift`/`value.lower`) and
//! memory load/store (`value.load`/`value.store`, list elements).
//!
//! Primitive types become inline expressions; every type definition becomes
//! one JS function per (operation, memory, encoding, allocator), generated
//! the first time something needs it. The JS value of each type is the one
//! `docs/js.md` documents:
//! records are objects, tuples arrays, variants `{tag, val}`, enums strings,
//! options `null` or the value, results `{tag: 'ok' | 'err', val}`, flags
//! objects of booleans, `list<u8>` a `Uint8Array` (other numeric lists typed
//! arrays), 64-bit integers `bigint`.

use crate::helpers::{Helper, Helpers};
use crate::quote::{js_get, js_key, js_str};
use crate::snippets::{disc_accessors, disc_read, off, ptr_len_at, set_ptr_len};
use intertype::layout::{self, Layouts};
use intertype::{CoreType, StringEncoding, TypeDef, ValType};
use std::collections::BTreeMap;

/// Where the memory-touching parts of a type go.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct MemCx {
    pub mem: u32,
    pub enc: u8,
    /// Core function index of the allocator (lowerings only).
    pub malloc: Option<u32>,
}

impl MemCx {
    pub(crate) fn new(mem: u32, enc: StringEncoding, malloc: Option<u32>) -> MemCx {
        MemCx {
            mem,
            enc: enc.code(),
            malloc,
        }
    }
    fn encoding(&self) -> StringEncoding {
        StringEncoding::from_code(self.enc).unwrap_or_default()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Op {
    LiftFlat,
    LowerFlat,
    Load,
    Store,
    LiftList,
    LowerList,
}

/// Variant-like forms and their JS shapes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Form {
    Variant,
    Enum,
    Option,
    Result,
}

pub(crate) type GenResult<T> = Result<T, String>;

/// A variant-like type's cases: name and payload type.
type Cases = Vec<(String, Option<ValType>)>;

/// Generates (and remembers) the per-type functions of one module.
pub(crate) struct TypeGen<'a> {
    /// Prefix of the glue names of core functions (allocators), as
    /// [`crate::adapter::Compiler::prefix`].
    pub core_prefix: String,
    layouts: Layouts<'a>,
    types: &'a [TypeDef],
    funcs: BTreeMap<(Op, ValType, MemCx), (String, Option<String>)>,
    /// Core functions used as allocators.
    pub mallocs: std::collections::BTreeSet<u32>,
    /// Memories touched.
    pub memories: std::collections::BTreeSet<u32>,
}

fn zero(t: CoreType) -> &'static str {
    match t {
        CoreType::I64 => "0n",
        CoreType::Externref => "null",
        _ => "0",
    }
}

impl<'a> TypeGen<'a> {
    pub(crate) fn new(types: &'a [TypeDef]) -> TypeGen<'a> {
        TypeGen {
            core_prefix: String::new(),
            layouts: Layouts::new(types),
            types,
            funcs: BTreeMap::new(),
            mallocs: Default::default(),
            memories: Default::default(),
        }
    }

    /// Every generated function, in a fixed order.
    pub(crate) fn emit(&self) -> String {
        self.funcs
            .values()
            .filter_map(|(_, code)| code.clone())
            .collect::<Vec<_>>()
            .join("")
    }

    pub(crate) fn layout(&mut self, ty: ValType) -> GenResult<layout::Layout> {
        self.layouts.layout(ty).map_err(|e| e.to_string())
    }

    pub(crate) fn flat(&mut self, ty: ValType) -> GenResult<Vec<CoreType>> {
        self.layouts.flatten(ty).map_err(|e| e.to_string())
    }

    /// Whether lifting `ty` reads strings or lists (and so needs a budget).
    pub(crate) fn spans_memory(&self, ty: ValType) -> bool {
        match ty {
            ValType::String => true,
            ValType::Type(_) => match self.def(ty) {
                Some(TypeDef::List(_)) => true,
                Some(TypeDef::Record(fs)) => fs.iter().any(|f| self.spans_memory(f.ty)),
                Some(TypeDef::Tuple(ts)) => ts.iter().any(|t| self.spans_memory(*t)),
                Some(TypeDef::Variant(cs)) => cs
                    .iter()
                    .any(|c| c.ty.is_some_and(|t| self.spans_memory(t))),
                Some(TypeDef::Option(t)) => self.spans_memory(*t),
                Some(TypeDef::Result { ok, err }) => {
                    ok.is_some_and(|t| self.spans_memory(t))
                        || err.is_some_and(|t| self.spans_memory(t))
                }
                _ => false,
            },
            _ => false,
        }
    }

    fn def(&self, ty: ValType) -> Option<&'a TypeDef> {
        layout::resolve(self.types, ty)
    }

    fn malloc(&mut self, cx: MemCx) -> GenResult<String> {
        let m = cx
            .malloc
            .ok_or("a lowering that allocates has no allocator")?;
        self.mallocs.insert(m);
        Ok(format!("{}C{m}", self.core_prefix))
    }

    /// Returns the name of the function for `(op, ty, cx)`, generating it
    /// with `body` the first time.
    fn func(
        &mut self,
        op: Op,
        ty: ValType,
        cx: MemCx,
        body: impl FnOnce(&mut Self, &str) -> GenResult<String>,
    ) -> GenResult<String> {
        let key = (op, ty, cx);
        if let Some((name, _)) = self.funcs.get(&key) {
            return Ok(name.clone());
        }
        let prefix = match op {
            Op::LiftFlat => "liftFlat",
            Op::LowerFlat => "lowerFlat",
            Op::Load => "load",
            Op::Store => "store",
            Op::LiftList => "liftList",
            Op::LowerList => "lowerList",
        };
        let idx = match ty {
            ValType::Type(i) => i.to_string(),
            other => other.keyword().unwrap_or("t").to_string(),
        };
        let name = format!(
            "{prefix}{idx}_{}_{}_{}",
            cx.mem,
            cx.enc,
            cx.malloc.map_or("x".into(), |m| m.to_string())
        );
        self.funcs.insert(key, (name.clone(), None));
        let code = body(self, &name)?;
        self.funcs.insert(key, (name.clone(), Some(code)));
        Ok(name)
    }

    fn cases(&self, ty: ValType) -> Option<(Form, Cases)> {
        Some(match self.def(ty)? {
            TypeDef::Variant(cs) => (
                Form::Variant,
                cs.iter().map(|c| (c.name.clone(), c.ty)).collect(),
            ),
            TypeDef::Enum(names) => (
                Form::Enum,
                names.iter().map(|n| (n.clone(), None)).collect(),
            ),
            TypeDef::Option(t) => (
                Form::Option,
                vec![("none".into(), None), ("some".into(), Some(*t))],
            ),
            TypeDef::Result { ok, err } => {
                (Form::Result, vec![("ok".into(), *ok), ("err".into(), *err)])
            }
            _ => return None,
        })
    }

    /// [`Self::cases`] of a type the caller matched as a variant, enum,
    /// option or result (an error, never a panic, if it is not one).
    fn cases_of(&self, ty: ValType) -> GenResult<(Form, Cases)> {
        self.cases(ty)
            .ok_or_else(|| format!("internal: {} has no cases", self.describe(ty)))
    }

    /// Whether an `option<ty>`'s `some` must be wrapped as `{tag: 'some', val}`
    /// (when `ty` is itself an option, so `null` would be ambiguous).
    fn wraps_some(&self, payload: ValType) -> bool {
        matches!(self.def(payload), Some(TypeDef::Option(_)))
    }

    /// JS expression making case `i` of a variant-like value.
    fn make_case(
        &self,
        form: Form,
        name: &str,
        payload: Option<ValType>,
        val: Option<String>,
    ) -> String {
        let tag = js_str(name);
        match (form, val) {
            (Form::Enum, _) => tag,
            (Form::Option, None) => "null".into(),
            (Form::Option, Some(v)) => {
                if payload.is_some_and(|p| self.wraps_some(p)) {
                    format!("{{ tag: 'some', val: {v} }}")
                } else {
                    v
                }
            }
            (_, None) => format!("{{ tag: {tag} }}"),
            (_, Some(v)) => format!("{{ tag: {tag}, val: {v} }}"),
        }
    }

    /// Statements that switch on a JS variant-like value `v`: for each case,
    /// `arm(case index, payload JS expression)`.
    fn switch_case(
        &mut self,
        form: Form,
        cases: &[(String, Option<ValType>)],
        v: &str,
        what: &str,
        h: &mut Helpers,
        mut arm: impl FnMut(&mut Self, usize, Option<String>, &mut Helpers) -> GenResult<String>,
    ) -> GenResult<String> {
        h.need(Helper::BadValue);
        let mut out = String::new();
        match form {
            Form::Option => {
                // `cases` builds an option as `none`, then `some` with a payload.
                let Some((_, Some(payload))) = cases.get(1).cloned() else {
                    return Err("internal: an option without a `some` payload".into());
                };
                let some = if self.wraps_some(payload) {
                    out.push_str(&format!(
                        "  if ({v} != null && {v}.tag !== 'some') badValue({v}, 'null or {{ tag: \"some\", val }}');\n"
                    ));
                    format!("{v}.val")
                } else {
                    v.to_string()
                };
                let none = arm(self, 0, None, h)?;
                let some = arm(self, 1, Some(some), h)?;
                out.push_str(&format!(
                    "  if ({v} == null) {{\n{none}  }} else {{\n{some}  }}\n"
                ));
            }
            _ => {
                let scrutinee = if form == Form::Enum {
                    v.to_string()
                } else {
                    format!("({v} == null ? undefined : {v}.tag)")
                };
                out.push_str(&format!("  switch ({scrutinee}) {{\n"));
                for (i, (name, ty)) in cases.iter().enumerate() {
                    let val = ty.map(|_| format!("{v}.val"));
                    let body = arm(self, i, val, h)?;
                    out.push_str(&format!(
                        "    case {}: {{\n{body}      break;\n    }}\n",
                        js_str(name)
                    ));
                }
                out.push_str(&format!(
                    "    default: badValue({v}, {});\n  }}\n",
                    js_str(what)
                ));
            }
        }
        Ok(out)
    }

    fn describe(&self, ty: ValType) -> String {
        match self.cases(ty) {
            Some((Form::Enum, cases)) => format!(
                "one of {}",
                cases
                    .iter()
                    .map(|c| format!("'{}'", c.0))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Some((_, cases)) => format!(
                "{{ tag: {} }}",
                cases
                    .iter()
                    .map(|c| format!("'{}'", c.0))
                    .collect::<Vec<_>>()
                    .join(" | ")
            ),
            None => "a value".into(),
        }
    }

    fn lift_str(&mut self, cx: MemCx, h: &mut Helpers) -> &'static str {
        self.memories.insert(cx.mem);
        let (helper, name) = match cx.encoding() {
            StringEncoding::Utf8 => (Helper::LiftUtf8(cx.mem), "liftUtf8_"),
            StringEncoding::Utf16 => (Helper::LiftUtf16(cx.mem), "liftUtf16_"),
            StringEncoding::Latin1 => (Helper::LiftLatin1(cx.mem), "liftLatin1_"),
        };
        h.need(helper);
        name
    }

    /// The name of the string lowering helper of `cx` (a function
    /// `(s, malloc) -> ptr` that leaves the length in `LEN`).
    pub(crate) fn lower_str(&mut self, cx: MemCx, h: &mut Helpers) -> String {
        self.memories.insert(cx.mem);
        let (helper, name) = match cx.encoding() {
            StringEncoding::Utf8 => (Helper::LowerUtf8(cx.mem), "lowerUtf8_"),
            StringEncoding::Utf16 => (Helper::LowerUtf16(cx.mem), "lowerUtf16_"),
            StringEncoding::Latin1 => (Helper::LowerLatin1(cx.mem), "lowerLatin1_"),
        };
        h.need(helper);
        format!("{name}{}", cx.mem)
    }

    /// The name of the string lifting helper of `cx` (`(ptr, len) -> string`).
    pub(crate) fn lift_str_fn(&mut self, cx: MemCx, h: &mut Helpers) -> String {
        let name = self.lift_str(cx, h);
        format!("{name}{}", cx.mem)
    }

    // ---------------------------------------------------------------- flat

    /// A JS expression lifting `ty` from the flat core values `args`.
    pub(crate) fn lift_flat(
        &mut self,
        ty: ValType,
        args: &[String],
        cx: MemCx,
        h: &mut Helpers,
    ) -> GenResult<String> {
        use ValType::*;
        let a = |i: usize| args[i].clone();
        Ok(match ty {
            Bool => format!("({} !== 0)", a(0)),
            S8 => format!("({} << 24 >> 24)", a(0)),
            U8 => format!("({} & 255)", a(0)),
            S16 => format!("({} << 16 >> 16)", a(0)),
            U16 => format!("({} & 65535)", a(0)),
            S32 | I32 | S64 | I64 | F32 | F64 | Externref => a(0),
            U32 => format!("({} >>> 0)", a(0)),
            U64 => format!("BigInt.asUintN(64, {})", a(0)),
            Char => {
                h.need(Helper::CodeToChar);
                format!("codeToChar({})", a(0))
            }
            String => {
                // Inside a value: the string's bytes count against the budget.
                let f = self.lift_str(cx, h);
                h.need(Helper::Budget);
                let unit = cx.encoding().unit_bytes();
                format!(
                    "charged({f}{}({}, {}), {}, {unit})",
                    cx.mem,
                    a(0),
                    a(1),
                    a(1)
                )
            }
            Type(_) => {
                let n = self.flat(ty)?.len();
                let name = self.func(Op::LiftFlat, ty, cx, |g, name| {
                    g.gen_lift_flat(name, ty, n, cx, h)
                })?;
                format!("{name}({})", args.join(", "))
            }
        })
    }

    fn gen_lift_flat(
        &mut self,
        name: &str,
        ty: ValType,
        n: usize,
        cx: MemCx,
        h: &mut Helpers,
    ) -> GenResult<String> {
        let params: Vec<String> = (0..n).map(|i| format!("a{i}")).collect();
        let mut body = String::new();
        match self.def(ty).ok_or("undefined type")? {
            TypeDef::Record(fields) => {
                let mut pos = 0;
                let mut parts = Vec::new();
                for f in fields {
                    let k = self.flat(f.ty)?.len();
                    let e = self.lift_flat(f.ty, &params[pos..pos + k], cx, h)?;
                    pos += k;
                    parts.push(format!("{}: {e}", js_key(&f.name)));
                }
                body.push_str(&format!("  return {{ {} }};\n", parts.join(", ")));
            }
            TypeDef::Tuple(ts) => {
                let mut pos = 0;
                let mut parts = Vec::new();
                for t in ts {
                    let k = self.flat(*t)?.len();
                    parts.push(self.lift_flat(*t, &params[pos..pos + k], cx, h)?);
                    pos += k;
                }
                body.push_str(&format!("  return [{}];\n", parts.join(", ")));
            }
            TypeDef::List(elem) => {
                let f = self.lift_list(*elem, cx, h)?;
                body.push_str(&format!("  return {f}(a0, a1);\n"));
            }
            TypeDef::Flags(names) => {
                body.push_str(&self.flags_from_words(names, &params, h));
            }
            TypeDef::Variant(_)
            | TypeDef::Enum(_)
            | TypeDef::Option(_)
            | TypeDef::Result { .. } => {
                let (form, cases) = self.cases_of(ty)?;
                let joined = self.flat(ty)?[1..].to_vec();
                body.push_str("  switch (a0) {\n");
                for (i, (cname, cty)) in cases.iter().enumerate() {
                    let val = match cty {
                        None => None,
                        Some(t) => {
                            let own = self.flat(*t)?;
                            let args: Vec<String> = own
                                .iter()
                                .enumerate()
                                .map(|(k, want)| unjoin(*want, joined[k], &params[k + 1], h))
                                .collect();
                            Some(self.lift_flat(*t, &args, cx, h)?)
                        }
                    };
                    body.push_str(&format!(
                        "    case {i}: return {};\n",
                        self.make_case(form, cname, *cty, val)
                    ));
                }
                h.need(Helper::Trap);
                body.push_str(&format!(
                    "    default: trap(`discriminant ${{a0 >>> 0}} is past the last case ({} cases)`);\n  }}\n",
                    cases.len()
                ));
            }
            TypeDef::Func(_) => return Err("a function type is not a value type".into()),
        }
        Ok(format!(
            "function {name}({}) {{\n{body}}}\n",
            params.join(", ")
        ))
    }

    fn flags_from_words(&self, names: &[String], words: &[String], h: &mut Helpers) -> String {
        let mut out = String::new();
        let rem = names.len() % 32;
        if rem != 0 {
            h.need(Helper::Trap);
            let last = &words[words.len() - 1];
            out.push_str(&format!(
                "  if (({last} >>> {rem}) !== 0) trap(`flags value 0x${{({last} >>> 0).toString(16)}} sets bits past the last of {} flags`);\n",
                names.len()
            ));
        }
        let parts: Vec<String> = names
            .iter()
            .enumerate()
            .map(|(i, n)| {
                format!(
                    "{}: (({} >>> {}) & 1) !== 0",
                    js_key(n),
                    words[i / 32],
                    i % 32
                )
            })
            .collect();
        out.push_str(&format!("  return {{ {} }};\n", parts.join(", ")));
        out
    }

    /// JS expressions of the flag words of the flags value `v`.
    fn flags_to_words(&self, names: &[String], v: &str) -> Vec<String> {
        let words = layout::flags_words(names.len()) as usize;
        (0..words)
            .map(|w| {
                let bits: Vec<String> = names
                    .iter()
                    .enumerate()
                    .skip(w * 32)
                    .take(32)
                    .map(|(i, n)| format!("({} ? {} : 0)", js_get(v, n), 1i32 << (i % 32)))
                    .collect();
                format!("({})", bits.join(" | "))
            })
            .collect()
    }

    /// Statements writing the flat form of `v` (a JS expression, evaluated
    /// once) into `F[o…]`.
    pub(crate) fn lower_flat(
        &mut self,
        ty: ValType,
        v: &str,
        o: &str,
        cx: MemCx,
        h: &mut Helpers,
    ) -> GenResult<String> {
        use ValType::*;
        h.need(Helper::Flat);
        let simple = |h: &mut Helpers, helper: Helper, f: &str| {
            h.need(helper);
            format!("  F[{o}] = {f}({v});\n")
        };
        Ok(match ty {
            Bool => {
                h.need(Helper::ToBool);
                format!("  F[{o}] = toBool({v}) ? 1 : 0;\n")
            }
            S8 => simple(h, Helper::ToS8, "toS8"),
            U8 => simple(h, Helper::ToU8, "toU8"),
            S16 => simple(h, Helper::ToS16, "toS16"),
            U16 => simple(h, Helper::ToU16, "toU16"),
            S32 => simple(h, Helper::ToS32, "toS32"),
            U32 => {
                h.need(Helper::ToU32);
                format!("  F[{o}] = toU32({v}) | 0;\n")
            }
            S64 => simple(h, Helper::ToS64, "toS64"),
            U64 => simple(h, Helper::ToU64, "toU64"),
            F32 | F64 => simple(h, Helper::ToF, "toF"),
            I32 | I64 | Externref => format!("  F[{o}] = {v};\n"),
            Char => simple(h, Helper::CharToCode, "charToCode"),
            String => {
                let f = self.lower_str(cx, h);
                let m = self.malloc(cx)?;
                h.need(Helper::Len);
                format!("  F[{o}] = {f}({v}, {m});\n  F[{}] = LEN;\n", off(o, 1))
            }
            Type(_) => {
                let name = self.func(Op::LowerFlat, ty, cx, |g, name| {
                    g.gen_lower_flat(name, ty, cx, h)
                })?;
                format!("  {name}({v}, {o});\n")
            }
        })
    }

    fn gen_lower_flat(
        &mut self,
        name: &str,
        ty: ValType,
        cx: MemCx,
        h: &mut Helpers,
    ) -> GenResult<String> {
        let mut body = String::new();
        match self.def(ty).ok_or("undefined type")? {
            TypeDef::Record(fields) => {
                h.need(Helper::BadValue);
                body.push_str("  if (v === null || typeof v !== 'object') badValue(v, 'a record (an object)');\n");
                let mut pos = 0;
                for f in fields {
                    let field = js_get("v", &f.name);
                    body.push_str(&self.lower_flat(f.ty, &field, &off("o", pos), cx, h)?);
                    pos += self.flat(f.ty)?.len() as u32;
                }
            }
            TypeDef::Tuple(ts) => {
                h.need(Helper::BadValue);
                body.push_str(&format!("  if (!Array.isArray(v) || v.length !== {}) badValue(v, 'a tuple (an array of {} values)');\n", ts.len(), ts.len()));
                let mut pos = 0;
                for (i, t) in ts.iter().enumerate() {
                    body.push_str(&self.lower_flat(
                        *t,
                        &format!("v[{i}]"),
                        &off("o", pos),
                        cx,
                        h,
                    )?);
                    pos += self.flat(*t)?.len() as u32;
                }
            }
            TypeDef::List(elem) => {
                let f = self.lower_list(*elem, cx, h)?;
                h.need(Helper::Len);
                body.push_str(&format!("  F[o] = {f}(v);\n  F[o + 1] = LEN;\n"));
            }
            TypeDef::Flags(names) => {
                h.need(Helper::BadValue);
                body.push_str("  if (v === null || typeof v !== 'object') badValue(v, 'flags (an object of booleans)');\n");
                for (w, e) in self.flags_to_words(names, "v").into_iter().enumerate() {
                    body.push_str(&format!("  F[{}] = {e};\n", off("o", w as u32)));
                }
            }
            TypeDef::Variant(_)
            | TypeDef::Enum(_)
            | TypeDef::Option(_)
            | TypeDef::Result { .. } => {
                let (form, cases) = self.cases_of(ty)?;
                let joined = self.flat(ty)?[1..].to_vec();
                let what = self.describe(ty);
                let cases2 = cases.clone();
                body.push_str(
                    &self.switch_case(form, &cases, "v", &what, h, |g, i, val, h| {
                        let mut s = format!("  F[o] = {i};\n");
                        let mut own_len = 0;
                        if let (Some(t), Some(val)) = (cases2[i].1, val) {
                            s.push_str(&g.lower_flat(t, &val, "o + 1", cx, h)?);
                            let own = g.flat(t)?;
                            own_len = own.len();
                            for (k, have) in own.iter().enumerate() {
                                let slot = format!("F[o + {}]", k + 1);
                                let j = join(*have, joined[k], &slot, h);
                                if j != slot {
                                    s.push_str(&format!("  {slot} = {j};\n"));
                                }
                            }
                        }
                        for (k, t) in joined.iter().enumerate().skip(own_len) {
                            s.push_str(&format!("  F[o + {}] = {};\n", k + 1, zero(*t)));
                        }
                        Ok(s)
                    })?,
                );
            }
            TypeDef::Func(_) => return Err("a function type is not a value type".into()),
        }
        Ok(format!("function {name}(v, o) {{\n{body}}}\n"))
    }

    // --------------------------------------------------------------- memory

    /// A JS expression loading `ty` at `addr` (in bounds, aligned, views fresh).
    pub(crate) fn load(
        &mut self,
        ty: ValType,
        addr: &str,
        cx: MemCx,
        h: &mut Helpers,
    ) -> GenResult<String> {
        use ValType::*;
        let m = cx.mem;
        self.memories.insert(m);
        h.need(Helper::View(m));
        let dv = |f: &str| format!("DV_{m}.{f}({addr}, true)");
        Ok(match ty {
            Bool => format!("(U8_{m}[{addr}] !== 0)"),
            S8 => format!("DV_{m}.getInt8({addr})"),
            U8 => format!("U8_{m}[{addr}]"),
            S16 => dv("getInt16"),
            U16 => dv("getUint16"),
            S32 | I32 => dv("getInt32"),
            U32 => dv("getUint32"),
            S64 | I64 => dv("getBigInt64"),
            U64 => dv("getBigUint64"),
            F32 => dv("getFloat32"),
            F64 => dv("getFloat64"),
            Char => {
                h.need(Helper::CodeToChar);
                format!("codeToChar({})", dv("getUint32"))
            }
            String => {
                let f = self.lift_str(cx, h);
                h.need(Helper::Budget);
                let unit = cx.encoding().unit_bytes();
                let (ptr, len) = ptr_len_at(m, addr);
                format!("charged({f}{m}({ptr}, {len}), {len}, {unit})")
            }
            Externref => return Err("externref cannot be loaded from linear memory".into()),
            Type(_) => {
                let name = self.func(Op::Load, ty, cx, |g, name| g.gen_load(name, ty, cx, h))?;
                format!("{name}({addr})")
            }
        })
    }

    fn gen_load(
        &mut self,
        name: &str,
        ty: ValType,
        cx: MemCx,
        h: &mut Helpers,
    ) -> GenResult<String> {
        let m = cx.mem;
        let mut body = String::new();
        match self.def(ty).ok_or("undefined type")? {
            TypeDef::Record(fields) => {
                let tys: Vec<ValType> = fields.iter().map(|f| f.ty).collect();
                let offs = self
                    .layouts
                    .field_offsets(&tys)
                    .map_err(|e| e.to_string())?;
                let mut parts = Vec::new();
                for (f, o) in fields.iter().zip(offs) {
                    parts.push(format!(
                        "{}: {}",
                        js_key(&f.name),
                        self.load(f.ty, &off("p", o), cx, h)?
                    ));
                }
                body.push_str(&format!("  return {{ {} }};\n", parts.join(", ")));
            }
            TypeDef::Tuple(ts) => {
                let offs = self.layouts.field_offsets(ts).map_err(|e| e.to_string())?;
                let mut parts = Vec::new();
                for (t, o) in ts.iter().zip(offs) {
                    parts.push(self.load(*t, &off("p", o), cx, h)?);
                }
                body.push_str(&format!("  return [{}];\n", parts.join(", ")));
            }
            TypeDef::List(elem) => {
                let f = self.lift_list(*elem, cx, h)?;
                body.push_str(&format!(
                    "  return {f}(DV_{m}.getUint32(p, true), DV_{m}.getUint32(p + 4, true));\n"
                ));
            }
            TypeDef::Flags(names) => {
                let size = self.layout(ty)?.size;
                let words: Vec<String> = match size {
                    0 => vec![],
                    1 => vec![format!("U8_{m}[p]")],
                    2 => vec![format!("DV_{m}.getUint16(p, true)")],
                    _ => (0..layout::flags_words(names.len()))
                        .map(|w| format!("DV_{m}.getInt32({}, true)", off("p", 4 * w)))
                        .collect(),
                };
                let vars: Vec<String> = (0..words.len()).map(|i| format!("w{i}")).collect();
                for (v, e) in vars.iter().zip(&words) {
                    body.push_str(&format!("  const {v} = {e};\n"));
                }
                body.push_str(&self.flags_from_words(names, &vars, h));
            }
            TypeDef::Variant(_)
            | TypeDef::Enum(_)
            | TypeDef::Option(_)
            | TypeDef::Result { .. } => {
                let (form, cases) = self.cases_of(ty)?;
                let payload_tys: Vec<Option<ValType>> = cases.iter().map(|c| c.1).collect();
                let payload = self
                    .layouts
                    .variant_payload_offset(&payload_tys)
                    .map_err(|e| e.to_string())?;
                let d = disc_read(m, "p", cases.len());
                body.push_str(&format!("  const d = {d};\n  switch (d) {{\n"));
                for (i, (cname, cty)) in cases.iter().enumerate() {
                    let val = match cty {
                        Some(t) => Some(self.load(*t, &off("p", payload), cx, h)?),
                        None => None,
                    };
                    body.push_str(&format!(
                        "    case {i}: return {};\n",
                        self.make_case(form, cname, *cty, val)
                    ));
                }
                h.need(Helper::Trap);
                body.push_str(&format!("    default: trap(`discriminant ${{d}} is past the last case ({} cases)`);\n  }}\n", cases.len()));
            }
            TypeDef::Func(_) => return Err("a function type is not a value type".into()),
        }
        Ok(format!("function {name}(p) {{\n  view{m}();\n{body}}}\n"))
    }

    /// Statements storing `v` (evaluated once) at `addr` (in bounds, aligned).
    pub(crate) fn store(
        &mut self,
        ty: ValType,
        addr: &str,
        v: &str,
        cx: MemCx,
        h: &mut Helpers,
    ) -> GenResult<String> {
        use ValType::*;
        let m = cx.mem;
        self.memories.insert(m);
        h.need(Helper::View(m));
        let conv = |h: &mut Helpers, helper: Option<Helper>, f: &str| {
            if let Some(x) = helper {
                h.need(x);
            }
            if f.is_empty() {
                v.to_string()
            } else {
                format!("{f}({v})")
            }
        };
        let dv = |setter: &str, val: std::string::String| {
            format!("  view{m}(); DV_{m}.{setter}({addr}, {val}, true);\n")
        };
        Ok(match ty {
            Bool => {
                h.need(Helper::ToBool);
                format!("  view{m}(); U8_{m}[{addr}] = toBool({v}) ? 1 : 0;\n")
            }
            S8 => {
                let e = conv(h, Some(Helper::ToS8), "toS8");
                format!("  view{m}(); DV_{m}.setInt8({addr}, {e});\n")
            }
            U8 => {
                let e = conv(h, Some(Helper::ToU8), "toU8");
                format!("  view{m}(); U8_{m}[{addr}] = {e};\n")
            }
            S16 => dv("setInt16", conv(h, Some(Helper::ToS16), "toS16")),
            U16 => dv("setUint16", conv(h, Some(Helper::ToU16), "toU16")),
            S32 => dv("setInt32", conv(h, Some(Helper::ToS32), "toS32")),
            I32 => dv("setInt32", conv(h, None, "")),
            U32 => dv("setUint32", conv(h, Some(Helper::ToU32), "toU32")),
            S64 => dv("setBigInt64", conv(h, Some(Helper::ToS64), "toS64")),
            I64 => dv("setBigInt64", conv(h, None, "")),
            U64 => dv("setBigUint64", conv(h, Some(Helper::ToU64), "toU64")),
            F32 => dv("setFloat32", conv(h, Some(Helper::ToF), "toF")),
            F64 => dv("setFloat64", conv(h, Some(Helper::ToF), "toF")),
            Char => dv("setUint32", conv(h, Some(Helper::CharToCode), "charToCode")),
            String => {
                let f = self.lower_str(cx, h);
                let mal = self.malloc(cx)?;
                h.need(Helper::Len);
                let set = set_ptr_len(m, addr, "sp", "LEN");
                format!("  {{\n    const sp = {f}({v}, {mal});\n    view{m}(); {set}\n  }}\n")
            }
            Externref => return Err("externref cannot be stored in linear memory".into()),
            Type(_) => {
                let name = self.func(Op::Store, ty, cx, |g, name| g.gen_store(name, ty, cx, h))?;
                format!("  {name}({addr}, {v});\n")
            }
        })
    }

    fn gen_store(
        &mut self,
        name: &str,
        ty: ValType,
        cx: MemCx,
        h: &mut Helpers,
    ) -> GenResult<String> {
        let m = cx.mem;
        let mut body = String::new();
        match self.def(ty).ok_or("undefined type")? {
            TypeDef::Record(fields) => {
                h.need(Helper::BadValue);
                body.push_str("  if (v === null || typeof v !== 'object') badValue(v, 'a record (an object)');\n");
                let tys: Vec<ValType> = fields.iter().map(|f| f.ty).collect();
                let offs = self
                    .layouts
                    .field_offsets(&tys)
                    .map_err(|e| e.to_string())?;
                for (f, o) in fields.iter().zip(offs) {
                    let field = js_get("v", &f.name);
                    body.push_str(&self.store(f.ty, &off("p", o), &field, cx, h)?);
                }
            }
            TypeDef::Tuple(ts) => {
                h.need(Helper::BadValue);
                body.push_str(&format!("  if (!Array.isArray(v) || v.length !== {}) badValue(v, 'a tuple (an array of {} values)');\n", ts.len(), ts.len()));
                let offs = self.layouts.field_offsets(ts).map_err(|e| e.to_string())?;
                for (i, (t, o)) in ts.iter().zip(offs).enumerate() {
                    body.push_str(&self.store(*t, &off("p", o), &format!("v[{i}]"), cx, h)?);
                }
            }
            TypeDef::List(elem) => {
                let f = self.lower_list(*elem, cx, h)?;
                h.need(Helper::Len);
                body.push_str(&format!("  const lp = {f}(v);\n  view{m}(); DV_{m}.setUint32(p, lp, true); DV_{m}.setUint32(p + 4, LEN, true);\n"));
            }
            TypeDef::Flags(names) => {
                h.need(Helper::BadValue);
                body.push_str("  if (v === null || typeof v !== 'object') badValue(v, 'flags (an object of booleans)');\n");
                let size = self.layout(ty)?.size;
                let words = self.flags_to_words(names, "v");
                body.push_str(&format!("  view{m}();\n"));
                match size {
                    0 => {}
                    1 => body.push_str(&format!("  U8_{m}[p] = {};\n", words[0])),
                    2 => body.push_str(&format!("  DV_{m}.setUint16(p, {}, true);\n", words[0])),
                    _ => {
                        for (w, e) in words.iter().enumerate() {
                            body.push_str(&format!(
                                "  DV_{m}.setInt32({}, {e}, true);\n",
                                off("p", 4 * w as u32)
                            ));
                        }
                    }
                }
            }
            TypeDef::Variant(_)
            | TypeDef::Enum(_)
            | TypeDef::Option(_)
            | TypeDef::Result { .. } => {
                let (form, cases) = self.cases_of(ty)?;
                let payload_tys: Vec<Option<ValType>> = cases.iter().map(|c| c.1).collect();
                let payload = self
                    .layouts
                    .variant_payload_offset(&payload_tys)
                    .map_err(|e| e.to_string())?;
                let (_, setter) = disc_accessors(cases.len());
                let what = self.describe(ty);
                body.push_str(
                    &self.switch_case(form, &cases, "v", &what, h, |g, i, val, h| {
                        let mut s = format!("  view{m}(); DV_{m}.{setter}(p, {i}, true);\n");
                        if let (Some(t), Some(val)) = (payload_tys[i], val) {
                            s.push_str(&g.store(t, &off("p", payload), &val, cx, h)?);
                        }
                        Ok(s)
                    })?,
                );
            }
            TypeDef::Func(_) => return Err("a function type is not a value type".into()),
        }
        Ok(format!("function {name}(p, v) {{\n{body}}}\n"))
    }

    // ---------------------------------------------------------------- lists

    /// Typed-array constructor for a list of `elem`, when one fits exactly.
    fn typed_array(elem: ValType) -> Option<&'static str> {
        Some(match elem {
            ValType::U8 => "Uint8Array",
            ValType::S8 => "Int8Array",
            ValType::U16 => "Uint16Array",
            ValType::S16 => "Int16Array",
            ValType::U32 => "Uint32Array",
            ValType::S32 => "Int32Array",
            ValType::U64 => "BigUint64Array",
            ValType::S64 => "BigInt64Array",
            ValType::F32 => "Float32Array",
            ValType::F64 => "Float64Array",
            _ => return None,
        })
    }

    /// Name of the function `(ptr, len) -> list` for lists of `elem`.
    pub(crate) fn lift_list(
        &mut self,
        elem: ValType,
        cx: MemCx,
        h: &mut Helpers,
    ) -> GenResult<String> {
        self.func(Op::LiftList, elem, cx, |g, name| {
            let m = cx.mem;
            g.memories.insert(m);
            h.need(Helper::CheckRange(m));
            h.need(Helper::Budget);
            let l = g.layout(elem)?;
            let (size, align) = (l.size, l.align);
            // Zero-size elements count as one byte each: the length of any
            // list is bounded by memory (and by the budget).
            let counted = size.max(1);
            let mut body = format!("  ptr >>>= 0; len >>>= 0;\n  checkRange{m}(ptr, len * {counted}, {align});\n  charge(len, {counted});\n");
            match Self::typed_array(elem) {
                Some("Uint8Array") => body.push_str(&format!("  return U8_{m}.slice(ptr, ptr + len);\n")),
                Some(ta) => body.push_str(&format!("  return new {ta}(MEM_{m}.buffer, ptr, len).slice();\n")),
                None => {
                    let e = g.load(elem, &format!("ptr + i * {size}"), cx, h)?;
                    body.push_str(&format!("  const out = new Array(len);\n  for (let i = 0; i < len; i++) out[i] = {e};\n  return out;\n"));
                }
            }
            Ok(format!("function {name}(ptr, len) {{\n{body}}}\n"))
        })
    }

    /// Name of the function `(list) -> ptr` (length in `LEN`) for lists of `elem`.
    pub(crate) fn lower_list(
        &mut self,
        elem: ValType,
        cx: MemCx,
        h: &mut Helpers,
    ) -> GenResult<String> {
        self.func(Op::LowerList, elem, cx, |g, name| {
            let m = cx.mem;
            g.memories.insert(m);
            h.need(Helper::CheckAlloc(m));
            h.need(Helper::Len);
            h.need(Helper::BadValue);
            let mal = g.malloc(cx)?;
            let l = g.layout(elem)?;
            let (size, align) = (l.size, l.align);
            let mut body = format!(
                "  if (v === null || typeof v !== 'object' || typeof v.length !== 'number') badValue(v, 'a list (an array or typed array)');\n  const n = v.length;\n  const ptr = checkAlloc{m}({mal}(n * {size}, {align}) >>> 0, n * {size}, {align});\n"
            );
            let elem_store = g.store(elem, &format!("ptr + i * {size}"), "v[i]", cx, h)?;
            match Self::typed_array(elem) {
                // Bytes copy in one go; anything else (arrays, other typed
                // arrays) is checked element by element, as documented.
                Some("Uint8Array") => body.push_str(&format!(
                    "  if (v instanceof Uint8Array || v instanceof Uint8ClampedArray) U8_{m}.set(v, ptr);\n  else for (let i = 0; i < n; i++) {{\n{elem_store}  }}\n"
                )),
                Some(ta) => body.push_str(&format!(
                    "  if (v instanceof {ta}) new {ta}(MEM_{m}.buffer, ptr, n).set(v);\n  else for (let i = 0; i < n; i++) {{\n{elem_store}  }}\n"
                )),
                None => body.push_str(&format!("  for (let i = 0; i < n; i++) {{\n{elem_store}  }}\n")),
            }
            body.push_str("  LEN = n;\n  return ptr;\n");
            Ok(format!("function {name}(v) {{\n{body}}}\n"))
        })
    }
}

/// A value of core type `have` widened into a joined slot of type `slot`.
fn join(have: CoreType, slot: CoreType, x: &str, h: &mut Helpers) -> String {
    use CoreType::*;
    match (have, slot) {
        (F32, I32) => {
            h.need(Helper::Bits);
            format!("f32ToI32({x})")
        }
        (I32, I64) => format!("BigInt({x} >>> 0)"),
        (F32, I64) => {
            h.need(Helper::Bits);
            format!("BigInt(f32ToI32({x}) >>> 0)")
        }
        (F64, I64) => {
            h.need(Helper::Bits);
            format!("f64ToI64({x})")
        }
        _ => x.to_string(),
    }
}

/// A joined slot of type `slot` read back as `want` (wrap, bit-cast).
fn unjoin(want: CoreType, slot: CoreType, x: &str, h: &mut Helpers) -> String {
    use CoreType::*;
    match (want, slot) {
        (I32, I64) => format!("Number(BigInt.asIntN(32, {x}))"),
        (F32, I32) => {
            h.need(Helper::Bits);
            format!("i32ToF32({x})")
        }
        (F32, I64) => {
            h.need(Helper::Bits);
            format!("i32ToF32(Number(BigInt.asIntN(32, {x})))")
        }
        (F64, I64) => {
            h.need(Helper::Bits);
            format!("i64ToF64({x})")
        }
        _ => x.to_string(),
    }
}
