//! Writes fuzzing seeds from `tests/corpus`: the interface-section payload of
//! every module (for `round_trip`) and every module text (for `text`).
//!
//! `cargo run -p intertype-fuzz --example write-seeds -- fuzz/corpus`

use std::path::{Path, PathBuf};

fn main() {
    let out = PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "fuzz/corpus".into()),
    );
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/corpus");
    std::fs::create_dir_all(out.join("round_trip")).unwrap();
    std::fs::create_dir_all(out.join("text")).unwrap();
    let mut n = 0;
    for dir in ["article", "reference", "reference/invalid", "extension"] {
        let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            let name = path.file_stem().unwrap().to_string_lossy().into_owned();
            std::fs::write(out.join("text").join(&name), &text).unwrap();
            let Ok(bytes) = intertype::parse_str(&text, None) else {
                continue;
            };
            let core = intertype::core::CoreModule::parse(&bytes).unwrap();
            if let Some(s) = core.interface_sections.first() {
                std::fs::write(
                    out.join("round_trip").join(&name),
                    &bytes[s.payload.clone()],
                )
                .unwrap();
                n += 1;
            }
        }
    }
    println!("wrote {n} payload seeds to {}", out.display());
}
