//! Data-driven error tests: one case is one file, its expected message the
//! file next to it (like the CLI snapshots). A new case is a new file.
//!
//! * `tests/errors/validate/NAME.wat`: a module for the validator;
//!   `NAME.err` holds the error (`{e}`: location and message), or `(valid)`
//!   for a module it must accept; a second line `func F, instr I` (`-` for
//!   none) holds the error's structured location when it has one. A booklet the text format
//!   cannot say (two types of one name, a function type's name) is given as
//!   an `(@custom "wasm-interface-types" "…")` section, printed above it.
//! * `tests/errors/binary/NAME.hex`: a section payload in hex (whitespace
//!   free-form, `;` starts a comment; `"text"` is its UTF-8 bytes) for the
//!   decoder; `NAME.err` holds `@OFFSET: MESSAGE`, or `(decodes)`.
//!
//! `BLESS=1 cargo test -p intertype --test all errors` writes the `.err`
//! files from what the code says now; review the diff.

use std::path::{Path, PathBuf};

fn cases(dir: &str, ext: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/errors")
        .join(dir);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no cases in {}", dir.display());
    files
}

/// Compares (or, under `BLESS`, writes) `case`'s `.err` file; returns a
/// failure description.
fn check(case: &Path, actual: &str) -> Option<String> {
    let expected_path = case.with_extension("err");
    if std::env::var_os("BLESS").is_some() {
        std::fs::write(&expected_path, format!("{actual}\n")).unwrap();
        return None;
    }
    let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
    (expected.trim_end() != actual).then(|| {
        format!(
            "{}:\n  expected: {}\n  actual:   {actual}",
            case.display(),
            expected.trim_end()
        )
    })
}

fn report(failures: Vec<String>) {
    assert!(
        failures.is_empty(),
        "{}\n(run `BLESS=1 cargo test -p intertype --test all errors` if the new messages are right)",
        failures.join("\n")
    );
}

#[test]
fn validator_errors() {
    let mut failures = Vec::new();
    for case in cases("validate", "wat") {
        let text = std::fs::read_to_string(&case).unwrap();
        let bytes = intertype::parse_str(&text, None)
            .unwrap_or_else(|e| panic!("{}: does not parse: {e}", case.display()));
        let actual = match intertype::validate_module(&bytes) {
            Ok(_) => "(valid)".to_string(),
            Err(e) => {
                assert_eq!(
                    e.kind(),
                    intertype::ErrorKind::Validation,
                    "{}",
                    case.display()
                );
                validation_error(&e)
            }
        };
        failures.extend(check(&case, &actual));
    }
    report(failures);
}

/// `e` as its `.err` file holds it: the message, then the structured
/// location when it has one (`func …, instr …`: what `Error::func` and
/// `Error::instr` return, which hosts use to point at the adapter).
fn validation_error(e: &intertype::Error) -> String {
    let mut out = e.to_string();
    if e.func().is_some() || e.instr().is_some() {
        let show = |n: Option<usize>| n.map_or("-".to_string(), |n| n.to_string());
        out.push_str(&format!(
            "\nfunc {}, instr {}",
            show(e.func().map(|f| f as usize)),
            show(e.instr())
        ));
    }
    out
}

/// The bytes of a `.hex` case.
fn hex(text: &str, case: &Path) -> Vec<u8> {
    let mut out = Vec::new();
    for line in text.lines() {
        let mut rest = line.split(';').next().unwrap_or("").trim();
        while !rest.is_empty() {
            if let Some(s) = rest.strip_prefix('"') {
                let end = s
                    .find('"')
                    .unwrap_or_else(|| panic!("{}: unterminated string", case.display()));
                out.extend_from_slice(&s.as_bytes()[..end]);
                rest = s[end + 1..].trim_start();
                continue;
            }
            let (word, tail) = rest.split_at(rest.find(char::is_whitespace).unwrap_or(rest.len()));
            let word = word.strip_prefix("0x").unwrap_or(word);
            out.push(
                u8::from_str_radix(word, 16)
                    .unwrap_or_else(|e| panic!("{}: `{word}`: {e}", case.display())),
            );
            rest = tail.trim_start();
        }
    }
    out
}

#[test]
fn binary_decoder_errors() {
    let mut failures = Vec::new();
    for case in cases("binary", "hex") {
        let bytes = hex(&std::fs::read_to_string(&case).unwrap(), &case);
        let actual = match intertype::binary::decode_fragments(&bytes, 0) {
            Ok(_) => "(decodes)".to_string(),
            Err(e) => {
                assert_eq!(e.kind(), intertype::ErrorKind::Binary, "{}", case.display());
                format!("@{}: {}", e.offset().unwrap_or(usize::MAX), e.message())
            }
        };
        failures.extend(check(&case, &actual));
    }
    report(failures);
}
