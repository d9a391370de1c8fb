//! Memory-to-memory transfer code for fused links (`link.rs`): values copied
//! from one module's linear memory straight into another's in the canonical
//! layout (`docs/format.md` §3), with no JS value in between.
//!
//! Two kinds of generated function per type and pair of places:
//! * **checks** (`ck…`) read a value in the memory it came from and throw
//!   what the lifting glue would throw (bounds, alignment, encodings,
//!   discriminants, `char`s, flag bits, the size budget); they run at the
//!   call boundary, before the other side sees anything;
//! * **copies** (`xs…` strings, `xl…` lists, `xm…` any type in place) then
//!   allocate in the destination and copy without checking again: one
//!   `Uint8Array.set` for a same-encoding string or a list of plain numbers,
//!   a counting pass and a writing pass between encodings.
//!
//! Layouts come from the source module's types; the link check made sure
//! the destination's are structurally the same.

use crate::helpers::{Helper, Helpers};
use crate::snippets::{alloc, disc_accessors, disc_read, off, ptr_len_at, set_ptr_len};
use intertype::layout::{self, Layouts};
use intertype::{StringEncoding, TypeDef, ValType};
use std::collections::BTreeMap;

/// Where values are read from or written to: a glue memory index, the
/// string encoding, and (destinations) the glue name of the allocator.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Place {
    pub mem: u32,
    pub enc: StringEncoding,
    pub malloc: String,
}

/// The generated transfer functions of one glue file.
#[derive(Default)]
pub(crate) struct Xfer {
    funcs: BTreeMap<String, Option<String>>,
}

type R<T> = Result<T, String>;

fn enc_tag(e: StringEncoding) -> &'static str {
    match e {
        StringEncoding::Utf8 => "u8",
        StringEncoding::Utf16 => "u16",
        StringEncoding::Latin1 => "l1",
    }
}

fn ty_tag(ty: ValType) -> String {
    match ty {
        ValType::Type(i) => format!("t{i}"),
        other => other.keyword().unwrap_or("x").to_string(),
    }
}

/// `ck{kind}…`: the name of a check of `ty` (side, type, memory, encoding).
fn check_name(kind: &str, t: &Types<'_>, ty: ValType, mem: u32, enc: StringEncoding) -> String {
    format!("ck{kind}{}_{}_{mem}_{}", t.side, ty_tag(ty), enc_tag(enc))
}

/// `x{kind}…`: the name of a copy of `ty` from `src` to `dst`.
fn copy_name(
    kind: &str,
    t: &Types<'_>,
    ty: ValType,
    src: (u32, StringEncoding),
    dst: &Place,
) -> String {
    format!(
        "x{kind}{}_{}_{}_{}_{}_{}_{}",
        t.side,
        ty_tag(ty),
        src.0,
        enc_tag(src.1),
        dst.mem,
        enc_tag(dst.enc),
        dst.malloc
    )
}

/// One side's types, for layouts.
pub(crate) struct Types<'a> {
    pub defs: &'a [TypeDef],
    /// Distinguishes the type indices of different modules in names.
    pub side: usize,
}

impl<'a> Types<'a> {
    fn def(&self, ty: ValType) -> Option<&'a TypeDef> {
        layout::resolve(self.defs, ty)
    }
    fn layout(&self, ty: ValType) -> R<layout::Layout> {
        Layouts::new(self.defs)
            .layout(ty)
            .map_err(|e| e.to_string())
    }
    fn offsets(&self, tys: &[ValType]) -> R<Vec<u32>> {
        Layouts::new(self.defs)
            .field_offsets(tys)
            .map_err(|e| e.to_string())
    }
    fn payload(&self, cases: &[Option<ValType>]) -> R<u32> {
        Layouts::new(self.defs)
            .variant_payload_offset(cases)
            .map_err(|e| e.to_string())
    }

    /// Integers and floats (and records and tuples of them): every bit
    /// pattern is a valid value, so a block copy is the whole transfer.
    pub(crate) fn plain(&self, ty: ValType) -> bool {
        use ValType::*;
        match ty {
            S8 | U8 | S16 | U16 | S32 | U32 | S64 | U64 | F32 | F64 | I32 | I64 => true,
            Type(_) => match self.def(ty) {
                Some(TypeDef::Record(fs)) => fs.iter().all(|f| self.plain(f.ty)),
                Some(TypeDef::Tuple(ts)) => ts.iter().all(|t| self.plain(*t)),
                _ => false,
            },
            _ => false,
        }
    }

    /// Whether reading a value of `ty` can fail beyond its own bounds.
    fn needs_check(&self, ty: ValType) -> bool {
        use ValType::*;
        match ty {
            Bool | S8 | U8 | S16 | U16 | S32 | U32 | S64 | U64 | F32 | F64 | I32 | I64 => false,
            Char | String | Externref => true,
            Type(_) => match self.def(ty) {
                Some(TypeDef::Record(fs)) => fs.iter().any(|f| self.needs_check(f.ty)),
                Some(TypeDef::Tuple(ts)) => ts.iter().any(|t| self.needs_check(*t)),
                Some(TypeDef::Flags(names)) => names.len() % 32 != 0,
                _ => true,
            },
        }
    }
}

impl Xfer {
    /// Every generated function, in a fixed order.
    pub(crate) fn emit(&self) -> String {
        self.funcs.values().flatten().cloned().collect()
    }

    fn define(&mut self, name: &str, body: impl FnOnce(&mut Self) -> R<String>) -> R<String> {
        if !self.funcs.contains_key(name) {
            self.funcs.insert(name.to_string(), None);
            let code = body(self)?;
            self.funcs.insert(name.to_string(), Some(code));
        }
        Ok(name.to_string())
    }

    // -------------------------------------------------------------- checks

    /// The name of `(ptr, len)`: checks a string in `mem` (bounds,
    /// alignment, encoding) and returns nothing.
    pub(crate) fn check_str(&mut self, mem: u32, enc: StringEncoding, h: &mut Helpers) -> String {
        h.need(Helper::CheckRange(mem));
        h.need(Helper::Trap);
        let name = format!("ckS_{mem}_{}", enc_tag(enc));
        let code = match enc {
            StringEncoding::Utf8 => {
                h.need(Helper::ValidUtf8);
                format!("function {name}(p, l) {{\n  checkRange{mem}(p, l, 1);\n  if (!validUtf8(U8_{mem}, p, l)) trap(`invalid UTF-8 at 0x${{p.toString(16)}}+${{l}}`);\n}}\n")
            }
            StringEncoding::Utf16 => format!(
                "function {name}(p, l) {{\n  checkRange{mem}(p, l * 2, 2);\n  const u = new Uint16Array(MEM_{mem}.buffer, p, l);\n  for (let i = 0; i < l; i++) {{\n    const c = u[i];\n    if (c < 0xd800 || c >= 0xe000) continue;\n    if (c < 0xdc00 && i + 1 < l && u[i + 1] >= 0xdc00 && u[i + 1] < 0xe000) {{ i++; continue; }}\n    trap(`invalid UTF-16 at 0x${{p.toString(16)}}+${{l}}`);\n  }}\n}}\n"
            ),
            StringEncoding::Latin1 => {
                format!("function {name}(p, l) {{\n  checkRange{mem}(p, l, 1);\n}}\n")
            }
        };
        self.funcs.entry(name.clone()).or_insert(Some(code));
        name
    }

    /// The name of `(ptr, len)`: checks a list of `elem` and its elements.
    pub(crate) fn check_list(
        &mut self,
        t: &Types<'_>,
        elem: ValType,
        mem: u32,
        enc: StringEncoding,
        h: &mut Helpers,
    ) -> R<String> {
        let name = check_name("L", t, elem, mem, enc);
        self.define(&name, |x| {
            h.need(Helper::CheckRange(mem));
            h.need(Helper::Budget);
            let l = t.layout(elem)?;
            let counted = l.size.max(1);
            let mut body = format!(
                "  checkRange{mem}(p, n * {counted}, {});\n  charge(n, {counted});\n",
                l.align
            );
            if t.needs_check(elem) {
                let e = x.check_at(t, elem, "q", mem, enc, h)?;
                body.push_str(&format!(
                    "  for (let i = 0, q = p; i < n; i++, q += {}) {{\n{e}  }}\n",
                    l.size
                ));
            }
            Ok(format!("function {name}(p, n) {{\n{body}}}\n"))
        })
    }

    /// The name of `(addr)`: checks a value of `ty` stored at `addr` (whose
    /// own bytes are in bounds).
    pub(crate) fn check_mem(
        &mut self,
        t: &Types<'_>,
        ty: ValType,
        mem: u32,
        enc: StringEncoding,
        h: &mut Helpers,
    ) -> R<String> {
        let name = check_name("M", t, ty, mem, enc);
        self.define(&name, |x| {
            let body = x.check_at(t, ty, "p", mem, enc, h)?;
            Ok(format!("function {name}(p) {{\n{body}}}\n"))
        })
    }

    /// Statements checking the value of `ty` at `p`.
    fn check_at(
        &mut self,
        t: &Types<'_>,
        ty: ValType,
        p: &str,
        mem: u32,
        enc: StringEncoding,
        h: &mut Helpers,
    ) -> R<String> {
        use ValType::*;
        if !t.needs_check(ty) {
            return Ok(std::string::String::new());
        }
        let m = mem;
        h.need(Helper::View(m));
        Ok(match ty {
            Char => {
                h.need(Helper::CodeToChar);
                format!("    codeToChar(DV_{m}.getUint32({p}, true));\n")
            }
            String => {
                let f = self.check_str(m, enc, h);
                h.need(Helper::Budget);
                let (sp, sl) = ptr_len_at(m, p);
                format!(
                    "    {{ const sp = {sp}, sl = {sl}; {f}(sp, sl); charge(sl, {}); }}\n",
                    enc.unit_bytes()
                )
            }
            Externref => return Err("externref cannot be stored in linear memory".into()),
            Type(_) => match t.def(ty).ok_or("undefined type")? {
                TypeDef::List(elem) => {
                    let f = self.check_list(t, *elem, m, enc, h)?;
                    let (lp, ll) = ptr_len_at(m, p);
                    format!("    {f}({lp}, {ll});\n")
                }
                TypeDef::Record(_) | TypeDef::Tuple(_) => {
                    let tys = layout::record_fields(t.defs, ty).unwrap_or_default();
                    let offs = t.offsets(&tys)?;
                    let mut s = std::string::String::new();
                    for (ft, o) in tys.iter().zip(offs) {
                        if t.needs_check(*ft) {
                            let f = self.check_mem(t, *ft, m, enc, h)?;
                            s.push_str(&format!("    {f}({});\n", off(p, o)));
                        }
                    }
                    s
                }
                TypeDef::Flags(names) => {
                    h.need(Helper::Trap);
                    let n = names.len();
                    let words = layout::flags_words(n);
                    let last = match t.layout(ty)?.size {
                        1 => format!("U8_{m}[{p}]"),
                        2 => format!("DV_{m}.getUint16({p}, true)"),
                        _ => format!("DV_{m}.getUint32({}, true)", off(p, 4 * (words - 1))),
                    };
                    format!(
                        "    {{ const w = {last}; if ((w >>> {}) !== 0) trap(`flags value 0x${{w.toString(16)}} sets bits past the last of {n} flags`); }}\n",
                        n % 32
                    )
                }
                TypeDef::Variant(_)
                | TypeDef::Enum(_)
                | TypeDef::Option(_)
                | TypeDef::Result { .. } => {
                    h.need(Helper::Trap);
                    let cases = layout::variant_cases(t.defs, ty).unwrap_or_default();
                    let payload = t.payload(&cases)?;
                    let d = disc_read(m, p, cases.len());
                    let mut s = format!(
                        "    {{\n    const d = {d};\n    if (d >= {n}) trap(`discriminant ${{d}} is past the last case ({n} cases)`);\n",
                        n = cases.len()
                    );
                    let checked: Vec<(usize, ValType)> = cases
                        .iter()
                        .enumerate()
                        .filter_map(|(i, c)| c.filter(|c| t.needs_check(*c)).map(|c| (i, c)))
                        .collect();
                    if !checked.is_empty() {
                        s.push_str("    switch (d) {\n");
                        for (i, c) in checked {
                            let f = self.check_mem(t, c, m, enc, h)?;
                            s.push_str(&format!(
                                "      case {i}: {f}({}); break;\n",
                                off(p, payload)
                            ));
                        }
                        s.push_str("    }\n");
                    }
                    s.push_str("    }\n");
                    s
                }
                TypeDef::Func(_) => return Err("a function type is not a value type".into()),
            },
            _ => std::string::String::new(),
        })
    }

    // -------------------------------------------------------------- copies

    /// The name of `(ptr, len) -> ptr` (length in `LEN`): copies a checked
    /// string from `src` into a new allocation in `dst`, transcoding.
    pub(crate) fn copy_str(
        &mut self,
        src_mem: u32,
        src: StringEncoding,
        dst: &Place,
        h: &mut Helpers,
    ) -> String {
        use StringEncoding::*;
        let (s, d) = (src_mem, dst.mem);
        h.need(Helper::CheckAlloc(d));
        h.need(Helper::View(s));
        h.need(Helper::Len);
        h.need(Helper::CopyBytes);
        let name = format!(
            "xs_{s}_{}_{d}_{}_{}",
            enc_tag(src),
            enc_tag(dst.enc),
            dst.malloc
        );
        let latin1_refusal = "throw new RangeError(`string has a character above U+00FF at index ${k}; Latin-1 cannot represent it`)";
        // Every transcoder counts what it needs, allocates `size` bytes and
        // copies.
        let (count, size, align, copy) = match (src, dst.enc) {
            (Utf8, Utf8) | (Latin1, Latin1) => (
                String::new(),
                "l",
                1,
                format!("  copyBytes(U8_{s}, p, U8_{d}, q, l);\n  LEN = l;\n"),
            ),
            (Utf16, Utf16) => (
                String::new(),
                "l * 2",
                2,
                format!("  copyBytes(U8_{s}, p, U8_{d}, q, l * 2);\n  LEN = l;\n"),
            ),
            (Utf8, Utf16) => (
                format!("  const s = U8_{s};\n  let n = 0;\n  for (let i = p, e = p + l; i < e; i++) {{ const c = s[i]; if ((c & 0xc0) !== 0x80) n += c >= 0xf0 ? 2 : 1; }}\n"),
                "n * 2",
                2,
                format!("  const u = new Uint16Array(MEM_{d}.buffer, q, n);\n  let j = 0;\n  for (let i = p, e = p + l; i < e;) {{\n    const c = s[i];\n    if (c < 0x80) {{ u[j++] = c; i++; }}\n    else if (c < 0xe0) {{ u[j++] = ((c & 0x1f) << 6) | (s[i + 1] & 0x3f); i += 2; }}\n    else if (c < 0xf0) {{ u[j++] = ((c & 0x0f) << 12) | ((s[i + 1] & 0x3f) << 6) | (s[i + 2] & 0x3f); i += 3; }}\n    else {{\n      const x = (((c & 0x07) << 18) | ((s[i + 1] & 0x3f) << 12) | ((s[i + 2] & 0x3f) << 6) | (s[i + 3] & 0x3f)) - 0x10000;\n      u[j++] = 0xd800 | (x >> 10); u[j++] = 0xdc00 | (x & 0x3ff); i += 4;\n    }}\n  }}\n  LEN = n;\n"),
            ),
            (Utf16, Utf8) => (
                format!("  const s = new Uint16Array(MEM_{s}.buffer, p, l);\n  let n = 0;\n  for (let i = 0; i < l; i++) {{ const c = s[i]; if (c < 0x80) n += 1; else if (c < 0x800) n += 2; else if (c >= 0xd800 && c < 0xdc00) {{ n += 4; i++; }} else n += 3; }}\n"),
                "n",
                1,
                format!("  const d = U8_{d};\n  let j = q;\n  for (let i = 0; i < l; i++) {{\n    const c = s[i];\n    if (c < 0x80) d[j++] = c;\n    else if (c < 0x800) {{ d[j++] = 0xc0 | (c >> 6); d[j++] = 0x80 | (c & 0x3f); }}\n    else if (c >= 0xd800 && c < 0xdc00) {{\n      const x = 0x10000 + ((c - 0xd800) << 10) + (s[++i] - 0xdc00);\n      d[j++] = 0xf0 | (x >> 18); d[j++] = 0x80 | ((x >> 12) & 0x3f); d[j++] = 0x80 | ((x >> 6) & 0x3f); d[j++] = 0x80 | (x & 0x3f);\n    }} else {{ d[j++] = 0xe0 | (c >> 12); d[j++] = 0x80 | ((c >> 6) & 0x3f); d[j++] = 0x80 | (c & 0x3f); }}\n  }}\n  LEN = n;\n"),
            ),
            (Latin1, Utf8) => (
                format!("  const s = U8_{s};\n  let n = l;\n  for (let i = p, e = p + l; i < e; i++) if (s[i] >= 0x80) n++;\n"),
                "n",
                1,
                format!("  const d = U8_{d};\n  let j = q;\n  for (let i = p, e = p + l; i < e; i++) {{ const c = s[i]; if (c < 0x80) d[j++] = c; else {{ d[j++] = 0xc0 | (c >> 6); d[j++] = 0x80 | (c & 0x3f); }} }}\n  LEN = n;\n"),
            ),
            (Latin1, Utf16) => (
                String::new(),
                "l * 2",
                2,
                format!("  const s = U8_{s}, u = new Uint16Array(MEM_{d}.buffer, q, l);\n  for (let i = 0; i < l; i++) u[i] = s[p + i];\n  LEN = l;\n"),
            ),
            (Utf8, Latin1) => (
                format!("  const s = U8_{s};\n  let n = 0;\n  for (let i = p, e = p + l, k = 0; i < e; i++) {{\n    const c = s[i];\n    if ((c & 0xc0) === 0x80) continue;\n    if (c >= 0xc4) {latin1_refusal};\n    n++; k++;\n  }}\n"),
                "n",
                1,
                format!("  const d = U8_{d};\n  for (let i = p, e = p + l, j = q; i < e;) {{ const c = s[i]; if (c < 0x80) {{ d[j++] = c; i++; }} else {{ d[j++] = ((c & 0x1f) << 6) | (s[i + 1] & 0x3f); i += 2; }} }}\n  LEN = n;\n"),
            ),
            (Utf16, Latin1) => (
                format!("  const s = new Uint16Array(MEM_{s}.buffer, p, l);\n  for (let k = 0; k < l; k++) if (s[k] > 0xff) {latin1_refusal};\n"),
                "l",
                1,
                format!("  const d = U8_{d};\n  for (let i = 0; i < l; i++) d[q + i] = s[i];\n  LEN = l;\n"),
            ),
        };
        let q = alloc(d, &dst.malloc, size, align);
        let body = format!("{count}  const q = {q};\n{copy}");
        let code = format!("function {name}(p, l) {{\n  view{s}();\n{body}  return q;\n}}\n");
        self.funcs.entry(name.clone()).or_insert(Some(code));
        name
    }

    /// The name of `(ptr, len) -> ptr` (length in `LEN`): copies a checked
    /// list of `elem` into a new allocation in `dst`.
    pub(crate) fn copy_list(
        &mut self,
        t: &Types<'_>,
        elem: ValType,
        src: (u32, StringEncoding),
        dst: &Place,
        h: &mut Helpers,
    ) -> R<String> {
        let name = copy_name("l", t, elem, src, dst);
        self.define(&name, |x| {
            let (s, d) = (src.0, dst.mem);
            h.need(Helper::CheckAlloc(d));
            h.need(Helper::View(s));
            h.need(Helper::Len);
            h.need(Helper::CopyBytes);
            let l = t.layout(elem)?;
            let (size, align) = (l.size, l.align);
            let q = alloc(d, &dst.malloc, format!("n * {size}"), align);
            let mut body = format!("  view{s}();\n  const q = {q};\n");
            if t.plain(elem) {
                body.push_str(&format!("  copyBytes(U8_{s}, p, U8_{d}, q, n * {size});\n"));
            } else {
                let e = x.copy_at(
                    t,
                    elem,
                    &format!("p + i * {size}"),
                    &format!("q + i * {size}"),
                    src,
                    dst,
                    h,
                )?;
                body.push_str(&format!("  for (let i = 0; i < n; i++) {{\n{e}  }}\n"));
            }
            body.push_str("  LEN = n;\n  return q;\n");
            Ok(format!("function {name}(p, n) {{\n{body}}}\n"))
        })
    }

    /// The name of `(from, to)`: copies a checked value of `ty` at `from`
    /// in `src` to `to` in `dst` (in bounds, aligned).
    pub(crate) fn copy_mem(
        &mut self,
        t: &Types<'_>,
        ty: ValType,
        src: (u32, StringEncoding),
        dst: &Place,
        h: &mut Helpers,
    ) -> R<String> {
        let name = copy_name("m", t, ty, src, dst);
        self.define(&name, |x| {
            let body = x.copy_at(t, ty, "p", "q", src, dst, h)?;
            Ok(format!("function {name}(p, q) {{\n{body}}}\n"))
        })
    }

    /// Statements copying the value of `ty` at `p` (in `src`) to `q` (in
    /// `dst`).
    #[allow(clippy::too_many_arguments)]
    fn copy_at(
        &mut self,
        t: &Types<'_>,
        ty: ValType,
        p: &str,
        q: &str,
        src: (u32, StringEncoding),
        dst: &Place,
        h: &mut Helpers,
    ) -> R<String> {
        use ValType::*;
        let (s, d) = (src.0, dst.mem);
        h.need(Helper::View(s));
        h.need(Helper::View(d));
        let size = t.layout(ty)?.size;
        if t.plain(ty) {
            return Ok(match size {
                0 => std::string::String::new(),
                1 => format!("    U8_{d}[{q}] = U8_{s}[{p}];\n"),
                2 => format!("    DV_{d}.setUint16({q}, DV_{s}.getUint16({p}, true), true);\n"),
                4 => format!("    DV_{d}.setInt32({q}, DV_{s}.getInt32({p}, true), true);\n"),
                8 => format!(
                    "    DV_{d}.setInt32({q}, DV_{s}.getInt32({p}, true), true); DV_{d}.setInt32({}, DV_{s}.getInt32({}, true), true);\n",
                    off(q, 4),
                    off(p, 4)
                ),
                n => format!("    U8_{d}.set(U8_{s}.subarray({p}, {p} + {n}), {q});\n"),
            });
        }
        Ok(match ty {
            Bool => format!("    U8_{d}[{q}] = U8_{s}[{p}] !== 0 ? 1 : 0;\n"),
            Char => format!("    DV_{d}.setUint32({q}, DV_{s}.getUint32({p}, true), true);\n"),
            String => {
                let f = self.copy_str(s, src.1, dst, h);
                let (sp, sl) = ptr_len_at(s, p);
                let set = set_ptr_len(d, q, "sq", "LEN");
                format!("    {{ const sq = {f}({sp}, {sl}); {set} }}\n")
            }
            Type(_) => match t.def(ty).ok_or("undefined type")? {
                TypeDef::List(elem) => {
                    let f = self.copy_list(t, *elem, src, dst, h)?;
                    let (lp, ll) = ptr_len_at(s, p);
                    let set = set_ptr_len(d, q, "lq", "LEN");
                    format!("    {{ const lq = {f}({lp}, {ll}); {set} }}\n")
                }
                TypeDef::Record(_) | TypeDef::Tuple(_) => {
                    let tys = layout::record_fields(t.defs, ty).unwrap_or_default();
                    let offs = t.offsets(&tys)?;
                    let mut out = std::string::String::new();
                    for (ft, o) in tys.iter().zip(offs) {
                        let f = self.copy_mem(t, *ft, src, dst, h)?;
                        out.push_str(&format!("    {f}({}, {});\n", off(p, o), off(q, o)));
                    }
                    out
                }
                TypeDef::Flags(_) | TypeDef::Enum(_) => {
                    format!("    U8_{d}.set(U8_{s}.subarray({p}, {p} + {size}), {q});\n")
                }
                TypeDef::Variant(_) | TypeDef::Option(_) | TypeDef::Result { .. } => {
                    let cases = layout::variant_cases(t.defs, ty).unwrap_or_default();
                    let payload = t.payload(&cases)?;
                    let n = cases.len();
                    let (get, set) = disc_accessors(n);
                    let mut out = format!(
                        "    {{\n    const d = DV_{s}.{get}({p}, true);\n    DV_{d}.{set}({q}, d, true);\n    switch (d) {{\n"
                    );
                    for (i, c) in cases.iter().enumerate() {
                        if let Some(c) = c {
                            let f = self.copy_mem(t, *c, src, dst, h)?;
                            out.push_str(&format!(
                                "      case {i}: {f}({}, {}); break;\n",
                                off(p, payload),
                                off(q, payload)
                            ));
                        }
                    }
                    out.push_str("    }\n    }\n");
                    out
                }
                TypeDef::Func(_) => return Err("a function type is not a value type".into()),
            },
            _ => return Err(format!("{ty:?} cannot be stored in linear memory")),
        })
    }
}

/// Structural equality of `a` (in `ta`) and `b` (in `tb`), types of two
/// different modules: same forms, names and component types (`docs/format.md`
/// §1; type names do not matter).
pub(crate) fn same_type(ta: &[TypeDef], a: ValType, tb: &[TypeDef], b: ValType) -> bool {
    same(ta, a, tb, b, 0)
}

fn same(ta: &[TypeDef], a: ValType, tb: &[TypeDef], b: ValType, depth: u32) -> bool {
    if depth > 200 {
        return false;
    }
    let (da, db) = match (a, b) {
        (ValType::Type(i), ValType::Type(j)) => match (ta.get(i as usize), tb.get(j as usize)) {
            (Some(x), Some(y)) => (x, y),
            _ => return false,
        },
        (ValType::Type(_), _) | (_, ValType::Type(_)) => return false,
        _ => return a == b,
    };
    let s = |x: ValType, y: ValType| same(ta, x, tb, y, depth + 1);
    let so = |x: &Option<ValType>, y: &Option<ValType>| match (x, y) {
        (None, None) => true,
        (Some(x), Some(y)) => s(*x, *y),
        _ => false,
    };
    match (da, db) {
        (TypeDef::Record(x), TypeDef::Record(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|(f, g)| f.name == g.name && s(f.ty, g.ty))
        }
        (TypeDef::Tuple(x), TypeDef::Tuple(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(f, g)| s(*f, *g))
        }
        (TypeDef::Variant(x), TypeDef::Variant(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|(f, g)| f.name == g.name && so(&f.ty, &g.ty))
        }
        (TypeDef::Enum(x), TypeDef::Enum(y)) | (TypeDef::Flags(x), TypeDef::Flags(y)) => x == y,
        (TypeDef::List(x), TypeDef::List(y)) | (TypeDef::Option(x), TypeDef::Option(y)) => {
            s(*x, *y)
        }
        (TypeDef::Result { ok: o1, err: e1 }, TypeDef::Result { ok: o2, err: e2 }) => {
            so(o1, o2) && so(e1, e2)
        }
        (TypeDef::Func(x), TypeDef::Func(y)) => {
            x.params.len() == y.params.len()
                && x.results.len() == y.results.len()
                && x.params.iter().zip(&y.params).all(|(p, q)| s(*p, *q))
                && x.results.iter().zip(&y.results).all(|(p, q)| s(*p, *q))
        }
        _ => false,
    }
}

/// Where a value is read from in a flat-form transfer.
pub(crate) enum Src<'s> {
    /// In the source memory at this address (checked).
    Mem(String),
    /// Flat core values (JS expressions), one per slot of the type's flat form.
    Flat(&'s [String]),
}

/// Where a value is written to: memory at an address, or `let` variables
/// (one per slot of the type's flat form).
pub(crate) enum Dst<'s> {
    Mem(String),
    Flat(&'s [String]),
}

impl<'s> Src<'s> {
    /// A field or payload of this value: at byte offset `o` in memory, or
    /// the flat slots `slots`.
    fn part(&self, o: u32, slots: std::ops::Range<usize>) -> Src<'s> {
        match *self {
            Src::Mem(ref p) => Src::Mem(off(p, o)),
            Src::Flat(vals) => Src::Flat(&vals[slots]),
        }
    }
}

impl<'s> Dst<'s> {
    /// [`Src::part`] of a destination.
    fn part(&self, o: u32, slots: std::ops::Range<usize>) -> Dst<'s> {
        match *self {
            Dst::Mem(ref q) => Dst::Mem(off(q, o)),
            Dst::Flat(outs) => Dst::Flat(&outs[slots]),
        }
    }
}

impl<'a> Types<'a> {
    fn flat(&self, ty: ValType) -> R<Vec<intertype::CoreType>> {
        Layouts::new(self.defs)
            .flatten(ty)
            .map_err(|e| e.to_string())
    }

    /// Whether `ty` can move in flat form without bit casts: no externref,
    /// and every variant case's flat payload has the joined slots' types.
    pub(crate) fn flat_ok(&self, ty: ValType) -> bool {
        use ValType::*;
        match ty {
            Externref => false,
            Type(_) => match self.def(ty) {
                Some(TypeDef::Record(fs)) => fs.iter().all(|f| self.flat_ok(f.ty)),
                Some(TypeDef::Tuple(ts)) => ts.iter().all(|t| self.flat_ok(*t)),
                Some(TypeDef::List(_)) | Some(TypeDef::Flags(_)) | Some(TypeDef::Enum(_)) => true,
                Some(TypeDef::Variant(_))
                | Some(TypeDef::Option(_))
                | Some(TypeDef::Result { .. }) => {
                    let cases = layout::variant_cases(self.defs, ty).unwrap_or_default();
                    let Ok(all) = self.flat(ty) else { return false };
                    cases.iter().flatten().all(|c| {
                        self.flat_ok(*c)
                            && self
                                .flat(*c)
                                .is_ok_and(|f| f.iter().zip(&all[1..]).all(|(x, y)| x == y))
                    })
                }
                _ => false,
            },
            _ => true,
        }
    }
}

/// Zero of a flat slot type.
fn zero(t: intertype::CoreType) -> &'static str {
    match t {
        intertype::CoreType::I64 => "0n",
        _ => "0",
    }
}

impl Xfer {
    /// Statements checking a value of `ty` given as flat values `vals`
    /// (what lifting it would check).
    pub(crate) fn check_flat(
        &mut self,
        t: &Types<'_>,
        ty: ValType,
        vals: &[String],
        mem: u32,
        enc: StringEncoding,
        h: &mut Helpers,
    ) -> R<String> {
        use ValType::*;
        if !t.needs_check(ty) {
            return Ok(std::string::String::new());
        }
        Ok(match ty {
            Char => {
                h.need(Helper::CodeToChar);
                format!("codeToChar({});\n", vals[0])
            }
            String => {
                let f = self.check_str(mem, enc, h);
                format!("{f}({} >>> 0, {} >>> 0);\n", vals[0], vals[1])
            }
            Type(_) => match t.def(ty).ok_or("undefined type")? {
                TypeDef::List(elem) => {
                    let f = self.check_list(t, *elem, mem, enc, h)?;
                    format!("{f}({} >>> 0, {} >>> 0);\n", vals[0], vals[1])
                }
                TypeDef::Record(_) | TypeDef::Tuple(_) => {
                    let mut out = std::string::String::new();
                    let mut at = 0;
                    for ft in layout::record_fields(t.defs, ty).unwrap_or_default() {
                        let n = t.flat(ft)?.len();
                        out.push_str(&self.check_flat(t, ft, &vals[at..at + n], mem, enc, h)?);
                        at += n;
                    }
                    out
                }
                TypeDef::Flags(names) => {
                    h.need(Helper::Trap);
                    let n = names.len();
                    let last = &vals[vals.len() - 1];
                    format!(
                        "if (({last} >>> {}) !== 0) trap(`flags value 0x${{({last} >>> 0).toString(16)}} sets bits past the last of {n} flags`);\n",
                        n % 32
                    )
                }
                TypeDef::Variant(_)
                | TypeDef::Enum(_)
                | TypeDef::Option(_)
                | TypeDef::Result { .. } => {
                    h.need(Helper::Trap);
                    let cases = layout::variant_cases(t.defs, ty).unwrap_or_default();
                    let n = cases.len();
                    let d = &vals[0];
                    let mut out = format!(
                        "if (({d} >>> 0) >= {n}) trap(`discriminant ${{{d} >>> 0}} is past the last case ({n} cases)`);\n"
                    );
                    let mut arms = std::string::String::new();
                    for (i, c) in cases.iter().enumerate() {
                        if let Some(c) = c {
                            let k = t.flat(*c)?.len();
                            let s = self.check_flat(t, *c, &vals[1..1 + k], mem, enc, h)?;
                            if !s.is_empty() {
                                arms.push_str(&format!("  case {i}: {{\n{s}  break;\n  }}\n"));
                            }
                        }
                    }
                    if !arms.is_empty() {
                        out.push_str(&format!("switch ({d} >>> 0) {{\n{arms}}}\n"));
                    }
                    out
                }
                TypeDef::Func(_) => return Err("a function type is not a value type".into()),
            },
            _ => std::string::String::new(),
        })
    }

    /// Statements moving a checked value of `ty` from `src` (in memory
    /// `from`) to `dst` (at `to`), either side in memory or in flat form
    /// ([`Types::flat_ok`] must hold for a flat side).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn move_value(
        &mut self,
        t: &Types<'_>,
        ty: ValType,
        src: &Src<'_>,
        dst: &Dst<'_>,
        from: (u32, StringEncoding),
        to: &Place,
        h: &mut Helpers,
    ) -> R<String> {
        use ValType::*;
        let (s, d) = (from.0, to.mem);
        if let Src::Mem(_) = src {
            h.need(Helper::View(s));
        }
        if let Dst::Mem(_) = dst {
            h.need(Helper::View(d));
        }
        if let (Src::Mem(p), Dst::Mem(q)) = (src, dst) {
            let f = self.copy_mem(t, ty, from, to, h)?;
            return Ok(format!("{f}({p}, {q});\n"));
        }
        let write = |e: std::string::String, setter: &str| match dst {
            Dst::Mem(q) => format!("DV_{d}.{setter}({q}, {e}, true);\n"),
            Dst::Flat(outs) => format!("{} = {e};\n", outs[0]),
        };
        let read = |getter: &str, conv: &str| match src {
            Src::Mem(p) => format!("DV_{s}.{getter}({p}, true)"),
            Src::Flat(vals) => conv.replace('x', &vals[0]),
        };
        Ok(match ty {
            Bool => match dst {
                Dst::Mem(q) => format!("U8_{d}[{q}] = {} !== 0 ? 1 : 0;\n", read("getUint8", "x")),
                Dst::Flat(outs) => {
                    format!("{} = {} !== 0 ? 1 : 0;\n", outs[0], read("getUint8", "x"))
                }
            },
            S8 => write(read("getInt8", "(x << 24 >> 24)"), "setInt8"),
            U8 => write(read("getUint8", "(x & 255)"), "setUint8"),
            S16 => write(read("getInt16", "(x << 16 >> 16)"), "setInt16"),
            U16 => write(read("getUint16", "(x & 65535)"), "setUint16"),
            S32 | U32 | I32 | Char => write(read("getInt32", "(x | 0)"), "setInt32"),
            S64 | U64 | I64 => write(read("getBigInt64", "x"), "setBigInt64"),
            F32 => write(read("getFloat32", "x"), "setFloat32"),
            F64 => write(read("getFloat64", "x"), "setFloat64"),
            String | Type(_) if matches!(t.def(ty), None | Some(TypeDef::List(_))) => {
                let (p, l) = match src {
                    Src::Mem(p) => ptr_len_at(s, p),
                    Src::Flat(vals) => (format!("{} >>> 0", vals[0]), format!("{} >>> 0", vals[1])),
                };
                let f = match t.def(ty) {
                    Some(TypeDef::List(elem)) => self.copy_list(t, *elem, from, to, h)?,
                    _ => self.copy_str(s, from.1, to, h),
                };
                match dst {
                    Dst::Mem(q) => format!(
                        "{{ const mp = {f}({p}, {l}); {} }}\n",
                        set_ptr_len(d, q, "mp", "LEN")
                    ),
                    Dst::Flat(outs) => format!("{} = {f}({p}, {l}); {} = LEN;\n", outs[0], outs[1]),
                }
            }
            Type(_) => {
                let def = t.def(ty).ok_or("undefined type")?;
                let size = t.layout(ty)?.size;
                match def {
                    TypeDef::Record(_) | TypeDef::Tuple(_) => {
                        let tys = layout::record_fields(t.defs, ty).unwrap_or_default();
                        let offs = t.offsets(&tys)?;
                        let mut out = std::string::String::new();
                        let mut at = 0;
                        for (ft, o) in tys.iter().zip(offs) {
                            let n = t.flat(*ft)?.len();
                            let fs = src.part(o, at..at + n);
                            let fd = dst.part(o, at..at + n);
                            out.push_str(&self.move_value(t, *ft, &fs, &fd, from, to, h)?);
                            at += n;
                        }
                        out
                    }
                    TypeDef::Flags(names) => {
                        let words = layout::flags_words(names.len()) as usize;
                        let mut out = std::string::String::new();
                        for w in 0..words {
                            let (get, set, o) = match size {
                                1 => ("getUint8", "setUint8", 0),
                                2 => ("getUint16", "setUint16", 0),
                                _ => ("getInt32", "setInt32", 4 * w as u32),
                            };
                            let e = match src {
                                Src::Mem(p) => format!("DV_{s}.{get}({}, true)", off(p, o)),
                                Src::Flat(vals) => format!("({} | 0)", vals[w]),
                            };
                            out.push_str(&match dst {
                                Dst::Mem(q) => format!("DV_{d}.{set}({}, {e}, true);\n", off(q, o)),
                                Dst::Flat(outs) => format!("{} = {e};\n", outs[w]),
                            });
                        }
                        out
                    }
                    TypeDef::Variant(_)
                    | TypeDef::Enum(_)
                    | TypeDef::Option(_)
                    | TypeDef::Result { .. } => {
                        let cases = layout::variant_cases(t.defs, ty).unwrap_or_default();
                        let payload = t.payload(&cases)?;
                        let (get, set) = disc_accessors(cases.len());
                        let dv = match src {
                            Src::Mem(p) => format!("DV_{s}.{get}({p}, true)"),
                            Src::Flat(vals) => format!("({} >>> 0)", vals[0]),
                        };
                        let mut out = format!("{{\nconst d = {dv};\n");
                        match dst {
                            Dst::Mem(q) => out.push_str(&format!("DV_{d}.{set}({q}, d, true);\n")),
                            Dst::Flat(outs) => {
                                out.push_str(&format!("{} = d;\n", outs[0]));
                                for (o, ct) in outs[1..].iter().zip(&t.flat(ty)?[1..]) {
                                    out.push_str(&format!("{o} = {};\n", zero(*ct)));
                                }
                            }
                        }
                        let mut arms = std::string::String::new();
                        for (i, c) in cases.iter().enumerate() {
                            let Some(c) = c else { continue };
                            let k = t.flat(*c)?.len();
                            let ps = src.part(payload, 1..1 + k);
                            let pd = dst.part(payload, 1..1 + k);
                            let body = self.move_value(t, *c, &ps, &pd, from, to, h)?;
                            arms.push_str(&format!("  case {i}: {{\n{body}  break;\n  }}\n"));
                        }
                        if !arms.is_empty() {
                            out.push_str(&format!("switch (d) {{\n{arms}}}\n"));
                        }
                        out.push_str("}\n");
                        out
                    }
                    _ => return Err("not a value type".into()),
                }
            }
            _ => return Err(format!("{ty:?} cannot move in flat form")),
        })
    }
}
