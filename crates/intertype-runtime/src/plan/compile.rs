//! The plan compiler: walks each adapter's instructions with a typed stack
//! and emits register code ([`Op`]s), fast plans and the memory slots it uses.

use super::*;
use crate::error::Error;
use intertype::core::CoreModule;
use intertype::{Booklet, Instruction, MemArg};

struct Compiler<'a> {
    booklet: &'a Booklet,
    core: &'a CoreModule,
    func_slots: BTreeMap<u32, CoreSlot>,
    mem_slots: BTreeMap<u32, MemSlot>,
    plans: Plans,
}

/// Compiles every adapter of `booklet`.
pub(crate) fn compile(
    booklet: &Booklet,
    core: &CoreModule,
    labels: &dyn Fn(u32) -> String,
) -> Result<Plans, Error> {
    check_acyclic(booklet)?;
    let mut c = Compiler {
        booklet,
        core,
        func_slots: BTreeMap::new(),
        mem_slots: BTreeMap::new(),
        plans: Plans::default(),
    };
    for import in &booklet.imports {
        let ty = c.func_type(import.ty).map_err(|e| {
            e.context(format!(
                "in interface import `{}` `{}`",
                import.module, import.name
            ))
        })?;
        c.plans.adapters.push(AdapterPlan::Import {
            module: import.module.clone(),
            name: import.name.clone(),
            ty,
        });
    }
    for (i, f) in booklet.funcs.iter().enumerate() {
        let idx = (booklet.imports.len() + i) as u32;
        let label = labels(idx);
        let plan = c
            .func(label.clone(), f)
            .map_err(|e| e.context(format!("in {label}")))?;
        c.plans.adapters.push(AdapterPlan::Func(plan));
    }
    for imp in &booklet.implements {
        let label = labels(imp.adapter_func);
        let Some(core_func) = core.funcs.get(imp.core_func as usize) else {
            return Err(Error::load(format!(
                "`implement` names core function {} which does not exist",
                imp.core_func
            )));
        };
        if core_func.import.is_none() {
            return Err(Error::load(format!(
                "`implement` names core function {} which is not an import",
                imp.core_func
            )));
        }
        let Some((params, results)) = core_func.ty.known() else {
            return Err(Error::load(format!(
                "core import {} has a type adapters cannot handle",
                imp.core_func
            )));
        };
        let Some(plan) = c.plans.func(imp.adapter_func) else {
            return Err(Error::load(format!(
                "`implement` names adapter {} which does not exist",
                imp.adapter_func
            )));
        };
        let ty = match plan {
            AdapterPlan::Func(p) => &p.ty,
            AdapterPlan::Import { ty, .. } => ty,
        };
        let want = FuncType::new(
            params.into_iter().map(core_type),
            results.into_iter().map(core_type),
        );
        if *ty != want {
            return Err(Error::load(format!(
                "{label} implements core import {} of type {want} but has type {ty}",
                imp.core_func
            )));
        }
        if c.plans
            .implements
            .insert(imp.core_func, imp.adapter_func)
            .is_some()
        {
            return Err(Error::load(format!(
                "core import {} is implemented twice",
                imp.core_func
            )));
        }
    }
    for e in &booklet.exports {
        if c.plans.func(e.func).is_none() {
            return Err(Error::load(format!(
                "export `{}` names adapter {} which does not exist",
                e.name, e.func
            )));
        }
    }
    c.plans.adapted = c.func_slots.keys().copied().collect();
    Ok(c.plans)
}

/// Adapter calls may not be recursive; a cycle would recurse without bound.
fn check_acyclic(booklet: &Booklet) -> Result<(), Error> {
    let n_imports = booklet.imports.len();
    let n = n_imports + booklet.funcs.len();
    // 0 = unvisited, 1 = on the stack, 2 = done
    let mut state = vec![0u8; n];
    for root in n_imports..n {
        if state[root] != 0 {
            continue;
        }
        // Iterative DFS: (node, next instruction to look at).
        let mut stack = vec![(root, 0usize)];
        state[root] = 1;
        while let Some((node, pos)) = stack.last_mut() {
            let instrs = &booklet.funcs[*node - n_imports].instrs;
            let next = instrs[*pos..]
                .iter()
                .position(|i| matches!(i, Instruction::CallAdapter(_)));
            match next {
                None => {
                    state[*node] = 2;
                    stack.pop();
                }
                Some(off) => {
                    let at = *pos + off;
                    *pos = at + 1;
                    let Instruction::CallAdapter(callee) = instrs[at] else {
                        continue;
                    };
                    let callee = callee as usize;
                    if callee < n_imports || callee >= n {
                        continue; // imports are leaves; bad indices are reported by the compiler
                    }
                    match state[callee] {
                        0 => {
                            state[callee] = 1;
                            stack.push((callee, 0));
                        }
                        1 => {
                            return Err(Error::load(format!(
                                "adapter {callee} calls itself through `call-adapter` (adapter calls may not be recursive)"
                            )))
                        }
                        _ => {}
                    }
                }
            }
        }
    }
    Ok(())
}

impl Compiler<'_> {
    fn func_type(&self, idx: u32) -> Result<FuncType, Error> {
        let ft = self
            .booklet
            .func_type(idx)
            .ok_or_else(|| Error::load(format!("type {idx} is not a function type")))?;
        Ok(FuncType {
            params: ft
                .params
                .iter()
                .map(|t| Type::from_booklet(self.booklet, *t))
                .collect::<Result<_, _>>()?,
            results: ft
                .results
                .iter()
                .map(|t| Type::from_booklet(self.booklet, *t))
                .collect::<Result<_, _>>()?,
        })
    }

    fn core_slot(&mut self, idx: u32) -> Result<(CoreSlot, Vec<CoreType>, Vec<CoreType>), Error> {
        let f = self
            .core
            .funcs
            .get(idx as usize)
            .ok_or_else(|| Error::load(format!("core function {idx} does not exist")))?;
        let (params, results) = f.ty.known().ok_or_else(|| {
            Error::load(format!(
                "core function {} has type {}, which adapters cannot call",
                self.core.func_label(idx),
                f.ty
            ))
        })?;
        let next = self.plans.core_funcs.len() as u32;
        let slot = *self.func_slots.entry(idx).or_insert(next);
        if slot == next {
            self.plans.core_funcs.push(idx);
        }
        Ok((slot, params, results))
    }

    fn mem_slot(&mut self, idx: u32) -> Result<MemSlot, Error> {
        match self.core.memories.get(idx as usize) {
            None => return Err(Error::load(format!("memory {idx} does not exist"))),
            Some(true) => {
                return Err(Error::load(format!(
                    "memory {idx} is 64-bit; adapters support 32-bit memories only"
                )))
            }
            Some(false) => {}
        }
        let next = self.plans.memories.len() as u32;
        let slot = *self.mem_slots.entry(idx).or_insert(next);
        if slot == next {
            self.plans.memories.push(idx);
        }
        Ok(slot)
    }

    fn malloc(&mut self, idx: u32) -> Result<Malloc, Error> {
        let (func, params, results) = self.core_slot(idx)?;
        use CoreType::I32;
        match (params.as_slice(), results.as_slice()) {
            ([I32], [I32]) | ([I32, I32], [I32]) | ([I32, I32, I32, I32], [I32]) => {}
            _ => {
                return Err(Error::load(format!(
                    "allocator {} must have type [i32] -> [i32], [i32 i32] -> [i32] or [i32 i32 i32 i32] -> [i32]",
                    self.core.func_label(idx)
                )))
            }
        };
        Ok(Malloc {
            func,
            realloc: params.len() == 4,
        })
    }

    fn mem_arg(&mut self, m: MemArg) -> Result<MemArgSlot, Error> {
        Ok(MemArgSlot {
            mem: self.mem_slot(m.mem)?,
            encoding: m.encoding,
        })
    }

    fn shape(&self, t: intertype::ValType) -> Result<(Type, Shape), Error> {
        let ty = Type::from_booklet(self.booklet, t)?;
        let shape = Shape::new(&ty)?;
        Ok((ty, shape))
    }

    fn func(&mut self, label: String, f: &intertype::Func) -> Result<FuncPlan, Error> {
        let ty = self.func_type(f.ty)?;
        let mut b = Builder {
            stack: Vec::new(),
            regs: 0,
            ints: 0,
            strs: 0,
            kept: HashSet::new(),
        };
        let mut ops = Vec::new();
        let mut deferred = Vec::new();
        let mut uses_externref = ty.params.iter().chain(&ty.results).any(Type::has_externref);
        for (i, instr) in f.instrs.iter().enumerate() {
            let at = |e: Error| e.context(format!("at instruction {i} `{}`", instr.mnemonic()));
            let op = self.instr(&ty, &mut b, &mut deferred, instr).map_err(at)?;
            if let Some(op) = op {
                ops.push((i as u32, op));
            }
            uses_externref |= b.stack.iter().any(|(_, t)| t.has_externref());
        }
        // The stack must hold exactly the results.
        let found: Vec<&Type> = b.stack.iter().map(|(_, t)| t).collect();
        if found.len() != ty.results.len() || found.iter().zip(&ty.results).any(|(a, b)| *a != b) {
            return Err(Error::load(format!(
                "at the end the stack holds [{}] but the adapter returns [{}]",
                list(found.iter().copied()),
                list(ty.results.iter())
            )));
        }
        let results: Box<[Operand]> = b.stack.iter().map(|(o, _)| *o).collect();
        // Registers a deferred call peeks at are copied, not moved, by their
        // other readers.
        let keep = |o: &mut Operand| {
            if let Operand::Reg(r) = *o {
                if b.kept.contains(&r) {
                    *o = Operand::Keep(r);
                }
            }
        };
        let mut results = results;
        results.iter_mut().for_each(keep);
        for (_, op) in &mut ops {
            op.operands_mut(&mut |o| keep(o));
        }
        for d in &mut deferred {
            d.args.iter_mut().for_each(&keep);
        }
        let mut plan = FuncPlan {
            label,
            ty,
            ops,
            regs: b.regs,
            ints: b.ints,
            strs: b.strs,
            results,
            deferred,
            uses_externref,
            fast: None,
            scalar: None,
        };
        plan.fast = FastPlan::new(&plan);
        plan.scalar = ScalarPlan::new(&plan, &|slot| {
            let idx = *self.plans.core_funcs.get(slot as usize)?;
            self.core.funcs.get(idx as usize)?.ty.known()
        });
        Ok(plan)
    }

    fn instr(
        &mut self,
        fty: &FuncType,
        b: &mut Builder,
        deferred: &mut Vec<Deferred>,
        instr: &Instruction,
    ) -> Result<Option<Op>, Error> {
        use Type as T;
        Ok(Some(match instr {
            Instruction::ArgGet(n) => {
                let t = fty.params.get(*n as usize).ok_or_else(|| {
                    Error::load(format!(
                        "parameter {n} does not exist ({} parameters)",
                        fty.params.len()
                    ))
                })?;
                b.stack.push((Operand::Arg(*n), t.clone()));
                return Ok(None);
            }
            Instruction::CallCore(f) => {
                let (func, params, results) = self.core_slot(*f)?;
                let args =
                    b.pop_types(&params.iter().map(|t| core_type(*t)).collect::<Vec<_>>())?;
                let dsts: Box<[Dst]> = results.iter().map(|t| b.push(core_type(*t))).collect();
                match I32Call::new(func, &params, &results, &args, &dsts) {
                    Some(call) => Op::CallI32(call),
                    None => Op::CallCore {
                        func,
                        args,
                        results: dsts,
                    },
                }
            }
            Instruction::CallAdapter(f) => {
                let ty = match self.plans.func(*f) {
                    Some(AdapterPlan::Import { ty, .. }) => ty.clone(),
                    Some(AdapterPlan::Func(p)) => p.ty.clone(),
                    None => {
                        // A later adapter (the call graph is acyclic, but may point forward).
                        let idx = self.booklet.adapter_func_type_index(*f).ok_or_else(|| {
                            Error::load(format!("adapter function {f} does not exist"))
                        })?;
                        self.func_type(idx)?
                    }
                };
                let args = b.pop_types(&ty.params)?;
                let results = ty.results.iter().map(|t| b.push(t.clone())).collect();
                Op::CallAdapter {
                    func: *f,
                    args,
                    results,
                }
            }
            Instruction::DeferCallCore(f) => {
                let (func, params, results) = self.core_slot(*f)?;
                if !results.is_empty() {
                    return Err(Error::load(
                        "a deferred core function must not return values",
                    ));
                }
                let n = params.len();
                if b.stack.len() < n {
                    return Err(Error::load(format!(
                        "needs {n} values on the stack, found {}",
                        b.stack.len()
                    )));
                }
                let top = &b.stack[b.stack.len() - n..];
                for ((_, found), want) in top.iter().zip(&params) {
                    if *found != core_type(*want) {
                        return Err(Error::load(format!(
                            "expected [{}] on top of the stack, found [{}]",
                            list(
                                params
                                    .iter()
                                    .map(|t| core_type(*t))
                                    .collect::<Vec<_>>()
                                    .iter()
                            ),
                            list(top.iter().map(|(_, t)| t))
                        )));
                    }
                }
                let args: Box<[Operand]> = top.iter().map(|(o, _)| *o).collect();
                for a in args.iter() {
                    if let Operand::Reg(r) = a {
                        b.kept.insert(*r);
                    }
                }
                let fast = I32Call::new(func, &params, &results, &args, &[]);
                deferred.push(Deferred { func, args, fast });
                Op::Defer {
                    ordinal: deferred.len() as u32 - 1,
                }
            }
            Instruction::MemoryToString { mem, encoding } => {
                let mem = self.mem_slot(*mem)?;
                let [ptr, len] = b.pop_n::<2>(&[T::I32, T::I32])?;
                Op::MemoryToString {
                    mem,
                    encoding: *encoding,
                    ptr,
                    len,
                    dst: b.push(T::String),
                }
            }
            Instruction::StringToMemory {
                malloc,
                mem,
                encoding,
            } => {
                let malloc = self.malloc(*malloc)?;
                let mem = self.mem_slot(*mem)?;
                let [src] = b.pop_n::<1>(&[T::String])?;
                let ptr = b.push(T::I32);
                let len = b.push(T::I32);
                Op::StringToMemory {
                    mem,
                    encoding: *encoding,
                    malloc,
                    src,
                    ptr,
                    len,
                }
            }
            Instruction::Convert(conv) => {
                let from = Type::from_booklet(self.booklet, conv.from())?;
                let to = Type::from_booklet(self.booklet, conv.to())?;
                let [src] = b.pop_n::<1>(&[from])?;
                Op::Convert {
                    conv: *conv,
                    src,
                    dst: b.push(to),
                }
            }
            Instruction::RecordLift(t) => {
                let ty = Type::from_booklet(self.booklet, *t)?;
                let (fields, tuple) = record_fields(&ty)?;
                let fields = b.pop_types(&fields)?;
                Op::RecordLift {
                    tuple,
                    fields,
                    dst: b.push(ty),
                }
            }
            Instruction::RecordLower(t) => {
                let ty = Type::from_booklet(self.booklet, *t)?;
                let (fields, _) = record_fields(&ty)?;
                let [src] = b.pop_n::<1>(&[ty])?;
                Op::RecordLower {
                    src,
                    dsts: fields.into_iter().map(|f| b.push(f)).collect(),
                }
            }
            Instruction::ValueLift { ty, mem } => {
                let (ty, shape) = self.shape(*ty)?;
                let flat: Vec<Type> = shape.flat.iter().map(|t| core_type(*t)).collect();
                let src = b.pop_types(&flat)?;
                let mem = if needs_memory(&shape) {
                    Some(self.mem_arg(*mem)?)
                } else {
                    None
                };
                Op::ValueLift {
                    shape: Box::new(shape),
                    mem,
                    src,
                    dst: b.push(ty),
                }
            }
            Instruction::ValueLower { ty, malloc, mem } => {
                let (ty, shape) = self.shape(*ty)?;
                let [src] = b.pop_n::<1>(&[ty])?;
                let (mem, malloc) = if needs_memory(&shape) {
                    (Some(self.mem_arg(*mem)?), Some(self.malloc(*malloc)?))
                } else {
                    (None, None)
                };
                let dsts = shape.flat.iter().map(|t| b.push(core_type(*t))).collect();
                Op::ValueLower {
                    shape: Box::new(shape),
                    mem,
                    malloc,
                    src,
                    dsts,
                }
            }
            Instruction::ValueLoad { ty, mem } => {
                let (ty, shape) = self.shape(*ty)?;
                storable(&ty, &shape)?;
                let mem = self.mem_arg(*mem)?;
                let [ptr] = b.pop_n::<1>(&[T::I32])?;
                Op::ValueLoad {
                    shape: Box::new(shape),
                    mem,
                    ptr,
                    dst: b.push(ty),
                }
            }
            Instruction::ValueStore { ty, malloc, mem } => {
                let (ty, shape) = self.shape(*ty)?;
                storable(&ty, &shape)?;
                let mem = self.mem_arg(*mem)?;
                let malloc = if needs_memory(&shape) {
                    Some(self.malloc(*malloc)?)
                } else {
                    None
                };
                let [ptr, src] = b.pop_n::<2>(&[T::I32, ty])?;
                Op::ValueStore {
                    shape: Box::new(shape),
                    mem,
                    malloc,
                    ptr,
                    src,
                }
            }
            Instruction::ValueStoreNew { ty, malloc, mem } => {
                let (ty, shape) = self.shape(*ty)?;
                storable(&ty, &shape)?;
                let mem = self.mem_arg(*mem)?;
                let malloc = self.malloc(*malloc)?;
                let [src] = b.pop_n::<1>(&[ty])?;
                Op::ValueStoreNew {
                    shape: Box::new(shape),
                    mem,
                    malloc,
                    src,
                    dst: b.push(T::I32),
                }
            }
        }))
    }
}

fn storable(ty: &Type, shape: &Shape) -> Result<(), Error> {
    if shape.storable {
        Ok(())
    } else {
        Err(Error::load(format!(
            "type `{ty}` contains `externref` and cannot be stored in linear memory"
        )))
    }
}

/// Whether lifting or lowering the type touches linear memory (strings and
/// lists do).
fn needs_memory(shape: &Shape) -> bool {
    use crate::shape::Kind;
    match &shape.kind {
        Kind::String | Kind::List(_) => true,
        Kind::Record { fields, .. } => fields.iter().any(|(_, s)| needs_memory(s)),
        Kind::Variant { cases, .. } => cases.iter().flatten().any(needs_memory),
        _ => false,
    }
}

fn record_fields(ty: &Type) -> Result<(Vec<Type>, bool), Error> {
    match ty {
        Type::Record(fs) => Ok((fs.iter().map(|f| f.ty.clone()).collect(), false)),
        Type::Tuple(ts) => Ok((ts.clone(), true)),
        _ => Err(Error::load(format!(
            "expected a record or tuple type, found `{ty}`"
        ))),
    }
}

fn list<'a>(ts: impl Iterator<Item = &'a Type>) -> String {
    ts.map(|t| t.to_string()).collect::<Vec<_>>().join(" ")
}

struct Builder {
    stack: Vec<(Operand, Type)>,
    regs: u32,
    ints: u32,
    strs: u32,
    kept: HashSet<u32>,
}

impl Builder {
    /// A new register for a value of type `t`: core `i32`s get an unboxed one.
    fn push(&mut self, t: Type) -> Dst {
        if t == Type::I32 {
            let r = self.ints;
            self.ints += 1;
            self.stack.push((Operand::Int(r), t));
            return Dst::Int(r);
        }
        if t == Type::String {
            let r = self.strs;
            self.strs += 1;
            self.stack.push((Operand::Str(r), t));
            return Dst::Str(r);
        }
        let r = self.regs;
        self.regs += 1;
        self.stack.push((Operand::Reg(r), t));
        Dst::Val(r)
    }

    /// Pops values of types `want` (the last on top).
    fn pop_types(&mut self, want: &[Type]) -> Result<Box<[Operand]>, Error> {
        let n = want.len();
        if self.stack.len() < n {
            return Err(Error::load(format!(
                "expected [{}] on the stack, found only [{}]",
                list(want.iter()),
                list(self.stack.iter().map(|(_, t)| t))
            )));
        }
        let top = self.stack.split_off(self.stack.len() - n);
        for ((_, found), w) in top.iter().zip(want) {
            if found != w {
                return Err(Error::load(format!(
                    "expected [{}] on top of the stack, found [{}]",
                    list(want.iter()),
                    list(top.iter().map(|(_, t)| t))
                )));
            }
        }
        Ok(top.into_iter().map(|(o, _)| o).collect())
    }

    fn pop_n<const N: usize>(&mut self, want: &[Type; N]) -> Result<[Operand; N], Error> {
        let v = self.pop_types(want)?;
        let mut out = [Operand::Arg(0); N];
        out.copy_from_slice(&v);
        Ok(out)
    }
}

impl Op {
    fn operands_mut(&mut self, f: &mut dyn FnMut(&mut Operand)) {
        match self {
            Op::CallCore { args, .. } | Op::CallAdapter { args, .. } => args.iter_mut().for_each(f),
            Op::RecordLift { fields: args, .. } | Op::ValueLift { src: args, .. } => {
                args.iter_mut().for_each(f)
            }
            Op::Defer { .. } | Op::CallI32(_) => {}
            Op::MemoryToString { ptr, len, .. } => {
                f(ptr);
                f(len);
            }
            Op::StringToMemory { src, .. }
            | Op::Convert { src, .. }
            | Op::RecordLower { src, .. }
            | Op::ValueLower { src, .. }
            | Op::ValueStoreNew { src, .. } => f(src),
            Op::ValueLoad { ptr, .. } => f(ptr),
            Op::ValueStore { ptr, src, .. } => {
                f(ptr);
                f(src);
            }
        }
    }
}
