//! `greet(name) -> "Hello, {name}!"` exported through wasm-bindgen; the same
//! function body as `greet-intertype`.

use wasm_bindgen::prelude::*;

#[wasm_bindgen]
pub fn greet(name: &str) -> String {
    let mut out = String::with_capacity(8 + name.len());
    out.push_str("Hello, ");
    out.push_str(name);
    out.push('!');
    out
}
