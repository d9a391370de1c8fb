//! The typed adapter IR: what validation learns about each adapter, kept.
//!
//! Validation types every stack slot at every instruction anyway; [`typed`]
//! runs it and returns that knowledge so that consumers (the adapter
//! compiler in `intertype-adapt` today; the engine's plan builder and the JS
//! emitter, which still walk the stack themselves, are to move onto it) do
//! not re-derive it with a walker of their own:
//!
//! * per instruction, the types it popped and pushed and the stack height
//!   before it ([`TypedInstr`]); the whole stack at any point is
//!   [`TypedAdapter::stack_before`];
//! * per type that appears anywhere, its resolved canonical layout and flat
//!   form ([`TypeFacts`]).
//!
//! The types recorded for pops are the ones the instruction asked for
//! (structurally equal to what was on the stack); a pushed value keeps the
//! type its producer gave it.

use crate::core::CoreModule;
use crate::instr::Instruction;
use crate::layout::{Layout, Layouts};
use crate::types::{CoreType, FuncType, ValType};
use crate::{Booklet, Result};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// The stack effect of one instruction, as validation found it.
///
/// The type lists are shared between instructions with equal lists: what an
/// instruction pops and pushes is determined by its immediates, so the
/// memory the IR takes is bounded by the distinct immediates of the input,
/// not by (instructions × values moved), which a hostile booklet could make
/// large (100,000 calls of a core function with 1,000 parameters).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Effect {
    /// Stack height before the instruction.
    pub height: usize,
    /// The types popped (as the instruction asked for them; structurally
    /// equal to what was on the stack), bottom first.
    pub pops: Arc<[ValType]>,
    /// The types pushed, bottom first.
    pub pushes: Arc<[ValType]>,
}

/// Shares equal type lists.
#[derive(Debug, Default)]
pub(crate) struct Interner {
    lists: HashMap<Vec<ValType>, Arc<[ValType]>>,
}

impl Interner {
    pub fn intern(&mut self, list: &[ValType]) -> Arc<[ValType]> {
        if let Some(a) = self.lists.get(list) {
            return a.clone();
        }
        let a: Arc<[ValType]> = list.into();
        self.lists.insert(list.to_vec(), a.clone());
        a
    }
}

/// One instruction with its stack effect.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TypedInstr {
    pub instr: Instruction,
    pub effect: Effect,
}

/// One adapter function body, typed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TypedAdapter {
    /// Adapter function index (interface imports first).
    pub func: u32,
    pub ty: FuncType,
    pub instrs: Vec<TypedInstr>,
}

impl TypedAdapter {
    /// The types on the stack before instruction `k` (`k == instrs.len()`
    /// gives the stack at `end`, which equals the results), bottom first.
    pub fn stack_before(&self, k: usize) -> Vec<ValType> {
        let mut stack = Vec::new();
        for t in &self.instrs[..k.min(self.instrs.len())] {
            stack.truncate(t.effect.height - t.effect.pops.len());
            stack.extend_from_slice(&t.effect.pushes);
        }
        stack
    }
}

/// The canonical facts of one value type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TypeFacts {
    /// Size and alignment, when the type can live in linear memory.
    pub layout: Option<Layout>,
    /// The flat form, when the type has one.
    pub flat: Option<Vec<CoreType>>,
}

/// A validated booklet with every adapter body typed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TypedBooklet {
    /// One per `booklet.funcs` entry, in order.
    pub adapters: Vec<TypedAdapter>,
    /// Every type on any stack or in any type immediate or signature.
    pub types: BTreeMap<ValType, TypeFacts>,
}

impl TypedBooklet {
    /// The typed body of adapter function `func` (imports first), if it is
    /// a function with a body.
    pub fn adapter(&self, func: u32, booklet: &Booklet) -> Option<&TypedAdapter> {
        let k = (func as usize).checked_sub(booklet.imports.len())?;
        self.adapters.get(k)
    }
}

/// Validates `booklet` against `core` (exactly as
/// [`validate`](crate::validate::validate)) and returns the typed IR.
pub fn typed(booklet: &Booklet, core: &CoreModule) -> Result<TypedBooklet> {
    let effects = crate::validate::run(booklet, core, true)?;
    let base = booklet.imports.len() as u32;
    let mut cx = Layouts::new(&booklet.types);
    let mut types = BTreeMap::new();
    let mut note = |t: ValType, types: &mut BTreeMap<ValType, TypeFacts>| {
        types.entry(t).or_insert_with(|| TypeFacts {
            layout: cx.layout(t).ok(),
            flat: cx.flatten(t).ok(),
        });
    };
    let mut adapters = Vec::with_capacity(booklet.funcs.len());
    let mut seen = std::collections::HashSet::new();
    for (k, (func, effects)) in booklet.funcs.iter().zip(effects).enumerate() {
        let ty = booklet.func_type(func.ty).cloned().unwrap_or_default();
        for t in ty.params.iter().chain(&ty.results) {
            note(*t, &mut types);
        }
        let instrs = func
            .instrs
            .iter()
            .zip(effects)
            .map(|(instr, effect)| {
                for list in [&effect.pops, &effect.pushes] {
                    // Shared lists are looked at once.
                    if seen.insert(Arc::as_ptr(list) as *const ValType as usize) {
                        for t in list.iter() {
                            note(*t, &mut types);
                        }
                    }
                }
                if let Some(t) = instr.type_immediate() {
                    note(t, &mut types);
                }
                TypedInstr {
                    instr: instr.clone(),
                    effect,
                }
            })
            .collect();
        adapters.push(TypedAdapter {
            func: base + k as u32,
            ty,
            instrs,
        });
    }
    for import in &booklet.imports {
        if let Some(f) = booklet.func_type(import.ty) {
            for t in f.params.iter().chain(&f.results) {
                note(*t, &mut types);
            }
        }
    }
    Ok(TypedBooklet { adapters, types })
}
