//! A small contacts API: records, lists, options, results, enums and
//! variants in both directions, and two host imports.

use intertype::Interface;
use std::cell::RefCell;

/// How to reach someone.
#[derive(Interface, Clone, Copy, PartialEq, Debug)]
pub enum PhoneKind {
    Mobile,
    Home,
    Work,
}

#[derive(Interface, Clone, PartialEq, Debug)]
pub struct Phone {
    pub kind: PhoneKind,
    pub number: String,
}

#[derive(Interface, Clone, PartialEq, Debug)]
pub struct Contact {
    pub name: String,
    pub email: Option<String>,
    pub phones: Vec<Phone>,
}

/// A stored contact: its id and when it was added.
#[derive(Interface, Clone, PartialEq, Debug)]
pub struct Entry {
    pub id: u32,
    pub added_at: u64,
    pub contact: Contact,
}

/// Why a request failed.
#[derive(Interface, Clone, PartialEq, Debug)]
pub enum Problem {
    /// No contact has this id.
    NotFound(u32),
    /// The contact is not acceptable; the message says why.
    Invalid(String),
    /// A contact with this name exists already.
    Duplicate,
}

#[intertype::import(module = "host")]
extern "C" {
    /// Writes a line to the host's log.
    fn log(message: &str);
    /// Seconds since the Unix epoch.
    fn now() -> u64;
}

thread_local! {
    static BOOK: RefCell<Vec<Entry>> = const { RefCell::new(Vec::new()) };
}

/// Adds a contact; returns its id.
#[intertype::export]
pub fn add(contact: Contact) -> Result<u32, Problem> {
    if contact.name.trim().is_empty() {
        return Err(Problem::Invalid("the name is empty".into()));
    }
    if let Some(email) = &contact.email {
        if !email.contains('@') {
            return Err(Problem::Invalid(format!(
                "`{email}` is not an email address"
            )));
        }
    }
    BOOK.with(|book| {
        let mut book = book.borrow_mut();
        if book.iter().any(|e| e.contact.name == contact.name) {
            return Err(Problem::Duplicate);
        }
        let id = book.last().map_or(1, |e| e.id + 1);
        log(&format!("added {} as #{id}", contact.name));
        book.push(Entry {
            id,
            added_at: now(),
            contact,
        });
        Ok(id)
    })
}

/// The entry with this id, if any.
#[intertype::export]
pub fn get(id: u32) -> Option<Entry> {
    BOOK.with(|book| book.borrow().iter().find(|e| e.id == id).cloned())
}

/// Entries whose name contains `query` (case-insensitive).
#[intertype::export]
pub fn find(query: &str) -> Vec<Entry> {
    let query = query.to_lowercase();
    BOOK.with(|book| {
        book.borrow()
            .iter()
            .filter(|e| e.contact.name.to_lowercase().contains(&query))
            .cloned()
            .collect()
    })
}

/// Removes the entry with this id.
#[intertype::export]
pub fn remove(id: u32) -> Result<(), Problem> {
    BOOK.with(|book| {
        let mut book = book.borrow_mut();
        let at = book
            .iter()
            .position(|e| e.id == id)
            .ok_or(Problem::NotFound(id))?;
        let e = book.remove(at);
        log(&format!("removed {}", e.contact.name));
        Ok(())
    })
}

/// How many contacts there are.
#[intertype::export]
pub fn count() -> u32 {
    BOOK.with(|book| book.borrow().len() as u32)
}
