//! Validation: the type definitions are well formed, every adapter
//! type-checks on its value stack, and everything the booklet says about the
//! core module (functions, memories, imports) is true.
//!
//! The rules start from the 2019 reference validator (`wit-validator` 0.2),
//! so that reference-subset booklets are accepted and rejected alike, with
//! three deliberate differences where the reference contradicts
//! `docs/format.md`:
//!
//! * at the end of an adapter the stack must equal the results *in order*
//!   (the reference compares the first result with the top of the stack);
//! * `defer-call-core` checks its params with the *last* param on top (the
//!   reference checks the first on top);
//! * `call-adapter` may call any adapter, including ones defined later, but
//!   adapter calls must not be recursive (the reference accepts only earlier
//!   adapters and the adapter itself).
//!
//! On top of the reference rules come the extension's (type definitions,
//! extension instructions, allocators with an alignment parameter) and a few
//! the reference missed (a core import is implemented at most once, 64-bit
//! memories are refused, the stack height is bounded).
//!
//! Every error is an [`ErrorKind::Validation`](crate::ErrorKind) error that
//! names the adapter, the instruction (index and text) and the expected and
//! found types, e.g. `adapter func 0 (export "greeting"): instruction 1
//! (memory-to-string): expected i32 on the stack, found string`.

use crate::core::CoreModule;
use crate::describe;
use crate::instr::Instruction;
use crate::layout::{self, LayoutError, Layouts, MAX_DEPTH};
use crate::types::{CoreType, FuncType, StringEncoding, TypeDef, ValType};
use crate::{Booklet, Error, Result};
use std::collections::{HashMap, HashSet};

/// The most values an adapter's stack may hold at once.
pub const MAX_STACK: usize = 1 << 16;

/// Validates `booklet` against `core`.
pub fn validate(booklet: &Booklet, core: &CoreModule) -> Result<()> {
    let mut v = Validator {
        b: booklet,
        core,
        cx: Layouts::new(&booklet.types),
    };
    v.types()?;
    v.imports()?;
    let calls = v.funcs()?;
    v.call_graph(&calls)?;
    v.exports()?;
    v.implements()?;
    Ok(())
}

struct Validator<'a> {
    b: &'a Booklet,
    core: &'a CoreModule,
    cx: Layouts<'a>,
}

/// The `call-adapter`s of one adapter body: (instruction index, callee).
type Calls = Vec<(usize, u32)>;

impl<'a> Validator<'a> {
    // -----------------------------------------------------------------------
    // Type definitions.

    fn types(&mut self) -> Result<()> {
        let types = &self.b.types;
        // Nesting depth of each definition (1 for one without references).
        let mut depth = vec![0u32; types.len()];
        for (i, def) in types.iter().enumerate() {
            let idx = i as u32;
            let label = self.type_label(idx);
            let err = |msg: String| Error::validation(None, None, format!("{label}: {msg}"));
            let mut d = 1;
            for t in def.referenced() {
                let ValType::Type(j) = t else { continue };
                match types.get(j as usize) {
                    None => return Err(err(format!("refers to type {j}, which is not defined"))),
                    Some(_) if j >= idx => return Err(err(format!(
                        "refers to type {j}; a definition may only refer to definitions before it"
                    ))),
                    Some(TypeDef::Func(_)) => {
                        return Err(err(format!(
                            "refers to type {j}, a function type, where a value type is expected"
                        )))
                    }
                    Some(_) => d = d.max(depth[j as usize] + 1),
                }
            }
            if d > MAX_DEPTH && !matches!(def, TypeDef::Func(_)) {
                return Err(err(format!(
                    "definitions nest {d} levels deep here; at most {MAX_DEPTH} are allowed"
                )));
            }
            depth[i] = d;
            match def {
                TypeDef::Record(fields) => {
                    nonempty(fields.len(), "a record needs at least one field").map_err(err)?;
                    unique(fields.iter().map(|f| f.name.as_str()), "field").map_err(err)?;
                }
                TypeDef::Variant(cases) => {
                    nonempty(cases.len(), "a variant needs at least one case").map_err(err)?;
                    unique(cases.iter().map(|c| c.name.as_str()), "case").map_err(err)?;
                }
                TypeDef::Enum(names) => {
                    nonempty(names.len(), "an enum needs at least one case").map_err(err)?;
                    unique(names.iter().map(String::as_str), "case").map_err(err)?;
                }
                TypeDef::Flags(names) => {
                    unique(names.iter().map(String::as_str), "flag").map_err(err)?
                }
                _ => {}
            }
            if matches!(
                def,
                TypeDef::Variant(_) | TypeDef::Option(_) | TypeDef::Result { .. }
            ) {
                if let Err(e @ LayoutError::ImpossibleJoin(..)) = self.cx.check_joins(idx) {
                    let what = self.ty(ValType::Type(idx));
                    return Err(err(format!("{what} has no flat form: {e}")));
                }
            }
        }
        if let Some((&i, name)) = self
            .b
            .type_names
            .iter()
            .find(|(&i, _)| i as usize >= types.len())
        {
            return Err(Error::validation(
                None,
                None,
                format!("the name {name:?} is given to type {i}, which is not defined"),
            ));
        }
        Ok(())
    }

    fn type_label(&self, idx: u32) -> String {
        match self.b.type_names.get(&idx) {
            Some(name) => format!("type {idx} ({name})"),
            None => format!("type {idx}"),
        }
    }

    // -----------------------------------------------------------------------
    // Adapters.

    fn imports(&mut self) -> Result<()> {
        for (k, import) in self.b.imports.iter().enumerate() {
            let idx = k as u32;
            self.signature(import.ty).map_err(|msg| {
                Error::validation(Some(idx), None, format!("{}: {msg}", self.adapter(idx)))
            })?;
        }
        Ok(())
    }

    /// The function type at `ty`, for an adapter's signature.
    fn signature(&self, ty: u32) -> Result<&'a FuncType, String> {
        match self.b.types.get(ty as usize) {
            Some(TypeDef::Func(f)) => Ok(f),
            Some(def) => Err(format!(
                "its type {ty} is a {} definition, not a function type",
                def.keyword()
            )),
            None => Err(format!(
                "its type {ty} is not defined (there are {} types)",
                self.b.types.len()
            )),
        }
    }

    /// Type-checks every adapter body; returns each body's adapter calls.
    fn funcs(&mut self) -> Result<Vec<Calls>> {
        let base = self.b.imports.len() as u32;
        let mut all = Vec::with_capacity(self.b.funcs.len());
        for (k, func) in self.b.funcs.iter().enumerate() {
            let idx = base + k as u32;
            let ty = self.signature(func.ty).map_err(|msg| {
                Error::validation(Some(idx), None, format!("{}: {msg}", self.adapter(idx)))
            })?;
            all.push(self.body(idx, ty, &func.instrs)?);
        }
        Ok(all)
    }

    fn body(&mut self, idx: u32, ty: &'a FuncType, instrs: &'a [Instruction]) -> Result<Calls> {
        let mut stack = Vec::new();
        let mut calls = Vec::new();
        for (k, instr) in instrs.iter().enumerate() {
            let mut r = self.instr(instr, ty, &mut stack);
            if r.is_ok() && stack.len() > MAX_STACK {
                r = Err(format!("the value stack grows beyond {MAX_STACK} values"));
            }
            if let Err(msg) = r {
                return Err(Error::validation(
                    Some(idx),
                    Some(k),
                    format!(
                        "{}: instruction {k} ({}): {msg}",
                        self.adapter(idx),
                        self.instr_text(instr)
                    ),
                ));
            }
            if let Instruction::CallAdapter(callee) = instr {
                calls.push((k, *callee));
            }
        }
        if !self.same_list(&stack, &ty.results) {
            let k = instrs.len();
            return Err(Error::validation(
                Some(idx),
                Some(k),
                format!(
                    "{}: instruction {k} (end): expected {} on the stack, found {}",
                    self.adapter(idx),
                    self.list(&ty.results),
                    self.list(&stack),
                ),
            ));
        }
        Ok(calls)
    }

    /// Type-checks one instruction against the stack.
    fn instr(
        &mut self,
        instr: &Instruction,
        ty: &FuncType,
        stack: &mut Vec<ValType>,
    ) -> Result<(), String> {
        use ValType::{String as Str, I32};
        match instr {
            Instruction::ArgGet(n) => {
                let t = ty.params.get(*n as usize).ok_or_else(|| {
                    format!(
                        "parameter {n} out of bounds: the adapter has {} params",
                        ty.params.len()
                    )
                })?;
                stack.push(*t);
            }
            Instruction::CallCore(f) => {
                let (params, results) = self.core_sig(*f)?;
                let params = vals(&params);
                self.pop_all(stack, &params, |i| format!(" (param {i})"))?;
                stack.extend(vals(&results));
            }
            Instruction::MemoryToString { mem, .. } => {
                self.memory(*mem)?;
                self.pop(stack, I32)?;
                self.pop(stack, I32)?;
                stack.push(Str);
            }
            Instruction::StringToMemory {
                malloc,
                mem,
                encoding,
            } => {
                self.memory(*mem)?;
                // The reference instruction (UTF-8) keeps the reference's
                // allocator type; the extension ones take an alignment too.
                self.malloc(*malloc, *encoding != StringEncoding::Utf8)?;
                self.pop(stack, Str)?;
                stack.extend([I32, I32]);
            }
            Instruction::CallAdapter(g) => {
                let callee = self.adapter_sig(*g)?;
                self.pop_all(stack, &callee.params, |i| format!(" (param {i})"))?;
                stack.extend_from_slice(&callee.results);
            }
            Instruction::DeferCallCore(f) => {
                let (params, results) = self.core_sig(*f)?;
                if !results.is_empty() {
                    return Err(format!(
                        "core func {} returns {}; a deferred call must return nothing",
                        self.core.func_label(*f),
                        self.list(&vals(&results)),
                    ));
                }
                // Checks the top of the stack (last param on top), pops nothing.
                let params = vals(&params);
                let top = &stack[stack.len().saturating_sub(params.len())..];
                if !self.same_list(top, &params) {
                    return Err(format!(
                        "expected {} on top of the stack, found {}",
                        self.list(&params),
                        self.list(top),
                    ));
                }
            }
            Instruction::Convert(c) => {
                self.pop(stack, c.from())?;
                stack.push(c.to());
            }
            Instruction::RecordLift(t) => {
                let fields = self.record_fields(instr, *t)?;
                let names = self.field_names(*t);
                self.pop_all(stack, &fields, |i| names(i))?;
                stack.push(*t);
            }
            Instruction::RecordLower(t) => {
                let fields = self.record_fields(instr, *t)?;
                self.pop(stack, *t)?;
                stack.extend(fields);
            }
            Instruction::ValueLift { ty, mem } => {
                let flat = self.flat(*ty)?;
                if self.needs_memory(*ty) {
                    self.memory(mem.mem)?;
                }
                self.pop_all(stack, &flat, |i| format!(" (flat value {i})"))?;
                stack.push(*ty);
            }
            Instruction::ValueLower { ty, malloc, mem } => {
                let flat = self.flat(*ty)?;
                // The allocator is always encoded, so it always has to exist.
                self.malloc(*malloc, true)?;
                if self.needs_memory(*ty) {
                    self.memory(mem.mem)?;
                }
                self.pop(stack, *ty)?;
                stack.extend(flat);
            }
            Instruction::ValueLoad { ty, mem } => {
                self.storable(*ty)?;
                self.memory(mem.mem)?;
                self.pop(stack, I32)?;
                stack.push(*ty);
            }
            Instruction::ValueStore { ty, malloc, mem } => {
                self.storable(*ty)?;
                self.memory(mem.mem)?;
                self.malloc(*malloc, true)?;
                self.pop(stack, *ty)?;
                self.pop(stack, I32)?;
            }
            Instruction::ValueStoreNew { ty, malloc, mem } => {
                self.storable(*ty)?;
                self.memory(mem.mem)?;
                self.malloc(*malloc, true)?;
                self.pop(stack, *ty)?;
                stack.push(I32);
            }
        }
        Ok(())
    }

    // -----------------------------------------------------------------------
    // Stack helpers.

    fn pop(&mut self, stack: &mut Vec<ValType>, want: ValType) -> Result<(), String> {
        match stack.pop() {
            None => Err(format!(
                "expected {} on the stack, found nothing",
                self.ty(want)
            )),
            Some(got) if self.cx.same_type(want, got) => Ok(()),
            Some(got) => {
                let (want, got) = self.ty_pair(want, got);
                Err(format!("expected {want} on the stack, found {got}"))
            }
        }
    }

    /// Pops `wants` (the last one on top); `what(i)` says what `wants[i]` is.
    fn pop_all(
        &mut self,
        stack: &mut Vec<ValType>,
        wants: &[ValType],
        what: impl Fn(usize) -> String,
    ) -> Result<(), String> {
        for (i, want) in wants.iter().enumerate().rev() {
            self.pop(stack, *want)
                .map_err(|e| format!("{e}{}", what(i)))?;
        }
        Ok(())
    }

    fn same_list(&mut self, a: &[ValType], b: &[ValType]) -> bool {
        a.len() == b.len() && a.iter().zip(b).all(|(x, y)| self.cx.same_type(*x, *y))
    }

    // -----------------------------------------------------------------------
    // Immediates.

    /// A core function's signature, which must use only core types adapters
    /// handle.
    fn core_sig(&self, f: u32) -> Result<(Vec<CoreType>, Vec<CoreType>), String> {
        let func = self.core.funcs.get(f as usize).ok_or_else(|| {
            format!(
                "core func {f} out of bounds: the core module has {} functions",
                self.core.funcs.len()
            )
        })?;
        func.ty.known().ok_or_else(|| {
            format!(
                "core func {} has type {}, which adapters cannot handle \
                 (only i32, i64, f32, f64 and externref pass between adapters and core code)",
                self.core.func_label(f),
                func.ty,
            )
        })
    }

    /// An allocator: `[i32] -> [i32]`, or with `with_align` also
    /// `[i32 i32] -> [i32]` (size, alignment).
    fn malloc(&self, f: u32, with_align: bool) -> Result<(), String> {
        let (params, results) = self.core_sig(f).map_err(|e| format!("malloc: {e}"))?;
        use CoreType::I32;
        let ok = results == [I32] && (params == [I32] || (with_align && params == [I32, I32]));
        if ok {
            return Ok(());
        }
        Err(format!(
            "malloc core func {} has type {}, expected [i32] -> [i32]{}",
            self.core.func_label(f),
            self.core.funcs[f as usize].ty,
            if with_align {
                " or [i32 i32] -> [i32]"
            } else {
                ""
            },
        ))
    }

    fn memory(&self, mem: u32) -> Result<(), String> {
        let label = match self.core.memory_names.get(&mem) {
            Some(name) => format!("memory {mem} (${name})"),
            None => format!("memory {mem}"),
        };
        match self.core.memories.get(mem as usize) {
            None => Err(format!(
                "{label} out of bounds: the core module has {} memories",
                self.core.memories.len()
            )),
            Some(true) => Err(format!(
                "{label} is 64-bit: 64-bit memories are not supported"
            )),
            Some(false) => Ok(()),
        }
    }

    fn adapter_sig(&self, g: u32) -> Result<&'a FuncType, String> {
        let count = self.b.adapter_func_count();
        if g >= count {
            return Err(format!(
                "adapter func {g} out of bounds: there are {count} adapter funcs ({} imports, {} funcs)",
                self.b.imports.len(),
                self.b.funcs.len(),
            ));
        }
        self.b
            .adapter_func_type(g)
            .ok_or_else(|| format!("adapter func {g} does not have a function type"))
    }

    /// A type immediate must name a value type.
    fn value_type(&self, ty: ValType) -> Result<(), String> {
        let ValType::Type(i) = ty else { return Ok(()) };
        match self.b.types.get(i as usize) {
            None => Err(format!("type {i} is not defined")),
            Some(TypeDef::Func(_)) => Err(format!("type {i} is a function type, not a value type")),
            Some(_) => Ok(()),
        }
    }

    fn record_fields(&self, instr: &Instruction, ty: ValType) -> Result<Vec<ValType>, String> {
        self.value_type(ty)?;
        layout::record_fields(&self.b.types, ty).ok_or_else(|| {
            format!(
                "{} needs a record or tuple type, found {}",
                instr.mnemonic(),
                self.ty(ty)
            )
        })
    }

    /// Describes field `i` of record or tuple `ty` for messages.
    fn field_names(&self, ty: ValType) -> impl Fn(usize) -> String + 'a {
        let fields = match layout::resolve(&self.b.types, ty) {
            Some(TypeDef::Record(fields)) => Some(fields),
            _ => None,
        };
        move |i| match fields.and_then(|f| f.get(i)) {
            Some(f) => format!(" (field {:?})", f.name),
            None => format!(" (field {i})"),
        }
    }

    fn flat(&mut self, ty: ValType) -> Result<Vec<ValType>, String> {
        self.value_type(ty)?;
        match self.cx.flatten(ty) {
            Ok(flat) => Ok(vals(&flat)),
            Err(e) => Err(format!("{} has no flat form: {e}", self.ty(ty))),
        }
    }

    fn storable(&mut self, ty: ValType) -> Result<(), String> {
        self.value_type(ty)?;
        match self.cx.layout(ty) {
            Ok(_) => Ok(()),
            Err(e) => Err(format!(
                "{} cannot be stored in linear memory: {e}",
                self.ty(ty)
            )),
        }
    }

    fn needs_memory(&self, ty: ValType) -> bool {
        layout::needs_memory(&self.b.types, ty)
    }

    // -----------------------------------------------------------------------
    // Adapter calls, exports, implements.

    /// Adapter calls must not be recursive: finds a cycle of `call-adapter`s
    /// among the funcs (imports call nothing) by an iterative depth-first
    /// search.
    fn call_graph(&self, calls: &[Calls]) -> Result<()> {
        const NEW: u8 = 0;
        const ON_PATH: u8 = 1;
        const DONE: u8 = 2;
        let base = self.b.imports.len();
        let node = |callee: u32| {
            (callee as usize)
                .checked_sub(base)
                .filter(|&n| n < calls.len())
        };
        let mut state = vec![NEW; calls.len()];
        for root in 0..calls.len() {
            if state[root] != NEW {
                continue;
            }
            state[root] = ON_PATH;
            // (func, index of its next call to follow)
            let mut path = vec![(root, 0usize)];
            while let Some((f, next)) = path.last_mut() {
                let f = *f;
                let Some(&(_, callee)) = calls[f].get(*next) else {
                    state[f] = DONE;
                    path.pop();
                    continue;
                };
                *next += 1;
                let Some(c) = node(callee) else { continue };
                match state[c] {
                    NEW => {
                        state[c] = ON_PATH;
                        path.push((c, 0));
                    }
                    ON_PATH => return Err(self.cycle(calls, &path, c)),
                    _ => {}
                }
            }
        }
        Ok(())
    }

    /// The error for the cycle that closes at func `start` (on `path`).
    fn cycle(&self, calls: &[Calls], path: &[(usize, usize)], start: usize) -> Error {
        let base = self.b.imports.len();
        let from = path.iter().position(|&(f, _)| f == start).unwrap_or(0);
        let (f, next) = path[from];
        let (instr, callee) = calls[f][next - 1];
        let idx = (base + f) as u32;
        let chain: Vec<String> = path[from..]
            .iter()
            .map(|&(f, _)| format!("adapter func {}", base + f))
            .chain([format!("adapter func {idx}")])
            .collect();
        let what = if chain.len() == 2 {
            "the adapter calls itself".to_string()
        } else {
            format!("adapter calls form a cycle: {}", chain.join(" -> "))
        };
        Error::validation(
            Some(idx),
            Some(instr),
            format!(
                "{}: instruction {instr} (call-adapter {callee}): {what}; \
                 adapter calls may not be recursive",
                self.adapter(idx)
            ),
        )
    }

    fn exports(&self) -> Result<()> {
        let count = self.b.adapter_func_count();
        let mut seen: HashMap<&str, u32> = HashMap::new();
        for e in &self.b.exports {
            if e.func >= count {
                return Err(Error::validation(
                    None,
                    None,
                    format!(
                        "export {:?}: adapter func {} out of bounds: there are {count} adapter funcs",
                        e.name, e.func
                    ),
                ));
            }
            if let Some(prev) = seen.insert(&e.name, e.func) {
                return Err(Error::validation(
                    Some(e.func),
                    None,
                    format!(
                        "duplicate export name {:?} (adapter func {prev} and adapter func {})",
                        e.name, e.func
                    ),
                ));
            }
        }
        Ok(())
    }

    fn implements(&self) -> Result<()> {
        let count = self.b.adapter_func_count();
        let mut implemented: HashMap<u32, usize> = HashMap::new();
        for (k, imp) in self.b.implements.iter().enumerate() {
            let (g, f) = (imp.adapter_func, imp.core_func);
            if g >= count {
                return Err(Error::validation(
                    None,
                    None,
                    format!("implement {k}: adapter func {g} out of bounds: there are {count} adapter funcs"),
                ));
            }
            let err = |msg: String| {
                Error::validation(
                    Some(g),
                    None,
                    format!("{}: implement {k}: {msg}", self.adapter(g)),
                )
            };
            let func = self.core.funcs.get(f as usize).ok_or_else(|| {
                err(format!(
                    "core func {f} out of bounds: the core module has {} functions",
                    self.core.funcs.len()
                ))
            })?;
            let label = self.core.func_label(f);
            let Some((module, name)) = &func.import else {
                return Err(err(format!(
                    "core func {label} is not an import; an adapter can only implement a core import"
                )));
            };
            let label = format!("core func {label} (import {module:?} {name:?})");
            if let Some(prev) = implemented.insert(f, k) {
                return Err(err(format!(
                    "{label} is already implemented by implement {prev}"
                )));
            }
            let ty = self
                .b
                .adapter_func_type(g)
                .ok_or_else(|| err("the adapter does not have a function type".into()))?;
            let fits = |vs: &[ValType], cs: &[Result<CoreType, String>]| {
                vs.len() == cs.len()
                    && vs
                        .iter()
                        .zip(cs)
                        .all(|(v, c)| matches!(c, Ok(c) if v.as_core() == Some(*c)))
            };
            if !fits(&ty.params, &func.ty.params) || !fits(&ty.results, &func.ty.results) {
                return Err(err(format!(
                    "the adapter has type {} -> {}, but {label} has type {}; \
                     an implementing adapter must have exactly the core import's type",
                    self.list(&ty.params),
                    self.list(&ty.results),
                    func.ty,
                )));
            }
        }
        Ok(())
    }

    // -----------------------------------------------------------------------
    // Words for messages.

    /// `adapter func 2 (export "greet")`, with the import it is, the names it
    /// is exported as and the core imports it implements.
    fn adapter(&self, idx: u32) -> String {
        let mut s = format!("adapter func {idx}");
        if let Some(import) = self.b.imports.get(idx as usize) {
            s += &format!(" (import {:?} {:?})", import.module, import.name);
        }
        for name in self.b.export_names(idx) {
            s += &format!(" (export {name:?})");
        }
        for imp in self.b.implements.iter().filter(|i| i.adapter_func == idx) {
            s += &format!(
                " (implements core func {})",
                self.core.func_label(imp.core_func)
            );
        }
        s
    }

    /// An instruction in words: its mnemonic and its immediates (memory 0 and
    /// UTF-8, the defaults, left out).
    fn instr_text(&self, instr: &Instruction) -> String {
        let f = |idx: &u32| self.core.func_label(*idx);
        let tail = |enc: StringEncoding, mem: u32| {
            let mut s = String::new();
            if enc != StringEncoding::Utf8 {
                s += &format!(" {enc}");
            }
            if mem != 0 {
                s += &format!(" {mem}");
            }
            s
        };
        let m = instr.mnemonic();
        match instr {
            Instruction::ArgGet(n) => format!("{m} {n}"),
            Instruction::CallCore(c) | Instruction::DeferCallCore(c) => format!("{m} {}", f(c)),
            Instruction::CallAdapter(g) => format!("{m} {g}"),
            Instruction::Convert(_) => m.to_string(),
            Instruction::MemoryToString { mem, encoding } => {
                format!("{m}{}", tail(*encoding, *mem))
            }
            Instruction::StringToMemory {
                malloc,
                mem,
                encoding,
            } => {
                format!("{m} {}{}", f(malloc), tail(*encoding, *mem))
            }
            Instruction::RecordLift(t) | Instruction::RecordLower(t) => {
                format!("{m} {}", self.ty(*t))
            }
            Instruction::ValueLift { ty, mem } | Instruction::ValueLoad { ty, mem } => {
                format!("{m} {}{}", self.ty(*ty), tail(mem.encoding, mem.mem))
            }
            Instruction::ValueLower { ty, malloc, mem }
            | Instruction::ValueStore { ty, malloc, mem }
            | Instruction::ValueStoreNew { ty, malloc, mem } => {
                format!(
                    "{m} {} {}{}",
                    self.ty(*ty),
                    f(malloc),
                    tail(mem.encoding, mem.mem)
                )
            }
        }
    }

    /// A type in words: a keyword, a definition's name, or the definition in
    /// brief.
    fn ty(&self, ty: ValType) -> String {
        const MAX: usize = 80;
        let s = describe::val_type(self.b, ty);
        if s.chars().count() <= MAX {
            return s;
        }
        let mut short: String = s.chars().take(MAX).collect();
        short.push('…');
        short
    }

    /// Two types in words, told apart by index when the words are equal.
    fn ty_pair(&self, a: ValType, b: ValType) -> (String, String) {
        let (x, y) = (self.ty(a), self.ty(b));
        if x != y {
            return (x, y);
        }
        let with_index = |t: ValType, s: String| match t {
            ValType::Type(i) => format!("{s} (type {i})"),
            _ => s,
        };
        (with_index(a, x), with_index(b, y))
    }

    /// `[i32 string]`; long stacks show their top.
    fn list(&self, tys: &[ValType]) -> String {
        const MAX: usize = 16;
        let skip = tys.len().saturating_sub(MAX);
        let mut parts: Vec<String> = tys[skip..].iter().map(|t| self.ty(*t)).collect();
        if skip > 0 {
            parts.insert(0, format!("… ({skip} more)"));
        }
        format!("[{}]", parts.join(" "))
    }
}

fn vals(core: &[CoreType]) -> Vec<ValType> {
    core.iter().map(|c| c.to_val()).collect()
}

fn nonempty(len: usize, msg: &str) -> Result<(), String> {
    if len == 0 {
        Err(msg.to_string())
    } else {
        Ok(())
    }
}

fn unique<'s>(names: impl Iterator<Item = &'s str>, what: &str) -> Result<(), String> {
    let mut seen = HashSet::new();
    for name in names {
        if !seen.insert(name) {
            return Err(format!("{what} name {name:?} appears twice"));
        }
    }
    Ok(())
}
