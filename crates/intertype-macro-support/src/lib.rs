//! What the guest derive (`intertype-guest-macro`) and the host derive
//! (`intertype-runtime-derive`) must agree on, written once: how a Rust name
//! becomes an interface name (kebab-case), which names are allowed in a
//! booklet, and the `#[interface(…)]` options. A type derived on both sides
//! then has the same interface names.

/// `first_name` → `first-name`, `NotFound` → `not-found`, `r#type` and
/// `type_` → `type`.
pub fn kebab(ident: &str) -> String {
    let ident = ident.strip_prefix("r#").unwrap_or(ident);
    let mut out = String::with_capacity(ident.len() + 4);
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

/// Names that end up in the booklet (export, import, module and type
/// names) are printed by every tool: they must not be empty or hold
/// control characters.
pub fn check_name(lit: &syn::LitStr, what: &str) -> syn::Result<()> {
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

/// The `#[interface(…)]` options of a type, field or variant.
#[derive(Default)]
pub struct Options {
    /// `flags`: a struct of `bool`s is a flags type.
    pub flags: bool,
    /// `rename = "…"`: the interface name, instead of the kebab-case one.
    pub rename: Option<String>,
}

/// Parses the `#[interface(…)]` attributes among `attrs`, accepting the
/// options in `allowed` (`"flags"`, `"rename"`); anything else is an error.
pub fn options(attrs: &[syn::Attribute], allowed: &[&str]) -> syn::Result<Options> {
    let mut out = Options::default();
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
                return Err(meta.error(unknown_option(allowed)));
            }
            if key == "flags" {
                out.flags = true;
                return Ok(());
            }
            let lit: syn::LitStr = meta.value()?.parse()?;
            check_name(&lit, "an interface name")?;
            // `::` separates a type's module from its name in the booklet.
            if lit.value().contains("::") {
                return Err(syn::Error::new(
                    lit.span(),
                    "an interface name cannot contain `::`",
                ));
            }
            if out.rename.replace(lit.value()).is_some() {
                return Err(syn::Error::new(lit.span(), "`rename` is given twice"));
            }
            Ok(())
        })?;
    }
    Ok(out)
}

/// The interface name of a field or variant: its `rename`, or its Rust name
/// in kebab-case.
pub fn member_name(attrs: &[syn::Attribute], ident: &syn::Ident) -> syn::Result<String> {
    Ok(options(attrs, &["rename"])?
        .rename
        .unwrap_or_else(|| kebab(&ident.to_string())))
}

fn unknown_option(allowed: &[&str]) -> String {
    if allowed.is_empty() {
        return "no `interface` options are allowed here".to_string();
    }
    let expected = allowed
        .iter()
        .map(|a| match *a {
            "rename" => "`rename = \"…\"`".to_string(),
            other => format!("`{other}`"),
        })
        .collect::<Vec<_>>()
        .join(" or ");
    format!("unknown `interface` option here; expected {expected}")
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn options_refuse_what_is_not_allowed() {
        let attrs: Vec<syn::Attribute> =
            vec![syn::parse_quote!(#[interface(flags, rename = "a-b")])];
        let o = options(&attrs, &["flags", "rename"]).unwrap();
        assert!(o.flags);
        assert_eq!(o.rename.as_deref(), Some("a-b"));
        let e = options(&attrs, &["rename"]).err().unwrap();
        assert!(e.to_string().contains("expected `rename"), "{e}");
        let e = options(&attrs, &[]).err().unwrap();
        assert!(e.to_string().contains("no `interface` options"), "{e}");
        let bad: Vec<syn::Attribute> = vec![syn::parse_quote!(#[interface(rename = "a::b")])];
        assert!(options(&bad, &["rename"]).is_err());
        let bad: Vec<syn::Attribute> = vec![syn::parse_quote!(#[interface(rename = "a\u{7}")])];
        assert!(options(&bad, &["rename"]).is_err());
    }
}
