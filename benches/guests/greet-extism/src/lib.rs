//! `greet(name) -> "Hello, " + name` as an Extism plugin (input and output
//! as bytes through Extism's kernel memory), for the Python benchmark.

use extism_pdk::*;

#[plugin_fn]
pub fn greet(name: String) -> FnResult<String> {
    let mut out = String::with_capacity(7 + name.len());
    out.push_str("Hello, ");
    out.push_str(&name);
    Ok(out)
}
