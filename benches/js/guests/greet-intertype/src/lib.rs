//! `greet(name) -> "Hello, {name}!"` exported through interface types; the
//! same function body as `greet-wasm-bindgen`.

#[intertype::export]
pub fn greet(name: &str) -> String {
    let mut out = String::with_capacity(8 + name.len());
    out.push_str("Hello, ");
    out.push_str(name);
    out.push('!');
    out
}
