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
    /// `(dst, src, bytes)`: copies `bytes` (checked) bytes from `src_mem`
    /// to `dst_mem`; short runs inline, longer ones with `memory.copy` (an
    /// engine call: worth it only past a few words).
    Copy { src_mem: u32, dst_mem: u32 },
}

/// The longest copy the [`Helper::Copy`] does with loads and stores.
const INLINE_COPY_MAX: i32 = 32;

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
            Helper::Copy { src_mem, dst_mem } => {
                format!("copy memory {src_mem} to memory {dst_mem}")
            }
        }
    }

    pub fn body(&self) -> Body {
        use ValType::{I32, I64};
        match *self {
            Helper::Validate { enc, mem } => {
                let mut b = Body::new(vec![I32, I32], vec![I32]);
                let l = Loop::new(&mut b, enc, 0, 1);
                let ascii = (enc == StringEncoding::Utf8).then_some(None);
                l.run(&mut b, enc, mem, ascii, Invalid::ReturnI32(1), |_, _| {});
                b.sink().i32_const(0).end();
                b
            }
            Helper::Count { from, to, mem } => {
                let mut b = Body::new(vec![I32, I32], vec![I64]);
                let n = b.local(I64);
                let l = Loop::new(&mut b, from, 0, 1);
                let ascii = (from == StringEncoding::Utf8).then_some(Some(n));
                l.run(
                    &mut b,
                    from,
                    mem,
                    ascii,
                    Invalid::ReturnI64(INVALID),
                    |b, cp| count_units(b, to, cp, n),
                );
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
                l.run(&mut b, from, src_mem, None, Invalid::Trap, |b, cp| {
                    encode(b, to, dst_mem, cp, q)
                });
                b.sink().end();
                b
            }
            Helper::Copy { src_mem, dst_mem } => copy_body(src_mem, dst_mem),
        }
    }
}

/// The [`Helper::Copy`] body. A run of `bytes` between `w` and `2w` is
/// two accesses of width `w`, one at each end (they may overlap: the two
/// sides never do), for `w` from 16 down to 1; zero bytes copy nothing.
fn copy_body(src_mem: u32, dst_mem: u32) -> Body {
    use ValType::I32;
    let (dst, src, bytes) = (0, 1, 2);
    let mut b = Body::new(vec![I32, I32, I32], vec![]);
    let mut s = b.sink();
    s.local_get(bytes)
        .i32_const(INLINE_COPY_MAX)
        .i32_gt_u()
        .if_(wasm_encoder::BlockType::Empty)
        .local_get(dst)
        .local_get(src)
        .local_get(bytes)
        .memory_copy(dst_mem, src_mem)
        .return_()
        .end();
    for w in [16, 8, 4, 2, 1] {
        let at = |s: &mut InstructionSink<'_>, base: u32, end: bool| {
            s.local_get(base);
            if end {
                s.local_get(bytes).i32_add().i32_const(w).i32_sub();
            }
        };
        s.local_get(bytes)
            .i32_const(w)
            .i32_ge_u()
            .if_(wasm_encoder::BlockType::Empty);
        for end in [false, true] {
            if w == 1 && end {
                break;
            }
            at(&mut s, dst, end);
            at(&mut s, src, end);
            let (m_src, m_dst) = (mem8(src_mem, 0), mem8(dst_mem, 0));
            match w {
                16 => s.v128_load(m_src).v128_store(m_dst),
                8 => s.i64_load(m_src).i64_store(m_dst),
                4 => s.i32_load(m_src).i32_store(m_dst),
                2 => s.i32_load16_u(m_src).i32_store16(m_dst),
                _ => s.i32_load8_u(m_src).i32_store8(m_dst),
            };
        }
        s.return_().end();
    }
    s.end();
    b
}

/// What a decoding loop does with invalid input.
#[derive(Clone, Copy)]
enum Invalid {
    /// Returns this i32 (a validation helper).
    ReturnI32(i32),
    /// Returns this i64 (a counting helper).
    ReturnI64(i64),
    /// Traps: the input was validated before.
    Trap,
}

/// The UTF-8 sequences longer than one byte, by length: the lead bytes that
/// start one are below `lead_below` (and at least the previous row's), the
/// lead carries `lead_bits` of the code point and is marked with
/// `lead_mark`, and the code point is at least `min` (a smaller one is an
/// overlong form). Decoding, encoding and counting all read this table.
struct Utf8Seq {
    len: u32,
    lead_below: i32,
    lead_bits: i32,
    lead_mark: i32,
    min: i32,
}

const UTF8_SEQS: [Utf8Seq; 3] = [
    Utf8Seq {
        len: 2,
        lead_below: 0xe0,
        lead_bits: 0x1f,
        lead_mark: 0xc0,
        min: 0x80,
    },
    Utf8Seq {
        len: 3,
        lead_below: 0xf0,
        lead_bits: 0x0f,
        lead_mark: 0xe0,
        min: 0x800,
    },
    Utf8Seq {
        len: 4,
        lead_below: 0xf5,
        lead_bits: 0x07,
        lead_mark: 0xf0,
        min: 0x10000,
    },
];

/// The code points at which `enc` needs one more code unit (each row adds
/// one unit from its code point on), and the largest it can hold.
fn unit_steps(enc: StringEncoding) -> (&'static [i32], Option<i32>) {
    match enc {
        StringEncoding::Utf8 => (&[0x80, 0x800, 0x10000], None),
        StringEncoding::Utf16 => (&[0x10000], None),
        StringEncoding::Latin1 => (&[], Some(0xff)),
    }
}

/// Adds the code units code point `cp` takes in `to` to `n` (i64), or
/// returns [`UNREPRESENTABLE`] when `to` cannot hold it.
fn count_units(b: &mut Body, to: StringEncoding, cp: u32, n: u32) {
    let (steps, max) = unit_steps(to);
    let mut s = b.sink();
    if let Some(max) = max {
        s.local_get(cp)
            .i32_const(max)
            .i32_gt_u()
            .if_(wasm_encoder::BlockType::Empty)
            .i64_const(UNREPRESENTABLE)
            .return_()
            .end();
    }
    s.local_get(n).i32_const(1);
    for step in steps {
        s.local_get(cp).i32_const(*step).i32_ge_u().i32_add();
    }
    s.i64_extend_i32_u().i64_add().local_set(n);
}

/// Code that leaves something on the stack.
type Emit<'a> = dyn Fn(&mut InstructionSink<'_>) + 'a;

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

    /// Decodes every code point and calls `each` with the local holding
    /// it; on invalid input does what `invalid` says. With `ascii`, UTF-8
    /// input skips runs of ASCII bytes first (counting them into the i64
    /// local it names, if any).
    fn run(
        &self,
        b: &mut Body,
        enc: StringEncoding,
        mem: u32,
        ascii: Option<Option<u32>>,
        invalid: Invalid,
        mut each: impl FnMut(&mut Body, u32),
    ) {
        // block $done { block $invalid { loop $l { … } } <invalid> }
        b.block();
        b.block();
        b.loop_();
        if let Some(n) = ascii {
            self.ascii_run(b, mem, n);
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
        match invalid {
            Invalid::ReturnI32(v) => {
                b.sink().i32_const(v).return_();
            }
            Invalid::ReturnI64(v) => {
                b.sink().i64_const(v).return_();
            }
            Invalid::Trap => {
                b.sink().unreachable();
            }
        }
        b.end();
    }

    /// Skips runs of ASCII bytes (counting them into `n` when given): 64
    /// at a time with SIMD (`i8x16.bitmask` of the OR of four vectors
    /// collects the high bits), then 8 at a time (an `i64` masked with the
    /// high bits). Emitted at the head of the loop (label 0 is the loop).
    fn ascii_run(&self, b: &mut Body, mem: u32, n: Option<u32>) {
        let p = self.p;
        // Leaves i32 "some byte of the block at `p` is not ASCII".
        let any_high_64 = |s: &mut InstructionSink<'_>| {
            for k in 0..4u64 {
                s.local_get(p).v128_load(mem8(mem, 16 * k));
                if k > 0 {
                    s.v128_or();
                }
            }
            s.i8x16_bitmask();
        };
        let any_high_8 = |s: &mut InstructionSink<'_>| {
            s.local_get(p)
                .i64_load(mem8(mem, 0))
                .i64_const(0x8080_8080_8080_8080u64 as i64)
                .i64_and()
                .i64_eqz()
                .i32_eqz();
        };
        let blocks: [(i32, &Emit<'_>); 2] = [(64, &any_high_64), (8, &any_high_8)];
        let mut s = b.sink();
        for (width, any_high) in blocks {
            // block $slower { loop $this { … } }
            s.block(wasm_encoder::BlockType::Empty)
                .loop_(wasm_encoder::BlockType::Empty)
                .local_get(self.end)
                .local_get(p)
                .i32_sub()
                .i32_const(width)
                .i32_lt_u()
                .br_if(1);
            any_high(&mut s);
            s.br_if(1)
                .local_get(p)
                .i32_const(width)
                .i32_add()
                .local_set(p);
            if let Some(n) = n {
                s.local_get(n)
                    .i64_const(width.into())
                    .i64_add()
                    .local_set(n);
            }
            s.br(0).end().end();
        }
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

    /// One UTF-8 code point, the sequences read from [`UTF8_SEQS`]: each
    /// but the last is an `if lead < lead_below { … }` that leaves `$dec`
    /// when done; the last runs when no other matched.
    fn decode_utf8(&self, s: &mut InstructionSink<'_>, mem: u32, inv: u32) {
        let (p, end, cp, b0) = (self.p, self.end, self.cp, self.b0);
        let trail = [self.b1, self.b2, self.b3];
        let advance = |s: &mut InstructionSink<'_>, n: u32| {
            s.local_get(p).i32_const(n as i32).i32_add().local_set(p);
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
        // Continuation bytes and the overlong leads 0xc0 and 0xc1; past the
        // largest code point.
        s.local_get(b0).i32_const(0xc2).i32_lt_u().br_if(inv);
        s.local_get(b0).i32_const(0xf5).i32_ge_u().br_if(inv);
        for (k, seq) in UTF8_SEQS.iter().enumerate() {
            let last = k + 1 == UTF8_SEQS.len();
            // Inside the `if`, labels are one further away.
            let inv = if last { inv } else { inv + 1 };
            if !last {
                s.local_get(b0)
                    .i32_const(seq.lead_below)
                    .i32_lt_u()
                    .if_(wasm_encoder::BlockType::Empty);
            }
            s.local_get(end)
                .local_get(p)
                .i32_sub()
                .i32_const(seq.len as i32)
                .i32_lt_u()
                .br_if(inv);
            for (j, t) in trail.iter().take(seq.len as usize - 1).enumerate() {
                s.local_get(p)
                    .i32_load8_u(mem8(mem, j as u64 + 1))
                    .local_tee(*t)
                    .i32_const(0xc0)
                    .i32_and()
                    .i32_const(0x80)
                    .i32_ne()
                    .br_if(inv);
            }
            let shift = 6 * (seq.len as i32 - 1);
            s.local_get(b0)
                .i32_const(seq.lead_bits)
                .i32_and()
                .i32_const(shift)
                .i32_shl();
            for (j, t) in trail.iter().take(seq.len as usize - 1).enumerate() {
                s.local_get(*t).i32_const(0x3f).i32_and();
                let shift = shift - 6 * (j as i32 + 1);
                if shift != 0 {
                    s.i32_const(shift).i32_shl();
                }
                s.i32_or();
            }
            // Two-byte forms cannot be overlong: their leads start at 0xc2.
            if seq.len > 2 {
                s.local_tee(cp).i32_const(seq.min).i32_lt_u().br_if(inv);
            } else {
                s.local_set(cp);
            }
            // Surrogates are not code points; nor is anything past U+10FFFF.
            let upper = UTF8_SEQS.get(k + 1).map_or(0x11_0000, |n| n.min);
            if (seq.min..upper).contains(&0xd800) {
                s.local_get(cp)
                    .i32_const(0xfffff800u32 as i32)
                    .i32_and()
                    .i32_const(0xd800)
                    .i32_eq()
                    .br_if(inv);
            }
            if last {
                s.local_get(cp).i32_const(0x10ffff).i32_gt_u().br_if(inv);
            }
            advance(s, seq.len);
            if !last {
                s.br(1).end();
            }
        }
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
            // ASCII, then one `if` per sequence of [`UTF8_SEQS`] (the last
            // without): lead byte, then six bits a byte.
            let block = wasm_encoder::BlockType::Empty;
            s.block(block);
            s.local_get(cp).i32_const(0x80).i32_lt_u().if_(block);
            store8(&mut s, 0, &|s| {
                s.local_get(cp);
            });
            adv(&mut s, 1);
            s.br(1).end();
            for (k, seq) in UTF8_SEQS.iter().enumerate() {
                let next = UTF8_SEQS.get(k + 1);
                if let Some(next) = next {
                    s.local_get(cp).i32_const(next.min).i32_lt_u().if_(block);
                }
                let shift = 6 * (seq.len as i32 - 1);
                store8(&mut s, 0, &lead(seq.lead_mark, shift));
                for j in 1..seq.len {
                    store8(&mut s, j.into(), &trail(shift - 6 * j as i32));
                }
                adv(&mut s, seq.len as i32);
                if next.is_some() {
                    s.br(1).end();
                }
            }
            s.end();
        }
    }
}
