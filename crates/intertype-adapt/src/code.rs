//! Function bodies under construction: instruction bytes whose call targets
//! are resolved when the module is assembled (function imports must come
//! before defined functions, and which imports a module needs is known only
//! once every body is written), and the bookkeeping of one fused function:
//! its locals, its block depth and its single failure exit.

use crate::fault::Fault;
use wasm_encoder::{BlockType, InstructionSink, ValType};

/// A function of the adapter module, before indices are final.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum FuncRef {
    /// The `n`th imported function.
    Import(u32),
    /// The `n`th helper (string validation and transcoding).
    Helper(u32),
}

/// Instruction bytes plus the calls to patch in.
#[derive(Default, Debug)]
pub(crate) struct Code {
    pub bytes: Vec<u8>,
    /// `(position in bytes, callee)`: a `call` whose index goes there.
    pub calls: Vec<(usize, FuncRef)>,
}

impl Code {
    pub fn sink(&mut self) -> InstructionSink<'_> {
        InstructionSink::new(&mut self.bytes)
    }

    pub fn call(&mut self, f: FuncRef) {
        self.bytes.push(0x10);
        self.calls.push((self.bytes.len(), f));
    }

    /// The final bytes, with `index(callee)` written into every call.
    pub fn resolve(&self, index: impl Fn(FuncRef) -> u32) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.bytes.len() + 5 * self.calls.len());
        let mut at = 0;
        for &(pos, f) in &self.calls {
            out.extend_from_slice(&self.bytes[at..pos]);
            intertype::binary::write_u32_leb128(&mut out, index(f));
            at = pos;
        }
        out.extend_from_slice(&self.bytes[at..]);
        out
    }
}

/// One function being written: parameters, locals added on demand, and the
/// depth of blocks so that a failure can branch to the exit.
pub(crate) struct Body {
    pub params: Vec<ValType>,
    pub results: Vec<ValType>,
    pub locals: Vec<ValType>,
    pub code: Code,
    /// Blocks open, the failure block (the outermost) included.
    depth: u32,
    /// The local that holds the fault code on the way to the exit.
    pub fault_local: Option<u32>,
}

impl Body {
    pub fn new(params: Vec<ValType>, results: Vec<ValType>) -> Body {
        Body {
            params,
            results,
            locals: Vec::new(),
            code: Code::default(),
            depth: 0,
            fault_local: None,
        }
    }

    pub fn local(&mut self, ty: ValType) -> u32 {
        self.locals.push(ty);
        (self.params.len() + self.locals.len() - 1) as u32
    }

    pub fn sink(&mut self) -> InstructionSink<'_> {
        self.code.sink()
    }

    pub fn block(&mut self) {
        self.depth += 1;
        self.code.sink().block(BlockType::Empty);
    }

    pub fn loop_(&mut self) {
        self.depth += 1;
        self.code.sink().loop_(BlockType::Empty);
    }

    /// `if` on the i32 on the stack.
    pub fn if_(&mut self) {
        self.depth += 1;
        self.code.sink().if_(BlockType::Empty);
    }

    pub fn end(&mut self) {
        self.depth -= 1;
        self.code.sink().end();
    }

    /// Leaves for the failure exit with `fault`.
    pub fn fail(&mut self, fault: Fault) {
        let local = self
            .fault_local
            .expect("a body that can fail has a fault local");
        let label = self.depth - 1;
        self.code
            .sink()
            .i32_const(fault.code() as i32)
            .local_set(local)
            .br(label);
    }

    /// Fails with `fault` when the i32 on the stack is not zero.
    pub fn fail_if(&mut self, fault: Fault) {
        self.if_();
        self.fail(fault);
        self.end();
    }

    pub fn call(&mut self, f: FuncRef) {
        self.code.call(f);
    }
}
