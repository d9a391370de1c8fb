//! Text from modules on a terminal. Names and messages from a module are
//! untrusted (`docs/security.md`): an escape sequence in an export name must
//! not recolour, move the cursor or rewrite what the user reads, so control
//! characters, C1 controls and bidirectional overrides are printed as
//! `\u{…}` escapes.

use std::borrow::Cow;

/// Whether `c` must not reach a terminal raw.
fn unsafe_char(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061c}'
                | '\u{200e}'
                | '\u{200f}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2066}'..='\u{2069}'
        )
}

fn escape(s: &str, keep: impl Fn(char) -> bool) -> Cow<'_, str> {
    if !s.chars().any(|c| unsafe_char(c) && !keep(c)) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if unsafe_char(c) && !keep(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A name (or any one-line text) from a module: every control character
/// escaped, line breaks included.
pub fn name(s: &str) -> Cow<'_, str> {
    escape(s, |_| false)
}

/// A message of several lines (an error with its snippet): line breaks and
/// tabs kept, every other control character escaped.
pub fn message(s: &str) -> Cow<'_, str> {
    escape(s, |c| c == '\n' || c == '\t')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_what_a_terminal_would_interpret() {
        assert_eq!(name("plain name"), "plain name");
        assert_eq!(name("a\u{1b}[31mb"), "a\\u{1b}[31mb");
        assert_eq!(name("a\nb\rc"), "a\\u{a}b\\u{d}c");
        assert_eq!(name("x\u{202e}y\u{9b}"), "x\\u{202e}y\\u{9b}");
        assert_eq!(message("line 1\n\tline 2\u{7}"), "line 1\n\tline 2\\u{7}");
    }
}
