//! The procedural macros of `intertype-guest`: `#[export]`, `#[import]` and
//! `#[derive(Interface)]`. See that crate for the user documentation and
//! `docs/guest.md` for the ABI the generated code follows.
//!
//! Every check here looks at syntax only, so the errors are the same whatever
//! the target; type-level errors (a type that is not an interface type) come
//! from the trait bound, reported at the offending type.
//!
//! The generated code names the support crate as `intertype` (the guest
//! depends on `intertype = { package = "intertype-guest", … }` or writes
//! `use intertype_guest as intertype;`).

mod derive;
mod signature;

use proc_macro::TokenStream;

/// Exports a free function through the module's interface:
/// `#[intertype::export]` or `#[intertype::export(name = "other-name")]`.
///
/// Emits an `extern "C"` core export, the adapter that lifts and lowers its
/// parameters and result, and the types they need, as a fragment of the
/// module's `wasm-interface-types` section. Doc comments become the
/// function's interface documentation.
#[proc_macro_attribute]
pub fn export(attr: TokenStream, item: TokenStream) -> TokenStream {
    signature::export(attr.into(), item.into())
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// Imports the functions of an `extern` block through the interface:
/// `#[intertype::import(module = "host")] extern "C" { fn log(msg: &str); }`.
///
/// Each function becomes a safe Rust function that lowers its arguments,
/// calls a core import, and lifts the result; the booklet declares the
/// interface import `module` `name` and the adapter that implements the core
/// import with it.
#[proc_macro_attribute]
pub fn import(attr: TokenStream, item: TokenStream) -> TokenStream {
    signature::import(attr.into(), item.into())
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// Makes a struct or enum an interface type: a struct with named fields is a
/// record, a struct of `bool`s marked `#[interface(flags)]` is flags, an enum
/// of unit variants is an enum, any other enum a variant. Names become
/// kebab-case (`first_name` → `first-name`, `NotFound` → `not-found`).
#[proc_macro_derive(Interface, attributes(interface))]
pub fn derive_interface(item: TokenStream) -> TokenStream {
    derive::derive(item.into())
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

pub(crate) use intertype_macro_support::{check_name, kebab, options};

/// The text of the `///` doc comments among `attrs`, one line each, with the
/// leading space of each line removed.
pub(crate) fn docs(attrs: &[syn::Attribute]) -> String {
    let mut lines = Vec::new();
    for attr in attrs {
        if !attr.path().is_ident("doc") {
            continue;
        }
        if let syn::Meta::NameValue(nv) = &attr.meta {
            if let syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(s),
                ..
            }) = &nv.value
            {
                let text = s.value();
                for line in text.lines() {
                    lines.push(line.strip_prefix(' ').unwrap_or(line).to_string());
                }
            }
        }
    }
    lines.join("\n").trim().to_string()
}
