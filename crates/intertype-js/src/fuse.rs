//! Fused links in JS: an importer's `implement` adapter and the export
//! adapter of the linked module that satisfies its interface import,
//! compiled together into one JS function that copies values from one
//! linear memory into the other (`docs/linking.md`, *JS*).
//!
//! The walk is the adapter compiler's (`adapter.rs`) with a richer stack:
//! a lifted string, list or in-memory value stays where it is ([`Slot`])
//! until the other side lowers it, and then moves memory to memory
//! ([`crate::xfer`]). Anything else that consumes such a value gets it as a
//! JS value (the unfused path's code), so every adapter still compiles.
//! Values crossing the call are checked completely at the boundary: the
//! arguments before the exporter's adapter runs, the results before the
//! importer's continues, so a bad result never touches the importer's
//! memory.

use crate::adapter::{pop, push_call, Body, Compiler};
use crate::canon::{GenResult, MemCx};
use crate::helpers::Helper;
use crate::quote::js_str;
use crate::snippets::{alloc, checked_addr, ptr_len_at, set_ptr_len, start_budget};
use crate::xfer::{self, Place, Types, Xfer};
use intertype::{Booklet, Instruction, StringEncoding, TypeDef, ValType};

/// How far adapters may call adapters before the walk gives up (the link
/// then runs through JS values).
const MAX_DEPTH: usize = 16;

/// A value on the fused walk's stack.
#[derive(Clone, Debug)]
enum Slot {
    /// A JS expression (a `const` name): core values and anything lifted
    /// to JS.
    Js(String),
    /// A string at `ptr`/`len` in `mem` (a glue memory index) of `side`.
    Str {
        side: usize,
        mem: u32,
        enc: StringEncoding,
        ptr: String,
        len: String,
    },
    /// A list of `elem` at `ptr`/`len`.
    List {
        side: usize,
        elem: ValType,
        mem: u32,
        enc: StringEncoding,
        ptr: String,
        len: String,
    },
    /// A value of `ty` stored at `addr` (its own bytes range-checked).
    Mem {
        side: usize,
        ty: ValType,
        mem: u32,
        enc: StringEncoding,
        addr: String,
    },
    /// An aggregate of `ty` in flat form (`const`s, one per flat slot),
    /// pointing into `mem`.
    Flat {
        side: usize,
        ty: ValType,
        mem: u32,
        enc: StringEncoding,
        vals: Vec<String>,
    },
}

/// Whether `s` (the top of the stack) is a value of another side than
/// `side`: one the fused walk moves memory to memory.
fn from_other_side(s: Option<&Slot>, side: usize) -> bool {
    s.and_then(Slot::side).is_some_and(|s| s != side)
}

impl Slot {
    fn side(&self) -> Option<usize> {
        match self {
            Slot::Js(_) => None,
            Slot::Str { side, .. }
            | Slot::List { side, .. }
            | Slot::Mem { side, .. }
            | Slot::Flat { side, .. } => Some(*side),
        }
    }
}

/// A linked module the importer's glue fuses calls into.
pub(crate) struct Exporter<'a> {
    /// The link name (the importer's interface import module).
    pub link: String,
    pub compiler: Compiler<'a>,
}

/// Why a link is not fused (it then runs through JS values).
pub(crate) type NotFused = String;

pub(crate) struct Fuser<'x, 'a> {
    pub importer: &'x mut Compiler<'a>,
    pub exporters: &'x mut [Exporter<'a>],
    pub xfer: &'x mut Xfer,
    /// Module names for errors, by side (0: the importer).
    pub labels: Vec<String>,
    /// Results stored for a trampoline (`trampoline.rs`) instead of returned.
    pub results_to: Option<Vec<intertype::CoreType>>,
    body: Body,
}

impl<'x, 'a> Fuser<'x, 'a> {
    pub(crate) fn new(
        importer: &'x mut Compiler<'a>,
        exporters: &'x mut [Exporter<'a>],
        xfer: &'x mut Xfer,
        labels: Vec<String>,
    ) -> Self {
        Fuser {
            importer,
            exporters,
            xfer,
            labels,
            results_to: None,
            body: Body::default(),
        }
    }

    fn c(&mut self, side: usize) -> &mut Compiler<'a> {
        if side == 0 {
            self.importer
        } else {
            &mut self.exporters[side - 1].compiler
        }
    }

    /// `side`'s type definitions, for `xfer`'s layouts.
    fn types(&mut self, side: usize) -> Types<'a> {
        let booklet: &'a Booklet = self.c(side).booklet;
        Types {
            defs: &booklet.types,
            side,
        }
    }

    /// The fused JS function `fz{adapter}` for the importer's implement
    /// adapter `adapter`, or why it cannot be fused.
    pub(crate) fn fuse(mut self, adapter: u32) -> Result<String, NotFused> {
        let b = self.importer.booklet;
        let ty = b
            .adapter_func_type(adapter)
            .ok_or("the adapter has no function type")?
            .clone();
        let params: Vec<String> = (0..ty.params.len()).map(|i| format!("a{i}")).collect();
        self.body.on_throw = "if (fault < 0) fault = at;".into();
        let args = params.iter().cloned().map(Slot::Js).collect();
        let results = self.walk(0, adapter, args, 0)?;
        let mut rs = Vec::new();
        for r in results {
            rs.push(self.materialize(r)?);
        }
        let ret = match (&self.results_to, rs.len()) {
            (Some(tys), _) => rs
                .iter()
                .zip(tys)
                .enumerate()
                .map(|(j, (x, t))| crate::trampoline::store(j, *t, x))
                .collect::<Vec<_>>()
                .join(" "),
            (None, 0) => String::new(),
            (None, 1) => format!("return {};", rs[0]),
            (None, _) => format!("return [{}];", rs.join(", ")),
        };
        self.importer.helpers.need(Helper::LinkErrors);
        let labels: Vec<String> = self.labels.iter().map(|l| js_str(l)).collect();
        let body = self.body.text(&ret);
        let body: String = body.lines().map(|l| format!("  {l}\n")).collect();
        Ok(format!(
            "// Fused: the implement adapter {adapter} with the exports it calls.\nfunction fz{adapter}({}) {{\n  let at = 0, fault = -1;\n  try {{\n{body}  }} catch (e) {{\n    throw inModule(e, [{}][fault < 0 ? at : fault], ' (a fused call)');\n  }}\n}}\n",
            params.join(", "),
            labels.join(", ")
        ))
    }

    fn walk(
        &mut self,
        side: usize,
        func: u32,
        args: Vec<Slot>,
        depth: usize,
    ) -> Result<Vec<Slot>, NotFused> {
        if depth > MAX_DEPTH {
            return Err("adapters call adapters too deeply".into());
        }
        let booklet = self.c(side).booklet;
        let nimports = booklet.imports.len();
        let f = booklet
            .funcs
            .get((func as usize).wrapping_sub(nimports))
            .ok_or("no such adapter function")?;
        let ty = booklet
            .func_type(f.ty)
            .ok_or("adapter type is not a function type")?;
        let mut stack: Vec<Slot> = Vec::new();
        for instr in &f.instrs {
            self.instr(side, instr, &args, &mut stack, depth)?;
        }
        pop(&mut stack, ty.results.len())
    }

    fn instr(
        &mut self,
        side: usize,
        instr: &Instruction,
        args: &[Slot],
        stack: &mut Vec<Slot>,
        depth: usize,
    ) -> Result<(), NotFused> {
        use Instruction as I;
        let booklet = self.c(side).booklet;
        match instr {
            I::ArgGet(p) => stack.push(args.get(*p as usize).cloned().ok_or("no such parameter")?),
            I::CallAdapter(g) => {
                let gty = booklet
                    .adapter_func_type(*g)
                    .ok_or("no such adapter function")?;
                let (np, nr) = (gty.params.len(), gty.results.len());
                let a = pop(stack, np)?;
                if (*g as usize) >= booklet.imports.len() {
                    // An adapter of the same module: inlined.
                    stack.extend(self.walk(side, *g, a, depth + 1)?);
                    return Ok(());
                }
                let import = &booklet.imports[*g as usize];
                let linked = self.exporters.iter().position(|e| e.link == import.module);
                match (side, linked) {
                    (0, Some(k)) => {
                        let ex = &self.exporters[k].compiler;
                        let export = ex
                            .booklet
                            .exports
                            .iter()
                            .find(|e| e.name == import.name)
                            .ok_or("the linked module does not export it")?
                            .func;
                        if (export as usize) < ex.booklet.imports.len() {
                            return Err("the linked module re-exports one of its imports".into());
                        }
                        // The arguments are checked completely before the
                        // exporter sees them, its results before the
                        // importer's adapter continues.
                        for s in &a {
                            self.check(s, 0)?;
                        }
                        self.body.stmts.push(format!("at = {};", k + 1));
                        let results = self.walk(k + 1, export, a, depth + 1)?;
                        for s in &results {
                            self.check(s, k + 1)?;
                        }
                        self.body.stmts.push("at = 0;".into());
                        stack.extend(results);
                    }
                    (0, None) => {
                        // A host import: called with JS values.
                        let mut vs = Vec::new();
                        for s in a {
                            vs.push(self.materialize(s)?);
                        }
                        let mut out = Vec::new();
                        push_call(
                            &mut self.body,
                            &mut out,
                            format!("I{g}({})", vs.join(", ")),
                            nr,
                        );
                        stack.extend(out.into_iter().map(Slot::Js));
                    }
                    _ => {
                        return Err(format!(
                            "the linked module's adapter calls its own import {} {}",
                            js_str(&import.module),
                            js_str(&import.name)
                        ))
                    }
                }
            }
            I::MemoryToString { mem, encoding } => {
                let a = pop(stack, 2)?;
                let (p, l) = self.ptr_len(&a[0], &a[1])?;
                let mem = self.c(side).mem(*mem);
                stack.push(Slot::Str {
                    side,
                    mem,
                    enc: *encoding,
                    ptr: p,
                    len: l,
                });
            }
            I::ValueLift { ty, mem }
                if self.list_elem(side, *ty).is_some() || *ty == ValType::String =>
            {
                let a = pop(stack, 2)?;
                let (p, l) = self.ptr_len(&a[0], &a[1])?;
                let m = self.c(side).mem(mem.mem);
                stack.push(match self.list_elem(side, *ty) {
                    Some(elem) => Slot::List {
                        side,
                        elem,
                        mem: m,
                        enc: mem.encoding,
                        ptr: p,
                        len: l,
                    },
                    None => Slot::Str {
                        side,
                        mem: m,
                        enc: mem.encoding,
                        ptr: p,
                        len: l,
                    },
                });
            }
            I::ValueLift { ty, mem } if self.flat_aggregate(side, *ty) => {
                let k = self.c(side).types.flat(*ty)?.len();
                let a = pop(stack, k)?;
                let mut vals = Vec::new();
                for x in a {
                    vals.push(self.materialize(x)?);
                }
                let m = self.c(side).mem(mem.mem);
                self.c(side).types.memories.insert(m);
                stack.push(Slot::Flat {
                    side,
                    ty: *ty,
                    mem: m,
                    enc: mem.encoding,
                    vals,
                });
            }
            I::ValueLower { ty, malloc, mem }
                if matches!(stack.last(), Some(Slot::Mem { .. } | Slot::Flat { .. }))
                    && from_other_side(stack.last(), side)
                    && self.flat_aggregate(side, *ty) =>
            {
                let v = pop(stack, 1)?.remove(0);
                let allocates = self.c(side).types.spans_memory(*ty);
                let dst = self.place(side, mem.mem, mem.encoding, *malloc, allocates);
                let outs = self.move_flat(v, &dst)?;
                stack.extend(outs.into_iter().map(Slot::Js));
            }
            I::ValueLoad { ty, mem }
                if self.c(side).types.spans_memory(*ty) || matches!(ty, ValType::Type(_)) =>
            {
                let a = pop(stack, 1)?;
                let a = self.materialize(a.into_iter().next().ok_or("empty")?)?;
                let c = self.c(side);
                let m = c.mem(mem.mem);
                let l = c.types.layout(*ty)?;
                c.helpers.need(Helper::CheckRange(m));
                c.types.memories.insert(m);
                let p = self.body.fresh();
                self.body
                    .stmts
                    .push(checked_addr(&p, &a, m, l.size, l.align));
                stack.push(Slot::Mem {
                    side,
                    ty: *ty,
                    mem: m,
                    enc: mem.encoding,
                    addr: p,
                });
            }
            I::StringToMemory {
                malloc,
                mem,
                encoding,
            } if from_other_side(stack.last(), side) => {
                let dst = self.place(side, *mem, *encoding, *malloc, true);
                self.lower_copy(stack, &dst)?;
            }
            I::ValueLower { ty, malloc, mem }
                if from_other_side(stack.last(), side)
                    && (*ty == ValType::String || self.list_elem(side, *ty).is_some()) =>
            {
                let dst = self.place(side, mem.mem, mem.encoding, *malloc, true);
                self.lower_copy(stack, &dst)?;
            }
            I::ValueStore { ty, malloc, mem } if from_other_side(stack.last(), side) => {
                let mut a = pop(stack, 2)?;
                let v = a.pop().ok_or("empty")?;
                let addr = self.materialize(a.pop().ok_or("empty")?)?;
                let allocates = self.c(side).types.spans_memory(*ty);
                let dst = self.place(side, mem.mem, mem.encoding, *malloc, allocates);
                let l = self.c(side).types.layout(*ty)?;
                self.importer.helpers.need(Helper::CheckRange(dst.mem));
                let q = self.body.fresh();
                self.body
                    .stmts
                    .push(checked_addr(&q, &addr, dst.mem, l.size, l.align));
                self.store(v, &q, &dst)?;
            }
            I::ValueStoreNew { ty, malloc, mem } if from_other_side(stack.last(), side) => {
                let v = pop(stack, 1)?.remove(0);
                let dst = self.place(side, mem.mem, mem.encoding, *malloc, true);
                let l = self.c(side).types.layout(*ty)?;
                self.importer.helpers.need(Helper::CheckAlloc(dst.mem));
                let q = self.body.fresh();
                let new = alloc(dst.mem, &dst.malloc, l.size, l.align);
                self.body.stmts.push(format!("const {q} = {new};"));
                self.store(v, &q, &dst)?;
                stack.push(Slot::Js(q));
            }
            other => {
                // Everything else: the unfused code, on JS values.
                let k = self.pops(side, other)?;
                let top = pop(stack, k)?;
                let mut js = Vec::new();
                for s in top {
                    js.push(self.materialize(s)?);
                }
                let mut body = std::mem::take(&mut self.body);
                let r = self.c(side).instr(other, &mut js, &mut body);
                if let (Instruction::DeferCallCore(_), true, Some(f)) =
                    (other, side > 0, body.frames.last_mut())
                {
                    // The exporter's deferred call is its fault if it throws.
                    f.call = format!("at = {side}, {}", f.call);
                }
                self.body = body;
                r?;
                stack.extend(js.into_iter().map(Slot::Js));
            }
        }
        Ok(())
    }

    /// How many stack entries `instr` reads (for the JS-value path).
    fn pops(&mut self, side: usize, instr: &Instruction) -> GenResult<usize> {
        use Instruction as I;
        let c = self.c(side);
        Ok(match instr {
            I::ArgGet(_) => 0,
            I::CallCore(f) | I::DeferCallCore(f) => c.core_arity(*f)?.0,
            I::CallAdapter(_) => return Err("call-adapter is walked".into()),
            I::MemoryToString { .. } | I::ValueStore { .. } => 2,
            I::StringToMemory { .. }
            | I::Convert(_)
            | I::RecordLower(_)
            | I::ValueLower { .. }
            | I::ValueLoad { .. }
            | I::ValueStoreNew { .. } => 1,
            I::RecordLift(t) => match c.booklet.typedef(*t) {
                Some(TypeDef::Record(fs)) => fs.len(),
                Some(TypeDef::Tuple(ts)) => ts.len(),
                _ => return Err("record.lift of a type that is not a record".into()),
            },
            I::ValueLift { ty, .. } => c.types.flat(*ty)?.len(),
        })
    }

    fn spans(&mut self, side: usize, ty: ValType) -> bool {
        self.c(side).types.spans_memory(ty)
    }

    /// A record, tuple, variant, … that can move in flat form without bit
    /// casts (`xfer::Types::flat_ok`); strings and lists have their own slots.
    fn flat_aggregate(&mut self, side: usize, ty: ValType) -> bool {
        matches!(ty, ValType::Type(_))
            && self.list_elem(side, ty).is_none()
            && self.types(side).flat_ok(ty)
    }

    /// Moves a value from the other side (in memory or flat) into flat
    /// values for `dst`'s side: `let`s, one per flat slot.
    fn move_flat(&mut self, v: Slot, dst: &Place) -> GenResult<Vec<String>> {
        let (side, ty, mem, enc, src) = match &v {
            Slot::Mem {
                side,
                ty,
                mem,
                enc,
                addr,
            } => (*side, *ty, *mem, *enc, xfer::Src::Mem(addr.clone())),
            Slot::Flat {
                side,
                ty,
                mem,
                enc,
                vals,
            } => (*side, *ty, *mem, *enc, xfer::Src::Flat(vals)),
            _ => return Err("not an aggregate".into()),
        };
        let t = self.types(side);
        let k = self.c(side).types.flat(ty)?.len();
        let outs: Vec<String> = (0..k).map(|_| self.body.fresh()).collect();
        if !outs.is_empty() {
            self.body.stmts.push(format!("let {};", outs.join(", ")));
        }
        let code = self.xfer.move_value(
            &t,
            ty,
            &src,
            &xfer::Dst::Flat(&outs),
            (mem, enc),
            dst,
            &mut self.importer.helpers,
        )?;
        self.body.stmts.push(code.trim_end().to_string());
        Ok(outs)
    }

    fn list_elem(&mut self, side: usize, ty: ValType) -> Option<ValType> {
        match self.c(side).booklet.typedef(ty) {
            Some(TypeDef::List(e)) => Some(*e),
            _ => None,
        }
    }

    /// A destination in `side`'s memory `mem`; `allocates`: whether the
    /// transfer calls the allocator (the exporter's glue must reach it).
    fn place(
        &mut self,
        side: usize,
        mem: u32,
        enc: StringEncoding,
        malloc: u32,
        allocates: bool,
    ) -> Place {
        let c = self.c(side);
        if allocates {
            c.core_funcs.insert(malloc);
        }
        let mem = c.mem(mem);
        c.types.memories.insert(mem);
        Place {
            mem,
            enc,
            malloc: c.core_name(malloc),
        }
    }

    /// `const`s of a pointer and a length, as unsigned numbers.
    fn ptr_len(&mut self, p: &Slot, l: &Slot) -> GenResult<(String, String)> {
        let (Slot::Js(p), Slot::Js(l)) = (p, l) else {
            return Err("a pointer that is not a core value".into());
        };
        let (vp, vl) = (self.body.fresh(), self.body.fresh());
        self.body
            .stmts
            .push(format!("const {vp} = {p} >>> 0, {vl} = {l} >>> 0;"));
        Ok((vp, vl))
    }

    /// Checks a value the other side is about to see, in the memory it is
    /// in (what lifting it would check), when it belongs to `side`.
    fn check(&mut self, s: &Slot, side: usize) -> GenResult<()> {
        if s.side() != Some(side) {
            return Ok(());
        }
        let t = self.types(side);
        let h = &mut self.importer.helpers;
        match s {
            Slot::Js(_) => {}
            Slot::Str {
                mem, enc, ptr, len, ..
            } => {
                let f = self.xfer.check_str(*mem, *enc, h);
                self.body.stmts.push(format!("{f}({ptr}, {len});"));
            }
            Slot::List {
                elem,
                mem,
                enc,
                ptr,
                len,
                ..
            } => {
                let f = self.xfer.check_list(&t, *elem, *mem, *enc, h)?;
                h.need(Helper::Budget);
                self.body
                    .stmts
                    .push(format!("{}\n{f}({ptr}, {len});", start_budget(*mem)));
            }
            Slot::Flat {
                ty, mem, enc, vals, ..
            } => {
                let code = self.xfer.check_flat(&t, *ty, vals, *mem, *enc, h)?;
                if !code.is_empty() {
                    let budget = if self.spans(side, *ty) {
                        self.importer.helpers.need(Helper::Budget);
                        format!("{}\n", start_budget(*mem))
                    } else {
                        String::new()
                    };
                    self.body.stmts.push(format!("{budget}{}", code.trim_end()));
                }
            }
            Slot::Mem {
                ty, mem, enc, addr, ..
            } => {
                let f = self.xfer.check_mem(&t, *ty, *mem, *enc, h)?;
                h.need(Helper::Budget);
                self.body
                    .stmts
                    .push(format!("{}\n{f}({addr});", start_budget(*mem)));
            }
        }
        Ok(())
    }

    /// Lowers the string or list on top of the stack from the other side:
    /// copied into a new allocation at `dst`, its pointer and length pushed.
    fn lower_copy(&mut self, stack: &mut Vec<Slot>, dst: &Place) -> GenResult<()> {
        let v = pop(stack, 1)?.remove(0);
        let (p, l) = self.copy_out(v, dst)?;
        stack.push(Slot::Js(p));
        stack.push(Slot::Js(l));
        Ok(())
    }

    /// Copies a string or list from the other side into a new allocation
    /// at `dst`: `const`s of its pointer and length.
    fn copy_out(&mut self, v: Slot, dst: &Place) -> GenResult<(String, String)> {
        let (p, l) = (self.body.fresh(), self.body.fresh());
        let call = match &v {
            Slot::Str {
                mem, enc, ptr, len, ..
            } => {
                let f = self
                    .xfer
                    .copy_str(*mem, *enc, dst, &mut self.importer.helpers);
                format!("{f}({ptr}, {len})")
            }
            Slot::List {
                side,
                elem,
                mem,
                enc,
                ptr,
                len,
            } => {
                let t = self.types(*side);
                let f = self.xfer.copy_list(
                    &t,
                    *elem,
                    (*mem, *enc),
                    dst,
                    &mut self.importer.helpers,
                )?;
                format!("{f}({ptr}, {len})")
            }
            Slot::Mem {
                side,
                ty,
                mem,
                enc,
                addr,
            } => {
                let t = self.types(*side);
                let h = &mut self.importer.helpers;
                h.need(Helper::View(*mem));
                let (sp, sl) = ptr_len_at(*mem, addr);
                let f = match layout_list_elem(t.defs, *ty) {
                    Some(elem) => self.xfer.copy_list(&t, elem, (*mem, *enc), dst, h)?,
                    None => self.xfer.copy_str(*mem, *enc, dst, h),
                };
                format!("{f}({sp}, {sl})")
            }
            Slot::Js(_) | Slot::Flat { .. } => return Err("not a string or list".into()),
        };
        self.body
            .stmts
            .push(format!("const {p} = {call}, {l} = LEN;"));
        Ok((p, l))
    }

    /// Stores a value from the other side at `q` (in bounds) in `dst`.
    fn store(&mut self, v: Slot, q: &str, dst: &Place) -> GenResult<()> {
        let m = dst.mem;
        self.importer.helpers.need(Helper::View(m));
        match &v {
            Slot::Mem {
                side,
                ty,
                mem,
                enc,
                addr,
            } => {
                let t = self.types(*side);
                let f =
                    self.xfer
                        .copy_mem(&t, *ty, (*mem, *enc), dst, &mut self.importer.helpers)?;
                self.body.stmts.push(format!("{f}({addr}, {q});"));
            }
            Slot::Flat {
                side,
                ty,
                mem,
                enc,
                vals,
            } => {
                let t = self.types(*side);
                let code = self.xfer.move_value(
                    &t,
                    *ty,
                    &xfer::Src::Flat(vals),
                    &xfer::Dst::Mem(q.to_string()),
                    (*mem, *enc),
                    dst,
                    &mut self.importer.helpers,
                )?;
                self.body.stmts.push(code.trim_end().to_string());
            }
            Slot::Str { .. } | Slot::List { .. } => {
                let (p, l) = self.copy_out(v, dst)?;
                self.body.stmts.push(set_ptr_len(m, q, &p, &l));
            }
            Slot::Js(_) => return Err("not a value in memory".into()),
        }
        Ok(())
    }

    /// The JS value of a slot (the unfused path's lifting code).
    fn materialize(&mut self, s: Slot) -> GenResult<String> {
        if let Slot::Flat {
            side,
            ty,
            mem,
            enc,
            vals,
        } = &s
        {
            return self.materialize_flat(*side, *ty, *mem, *enc, vals);
        }
        let v = self.body.fresh();
        let stmt = match s {
            Slot::Js(x) => return Ok(x),
            Slot::Flat { .. } => unreachable!(),
            Slot::Str {
                side,
                mem,
                enc,
                ptr,
                len,
            } => {
                let c = self.c(side);
                let f = c
                    .types
                    .lift_str_fn(MemCx::new(mem, enc, None), &mut c.helpers);
                format!("const {v} = {f}({ptr}, {len});")
            }
            Slot::List {
                side,
                elem,
                mem,
                enc,
                ptr,
                len,
            } => {
                let c = self.c(side);
                let f = c
                    .types
                    .lift_list(elem, MemCx::new(mem, enc, None), &mut c.helpers)?;
                c.helpers.need(Helper::Budget);
                format!("{}\nconst {v} = {f}({ptr}, {len});", start_budget(mem))
            }
            Slot::Mem {
                side,
                ty,
                mem,
                enc,
                addr,
            } => {
                let c = self.c(side);
                let e = c
                    .types
                    .load(ty, &addr, MemCx::new(mem, enc, None), &mut c.helpers)?;
                c.helpers.need(Helper::Budget);
                format!("{}\nconst {v} = {e};", start_budget(mem))
            }
        };
        self.body.stmts.push(stmt);
        Ok(v)
    }

    /// [`Self::materialize`] of a flat aggregate.
    fn materialize_flat(
        &mut self,
        side: usize,
        ty: ValType,
        mem: u32,
        enc: StringEncoding,
        vals: &[String],
    ) -> GenResult<String> {
        let v = self.body.fresh();
        let c = self.c(side);
        let e = c
            .types
            .lift_flat(ty, vals, MemCx::new(mem, enc, None), &mut c.helpers)?;
        let mut stmt = String::new();
        if c.types.spans_memory(ty) {
            c.helpers.need(Helper::Budget);
            stmt.push_str(&start_budget(mem));
            stmt.push('\n');
        }
        stmt.push_str(&format!("const {v} = {e};"));
        self.body.stmts.push(stmt);
        Ok(v)
    }
}

fn layout_list_elem(types: &[TypeDef], ty: ValType) -> Option<ValType> {
    match intertype::layout::resolve(types, ty) {
        Some(TypeDef::List(e)) => Some(*e),
        _ => None,
    }
}
