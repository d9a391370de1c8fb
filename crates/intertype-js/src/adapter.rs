//! One adapter → one straight-line JS function, at generation time.
//!
//! The adapter language has no branches, so the stack is known statically:
//! every instruction pops JS expressions (parameter names or `const`s of
//! earlier instructions) and pushes new ones. Nothing is interpreted at run
//! time. `defer-call-core` wraps the rest of the body in `try`/`finally`,
//! so the deferred call runs on every exit, last recorded first.

use crate::canon::{GenResult, MemCx, TypeGen};
use crate::helpers::{Helper, Helpers};
use crate::quote::{js_get, js_key};
use crate::snippets::{alloc, checked_addr, start_budget};
use intertype::core::CoreModule;
use intertype::{Booklet, Conversion, Instruction, ValType};
use std::collections::BTreeSet;

/// Shared state while compiling the adapters of one module.
pub(crate) struct Compiler<'a> {
    pub booklet: &'a Booklet,
    pub core: &'a CoreModule,
    pub types: TypeGen<'a>,
    pub helpers: Helpers,
    /// Core functions the glue calls (`C{idx}`).
    pub core_funcs: BTreeSet<u32>,
    /// Prefix of this module's core function names in the glue: empty for
    /// the module the glue is for, `L{k}_` for a linked module whose
    /// adapters are fused into it.
    pub prefix: String,
    /// Added to this module's memory indices (`MEM_{m}`): 0, or a linked
    /// module's own range.
    pub mem_base: u32,
}

pub(crate) struct Frame {
    at: usize,
    pub call: String,
}

/// The statements of one generated function body, the deferred calls that
/// wrap them, and its fresh `const` names (`v0`, `v1`, …).
#[derive(Default)]
pub(crate) struct Body {
    pub stmts: Vec<String>,
    pub frames: Vec<Frame>,
    /// A statement run first when an exception passes a deferred call's
    /// frame (fused links record there which module was at fault).
    pub on_throw: String,
    n: usize,
}

impl Body {
    pub(crate) fn fresh(&mut self) -> String {
        self.n += 1;
        format!("v{}", self.n - 1)
    }

    /// The text of the statements (see `render`), ending with `ret`.
    pub(crate) fn text(&self, ret: &str) -> String {
        render(&self.stmts, &self.frames, ret, 0, 0, &self.on_throw)
    }
}

/// Pops the top `k` entries of an adapter stack.
pub(crate) fn pop<T>(stack: &mut Vec<T>, k: usize) -> GenResult<Vec<T>> {
    if stack.len() < k {
        return Err("adapter stack underflow (the module is not valid)".into());
    }
    Ok(stack.split_off(stack.len() - k))
}

impl<'a> Compiler<'a> {
    /// The glue's name of core function `f` (`C{f}`, with this module's prefix).
    pub(crate) fn core_name(&self, f: u32) -> String {
        format!("{}C{f}", self.prefix)
    }

    /// The glue's index of this module's memory `m`.
    pub(crate) fn mem(&self, m: u32) -> u32 {
        self.mem_base + m
    }

    /// The JS function `af{idx}` for adapter function `idx` (not an import).
    pub(crate) fn adapter(&mut self, idx: u32) -> GenResult<String> {
        let fi = idx as usize - self.booklet.imports.len();
        let func = &self.booklet.funcs[fi];
        let ty = self
            .booklet
            .func_type(func.ty)
            .ok_or("adapter type is not a function type")?
            .clone();
        let params: Vec<String> = (0..ty.params.len()).map(|i| format!("a{i}")).collect();
        let mut stack: Vec<String> = Vec::new();
        let mut body = Body::default();
        for (i, instr) in func.instrs.iter().enumerate() {
            let at =
                |e: String| format!("adapter {idx}, instruction {i} ({}): {e}", instr.mnemonic());
            match instr {
                Instruction::ArgGet(p) => stack.push(
                    params
                        .get(*p as usize)
                        .cloned()
                        .ok_or_else(|| at("no such parameter".into()))?,
                ),
                Instruction::CallAdapter(g) => {
                    let gty = self
                        .booklet
                        .adapter_func_type(*g)
                        .ok_or_else(|| at("no such adapter function".into()))?;
                    let (np, nr) = (gty.params.len(), gty.results.len());
                    let args = pop(&mut stack, np).map_err(at)?;
                    let callee = if (*g as usize) < self.booklet.imports.len() {
                        format!("I{g}")
                    } else {
                        format!("af{g}")
                    };
                    push_call(
                        &mut body,
                        &mut stack,
                        format!("{callee}({})", args.join(", ")),
                        nr,
                    );
                }
                other => self.instr(other, &mut stack, &mut body).map_err(at)?,
            }
        }
        let ret = match ty.results.len() {
            0 => String::new(),
            k => {
                let r = pop(&mut stack, k).map_err(|e| format!("adapter {idx}: {e}"))?;
                if k == 1 {
                    format!("return {};", r[0])
                } else {
                    format!("return [{}];", r.join(", "))
                }
            }
        };
        let prologue = self.prologue(&params, &ty.params);
        Ok(format!(
            "function af{idx}({}) {{\n{prologue}{}}}\n",
            params.join(", "),
            body.text(&ret)
        ))
    }

    /// Checks of arguments no instruction checks: their number, and floats
    /// (which go to core code as they are, where JS would coerce anything).
    pub(crate) fn prologue(&mut self, params: &[String], tys: &[ValType]) -> String {
        self.helpers.need(Helper::TooManyArgs);
        let mut prologue = format!(
            "  if (arguments.length > {0}) tooManyArgs({0}, arguments.length);\n",
            params.len()
        );
        for (p, t) in params.iter().zip(tys) {
            if matches!(t, ValType::F32 | ValType::F64) {
                self.helpers.need(Helper::ToF);
                prologue.push_str(&format!("  toF({p});\n"));
            }
        }
        prologue
    }

    /// Compiles one instruction other than `arg.get` and `call-adapter`
    /// (which depend on where the adapter's arguments and callees are).
    pub(crate) fn instr(
        &mut self,
        instr: &Instruction,
        stack: &mut Vec<String>,
        body: &mut Body,
    ) -> GenResult<()> {
        match instr {
            Instruction::ArgGet(_) | Instruction::CallAdapter(_) => {
                return Err("arg.get and call-adapter are compiled by the caller".into())
            }
            Instruction::CallCore(f) => {
                let (np, nr) = self.core_arity(*f)?;
                let args = pop(stack, np)?;
                self.core_funcs.insert(*f);
                let call = format!("{}({})", self.core_name(*f), args.join(", "));
                push_call(body, stack, call, nr);
            }
            Instruction::DeferCallCore(f) => {
                let (np, _) = self.core_arity(*f)?;
                if stack.len() < np {
                    return Err("adapter stack underflow".into());
                }
                let args = stack[stack.len() - np..].to_vec();
                self.core_funcs.insert(*f);
                body.frames.push(Frame {
                    at: body.stmts.len(),
                    call: format!("{}({})", self.core_name(*f), args.join(", ")),
                });
            }
            Instruction::MemoryToString { mem, encoding } => {
                let a = pop(stack, 2)?;
                let f = self.types.lift_str_fn(
                    MemCx::new(self.mem(*mem), *encoding, None),
                    &mut self.helpers,
                );
                let v = body.fresh();
                body.stmts
                    .push(format!("const {v} = {f}({}, {});", a[0], a[1]));
                stack.push(v);
            }
            Instruction::StringToMemory {
                malloc,
                mem,
                encoding,
            } => {
                let a = pop(stack, 1)?;
                let cx = MemCx::new(self.mem(*mem), *encoding, Some(*malloc));
                self.lower_string(&a[0], cx, *malloc, stack, body);
            }
            Instruction::Convert(c) => {
                let a = pop(stack, 1)?;
                let e = self.convert(*c, &a[0]);
                let v = body.fresh();
                body.stmts.push(format!("const {v} = {e};"));
                stack.push(v);
            }
            Instruction::RecordLift(t) => {
                let (fields, tuple) = self.fields(*t)?;
                let a = pop(stack, fields.len())?;
                let v = body.fresh();
                if tuple {
                    body.stmts.push(format!("const {v} = [{}];", a.join(", ")));
                } else {
                    let parts: Vec<String> = fields
                        .iter()
                        .zip(&a)
                        .map(|(f, x)| format!("{}: {x}", js_key(f)))
                        .collect();
                    body.stmts
                        .push(format!("const {v} = {{ {} }};", parts.join(", ")));
                }
                stack.push(v);
            }
            Instruction::RecordLower(t) => {
                let (fields, tuple) = self.fields(*t)?;
                let a = pop(stack, 1)?;
                self.helpers.need(Helper::BadValue);
                if tuple {
                    body.stmts.push(format!(
                        "if (!Array.isArray({0}) || {0}.length !== {1}) badValue({0}, 'a tuple (an array of {1} values)');",
                        a[0],
                        fields.len()
                    ));
                } else {
                    body.stmts.push(format!(
                        "if ({0} === null || typeof {0} !== 'object') badValue({0}, 'a record (an object)');",
                        a[0]
                    ));
                }
                for (k, f) in fields.iter().enumerate() {
                    let v = body.fresh();
                    let access = if tuple {
                        format!("{}[{k}]", a[0])
                    } else {
                        js_get(&a[0], f)
                    };
                    body.stmts.push(format!("const {v} = {access};"));
                    stack.push(v);
                }
            }
            Instruction::ValueLift { ty, mem } => {
                let k = self.types.flat(*ty)?.len();
                let a = pop(stack, k)?;
                let m = self.mem(mem.mem);
                let e = self.types.lift_flat(
                    *ty,
                    &a,
                    MemCx::new(m, mem.encoding, None),
                    &mut self.helpers,
                )?;
                let v = body.fresh();
                if self.types.spans_memory(*ty) {
                    self.helpers.need(Helper::Budget);
                    self.types.memories.insert(m);
                    body.stmts.push(start_budget(m));
                }
                body.stmts.push(format!("const {v} = {e};"));
                stack.push(v);
            }
            Instruction::ValueLower { ty, malloc, mem } => {
                let k = self.types.flat(*ty)?.len();
                let a = pop(stack, 1)?;
                let cx = MemCx::new(self.mem(mem.mem), mem.encoding, Some(*malloc));
                if *ty == ValType::String {
                    // The common case, without the flat scratch array.
                    self.lower_string(&a[0], cx, *malloc, stack, body);
                    return Ok(());
                }
                let s = self
                    .types
                    .lower_flat(*ty, &a[0], "0", cx, &mut self.helpers)?;
                self.note_malloc();
                body.stmts.push(s.trim().to_string());
                let vs: Vec<String> = (0..k).map(|_| body.fresh()).collect();
                if !vs.is_empty() {
                    let reads: Vec<String> = vs
                        .iter()
                        .enumerate()
                        .map(|(i, v)| format!("{v} = F[{i}]"))
                        .collect();
                    body.stmts.push(format!("const {};", reads.join(", ")));
                }
                stack.extend(vs);
            }
            Instruction::ValueLoad { ty, mem } => {
                let a = pop(stack, 1)?;
                let m = self.mem(mem.mem);
                let cx = MemCx::new(m, mem.encoding, None);
                let l = self.types.layout(*ty)?;
                self.helpers.need(Helper::CheckRange(m));
                let (p, v) = (body.fresh(), body.fresh());
                let e = self.types.load(*ty, &p, cx, &mut self.helpers)?;
                if self.types.spans_memory(*ty) {
                    self.helpers.need(Helper::Budget);
                    body.stmts.push(start_budget(m));
                }
                let at = checked_addr(&p, &a[0], m, l.size, l.align);
                body.stmts.push(format!("{at}\nconst {v} = {e};"));
                stack.push(v);
            }
            Instruction::ValueStore { ty, malloc, mem } => {
                let a = pop(stack, 2)?;
                let m = self.mem(mem.mem);
                let cx = MemCx::new(m, mem.encoding, Some(*malloc));
                let l = self.types.layout(*ty)?;
                self.helpers.need(Helper::CheckRange(m));
                let p = body.fresh();
                let s = self.types.store(*ty, &p, &a[1], cx, &mut self.helpers)?;
                self.note_malloc();
                body.stmts.push(format!(
                    "const {p} = {} >>> 0;\ncheckRange{m}({p}, {}, {});\n{}",
                    a[0],
                    l.size,
                    l.align,
                    s.trim()
                ));
            }
            Instruction::ValueStoreNew { ty, malloc, mem } => {
                let a = pop(stack, 1)?;
                let m = self.mem(mem.mem);
                let cx = MemCx::new(m, mem.encoding, Some(*malloc));
                let l = self.types.layout(*ty)?;
                self.helpers.need(Helper::CheckAlloc(m));
                self.core_funcs.insert(*malloc);
                let p = body.fresh();
                let s = self.types.store(*ty, &p, &a[0], cx, &mut self.helpers)?;
                self.note_malloc();
                let new = alloc(m, &self.core_name(*malloc), l.size, l.align);
                body.stmts.push(format!("const {p} = {new};\n{}", s.trim()));
                stack.push(p);
            }
        }
        Ok(())
    }

    /// Lowers JS string `s` into memory with `cx`, allocating with core
    /// function `malloc`: pushes its pointer and length.
    fn lower_string(
        &mut self,
        s: &str,
        cx: MemCx,
        malloc: u32,
        stack: &mut Vec<String>,
        body: &mut Body,
    ) {
        let f = self.types.lower_str(cx, &mut self.helpers);
        self.core_funcs.insert(malloc);
        self.helpers.need(Helper::Len);
        let (p, l) = (body.fresh(), body.fresh());
        body.stmts.push(format!(
            "const {p} = {f}({s}, {}), {l} = LEN;",
            self.core_name(malloc)
        ));
        stack.push(p);
        stack.push(l);
    }

    fn note_malloc(&mut self) {
        let ms: Vec<u32> = self.types.mallocs.iter().copied().collect();
        self.core_funcs.extend(ms);
    }

    pub(crate) fn core_arity(&self, f: u32) -> Result<(usize, usize), String> {
        let func = self
            .core
            .funcs
            .get(f as usize)
            .ok_or_else(|| format!("core function {f} does not exist"))?;
        Ok((func.ty.params.len(), func.ty.results.len()))
    }

    fn fields(&self, t: ValType) -> Result<(Vec<String>, bool), String> {
        match self.booklet.typedef(t) {
            Some(intertype::TypeDef::Record(fs)) => {
                Ok((fs.iter().map(|f| f.name.clone()).collect(), false))
            }
            Some(intertype::TypeDef::Tuple(ts)) => {
                Ok(((0..ts.len()).map(|i| i.to_string()).collect(), true))
            }
            _ => Err("expected a record or tuple type".into()),
        }
    }

    /// The JS expression of a scalar conversion applied to `x`.
    fn convert(&mut self, c: Conversion, x: &str) -> String {
        use Conversion::*;
        let h = &mut self.helpers;
        let mut need = |x: Helper| h.need(x);
        match c {
            I32ToS8 => format!("{x} << 24 >> 24"),
            I32ToU8 => format!("{x} & 255"),
            I32ToS16 => format!("{x} << 16 >> 16"),
            I32ToU16 => format!("{x} & 65535"),
            I32ToS32 => x.to_string(),
            I32ToU32 => format!("{x} >>> 0"),
            I32ToS64 => format!("BigInt({x})"),
            I32ToU64 => format!("BigInt({x} >>> 0)"),
            I32ToS8X => {
                need(Helper::InRange);
                format!("inRange({x}, -128, 127, 's8')")
            }
            I32ToS16X => {
                need(Helper::InRange);
                format!("inRange({x}, -32768, 32767, 's16')")
            }
            I64ToS8 => format!("Number(BigInt.asIntN(8, {x}))"),
            I64ToU8 => format!("Number(BigInt.asUintN(8, {x}))"),
            I64ToS16 => format!("Number(BigInt.asIntN(16, {x}))"),
            I64ToU16 => format!("Number(BigInt.asUintN(16, {x}))"),
            I64ToS32 => format!("Number(BigInt.asIntN(32, {x}))"),
            I64ToU32 => format!("Number(BigInt.asUintN(32, {x}))"),
            I64ToS64 => x.to_string(),
            I64ToU64 => format!("BigInt.asUintN(64, {x})"),
            I64ToS8X => {
                need(Helper::InRangeBig);
                format!("inRangeBig({x}, -128n, 127n, 's8')")
            }
            I64ToS16X => {
                need(Helper::InRangeBig);
                format!("inRangeBig({x}, -32768n, 32767n, 's16')")
            }
            I64ToS32X => {
                need(Helper::InRangeBig);
                format!("inRangeBig({x}, -2147483648n, 2147483647n, 's32')")
            }
            S8ToI32 => {
                need(Helper::ToS8);
                format!("toS8({x})")
            }
            U8ToI32 => {
                need(Helper::ToU8);
                format!("toU8({x})")
            }
            S16ToI32 => {
                need(Helper::ToS16);
                format!("toS16({x})")
            }
            U16ToI32 => {
                need(Helper::ToU16);
                format!("toU16({x})")
            }
            S32ToI32 => {
                need(Helper::ToS32);
                format!("toS32({x})")
            }
            U32ToI32 => {
                need(Helper::ToU32);
                format!("toU32({x}) | 0")
            }
            S64ToI32 => {
                need(Helper::ToS64);
                format!("Number(BigInt.asIntN(32, toS64({x})))")
            }
            S64ToI32X => {
                need(Helper::ToS64);
                need(Helper::LowerInRangeBig);
                format!("lowerInRangeBig(toS64({x}), -2147483648n, 2147483647n, 'i32')")
            }
            U64ToI32 => {
                need(Helper::ToU64);
                format!("Number(BigInt.asIntN(32, toU64({x})))")
            }
            U64ToI32X => {
                need(Helper::ToU64);
                need(Helper::LowerInRangeBig);
                format!("lowerInRangeBig(toU64({x}), 0n, 4294967295n, 'u32') | 0")
            }
            S8ToI64 => {
                need(Helper::ToS8);
                format!("BigInt(toS8({x}))")
            }
            U8ToI64 => {
                need(Helper::ToU8);
                format!("BigInt(toU8({x}))")
            }
            S16ToI64 => {
                need(Helper::ToS16);
                format!("BigInt(toS16({x}))")
            }
            U16ToI64 => {
                need(Helper::ToU16);
                format!("BigInt(toU16({x}))")
            }
            S32ToI64 => {
                need(Helper::ToS32);
                format!("BigInt(toS32({x}))")
            }
            U32ToI64 => {
                need(Helper::ToU32);
                format!("BigInt(toU32({x}))")
            }
            S64ToI64 => {
                need(Helper::ToS64);
                format!("toS64({x})")
            }
            U64ToI64 => {
                need(Helper::ToU64);
                format!("BigInt.asIntN(64, toU64({x}))")
            }
            I32ToBool => format!("{x} !== 0"),
            BoolToI32 => {
                need(Helper::ToBool);
                format!("toBool({x}) ? 1 : 0")
            }
            I32ToChar => {
                need(Helper::CodeToChar);
                format!("codeToChar({x})")
            }
            CharToI32 => {
                need(Helper::CharToCode);
                format!("charToCode({x})")
            }
        }
    }
}

pub(crate) fn push_call(body: &mut Body, stack: &mut Vec<String>, call: String, results: usize) {
    match results {
        0 => body.stmts.push(format!("{call};")),
        1 => {
            let v = body.fresh();
            body.stmts.push(format!("const {v} = {call};"));
            stack.push(v);
        }
        k => {
            // Indexing, not destructuring: no iterator protocol per call.
            let r = body.fresh();
            let vs: Vec<String> = (0..k).map(|_| body.fresh()).collect();
            let reads: Vec<String> = vs
                .iter()
                .enumerate()
                .map(|(i, v)| format!("{v} = {r}[{i}]"))
                .collect();
            body.stmts
                .push(format!("const {r} = {call}, {};", reads.join(", ")));
            stack.extend(vs);
        }
    }
}

/// The body text: statements, with each deferred call wrapping everything
/// after the point where it was recorded. A deferred call's own error is
/// reported only when the adapter otherwise succeeded.
fn render(
    stmts: &[String],
    frames: &[Frame],
    ret: &str,
    from: usize,
    frame: usize,
    on_throw: &str,
) -> String {
    let indent = "  ".repeat(frame + 1);
    let mut out = String::new();
    let until = frames.get(frame).map_or(stmts.len(), |f| f.at);
    for s in &stmts[from..until] {
        for line in s.lines() {
            out.push_str(&indent);
            out.push_str(line);
            out.push('\n');
        }
    }
    match frames.get(frame) {
        None => {
            if !ret.is_empty() {
                out.push_str(&indent);
                out.push_str(ret);
                out.push('\n');
            }
        }
        Some(f) => {
            let flag = format!("failed{frame}");
            out.push_str(&format!("{indent}let {flag} = false;\n{indent}try {{\n"));
            out.push_str(&render(stmts, frames, ret, until, frame + 1, on_throw));
            let on_throw = if on_throw.is_empty() {
                String::new()
            } else {
                format!("{indent}  {on_throw}\n")
            };
            out.push_str(&format!(
                "{indent}}} catch (e) {{\n{on_throw}{indent}  {flag} = true;\n{indent}  throw e;\n{indent}}} finally {{\n{indent}  if ({flag}) {{\n{indent}    try {{ {call}; }} catch {{}}\n{indent}  }} else {{\n{indent}    {call};\n{indent}  }}\n{indent}}}\n",
                call = f.call
            ));
        }
    }
    out
}
