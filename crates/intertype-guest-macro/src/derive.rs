//! `#[derive(Interface)]`: records, flags, enums and variants.

use crate::kebab;
use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Data, DeriveInput, Error, Fields};

pub fn derive(item: TokenStream) -> syn::Result<TokenStream> {
    let input: DeriveInput = syn::parse2(item)?;
    if let Some(p) = input.generics.params.first() {
        return Err(Error::new(
            p.span(),
            "`#[derive(Interface)]` does not support generic types: an interface type is one concrete type",
        ));
    }
    let flags = is_flags(&input)?;
    let ident = &input.ident;
    let name = kebab(&ident.to_string());
    let body = match &input.data {
        Data::Struct(s) if flags => flags_impl(&name, &s.fields)?,
        Data::Struct(s) => record(&name, &s.fields, ident.span())?,
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
                enum_impl(&name, e)
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
    })
}

fn is_flags(input: &DeriveInput) -> syn::Result<bool> {
    let mut flags = false;
    for attr in &input.attrs {
        if !attr.path().is_ident("interface") {
            continue;
        }
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("flags") {
                flags = true;
                Ok(())
            } else {
                Err(meta.error("unknown `interface` option; expected `flags`"))
            }
        })?;
    }
    Ok(flags)
}

fn record(name: &str, fields: &Fields, span: proc_macro2::Span) -> syn::Result<TokenStream> {
    let Fields::Named(named) = fields else {
        return Err(Error::new(
            fields.span().join(span).unwrap_or(span),
            "only structs with named fields are records: name the fields",
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
    let names: Vec<_> = idents.iter().map(|i| kebab(&i.to_string())).collect();
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

fn flags_impl(name: &str, fields: &Fields) -> syn::Result<TokenStream> {
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
    let names: Vec<_> = idents.iter().map(|i| kebab(&i.to_string())).collect();
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

fn enum_impl(name: &str, e: &syn::DataEnum) -> TokenStream {
    let idents: Vec<_> = e.variants.iter().map(|v| &v.ident).collect();
    let names: Vec<_> = idents.iter().map(|i| kebab(&i.to_string())).collect();
    let n = idents.len();
    let k: Vec<_> = (0..n as u32).collect();
    let units = vec![quote!((0usize, 1usize)); n];
    quote! {
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
    }
}

fn variant(name: &str, e: &syn::DataEnum) -> syn::Result<TokenStream> {
    let mut cases = Vec::new();
    let mut layouts = Vec::new();
    let mut loads = Vec::new();
    let mut stores = Vec::new();
    for (k, v) in e.variants.iter().enumerate() {
        let k = k as u32;
        let ident = &v.ident;
        let case = kebab(&ident.to_string());
        match &v.fields {
            Fields::Unit => {
                cases.push(quote!(intertype::__private::Field { name: #case, ty: &intertype::__private::Ty::Unit }));
                layouts.push(quote!((0usize, 1usize)));
                loads.push(quote!(#k => Self::#ident,));
                stores.push(quote!(Self::#ident => intertype::__private::store_disc(ptr, __l.0, #k),));
            }
            Fields::Unnamed(u) => {
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
