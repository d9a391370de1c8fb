//! `#[derive(Interface)]`: records, flags, enums and variants.

use crate::{kebab, options};
use proc_macro2::{Span, TokenStream, TokenTree};
use quote::{format_ident, quote, quote_spanned, ToTokens};
use syn::spanned::Spanned;
use syn::{Data, DeriveInput, Error, Fields};

/// The interface names of fields or cases, with a compile error for the
/// second of two that are the same.
fn member_names<'a>(
    members: impl Iterator<Item = (&'a [syn::Attribute], String, Span)>,
    what: &str,
) -> syn::Result<Vec<String>> {
    let mut names: Vec<String> = Vec::new();
    for (attrs, rust_name, span) in members {
        let name = options(attrs, &["rename"])?
            .rename
            .unwrap_or_else(|| kebab(&rust_name));
        if names.contains(&name) {
            return Err(Error::new(
                span,
                format!("two {what}s are both named `{name}` in the interface: rename one with `#[interface(rename = \"…\")]`"),
            ));
        }
        names.push(name);
    }
    Ok(names)
}

/// Whether `tokens` mention the type being derived (`Self` or its name):
/// interface types cannot be recursive.
fn mentions(tokens: TokenStream, ident: &syn::Ident) -> Option<Span> {
    tokens.into_iter().find_map(|t| match t {
        TokenTree::Ident(i) if i == *ident || i == "Self" => Some(i.span()),
        TokenTree::Group(g) => mentions(g.stream(), ident),
        _ => None,
    })
}

pub fn derive(item: TokenStream) -> syn::Result<TokenStream> {
    let input: DeriveInput = syn::parse2(item)?;
    if let Some(p) = input.generics.params.first() {
        return Err(Error::new(
            p.span(),
            "`#[derive(Interface)]` does not support generic types: an interface type is one concrete type",
        ));
    }
    let opts = options(&input.attrs, &["flags", "rename"])?;
    let flags = opts.flags;
    let ident = &input.ident;
    let short = opts.rename.unwrap_or_else(|| kebab(&ident.to_string()));
    // The Rust path goes with the name, so that the merge can tell two
    // `Error`s of different modules apart (see `desc::Ty`).
    let name = quote!(::core::concat!(::core::module_path!(), "::", #short));
    // Two types of one module with the same interface name would be
    // ambiguous: make that a compile error ("defined multiple times") by
    // defining one item per interface name in the module.
    let mangled: String = short
        .chars()
        .map(|c| match c {
            'a'..='z' | 'A'..='Z' | '0'..='9' => c.to_string(),
            _ => format!("_{:x}_", c as u32),
        })
        .collect();
    let guard = format_ident!(
        "__intertype_interface_type_named_{}",
        mangled,
        span = ident.span()
    );
    for field in input.data_fields() {
        if let Some(span) = mentions(field.ty.to_token_stream(), ident) {
            return Err(Error::new(
                span,
                "interface types cannot be recursive: a type cannot contain itself (not even \
                 through `Box`, `Vec` or `Option`)",
            ));
        }
    }
    let body = match &input.data {
        Data::Struct(s) if flags => flags_impl(&name, &s.fields)?,
        Data::Struct(s) => match &s.fields {
            Fields::Unnamed(u) => tuple_struct(u, ident.span())?,
            _ => record(&name, &s.fields, ident.span())?,
        },
        Data::Enum(e) => {
            if flags {
                return Err(Error::new(
                    ident.span(),
                    "`#[interface(flags)]` goes on a struct of `bool` fields",
                ));
            }
            if e.variants.is_empty() {
                return Err(Error::new(
                    ident.span(),
                    "an enum without variants has no values to pass",
                ));
            }
            if e.variants.iter().all(|v| matches!(v.fields, Fields::Unit)) {
                enum_impl(&name, e)?
            } else {
                variant(&name, e)?
            }
        }
        Data::Union(u) => {
            return Err(Error::new(
                u.union_token.span(),
                "unions cannot derive `Interface`: use an enum (a variant)",
            ))
        }
    };
    Ok(quote! {
        #[allow(unsafe_code)]
        impl intertype::__private::Interface for #ident {
            #body
        }

        #[doc(hidden)]
        #[allow(non_camel_case_types, dead_code)]
        struct #guard;
    })
}

trait DataFields {
    fn data_fields(&self) -> Vec<&syn::Field>;
}

impl DataFields for DeriveInput {
    /// Every field of the struct or of every variant.
    fn data_fields(&self) -> Vec<&syn::Field> {
        match &self.data {
            Data::Struct(s) => s.fields.iter().collect(),
            Data::Enum(e) => e.variants.iter().flat_map(|v| v.fields.iter()).collect(),
            Data::Union(u) => u.fields.named.iter().collect(),
        }
    }
}

/// `struct Meters(f64)` is its field's type; `struct Pair(A, B)` is
/// `tuple<A, B>`.
fn tuple_struct(fields: &syn::FieldsUnnamed, span: Span) -> syn::Result<TokenStream> {
    for f in &fields.unnamed {
        options(&f.attrs, &[])?;
    }
    let tys: Vec<_> = fields.unnamed.iter().map(|f| &f.ty).collect();
    if tys.is_empty() {
        return Err(Error::new(span, "a tuple struct needs at least one field"));
    }
    if let [t] = tys.as_slice() {
        let iface = quote_spanned!(t.span()=> <#t as intertype::__private::Interface>);
        return Ok(quote! {
            const TYPE: &'static intertype::__private::Ty = #iface::TYPE;
            const SIZE: usize = #iface::SIZE;
            const ALIGN: usize = #iface::ALIGN;
            unsafe fn load(ptr: *const u8) -> Self {
                Self(unsafe { #iface::load(ptr) })
            }
            unsafe fn store(self, ptr: *mut u8) {
                unsafe { #iface::store(self.0, ptr) }
            }
        });
    }
    let tuple = quote!(<(#(#tys,)*) as intertype::__private::Interface>);
    let xs: Vec<_> = (0..tys.len()).map(|i| format_ident!("__x{i}")).collect();
    let idx: Vec<_> = (0..tys.len()).map(syn::Index::from).collect();
    Ok(quote! {
        const TYPE: &'static intertype::__private::Ty = #tuple::TYPE;
        const SIZE: usize = #tuple::SIZE;
        const ALIGN: usize = #tuple::ALIGN;
        unsafe fn load(ptr: *const u8) -> Self {
            let (#(#xs,)*) = unsafe { #tuple::load(ptr) };
            Self(#(#xs),*)
        }
        unsafe fn store(self, ptr: *mut u8) {
            unsafe { #tuple::store((#(self.#idx,)*), ptr) }
        }
    })
}

fn record(
    name: &TokenStream,
    fields: &Fields,
    span: proc_macro2::Span,
) -> syn::Result<TokenStream> {
    let Fields::Named(named) = fields else {
        return Err(Error::new(
            span,
            "a unit struct has no values to pass: use `()` or a unit variant of an enum",
        ));
    };
    if named.named.is_empty() {
        return Err(Error::new(span, "a record needs at least one field"));
    }
    let idents: Vec<_> = named
        .named
        .iter()
        .map(|f| f.ident.clone().expect("named"))
        .collect();
    let names = member_names(
        named.named.iter().map(|f| {
            let ident = f.ident.as_ref().expect("named");
            (&f.attrs[..], ident.to_string(), ident.span())
        }),
        "field",
    )?;
    let tys: Vec<_> = named.named.iter().map(|f| &f.ty).collect();
    let iface: Vec<_> = tys
        .iter()
        .map(|t| quote_spanned!(t.span()=> <#t as intertype::__private::Interface>))
        .collect();
    let layout = quote!([#((#iface::SIZE, #iface::ALIGN)),*]);
    let k: Vec<_> = (0..idents.len()).collect();
    Ok(quote! {
        const TYPE: &'static intertype::__private::Ty = &intertype::__private::Ty::Record {
            name: #name,
            fields: &[#(intertype::__private::Field { name: #names, ty: #iface::TYPE }),*],
        };
        const SIZE: usize = intertype::__private::record_size(&#layout);
        const ALIGN: usize = intertype::__private::record_align(&#layout);
        unsafe fn load(ptr: *const u8) -> Self {
            let fields = #layout;
            unsafe {
                Self {
                    #(#idents: #iface::load(ptr.add(intertype::__private::field_offset(&fields, #k))),)*
                }
            }
        }
        unsafe fn store(self, ptr: *mut u8) {
            let fields = #layout;
            unsafe {
                #(#iface::store(self.#idents, ptr.add(intertype::__private::field_offset(&fields, #k)));)*
            }
        }
    })
}

fn flags_impl(name: &TokenStream, fields: &Fields) -> syn::Result<TokenStream> {
    let Fields::Named(named) = fields else {
        return Err(Error::new(
            fields.span(),
            "flags are a struct with named `bool` fields",
        ));
    };
    for f in &named.named {
        let is_bool = matches!(&f.ty, syn::Type::Path(p) if p.path.is_ident("bool"));
        if !is_bool {
            return Err(Error::new(
                f.ty.span(),
                "every field of `#[interface(flags)]` must be a `bool`",
            ));
        }
    }
    let idents: Vec<_> = named
        .named
        .iter()
        .map(|f| f.ident.clone().expect("named"))
        .collect();
    let names = member_names(
        named.named.iter().map(|f| {
            let ident = f.ident.as_ref().expect("named");
            (&f.attrs[..], ident.to_string(), ident.span())
        }),
        "flag",
    )?;
    let n = idents.len();
    let k: Vec<_> = (0..n).collect();
    Ok(quote! {
        const TYPE: &'static intertype::__private::Ty = &intertype::__private::Ty::Flags {
            name: #name,
            flags: &[#(#names),*],
        };
        const SIZE: usize = intertype::__private::flags_size(#n);
        const ALIGN: usize = intertype::__private::flags_align(#n);
        unsafe fn load(ptr: *const u8) -> Self {
            unsafe {
                Self { #(#idents: intertype::__private::flag_get(ptr, #n, #k),)* }
            }
        }
        unsafe fn store(self, ptr: *mut u8) {
            unsafe {
                intertype::__private::flags_clear(ptr, #n);
                #(intertype::__private::flag_set(ptr, #n, #k, self.#idents);)*
            }
        }
    })
}

fn enum_impl(name: &TokenStream, e: &syn::DataEnum) -> syn::Result<TokenStream> {
    let idents: Vec<_> = e.variants.iter().map(|v| &v.ident).collect();
    let names = variant_names(e)?;
    let n = idents.len();
    let k: Vec<_> = (0..n as u32).collect();
    let units = vec![quote!((0usize, 1usize)); n];
    Ok(quote! {
        const TYPE: &'static intertype::__private::Ty = &intertype::__private::Ty::Enum {
            name: #name,
            cases: &[#(#names),*],
        };
        const SIZE: usize = intertype::__private::variant_layout(&[#(#units),*]).2;
        const ALIGN: usize = intertype::__private::variant_layout(&[#(#units),*]).3;
        unsafe fn load(ptr: *const u8) -> Self {
            match unsafe { intertype::__private::load_disc(ptr, Self::SIZE) } {
                #(#k => Self::#idents,)*
                d => ::core::panic!("invalid enum discriminant {}", d),
            }
        }
        unsafe fn store(self, ptr: *mut u8) {
            let d: u32 = match self { #(Self::#idents => #k,)* };
            unsafe { intertype::__private::store_disc(ptr, Self::SIZE, d) }
        }
    })
}

fn variant_names(e: &syn::DataEnum) -> syn::Result<Vec<String>> {
    member_names(
        e.variants
            .iter()
            .map(|v| (&v.attrs[..], v.ident.to_string(), v.ident.span())),
        "case",
    )
}

fn variant(name: &TokenStream, e: &syn::DataEnum) -> syn::Result<TokenStream> {
    let names = variant_names(e)?;
    let mut cases = Vec::new();
    let mut layouts = Vec::new();
    let mut loads = Vec::new();
    let mut stores = Vec::new();
    for (k, v) in e.variants.iter().enumerate() {
        let k = k as u32;
        let ident = &v.ident;
        let case = &names[k as usize];
        match &v.fields {
            Fields::Unit => {
                cases.push(quote!(intertype::__private::Field { name: #case, ty: &intertype::__private::Ty::Unit }));
                layouts.push(quote!((0usize, 1usize)));
                loads.push(quote!(#k => Self::#ident,));
                stores.push(quote!(Self::#ident => intertype::__private::store_disc(ptr, __l.0, #k),));
            }
            Fields::Unnamed(u) => {
                for f in &u.unnamed {
                    options(&f.attrs, &[])?;
                }
                let tys: Vec<_> = u.unnamed.iter().map(|f| &f.ty).collect();
                let payload = if tys.len() == 1 {
                    let t = tys[0];
                    quote_spanned!(t.span()=> #t)
                } else {
                    quote!((#(#tys,)*))
                };
                let iface = quote_spanned!(u.span()=> <#payload as intertype::__private::Interface>);
                let xs: Vec<_> = (0..tys.len()).map(|i| quote::format_ident!("__x{i}")).collect();
                let pattern = if tys.len() == 1 { quote!(#(#xs)*) } else { quote!((#(#xs,)*)) };
                cases.push(quote!(intertype::__private::Field { name: #case, ty: #iface::TYPE }));
                layouts.push(quote!((#iface::SIZE, #iface::ALIGN)));
                loads.push(quote!(#k => {
                    let #pattern = #iface::load(ptr.add(__l.1));
                    Self::#ident(#(#xs),*)
                }));
                stores.push(quote!(Self::#ident(#(#xs),*) => {
                    intertype::__private::store_disc(ptr, __l.0, #k);
                    #iface::store(#pattern, ptr.add(__l.1));
                }));
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
    Ok(quote! {
        const TYPE: &'static intertype::__private::Ty = &intertype::__private::Ty::Variant {
            name: #name,
            cases: &[#(#cases),*],
        };
        const SIZE: usize = intertype::__private::variant_layout(&[#(#layouts),*]).2;
        const ALIGN: usize = intertype::__private::variant_layout(&[#(#layouts),*]).3;
        unsafe fn load(ptr: *const u8) -> Self {
            let __l = intertype::__private::variant_layout(&[#(#layouts),*]);
            unsafe {
                match intertype::__private::load_disc(ptr, __l.0) {
                    #(#loads)*
                    d => ::core::panic!("invalid variant discriminant {}", d),
                }
            }
        }
        unsafe fn store(self, ptr: *mut u8) {
            let __l = intertype::__private::variant_layout(&[#(#layouts),*]);
            unsafe {
                match self {
                    #(#stores)*
                }
            }
        }
    })
}
