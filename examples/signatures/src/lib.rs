//! Signatures a Rust developer writes in the first week, each one an export
//! (or an import) the tests call from the engine, the CLI and JS.

use intertype::Interface;
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};

/// Two types named `Error` in two modules: the booklet calls them
/// `users-error` and `files-error`.
pub mod users {
    #[derive(intertype::Interface, Debug)]
    pub enum Error {
        NotFound(u32),
        Banned,
    }
}

pub mod files {
    #[derive(intertype::Interface, Debug)]
    pub enum Error {
        Missing(String),
        TooBig(u64),
    }
}

/// Looks a user up by `id`.
#[intertype::export]
pub fn find_user(id: u32) -> Result<String, users::Error> {
    match id {
        1 => Ok("Lin".into()),
        2 => Err(users::Error::Banned),
        other => Err(users::Error::NotFound(other)),
    }
}

/// Reads the file at `path`.
#[intertype::export]
pub fn read_file(path: &str) -> Result<Vec<u8>, files::Error> {
    match path {
        "/small" => Ok(b"hi".to_vec()),
        "/big" => Err(files::Error::TooBig(1 << 40)),
        other => Err(files::Error::Missing(other.into())),
    }
}

#[intertype::export]
pub fn longest<'a>(a: &'a str, b: &'a str) -> String {
    if b.len() > a.len() { b } else { a }.to_string()
}

#[intertype::export]
pub fn greet(name: Option<&str>) -> String {
    format!("Hello, {}!", name.unwrap_or("stranger"))
}

#[intertype::export]
pub fn join(parts: &[&str], separator: &str) -> String {
    parts.join(separator)
}

#[intertype::export]
pub fn count_long(words: Vec<&str>, min: u32) -> u32 {
    words.iter().filter(|w| w.len() >= min as usize).count() as u32
}

/// Borrows nested deeper: an optional byte slice, a list of optional
/// strings; returns the bytes plus the named entries.
#[intertype::export]
pub fn weigh(data: Option<&[u8]>, names: Vec<Option<&str>>) -> u32 {
    data.map_or(0, |d| d.len() as u32) + names.iter().flatten().count() as u32
}

/// A newtype is its field's type (here `f64`).
#[derive(Interface, Debug, Clone, Copy)]
pub struct Meters(pub f64);

/// A tuple struct is a tuple.
#[derive(Interface, Debug)]
pub struct Range(pub u32, pub u32);

#[intertype::export]
pub fn double(m: Meters) -> Meters {
    Meters(m.0 * 2.0)
}

#[intertype::export]
pub fn widen(r: Range, by: u32) -> Range {
    Range(r.0.saturating_sub(by), r.1.saturating_add(by))
}

#[derive(Interface, Debug)]
#[interface(rename = "coordinates")]
pub struct Position {
    #[interface(rename = "lat")]
    pub latitude: f64,
    #[interface(rename = "lon")]
    pub longitude: f64,
}

// A `Box` parameter, as some code has it (clippy would rather not).
#[allow(clippy::boxed_local)]
#[intertype::export]
pub fn boxed(p: Box<Position>) -> Box<Position> {
    Box::new(Position {
        latitude: -p.latitude,
        longitude: -p.longitude,
    })
}

#[intertype::export]
pub fn histogram(words: Vec<String>) -> BTreeMap<String, u32> {
    let mut counts = BTreeMap::new();
    for w in words {
        *counts.entry(w).or_insert(0) += 1;
    }
    counts
}

#[intertype::export]
pub fn total(prices: HashMap<String, u32>) -> u32 {
    prices.values().sum()
}

/// Fields named after keywords: `type` and `match` in the interface.
#[derive(Interface, Debug)]
pub struct Token {
    pub r#type: String,
    pub match_: bool,
}

#[intertype::export]
pub fn token(text: &str) -> Token {
    Token {
        r#type: if text.chars().all(|c| c.is_ascii_digit()) {
            "number".into()
        } else {
            "word".into()
        },
        match_: !text.is_empty(),
    }
}

#[derive(Interface, Debug, Clone, Copy, PartialEq)]
pub enum Level {
    #[interface(rename = "warn")]
    Warning,
    Error,
}

#[intertype::export]
pub fn worst(levels: Vec<Level>) -> Option<Level> {
    if levels.contains(&Level::Error) {
        Some(Level::Error)
    } else {
        levels.first().copied()
    }
}

#[intertype::import(module = "host")]
extern "C" {
    /// Records `tags` with an optional `note`; returns how many the host
    /// has.
    fn record(tags: &[&str], note: Option<&str>) -> u32;
}

#[intertype::export]
pub fn tag(text: &str) -> u32 {
    let words: Vec<&str> = text.split_whitespace().collect();
    let note = words.first().copied();
    record(&words, note)
}

thread_local! {
    static STATE: RefCell<u32> = const { RefCell::new(0) };
}

/// Panics with `message`.
#[intertype::export]
pub fn fail(message: &str) -> u32 {
    panic!("{message}")
}

/// Panics while a `RefCell` guard is held.
#[intertype::export]
pub fn fail_while_borrowed() {
    STATE.with(|s| {
        let mut guard = s.borrow_mut();
        *guard += 1;
        panic!("failed while holding the state");
    })
}

/// Counts calls.
#[intertype::export]
pub fn bump() -> u32 {
    STATE.with(|s| {
        let mut guard = s.borrow_mut();
        *guard += 1;
        *guard
    })
}
