//! Fuzzing oracles. Each takes arbitrary bytes and panics only when intertype
//! breaks a promise: a panic inside the library, or a round trip that does not
//! come back to where it started. The cargo-fuzz targets in `/fuzz` call
//! these; the tests below run them on the corpus and on mutations of it, so
//! `cargo test` keeps them honest without a fuzzer.

pub mod hostile;

use intertype::{Booklet, Module};
use std::sync::OnceLock;

/// A core module with something for every kind of operand an adapter names:
/// a memory, an allocator of each accepted shape, functions of assorted
/// signatures, and an import to implement.
const CORE_WAT: &str = r#"(module
  (import "env" "log_" (func $log_ (param i32 i32)))
  (import "env" "get_" (func $get_ (result externref)))
  (memory $mem (export "mem") 1)
  (func $malloc (export "malloc") (param i32) (result i32) i32.const 8)
  (func $realloc (param i32 i32) (result i32) i32.const 8)
  (func $free (param i32 i32))
  (func $i_i (param i32) (result i32) local.get 0)
  (func $ii_ii (param i32 i32) (result i32 i32) local.get 0 local.get 1)
  (func $l_l (param i64) (result i64) local.get 0)
  (func $f_d (param f32) (result f64) f64.const 0)
  (func $r_r (param externref) (result externref) local.get 0)
  (func $i (result i32) i32.const 0)
  (func $unit))"#;

fn core_module() -> &'static [u8] {
    static CORE: OnceLock<Vec<u8>> = OnceLock::new();
    CORE.get_or_init(|| wat::parse_str(CORE_WAT).expect("the fixed core module parses"))
}

/// Treats `data` as a `wasm-interface-types` payload inside a fixed core
/// module and checks: decoding never panics; what decodes re-encodes to an
/// equal booklet; validation, printing and describing never panic; a valid
/// booklet prints to text that parses back to the same payload and still
/// validates.
pub fn round_trip(data: &[u8]) {
    let module = intertype::core::with_section(core_module(), data).expect("splicing a section");
    let Ok(m) = Module::from_binary(&module) else {
        return;
    };
    let encoded = m.booklet.encode();
    let again = Booklet::decode(&encoded, 0)
        .unwrap_or_else(|e| panic!("our own encoding does not decode: {e}\n{:?}", m.booklet));
    assert_eq!(again, m.booklet, "decode(encode(b)) != b");

    let valid = m.validate().is_ok();
    for export in &m.booklet.exports {
        if let Some(ty) = m.booklet.adapter_func_type(export.func) {
            let _ = intertype::describe::func_type(&m.booklet, ty);
        }
    }
    let _ = intertype::print::print_booklet(&m.booklet, &m.core);
    if !valid {
        return;
    }
    let canonical = intertype::core::with_section(core_module(), &encoded).expect("splice");
    let text = intertype::print::print_module(&canonical).expect("a valid module prints");
    let parsed = intertype::parse_str(&text, None)
        .unwrap_or_else(|e| panic!("printed text does not parse: {e}\n{text}"));
    let reparsed = Module::from_binary(&parsed).expect("parsed module decodes");
    assert_eq!(
        reparsed.booklet, m.booklet,
        "print/parse changed the booklet\n{text}"
    );
    assert_eq!(
        reparsed.booklet.encode(),
        encoded,
        "print/parse changed the bytes\n{text}"
    );
    reparsed.validate().expect("re-parsed module stays valid");
}

/// Treats `data` as module text: parsing must never panic, and whatever
/// parses must decode.
pub fn text(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(bytes) = intertype::parse_str(text, None) {
        let m = Module::from_binary(&bytes).expect("what we parse, we can read");
        let _ = m.validate();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    /// Interface payloads of every corpus module, as fuzzing seeds.
    fn seeds() -> Vec<Vec<u8>> {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/corpus");
        let mut out = Vec::new();
        for dir in ["article", "reference", "extension"] {
            let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
                continue;
            };
            for entry in entries.flatten() {
                let Ok(text) = std::fs::read_to_string(entry.path()) else {
                    continue;
                };
                let Ok(bytes) = intertype::parse_str(&text, None) else {
                    continue;
                };
                let core = intertype::core::CoreModule::parse(&bytes).unwrap();
                if let Some(s) = core.interface_sections.first() {
                    out.push(bytes[s.payload.clone()].to_vec());
                }
            }
        }
        assert!(out.len() >= 8, "expected corpus seeds, found {}", out.len());
        out
    }

    #[test]
    fn round_trip_on_seeds_and_mutations() {
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut rand = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for seed in seeds() {
            round_trip(&seed);
            for _ in 0..300 {
                let mut m = seed.clone();
                match rand() % 3 {
                    0 => {
                        let i = (rand() as usize) % m.len();
                        m[i] ^= 1 << (rand() % 8);
                    }
                    1 => {
                        let i = (rand() as usize) % m.len();
                        m.truncate(i);
                    }
                    _ => {
                        let i = (rand() as usize) % (m.len() + 1);
                        m.insert(i, rand() as u8);
                    }
                }
                round_trip(&m);
            }
        }
    }

    /// Inputs the fuzzer once found failing, kept so they stay fixed.
    #[test]
    fn regressions() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("regressions");
        let mut n = 0;
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            round_trip(&std::fs::read(entry.path()).unwrap());
            n += 1;
        }
        assert!(n > 0);
    }

    /// The hostile-module probe on generated cases (a short run of what
    /// `scripts/probe.sh` runs for longer): both hosts agree on every call.
    #[test]
    fn hostile_modules_agree_in_both_hosts() {
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut probe = hostile::Probe::new();
        let cases: usize = std::env::var("INTERTYPE_PROBE_CASES")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(40);
        for _ in 0..cases {
            let data: Vec<u8> = (0..256)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    state as u8
                })
                .collect();
            probe.check_bytes(&data);
        }
    }

    #[test]
    fn text_oracle_on_garbage() {
        for t in [
            "",
            "(",
            "(module",
            "(module (@interface",
            "(@interface func",
            "\u{0}",
            "(module (@interface func (export \"x\") call-core 99))",
        ] {
            text(t.as_bytes());
        }
    }
}
