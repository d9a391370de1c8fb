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

/// `first_name` → `first-name`, `NotFound` → `not-found`.
pub(crate) fn kebab(ident: &str) -> String {
    let ident = ident.strip_prefix("r#").unwrap_or(ident);
    let mut out = String::new();
    let mut prev_lower = false;
    for c in ident.chars() {
        if c == '_' {
            if !out.is_empty() && !out.ends_with('-') {
                out.push('-');
            }
            prev_lower = false;
            continue;
        }
        if c.is_uppercase() && prev_lower && !out.ends_with('-') {
            out.push('-');
        }
        prev_lower = c.is_lowercase() || c.is_ascii_digit();
        out.extend(c.to_lowercase());
    }
    // `type_` (a keyword with the usual trailing underscore) is `type`.
    while out.ends_with('-') {
        out.pop();
    }
    out
}

/// The `#[interface(…)]` options of a type, field or variant.
#[derive(Default)]
pub(crate) struct Options {
    pub flags: bool,
    /// `rename = "…"`: the interface name, instead of the kebab-case one.
    pub rename: Option<String>,
}

/// Parses the `#[interface(…)]` attributes among `attrs`, accepting the
/// options in `allowed` (`"flags"`, `"rename"`); anything else is an error.
pub(crate) fn options(attrs: &[syn::Attribute], allowed: &[&str]) -> syn::Result<Options> {
    let mut out = Options::default();
    let expected = allowed
        .iter()
        .map(|a| match *a {
            "rename" => "`rename = \"…\"`".to_string(),
            other => format!("`{other}`"),
        })
        .collect::<Vec<_>>()
        .join(" or ");
    for attr in attrs {
        if !attr.path().is_ident("interface") {
            continue;
        }
        attr.parse_nested_meta(|meta| {
            let key = meta
                .path
                .get_ident()
                .map(ToString::to_string)
                .unwrap_or_default();
            if !allowed.contains(&key.as_str()) {
                return Err(meta.error(format!(
                    "unknown `interface` option here; expected {expected}"
                )));
            }
            match key.as_str() {
                "flags" => out.flags = true,
                _ => {
                    let lit: syn::LitStr = meta.value()?.parse()?;
                    check_name(&lit, "an interface name")?;
                    if lit.value().contains("::") {
                        return Err(syn::Error::new(
                            lit.span(),
                            "an interface name cannot contain `::`",
                        ));
                    }
                    if out.rename.replace(lit.value()).is_some() {
                        return Err(syn::Error::new(lit.span(), "`rename` is given twice"));
                    }
                }
            }
            Ok(())
        })?;
    }
    Ok(out)
}

/// Names that end up in the booklet (export, import, module and type
/// names) are printed by every tool: they must not be empty or hold
/// control characters.
pub(crate) fn check_name(lit: &syn::LitStr, what: &str) -> syn::Result<()> {
    let value = lit.value();
    if value.is_empty() {
        return Err(syn::Error::new(
            lit.span(),
            format!("{what} cannot be empty"),
        ));
    }
    if let Some(c) = value.chars().find(|c| c.is_control()) {
        return Err(syn::Error::new(
            lit.span(),
            format!(
                "{what} cannot contain control characters (found U+{:04X})",
                c as u32
            ),
        ));
    }
    Ok(())
}

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

#[cfg(test)]
mod tests {
    use super::kebab;

    #[test]
    fn kebab_case() {
        assert_eq!(kebab("first_name"), "first-name");
        assert_eq!(kebab("NotFound"), "not-found");
        assert_eq!(kebab("Point"), "point");
        assert_eq!(kebab("HTTPStatus"), "httpstatus");
        assert_eq!(kebab("r#type"), "type");
        assert_eq!(kebab("x2_y"), "x2-y");
        assert_eq!(kebab("type_"), "type");
    }
}
