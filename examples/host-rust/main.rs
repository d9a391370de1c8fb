//! A Rust host through generated bindings: `bindgen!` reads `notes.wat`'s
//! booklet at compile time and writes `Notes<T>` (one typed method per
//! export), the `Summary` record and `Mood` enum, and the `NotesImports`
//! trait. The host's state (`Journal`) is the instance's data `T`; the
//! `digest` import reads the note's bytes straight out of guest memory.
//!
//! Run: `cargo run -p intertype-runtime --example host-rust`.

use intertype_runtime::{Caller, Engine, Error, Linker, Module};

// The path is relative to the crate's Cargo.toml (crates/intertype-runtime).
intertype_runtime::bindgen!("../../examples/host-rust/notes.wat");

/// What the host keeps per instance.
#[derive(Default)]
struct Journal {
    lines: Vec<String>,
}

impl NotesImports for Journal {
    fn log(caller: &mut Caller<'_, Self>, line: String) -> Result<(), Error> {
        caller.data_mut().lines.push(line);
        Ok(())
    }

    fn digest(caller: &mut Caller<'_, Self>, ptr: u32, len: u32) -> Result<u32, Error> {
        // Bounds-checked: a bad pointer is the guest's fault, not a crash.
        let bytes = caller.read(ptr, len)?;
        Ok(fnv1a(bytes))
    }
}

/// 32-bit FNV-1a.
fn fnv1a(bytes: &[u8]) -> u32 {
    bytes.iter().fold(0x811c_9dc5, |h, b| {
        (h ^ u32::from(*b)).wrapping_mul(0x0100_0193)
    })
}

fn main() -> Result<(), Error> {
    let engine = Engine::default();
    let module = Module::from_file(&engine, Notes::<Journal>::PATH.as_ref())?;
    let mut linker = Linker::<Journal>::with_data_type(&engine);
    Notes::add_to_linker(&mut linker);

    // One linker, any number of instances, each with its own journal.
    let mut notes = Notes::instantiate(&linker, &module, Journal::default())?;
    for (i, topic) in ["milk", "Lin", "the docs"].iter().enumerate() {
        let text = format!("{}. remember {topic}", i + 1);
        let digest = notes.add_note(&text)?;
        assert_eq!(digest, fnv1a(text.as_bytes()));
        println!("{text:<22} digest {digest:#010x}");
    }
    let summary = notes.summary()?;
    println!("{summary:?}");
    assert_eq!(
        summary,
        Summary {
            notes: 3,
            mood: Mood::Busy
        }
    );
    assert_eq!(notes.data().lines.len(), 3);

    let mut other = Notes::instantiate(&linker, &module, Journal::default())?;
    other.add_note("a fresh notebook")?;
    assert_eq!(other.summary()?.mood, Mood::Calm);
    assert_eq!(other.data().lines, ["a fresh notebook"]);
    println!("journal: {:?}", notes.data().lines);
    Ok(())
}
