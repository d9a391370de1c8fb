//! Valid modules with hostile contents through the engine and the JS glue
//! (Node): both must end every call in a value or a typed error, in time,
//! and agree. See `intertype_fuzz::hostile`.
#![no_main]
use std::sync::Mutex;

static PROBE: Mutex<Option<intertype_fuzz::hostile::Probe>> = Mutex::new(None);

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let mut probe = PROBE.lock().unwrap_or_else(|e| e.into_inner());
    probe
        .get_or_insert_with(intertype_fuzz::hostile::Probe::new)
        .check_bytes(data);
});
