//! Unsupported signatures are compile errors that point at the offending
//! type. `TRYBUILD=overwrite cargo test -p intertype-guest` re-blesses the
//! expected messages in `ui/*.stderr`.

#[test]
fn unsupported_signatures() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
}
