//! The text parser on arbitrary input.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| intertype_fuzz::text(data));
