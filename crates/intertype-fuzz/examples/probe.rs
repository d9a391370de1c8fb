//! The probe without a fuzzer: runs every oracle — the booklet round trip
//! and the text parser on mutations of the corpus, and the hostile-module
//! probe (engine + JS glue in Node) on random inputs — for a number of
//! seconds, on stable Rust. CI runs it briefly (`scripts/test.sh`);
//! `scripts/probe.sh` runs it and the cargo-fuzz targets for longer.
//!
//! `cargo run -p intertype-fuzz --example probe -- SECONDS [SEED]`
//!
//! A finding panics with the module (or input) that caused it; the input
//! is also written to `target/probe-findings/`.

use std::path::Path;
use std::time::{Duration, Instant};

fn main() {
    let mut args = std::env::args().skip(1);
    let secs: u64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(60);
    let mut state: u64 = args.next().and_then(|s| s.parse().ok()).unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(1, |d| d.as_nanos() as u64)
    }) | 1;
    println!("probe: {secs} s, seed {state}");
    let mut rand = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let seeds = corpus_payloads();
    let mut probe = intertype_fuzz::hostile::Probe::new();
    let deadline = Instant::now() + Duration::from_secs(secs);
    let (mut round_trips, mut texts, mut hostile) = (0u64, 0u64, 0u64);
    let findings = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/probe-findings");
    let keep = |kind: &str, data: &[u8]| {
        let _ = std::fs::create_dir_all(&findings);
        let _ = std::fs::write(findings.join(format!("{kind}-latest.bin")), data);
    };
    while Instant::now() < deadline {
        // A mutated corpus payload through the round-trip oracle.
        let (payload, text) = &seeds[rand() as usize % seeds.len()];
        let mut m = payload.clone();
        mutate(&mut m, &mut rand);
        keep("round_trip", &m);
        intertype_fuzz::round_trip(&m);
        round_trips += 1;
        let mut t = text.clone().into_bytes();
        mutate(&mut t, &mut rand);
        keep("text", &t);
        intertype_fuzz::text(&t);
        texts += 1;
        // A hostile module through both hosts.
        let n = 16 + rand() as usize % 512;
        let data: Vec<u8> = (0..n).map(|_| rand() as u8).collect();
        keep("hostile", &data);
        probe.check_bytes(&data);
        hostile += 1;
    }
    println!(
        "probe: no findings; {round_trips} round trips, {texts} texts, {hostile} hostile inputs (engine + Node): {:?}",
        probe.stats
    );
}

fn mutate(m: &mut Vec<u8>, rand: &mut impl FnMut() -> u64) {
    for _ in 0..1 + rand() % 4 {
        match rand() % 4 {
            0 if !m.is_empty() => {
                let i = rand() as usize % m.len();
                m[i] ^= 1 << (rand() % 8);
            }
            1 if !m.is_empty() => {
                let i = rand() as usize % m.len();
                m.truncate(i);
            }
            2 => {
                let i = rand() as usize % (m.len() + 1);
                m.insert(i, rand() as u8);
            }
            _ if !m.is_empty() => {
                let i = rand() as usize % m.len();
                m[i] = [0, 0xff, 0x7f, 0x80][rand() as usize % 4];
            }
            _ => {}
        }
    }
}

/// Every corpus module: its interface payload and its text.
fn corpus_payloads() -> Vec<(Vec<u8>, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/corpus");
    let mut out = Vec::new();
    for dir in ["article", "reference", "extension", "hostile"] {
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
            let Ok(core) = intertype::core::CoreModule::parse(&bytes) else {
                continue;
            };
            if let Some(s) = core.interface_sections.first() {
                out.push((bytes[s.payload.clone()].to_vec(), text));
            }
        }
    }
    assert!(!out.is_empty(), "no corpus modules found");
    out
}
