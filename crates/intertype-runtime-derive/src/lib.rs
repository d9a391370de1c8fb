//! `#[derive(Interface)]` for the host side of `intertype-runtime`: makes a
//! Rust struct or enum an interface type by implementing the runtime's
//! `Lift` and `Lower` traits. Use it through `intertype_runtime::Interface`.
//!
//! The mapping is the guest derive's (`intertype-guest`'s
//! `#[derive(Interface)]`), so one type definition reads the same on both
//! sides:
//!
//! * a struct with named fields is a **record** (fields in order);
//! * a struct of `bool` fields marked `#[interface(flags)]` is **flags**;
//! * an enum of unit variants is an **enum**;
//! * any other enum is a **variant**: a unit variant has no payload, a tuple
//!   variant of one field has that field's type as payload, of several
//!   fields a tuple of them.
//!
//! * a tuple struct of one field (`struct Meters(f64)`) is that field's
//!   type; of several fields a **tuple**.
//!
//! Names become kebab-case (`first_name` → `first-name`, `NotFound` →
//! `not-found`, `type_` and `r#type` → `type`); `#[interface(rename =
//! "…")]` on a field or variant gives its interface name instead (and is
//! accepted on the type, whose name the structural `Type` does not carry).
//! Any other `#[interface(…)]` option is an error. Types are positional in values and named in the `Type`, so a
//! typed function checks the names once, when it is made.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Data, DeriveInput, Error, Fields};

mod bindgen;

/// `bindgen!("m.wasm")`: typed bindings for a module, read at compile time
/// (the path is relative to the crate's `Cargo.toml`; binary or `.wat`). See
/// `intertype_runtime::bindgen`.
#[proc_macro]
pub fn bindgen(input: proc_macro::TokenStream) -> proc_macro::TokenStream {
    let input = syn::parse_macro_input!(input as bindgen::Input);
    bindgen::expand(input)
        .unwrap_or_else(Error::into_compile_error)
        .into()
}

/// Implements `intertype_runtime::Lift` and `intertype_runtime::Lower`.
/// See the crate documentation for the mapping.
#[proc_macro_derive(Interface, attributes(interface))]
pub fn derive_interface(item: proc_macro::TokenStream) -> proc_macro::TokenStream {
    derive(item.into())
        .unwrap_or_else(Error::into_compile_error)
        .into()
}

use intertype_macro_support::{member_name, options};

/// Each field type as `<T as Lower>` and as `<T as Lift>`, spanned at
/// the type (so errors point at the field).
fn trait_paths<T: quote::ToTokens>(tys: &[T]) -> (Vec<TokenStream>, Vec<TokenStream>) {
    let rt = quote!(::intertype_runtime);
    let lower = tys
        .iter()
        .map(|t| quote_spanned!(t.span()=> <#t as #rt::Lower>))
        .collect();
    let lift = tys
        .iter()
        .map(|t| quote_spanned!(t.span()=> <#t as #rt::Lift>))
        .collect();
    (lower, lift)
}

/// `struct Meters(f64)` is `f64`; `struct Span(u32, u32)` a tuple.
fn tuple_struct_parts(fields: &syn::FieldsUnnamed, span: Span) -> syn::Result<Parts> {
    let rt = quote!(::intertype_runtime);
    for f in &fields.unnamed {
        options(&f.attrs, &[])?;
    }
    let tys: Vec<_> = fields.unnamed.iter().map(|f| &f.ty).collect();
    if tys.is_empty() {
        return Err(Error::new(span, "a tuple struct needs at least one field"));
    }
    let (lower, lift) = trait_paths(&tys);
    if tys.len() == 1 {
        let (lo, li) = (&lower[0], &lift[0]);
        return Ok(Parts {
            lower_ty: quote!(#lo::ty()),
            lift_ty: quote!(#li::ty()),
            to_value: quote!(#lo::to_value(&self.0)),
            from_value: quote!({
                let _ = &__mismatch;
                ::core::result::Result::Ok(Self(#li::from_value(__v)?))
            }),
            // The field's own form: a newtype is its field's type.
            lower_plain: quote! {
                fn to_arg(&self) -> #rt::__private::TypedArg<'_> {
                    #lo::to_arg(&self.0)
                }
                const PLAIN: ::core::option::Option<#rt::__private::Plain> = #lo::PLAIN;
                #[inline]
                fn store_le(&self, __out: &mut [u8]) {
                    #lo::store_le(&self.0, __out)
                }
            },
            lift_plain: quote! {
                const PLAIN: ::core::option::Option<#rt::__private::Plain> = #li::PLAIN;
                #[inline]
                fn load_le(__b: &[u8]) -> ::core::option::Option<Self> {
                    ::core::option::Option::Some(Self(#li::load_le(__b)?))
                }
            },
        });
    }
    let n = tys.len();
    let idx: Vec<_> = (0..n).map(syn::Index::from).collect();
    let access: Vec<_> = idx.iter().map(|i| quote!(#i)).collect();
    let vars: Vec<_> = (0..n).map(|k| format_ident!("__f{k}")).collect();
    let (lower_plain, lift_plain) = plain_items(&tys, &access, quote!(Self(#(#vars),*)));
    Ok(Parts {
        lower_plain,
        lift_plain,
        lower_ty: quote!(#rt::Type::Tuple(::std::vec![#(#lower::ty()),*])),
        lift_ty: quote!(#rt::Type::Tuple(::std::vec![#(#lift::ty()),*])),
        to_value: quote!(#rt::Value::Tuple(::std::vec![#(#lower::to_value(&self.#idx)),*])),
        from_value: quote! {
            match __v {
                #rt::Value::Tuple(__vs) if __vs.len() == #n => {
                    let mut __it = __vs.into_iter();
                    ::core::result::Result::Ok(Self(#(#lift::from_value(__it.next().unwrap_or_default())?),*))
                }
                __other => ::core::result::Result::Err(__mismatch(&__other)),
            }
        },
    })
}

fn derive(item: TokenStream) -> syn::Result<TokenStream> {
    let input: DeriveInput = syn::parse2(item)?;
    if let Some(p) = input.generics.params.first() {
        return Err(Error::new(
            p.span(),
            "`#[derive(Interface)]` does not support generic types: an interface type is one concrete type",
        ));
    }
    let flags = options(&input.attrs, &["flags", "rename"])?.flags;
    let ident = &input.ident;
    let parts = match &input.data {
        Data::Struct(s) if flags => flags_parts(&s.fields)?,
        Data::Struct(syn::DataStruct {
            fields: Fields::Unnamed(u),
            ..
        }) => tuple_struct_parts(u, ident.span())?,
        Data::Struct(s) => record_parts(&s.fields, ident.span())?,
        Data::Enum(_) if flags => {
            return Err(Error::new(
                ident.span(),
                "`#[interface(flags)]` goes on a struct of `bool` fields",
            ))
        }
        Data::Enum(e) if e.variants.is_empty() => {
            return Err(Error::new(
                ident.span(),
                "an enum without variants has no values to pass",
            ))
        }
        Data::Enum(e) if e.variants.iter().all(|v| matches!(v.fields, Fields::Unit)) => {
            enum_parts(e)?
        }
        Data::Enum(e) => variant_parts(e)?,
        Data::Union(u) => {
            return Err(Error::new(
                u.union_token.span(),
                "unions cannot derive `Interface`: use an enum (a variant)",
            ))
        }
    };
    let Parts {
        lower_ty,
        lift_ty,
        to_value,
        from_value,
        lower_plain,
        lift_plain,
    } = parts;
    let rt = quote!(::intertype_runtime);
    let name = ident.to_string();
    Ok(quote! {
        impl #rt::Lower for #ident {
            fn ty() -> #rt::Type {
                #lower_ty
            }
            fn to_value(&self) -> #rt::Value {
                #to_value
            }
            #lower_plain
        }
        impl #rt::Lift for #ident {
            fn ty() -> #rt::Type {
                #lift_ty
            }
            fn from_value(__v: #rt::Value) -> ::core::result::Result<Self, #rt::Error> {
                let __mismatch = |__v: &#rt::Value| {
                    #rt::__private::mismatch(#name, &<Self as #rt::Lift>::ty(), __v)
                };
                #from_value
            }
            #lift_plain
        }
    })
}

/// The four bodies of the two impls, and the plain memory form's items of
/// each (records and tuples; empty for other types).
struct Parts {
    lower_ty: TokenStream,
    lift_ty: TokenStream,
    to_value: TokenStream,
    from_value: TokenStream,
    lower_plain: TokenStream,
    lift_plain: TokenStream,
}

/// The plain memory form (`intertype-runtime`'s `plain.rs`) of a record or
/// tuple with these field types and accessors (`x`, `0`): `PLAIN` is
/// `Some` when every field has one, its layout computed at compile time by
/// the canonical rules; `store_le`/`load_le` write and read the fields at
/// their offsets. `construct` builds `Self` from the loaded fields
/// (`__f0`, `__f1`, ...).
fn plain_items<T: quote::ToTokens>(
    tys: &[T],
    access: &[TokenStream],
    construct: TokenStream,
) -> (TokenStream, TokenStream) {
    let rt = quote!(::intertype_runtime);
    let p = quote!(#rt::__private::Plain);
    let opt = quote!(::core::option::Option);
    let (lower, lift) = trait_paths(tys);
    let i: Vec<_> = (0..tys.len()).collect();
    let vars: Vec<_> = (0..tys.len()).map(|k| format_ident!("__f{k}")).collect();
    let lower_plain = quote! {
        fn to_arg(&self) -> #rt::__private::TypedArg<'_> {
            #rt::__private::plain_arg(self)
        }
        const PLAIN: #opt<#p> = #p::record(&[#(#lower::PLAIN),*]);
        #[inline]
        fn store_le(&self, __out: &mut [u8]) {
            const __FIELDS: &[#opt<#p>] = &[#(#lower::PLAIN),*];
            #(
                if let #opt::Some(__o) = __out.get_mut(const { #p::offset(__FIELDS, #i) }..) {
                    #lower::store_le(&self.#access, __o);
                }
            )*
        }
    };
    let lift_plain = quote! {
        const PLAIN: #opt<#p> = #p::record(&[#(#lift::PLAIN),*]);
        #[inline]
        fn load_le(__b: &[u8]) -> #opt<Self> {
            const __FIELDS: &[#opt<#p>] = &[#(#lift::PLAIN),*];
            <Self as #rt::Lift>::PLAIN?;
            #(
                let #vars = #lift::load_le(__b.get(const { #p::offset(__FIELDS, #i) }..)?)?;
            )*
            #opt::Some(#construct)
        }
    };
    (lower_plain, lift_plain)
}

fn named_fields(fields: &Fields, span: Span, what: &str) -> syn::Result<Vec<syn::Field>> {
    match fields {
        Fields::Named(named) if !named.named.is_empty() => {
            Ok(named.named.iter().cloned().collect())
        }
        Fields::Named(_) => Err(Error::new(span, format!("{what} needs at least one field"))),
        _ => Err(Error::new(
            fields.span().join(span).unwrap_or(span),
            format!("only structs with named fields are {what}s: name the fields"),
        )),
    }
}

fn record_parts(fields: &Fields, span: Span) -> syn::Result<Parts> {
    let fields = named_fields(fields, span, "a record")?;
    let rt = quote!(::intertype_runtime);
    let idents: Vec<_> = fields
        .iter()
        .map(|f| f.ident.clone().expect("named"))
        .collect();
    let names = fields
        .iter()
        .map(|f| member_name(&f.attrs, f.ident.as_ref().expect("named")))
        .collect::<syn::Result<Vec<_>>>()?;
    let tys: Vec<_> = fields.iter().map(|f| &f.ty).collect();
    let (lower, lift) = trait_paths(&tys);
    let n = idents.len();
    let access: Vec<_> = idents.iter().map(|i| quote!(#i)).collect();
    let vars: Vec<_> = (0..n).map(|k| format_ident!("__f{k}")).collect();
    let (lower_plain, lift_plain) =
        plain_items(&tys, &access, quote!(Self { #(#idents: #vars),* }));
    Ok(Parts {
        lower_plain,
        lift_plain,
        lower_ty: quote!(#rt::Type::record([#((#names, #lower::ty())),*])),
        lift_ty: quote!(#rt::Type::record([#((#names, #lift::ty())),*])),
        to_value: quote!(#rt::Value::Record(::std::vec![#(#lower::to_value(&self.#idents)),*])),
        from_value: quote! {
            match __v {
                #rt::Value::Record(__vs) if __vs.len() == #n => {
                    let mut __it = __vs.into_iter();
                    ::core::result::Result::Ok(Self {
                        #(#idents: #lift::from_value(__it.next().unwrap_or_default())?,)*
                    })
                }
                __other => ::core::result::Result::Err(__mismatch(&__other)),
            }
        },
    })
}

fn flags_parts(fields: &Fields) -> syn::Result<Parts> {
    let fields = named_fields(fields, fields.span(), "flags")?;
    for f in &fields {
        let is_bool = matches!(&f.ty, syn::Type::Path(p) if p.path.is_ident("bool"));
        if !is_bool {
            return Err(Error::new(
                f.ty.span(),
                "every field of `#[interface(flags)]` must be a `bool`",
            ));
        }
    }
    let rt = quote!(::intertype_runtime);
    let idents: Vec<_> = fields
        .iter()
        .map(|f| f.ident.clone().expect("named"))
        .collect();
    let names = fields
        .iter()
        .map(|f| member_name(&f.attrs, f.ident.as_ref().expect("named")))
        .collect::<syn::Result<Vec<_>>>()?;
    let n = idents.len();
    let words = n.div_ceil(32);
    let word: Vec<_> = (0..n).map(|k| k / 32).collect();
    let bit: Vec<_> = (0..n).map(|k| (k % 32) as u32).collect();
    let rem = (n % 32) as u32;
    let ty = quote!(#rt::Type::Flags(::std::vec![#(::std::string::String::from(#names)),*]));
    Ok(Parts {
        lower_ty: ty.clone(),
        lift_ty: ty,
        to_value: quote! {
            let mut __w = ::std::vec![0u32; #words];
            #(if self.#idents { __w[#word] |= 1u32 << #bit; })*
            #rt::Value::Flags(__w)
        },
        from_value: quote! {
            match __v {
                #rt::Value::Flags(__w)
                    if __w.len() == #words && (#rem == 0 || __w[#words - 1] >> #rem == 0) =>
                {
                    ::core::result::Result::Ok(Self {
                        #(#idents: __w[#word] & (1u32 << #bit) != 0,)*
                    })
                }
                __other => ::core::result::Result::Err(__mismatch(&__other)),
            }
        },
        lower_plain: TokenStream::new(),
        lift_plain: TokenStream::new(),
    })
}

fn enum_parts(e: &syn::DataEnum) -> syn::Result<Parts> {
    let rt = quote!(::intertype_runtime);
    let idents: Vec<_> = e.variants.iter().map(|v| &v.ident).collect();
    let names = e
        .variants
        .iter()
        .map(|v| member_name(&v.attrs, &v.ident))
        .collect::<syn::Result<Vec<_>>>()?;
    let k: Vec<_> = (0..idents.len() as u32).collect();
    let ty = quote!(#rt::Type::Enum(::std::vec![#(::std::string::String::from(#names)),*]));
    Ok(Parts {
        lower_ty: ty.clone(),
        lift_ty: ty,
        to_value: quote!(#rt::Value::Enum(match self { #(Self::#idents => #k,)* })),
        from_value: quote! {
            match __v {
                #(#rt::Value::Enum(#k) => ::core::result::Result::Ok(Self::#idents),)*
                __other => ::core::result::Result::Err(__mismatch(&__other)),
            }
        },
        lower_plain: TokenStream::new(),
        lift_plain: TokenStream::new(),
    })
}

fn variant_parts(e: &syn::DataEnum) -> syn::Result<Parts> {
    let rt = quote!(::intertype_runtime);
    let mut lower_cases = Vec::new();
    let mut lift_cases = Vec::new();
    let mut to_arms = Vec::new();
    let mut from_arms = Vec::new();
    for (k, v) in e.variants.iter().enumerate() {
        let k = k as u32;
        let ident = &v.ident;
        let name = member_name(&v.attrs, ident)?;
        match &v.fields {
            Fields::Unit => {
                let case = quote!(#rt::Case { name: ::std::string::String::from(#name), ty: ::core::option::Option::None });
                lower_cases.push(case.clone());
                lift_cases.push(case);
                to_arms.push(quote!(Self::#ident => #rt::Value::Variant(#k, ::core::option::Option::None),));
                from_arms.push(quote!(#rt::Value::Variant(#k, ::core::option::Option::None) => ::core::result::Result::Ok(Self::#ident),));
            }
            Fields::Unnamed(u) => {
                for f in &u.unnamed {
                    options(&f.attrs, &[])?;
                }
                let tys: Vec<_> = u.unnamed.iter().map(|f| &f.ty).collect();
                let xs: Vec<_> = (0..tys.len()).map(|i| format_ident!("__x{i}")).collect();
                let (lower, lift) = trait_paths(&tys);
                let (lower_ty, lift_ty, to_payload, from_payload) = if tys.len() == 1 {
                    let (lo, li, x) = (&lower[0], &lift[0], &xs[0]);
                    (
                        quote!(#lo::ty()),
                        quote!(#li::ty()),
                        quote!(#lo::to_value(#x)),
                        quote!(Self::#ident(#li::from_value(*__p)?)),
                    )
                } else {
                    let n = tys.len();
                    (
                        quote!(#rt::Type::Tuple(::std::vec![#(#lower::ty()),*])),
                        quote!(#rt::Type::Tuple(::std::vec![#(#lift::ty()),*])),
                        quote!(#rt::Value::Tuple(::std::vec![#(#lower::to_value(#xs)),*])),
                        quote! {
                            match *__p {
                                #rt::Value::Tuple(__vs) if __vs.len() == #n => {
                                    let mut __it = __vs.into_iter();
                                    Self::#ident(#(#lift::from_value(__it.next().unwrap_or_default())?),*)
                                }
                                __other => return ::core::result::Result::Err(__mismatch(&__other)),
                            }
                        },
                    )
                };
                lower_cases.push(quote!(#rt::Case { name: ::std::string::String::from(#name), ty: ::core::option::Option::Some(#lower_ty) }));
                lift_cases.push(quote!(#rt::Case { name: ::std::string::String::from(#name), ty: ::core::option::Option::Some(#lift_ty) }));
                to_arms.push(quote!(Self::#ident(#(#xs),*) => #rt::Value::Variant(#k, ::core::option::Option::Some(::std::boxed::Box::new(#to_payload))),));
                from_arms.push(quote!(#rt::Value::Variant(#k, ::core::option::Option::Some(__p)) => ::core::result::Result::Ok(#from_payload),));
            }
            Fields::Named(_) => {
                return Err(Error::new_spanned(
                    v,
                    "variants with named fields are not supported: use a tuple variant holding a struct \
                     that derives `Interface` (a record)",
                ))
            }
        }
    }
    Ok(Parts {
        lower_ty: quote!(#rt::Type::Variant(::std::vec![#(#lower_cases),*])),
        lift_ty: quote!(#rt::Type::Variant(::std::vec![#(#lift_cases),*])),
        to_value: quote!(match self { #(#to_arms)* }),
        from_value: quote! {
            match __v {
                #(#from_arms)*
                __other => ::core::result::Result::Err(__mismatch(&__other)),
            }
        },
        lower_plain: TokenStream::new(),
        lift_plain: TokenStream::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(item: TokenStream) -> String {
        derive(item).expect_err("an error").to_string()
    }

    #[test]
    fn unknown_options_are_errors() {
        let e = error(quote!(
            struct P {
                #[interface(skip)]
                x: i32,
            }
        ));
        assert!(
            e.contains("unknown `interface` option here; expected `rename = \"…\"`"),
            "{e}"
        );
        let e = error(quote!(
            #[interface(flag)]
            struct P {
                x: bool,
            }
        ));
        assert!(e.contains("expected `flags` or `rename = \"…\"`"), "{e}");
        let e = error(quote!(
            enum E {
                A(#[interface(rename = "x")] u8),
            }
        ));
        assert!(e.contains("no `interface` options are allowed here"), "{e}");
        let e = error(quote!(
            struct P {
                #[interface(rename = "a\nb")]
                x: i32,
            }
        ));
        assert!(e.contains("control characters"), "{e}");
    }

    #[test]
    fn renames_and_keywords_name_fields_and_cases() {
        let out = derive(quote! {
            #[interface(rename = "coordinates")]
            struct P { #[interface(rename = "lat")] latitude: f64, r#type: u8, match_: bool }
        })
        .unwrap()
        .to_string();
        for name in ["\"lat\"", "\"type\"", "\"match\""] {
            assert!(out.contains(name), "{name} in {out}");
        }
        let out = derive(quote!(
            enum L {
                #[interface(rename = "warn")]
                Warning,
                Error,
            }
        ))
        .unwrap()
        .to_string();
        assert!(
            out.contains("\"warn\"") && out.contains("\"error\""),
            "{out}"
        );
    }
}
