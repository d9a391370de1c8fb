//! Copying one value from where one side keeps it to where the other side
//! wants it, by type, in the canonical layout: scalars are read, checked and
//! written; strings are copied once (same encoding, after validation) or
//! transcoded; lists of plain numbers are one `memory.copy`; everything
//! else is walked field by field, case by case, element by element.

use crate::code::Body;
use crate::fault::{Fault, FaultKind};
use crate::fuse::{Fuser, Loc, Repr, Val};
use crate::module::wasm_type;
use crate::strings::{Helper, INVALID, UNREPRESENTABLE};
use crate::NotFusable;
use intertype::layout;
use intertype::{CoreType, StringEncoding, TypeDef, ValType};
use wasm_encoder::{MemArg, ValType as W};

/// Where a lowering writes: its side, memory, encoding and allocator
/// (`(function, takes an alignment)`).
pub(crate) struct Dst {
    pub side: u32,
    pub mem: Option<u32>,
    pub enc: StringEncoding,
    pub malloc: Option<(crate::code::FuncRef, bool)>,
    /// Only read and check the value (everything a copy would check),
    /// allocating and writing nothing: run before a copy that allocates
    /// more than once, so that bad data is refused before the destination
    /// is touched.
    pub check_only: bool,
}

/// Where the copy goes: new flat locals, or a checked place in memory.
pub(crate) enum Out<'x> {
    Flat(&'x mut Vec<u32>),
    Mem { ptr: u32, off: u32 },
}

/// Where a (non-`Parts`) value is read from.
#[derive(Clone)]
pub(crate) struct Src {
    pub side: u32,
    pub loc: Loc,
    pub at: At,
    /// Checked before (at the call boundary): copy without checking.
    pub checked: bool,
}

#[derive(Clone)]
pub(crate) enum At {
    Flat(Vec<u32>),
    Mem { ptr: u32, off: u32 },
}

impl Src {
    pub fn of(v: &Val) -> Src {
        Src {
            side: v.side,
            loc: v.loc,
            checked: v.checked,
            at: match &v.repr {
                Repr::Flat(ls) => At::Flat(ls.clone()),
                Repr::Mem { ptr, off } => At::Mem {
                    ptr: *ptr,
                    off: *off,
                },
                Repr::Parts(_) => At::Flat(Vec::new()),
            },
        }
    }
}

fn memarg(mem: u32, off: u32, align_log2: u32) -> MemArg {
    MemArg {
        offset: off.into(),
        align: align_log2,
        memory_index: mem,
    }
}

/// Types whose canonical bytes are copied as they are (no validation, no
/// normalisation, no pointers).
pub(crate) fn plain(types: &[TypeDef], ty: ValType) -> bool {
    use ValType::*;
    match ty {
        S8 | U8 | S16 | U16 | S32 | U32 | S64 | U64 | I32 | I64 | F32 | F64 => true,
        Type(_) => {
            layout::record_fields(types, ty).is_some_and(|fs| fs.iter().all(|f| plain(types, *f)))
        }
        _ => false,
    }
}

fn zero(s: &mut wasm_encoder::InstructionSink<'_>, t: CoreType) {
    match t {
        CoreType::I32 => s.i32_const(0),
        CoreType::I64 => s.i64_const(0),
        CoreType::F32 => s.f32_const(0.0.into()),
        CoreType::F64 => s.f64_const(0.0.into()),
        CoreType::Externref => s.ref_null(wasm_encoder::HeapType::EXTERN),
    };
}

/// Converts the core value on the stack from `from` to `to` through its
/// bits: a float to the integer of its width, the integer widened
/// (zero-extended) or narrowed, then to a float if `to` is one. Serves both
/// directions of a variant's joined flat slots (a case's own type into the
/// joined slot type and back).
fn recast(s: &mut wasm_encoder::InstructionSink<'_>, from: CoreType, to: CoreType) {
    use CoreType::*;
    let bits = |t| match t {
        F32 => I32,
        F64 => I64,
        t => t,
    };
    match from {
        F32 => s.i32_reinterpret_f32(),
        F64 => s.i64_reinterpret_f64(),
        _ => s,
    };
    match (bits(from), bits(to)) {
        (I32, I64) => s.i64_extend_i32_u(),
        (I64, I32) => s.i32_wrap_i64(),
        _ => s,
    };
    match to {
        F32 => s.f32_reinterpret_i32(),
        F64 => s.f64_reinterpret_i64(),
        _ => s,
    };
}

/// How a scalar is read from and written to memory: one row per access
/// width and signedness.
#[derive(Clone, Copy)]
enum Access {
    U8,
    S8,
    U16,
    S16,
    I32,
    I64,
    F32,
    F64,
}

impl Access {
    /// The access for a scalar of type `ty` in the canonical layout.
    fn of(ty: ValType) -> Access {
        use ValType::*;
        match ty {
            Bool | U8 => Access::U8,
            S8 => Access::S8,
            U16 => Access::U16,
            S16 => Access::S16,
            S64 | U64 | I64 => Access::I64,
            F32 => Access::F32,
            F64 => Access::F64,
            _ => Access::I32,
        }
    }

    /// The unsigned access of a discriminant or flags word of `bytes` bytes.
    fn unsigned(bytes: u32) -> Access {
        match bytes {
            1 => Access::U8,
            2 => Access::U16,
            _ => Access::I32,
        }
    }

    fn align_log2(self) -> u32 {
        match self {
            Access::U8 | Access::S8 => 0,
            Access::U16 | Access::S16 => 1,
            Access::I32 | Access::F32 => 2,
            Access::I64 | Access::F64 => 3,
        }
    }

    fn load(self, s: &mut wasm_encoder::InstructionSink<'_>, mem: u32, off: u32) {
        let m = memarg(mem, off, self.align_log2());
        match self {
            Access::U8 => s.i32_load8_u(m),
            Access::S8 => s.i32_load8_s(m),
            Access::U16 => s.i32_load16_u(m),
            Access::S16 => s.i32_load16_s(m),
            Access::I32 => s.i32_load(m),
            Access::I64 => s.i64_load(m),
            Access::F32 => s.f32_load(m),
            Access::F64 => s.f64_load(m),
        };
    }

    fn store(self, s: &mut wasm_encoder::InstructionSink<'_>, mem: u32, off: u32) {
        let m = memarg(mem, off, self.align_log2());
        match self {
            Access::U8 | Access::S8 => s.i32_store8(m),
            Access::U16 | Access::S16 => s.i32_store16(m),
            Access::I32 => s.i32_store(m),
            Access::I64 => s.i64_store(m),
            Access::F32 => s.f32_store(m),
            Access::F64 => s.f64_store(m),
        };
    }
}

impl Fuser<'_, '_> {
    fn body(&mut self) -> &mut Body {
        &mut self.body
    }

    /// Copies `v` to `out` on `dst`'s side.
    pub fn transfer(&mut self, v: &Val, dst: &Dst, out: &mut Out<'_>) -> Result<(), NotFusable> {
        if let Repr::Parts(parts) = &v.repr {
            let field_tys = layout::record_fields(self.b.types, v.ty).unwrap_or_default();
            let offs = self.cx.field_offsets(&field_tys).unwrap_or_default();
            for (p, o) in parts.iter().zip(offs) {
                match out {
                    Out::Flat(ls) => self.transfer(p, dst, &mut Out::Flat(ls))?,
                    Out::Mem { ptr, off } => self.transfer(
                        p,
                        dst,
                        &mut Out::Mem {
                            ptr: *ptr,
                            off: *off + o,
                        },
                    )?,
                }
            }
            return Ok(());
        }
        self.copy(&Src::of(v), v.ty, dst, out);
        Ok(())
    }

    /// Copies a value of `ty` from `src` to `out`.
    fn copy(&mut self, src: &Src, ty: ValType, dst: &Dst, out: &mut Out<'_>) {
        if self.body.code.bytes.len() > crate::fuse::MAX_BODY_BYTES {
            // The caller reports the link as too large; stop emitting.
            return;
        }
        let types = self.b.types;
        match ty {
            ValType::String => {
                let (p, l) = self.read_pair(src);
                let (dp, dl) = self.string(src, p, l, dst);
                self.write_pair(dst, out, dp, dl);
            }
            ValType::Type(_) => match layout::resolve(types, ty).cloned() {
                Some(TypeDef::List(elem)) => {
                    let (p, l) = self.read_pair(src);
                    let (dp, dl) = self.list(src, elem, p, l, dst);
                    self.write_pair(dst, out, dp, dl);
                }
                Some(TypeDef::Record(_)) | Some(TypeDef::Tuple(_)) => {
                    let field_tys = layout::record_fields(types, ty).unwrap_or_default();
                    let mut flat_at = 0;
                    let offs = match (&src.at, &out) {
                        (At::Mem { .. }, _) | (_, Out::Mem { .. }) => {
                            self.cx.field_offsets(&field_tys).unwrap_or_default()
                        }
                        _ => vec![0; field_tys.len()],
                    };
                    for (t, o) in field_tys.iter().zip(offs) {
                        let sub = match &src.at {
                            At::Flat(ls) => {
                                let n = self.cx.flatten(*t).map_or(0, |f| f.len());
                                let part = ls[flat_at..flat_at + n].to_vec();
                                flat_at += n;
                                At::Flat(part)
                            }
                            At::Mem { ptr, off } => At::Mem {
                                ptr: *ptr,
                                off: off + o,
                            },
                        };
                        let sub = Src {
                            at: sub,
                            ..src.clone()
                        };
                        match out {
                            Out::Flat(ls) => self.copy(&sub, *t, dst, &mut Out::Flat(ls)),
                            Out::Mem { ptr, off } => self.copy(
                                &sub,
                                *t,
                                dst,
                                &mut Out::Mem {
                                    ptr: *ptr,
                                    off: *off + o,
                                },
                            ),
                        }
                    }
                }
                Some(TypeDef::Flags(names)) => self.flags(src, ty, names.len(), dst, out),
                Some(_) => self.variant(src, ty, dst, out),
                None => {}
            },
            _ => {
                let l = self.read_prim(src, ty);
                self.write_prim(dst, out, ty, l);
            }
        }
    }

    /// Reads a scalar of type `ty` into a local: canonical (narrow integers
    /// extended, `bool` 0 or 1) and checked (`char`).
    pub fn read_prim(&mut self, src: &Src, ty: ValType) -> u32 {
        use ValType::*;
        let core = match ty {
            S64 | U64 | I64 => CoreType::I64,
            F32 => CoreType::F32,
            F64 => CoreType::F64,
            Externref => CoreType::Externref,
            _ => CoreType::I32,
        };
        let (ptr, off) = match &src.at {
            At::Flat(ls) => {
                let l = ls[0];
                let norm: Option<fn(&mut wasm_encoder::InstructionSink<'_>)> = match ty {
                    S8 => Some(|s| {
                        s.i32_extend8_s();
                    }),
                    U8 => Some(|s| {
                        s.i32_const(0xff).i32_and();
                    }),
                    S16 => Some(|s| {
                        s.i32_extend16_s();
                    }),
                    U16 => Some(|s| {
                        s.i32_const(0xffff).i32_and();
                    }),
                    Bool => Some(|s| {
                        s.i32_const(0).i32_ne();
                    }),
                    _ => None,
                };
                let out = match norm {
                    None => l,
                    Some(f) => {
                        let out = self.body().local(W::I32);
                        let mut s = self.body.sink();
                        s.local_get(l);
                        f(&mut s);
                        s.local_set(out);
                        out
                    }
                };
                if ty == Char && !src.checked {
                    self.check_char(src.side, out);
                }
                return out;
            }
            At::Mem { ptr, off } => (*ptr, *off),
        };
        let mem = src.loc.mem.expect("memory for a value in memory");
        let out = self.body().local(wasm_type(core));
        let mut s = self.body.sink();
        s.local_get(ptr);
        Access::of(ty).load(&mut s, mem, off);
        if ty == Bool {
            s.i32_const(0).i32_ne();
        }
        s.local_set(out);
        if ty == Char && !src.checked {
            self.check_char(src.side, out);
        }
        out
    }

    fn write_prim(&mut self, dst: &Dst, out: &mut Out<'_>, ty: ValType, l: u32) {
        match out {
            Out::Flat(ls) => ls.push(l),
            Out::Mem { ptr, off } => {
                let mem = dst.mem.expect("memory for a store");
                let (ptr, off) = (*ptr, *off);
                let mut s = self.body.sink();
                s.local_get(ptr).local_get(l);
                Access::of(ty).store(&mut s, mem, off);
            }
        }
    }

    fn read_pair(&mut self, src: &Src) -> (u32, u32) {
        match &src.at {
            At::Flat(ls) => (ls[0], ls[1]),
            At::Mem { ptr, off } => {
                let mem = src.loc.mem.expect("memory");
                let (p, l) = (self.body().local(W::I32), self.body().local(W::I32));
                self.body
                    .sink()
                    .local_get(*ptr)
                    .i32_load(memarg(mem, *off, 2))
                    .local_set(p)
                    .local_get(*ptr)
                    .i32_load(memarg(mem, off + 4, 2))
                    .local_set(l);
                (p, l)
            }
        }
    }

    fn write_pair(&mut self, dst: &Dst, out: &mut Out<'_>, p: u32, l: u32) {
        match out {
            Out::Flat(ls) => {
                ls.push(p);
                ls.push(l);
            }
            Out::Mem { .. } => {
                self.write_prim(dst, out, ValType::I32, p);
                if let Out::Mem { ptr, off } = out {
                    let mut next = Out::Mem {
                        ptr: *ptr,
                        off: *off + 4,
                    };
                    self.write_prim(dst, &mut next, ValType::I32, l);
                }
            }
        }
    }

    /// Fails with `kind` of `side` when `ptr + bytes` (both i32 locals,
    /// `bytes` zero-extended) is past the end of `mem`.
    fn check_range(&mut self, side: u32, mem: u32, ptr: u32, bytes: u32, kind: FaultKind) {
        self.body
            .sink()
            .local_get(ptr)
            .i64_extend_i32_u()
            .local_get(bytes)
            .i64_extend_i32_u()
            .i64_add();
        self.past_end(mem);
        self.body.fail_if(Fault::new(side, kind));
    }

    /// Copies `bytes` bytes from `p` in `smem` to `dp` in `dmem` (all
    /// checked before).
    fn copy_bytes(&mut self, smem: u32, dmem: u32, p: u32, dp: u32, bytes: u32) {
        let h = self.b.helper(Helper::Copy {
            src_mem: smem,
            dst_mem: dmem,
        });
        self.body.sink().local_get(dp).local_get(p).local_get(bytes);
        self.body.call(h);
    }

    /// A string at `(p, l)` in `src`'s memory and encoding, placed in
    /// `dst`'s.
    fn string(&mut self, src: &Src, p: u32, l: u32, dst: &Dst) -> (u32, u32) {
        let (from, to) = (src.loc.enc, dst.enc);
        let smem = src.loc.mem.expect("a memory for strings");
        let side = src.side;
        let bytes = self.body().local(W::I32);
        let check = !src.checked;
        if from == StringEncoding::Utf16 {
            if check {
                self.body.sink().local_get(p).i32_const(1).i32_and();
                self.body.fail_if(Fault::new(side, FaultKind::Misaligned));
                self.body
                    .sink()
                    .local_get(l)
                    .i32_const(0x7fff_ffff)
                    .i32_gt_u();
                self.body
                    .fail_if(Fault::new(side, FaultKind::LengthOverflow));
            }
            self.body
                .sink()
                .local_get(l)
                .i32_const(1)
                .i32_shl()
                .local_set(bytes);
        } else {
            self.body.sink().local_get(l).local_set(bytes);
        }
        if check {
            self.check_range(side, smem, p, bytes, FaultKind::OutOfBounds);
        }
        // Check mode validates in the source's own encoding; whether the
        // destination can represent the string is known only when it is
        // lowered.
        if from == to || dst.check_only {
            if check && from != StringEncoding::Latin1 {
                let h = self.b.helper(Helper::Validate {
                    enc: from,
                    mem: smem,
                });
                self.body.sink().local_get(p).local_get(l);
                self.body.call(h);
                self.body
                    .fail_if(Fault::new(side, FaultKind::InvalidEncoding));
            }
            if dst.check_only {
                return (p, l);
            }
            let dmem = dst.mem.expect("a memory for strings");
            let align = if to == StringEncoding::Utf16 { 2 } else { 1 };
            let dp = self.alloc(dst, bytes, align);
            self.copy_bytes(smem, dmem, p, dp, bytes);
            return (dp, l);
        }
        let count = self.b.helper(Helper::Count {
            from,
            to,
            mem: smem,
        });
        let n = self.body().local(W::I64);
        self.body.sink().local_get(p).local_get(l);
        self.body.call(count);
        self.body.sink().local_tee(n).i64_const(INVALID).i64_eq();
        self.body
            .fail_if(Fault::new(side, FaultKind::InvalidEncoding));
        self.body
            .sink()
            .local_get(n)
            .i64_const(UNREPRESENTABLE)
            .i64_eq();
        self.body
            .fail_if(Fault::new(dst.side, FaultKind::Unrepresentable));
        let unit_shift = if to == StringEncoding::Utf16 { 1 } else { 0 };
        self.body
            .sink()
            .local_get(n)
            .i64_const(0x7fff_ffff >> unit_shift)
            .i64_gt_u();
        self.body
            .fail_if(Fault::new(side, FaultKind::LengthOverflow));
        if dst.check_only {
            return (p, l);
        }
        let dmem = dst.mem.expect("a memory for strings");
        let dl = self.body().local(W::I32);
        let dbytes = self.body().local(W::I32);
        self.body
            .sink()
            .local_get(n)
            .i32_wrap_i64()
            .local_tee(dl)
            .i32_const(unit_shift)
            .i32_shl()
            .local_set(dbytes);
        let dp = self.alloc(dst, dbytes, 1 << unit_shift);
        let t = self.b.helper(Helper::Transcode {
            from,
            to,
            src_mem: smem,
            dst_mem: dmem,
        });
        self.body.sink().local_get(p).local_get(l).local_get(dp);
        self.body.call(t);
        (dp, dl)
    }

    /// A list of `elem` at `(p, l)` in `src`'s memory, placed in `dst`'s.
    fn list(&mut self, src: &Src, elem: ValType, p: u32, l: u32, dst: &Dst) -> (u32, u32) {
        let lay = self.cx.layout(elem).expect("validated");
        let smem = src.loc.mem.expect("a memory for lists");
        let side = src.side;
        let check = !src.checked;
        if lay.align > 1 && check {
            self.body
                .sink()
                .local_get(p)
                .i32_const(lay.align as i32 - 1)
                .i32_and();
            self.body.fail_if(Fault::new(side, FaultKind::Misaligned));
        }
        let bytes = self.body().local(W::I32);
        let wide = self.body().local(W::I64);
        self.body
            .sink()
            .local_get(l)
            .i64_extend_i32_u()
            .i64_const(lay.size as i64)
            .i64_mul()
            .local_set(wide);
        if check {
            self.body
                .sink()
                .local_get(wide)
                .i64_const(u32::MAX as i64)
                .i64_gt_u();
            self.body
                .fail_if(Fault::new(side, FaultKind::LengthOverflow));
        }
        self.body
            .sink()
            .local_get(wide)
            .i32_wrap_i64()
            .local_set(bytes);
        if check {
            self.check_range(side, smem, p, bytes, FaultKind::OutOfBounds);
        }
        let is_plain = plain(self.b.types, elem);
        if dst.check_only && is_plain {
            return (p, l);
        }
        // In check mode `dp` is unused: elements are only read.
        let dp = if dst.check_only {
            p
        } else {
            self.alloc(dst, bytes, lay.align)
        };
        if is_plain {
            let dmem = dst.mem.expect("a memory for lists");
            self.copy_bytes(smem, dmem, p, dp, bytes);
            return (dp, l);
        }
        let (sp, dq, k) = (
            self.body().local(W::I32),
            self.body().local(W::I32),
            self.body().local(W::I32),
        );
        self.body
            .sink()
            .local_get(p)
            .local_set(sp)
            .local_get(dp)
            .local_set(dq)
            .local_get(l)
            .local_set(k);
        self.body.block();
        self.body.loop_();
        self.body.sink().local_get(k).i32_eqz().br_if(1);
        let esrc = Src {
            side,
            loc: src.loc,
            at: At::Mem { ptr: sp, off: 0 },
            checked: src.checked,
        };
        if dst.check_only {
            let mut scratch = Vec::new();
            self.copy(&esrc, elem, dst, &mut Out::Flat(&mut scratch));
        } else {
            self.copy(&esrc, elem, dst, &mut Out::Mem { ptr: dq, off: 0 });
        }
        let size = lay.size as i32;
        self.body
            .sink()
            .local_get(sp)
            .i32_const(size)
            .i32_add()
            .local_set(sp)
            .local_get(dq)
            .i32_const(size)
            .i32_add()
            .local_set(dq)
            .local_get(k)
            .i32_const(1)
            .i32_sub()
            .local_set(k)
            .br(0);
        self.body.end();
        self.body.end();
        (dp, l)
    }

    /// Variants, enums, options and results: the discriminant, checked,
    /// then the payload of the case it names.
    fn variant(&mut self, src: &Src, ty: ValType, dst: &Dst, out: &mut Out<'_>) {
        let types = self.b.types;
        let cases = layout::variant_cases(types, ty).unwrap_or_default();
        let disc_size = layout::discriminant_size(cases.len());
        let payload_off = self.cx.variant_payload_offset(&cases).unwrap_or(0);
        let joined: Vec<CoreType> = self
            .cx
            .flatten(ty)
            .map(|f| f[1..].to_vec())
            .unwrap_or_default();
        let d = match &src.at {
            At::Flat(ls) => ls[0],
            At::Mem { ptr, off } => {
                let mem = src.loc.mem.expect("memory");
                let d = self.body().local(W::I32);
                let mut s = self.body.sink();
                s.local_get(*ptr);
                Access::unsigned(disc_size).load(&mut s, mem, *off);
                s.local_set(d);
                d
            }
        };
        if !src.checked {
            self.body
                .sink()
                .local_get(d)
                .i32_const(cases.len() as i32)
                .i32_ge_u();
            self.body
                .fail_if(Fault::new(src.side, FaultKind::InvalidValue));
        }
        // The discriminant, and for a flat destination the joined slots
        // (zero unless the case sets them).
        let mut slots = Vec::new();
        match out {
            Out::Flat(ls) => {
                ls.push(d);
                for t in &joined {
                    let l = self.body().local(wasm_type(*t));
                    let mut s = self.body.sink();
                    zero(&mut s, *t);
                    s.local_set(l);
                    slots.push(l);
                }
            }
            Out::Mem { ptr, off } => {
                let mem = dst.mem.expect("memory");
                let mut s = self.body.sink();
                s.local_get(*ptr).local_get(d);
                Access::unsigned(disc_size).store(&mut s, mem, *off);
            }
        }
        for (k, case) in cases.iter().enumerate() {
            let Some(case_ty) = case else { continue };
            let own = self.cx.flatten(*case_ty).unwrap_or_default();
            self.body.sink().local_get(d).i32_const(k as i32).i32_eq();
            self.body.if_();
            let sub = match &src.at {
                At::Flat(ls) => {
                    let mut locals = Vec::new();
                    for (j, t) in own.iter().enumerate() {
                        let l = self.body().local(wasm_type(*t));
                        let mut s = self.body.sink();
                        s.local_get(ls[1 + j]);
                        recast(&mut s, joined[j], *t);
                        s.local_set(l);
                        locals.push(l);
                    }
                    At::Flat(locals)
                }
                At::Mem { ptr, off } => At::Mem {
                    ptr: *ptr,
                    off: off + payload_off,
                },
            };
            let sub = Src {
                at: sub,
                ..src.clone()
            };
            match out {
                Out::Flat(_) => {
                    let mut mine = Vec::new();
                    self.copy(&sub, *case_ty, dst, &mut Out::Flat(&mut mine));
                    for (j, l) in mine.iter().enumerate() {
                        let mut s = self.body.sink();
                        s.local_get(*l);
                        recast(&mut s, own[j], joined[j]);
                        s.local_set(slots[j]);
                    }
                }
                Out::Mem { ptr, off } => {
                    let mut o = Out::Mem {
                        ptr: *ptr,
                        off: *off + payload_off,
                    };
                    self.copy(&sub, *case_ty, dst, &mut o);
                }
            }
            self.body.end();
        }
        if let Out::Flat(ls) = out {
            ls.extend(slots);
        }
    }

    /// Flags: the words, with no bit set past the last flag.
    fn flags(&mut self, src: &Src, ty: ValType, count: usize, dst: &Dst, out: &mut Out<'_>) {
        let words = layout::flags_words(count) as usize;
        let size = self.cx.layout(ty).map(|l| l.size).unwrap_or(0);
        let mut ws = Vec::new();
        for i in 0..words {
            let w = match &src.at {
                At::Flat(ls) => ls[i],
                At::Mem { ptr, off } => {
                    let mem = src.loc.mem.expect("memory");
                    let w = self.body().local(W::I32);
                    let mut s = self.body.sink();
                    s.local_get(*ptr);
                    Access::unsigned(size).load(&mut s, mem, off + 4 * i as u32);
                    s.local_set(w);
                    w
                }
            };
            ws.push(w);
        }
        let rem = count % 32;
        if let (Some(last), true) = (ws.last(), rem != 0 && !src.checked) {
            self.body
                .sink()
                .local_get(*last)
                .i32_const(rem as i32)
                .i32_shr_u();
            self.body
                .fail_if(Fault::new(src.side, FaultKind::InvalidValue));
        }
        match out {
            Out::Flat(ls) => ls.extend(ws),
            Out::Mem { ptr, off } => {
                let mem = dst.mem.expect("memory");
                for (i, w) in ws.iter().enumerate() {
                    let mut s = self.body.sink();
                    s.local_get(*ptr).local_get(*w);
                    Access::unsigned(size).store(&mut s, mem, *off + 4 * i as u32);
                }
            }
        }
    }
}
