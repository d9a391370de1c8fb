//! The article's greeting: a string goes in, a string comes out.

/// Greets `name`.
#[intertype::export]
pub fn greeting(name: &str) -> String {
    let mut out = String::with_capacity(8 + name.len());
    out.push_str("Hello, ");
    out.push_str(name);
    out.push('!');
    out
}
