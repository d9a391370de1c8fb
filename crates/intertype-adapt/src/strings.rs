//! String helpers of the adapter module: validation of one encoding, and
//! transcoding between two (a counting pass that validates and sizes the
//! output, then a writing pass). One helper per (encodings, memories) used,
//! generated on demand; memory indices are immediates in wasm, so a helper is
//! specific to the memories it reads and writes.
//!
//! Helpers never trap on guest data: they return a sentinel and the fused
//! function fails with the right code (so deferred calls still run).

use crate::code::Body;
use intertype::StringEncoding;
use wasm_encoder::{InstructionSink, MemArg, ValType};

/// What a helper does; also its cache key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Helper {
    /// `(ptr, len) -> i32`: 0 when the `len` code units at `ptr` are valid
    /// in `enc`, 1 when not.
    Validate { enc: StringEncoding, mem: u32 },
    /// `(ptr, len) -> i64`: the code units the string takes in `to`;
    /// [`INVALID`] when it is not valid in `from`, [`UNREPRESENTABLE`] when
    /// `to` cannot represent it.
    Count {
        from: StringEncoding,
        to: StringEncoding,
        mem: u32,
    },
    /// `(ptr, len, dst)`: writes the (validated) string into `dst_mem` at
    /// `dst` in `to`.
    Transcode {
        from: StringEncoding,
        to: StringEncoding,
        src_mem: u32,
        dst_mem: u32,
    },
}

pub(crate) const INVALID: i64 = -1;
pub(crate) const UNREPRESENTABLE: i64 = -2;

impl Helper {
    pub fn name(&self) -> String {
        match self {
            Helper::Validate { enc, mem } => format!("validate {enc} in memory {mem}"),
            Helper::Count { from, to, mem } => {
                format!("count {from} in memory {mem} as {to}")
            }
            Helper::Transcode {
                from,
                to,
                src_mem,
                dst_mem,
            } => format!("transcode {from} in memory {src_mem} to {to} in memory {dst_mem}"),
        }
    }

    pub fn body(&self) -> Body {
        use ValType::{I32, I64};
        match *self {
            Helper::Validate { enc, mem } => {
                let mut b = Body::new(vec![I32, I32], vec![I32]);
                let l = Loop::new(&mut b, enc, 0, 1);
                l.run(&mut b, enc, mem, true, |_, _| {});
                // Loop falls through on success; `run` returns 1 on invalid.
                b.sink().i32_const(0).end();
                b
            }
            Helper::Count { from, to, mem } => {
                let mut b = Body::new(vec![I32, I32], vec![I64]);
                let n = b.local(I64);
                let l = Loop::new(&mut b, from, 0, 1);
                l.run_count(&mut b, from, to, mem, n);
                b.sink().local_get(n).end();
                b
            }
            Helper::Transcode {
                from,
                to,
                src_mem,
                dst_mem,
            } => {
                let mut b = Body::new(vec![I32, I32, I32], vec![]);
                let q = 2;
                let l = Loop::new(&mut b, from, 0, 1);
                l.run(&mut b, from, src_mem, false, |b, cp| {
                    encode(b, to, dst_mem, cp, q)
                });
                b.sink().end();
                b
            }
        }
    }
}

fn mem8(mem: u32, offset: u64) -> MemArg {
    MemArg {
        offset,
        align: 0,
        memory_index: mem,
    }
}

/// The decoding loop over `[ptr, ptr + len units)`.
struct Loop {
    p: u32,
    end: u32,
    cp: u32,
    b0: u32,
    b1: u32,
    b2: u32,
    b3: u32,
}

impl Loop {
    fn new(b: &mut Body, enc: StringEncoding, ptr: u32, len: u32) -> Loop {
        use ValType::I32;
        let l = Loop {
            p: b.local(I32),
            end: b.local(I32),
            cp: b.local(I32),
            b0: b.local(I32),
            b1: b.local(I32),
            b2: b.local(I32),
            b3: b.local(I32),
        };
        let mut s = b.sink();
        s.local_get(ptr).local_tee(l.p).local_get(len);
        if enc == StringEncoding::Utf16 {
            s.i32_const(1).i32_shl();
        }
        s.i32_add().local_set(l.end);
        l
    }

    /// Decodes every code point and calls `each` with the local holding it.
    /// On invalid input: returns 1 from the function when `validate` (a
    /// validation helper), else traps (the input was validated before).
    fn run(
        &self,
        b: &mut Body,
        enc: StringEncoding,
        mem: u32,
        validate: bool,
        mut each: impl FnMut(&mut Body, u32),
    ) {
        // block $done { block $invalid { loop $l { … } } <invalid> }
        b.block();
        b.block();
        b.loop_();
        if validate && enc == StringEncoding::Utf8 {
            self.ascii_run(b, mem, None);
        }
        b.sink()
            .local_get(self.p)
            .local_get(self.end)
            .i32_ge_u()
            .br_if(2);
        self.decode(b, enc, mem, 1);
        each(b, self.cp);
        b.sink().br(0);
        b.end();
        b.end();
        if validate {
            b.sink().i32_const(1).return_();
        } else {
            b.sink().unreachable();
        }
        b.end();
    }

    /// Like [`run`] for a counting helper: accumulates into `n` (i64).
    fn run_count(&self, b: &mut Body, from: StringEncoding, to: StringEncoding, mem: u32, n: u32) {
        b.block();
        b.block();
        b.loop_();
        if from == StringEncoding::Utf8 {
            self.ascii_run(b, mem, Some(n));
        }
        b.sink()
            .local_get(self.p)
            .local_get(self.end)
            .i32_ge_u()
            .br_if(2);
        self.decode(b, from, mem, 1);
        let cp = self.cp;
        let mut s = b.sink();
        match to {
            StringEncoding::Utf8 => {
                s.local_get(n)
                    .i32_const(1)
                    .local_get(cp)
                    .i32_const(0x80)
                    .i32_ge_u()
                    .i32_add()
                    .local_get(cp)
                    .i32_const(0x800)
                    .i32_ge_u()
                    .i32_add()
                    .local_get(cp)
                    .i32_const(0x10000)
                    .i32_ge_u()
                    .i32_add()
                    .i64_extend_i32_u()
                    .i64_add()
                    .local_set(n);
            }
            StringEncoding::Utf16 => {
                s.local_get(n)
                    .i32_const(1)
                    .local_get(cp)
                    .i32_const(0x10000)
                    .i32_ge_u()
                    .i32_add()
                    .i64_extend_i32_u()
                    .i64_add()
                    .local_set(n);
            }
            StringEncoding::Latin1 => {
                s.local_get(cp)
                    .i32_const(0xff)
                    .i32_gt_u()
                    .if_(wasm_encoder::BlockType::Empty)
                    .i64_const(UNREPRESENTABLE)
                    .return_()
                    .end()
                    .local_get(n)
                    .i64_const(1)
                    .i64_add()
                    .local_set(n);
            }
        }
        b.sink().br(0);
        b.end();
        b.end();
        b.sink().i64_const(INVALID).return_();
        b.end();
    }

    /// Skips runs of ASCII bytes (counting them into `n` when given): 64
    /// at a time with SIMD (`i8x16.bitmask` of the OR of four vectors
    /// collects the high bits), then 8 at a time. Emitted at the head of the
    /// loop (label 0 is the loop).
    fn ascii_run(&self, b: &mut Body, mem: u32, n: Option<u32>) {
        let v = |offset| MemArg {
            offset,
            align: 0,
            memory_index: mem,
        };
        let mut s = b.sink();
        s.block(wasm_encoder::BlockType::Empty)
            .loop_(wasm_encoder::BlockType::Empty)
            .local_get(self.end)
            .local_get(self.p)
            .i32_sub()
            .i32_const(64)
            .i32_lt_u()
            .br_if(1)
            .local_get(self.p)
            .v128_load(v(0))
            .local_get(self.p)
            .v128_load(v(16))
            .v128_or()
            .local_get(self.p)
            .v128_load(v(32))
            .v128_or()
            .local_get(self.p)
            .v128_load(v(48))
            .v128_or()
            .i8x16_bitmask()
            .br_if(1)
            .local_get(self.p)
            .i32_const(64)
            .i32_add()
            .local_set(self.p);
        if let Some(n) = n {
            s.local_get(n).i64_const(64).i64_add().local_set(n);
        }
        s.br(0).end().end();
        // block $slow { loop $fast { … } }
        s.block(wasm_encoder::BlockType::Empty)
            .loop_(wasm_encoder::BlockType::Empty)
            .local_get(self.end)
            .local_get(self.p)
            .i32_sub()
            .i32_const(8)
            .i32_lt_u()
            .br_if(1)
            .local_get(self.p)
            .i64_load(MemArg {
                offset: 0,
                align: 0,
                memory_index: mem,
            })
            .i64_const(0x8080_8080_8080_8080u64 as i64)
            .i64_and()
            .i64_eqz()
            .i32_eqz()
            .br_if(1)
            .local_get(self.p)
            .i32_const(8)
            .i32_add()
            .local_set(self.p);
        if let Some(n) = n {
            s.local_get(n).i64_const(8).i64_add().local_set(n);
        }
        s.br(0).end().end();
    }

    /// Decodes one code point at `p` into `cp` and advances `p`; on invalid
    /// input branches to label `inv` (counted from the position where this
    /// is emitted).
    fn decode(&self, b: &mut Body, enc: StringEncoding, mem: u32, inv: u32) {
        let (p, end, cp) = (self.p, self.end, self.cp);
        let s = &mut b.sink();
        // block $dec: everything below is inside it, so `inv + 1`.
        s.block(wasm_encoder::BlockType::Empty);
        let inv = inv + 1;
        match enc {
            StringEncoding::Latin1 => {
                s.local_get(p)
                    .i32_load8_u(mem8(mem, 0))
                    .local_set(cp)
                    .local_get(p)
                    .i32_const(1)
                    .i32_add()
                    .local_set(p);
            }
            StringEncoding::Utf16 => {
                let u = self.b0;
                s.local_get(p)
                    .i32_load16_u(mem8(mem, 0))
                    .local_tee(u)
                    .local_set(cp)
                    .local_get(u)
                    .i32_const(0xf800)
                    .i32_and()
                    .i32_const(0xd800)
                    .i32_ne()
                    .if_(wasm_encoder::BlockType::Empty)
                    .local_get(p)
                    .i32_const(2)
                    .i32_add()
                    .local_set(p)
                    .br(1)
                    .end()
                    // A surrogate: it must be a high one followed by a low one.
                    .local_get(u)
                    .i32_const(0xdc00)
                    .i32_ge_u()
                    .br_if(inv)
                    .local_get(end)
                    .local_get(p)
                    .i32_sub()
                    .i32_const(4)
                    .i32_lt_u()
                    .br_if(inv)
                    .local_get(p)
                    .i32_load16_u(mem8(mem, 2))
                    .local_tee(self.b1)
                    .i32_const(0xfc00)
                    .i32_and()
                    .i32_const(0xdc00)
                    .i32_ne()
                    .br_if(inv)
                    .local_get(u)
                    .i32_const(0xd800)
                    .i32_sub()
                    .i32_const(10)
                    .i32_shl()
                    .local_get(self.b1)
                    .i32_const(0xdc00)
                    .i32_sub()
                    .i32_add()
                    .i32_const(0x10000)
                    .i32_add()
                    .local_set(cp)
                    .local_get(p)
                    .i32_const(4)
                    .i32_add()
                    .local_set(p);
            }
            StringEncoding::Utf8 => self.decode_utf8(s, mem, inv),
        }
        s.end();
    }

    fn decode_utf8(&self, s: &mut InstructionSink<'_>, mem: u32, inv: u32) {
        let (p, end, cp, b0) = (self.p, self.end, self.cp, self.b0);
        let advance = |s: &mut InstructionSink<'_>, n: i32| {
            s.local_get(p).i32_const(n).i32_add().local_set(p);
        };
        // Branches to `inv` from depth `extra` inside $dec.
        let need = |s: &mut InstructionSink<'_>, n: i32, inv: u32| {
            s.local_get(end)
                .local_get(p)
                .i32_sub()
                .i32_const(n)
                .i32_lt_u()
                .br_if(inv);
        };
        let cont = |s: &mut InstructionSink<'_>, k: u64, into: u32, inv: u32| {
            s.local_get(p)
                .i32_load8_u(mem8(mem, k))
                .local_tee(into)
                .i32_const(0xc0)
                .i32_and()
                .i32_const(0x80)
                .i32_ne()
                .br_if(inv);
        };
        let bits = |s: &mut InstructionSink<'_>, local: u32, mask: i32, shift: i32| {
            s.local_get(local).i32_const(mask).i32_and();
            if shift != 0 {
                s.i32_const(shift).i32_shl();
            }
        };
        s.local_get(p)
            .i32_load8_u(mem8(mem, 0))
            .local_tee(b0)
            .local_set(cp)
            // ASCII
            .local_get(b0)
            .i32_const(0x80)
            .i32_lt_u()
            .if_(wasm_encoder::BlockType::Empty);
        advance(s, 1);
        s.br(1).end();
        s.local_get(b0).i32_const(0xc2).i32_lt_u().br_if(inv);
        s.local_get(b0).i32_const(0xf5).i32_ge_u().br_if(inv);
        // Two bytes.
        s.local_get(b0)
            .i32_const(0xe0)
            .i32_lt_u()
            .if_(wasm_encoder::BlockType::Empty);
        need(s, 2, inv + 1);
        cont(s, 1, self.b1, inv + 1);
        bits(s, b0, 0x1f, 6);
        bits(s, self.b1, 0x3f, 0);
        s.i32_or().local_set(cp);
        advance(s, 2);
        s.br(1).end();
        // Three bytes.
        s.local_get(b0)
            .i32_const(0xf0)
            .i32_lt_u()
            .if_(wasm_encoder::BlockType::Empty);
        need(s, 3, inv + 1);
        cont(s, 1, self.b1, inv + 1);
        cont(s, 2, self.b2, inv + 1);
        bits(s, b0, 0x0f, 12);
        bits(s, self.b1, 0x3f, 6);
        s.i32_or();
        bits(s, self.b2, 0x3f, 0);
        s.i32_or()
            .local_tee(cp)
            .i32_const(0x800)
            .i32_lt_u()
            .br_if(inv + 1);
        s.local_get(cp)
            .i32_const(0xfffff800u32 as i32)
            .i32_and()
            .i32_const(0xd800)
            .i32_eq()
            .br_if(inv + 1);
        advance(s, 3);
        s.br(1).end();
        // Four bytes.
        need(s, 4, inv);
        cont(s, 1, self.b1, inv);
        cont(s, 2, self.b2, inv);
        cont(s, 3, self.b3, inv);
        bits(s, b0, 0x07, 18);
        bits(s, self.b1, 0x3f, 12);
        s.i32_or();
        bits(s, self.b2, 0x3f, 6);
        s.i32_or();
        bits(s, self.b3, 0x3f, 0);
        s.i32_or()
            .local_tee(cp)
            .i32_const(0x10000)
            .i32_lt_u()
            .br_if(inv);
        s.local_get(cp).i32_const(0x10ffff).i32_gt_u().br_if(inv);
        advance(s, 4);
    }
}

/// Writes code point `cp` at `q` in `mem` in `enc` and advances `q`.
fn encode(b: &mut Body, enc: StringEncoding, mem: u32, cp: u32, q: u32) {
    let mut s = b.sink();
    let store8 = |s: &mut InstructionSink<'_>, k: u64, f: &dyn Fn(&mut InstructionSink<'_>)| {
        s.local_get(q);
        f(s);
        s.i32_store8(mem8(mem, k));
    };
    let adv = |s: &mut InstructionSink<'_>, n: i32| {
        s.local_get(q).i32_const(n).i32_add().local_set(q);
    };
    let lead = |mask: i32, shift: i32| {
        move |s: &mut InstructionSink<'_>| {
            s.local_get(cp)
                .i32_const(shift)
                .i32_shr_u()
                .i32_const(mask)
                .i32_or();
        }
    };
    let trail = |shift: i32| {
        move |s: &mut InstructionSink<'_>| {
            s.local_get(cp);
            if shift != 0 {
                s.i32_const(shift).i32_shr_u();
            }
            s.i32_const(0x3f).i32_and().i32_const(0x80).i32_or();
        }
    };
    match enc {
        StringEncoding::Latin1 => {
            store8(&mut s, 0, &|s| {
                s.local_get(cp);
            });
            adv(&mut s, 1);
        }
        StringEncoding::Utf16 => {
            let m16 = |k| MemArg {
                offset: k,
                align: 0,
                memory_index: mem,
            };
            s.local_get(cp)
                .i32_const(0x10000)
                .i32_lt_u()
                .if_(wasm_encoder::BlockType::Empty)
                .local_get(q)
                .local_get(cp)
                .i32_store16(m16(0));
            adv(&mut s, 2);
            s.else_()
                .local_get(q)
                .local_get(cp)
                .i32_const(0x10000)
                .i32_sub()
                .i32_const(10)
                .i32_shr_u()
                .i32_const(0xd800)
                .i32_or()
                .i32_store16(m16(0))
                .local_get(q)
                .local_get(cp)
                .i32_const(0x3ff)
                .i32_and()
                .i32_const(0xdc00)
                .i32_or()
                .i32_store16(m16(2));
            adv(&mut s, 4);
            s.end();
        }
        StringEncoding::Utf8 => {
            let block = wasm_encoder::BlockType::Empty;
            s.block(block);
            s.local_get(cp).i32_const(0x80).i32_lt_u().if_(block);
            store8(&mut s, 0, &|s| {
                s.local_get(cp);
            });
            adv(&mut s, 1);
            s.br(1).end();
            s.local_get(cp).i32_const(0x800).i32_lt_u().if_(block);
            store8(&mut s, 0, &lead(0xc0, 6));
            store8(&mut s, 1, &trail(0));
            adv(&mut s, 2);
            s.br(1).end();
            s.local_get(cp).i32_const(0x10000).i32_lt_u().if_(block);
            store8(&mut s, 0, &lead(0xe0, 12));
            store8(&mut s, 1, &trail(6));
            store8(&mut s, 2, &trail(0));
            adv(&mut s, 3);
            s.br(1).end();
            store8(&mut s, 0, &lead(0xf0, 18));
            store8(&mut s, 1, &trail(12));
            store8(&mut s, 2, &trail(6));
            store8(&mut s, 3, &trail(0));
            adv(&mut s, 4);
            s.end();
        }
    }
}
