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
    run(booklet, core, false).map(drop)
}

/// Validates and, when `record` is set, returns what every instruction of
/// every adapter body popped and pushed (see [`crate::typed`]).
pub(crate) fn run(
    booklet: &Booklet,
    core: &CoreModule,
    record: bool,
) -> Result<Vec<Vec<crate::typed::Effect>>> {
    let mut v = Validator {
        b: booklet,
        core,
        cx: Layouts::new(&booklet.types),
        needs_memory: HashMap::new(),
        popped: None,
        effects: record.then(Vec::new),
        interner: Default::default(),
    };
    v.types()?;
    v.imports()?;
    let calls = v.funcs()?;
    v.call_graph(&calls)?;
    v.exports()?;
    v.implements()?;
    v.param_names()?;
    Ok(v.effects.unwrap_or_default())
}

struct Validator<'a> {
    b: &'a Booklet,
    core: &'a CoreModule,
    /// Layouts, flat forms and type equality, memoized for the whole booklet.
    cx: Layouts<'a>,
    needs_memory: HashMap<ValType, bool>,
    /// While recording: the types popped by the current instruction, top
    /// first.
    popped: Option<Vec<ValType>>,
    /// While recording: per adapter body, per instruction, its stack effect.
    effects: Option<Vec<Vec<crate::typed::Effect>>>,
    interner: crate::typed::Interner,
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
        // Nodes of each definition with every reference written out.
        let mut nodes = vec![0u64; types.len()];
        for (i, def) in types.iter().enumerate() {
            let idx = i as u32;
            let label = self.type_label(idx);
            let err = |msg: String| Error::validation(None, None, format!("{label}: {msg}"));
            let mut d = 1;
            for t in def.referenced() {
                let ValType::Type(j) = t else { continue };
                match types.get(j as usize) {
                    None => return Err(err(format!("refers to type {j}, which is not defined"))),
                    Some(_) if j >= idx => {
                        let rule = "a definition may only refer to definitions before it";
                        return Err(err(format!("refers to type {j}; {rule}")));
                    }
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
            // Expanded size: definitions are shared by index, but a host
            // that resolves a type into a tree (the engine, the glue's type
            // checks) pays for every node.
            let mut n: u64 = 1;
            for t in def.referenced() {
                n = n.saturating_add(match t {
                    ValType::Type(j) => nodes[j as usize],
                    _ => 1,
                });
            }
            nodes[i] = n;
            if n > layout::MAX_TYPE_NODES && !matches!(def, TypeDef::Func(_)) {
                return Err(err(format!(
                    "expands to {} nodes when its references are written out; at most {} are allowed",
                    if n == u64::MAX { "too many".to_string() } else { n.to_string() },
                    layout::MAX_TYPE_NODES
                )));
            }
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
                    let what = brief(describe::type_def(self.b, idx));
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
        // Names become identifiers in text and in bindings: they must be
        // non-empty and unique.
        let mut seen: HashMap<&str, u32> = HashMap::new();
        for (&i, name) in &self.b.type_names {
            if name.is_empty() {
                return Err(Error::validation(
                    None,
                    None,
                    format!("type {i} has an empty name"),
                ));
            }
            if let Some(first) = seen.insert(name.as_str(), i) {
                return Err(Error::validation(
                    None,
                    None,
                    format!(
                        "types {first} and {i} are both named {name:?}; type names must be unique"
                    ),
                ));
            }
        }
        // Function types are referred to by index only; the text format keeps
        // their `$id`s out of the names subsection so reference-subset text
        // keeps the reference bytes, and a named one could not round-trip.
        if let Some((&i, name)) = self
            .b
            .type_names
            .iter()
            .find(|(&i, _)| matches!(types.get(i as usize), Some(TypeDef::Func(_))))
        {
            return Err(Error::validation(
                None,
                None,
                format!("the name {name:?} is given to type {i}, a function type; only value types are named"),
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
                "its type {ty} is not defined (the booklet has {})",
                count(self.b.types.len(), "type")
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
        let recording = self.effects.is_some();
        let mut effects = Vec::new();
        for (k, instr) in instrs.iter().enumerate() {
            let height = stack.len();
            if recording {
                self.popped = Some(Vec::new());
            }
            let mut r = self.instr(instr, ty, &mut stack);
            if let (Ok(()), Some(mut pops)) = (&r, self.popped.take()) {
                pops.reverse();
                let base = height - pops.len();
                effects.push(crate::typed::Effect {
                    height,
                    pushes: self.interner.intern(&stack[base..]),
                    pops: self.interner.intern(&pops),
                });
            }
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
        if let Some(all) = &mut self.effects {
            all.push(effects);
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
                        "parameter {n} out of bounds: the adapter has {}",
                        count(ty.params.len(), "param")
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
                self.pop_all(stack, &fields, names)?;
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
            Some(got) if self.cx.same_type(want, got) => {
                if let Some(popped) = &mut self.popped {
                    // What the instruction asked for (structurally equal to
                    // what was found): determined by its immediates, so
                    // equal lists are shared (see `typed::Interner`).
                    popped.push(want);
                }
                Ok(())
            }
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
                "core func {f} out of bounds: the core module has {}",
                count(self.core.funcs.len(), "function")
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
    /// `[i32 i32] -> [i32]` (size, alignment) and the canonical ABI's
    /// `[i32 i32 i32 i32] -> [i32]` (`cabi_realloc`: old pointer, old size,
    /// alignment, new size).
    fn malloc(&self, f: u32, with_align: bool) -> Result<(), String> {
        let (params, results) = self.core_sig(f).map_err(|e| format!("malloc: {e}"))?;
        use CoreType::I32;
        let ok = results == [I32]
            && (params == [I32]
                || (with_align && (params == [I32, I32] || params == [I32, I32, I32, I32])));
        if ok {
            return Ok(());
        }
        Err(format!(
            "malloc core func {} has type {}, expected [i32] -> [i32]{}",
            self.core.func_label(f),
            self.core.funcs[f as usize].ty,
            if with_align {
                ", [i32 i32] -> [i32] or [i32 i32 i32 i32] -> [i32]"
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
                "memory {mem} out of bounds: the core module has {}",
                count(self.core.memories.len(), "memory")
            )),
            Some(true) => Err(format!(
                "{label} is 64-bit: 64-bit memories are not supported"
            )),
            Some(false) => Ok(()),
        }
    }

    fn adapter_sig(&self, g: u32) -> Result<&'a FuncType, String> {
        if g >= self.b.adapter_func_count() {
            return Err(format!(
                "adapter func {g} out of bounds: {}",
                self.adapter_count()
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
                self.ty_form(ty)
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

    fn needs_memory(&mut self, ty: ValType) -> bool {
        let types = &self.b.types;
        *self
            .needs_memory
            .entry(ty)
            .or_insert_with(|| layout::needs_memory(types, ty))
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
        let funcs = self.b.adapter_func_count();
        let mut seen: HashMap<&str, u32> = HashMap::new();
        for e in &self.b.exports {
            if e.func >= funcs {
                return Err(Error::validation(
                    None,
                    None,
                    format!(
                        "export {:?}: adapter func {} out of bounds: {}",
                        e.name,
                        e.func,
                        self.adapter_count()
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
        let funcs = self.b.adapter_func_count();
        let mut implemented: HashMap<u32, usize> = HashMap::new();
        for (k, imp) in self.b.implements.iter().enumerate() {
            let (g, f) = (imp.adapter_func, imp.core_func);
            if g >= funcs {
                return Err(Error::validation(
                    None,
                    None,
                    format!(
                        "implement {k}: adapter func {g} out of bounds: {}",
                        self.adapter_count()
                    ),
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
                    "core func {f} out of bounds: the core module has {}",
                    count(self.core.funcs.len(), "function")
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
    /// One name per parameter of the function's type; the given ones
    /// unique (`""` is an unnamed parameter).
    fn param_names(&self) -> Result<()> {
        for (&func, names) in &self.b.param_names {
            let err = |msg: String| {
                Error::validation(Some(func), None, format!("{}: {msg}", self.adapter(func)))
            };
            let Some(ft) = self.b.adapter_func_type(func) else {
                return Err(Error::validation(
                    None,
                    None,
                    format!(
                        "parameter names for adapter func {func}, which is out of bounds: {}",
                        self.adapter_count()
                    ),
                ));
            };
            if names.len() != ft.params.len() {
                return Err(err(format!(
                    "{} parameter names for {} parameters",
                    names.len(),
                    ft.params.len()
                )));
            }
            if names.iter().all(String::is_empty) {
                return Err(err("the parameter names name no parameter".into()));
            }
            unique(
                names.iter().map(String::as_str).filter(|n| !n.is_empty()),
                "parameter",
            )
            .map_err(err)?;
        }
        Ok(())
    }

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

    /// `there are 3 adapter funcs (1 import, 2 funcs)`.
    fn adapter_count(&self) -> String {
        let (i, f) = (self.b.imports.len(), self.b.funcs.len());
        let total = count(i + f, "adapter func");
        let verb = if i + f == 1 { "is" } else { "are" };
        format!(
            "there {verb} {total} ({}, {})",
            count(i, "import"),
            count(f, "func")
        )
    }

    /// A type in words: a keyword, a definition's name, or the definition in
    /// brief.
    fn ty(&self, ty: ValType) -> String {
        brief(describe::val_type(self.b, ty))
    }

    /// A type in words, with its form when the words are only a name:
    /// `shape (a variant)`.
    fn ty_form(&self, ty: ValType) -> String {
        let words = self.ty(ty);
        let ValType::Type(i) = ty else { return words };
        match (
            self.b.type_names.contains_key(&i),
            self.b.types.get(i as usize),
        ) {
            (true, Some(def)) => {
                let form = def.keyword();
                let article = if form.starts_with(['a', 'e', 'i', 'o', 'u']) {
                    "an"
                } else {
                    "a"
                };
                format!("{words} ({article} {form})")
            }
            _ => words,
        }
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

/// `1 param`, `2 params`, `0 memories`.
fn count(n: usize, noun: &str) -> String {
    match (n, noun.strip_suffix('y')) {
        (1, _) => format!("1 {noun}"),
        (_, Some(stem)) => format!("{n} {stem}ies"),
        _ => format!("{n} {noun}s"),
    }
}

/// Cuts long words for messages.
fn brief(words: String) -> String {
    const MAX: usize = 80;
    if words.chars().count() <= MAX {
        return words;
    }
    let mut short: String = words.chars().take(MAX).collect();
    short.push('…');
    short
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::instr::{Conversion, MemArg};
    use crate::types::{Case, Field};
    use crate::{Export, Func, Implement, Import};
    use Instruction::*;
    use ValType::*;

    /// Core functions by index:
    /// 0 `$log_` (import, [i32 i32] -> []), 1 `$n_` (import, [] -> [i32]),
    /// 2 `$malloc`, 3 `$malloc2`, 4 `$free`, 5 `$greet_`, 6 `$v128`,
    /// 7 `$mixed`, 8 `$ret`, 9 `$unit`, 10 `$f32`, 11 `$ref`, 12 `$wide`.
    const CORE: &str = r#"(module
      (import "env" "log_" (func $log_ (param i32 i32)))
      (import "env" "n_" (func $n_ (result i32)))
      (memory $mem 1)
      (func $malloc (param i32) (result i32) i32.const 0)
      (func $malloc2 (param i32 i32) (result i32) i32.const 0)
      (func $free (param i32 i32))
      (func $greet_ (param i32 i32) (result i32 i32) local.get 0 local.get 1)
      (func $v128 (param v128))
      (func $mixed (param i32 i64))
      (func $ret (result i32) i32.const 0)
      (func $unit)
      (func $f32 (param f32) (result f64) f64.const 0)
      (func $ref (param externref) (result externref) local.get 0)
      (func $wide (param i64) (result i32 i32 i32) i32.const 0 i32.const 0 i32.const 0)
      (export "greet_" (func $greet_)))"#;

    fn core() -> CoreModule {
        CoreModule::parse(&wat::parse_str(CORE).unwrap()).unwrap()
    }

    fn rec(fields: &[(&str, ValType)]) -> TypeDef {
        TypeDef::Record(
            fields
                .iter()
                .map(|(n, t)| Field {
                    name: n.to_string(),
                    ty: *t,
                })
                .collect(),
        )
    }

    fn var(cases: &[(&str, Option<ValType>)]) -> TypeDef {
        TypeDef::Variant(
            cases
                .iter()
                .map(|(n, t)| Case {
                    name: n.to_string(),
                    ty: *t,
                })
                .collect(),
        )
    }

    /// A booklet under construction.
    #[derive(Default)]
    struct B(Booklet);

    impl B {
        fn ty(&mut self, def: TypeDef) -> u32 {
            self.0.types.push(def);
            self.0.types.len() as u32 - 1
        }
        fn sig(&mut self, params: &[ValType], results: &[ValType]) -> u32 {
            self.ty(TypeDef::Func(FuncType {
                params: params.to_vec(),
                results: results.to_vec(),
            }))
        }
        fn import(&mut self, params: &[ValType], results: &[ValType]) -> u32 {
            let ty = self.sig(params, results);
            let n = self.0.imports.len();
            self.0.imports.push(Import {
                module: "host".into(),
                name: format!("i{n}"),
                ty,
            });
            assert!(self.0.funcs.is_empty(), "imports first");
            n as u32
        }
        fn func(
            &mut self,
            params: &[ValType],
            results: &[ValType],
            instrs: Vec<Instruction>,
        ) -> u32 {
            let ty = self.sig(params, results);
            self.0.funcs.push(Func { ty, instrs });
            self.0.adapter_func_count() - 1
        }
        fn export(&mut self, name: &str, func: u32) {
            self.0.exports.push(Export {
                name: name.into(),
                func,
            });
        }
        fn implement(&mut self, core_func: u32, adapter_func: u32) {
            self.0.implements.push(Implement {
                core_func,
                adapter_func,
            });
        }
        fn check(&self) -> Result<()> {
            validate(&self.0, &core())
        }
        #[track_caller]
        fn ok(&self) {
            if let Err(e) = self.check() {
                panic!("expected valid, got: {e}");
            }
        }
        /// Validation fails with a message containing `want`.
        #[track_caller]
        fn err(&self, want: &str) -> Error {
            match self.check() {
                Ok(()) => panic!("expected an error containing {want:?}, got Ok"),
                Err(e) => {
                    assert_eq!(e.kind(), crate::ErrorKind::Validation);
                    assert!(e.message().contains(want), "expected {want:?} in:\n{e}");
                    e
                }
            }
        }
    }

    /// A single exported adapter.
    fn one(params: &[ValType], results: &[ValType], instrs: Vec<Instruction>) -> B {
        let mut b = B::default();
        let f = b.func(params, results, instrs);
        b.export("f", f);
        b
    }

    fn mem(mem: u32) -> MemArg {
        MemArg {
            mem,
            encoding: StringEncoding::Utf8,
        }
    }

    fn s2m(malloc: u32, encoding: StringEncoding) -> Instruction {
        StringToMemory {
            malloc,
            mem: 0,
            encoding,
        }
    }

    fn m2s() -> Instruction {
        MemoryToString {
            mem: 0,
            encoding: StringEncoding::Utf8,
        }
    }

    const UTF8: StringEncoding = StringEncoding::Utf8;

    #[test]
    fn greeting_is_valid() {
        let mut b = B::default();
        let f = b.func(
            &[String],
            &[String],
            vec![ArgGet(0), s2m(2, UTF8), CallCore(5), m2s()],
        );
        b.export("greeting", f);
        b.ok();
    }

    #[test]
    fn messages_name_adapter_instruction_and_types() {
        let mut b = B::default();
        let f = b.func(&[String], &[String], vec![ArgGet(0), m2s()]);
        b.export("greeting", f);
        let e = b.err("");
        assert_eq!(
            e.to_string(),
            "adapter func 0 (export \"greeting\"): instruction 1 (memory-to-string): \
             expected i32 on the stack, found string"
        );
        assert_eq!((e.func(), e.instr()), (Some(0), Some(1)));

        let e = one(&[], &[], vec![m2s()])
            .err("instruction 0 (memory-to-string): expected i32 on the stack, found nothing");
        assert_eq!((e.func(), e.instr()), (Some(0), Some(0)));
        one(&[U8], &[], vec![ArgGet(0), CallCore(4)])
            .err("instruction 1 (call-core $free): expected i32 on the stack, found u8 (param 1)");
        one(&[String], &[], vec![ArgGet(0), s2m(4, UTF8)]).err(
            "instruction 1 (string-to-memory $free): malloc core func $free has type [i32 i32] -> [], \
             expected [i32] -> [i32]",
        );
        // Core functions without a name-section name are labeled by export.
        let mut c = core();
        c.func_names.clear();
        let b = one(&[], &[], vec![CallCore(5)]);
        let e = validate(&b.0, &c).unwrap_err();
        assert!(
            e.message().contains("(call-core 5 (export \"greet_\"))"),
            "{e}"
        );
    }

    #[test]
    fn type_names_and_definitions_in_messages() {
        let mut b = B::default();
        let p = b.ty(rec(&[("x", S32), ("y", S32)]));
        b.0.type_names.insert(p, "point".into());
        let anon = b.ty(TypeDef::Option(String));
        let f = b.func(&[S32, Type(anon)], &[Type(p)], vec![ArgGet(0)]);
        b.export("f", f);
        b.err("instruction 1 (end): expected [point] on the stack, found [s32]");
        b.0.funcs[0].instrs = vec![ArgGet(1)];
        b.err("expected [point] on the stack, found [option<string>]");
        b.0.funcs[0].instrs = vec![ArgGet(0), RecordLift(Type(p))];
        b.err("instruction 1 (record.lift point): expected s32 on the stack, found nothing (field \"x\")");
        // Two types may not share a name (it becomes an identifier in text
        // and in bindings), nor have an empty one.
        let mut b = B::default();
        let p = b.ty(rec(&[("x", S32)]));
        let q = b.ty(rec(&[("x", U32)]));
        b.0.type_names.insert(p, "point".into());
        b.0.type_names.insert(q, "point".into());
        b.err("types 0 and 1 are both named \"point\"; type names must be unique");
        b.0.type_names.insert(q, std::string::String::new());
        b.err("type 1 has an empty name");
    }

    #[test]
    fn arg_get() {
        one(&[U8, String], &[String], vec![ArgGet(1)]).ok();
        let e = one(&[U8], &[], vec![ArgGet(1)])
            .err("instruction 0 (arg.get 1): parameter 1 out of bounds: the adapter has 1 param");
        assert_eq!(e.instr(), Some(0));
        one(&[], &[], vec![ArgGet(u32::MAX)]).err("parameter 4294967295 out of bounds");
    }

    #[test]
    fn call_core() {
        one(
            &[],
            &[I32, I32],
            vec![ArgGet(0)]
                .into_iter()
                .skip(1)
                .chain([CallCore(1), CallCore(1)])
                .collect(),
        )
        .ok();
        one(&[], &[], vec![CallCore(13)])
            .err("core func 13 out of bounds: the core module has 13 functions");
        one(&[], &[], vec![CallCore(u32::MAX)]).err("out of bounds");
        one(&[], &[], vec![CallCore(6)])
            .err("core func $v128 has type [v128] -> [], which adapters cannot handle");
        // Interface i32 stands for core i32; s32 does not.
        one(&[I32, I64], &[], vec![ArgGet(0), ArgGet(1), CallCore(7)]).ok();
        one(&[S32, I64], &[], vec![ArgGet(0), ArgGet(1), CallCore(7)])
            .err("expected i32 on the stack, found s32 (param 0)");
        one(&[I64, I32], &[], vec![ArgGet(0), ArgGet(1), CallCore(7)])
            .err("expected i64 on the stack, found i32 (param 1)");
        one(&[F32], &[F64], vec![ArgGet(0), CallCore(10)]).ok();
        one(&[Externref], &[Externref], vec![ArgGet(0), CallCore(11)]).ok();
        one(&[I64], &[I32, I32, I32], vec![ArgGet(0), CallCore(12)]).ok();
    }

    #[test]
    fn strings_and_memories() {
        one(&[I32, I32], &[String], vec![ArgGet(0), ArgGet(1), m2s()]).ok();
        one(&[I32, I32], &[String], vec![ArgGet(0), ArgGet(1), MemoryToString { mem: 1, encoding: UTF8 }])
            .err("instruction 2 (memory-to-string 1): memory 1 out of bounds: the core module has 1 memory");
        one(&[U32, I32], &[String], vec![ArgGet(0), ArgGet(1), m2s()])
            .err("expected i32 on the stack, found u32");
        let utf16 = MemoryToString {
            mem: 0,
            encoding: StringEncoding::Utf16,
        };
        one(&[I32, I32], &[String], vec![ArgGet(0), ArgGet(1), utf16]).ok();
        // 64-bit memories.
        let b = one(&[I32, I32], &[String], vec![ArgGet(0), ArgGet(1), m2s()]);
        let mut c = core();
        c.memories[0] = true;
        let e = validate(&b.0, &c).unwrap_err();
        assert!(
            e.message()
                .contains("memory 0 ($mem) is 64-bit: 64-bit memories are not supported"),
            "{e}"
        );
        // No memory at all.
        let e = validate(&b.0, &CoreModule::default()).unwrap_err();
        assert!(
            e.message()
                .contains("memory 0 out of bounds: the core module has 0 memories"),
            "{e}"
        );
    }

    #[test]
    fn allocators() {
        let s = |malloc, enc| one(&[String], &[I32, I32], vec![ArgGet(0), s2m(malloc, enc)]);
        s(2, UTF8).ok();
        // The reference instruction keeps the reference allocator type.
        s(3, UTF8)
            .err("malloc core func $malloc2 has type [i32 i32] -> [i32], expected [i32] -> [i32]");
        s(2, StringEncoding::Utf16).ok();
        s(3, StringEncoding::Latin1).ok();
        s(4, StringEncoding::Utf16)
            .err("expected [i32] -> [i32], [i32 i32] -> [i32] or [i32 i32 i32 i32] -> [i32]");
        s(8, UTF8).err("malloc core func $ret has type [] -> [i32]");
        s(99, UTF8).err("malloc: core func 99 out of bounds");
        s(6, UTF8).err("malloc: core func $v128 has type [v128] -> []");
        one(&[U8], &[], vec![ArgGet(0), s2m(2, UTF8)])
            .err("expected string on the stack, found u8");
    }

    #[test]
    fn defer_call_core() {
        // Checks without popping: the values stay for memory-to-string.
        let mut b = B::default();
        let f = b.func(
            &[I32, I32],
            &[String],
            vec![ArgGet(0), ArgGet(1), DeferCallCore(4), m2s()],
        );
        b.export("make", f);
        b.ok();
        one(&[], &[], vec![DeferCallCore(9)]).ok();
        one(&[], &[], vec![DeferCallCore(8)])
            .err("core func $ret returns [i32]; a deferred call must return nothing");
        one(&[I32], &[I32], vec![ArgGet(0), DeferCallCore(4)])
            .err("expected [i32 i32] on top of the stack, found [i32]");
        // The last param on top.
        one(
            &[I32, I64],
            &[I32, I64],
            vec![ArgGet(0), ArgGet(1), DeferCallCore(7)],
        )
        .ok();
        one(&[I64, I32], &[I64, I32], vec![ArgGet(0), ArgGet(1), DeferCallCore(7)])
            .err("instruction 2 (defer-call-core $mixed): expected [i32 i64] on top of the stack, found [i64 i32]");
        one(&[], &[], vec![DeferCallCore(6)]).err("which adapters cannot handle");
        one(&[], &[], vec![DeferCallCore(40)]).err("core func 40 out of bounds");
    }

    #[test]
    fn end_of_body() {
        one(&[U8, String], &[U8, String], vec![ArgGet(0), ArgGet(1)]).ok();
        // In order, unlike the reference.
        one(&[U8, String], &[String, U8], vec![ArgGet(0), ArgGet(1)])
            .err("instruction 2 (end): expected [string u8] on the stack, found [u8 string]");
        let e = one(&[U8], &[], vec![ArgGet(0)])
            .err("instruction 1 (end): expected [] on the stack, found [u8]");
        assert_eq!((e.func(), e.instr()), (Some(0), Some(1)));
        one(&[], &[U8], vec![]).err("instruction 0 (end): expected [u8] on the stack, found []");
    }

    #[test]
    fn conversions() {
        for c in Conversion::ALL {
            one(&[c.from()], &[c.to()], vec![ArgGet(0), Convert(*c)]).ok();
        }
        one(&[S32], &[S8], vec![ArgGet(0), Convert(Conversion::I32ToS8)])
            .err("instruction 1 (i32-to-s8): expected i32 on the stack, found s32");
        one(&[U8], &[I64], vec![ArgGet(0), Convert(Conversion::U8ToI32)])
            .err("expected [i64] on the stack, found [i32]");
        one(
            &[I32],
            &[Char],
            vec![ArgGet(0), Convert(Conversion::I32ToChar)],
        )
        .ok();
        one(
            &[Bool],
            &[I32],
            vec![ArgGet(0), Convert(Conversion::CharToI32)],
        )
        .err("expected char on the stack, found bool");
    }

    #[test]
    fn call_adapter_and_recursion() {
        let mut b = B::default();
        let imp = b.import(&[String], &[U32]);
        let later = 2; // defined after its caller: fine
        let f = b.func(&[String], &[U32], vec![ArgGet(0), CallAdapter(later)]);
        let g = b.func(&[String], &[U32], vec![ArgGet(0), CallAdapter(imp)]);
        assert_eq!((f, g), (1, 2));
        b.export("f", f);
        b.ok();
        b.0.funcs[0].instrs = vec![ArgGet(0), CallAdapter(3)];
        b.err("instruction 1 (call-adapter 3): adapter func 3 out of bounds: there are 3 adapter funcs (1 import, 2 funcs)");
        b.0.funcs[0].instrs = vec![CallAdapter(imp)];
        b.err("expected string on the stack, found nothing (param 0)");
        // Recursion.
        b.0.funcs[0].instrs = vec![ArgGet(0), CallAdapter(f)];
        let e = b.err("adapter func 1 (export \"f\"): instruction 1 (call-adapter 1): the adapter calls itself");
        assert_eq!((e.func(), e.instr()), (Some(1), Some(1)));
        b.0.funcs[0].instrs = vec![ArgGet(0), CallAdapter(g)];
        b.0.funcs[1].instrs = vec![ArgGet(0), CallAdapter(f)];
        let e =
            b.err("adapter calls form a cycle: adapter func 1 -> adapter func 2 -> adapter func 1");
        assert_eq!((e.func(), e.instr()), (Some(1), Some(1)));
        // A longer cycle not through the first function.
        let mut b = B::default();
        let a = b.func(&[], &[], vec![CallAdapter(1)]);
        let x = b.func(&[], &[], vec![CallCore(9), CallAdapter(2)]);
        let y = b.func(&[], &[], vec![CallAdapter(3)]);
        let z = b.func(&[], &[], vec![CallCore(9), CallAdapter(1)]);
        assert_eq!((a, x, y, z), (0, 1, 2, 3));
        let e = b.err("adapter func 1: instruction 1 (call-adapter 2): adapter calls form a cycle: adapter func 1 -> adapter func 2 -> adapter func 3 -> adapter func 1");
        assert_eq!((e.func(), e.instr()), (Some(1), Some(1)));
        assert!(!e.message().contains("adapter func 0"), "{e}");
        // A diamond is not a cycle.
        let mut b = B::default();
        b.func(&[], &[], vec![CallAdapter(1), CallAdapter(2)]);
        b.func(&[], &[], vec![CallAdapter(3)]);
        b.func(&[], &[], vec![CallAdapter(3)]);
        b.func(&[], &[], vec![]);
        b.ok();
    }

    #[test]
    fn structural_types_across_adapters() {
        let mut b = B::default();
        let p = b.ty(rec(&[("x", S32), ("y", String)]));
        let q = b.ty(rec(&[("x", S32), ("y", String)]));
        let r = b.ty(rec(&[("x", S32), ("z", String)]));
        let imp = b.import(&[Type(q)], &[]);
        let f = b.func(&[Type(p)], &[], vec![ArgGet(0), CallAdapter(imp)]);
        b.export("f", f);
        b.ok();
        b.0.funcs[0].ty = b.sig(&[Type(r)], &[]);
        b.err("expected record { x: s32, y: string } on the stack, found record { x: s32, z: string } (param 0)");
    }

    #[test]
    fn exports() {
        let mut b = one(&[], &[], vec![]);
        b.export("g", 0);
        b.ok();
        b.export("f", 0);
        let e = b.err("duplicate export name \"f\" (adapter func 0 and adapter func 0)");
        assert_eq!((e.func(), e.instr()), (Some(0), None));
        b.0.exports.pop();
        b.export("h", 1);
        let e = b.err("export \"h\": adapter func 1 out of bounds: there is 1 adapter func");
        assert_eq!((e.func(), e.instr()), (None, None));
        // Imported adapters may be exported.
        let mut b = B::default();
        let i = b.import(&[String], &[String]);
        b.export("again", i);
        b.ok();
    }

    #[test]
    fn implements() {
        let mut b = B::default();
        let log = b.import(&[String], &[]);
        let f = b.func(
            &[I32, I32],
            &[],
            vec![ArgGet(0), ArgGet(1), m2s(), CallAdapter(log)],
        );
        b.implement(0, f);
        b.ok();
        b.implement(0, f);
        let e = b.err(
            "adapter func 1 (implements core func $log_) (implements core func $log_): implement 1: \
             core func $log_ (import \"env\" \"log_\") is already implemented by implement 0",
        );
        assert_eq!((e.func(), e.instr()), (Some(1), None));
        b.0.implements[1] = Implement {
            core_func: 9,
            adapter_func: f,
        };
        b.err("implement 1: core func $unit is not an import; an adapter can only implement a core import");
        b.0.implements[1] = Implement {
            core_func: 99,
            adapter_func: f,
        };
        b.err("implement 1: core func 99 out of bounds");
        b.0.implements[1] = Implement {
            core_func: 1,
            adapter_func: 7,
        };
        let e = b.err("implement 1: adapter func 7 out of bounds: there are 2 adapter funcs");
        assert_eq!(e.func(), None);
        // Exactly the core import's type.
        b.0.implements[1] = Implement {
            core_func: 1,
            adapter_func: f,
        };
        b.err("adapter func 1 (implements core func $log_) (implements core func $n_): implement 1: the adapter has type [i32 i32] -> [], but core func $n_ (import \"env\" \"n_\") has type [] -> [i32]");
        b.0.implements.pop();
        b.0.funcs[0].ty = b.sig(&[S32, I32], &[]);
        b.0.funcs[0].instrs = vec![];
        b.err("the adapter has type [s32 i32] -> [], but core func $log_");
        // An interface import may implement a core import directly.
        let mut b = B::default();
        let n = b.import(&[], &[I32]);
        b.implement(1, n);
        b.ok();
        let mut b = B::default();
        let n = b.import(&[], &[U32]);
        b.implement(1, n);
        b.err("adapter func 0 (import \"host\" \"i0\") (implements core func $n_): implement 0: the adapter has type [] -> [u32]");
    }

    #[test]
    fn signatures_must_be_function_types() {
        let mut b = B::default();
        let t = b.ty(TypeDef::List(U8));
        b.0.imports.push(Import {
            module: "m".into(),
            name: "n".into(),
            ty: t,
        });
        let e = b.err("adapter func 0 (import \"m\" \"n\"): its type 0 is a list definition, not a function type");
        assert_eq!((e.func(), e.instr()), (Some(0), None));
        b.0.imports[0].ty = 5;
        b.err("its type 5 is not defined (the booklet has 1 type)");
        let mut b = B::default();
        let t = b.ty(TypeDef::Enum(vec!["a".into()]));
        b.0.funcs.push(Func {
            ty: t,
            instrs: vec![],
        });
        let e = b.err("adapter func 0: its type 0 is a enum definition, not a function type");
        assert_eq!(e.func(), Some(0));
    }

    #[test]
    fn type_definitions() {
        let err = |defs: Vec<TypeDef>, want: &str| {
            let b = B(Booklet {
                types: defs,
                ..Booklet::default()
            });
            let e = b.err(want);
            assert_eq!((e.func(), e.instr()), (None, None));
        };
        let func = TypeDef::Func(FuncType::default());
        err(
            vec![TypeDef::List(Type(1)), TypeDef::List(U8)],
            "type 0: refers to type 1; a definition may only refer to definitions before it",
        );
        err(
            vec![TypeDef::Option(Type(0))],
            "type 0: refers to type 0; a definition may only refer",
        );
        err(
            vec![TypeDef::Tuple(vec![Type(4)])],
            "type 0: refers to type 4, which is not defined",
        );
        err(
            vec![func.clone(), TypeDef::List(Type(0))],
            "type 1: refers to type 0, a function type, where a value type is expected",
        );
        err(
            vec![
                TypeDef::Func(FuncType {
                    params: vec![Type(1)],
                    results: vec![],
                }),
                TypeDef::List(U8),
            ],
            "type 0: refers to type 1; a definition",
        );
        err(
            vec![TypeDef::Record(vec![])],
            "type 0: a record needs at least one field",
        );
        err(
            vec![TypeDef::Variant(vec![])],
            "a variant needs at least one case",
        );
        err(
            vec![TypeDef::Enum(vec![])],
            "an enum needs at least one case",
        );
        err(
            vec![rec(&[("x", U8), ("x", U16)])],
            "field name \"x\" appears twice",
        );
        err(
            vec![var(&[("a", None), ("a", Some(U8))])],
            "case name \"a\" appears twice",
        );
        err(
            vec![TypeDef::Enum(vec!["a".into(), "a".into()])],
            "case name \"a\" appears twice",
        );
        err(
            vec![TypeDef::Flags(vec!["r".into(), "r".into()])],
            "flag name \"r\" appears twice",
        );
        err(
            vec![var(&[("r", Some(Externref)), ("n", Some(U32))])],
            "type 0: variant { r(externref), n(u32) } has no flat form: variant cases need externref and i32 in one flat position",
        );
        err(
            vec![TypeDef::Result {
                ok: Some(Externref),
                err: Some(String),
            }],
            "has no flat form",
        );
        // Depth.
        let mut deep = vec![TypeDef::List(U8)];
        for i in 0..MAX_DEPTH {
            deep.push(TypeDef::Option(Type(i)));
        }
        err(
            deep.clone(),
            &format!(
                "type {MAX_DEPTH}: definitions nest 101 levels deep here; at most 100 are allowed"
            ),
        );
        deep.pop();
        B(Booklet {
            types: deep,
            ..Booklet::default()
        })
        .ok();
        // Names.
        let mut b = B(Booklet {
            types: vec![TypeDef::Tuple(vec![])],
            ..Booklet::default()
        });
        b.0.type_names.insert(0, "unit".into());
        b.ok();
        b.0.type_names.insert(3, "ghost".into());
        b.err("the name \"ghost\" is given to type 3, which is not defined");
        b.0.type_names.remove(&3);
        b.0.types.push(TypeDef::Func(FuncType::default()));
        b.0.type_names.insert(1, "f".into());
        b.err("the name \"f\" is given to type 1, a function type; only value types are named");
        b.0.type_names.remove(&1);
        b.0.types.pop();
        b.0.types[0] = TypeDef::Record(vec![]);
        b.err("type 0 (unit): a record needs at least one field");
        // Allowed: empty flags and tuples, externref in options and records,
        // list<externref> (unusable in memory, but a type).
        B(Booklet {
            types: vec![
                TypeDef::Flags(vec![]),
                TypeDef::Tuple(vec![]),
                TypeDef::Option(Externref),
                rec(&[("r", Externref)]),
                TypeDef::List(Externref),
                var(&[("a", Some(Externref)), ("b", Some(Type(2))), ("c", None)]),
            ],
            ..Booklet::default()
        })
        .err("variant cases need externref and i32");
    }

    #[test]
    fn records() {
        let mut b = B::default();
        let p = b.ty(rec(&[("x", S32), ("y", String)]));
        let t = b.ty(TypeDef::Tuple(vec![U8, F64]));
        let o = b.ty(TypeDef::Option(U8));
        let f = b.func(
            &[S32, String],
            &[Type(p)],
            vec![ArgGet(0), ArgGet(1), RecordLift(Type(p))],
        );
        b.export("f", f);
        b.ok();
        b.func(
            &[Type(p)],
            &[S32, String],
            vec![ArgGet(0), RecordLower(Type(p))],
        );
        b.func(
            &[U8, F64],
            &[Type(t)],
            vec![ArgGet(0), ArgGet(1), RecordLift(Type(t))],
        );
        b.func(
            &[Type(t)],
            &[U8, F64],
            vec![ArgGet(0), RecordLower(Type(t))],
        );
        b.ok();
        b.func(
            &[String, S32],
            &[Type(p)],
            vec![ArgGet(0), ArgGet(1), RecordLift(Type(p))],
        );
        b.err("adapter func 4: instruction 2 (record.lift record { x: s32, y: string }): expected string on the stack, found s32 (field \"y\")");
        b.0.funcs.pop();
        b.func(&[U8], &[Type(o)], vec![ArgGet(0), RecordLift(Type(o))]);
        b.err("record.lift needs a record or tuple type, found option<u8>");
        b.0.funcs.pop();
        b.func(&[U8], &[], vec![RecordLower(U8)]);
        b.err("record.lower needs a record or tuple type, found u8");
        b.0.funcs.pop();
        b.func(&[U8], &[], vec![RecordLower(Type(77))]);
        b.err("instruction 0 (record.lower (type 77)): type 77 is not defined");
        b.0.funcs.pop();
        b.func(&[U8], &[], vec![RecordLower(Type(3))]);
        b.err("type 3 is a function type, not a value type");
        b.0.funcs.pop();
        b.func(&[Type(t)], &[], vec![ArgGet(0), RecordLower(Type(p))]);
        b.err("expected record { x: s32, y: string } on the stack, found tuple<u8, f64>");
    }

    fn lift(ty: ValType, m: u32) -> Instruction {
        ValueLift { ty, mem: mem(m) }
    }

    fn lower(ty: ValType, malloc: u32) -> Instruction {
        ValueLower {
            ty,
            malloc,
            mem: mem(0),
        }
    }

    #[test]
    fn value_lift_and_lower() {
        let mut b = B::default();
        let r = b.ty(TypeDef::Result {
            ok: Some(S32),
            err: Some(String),
        });
        let p = b.ty(rec(&[("x", S32), ("y", F32)]));
        let v = b.ty(var(&[("f", Some(F32)), ("u", Some(U64))]));
        let oe = b.ty(TypeDef::Option(Externref));
        b.func(
            &[I32, I32, I32],
            &[Type(r)],
            vec![ArgGet(0), ArgGet(1), ArgGet(2), lift(Type(r), 0)],
        );
        b.func(
            &[Type(r)],
            &[I32, I32, I32],
            vec![ArgGet(0), lower(Type(r), 2)],
        );
        b.func(
            &[Type(r)],
            &[I32, I32, I32],
            vec![ArgGet(0), lower(Type(r), 3)],
        );
        b.func(
            &[I32, F32],
            &[Type(p)],
            vec![ArgGet(0), ArgGet(1), lift(Type(p), 0)],
        );
        b.func(
            &[I32, I64],
            &[Type(v)],
            vec![ArgGet(0), ArgGet(1), lift(Type(v), 0)],
        );
        b.func(&[Type(v)], &[I32, I64], vec![ArgGet(0), lower(Type(v), 2)]);
        b.func(
            &[I32, Externref],
            &[Type(oe)],
            vec![ArgGet(0), ArgGet(1), lift(Type(oe), 0)],
        );
        b.func(&[I32], &[U8], vec![ArgGet(0), lift(U8, 0)]);
        b.ok();
        let c = core();
        // Scalars need no memory; strings do.
        let mut nomem = c.clone();
        nomem.memories.clear();
        let mut s = B::default();
        let p = s.ty(rec(&[("x", S32), ("y", F32)]));
        s.func(
            &[I32, F32],
            &[Type(p)],
            vec![ArgGet(0), ArgGet(1), lift(Type(p), 0)],
        );
        s.func(&[Type(p)], &[I32, F32], vec![ArgGet(0), lower(Type(p), 2)]);
        validate(&s.0, &nomem).unwrap();
        s.func(
            &[I32, I32],
            &[String],
            vec![ArgGet(0), ArgGet(1), lift(String, 0)],
        );
        let e = validate(&s.0, &nomem).unwrap_err();
        assert!(
            e.message()
                .contains("instruction 2 (value.lift string): memory 0 out of bounds"),
            "{e}"
        );
        s.0.funcs.pop();
        s.func(&[String], &[I32, I32], vec![ArgGet(0), lower(String, 2)]);
        assert!(validate(&s.0, &nomem).is_err());
        s.0.funcs.pop();
        // The allocator of value.lower is checked even for scalars.
        s.func(&[U8], &[I32], vec![ArgGet(0), lower(U8, 99)]);
        let e = validate(&s.0, &nomem).unwrap_err();
        assert!(
            e.message()
                .contains("(value.lower u8 99): malloc: core func 99 out of bounds"),
            "{e}"
        );
        s.0.funcs.pop();
        s.func(&[U8], &[I32], vec![ArgGet(0), lower(U8, 4)]);
        assert!(validate(&s.0, &nomem)
            .unwrap_err()
            .message()
            .contains("malloc core func $free has type"));
        // Stack typing.
        let mut b2 = B::default();
        let r = b2.ty(TypeDef::Result {
            ok: Some(S32),
            err: Some(String),
        });
        b2.func(
            &[I32, I64, I32],
            &[Type(r)],
            vec![ArgGet(0), ArgGet(1), ArgGet(2), lift(Type(r), 0)],
        );
        b2.err("instruction 3 (value.lift result<s32, string>): expected i32 on the stack, found i64 (flat value 1)");
        b2.0.funcs[0] = Func {
            ty: b2.sig(&[S32], &[]),
            instrs: vec![ArgGet(0), lower(Type(r), 2)],
        };
        b2.err("expected result<s32, string> on the stack, found s32");
        // Types without a flat form.
        let mut b3 = B::default();
        let le = b3.ty(TypeDef::List(Externref));
        b3.func(
            &[I32, I32],
            &[],
            vec![ArgGet(0), ArgGet(1), lift(Type(le), 0)],
        );
        b3.err("(value.lift list<externref>): list<externref> has no flat form: externref cannot be stored in linear memory");
        b3.0.funcs[0].instrs = vec![lift(Type(9), 0)];
        b3.err("type 9 is not defined");
    }

    #[test]
    fn value_load_and_store() {
        let mut b = B::default();
        let p = b.ty(rec(&[("x", S32), ("y", String)]));
        let oe = b.ty(TypeDef::Option(Externref));
        let st = |ty, malloc| ValueStore {
            ty,
            malloc,
            mem: mem(0),
        };
        let new = |ty, malloc| ValueStoreNew {
            ty,
            malloc,
            mem: mem(0),
        };
        let load = |ty, m| ValueLoad { ty, mem: mem(m) };
        b.func(&[I32], &[Type(p)], vec![ArgGet(0), load(Type(p), 0)]);
        b.func(
            &[I32, Type(p)],
            &[],
            vec![ArgGet(0), ArgGet(1), st(Type(p), 3)],
        );
        b.func(&[Type(p)], &[I32], vec![ArgGet(0), new(Type(p), 2)]);
        b.func(&[I32], &[U64], vec![ArgGet(0), load(U64, 0)]);
        b.ok();
        // Memory is needed even for scalars.
        let mut nomem = core();
        nomem.memories.clear();
        let e = validate(&b.0, &nomem).unwrap_err();
        assert!(e.message().contains("memory 0 out of bounds"), "{e}");
        let mut s = B::default();
        s.func(&[I32], &[U64], vec![ArgGet(0), load(U64, 0)]);
        assert!(validate(&s.0, &nomem)
            .unwrap_err()
            .message()
            .contains("(value.load u64): memory 0 out of bounds"));
        // Order of value.store's operands: [i32 ptr, T].
        let mut b = B::default();
        let p = b.ty(rec(&[("x", S32)]));
        b.func(
            &[Type(p), I32],
            &[],
            vec![ArgGet(0), ArgGet(1), st(Type(p), 2)],
        );
        b.err("instruction 2 (value.store record { x: s32 } $malloc): expected record { x: s32 } on the stack, found i32");
        b.0.funcs[0].instrs = vec![ArgGet(1), ArgGet(0), st(Type(p), 7)];
        b.err("malloc core func $mixed has type [i32 i64] -> []");
        b.0.funcs[0].instrs = vec![ArgGet(1), ArgGet(0), st(Type(p), 2)];
        b.ok();
        // externref cannot be stored.
        let mut b = B::default();
        b.ty(TypeDef::List(U8));
        let oe2 = b.ty(TypeDef::Option(Externref));
        b.func(&[Type(oe2)], &[I32], vec![ArgGet(0), new(Type(oe2), 2)]);
        b.err("option<externref> cannot be stored in linear memory: externref cannot be stored in linear memory");
        b.0.funcs[0].instrs = vec![ArgGet(0), load(Externref, 0)];
        b.err("(value.load externref): externref cannot be stored");
        b.0.funcs[0].instrs = vec![ArgGet(0), load(U8, 3)];
        b.err("(value.load u8 3): memory 3 out of bounds");
        let _ = oe;
    }

    #[test]
    fn stack_height_is_bounded() {
        let b = one(&[U8], &[], vec![ArgGet(0); MAX_STACK + 1]);
        b.err(&format!(
            "instruction {MAX_STACK} (arg.get 0): the value stack grows beyond {MAX_STACK} values"
        ));
    }

    /// Random booklets with random (mostly out-of-range or ill-typed)
    /// contents: validation answers without panicking.
    #[test]
    fn garbage_does_not_panic() {
        struct Rng(u64);
        impl Rng {
            fn below(&mut self, n: u64) -> u64 {
                self.0 ^= self.0 << 13;
                self.0 ^= self.0 >> 7;
                self.0 ^= self.0 << 17;
                self.0 % n.max(1)
            }
            fn ty(&mut self, ntypes: u64) -> ValType {
                const PRIMS: [ValType; 9] = [U8, S32, I32, I64, F32, String, Externref, Bool, Char];
                if self.below(3) == 0 {
                    Type(self.below(ntypes + 2) as u32)
                } else {
                    PRIMS[self.below(9) as usize]
                }
            }
        }
        let mut r = Rng(0x2545_f491_4f6c_dd1d);
        let c = core();
        for _ in 0..3000 {
            let mut b = Booklet::default();
            let n = r.below(6);
            for _ in 0..n {
                let def = match r.below(9) {
                    0 => TypeDef::Func(FuncType {
                        params: vec![r.ty(n), r.ty(n)],
                        results: vec![r.ty(n)],
                    }),
                    1 => rec(&[("a", r.ty(n)), ("b", r.ty(n))]),
                    2 => var(&[("a", Some(r.ty(n))), ("b", None), ("c", Some(r.ty(n)))]),
                    3 => TypeDef::Enum(vec!["a".into()]),
                    4 => TypeDef::Flags(vec!["a".into(); r.below(3) as usize]),
                    5 => TypeDef::List(r.ty(n)),
                    6 => TypeDef::Option(r.ty(n)),
                    7 => TypeDef::Result {
                        ok: Some(r.ty(n)),
                        err: None,
                    },
                    _ => TypeDef::Tuple(vec![r.ty(n), r.ty(n), r.ty(n)]),
                };
                b.types.push(def);
            }
            // Mostly function types for the adapters' signatures.
            for _ in 0..3 {
                let def = TypeDef::Func(FuncType {
                    params: vec![r.ty(n), r.ty(n)],
                    results: vec![r.ty(n)],
                });
                b.types.push(def);
            }
            let nfuncs = r.below(4);
            for _ in 0..nfuncs {
                let instrs = (0..r.below(8))
                    .map(|_| {
                        let ty = r.ty(n);
                        let m = MemArg {
                            mem: r.below(2) as u32,
                            encoding: StringEncoding::Utf8,
                        };
                        let f = r.below(15) as u32;
                        match r.below(14) {
                            0 => ArgGet(r.below(3) as u32),
                            1 => CallCore(f),
                            2 => MemoryToString {
                                mem: m.mem,
                                encoding: StringEncoding::Utf16,
                            },
                            3 => StringToMemory {
                                malloc: f,
                                mem: m.mem,
                                encoding: StringEncoding::Utf8,
                            },
                            4 => CallAdapter(r.below(nfuncs + 1) as u32),
                            5 => DeferCallCore(f),
                            6 => Convert(
                                Conversion::ALL[r.below(Conversion::ALL.len() as u64) as usize],
                            ),
                            7 => RecordLift(ty),
                            8 => RecordLower(ty),
                            9 => ValueLift { ty, mem: m },
                            10 => ValueLower {
                                ty,
                                malloc: f,
                                mem: m,
                            },
                            11 => ValueLoad { ty, mem: m },
                            12 => ValueStore {
                                ty,
                                malloc: f,
                                mem: m,
                            },
                            _ => ValueStoreNew {
                                ty,
                                malloc: f,
                                mem: m,
                            },
                        }
                    })
                    .collect();
                b.funcs.push(Func {
                    ty: r.below(n + 4) as u32,
                    instrs,
                });
            }
            for i in 0..r.below(3) {
                b.exports.push(Export {
                    name: format!("e{}", i % 2),
                    func: r.below(nfuncs + 1) as u32,
                });
            }
            for _ in 0..r.below(3) {
                let (core_func, adapter_func) = (r.below(3) as u32, r.below(nfuncs + 1) as u32);
                b.implements.push(Implement {
                    core_func,
                    adapter_func,
                });
            }
            let _ = validate(&b, &c);
        }
    }
}
