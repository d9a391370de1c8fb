//! decode → validate → print → parse round trip of a booklet payload.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| intertype_fuzz::round_trip(data));
