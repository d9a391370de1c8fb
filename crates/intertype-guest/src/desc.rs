//! Compile-time descriptions of interface types and functions, and the
//! `const fn` encoder that turns one exported or imported function into a
//! booklet *fragment* (`docs/format.md` §1, *Fragments*).
//!
//! The attribute macros see only the syntax of a signature; what a user type
//! is (a record, a variant, …) is known only through its [`Interface`]
//! implementation, possibly in another crate. So the fragment's bytes are
//! computed by constant evaluation from [`Ty`] trees the trait implementations
//! provide, into a `[u8; N]` static in the `wasm-interface-types` link
//! section: no build script, no post-processing.
//!
//! [`Interface`]: crate::Interface

/// An interface type, as a constant tree.
///
/// The `name` of a record, variant, enum or flags is its Rust module path
/// and interface name, `my_crate::users::error`: the merge of the fragments
/// names the type by the shortest end of that path that no other type of
/// the module shares (`error`, or `users-error` next to a `files::Error`;
/// `docs/format.md` §1).
#[derive(Debug)]
pub enum Ty {
    /// `()`: no value (a result without payload, a function without result).
    Unit,
    Bool,
    S8,
    U8,
    S16,
    U16,
    S32,
    U32,
    S64,
    U64,
    F32,
    F64,
    Char,
    String,
    List(&'static Ty),
    Option(&'static Ty),
    /// `ok` and `error` payloads; [`Ty::Unit`] for none.
    Result(&'static Ty, &'static Ty),
    Tuple(&'static [&'static Ty]),
    Record {
        name: &'static str,
        fields: &'static [Field],
    },
    /// Cases with a [`Ty::Unit`] payload have none.
    Variant {
        name: &'static str,
        cases: &'static [Field],
    },
    Enum {
        name: &'static str,
        cases: &'static [&'static str],
    },
    Flags {
        name: &'static str,
        flags: &'static [&'static str],
    },
}

/// A record field or a variant case.
#[derive(Debug)]
pub struct Field {
    pub name: &'static str,
    pub ty: &'static Ty,
}

/// How a value crosses the core boundary (chosen by the macro from the
/// syntax of the Rust type, so the generated `extern "C"` shim and the
/// adapter agree).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    /// A number, `bool` or `char`: one core value.
    Scalar,
    /// A string or list: `(ptr, len)`.
    Pair,
    /// Anything else: a pointer to the canonical layout in memory.
    Memory,
}

/// One parameter or result.
#[derive(Debug)]
pub struct Slot {
    pub ty: &'static Ty,
    pub class: Class,
}

/// An exported function: the adapter calls core export `core`; results of
/// class [`Class::Memory`] are freed by core export `post`.
#[derive(Debug)]
pub struct ExportDesc {
    pub name: &'static str,
    pub docs: &'static str,
    /// One per parameter (kebab-case Rust names; `""` for a pattern).
    pub param_names: &'static [&'static str],
    pub params: &'static [Slot],
    pub result: Option<Slot>,
    pub core: &'static str,
    pub post: &'static str,
}

/// An imported function: interface import `module` `name`, implemented for
/// the core import `module` `core`.
#[derive(Debug)]
pub struct ImportDesc {
    pub module: &'static str,
    pub name: &'static str,
    pub docs: &'static str,
    /// One per parameter (kebab-case Rust names; `""` for a pattern).
    pub param_names: &'static [&'static str],
    pub params: &'static [Slot],
    pub result: Option<Slot>,
    pub core: &'static str,
}

/// The allocator every fragment that lowers values names.
pub const MALLOC: &str = "intertype_malloc";
const VERSION: &str = "intertype/1";

// Subsection ids, value type codes, type forms and opcodes of the format:
// the one table in `intertype-format`, which the host's decoder uses too.
use intertype_format::form;
use intertype_format::opcode::{
    ARG_GET as OP_ARG_GET, CALL_ADAPTER as OP_CALL_ADAPTER, CALL_CORE as OP_CALL_CORE,
    DEFER_CALL_CORE as OP_DEFER_CALL_CORE, END as OP_END, VALUE_LIFT as OP_VALUE_LIFT,
    VALUE_LOAD as OP_VALUE_LOAD, VALUE_LOWER as OP_VALUE_LOWER, VALUE_STORE as OP_VALUE_STORE,
    VALUE_STORE_NEW as OP_VALUE_STORE_NEW,
};
use intertype_format::subsection::{
    CORE_NAMES as SUB_CORE_NAMES, DOCS as SUB_DOCS, EXPORTS as SUB_EXPORTS, FUNCS as SUB_FUNCS,
    IMPLEMENTS as SUB_IMPLEMENTS, IMPORTS as SUB_IMPORTS, PARAM_NAMES as SUB_PARAM_NAMES,
    TYPES as SUB_TYPES, TYPE_NAMES as SUB_TYPE_NAMES,
};
use intertype_format::valtype_code as code;
use intertype_format::valtype_code::{F32, F64, I32, I64};
use intertype_format::{case_type, conversion, core_name};

/// A byte sink that only counts when it has no buffer.
struct Sink<'a> {
    buf: &'a mut [u8],
    pos: usize,
}

impl Sink<'_> {
    const fn byte(&mut self, b: u8) {
        if !self.buf.is_empty() {
            self.buf[self.pos] = b;
        }
        self.pos += 1;
    }

    const fn u32(&mut self, mut v: u32) {
        loop {
            let b = (v & 0x7f) as u8;
            v >>= 7;
            if v == 0 {
                self.byte(b);
                return;
            }
            self.byte(b | 0x80);
        }
    }

    const fn str(&mut self, s: &str) {
        let bytes = s.as_bytes();
        self.u32(bytes.len() as u32);
        let mut i = 0;
        while i < bytes.len() {
            self.byte(bytes[i]);
            i += 1;
        }
    }

    const fn leb_len(v: u32) -> usize {
        let mut s = Sink {
            buf: &mut [],
            pos: 0,
        };
        s.u32(v);
        s.pos
    }
}

/// How many type definitions `ty` needs (itself, if it is not a primitive,
/// and everything inside it), emitted depth-first, children first.
const fn def_count(ty: &Ty) -> u32 {
    match ty {
        Ty::List(t) | Ty::Option(t) => 1 + def_count(t),
        Ty::Result(ok, err) => 1 + def_count(ok) + def_count(err),
        Ty::Tuple(ts) => {
            let mut n = 1;
            let mut i = 0;
            while i < ts.len() {
                n += def_count(ts[i]);
                i += 1;
            }
            n
        }
        Ty::Record { fields, .. } | Ty::Variant { cases: fields, .. } => {
            let mut n = 1;
            let mut i = 0;
            while i < fields.len() {
                n += def_count(fields[i].ty);
                i += 1;
            }
            n
        }
        Ty::Enum { .. } | Ty::Flags { .. } => 1,
        _ => 0,
    }
}

const fn primitive_code(ty: &Ty) -> Option<u8> {
    Some(match ty {
        Ty::S8 => code::S8,
        Ty::S16 => code::S16,
        Ty::S32 => code::S32,
        Ty::S64 => code::S64,
        Ty::U8 => code::U8,
        Ty::U16 => code::U16,
        Ty::U32 => code::U32,
        Ty::U64 => code::U64,
        Ty::F32 => code::F32,
        Ty::F64 => code::F64,
        Ty::String => code::STRING,
        Ty::Bool => code::BOOL,
        Ty::Char => code::CHAR,
        _ => return None,
    })
}

/// The value type of `ty`, whose definitions start at index `base`.
const fn valtype(s: &mut Sink<'_>, ty: &Ty, base: u32) {
    if let Ty::Unit = ty {
        panic!("`()` is not an interface value type here: use it only as a result or a `Result` payload");
    }
    match primitive_code(ty) {
        Some(code) => s.byte(code),
        None => {
            s.byte(code::TYPE);
            s.u32(base + def_count(ty) - 1);
        }
    }
}

/// A case type: `0x00` for no payload, else `0x01 valtype`.
const fn case_type(s: &mut Sink<'_>, ty: &Ty, base: u32) {
    if let Ty::Unit = ty {
        s.byte(case_type::NONE);
    } else {
        s.byte(case_type::SOME);
        valtype(s, ty, base);
    }
}

const fn names(s: &mut Sink<'_>, names: &[&str]) {
    s.u32(names.len() as u32);
    let mut i = 0;
    while i < names.len() {
        s.str(names[i]);
        i += 1;
    }
}

/// Every definition `ty` needs, children first, the first at index `base`.
const fn defs(s: &mut Sink<'_>, ty: &Ty, base: u32) {
    match ty {
        Ty::List(t) | Ty::Option(t) => {
            defs(s, t, base);
            s.byte(if let Ty::List(_) = ty {
                form::LIST
            } else {
                form::OPTION
            });
            valtype(s, t, base);
        }
        Ty::Result(ok, err) => {
            defs(s, ok, base);
            let err_base = base + def_count(ok);
            defs(s, err, err_base);
            s.byte(form::RESULT);
            case_type(s, ok, base);
            case_type(s, err, err_base);
        }
        Ty::Tuple(ts) => {
            let mut b = base;
            let mut i = 0;
            while i < ts.len() {
                defs(s, ts[i], b);
                b += def_count(ts[i]);
                i += 1;
            }
            s.byte(form::TUPLE);
            s.u32(ts.len() as u32);
            let mut b = base;
            let mut i = 0;
            while i < ts.len() {
                valtype(s, ts[i], b);
                b += def_count(ts[i]);
                i += 1;
            }
        }
        Ty::Record { fields, .. } | Ty::Variant { cases: fields, .. } => {
            let record = matches!(ty, Ty::Record { .. });
            let mut b = base;
            let mut i = 0;
            while i < fields.len() {
                defs(s, fields[i].ty, b);
                b += def_count(fields[i].ty);
                i += 1;
            }
            s.byte(if record { form::RECORD } else { form::VARIANT });
            s.u32(fields.len() as u32);
            let mut b = base;
            let mut i = 0;
            while i < fields.len() {
                s.str(fields[i].name);
                if record {
                    valtype(s, fields[i].ty, b);
                } else {
                    case_type(s, fields[i].ty, b);
                }
                b += def_count(fields[i].ty);
                i += 1;
            }
        }
        Ty::Enum { cases, .. } => {
            s.byte(form::ENUM);
            names(s, cases);
        }
        Ty::Flags { flags, .. } => {
            s.byte(form::FLAGS);
            names(s, flags);
        }
        _ => {}
    }
}

/// Count of `(index, name)` entries of the type-names subsection for `ty`.
const fn name_count(ty: &Ty) -> u32 {
    let own = matches!(
        ty,
        Ty::Record { .. } | Ty::Variant { .. } | Ty::Enum { .. } | Ty::Flags { .. }
    ) as u32;
    match ty {
        Ty::List(t) | Ty::Option(t) => name_count(t),
        Ty::Result(ok, err) => name_count(ok) + name_count(err),
        Ty::Tuple(ts) => {
            let mut n = 0;
            let mut i = 0;
            while i < ts.len() {
                n += name_count(ts[i]);
                i += 1;
            }
            n
        }
        Ty::Record { fields, .. } | Ty::Variant { cases: fields, .. } => {
            let mut n = own;
            let mut i = 0;
            while i < fields.len() {
                n += name_count(fields[i].ty);
                i += 1;
            }
            n
        }
        _ => own,
    }
}

/// The type-names entries of `ty`, in index order.
const fn type_names(s: &mut Sink<'_>, ty: &Ty, base: u32) {
    match ty {
        Ty::List(t) | Ty::Option(t) => type_names(s, t, base),
        Ty::Result(ok, err) => {
            type_names(s, ok, base);
            type_names(s, err, base + def_count(ok));
        }
        Ty::Tuple(ts) => {
            let mut b = base;
            let mut i = 0;
            while i < ts.len() {
                type_names(s, ts[i], b);
                b += def_count(ts[i]);
                i += 1;
            }
        }
        Ty::Record { fields, name }
        | Ty::Variant {
            cases: fields,
            name,
        } => {
            let mut b = base;
            let mut i = 0;
            while i < fields.len() {
                type_names(s, fields[i].ty, b);
                b += def_count(fields[i].ty);
                i += 1;
            }
            s.u32(base + def_count(ty) - 1);
            s.str(name);
        }
        Ty::Enum { name, .. } | Ty::Flags { name, .. } => {
            s.u32(base);
            s.str(name);
        }
        _ => {}
    }
}

/// The core type of a scalar.
const fn core_type(ty: &Ty) -> u8 {
    match ty {
        Ty::S64 | Ty::U64 => I64,
        Ty::F32 => F32,
        Ty::F64 => F64,
        Ty::Bool | Ty::Char | Ty::S8 | Ty::U8 | Ty::S16 | Ty::U16 | Ty::S32 | Ty::U32 => I32,
        _ => panic!("only numbers, `bool` and `char` cross as one core value"),
    }
}

/// The conversion that lifts a core scalar to `ty` (none for floats).
const fn lift_conversion(ty: &Ty) -> Option<u8> {
    Some(match ty {
        Ty::S8 => conversion::I32_TO_S8,
        Ty::U8 => conversion::I32_TO_U8,
        Ty::S16 => conversion::I32_TO_S16,
        Ty::U16 => conversion::I32_TO_U16,
        Ty::S32 => conversion::I32_TO_S32,
        Ty::U32 => conversion::I32_TO_U32,
        Ty::S64 => conversion::I64_TO_S64,
        Ty::U64 => conversion::I64_TO_U64,
        Ty::Bool => conversion::I32_TO_BOOL,
        Ty::Char => conversion::I32_TO_CHAR,
        _ => return None,
    })
}

/// The conversion that lowers `ty` to a core scalar (none for floats).
const fn lower_conversion(ty: &Ty) -> Option<u8> {
    Some(match ty {
        Ty::S8 => conversion::S8_TO_I32,
        Ty::U8 => conversion::U8_TO_I32,
        Ty::S16 => conversion::S16_TO_I32,
        Ty::U16 => conversion::U16_TO_I32,
        Ty::S32 => conversion::S32_TO_I32,
        Ty::U32 => conversion::U32_TO_I32,
        Ty::S64 => conversion::S64_TO_I64,
        Ty::U64 => conversion::U64_TO_I64,
        Ty::Bool => conversion::BOOL_TO_I32,
        Ty::Char => conversion::CHAR_TO_I32,
        _ => return None,
    })
}

const fn check_slot(slot: &Slot) {
    match slot.class {
        Class::Scalar => {
            core_type(slot.ty);
        }
        Class::Pair => {
            if !matches!(slot.ty, Ty::String | Ty::List(_)) {
                panic!("only strings and lists cross as (ptr, len)");
            }
        }
        Class::Memory => {
            if let Ty::Unit = slot.ty {
                panic!("`()` is not an interface value type here");
            }
        }
    }
}

/// The type definitions of a signature: every slot's, then the signature.
/// Returns the index of the signature.
const fn signature(s: &mut Sink<'_>, params: &[Slot], result: &Option<Slot>) -> u32 {
    let mut base = 0;
    let mut i = 0;
    while i < params.len() {
        check_slot(&params[i]);
        defs(s, params[i].ty, base);
        base += def_count(params[i].ty);
        i += 1;
    }
    if let Some(r) = result {
        check_slot(r);
        defs(s, r.ty, base);
        base += def_count(r.ty);
    }
    s.byte(form::FUNC);
    s.u32(params.len() as u32);
    let mut b = 0;
    let mut i = 0;
    while i < params.len() {
        valtype(s, params[i].ty, b);
        b += def_count(params[i].ty);
        i += 1;
    }
    match result {
        Some(r) => {
            s.u32(1);
            valtype(s, r.ty, b);
        }
        None => s.u32(0),
    }
    base
}

const fn signature_def_count(params: &[Slot], result: &Option<Slot>) -> u32 {
    let mut n = 1;
    let mut i = 0;
    while i < params.len() {
        n += def_count(params[i].ty);
        i += 1;
    }
    if let Some(r) = result {
        n += def_count(r.ty);
    }
    n
}

/// `vec((index, name))` for the types of a signature.
const fn signature_names(s: &mut Sink<'_>, params: &[Slot], result: &Option<Slot>) {
    let mut count = 0;
    let mut i = 0;
    while i < params.len() {
        count += name_count(params[i].ty);
        i += 1;
    }
    if let Some(r) = result {
        count += name_count(r.ty);
    }
    s.u32(count);
    let mut b = 0;
    let mut i = 0;
    while i < params.len() {
        type_names(s, params[i].ty, b);
        b += def_count(params[i].ty);
        i += 1;
    }
    if let Some(r) = result {
        type_names(s, r.ty, b);
    }
}

const fn signature_has_names(params: &[Slot], result: &Option<Slot>) -> bool {
    let mut i = 0;
    while i < params.len() {
        if name_count(params[i].ty) > 0 {
            return true;
        }
        i += 1;
    }
    match result {
        Some(r) => name_count(r.ty) > 0,
        None => false,
    }
}

/// The index of slot `k`'s first definition (results count as slot
/// `params.len()`).
const fn slot_base(params: &[Slot], k: usize) -> u32 {
    let mut b = 0;
    let mut i = 0;
    while i < k {
        b += def_count(params[i].ty);
        i += 1;
    }
    b
}

const fn needs_malloc(params: &[Slot]) -> bool {
    let mut i = 0;
    while i < params.len() {
        if !matches!(params[i].class, Class::Scalar) {
            return true;
        }
        i += 1;
    }
    false
}

/// `enc:u8 mem:u32` of the memory instructions: UTF-8, memory 0.
const fn memarg(s: &mut Sink<'_>) {
    s.byte(0);
    s.u32(0);
}

/// The export adapter's body (without its size prefix).
const fn export_body(s: &mut Sink<'_>, d: &ExportDesc, ty: u32) {
    let post = 1;
    let malloc = if matches!(
        d.result,
        Some(Slot {
            class: Class::Memory,
            ..
        })
    ) {
        2
    } else {
        1
    };
    s.u32(ty);
    let mut i = 0;
    while i < d.params.len() {
        let p = &d.params[i];
        let base = slot_base(d.params, i);
        s.byte(OP_ARG_GET);
        s.u32(i as u32);
        match p.class {
            Class::Scalar => {
                if let Some(op) = lower_conversion(p.ty) {
                    s.byte(op);
                }
            }
            Class::Pair => {
                s.byte(OP_VALUE_LOWER);
                valtype(s, p.ty, base);
                s.u32(malloc);
                memarg(s);
            }
            Class::Memory => {
                s.byte(OP_VALUE_STORE_NEW);
                valtype(s, p.ty, base);
                s.u32(malloc);
                memarg(s);
            }
        }
        i += 1;
    }
    s.byte(OP_CALL_CORE);
    s.u32(0);
    if let Some(r) = &d.result {
        let base = slot_base(d.params, d.params.len());
        match r.class {
            Class::Scalar => {
                if let Some(op) = lift_conversion(r.ty) {
                    s.byte(op);
                }
            }
            _ => {
                s.byte(OP_DEFER_CALL_CORE);
                s.u32(post);
                s.byte(OP_VALUE_LOAD);
                valtype(s, r.ty, base);
                memarg(s);
            }
        }
    }
    s.byte(OP_END);
}

/// `id:u8 size:u32` of a subsection whose contents take `size` bytes.
const fn header(s: &mut Sink<'_>, id: u8, size: usize) {
    s.byte(id);
    s.u32(size as u32);
}

const fn count() -> Sink<'static> {
    Sink {
        buf: &mut [],
        pos: 0,
    }
}

const fn export_fragment(s: &mut Sink<'_>, d: &ExportDesc) {
    assert!(d.param_names.len() == d.params.len());
    s.str(VERSION);
    let ntypes = signature_def_count(d.params, &d.result);

    // 0: types
    let mut c = count();
    c.u32(ntypes);
    signature(&mut c, d.params, &d.result);
    header(s, SUB_TYPES, c.pos);
    s.u32(ntypes);
    let func_ty = signature(s, d.params, &d.result);

    // 2: funcs
    let mut c = count();
    export_body(&mut c, d, func_ty);
    let body = c.pos;
    header(s, SUB_FUNCS, 1 + Sink::leb_len(body as u32) + body);
    s.u32(1);
    s.u32(body as u32);
    export_body(s, d, func_ty);

    // 3: exports
    let mut c = count();
    c.u32(1);
    c.u32(0);
    c.str(d.name);
    header(s, SUB_EXPORTS, c.pos);
    s.u32(1);
    s.u32(0);
    s.str(d.name);

    // 5: type names
    if signature_has_names(d.params, &d.result) {
        let mut c = count();
        signature_names(&mut c, d.params, &d.result);
        header(s, SUB_TYPE_NAMES, c.pos);
        signature_names(s, d.params, &d.result);
    }

    // 6: core names
    let has_post = matches!(
        d.result,
        Some(Slot {
            class: Class::Memory,
            ..
        })
    );
    let has_malloc = needs_malloc(d.params);
    let mut c = count();
    core_names_export(&mut c, d, has_post, has_malloc);
    header(s, SUB_CORE_NAMES, c.pos);
    core_names_export(s, d, has_post, has_malloc);

    // 7: docs
    docs(s, 0, d.docs);

    // 8: parameter names
    param_names(s, 0, d.param_names);
}

const fn core_names_export(s: &mut Sink<'_>, d: &ExportDesc, post: bool, malloc: bool) {
    s.u32(1 + post as u32 + malloc as u32);
    s.byte(core_name::EXPORT);
    s.str(d.core);
    if post {
        s.byte(core_name::EXPORT);
        s.str(d.post);
    }
    if malloc {
        s.byte(core_name::EXPORT);
        s.str(MALLOC);
    }
}

const fn docs(s: &mut Sink<'_>, func: u32, text: &str) {
    if text.is_empty() {
        return;
    }
    let mut c = count();
    c.u32(1);
    c.u32(func);
    c.str(text);
    header(s, SUB_DOCS, c.pos);
    s.u32(1);
    s.u32(func);
    s.str(text);
}

/// `vec(func:u32 vec(name:str))` with one entry for adapter `func`, unless
/// no parameter has a name.
const fn param_names(s: &mut Sink<'_>, func: u32, names: &[&str]) {
    let mut any = false;
    let mut i = 0;
    while i < names.len() {
        any |= !names[i].is_empty();
        i += 1;
    }
    if !any {
        return;
    }
    let mut c = count();
    c.u32(1);
    c.u32(func);
    self::names(&mut c, names);
    header(s, SUB_PARAM_NAMES, c.pos);
    s.u32(1);
    s.u32(func);
    self::names(s, names);
}

/// The core signature of an import's implement adapter: each param's core
/// values, then a return-area pointer for a memory result.
const fn core_signature(s: &mut Sink<'_>, d: &ImportDesc) {
    s.byte(form::FUNC);
    let mut n = 0;
    let mut i = 0;
    while i < d.params.len() {
        n += match d.params[i].class {
            Class::Pair => 2,
            _ => 1,
        };
        i += 1;
    }
    let ret_area = matches!(
        d.result,
        Some(Slot {
            class: Class::Memory | Class::Pair,
            ..
        })
    );
    s.u32(n + ret_area as u32);
    let mut i = 0;
    while i < d.params.len() {
        match d.params[i].class {
            Class::Scalar => s.byte(core_type(d.params[i].ty)),
            Class::Pair => {
                s.byte(I32);
                s.byte(I32);
            }
            Class::Memory => s.byte(I32),
        }
        i += 1;
    }
    if ret_area {
        s.byte(I32);
    }
    match &d.result {
        Some(Slot {
            class: Class::Scalar,
            ty,
        }) => {
            s.u32(1);
            s.byte(core_type(ty));
        }
        _ => s.u32(0),
    }
}

/// The implement adapter's body (without its size prefix). Adapter 0 is the
/// interface import; core function 1 the allocator.
const fn import_body(s: &mut Sink<'_>, d: &ImportDesc, ty: u32) {
    s.u32(ty);
    let mut core_args = 0;
    let mut i = 0;
    while i < d.params.len() {
        core_args += match d.params[i].class {
            Class::Pair => 2,
            _ => 1,
        };
        i += 1;
    }
    let ret_area = matches!(
        d.result,
        Some(Slot {
            class: Class::Memory | Class::Pair,
            ..
        })
    );
    if ret_area {
        s.byte(OP_ARG_GET);
        s.u32(core_args);
    }
    let mut k = 0;
    let mut i = 0;
    while i < d.params.len() {
        let p = &d.params[i];
        let base = slot_base(d.params, i);
        s.byte(OP_ARG_GET);
        s.u32(k);
        match p.class {
            Class::Scalar => {
                if let Some(op) = lift_conversion(p.ty) {
                    s.byte(op);
                }
                k += 1;
            }
            Class::Pair => {
                s.byte(OP_ARG_GET);
                s.u32(k + 1);
                s.byte(OP_VALUE_LIFT);
                valtype(s, p.ty, base);
                memarg(s);
                k += 2;
            }
            Class::Memory => {
                s.byte(OP_VALUE_LOAD);
                valtype(s, p.ty, base);
                memarg(s);
                k += 1;
            }
        }
        i += 1;
    }
    s.byte(OP_CALL_ADAPTER);
    s.u32(0);
    if let Some(r) = &d.result {
        match r.class {
            Class::Scalar => {
                if let Some(op) = lower_conversion(r.ty) {
                    s.byte(op);
                }
            }
            _ => {
                s.byte(OP_VALUE_STORE);
                valtype(s, r.ty, slot_base(d.params, d.params.len()));
                s.u32(1);
                memarg(s);
            }
        }
    }
    s.byte(OP_END);
}

const fn import_fragment(s: &mut Sink<'_>, d: &ImportDesc) {
    assert!(d.param_names.len() == d.params.len());
    s.str(VERSION);
    let ntypes = signature_def_count(d.params, &d.result) + 1;

    // 0: types (the interface signature, then the core one)
    let mut c = count();
    c.u32(ntypes);
    signature(&mut c, d.params, &d.result);
    core_signature(&mut c, d);
    header(s, SUB_TYPES, c.pos);
    s.u32(ntypes);
    let func_ty = signature(s, d.params, &d.result);
    core_signature(s, d);
    let core_ty = func_ty + 1;

    // 1: imports
    let mut c = count();
    c.u32(1);
    c.str(d.module);
    c.str(d.name);
    c.u32(func_ty);
    header(s, SUB_IMPORTS, c.pos);
    s.u32(1);
    s.str(d.module);
    s.str(d.name);
    s.u32(func_ty);

    // 2: funcs
    let mut c = count();
    import_body(&mut c, d, core_ty);
    let body = c.pos;
    header(s, SUB_FUNCS, 1 + Sink::leb_len(body as u32) + body);
    s.u32(1);
    s.u32(body as u32);
    import_body(s, d, core_ty);

    // 4: implements: core function 0 (the import) by adapter 1
    header(s, SUB_IMPLEMENTS, 3);
    s.u32(1);
    s.u32(0);
    s.u32(1);

    // 5: type names
    if signature_has_names(d.params, &d.result) {
        let mut c = count();
        signature_names(&mut c, d.params, &d.result);
        header(s, SUB_TYPE_NAMES, c.pos);
        signature_names(s, d.params, &d.result);
    }

    // 6: core names
    let mut c = count();
    core_names_import(&mut c, d);
    header(s, SUB_CORE_NAMES, c.pos);
    core_names_import(s, d);

    // 7: docs (of the interface import, adapter 0)
    docs(s, 0, d.docs);

    // 8: parameter names (of the interface import)
    param_names(s, 0, d.param_names);
}

const fn core_names_import(s: &mut Sink<'_>, d: &ImportDesc) {
    s.u32(2);
    s.byte(core_name::IMPORT);
    s.str(d.module);
    s.str(d.core);
    s.byte(core_name::EXPORT);
    s.str(MALLOC);
}

/// Length of the fragment of an exported function.
pub const fn export_len(d: &ExportDesc) -> usize {
    let mut s = count();
    export_fragment(&mut s, d);
    s.pos
}

/// The fragment of an exported function; `N` must be [`export_len`].
pub const fn export_bytes<const N: usize>(d: &ExportDesc) -> [u8; N] {
    let mut buf = [0u8; N];
    let mut s = Sink {
        buf: &mut buf,
        pos: 0,
    };
    export_fragment(&mut s, d);
    assert!(s.pos == N);
    buf
}

/// Length of the fragment of an imported function.
pub const fn import_len(d: &ImportDesc) -> usize {
    let mut s = count();
    import_fragment(&mut s, d);
    s.pos
}

/// The fragment of an imported function; `N` must be [`import_len`].
pub const fn import_bytes<const N: usize>(d: &ImportDesc) -> [u8; N] {
    let mut buf = [0u8; N];
    let mut s = Sink {
        buf: &mut buf,
        pos: 0,
    };
    import_fragment(&mut s, d);
    assert!(s.pos == N);
    buf
}

/// The guest's `const fn` encoder checked against the host's decoder: every
/// type form and both kinds of fragment decode with `intertype` into what the
/// descriptors say.
#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use intertype::binary::{decode_fragments, CoreName};
    use intertype::TypeDef;
    use std::vec::Vec;

    const POINT: Ty = Ty::Record {
        name: "app::point",
        fields: &[
            Field {
                name: "x",
                ty: &Ty::S32,
            },
            Field {
                name: "y",
                ty: &Ty::F64,
            },
        ],
    };
    const SHAPE: Ty = Ty::Variant {
        name: "app::shape",
        cases: &[
            Field {
                name: "dot",
                ty: &POINT,
            },
            Field {
                name: "none",
                ty: &Ty::Unit,
            },
        ],
    };
    const COLOR: Ty = Ty::Enum {
        name: "app::color",
        cases: &["red", "green"],
    };
    const PERMS: Ty = Ty::Flags {
        name: "app::perms",
        flags: &["read", "write", "exec"],
    };
    const EVERYTHING: Ty = Ty::Tuple(&[
        &POINT,
        &SHAPE,
        &COLOR,
        &PERMS,
        &Ty::List(&Ty::String),
        &Ty::Option(&Ty::Char),
        &Ty::Result(&Ty::U64, &Ty::Unit),
        &Ty::Bool,
    ]);
    const EXPORT: ExportDesc = ExportDesc {
        name: "take-all",
        docs: "Takes one of everything.",
        param_names: &["all", "n"],
        params: &[
            Slot {
                ty: &EVERYTHING,
                class: Class::Memory,
            },
            Slot {
                ty: &Ty::U8,
                class: Class::Scalar,
            },
        ],
        result: Some(Slot {
            ty: &Ty::String,
            class: Class::Pair,
        }),
        core: "__take_all",
        post: "__take_all_post",
    };
    const IMPORT: ImportDesc = ImportDesc {
        module: "host",
        name: "log",
        docs: "",
        param_names: &["message"],
        params: &[Slot {
            ty: &Ty::String,
            class: Class::Pair,
        }],
        result: None,
        core: "log",
    };

    #[test]
    fn an_export_fragment_decodes_on_the_host() {
        const N: usize = export_len(&EXPORT);
        let bytes: [u8; N] = export_bytes::<N>(&EXPORT);
        let frags = decode_fragments(&bytes, 0).unwrap();
        assert_eq!(frags.len(), 1);
        let f = &frags[0];
        let b = &f.booklet;
        assert_eq!(b.exports.len(), 1);
        assert_eq!(b.exports[0].name, "take-all");
        let names = f
            .core_names
            .as_ref()
            .expect("a fragment names core functions");
        assert!(names.contains(&CoreName::Export("__take_all".into())));
        let kinds: Vec<&str> = b.types.iter().map(TypeDef::keyword).collect();
        for k in [
            "record", "variant", "enum", "flags", "list", "option", "result", "tuple", "func",
        ] {
            assert!(kinds.contains(&k), "no {k} among {kinds:?}");
        }
        let point = b
            .types
            .iter()
            .find_map(|t| match t {
                TypeDef::Record(fs) => Some(fs),
                _ => None,
            })
            .unwrap();
        let fields: Vec<&str> = point.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(fields, ["x", "y"]);
        let flags = b.types.iter().find_map(|t| match t {
            TypeDef::Flags(fs) => Some(fs.clone()),
            _ => None,
        });
        assert_eq!(flags.unwrap(), ["read", "write", "exec"]);
        let type_names: Vec<&str> = b.type_names.values().map(|n| n.as_str()).collect();
        for n in ["app::point", "app::shape", "app::color", "app::perms"] {
            assert!(type_names.contains(&n), "no {n} among {type_names:?}");
        }
        assert!(b.docs.values().any(|d| d == "Takes one of everything."));
        assert!(b.param_names.values().any(|p| p == &["all", "n"]));
    }

    #[test]
    fn an_import_fragment_decodes_on_the_host() {
        const N: usize = import_len(&IMPORT);
        let bytes: [u8; N] = import_bytes::<N>(&IMPORT);
        let frags = decode_fragments(&bytes, 0).unwrap();
        assert_eq!(frags.len(), 1);
        let b = &frags[0].booklet;
        assert_eq!(b.imports.len(), 1);
        assert_eq!(
            (b.imports[0].module.as_str(), b.imports[0].name.as_str()),
            ("host", "log")
        );
        assert_eq!(b.implements.len(), 1);
        let names = frags[0].core_names.as_ref().unwrap();
        assert!(names.contains(&CoreName::Import {
            module: "host".into(),
            name: "log".into()
        }));
        assert!(names.contains(&CoreName::Export(MALLOC.into())));
    }

    /// Two fragments back to back (what the linker makes of two objects'
    /// link sections) decode as two.
    #[test]
    fn concatenated_fragments_decode_one_by_one() {
        const E: usize = export_len(&EXPORT);
        const I: usize = import_len(&IMPORT);
        let mut bytes = export_bytes::<E>(&EXPORT).to_vec();
        bytes.extend_from_slice(&import_bytes::<I>(&IMPORT));
        let frags = decode_fragments(&bytes, 100).unwrap();
        assert_eq!(frags.len(), 2);
        assert_eq!(frags[1].offset, 100 + E);
    }
}
