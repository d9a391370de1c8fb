//! `greet(name) -> "Hello, " + name`, exported through the component model.
//!
//! Does the same work as the WAT guest in
//! `crates/intertype-runtime/benches/greet.rs`: the host copies `name` into
//! a guest allocation (`cabi_realloc`), the guest builds the greeting in a
//! fresh allocation and frees `name`, and the host frees the result after
//! copying it out (the post-return function wit-bindgen generates).

wit_bindgen::generate!({
    world: "greeter",
    path: "../../../crates/intertype-runtime/benches/fixtures/greet.wit",
});

struct Greeter;

impl Guest for Greeter {
    fn greet(name: String) -> String {
        let mut out = String::with_capacity(7 + name.len());
        out.push_str("Hello, ");
        out.push_str(&name);
        out
    }
}

export!(Greeter);
