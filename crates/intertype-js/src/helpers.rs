//! The runtime helpers of the generated glue, each emitted once and only when
//! some generated code uses it (with its dependencies).
//!
//! Module-level helpers are pure (no instance state) and shared by every
//! instance; per-memory helpers live inside `instantiate` and close over that
//! instance's memory and its cached views.

use std::collections::BTreeSet;

/// One runtime helper. The order of the variants is the order of emission.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Helper {
    // ---- module level
    Trap,
    BadValue,
    Len,
    Flat,
    Utf8Decoder,
    Utf8Encoder,
    Utf16Decoder,
    ToS8,
    ToU8,
    ToS16,
    ToU16,
    ToS32,
    ToU32,
    ToS64,
    ToU64,
    ToF,
    ToBool,
    ToStr,
    WellFormed,
    TooManyArgs,
    InRange,
    InRangeBig,
    /// A lowering's checked conversion (`s64-to-i32x`, `u64-to-i32x`): an
    /// out-of-range value is the host's (a `RangeError`), not a trap.
    LowerInRangeBig,
    CodeToChar,
    CharToCode,
    Bits,
    /// The size budget of one lifted value (`docs/security.md`).
    Budget,
    /// UTF-8 validation without decoding (fused links).
    ValidUtf8,
    /// One copy between two memories (fused links).
    CopyBytes,
    /// Errors out of linked modules name the module (`bindgen js --link`).
    LinkErrors,
    ResultError,
    UnwrapResult,
    WrapResult,
    WebImport,
    HostImport,
    // ---- per memory (inside `instantiate`)
    View(u32),
    CheckRange(u32),
    CheckAlloc(u32),
    LiftUtf8(u32),
    LowerUtf8(u32),
    LiftUtf16(u32),
    LowerUtf16(u32),
    LiftLatin1(u32),
    LowerLatin1(u32),
}

impl Helper {
    pub(crate) fn is_instance(self) -> bool {
        self >= Helper::View(0)
    }

    fn deps(self) -> Vec<Helper> {
        use Helper::*;
        match self {
            Trap | Len | Flat | Utf8Decoder | Utf16Decoder | Bits | ResultError | BadValue
            | Budget | ValidUtf8 | CopyBytes => {
                vec![]
            }
            Utf8Encoder => vec![],
            ToS8 | ToU8 | ToS16 | ToU16 | ToS32 | ToU32 | ToS64 | ToU64 | ToF | ToBool | ToStr
            | WellFormed => {
                vec![BadValue]
            }
            TooManyArgs => vec![],
            InRange | InRangeBig | CodeToChar => vec![Trap],
            LowerInRangeBig => vec![],
            CharToCode => vec![BadValue],
            UnwrapResult => vec![ResultError],
            WrapResult => vec![ResultError],
            WebImport => vec![],
            LinkErrors => vec![ResultError],
            HostImport => vec![WebImport],
            View(_) => vec![],
            CheckRange(m) | CheckAlloc(m) => vec![View(m), Trap],
            LiftUtf8(m) => vec![CheckRange(m), Utf8Decoder, Trap],
            LowerUtf8(m) => vec![CheckAlloc(m), Utf8Encoder, Len, ToStr, WellFormed],
            LiftUtf16(m) => vec![CheckRange(m), Utf16Decoder, Trap],
            LowerUtf16(m) => vec![CheckAlloc(m), Len, ToStr, WellFormed],
            LiftLatin1(m) => vec![CheckRange(m)],
            LowerLatin1(m) => vec![CheckAlloc(m), Len, ToStr],
        }
    }

    pub(crate) fn code(self) -> String {
        use Helper::*;
        match self {
            Trap => "function trap(message) {\n  throw new WebAssembly.RuntimeError(message);\n}\n".into(),
            BadValue => "function badValue(v, expected) {\n  let found;\n  try { found = typeof v === 'string' ? JSON.stringify(v) : String(v); } catch { found = typeof v; }\n  throw new TypeError(`expected ${expected}, found ${found}`);\n}\n".into(),
            Len => "// The length `string-to-memory` and list lowerings push next to the pointer.\nlet LEN = 0;\n".into(),
            Flat => "// Flat values written by `value.lower`, read back at once by the caller.\nconst F = [];\n".into(),
            Utf8Decoder => "const UTF8_DECODER = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });\n".into(),
            Utf8Encoder => "const UTF8_ENCODER = new TextEncoder();\nlet SCRATCH = new Uint8Array(1024);\n".into(),
            Utf16Decoder => "const UTF16_DECODER = new TextDecoder('utf-16le', { fatal: true, ignoreBOM: true });\n".into(),
            ToS8 => int_check("toS8", "v << 24 >> 24", "an s8"),
            ToU8 => int_check("toU8", "v & 255", "a u8"),
            ToS16 => int_check("toS16", "v << 16 >> 16", "an s16"),
            ToU16 => int_check("toU16", "v & 65535", "a u16"),
            ToS32 => int_check("toS32", "v | 0", "an s32"),
            ToU32 => int_check("toU32", "v >>> 0", "a u32"),
            ToS64 => "function toS64(v) {\n  if (typeof v !== 'bigint') {\n    if (!Number.isInteger(v)) badValue(v, 'an s64 (a bigint or an integer)');\n    v = BigInt(v);\n  }\n  if (BigInt.asIntN(64, v) !== v) badValue(v, 'an s64');\n  return v;\n}\n".into(),
            ToU64 => "function toU64(v) {\n  if (typeof v !== 'bigint') {\n    if (!Number.isInteger(v)) badValue(v, 'a u64 (a bigint or an integer)');\n    v = BigInt(v);\n  }\n  if (BigInt.asUintN(64, v) !== v) badValue(v, 'a u64');\n  return v;\n}\n".into(),
            ToF => "function toF(v) {\n  if (typeof v !== 'number') badValue(v, 'a number');\n  return v;\n}\n".into(),
            ToBool => "function toBool(v) {\n  if (typeof v !== 'boolean') badValue(v, 'a boolean');\n  return v;\n}\n".into(),
            WellFormed => "// A string with a lone surrogate has no UTF-8 or UTF-16 form a guest accepts.\nconst LONE_SURROGATE = /[\\uD800-\\uDBFF](?![\\uDC00-\\uDFFF])|(?<![\\uD800-\\uDBFF])[\\uDC00-\\uDFFF]/;\nfunction wellFormed(s) {\n  if (typeof s.isWellFormed === 'function' ? !s.isWellFormed() : LONE_SURROGATE.test(s)) badValue(s, 'a string without lone surrogates');\n}\n".into(),
            TooManyArgs => "function tooManyArgs(expected, found) {\n  throw new TypeError(`expected ${expected} argument${expected === 1 ? '' : 's'}, found ${found}`);\n}\n".into(),
            ToStr => "function toStr(v) {\n  if (typeof v !== 'string') badValue(v, 'a string');\n  return v;\n}\n".into(),
            InRange => "function inRange(v, lo, hi, type) {\n  if (v < lo || v > hi) trap(`${v} does not fit in ${type}`);\n  return v;\n}\n".into(),
            LowerInRangeBig => "function lowerInRangeBig(v, lo, hi, type) {\n  if (v < lo || v > hi) throw new RangeError(`${v} does not fit in ${type}`);\n  return Number(v);\n}\n".into(),
            InRangeBig => "function inRangeBig(v, lo, hi, type) {\n  if (v < lo || v > hi) trap(`${v} does not fit in ${type}`);\n  return Number(v);\n}\n".into(),
            CodeToChar => "function codeToChar(c) {\n  c >>>= 0;\n  if (c > 0x10ffff || (c >= 0xd800 && c < 0xe000)) trap(`0x${c.toString(16)} is not a Unicode scalar value`);\n  return String.fromCodePoint(c);\n}\n".into(),
            CharToCode => "function charToCode(s) {\n  const c = typeof s === 'string' ? s.codePointAt(0) : undefined;\n  if (c === undefined || s.length !== (c > 0xffff ? 2 : 1) || (c >= 0xd800 && c < 0xe000)) badValue(s, 'a char (a string of one Unicode scalar value)');\n  return c;\n}\n".into(),
            Bits => "const BITS = new ArrayBuffer(8);\nconst BITS_F32 = new Float32Array(BITS), BITS_I32 = new Int32Array(BITS);\nconst BITS_F64 = new Float64Array(BITS), BITS_I64 = new BigInt64Array(BITS);\nfunction f32ToI32(x) { BITS_F32[0] = x; return BITS_I32[0]; }\nfunction i32ToF32(x) { BITS_I32[0] = x; return BITS_F32[0]; }\nfunction f64ToI64(x) { BITS_F64[0] = x; return BITS_I64[0]; }\nfunction i64ToF64(x) { BITS_I64[0] = x; return BITS_F64[0]; }\n".into(),
            Budget => BUDGET.into(),
            ValidUtf8 => VALID_UTF8.into(),
            CopyBytes => "// From one linear memory to another: one `set` (a loop when short, cheaper than a view).\nfunction copyBytes(from, p, to, q, n) {\n  if (n <= 32) for (let i = 0; i < n; i++) to[q + i] = from[p + i];\n  else to.set(from.subarray(p, p + n), q);\n}\n".into(),
            LinkErrors => LINK_ERRORS.into(),
            ResultError => "/** The error case of a `result`: thrown by exports, thrown by imports to return it. */\nexport class ResultError extends Error {\n  constructor(value) {\n    super(typeof value === 'string' ? value : 'interface function returned an error');\n    this.name = 'ResultError';\n    this.value = value;\n  }\n}\n".into(),
            UnwrapResult => "function unwrapResult(r) {\n  if (r.tag === 'err') throw new ResultError(r.val);\n  return r.val;\n}\n".into(),
            WrapResult => "function wrapResult(f) {\n  return (...args) => {\n    try {\n      return { tag: 'ok', val: f(...args) };\n    } catch (e) {\n      if (e instanceof ResultError) return { tag: 'err', val: e.value };\n      throw e;\n    }\n  };\n}\n".into(),
            WebImport => WEB_IMPORT.into(),
            HostImport => HOST_IMPORT.into(),
            View(m) => format!(
                "// Views of memory {m}, created again when growth detaches the buffer.\nlet U8_{m} = new Uint8Array(MEM_{m}.buffer), DV_{m} = new DataView(MEM_{m}.buffer);\nfunction view{m}() {{\n  if (U8_{m}.byteLength === 0) {{\n    U8_{m} = new Uint8Array(MEM_{m}.buffer);\n    DV_{m} = new DataView(MEM_{m}.buffer);\n  }}\n}}\n"
            ),
            CheckRange(m) => format!(
                "function checkRange{m}(ptr, bytes, align) {{\n  view{m}();\n  if (ptr % align !== 0) trap(`address 0x${{ptr.toString(16)}} is not ${{align}}-aligned`);\n  if (ptr + bytes > U8_{m}.length) trap(`range 0x${{ptr.toString(16)}}+${{bytes}} is outside linear memory of ${{U8_{m}.length}} bytes`);\n}}\n"
            ),
            CheckAlloc(m) => format!(
                "function checkAlloc{m}(ptr, bytes, align) {{\n  view{m}();\n  if (ptr % align !== 0 || ptr + bytes > U8_{m}.length) trap(`the allocator returned 0x${{ptr.toString(16)}} for ${{bytes}} bytes (align ${{align}}), which is misaligned or outside linear memory`);\n  return ptr;\n}}\n"
            ),
            LiftUtf8(m) => format!(
                "function liftUtf8_{m}(ptr, len) {{\n  ptr >>>= 0; len >>>= 0;\n  checkRange{m}(ptr, len, 1);\n  const u8 = U8_{m};\n  if (len <= 32) {{\n    // Short ASCII strings: cheaper than a call into the decoder.\n    let s = '';\n    for (let i = ptr, end = ptr + len; i < end; i++) {{\n      const c = u8[i];\n      if (c > 127) return decodeUtf8_{m}(u8, ptr, len);\n      s += String.fromCharCode(c);\n    }}\n    return s;\n  }}\n  return decodeUtf8_{m}(u8, ptr, len);\n}}\nfunction decodeUtf8_{m}(u8, ptr, len) {{\n  try {{\n    return UTF8_DECODER.decode(u8.subarray(ptr, ptr + len));\n  }} catch {{\n    trap(`invalid UTF-8 at 0x${{ptr.toString(16)}}+${{len}}`);\n  }}\n}}\n"
            ),
            LowerUtf8(m) => format!(
                "function lowerUtf8_{m}(s, malloc) {{\n  toStr(s);\n  const n = s.length;\n  if (n <= 64) {{\n    let i = 0;\n    while (i < n && s.charCodeAt(i) < 128) i++;\n    if (i === n) {{\n      // ASCII: the length is known, write the bytes directly.\n      const ptr = checkAlloc{m}(malloc(n, 1) >>> 0, n, 1);\n      const u8 = U8_{m};\n      for (let j = 0; j < n; j++) u8[ptr + j] = s.charCodeAt(j);\n      LEN = n;\n      return ptr;\n    }}\n  }}\n  wellFormed(s);\n  // Encode once into scratch (the exact length decides the allocation), then copy.\n  if (SCRATCH.length < n * 3) SCRATCH = new Uint8Array(n * 3 + 1024);\n  const len = UTF8_ENCODER.encodeInto(s, SCRATCH).written;\n  const ptr = checkAlloc{m}(malloc(len, 1) >>> 0, len, 1);\n  U8_{m}.set(len === SCRATCH.length ? SCRATCH : SCRATCH.subarray(0, len), ptr);\n  LEN = len;\n  return ptr;\n}}\n"
            ),
            LiftUtf16(m) => format!(
                "function liftUtf16_{m}(ptr, len) {{\n  ptr >>>= 0; len >>>= 0;\n  checkRange{m}(ptr, len * 2, 2);\n  try {{\n    return UTF16_DECODER.decode(U8_{m}.subarray(ptr, ptr + len * 2));\n  }} catch {{\n    trap(`invalid UTF-16 at 0x${{ptr.toString(16)}}+${{len}}`);\n  }}\n}}\n"
            ),
            LowerUtf16(m) => format!(
                "function lowerUtf16_{m}(s, malloc) {{\n  toStr(s);\n  wellFormed(s);\n  const n = s.length;\n  const ptr = checkAlloc{m}(malloc(n * 2, 2) >>> 0, n * 2, 2);\n  const u16 = new Uint16Array(MEM_{m}.buffer, ptr, n);\n  for (let i = 0; i < n; i++) u16[i] = s.charCodeAt(i);\n  LEN = n;\n  return ptr;\n}}\n"
            ),
            LiftLatin1(m) => format!(
                "function liftLatin1_{m}(ptr, len) {{\n  ptr >>>= 0; len >>>= 0;\n  checkRange{m}(ptr, len, 1);\n  const u8 = U8_{m};\n  let s = '';\n  for (let i = ptr, end = ptr + len; i < end; i += 4096) {{\n    s += String.fromCharCode.apply(null, u8.subarray(i, Math.min(i + 4096, end)));\n  }}\n  return s;\n}}\n"
            ),
            LowerLatin1(m) => format!(
                "function lowerLatin1_{m}(s, malloc) {{\n  toStr(s);\n  const n = s.length;\n  for (let i = 0; i < n; i++) if (s.charCodeAt(i) > 255) throw new RangeError(`string has a character above U+00FF at index ${{i}}; Latin-1 cannot represent it`);\n  const ptr = checkAlloc{m}(malloc(n, 1) >>> 0, n, 1);\n  const u8 = U8_{m};\n  for (let i = 0; i < n; i++) u8[ptr + i] = s.charCodeAt(i);\n  LEN = n;\n  return ptr;\n}}\n"
            ),
        }
    }
}

fn int_check(name: &str, wrap: &str, what: &str) -> String {
    format!(
        "function {name}(v) {{\n  if (v !== ({wrap})) badValue(v, '{what}');\n  return v;\n}}\n"
    )
}

/// Web APIs bound without JS in between: the import's name is a path from
/// `globalThis`, resolved once at instantiation to the platform function
/// itself (bound to its receiver), so an adapter calls e.g.
/// `document.createElement` directly with the string it lifted.
const WEB_IMPORT: &str = r#"// Resolves a Web API path once: `console.log`, `document.createElement`,
// `Node.prototype.appendChild` (the receiver is the first argument),
// `get Element.prototype.id`, `set Element.prototype.innerHTML`.
function webImport(path) {
  let kind = 'call';
  if (path.startsWith('get ') || path.startsWith('set ')) {
    kind = path.slice(0, 3);
    path = path.slice(4);
  }
  const parts = path.split('.');
  let owner = globalThis;
  for (let i = 0; i < parts.length - 1; i++) {
    owner = owner == null ? undefined : owner[parts[i]];
  }
  if (owner == null) return undefined;
  const key = parts[parts.length - 1];
  const onPrototype = parts.length >= 2 && parts[parts.length - 2] === 'prototype';
  if (kind === 'call') {
    const f = owner[key];
    if (typeof f !== 'function') return undefined;
    return onPrototype ? Function.prototype.call.bind(f) : f.bind(owner);
  }
  let desc;
  for (let o = owner; o != null && desc === undefined; o = Object.getPrototypeOf(o)) {
    desc = Object.getOwnPropertyDescriptor(o, key);
  }
  const f = desc && (kind === 'get' ? desc.get : desc.set);
  if (typeof f !== 'function') return undefined;
  return onPrototype ? Function.prototype.call.bind(f) : f.bind(owner);
}
"#;

const HOST_IMPORT: &str = r#"// An interface import: the user's function, else (module `web`) the platform's.
function hostImport(imports, module, name) {
  const ns = imports[module];
  const f = ns == null ? undefined : ns[name];
  if (typeof f === 'function') return f;
  if (f === undefined && module === 'web') {
    const web = webImport(name);
    if (web !== undefined) return web;
  }
  throw new WebAssembly.LinkError(`import ${JSON.stringify(module)} ${JSON.stringify(name)}: expected a function, found ${f === undefined ? 'nothing' : typeof f}`);
}
"#;

/// The engine's rule (`Limits::max_value_bytes` left at its default): one
/// lifted value may span at most the size of its memory, and at least 16 MiB;
/// each string and list counts its bytes every time a pointer leads to it
/// (aliased pointers cannot amplify), zero-size list elements one byte each.
const BUDGET: &str = r#"// What the value being lifted may still span, in guest bytes.
const MIN_VALUE_BYTES = 16777216;
let BUDGET = 0, BUDGET_LIMIT = 0;
function startBudget(memoryBytes) {
  BUDGET = BUDGET_LIMIT = Math.max(MIN_VALUE_BYTES, memoryBytes);
}
function charge(n, unit) {
  n >>>= 0;
  const bytes = n * unit;
  if (bytes > BUDGET) throw new WebAssembly.RuntimeError(`limit exceeded: a lifted value may span at most ${BUDGET_LIMIT} bytes of guest memory (strings and lists counted each time a pointer leads to them)`);
  BUDGET -= bytes;
  return n;
}
// A string lifted inside a value, then counted.
function charged(s, n, unit) {
  charge(n, unit);
  return s;
}
"#;

/// Validates UTF-8 in place, without a JS string: Node's `buffer.isUtf8`
/// (native) where there is one, else a loop with an ASCII fast path.
const VALID_UTF8: &str = r#"const NODE_IS_UTF8 = typeof process === 'object' && process !== null && process.versions != null && typeof process.versions.node === 'string'
  ? await import('node:buffer').then((b) => (typeof b.isUtf8 === 'function' ? b.isUtf8 : null), () => null)
  : null;
function validUtf8(u8, p, l) {
  if (NODE_IS_UTF8 !== null && l >= 16) return NODE_IS_UTF8(u8.subarray(p, p + l));
  for (let i = p, e = p + l; i < e;) {
    const c = u8[i];
    if (c < 0x80) { i++; continue; }
    if (c >= 0xc2 && c <= 0xdf) {
      if (i + 1 >= e || (u8[i + 1] & 0xc0) !== 0x80) return false;
      i += 2;
    } else if (c >= 0xe0 && c <= 0xef) {
      if (i + 2 >= e) return false;
      const c1 = u8[i + 1];
      if ((c1 & 0xc0) !== 0x80 || (u8[i + 2] & 0xc0) !== 0x80) return false;
      if ((c === 0xe0 && c1 < 0xa0) || (c === 0xed && c1 >= 0xa0)) return false;
      i += 3;
    } else if (c >= 0xf0 && c <= 0xf4) {
      if (i + 3 >= e) return false;
      const c1 = u8[i + 1];
      if ((c1 & 0xc0) !== 0x80 || (u8[i + 2] & 0xc0) !== 0x80 || (u8[i + 3] & 0xc0) !== 0x80) return false;
      if ((c === 0xf0 && c1 < 0x90) || (c === 0xf4 && c1 >= 0x90)) return false;
      i += 4;
    } else return false;
  }
  return true;
}
"#;

/// Linked modules (`bindgen js --link`): an unfused link calls the
/// exporter's interface function; a fused one is generated inline. Either
/// way an error out of the exporter says which module it came from, and
/// the exporter's `ResultError` becomes this file's.
const LINK_ERRORS: &str = r#"// One instance of each linked module per top-level instantiation (a module
// imported by several others is shared).
function linked(graph, key, make) {
  let p = graph.get(key);
  if (p === undefined) {
    p = make();
    graph.set(key, p);
  }
  return p;
}
function inModule(e, module, how) {
  if (e instanceof WebAssembly.RuntimeError || e instanceof TypeError || e instanceof RangeError) {
    return new e.constructor(`in module ${JSON.stringify(module)}${how}: ${e.message}`, { cause: e });
  }
  return e;
}
// An interface import served by a linked module's export, through JS values.
function linkImport(instance, module, name, ForeignResultError) {
  const f = instance.$exports[name];
  return function (...args) {
    try {
      return f(...args);
    } catch (e) {
      if (e instanceof ForeignResultError) throw new ResultError(e.value);
      throw inModule(e, module, '');
    }
  };
}
"#;

/// The set of helpers a generated module uses.
#[derive(Default, Clone)]
pub(crate) struct Helpers {
    used: BTreeSet<Helper>,
}

impl Helpers {
    /// The memories whose views are used.
    pub(crate) fn views(&self) -> impl Iterator<Item = u32> + '_ {
        self.used.iter().filter_map(|h| match h {
            Helper::View(m) => Some(*m),
            _ => None,
        })
    }

    /// Adds every helper `other` uses.
    pub(crate) fn absorb(&mut self, other: &Helpers) {
        self.used.extend(other.used.iter().copied());
    }

    /// Marks `h` (and what it needs) as used.
    pub(crate) fn need(&mut self, h: Helper) {
        if self.used.insert(h) {
            for d in h.deps() {
                self.need(d);
            }
        }
    }

    /// The code of every used helper of one level, in a fixed order.
    pub(crate) fn emit(&self, instance: bool) -> String {
        self.used
            .iter()
            .filter(|h| h.is_instance() == instance)
            .map(|h| h.code())
            .collect::<Vec<_>>()
            .join("")
    }
}
