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
    //! The validator's cases are data: `tests/errors/validate/*.wat`, each
    //! with its `.err` (see `tests/all/errors.rs`). What stays here is not
    //! worth a file: a booklet no decoder produces, an adapter of 65,537
    //! instructions, and random booklets.
    use super::*;
    use crate::instr::{Conversion, MemArg};
    use crate::types::{Case, Field};
    use crate::{Export, Func, Implement};
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

    /// A name for a type that does not exist: the decoder refuses it
    /// already (`tests/errors/binary/type-names-unknown-type.hex`), so only
    /// a booklet built in Rust reaches this check.
    #[test]
    fn name_of_an_undefined_type() {
        let mut b = Booklet {
            types: vec![TypeDef::Tuple(vec![])],
            ..Booklet::default()
        };
        b.type_names.insert(3, "ghost".into());
        let e = validate(&b, &core()).unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::Validation);
        assert_eq!(
            e.to_string(),
            "the name \"ghost\" is given to type 3, which is not defined"
        );
        assert_eq!((e.func(), e.instr()), (None, None));
    }

    /// 65,537 instructions: generated here rather than written as a data
    /// file of that many lines.
    #[test]
    fn stack_height_is_bounded() {
        let mut b = Booklet::default();
        b.types.push(TypeDef::Func(FuncType {
            params: vec![U8],
            results: vec![],
        }));
        b.funcs.push(Func {
            ty: 0,
            instrs: vec![ArgGet(0); MAX_STACK + 1],
        });
        b.exports.push(Export {
            name: "f".into(),
            func: 0,
        });
        let e = validate(&b, &core()).unwrap_err();
        assert_eq!(
            e.to_string(),
            format!(
                "adapter func 0 (export \"f\"): instruction {MAX_STACK} (arg.get 0): \
                 the value stack grows beyond {MAX_STACK} values"
            )
        );
        assert_eq!((e.func(), e.instr()), (Some(0), Some(MAX_STACK)));
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
