//! A Rust guest calling module `text` (hand-written WAT, UTF-16 strings):
//! strings go both ways, a list of strings goes there, a record comes back.

use intertype::Interface;

/// What `text` measured: how many words, and how many UTF-16 code units.
#[derive(Interface, Clone, PartialEq, Debug)]
pub struct Stats {
    pub words: u32,
    pub units: u32,
}

#[intertype::import(module = "text")]
extern "C" {
    /// "Hello, " + name, built by `text` in UTF-16.
    fn greet(name: &str) -> String;
    /// Counts the words and their UTF-16 code units.
    fn measure(words: Vec<String>) -> Stats;
}

/// Greets everyone through `text` and reports what `text` measured.
#[intertype::export]
pub fn welcome(names: Vec<String>) -> String {
    let stats = measure(names.clone());
    let greetings: Vec<String> = names.iter().map(|n| greet(n)).collect();
    format!(
        "{} ({} names, {} UTF-16 units)",
        greetings.join("; "),
        stats.words,
        stats.units
    )
}
