//! Symbolic execution of both sides' adapters into one core function.
//!
//! Each adapter instruction is read from the typed IR and executed on a
//! stack of [`Val`]s: descriptions of where a value is (locals of the fused
//! function holding its flat form, a place in one side's memory, or the
//! parts a `record.lift` put together), never the value itself. Lifting
//! instructions only describe; lowering instructions (on the other side)
//! emit the copy from the description to their own memory (`transfer.rs`).
//! `call-adapter` of a linked interface import continues with the exporter's
//! export adapter on the same stack; `call-adapter` of a function of the same
//! booklet is inlined.

use crate::code::{Body, FuncRef};
use crate::fault::{Fault, FaultKind};
use crate::module::{wasm_type, Builder};
use crate::{NotFusable, Side};
use intertype::layout::{self, Layouts};
use intertype::{Conversion, CoreType, Instruction, StringEncoding, ValType};
use wasm_encoder::ValType as W;

/// Where the strings and lists inside a value live.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Loc {
    /// Adapter-module memory index (when the value's type needs memory).
    pub mem: Option<u32>,
    pub enc: StringEncoding,
}

/// A value on the symbolic stack. `ty` is in the combined type space.
#[derive(Clone, Debug)]
pub(crate) struct Val {
    pub ty: ValType,
    /// The side whose adapter produced it (and whose memory it is in).
    pub side: u32,
    pub loc: Loc,
    pub repr: Repr,
    /// Already read and checked completely (at the call boundary), so a
    /// copy need not check it again.
    pub checked: bool,
}

#[derive(Clone, Debug)]
pub(crate) enum Repr {
    /// The flat form, in locals (each of the flat type's core type).
    Flat(Vec<u32>),
    /// The canonical layout at `ptr + off` in `loc.mem`, already checked to
    /// be in bounds and aligned.
    Mem { ptr: u32, off: u32 },
    /// A record or tuple put together from its fields.
    Parts(Vec<Val>),
}

/// A `defer-call-core` reached during execution.
pub(crate) struct Deferred {
    pub side: u32,
    pub func: FuncRef,
    pub args: Vec<u32>,
    /// Its position in reaching order (the `reached` local counts them).
    pub ordinal: u32,
}

pub(crate) struct Fuser<'b, 'a> {
    pub b: &'b mut Builder<'a>,
    pub body: Body,
    pub cx: Layouts<'a>,
    /// Deferred calls per adapter frame, in the order the frames exited.
    pub exited: Vec<Vec<Deferred>>,
    pub reached: u32,
    pub n_deferred: u32,
    /// The adapter-module global holding the trap code.
    pub trap_global: u32,
    /// Allocators of the four-parameter `cabi_realloc` form (old pointer,
    /// old size, align, size), called as `(0, 0, align, size)`.
    pub realloc4: std::collections::HashSet<crate::code::FuncRef>,
}

/// The most code one fused function may have. Types are DAGs, so a value
/// copied field by field can need code exponential in the size of its
/// definitions (a record of 1,000 fields of a record of 1,000 fields …);
/// past this the link is not fused rather than the compiler running out of
/// memory.
pub(crate) const MAX_BODY_BYTES: usize = 8 << 20;

/// The interface imports that A's adapter `adapter` (and the adapters it
/// calls) calls whose module is a link name.
pub(crate) fn linked_calls(sides: &[Side], adapter: u32) -> Vec<(String, String)> {
    let a = sides[0].booklet();
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut work = vec![adapter];
    while let Some(g) = work.pop() {
        if !seen.insert(g) {
            continue;
        }
        if let Some(import) = a.imports.get(g as usize) {
            if sides[1..]
                .iter()
                .any(|s| s.name.as_deref() == Some(import.module.as_str()))
            {
                out.push((import.module.clone(), import.name.clone()));
            }
            continue;
        }
        if let Some(f) = a.funcs.get(g as usize - a.imports.len()) {
            for i in &f.instrs {
                if let Instruction::CallAdapter(h) = i {
                    work.push(*h);
                }
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Fuses A's adapter `adapter` implementing core import `core_func`.
pub(crate) fn fuse(b: &mut Builder<'_>, core_func: u32, adapter: u32) -> Result<Body, NotFusable> {
    let a = &b.sides[0];
    let (params, results) = a.module.core.funcs[core_func as usize]
        .ty
        .known()
        .unwrap_or_default();
    let mut body = Body::new(
        params.iter().map(|t| wasm_type(*t)).collect(),
        results.iter().map(|t| wasm_type(*t)).collect(),
    );
    let fault_local = body.local(W::I32);
    body.fault_local = Some(fault_local);
    let reached = body.local(W::I32);
    let types = b.types;
    let mut f = Fuser {
        b,
        body,
        cx: Layouts::new(types),
        exited: Vec::new(),
        reached,
        n_deferred: 0,
        trap_global: 0,
        realloc4: Default::default(),
    };
    // block $fail
    f.body.block();
    let args = params
        .iter()
        .enumerate()
        .map(|(i, t)| Val {
            checked: false,
            ty: t.to_val(),
            side: 0,
            loc: Loc {
                mem: None,
                enc: StringEncoding::Utf8,
            },
            repr: Repr::Flat(vec![i as u32]),
        })
        .collect();
    let out = f.exec(0, adapter, args)?;
    let mut result_locals = Vec::new();
    for v in &out {
        result_locals.push(f.core_value(v)?);
    }
    // Normal exit: deferred calls, innermost frame first, last reached first.
    let exited = std::mem::take(&mut f.exited);
    for d in exited.iter().flat_map(|fr| fr.iter().rev()) {
        f.guarded_call(d.side, d.func, &d.args);
    }
    {
        let mut s = f.body.sink();
        for l in &result_locals {
            s.local_get(*l);
        }
        s.return_();
    }
    f.body.end();
    // The failure exit: record the fault, run the deferred calls reached.
    {
        let g = f.trap_global;
        f.body.sink().local_get(fault_local).global_set(g);
    }
    for d in exited.iter().flat_map(|fr| fr.iter().rev()) {
        let mut s = f.body.sink();
        s.local_get(f.reached)
            .i32_const(d.ordinal as i32)
            .i32_gt_u()
            .if_(wasm_encoder::BlockType::Empty);
        for a in &d.args {
            s.local_get(*a);
        }
        f.body.call(d.func);
        f.body.sink().end();
    }
    f.body.sink().unreachable().end();
    Ok(f.body)
}

impl Fuser<'_, '_> {
    fn side(&self, side: u32) -> &Side {
        &self.b.sides[side as usize]
    }

    /// Calls `func` with `args`, the trap-code global saying that a trap
    /// inside is `side`'s.
    pub fn guarded_call(&mut self, side: u32, func: FuncRef, args: &[u32]) {
        let g = self.trap_global;
        let code = Fault::new(side, FaultKind::CoreTrap).code() as i32;
        let mut s = self.body.sink();
        s.i32_const(code).global_set(g);
        for a in args {
            s.local_get(*a);
        }
        self.body.call(func);
        self.body.sink().i32_const(0).global_set(g);
    }

    /// Executes adapter `func` of `side` with `args`; returns its results.
    pub fn exec(&mut self, side: u32, func: u32, args: Vec<Val>) -> Result<Vec<Val>, NotFusable> {
        let sides = self.b.sides;
        let s = &sides[side as usize];
        let booklet = s.booklet();
        let Some(adapter) = s.typed.adapter(func, booklet) else {
            // An interface import where a function was expected.
            let import = &booklet.imports[func as usize];
            return Err(NotFusable::UnlinkedCall {
                side,
                module: import.module.clone(),
                name: import.name.clone(),
            });
        };
        let mut stack: Vec<Val> = Vec::new();
        let mut deferred = Vec::new();
        for ti in &adapter.instrs {
            self.instr(side, &ti.instr, &args, &mut stack, &mut deferred)?;
            if self.body.code.bytes.len() > MAX_BODY_BYTES {
                return Err(NotFusable::TooLarge);
            }
        }
        self.exited.push(deferred);
        Ok(stack)
    }

    fn instr(
        &mut self,
        side: u32,
        instr: &Instruction,
        args: &[Val],
        stack: &mut Vec<Val>,
        deferred: &mut Vec<Deferred>,
    ) -> Result<(), NotFusable> {
        let sides = self.b.sides;
        let s = &sides[side as usize];
        let core = &s.module.core;
        let enc0 = StringEncoding::Utf8;
        match instr {
            Instruction::ArgGet(n) => stack.push(args[*n as usize].clone()),
            Instruction::CallCore(f) => {
                let (params, results) = core.funcs[*f as usize].ty.known().unwrap_or_default();
                let vals = stack.split_off(stack.len() - params.len());
                let mut locals = Vec::new();
                for v in &vals {
                    locals.push(self.core_value(v)?);
                }
                let func = self.b.core_func(side, *f)?;
                self.guarded_call(side, func, &locals);
                let outs: Vec<u32> = results
                    .iter()
                    .map(|t| self.body.local(wasm_type(*t)))
                    .collect();
                for l in outs.iter().rev() {
                    self.body.sink().local_set(*l);
                }
                for (l, t) in outs.iter().zip(&results) {
                    stack.push(self.core_val(side, *t, *l));
                }
            }
            Instruction::MemoryToString { mem, encoding } => {
                let len = stack.pop().expect("validated");
                let ptr = stack.pop().expect("validated");
                let (p, l) = (self.core_value(&ptr)?, self.core_value(&len)?);
                let mem = self.b.memory(side, *mem)?;
                stack.push(Val {
                    checked: false,
                    ty: ValType::String,
                    side,
                    loc: Loc {
                        mem: Some(mem),
                        enc: *encoding,
                    },
                    repr: Repr::Flat(vec![p, l]),
                });
            }
            Instruction::StringToMemory {
                malloc,
                mem,
                encoding,
            } => {
                let v = stack.pop().expect("validated");
                let dst = self.dst(side, Some(*malloc), *mem, *encoding, true)?;
                let mut out = Vec::new();
                self.transfer(&v, &dst, &mut crate::transfer::Out::Flat(&mut out))?;
                for l in out {
                    stack.push(self.core_val(side, CoreType::I32, l));
                }
            }
            Instruction::CallAdapter(g) => {
                let booklet = s.booklet();
                if let Some(import) = booklet.imports.get(*g as usize) {
                    let target = (side == 0)
                        .then(|| crate::linked(sides, &import.module))
                        .flatten();
                    let Some((k, b)) = target else {
                        return Err(NotFusable::UnlinkedCall {
                            side,
                            module: import.module.clone(),
                            name: import.name.clone(),
                        });
                    };
                    let export = b.export(&import.name).expect("links are checked first");
                    if (export.func as usize) < b.booklet().imports.len() {
                        return Err(NotFusable::ReExport {
                            side: k,
                            name: import.name.clone(),
                        });
                    }
                    let n = booklet
                        .func_type(import.ty)
                        .map(|f| f.params.len())
                        .unwrap_or(0);
                    // The call boundary: the arguments are checked completely
                    // before the exporter sees them, and its results before
                    // the importer continues, as the engine lifts whole
                    // values into the host there. Copies later need not
                    // check again.
                    let mut call_args = stack.split_off(stack.len() - n);
                    for v in &mut call_args {
                        self.check_value(v)?;
                    }
                    let mut results = self.exec(k, export.func, call_args)?;
                    for v in &mut results {
                        self.check_value(v)?;
                    }
                    stack.extend(results);
                } else {
                    let n = booklet
                        .adapter_func_type(*g)
                        .map(|f| f.params.len())
                        .unwrap_or(0);
                    let call_args = stack.split_off(stack.len() - n);
                    let results = self.exec(side, *g, call_args)?;
                    stack.extend(results);
                }
            }
            Instruction::DeferCallCore(f) => {
                let (params, _) = core.funcs[*f as usize].ty.known().unwrap_or_default();
                let vals = stack[stack.len() - params.len()..].to_vec();
                let mut locals = Vec::new();
                for v in &vals {
                    locals.push(self.core_value(v)?);
                }
                let func = self.b.core_func(side, *f)?;
                let ordinal = self.n_deferred;
                self.n_deferred += 1;
                self.body
                    .sink()
                    .i32_const(ordinal as i32 + 1)
                    .local_set(self.reached);
                deferred.push(Deferred {
                    side,
                    func,
                    args: locals,
                    ordinal,
                });
            }
            Instruction::Convert(c) => {
                let v = stack.pop().expect("validated");
                let x = self.scalar(&v)?;
                let l = self.convert(side, *c, x);
                stack.push(Val {
                    checked: false,
                    ty: c.to(),
                    side,
                    loc: Loc {
                        mem: None,
                        enc: enc0,
                    },
                    repr: Repr::Flat(vec![l]),
                });
            }
            Instruction::RecordLift(t) => {
                let t = s.ty(*t);
                let n = layout::record_fields(self.b.types, t).map_or(0, |f| f.len());
                let fields = stack.split_off(stack.len() - n);
                stack.push(Val {
                    checked: false,
                    ty: t,
                    side,
                    loc: Loc {
                        mem: None,
                        enc: enc0,
                    },
                    repr: Repr::Parts(fields),
                });
            }
            Instruction::RecordLower(_) => {
                let v = stack.pop().expect("validated");
                stack.extend(self.fields(&v));
            }
            Instruction::ValueLift { ty, mem } => {
                let t = s.ty(*ty);
                let n = self.cx.flatten(t).map_or(0, |f| f.len());
                let vals = stack.split_off(stack.len() - n);
                let mut locals = Vec::new();
                for v in &vals {
                    locals.push(self.core_value(v)?);
                }
                let m = if layout::needs_memory(self.b.types, t) {
                    Some(self.b.memory(side, mem.mem)?)
                } else {
                    None
                };
                stack.push(Val {
                    checked: false,
                    ty: t,
                    side,
                    loc: Loc {
                        mem: m,
                        enc: mem.encoding,
                    },
                    repr: Repr::Flat(locals),
                });
            }
            Instruction::ValueLower { ty, malloc, mem } => {
                let v = stack.pop().expect("validated");
                let t = s.ty(*ty);
                let needs = layout::needs_memory(self.b.types, t);
                let dst = self.dst(side, Some(*malloc), mem.mem, mem.encoding, needs)?;
                self.prevalidate(&v, &dst, false)?;
                let mut out = Vec::new();
                self.transfer(&v, &dst, &mut crate::transfer::Out::Flat(&mut out))?;
                let flat = self.cx.flatten(t).unwrap_or_default();
                for (l, c) in out.into_iter().zip(flat) {
                    stack.push(self.core_val(side, c, l));
                }
            }
            Instruction::ValueLoad { ty, mem } => {
                let ptr = stack.pop().expect("validated");
                let p = self.core_value(&ptr)?;
                let t = s.ty(*ty);
                let m = self.b.memory(side, mem.mem)?;
                let lay = self.cx.layout(t).expect("validated");
                self.check_place(side, m, p, lay, false);
                stack.push(Val {
                    checked: false,
                    ty: t,
                    side,
                    loc: Loc {
                        mem: Some(m),
                        enc: mem.encoding,
                    },
                    repr: Repr::Mem { ptr: p, off: 0 },
                });
            }
            Instruction::ValueStore { ty, malloc, mem } => {
                let v = stack.pop().expect("validated");
                let ptr = stack.pop().expect("validated");
                let p = self.core_value(&ptr)?;
                let t = s.ty(*ty);
                let dst = self.dst(side, Some(*malloc), mem.mem, mem.encoding, true)?;
                let lay = self.cx.layout(t).expect("validated");
                self.prevalidate(&v, &dst, false)?;
                self.check_place(side, dst.mem.expect("memory"), p, lay, false);
                self.transfer(&v, &dst, &mut crate::transfer::Out::Mem { ptr: p, off: 0 })?;
            }
            Instruction::ValueStoreNew { ty, malloc, mem } => {
                let v = stack.pop().expect("validated");
                let t = s.ty(*ty);
                let dst = self.dst(side, Some(*malloc), mem.mem, mem.encoding, true)?;
                let lay = self.cx.layout(t).expect("validated");
                self.prevalidate(&v, &dst, true)?;
                let size = self.body.local(W::I32);
                self.body.sink().i32_const(lay.size as i32).local_set(size);
                let p = self.alloc(&dst, size, lay.align);
                self.transfer(&v, &dst, &mut crate::transfer::Out::Mem { ptr: p, off: 0 })?;
                stack.push(self.core_val(side, CoreType::I32, p));
            }
        }
        Ok(())
    }

    /// Reads and checks all of `v` (bounds, encodings, discriminants, …)
    /// and marks it checked.
    fn check_value(&mut self, v: &mut Val) -> Result<(), NotFusable> {
        if !v.checked && !crate::transfer::plain(self.b.types, v.ty) {
            let check = crate::transfer::Dst {
                side: v.side,
                mem: None,
                enc: v.loc.enc,
                malloc: None,
                check_only: true,
            };
            let mut scratch = Vec::new();
            self.transfer(v, &check, &mut crate::transfer::Out::Flat(&mut scratch))?;
        }
        mark_checked(v);
        Ok(())
    }

    /// Before a lowering that allocates more than once: reads and checks
    /// the whole value from the other side first, so that the destination
    /// is not touched when the value turns out bad (as when the engine
    /// lifts the whole value before lowering it).
    ///
    /// `allocates_first`: the instruction allocates the value's place before
    /// copying (`value.store_new`), so even a lone string or `char` is
    /// checked first.
    fn prevalidate(
        &mut self,
        v: &Val,
        dst: &crate::transfer::Dst,
        allocates_first: bool,
    ) -> Result<(), NotFusable> {
        let types = self.b.types;
        let single = match v.ty {
            ValType::String => true,
            t => matches!(layout::resolve(types, t), Some(intertype::TypeDef::List(e))
                if crate::transfer::plain(types, *e)),
        };
        if v.checked {
            return Ok(());
        }
        let lifted_elsewhere = match &v.repr {
            Repr::Parts(_) => true,
            _ => v.side != dst.side,
        };
        let needed = if allocates_first {
            !crate::transfer::plain(types, v.ty)
        } else {
            !single && layout::needs_memory(types, v.ty)
        };
        if !lifted_elsewhere || !needed {
            return Ok(());
        }
        let check = crate::transfer::Dst {
            side: dst.side,
            mem: None,
            enc: dst.enc,
            malloc: None,
            check_only: true,
        };
        let mut scratch = Vec::new();
        self.transfer(v, &check, &mut crate::transfer::Out::Flat(&mut scratch))
    }

    pub fn core_val(&self, side: u32, t: CoreType, l: u32) -> Val {
        Val {
            checked: false,
            ty: t.to_val(),
            side,
            loc: Loc {
                mem: None,
                enc: StringEncoding::Utf8,
            },
            repr: Repr::Flat(vec![l]),
        }
    }

    /// Where a lowering instruction of `side` writes.
    fn dst(
        &mut self,
        side: u32,
        malloc: Option<u32>,
        mem: u32,
        enc: StringEncoding,
        needs_memory: bool,
    ) -> Result<crate::transfer::Dst, NotFusable> {
        let (mem, malloc) = if needs_memory {
            let m = self.b.memory(side, mem)?;
            let malloc = match malloc {
                Some(f) => {
                    let n = self.side(side).module.core.funcs[f as usize]
                        .ty
                        .params
                        .len();
                    let r = self.b.core_func(side, f)?;
                    if n == 4 {
                        self.realloc4.insert(r);
                    }
                    Some((r, n == 2 || n == 4))
                }
                None => None,
            };
            (Some(m), malloc)
        } else {
            (None, None)
        };
        Ok(crate::transfer::Dst {
            side,
            mem,
            enc,
            malloc,
            check_only: false,
        })
    }

    /// A core-typed value (`i32`, `i64`, `f32`, `f64`, `externref`) in a
    /// local.
    pub fn core_value(&mut self, v: &Val) -> Result<u32, NotFusable> {
        self.scalar(v)
    }

    /// A scalar value (core or interface) in a local, canonical and checked.
    pub fn scalar(&mut self, v: &Val) -> Result<u32, NotFusable> {
        let src = crate::transfer::Src::of(v);
        Ok(self.read_prim(&src, v.ty))
    }

    /// The fields of a record or tuple value, as values.
    pub fn fields(&mut self, v: &Val) -> Vec<Val> {
        let types = self.b.types;
        let field_tys = layout::record_fields(types, v.ty).unwrap_or_default();
        match &v.repr {
            Repr::Parts(fs) => fs.clone(),
            Repr::Flat(locals) => {
                let mut at = 0;
                field_tys
                    .iter()
                    .map(|t| {
                        let n = self.cx.flatten(*t).map_or(0, |f| f.len());
                        let part = locals[at..at + n].to_vec();
                        at += n;
                        Val {
                            checked: v.checked,
                            ty: *t,
                            side: v.side,
                            loc: v.loc,
                            repr: Repr::Flat(part),
                        }
                    })
                    .collect()
            }
            Repr::Mem { ptr, off } => {
                let offs = self.cx.field_offsets(&field_tys).unwrap_or_default();
                field_tys
                    .iter()
                    .zip(offs)
                    .map(|(t, o)| Val {
                        checked: v.checked,
                        ty: *t,
                        side: v.side,
                        loc: v.loc,
                        repr: Repr::Mem {
                            ptr: *ptr,
                            off: off + o,
                        },
                    })
                    .collect()
            }
        }
    }

    /// Applies conversion `c` to the canonical scalar in `x`.
    fn convert(&mut self, side: u32, c: Conversion, x: u32) -> u32 {
        use Conversion::*;
        let out = self.body.local(match c.to().as_core() {
            Some(t) => wasm_type(t),
            None => match c.to() {
                ValType::S64 | ValType::U64 => W::I64,
                _ => W::I32,
            },
        });
        // A lifting conversion refuses a value this side's core code made:
        // a misbehaviour; a lowering one refuses a value the other side
        // gave, which this side cannot represent (the engine: a type
        // error).
        let bad = if c.to().as_core().is_some() {
            Fault::new(side, FaultKind::Unrepresentable)
        } else {
            Fault::new(side, FaultKind::InvalidValue)
        };
        // Range checks first: `lo <= x <= hi` as `x - lo <=u hi - lo`.
        let check32 = |f: &mut Self, lo: i64, hi: i64| {
            f.body
                .sink()
                .local_get(x)
                .i32_const(lo as i32)
                .i32_sub()
                .i32_const((hi - lo) as u32 as i32)
                .i32_gt_u();
            f.body.fail_if(bad);
        };
        let check64 = |f: &mut Self, lo: i64, hi: i64| {
            f.body
                .sink()
                .local_get(x)
                .i64_const(lo)
                .i64_sub()
                .i64_const(hi.wrapping_sub(lo))
                .i64_gt_u();
            f.body.fail_if(bad);
        };
        match c {
            I32ToS8X => check32(self, -128, 127),
            I32ToS16X => check32(self, -32768, 32767),
            I64ToS8X => check64(self, -128, 127),
            I64ToS16X => check64(self, -32768, 32767),
            I64ToS32X | S64ToI32X => check64(self, i32::MIN as i64, i32::MAX as i64),
            U64ToI32X => check64(self, 0, u32::MAX as i64),
            I32ToChar => {
                self.check_char(side, x);
            }
            _ => {}
        }
        let mut s = self.body.sink();
        s.local_get(x);
        match c {
            I32ToS8 | I32ToS8X => {
                s.i32_extend8_s();
            }
            I32ToU8 => {
                s.i32_const(0xff).i32_and();
            }
            I32ToS16 | I32ToS16X => {
                s.i32_extend16_s();
            }
            I32ToU16 => {
                s.i32_const(0xffff).i32_and();
            }
            I32ToS64 | S8ToI64 | S16ToI64 | S32ToI64 => {
                s.i64_extend_i32_s();
            }
            I32ToU64 | U8ToI64 | U16ToI64 | U32ToI64 => {
                s.i64_extend_i32_u();
            }
            I64ToS8 | I64ToS8X => {
                s.i32_wrap_i64().i32_extend8_s();
            }
            I64ToU8 => {
                s.i32_wrap_i64().i32_const(0xff).i32_and();
            }
            I64ToS16 | I64ToS16X => {
                s.i32_wrap_i64().i32_extend16_s();
            }
            I64ToU16 => {
                s.i32_wrap_i64().i32_const(0xffff).i32_and();
            }
            I64ToS32 | I64ToS32X | I64ToU32 | S64ToI32 | S64ToI32X | U64ToI32 | U64ToI32X => {
                s.i32_wrap_i64();
            }
            I32ToBool => {
                s.i32_const(0).i32_ne();
            }
            I32ToS32 | I32ToU32 | I64ToS64 | I64ToU64 | S8ToI32 | U8ToI32 | S16ToI32 | U16ToI32
            | S32ToI32 | U32ToI32 | S64ToI64 | U64ToI64 | BoolToI32 | I32ToChar | CharToI32 => {}
        }
        s.local_set(out);
        out
    }

    /// Fails unless the i32 in `x` is a Unicode scalar value.
    pub fn check_char(&mut self, side: u32, x: u32) {
        self.body
            .sink()
            .local_get(x)
            .i32_const(0x110000)
            .i32_ge_u()
            .local_get(x)
            .i32_const(0xfffff800u32 as i32)
            .i32_and()
            .i32_const(0xd800)
            .i32_eq()
            .i32_or();
        self.body.fail_if(Fault::new(side, FaultKind::InvalidValue));
    }

    /// Checks that `size` bytes at `ptr` (aligned to `align`) are inside
    /// memory `mem`: a misbehaviour of `side` (or a bad allocation).
    pub fn check_place(&mut self, side: u32, mem: u32, ptr: u32, lay: layout::Layout, alloc: bool) {
        let (mis, oob) = if alloc {
            (FaultKind::BadAllocation, FaultKind::BadAllocation)
        } else {
            (FaultKind::Misaligned, FaultKind::OutOfBounds)
        };
        if lay.align > 1 {
            self.body
                .sink()
                .local_get(ptr)
                .i32_const(lay.align as i32 - 1)
                .i32_and();
            self.body.fail_if(Fault::new(side, mis));
        }
        self.body
            .sink()
            .local_get(ptr)
            .i64_extend_i32_u()
            .i64_const(lay.size as i64)
            .i64_add();
        self.past_end(mem);
        self.body.fail_if(Fault::new(side, oob));
    }

    /// With an i64 end address on the stack: whether it is past the end of
    /// memory `mem`.
    pub fn past_end(&mut self, mem: u32) {
        self.body
            .sink()
            .memory_size(mem)
            .i64_extend_i32_u()
            .i64_const(16)
            .i64_shl()
            .i64_gt_u();
    }

    /// Calls `dst`'s allocator for `size` bytes (a local) aligned to `align`
    /// and checks the result; returns the local holding the pointer.
    pub fn alloc(&mut self, dst: &crate::transfer::Dst, size: u32, align: u32) -> u32 {
        let (malloc, with_align) = dst.malloc.expect("an allocator");
        let mem = dst.mem.expect("a memory");
        let align_local = self.body.local(W::I32);
        self.body
            .sink()
            .i32_const(align as i32)
            .local_set(align_local);
        let args = if self.realloc4.contains(&malloc) {
            // Locals start at zero; this one is never written.
            let zero = self.body.local(W::I32);
            vec![zero, zero, align_local, size]
        } else if with_align {
            vec![size, align_local]
        } else {
            vec![size]
        };
        self.guarded_call(dst.side, malloc, &args);
        let p = self.body.local(W::I32);
        self.body.sink().local_set(p);
        let bad = Fault::new(dst.side, FaultKind::BadAllocation);
        if align > 1 {
            self.body
                .sink()
                .local_get(p)
                .i32_const(align as i32 - 1)
                .i32_and();
            self.body.fail_if(bad);
        }
        self.body
            .sink()
            .local_get(p)
            .i64_extend_i32_u()
            .local_get(size)
            .i64_extend_i32_u()
            .i64_add();
        self.past_end(mem);
        self.body.fail_if(bad);
        p
    }
}

fn mark_checked(v: &mut Val) {
    v.checked = true;
    if let Repr::Parts(parts) = &mut v.repr {
        parts.iter_mut().for_each(mark_checked);
    }
}
