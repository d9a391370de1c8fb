//! `#[export]` and `#[import]`: signatures → shims, descriptors, fragments.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned, ToTokens};
use syn::spanned::Spanned;
use syn::{
    parse::Parser, punctuated::Punctuated, Error, FnArg, ForeignItem, ItemFn, ItemForeignMod,
    LitStr, Meta, Pat, ReturnType, Signature, Token, Type,
};

/// How a value crosses the core boundary (mirrors `desc::Class`).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    Scalar,
    Pair,
    Memory,
}

impl Class {
    fn tokens(self) -> TokenStream {
        match self {
            Class::Scalar => quote!(intertype::__private::Class::Scalar),
            Class::Pair => quote!(intertype::__private::Class::Pair),
            Class::Memory => quote!(intertype::__private::Class::Memory),
        }
    }
}

/// One parameter, as the generated code sees it.
struct Param {
    /// The owned Rust type whose `Interface` impl describes it (`String` for
    /// `&str`, `Vec<T>` for `&[T]`, `Option<String>` for `Option<&str>`).
    owned: TokenStream,
    /// Whether the function takes it by shared reference.
    by_ref: bool,
    /// The type as written, when it borrows *inside* (`Option<&str>`,
    /// `Vec<&str>`, `&[&str]`): the value is passed as a view of the owned
    /// one (exports) or converted to it (imports).
    nested: Option<Type>,
    class: Class,
    span: Span,
}

/// Whether `ty` contains a reference anywhere.
fn has_ref(ty: &Type) -> bool {
    match ty {
        Type::Reference(_) => true,
        Type::Path(p) => p.path.segments.iter().any(|seg| match &seg.arguments {
            syn::PathArguments::AngleBracketed(a) => a.args.iter().any(|arg| match arg {
                syn::GenericArgument::Type(t) => has_ref(t),
                _ => false,
            }),
            _ => false,
        }),
        Type::Tuple(t) => t.elems.iter().any(has_ref),
        Type::Slice(s) => has_ref(&s.elem),
        Type::Array(a) => has_ref(&a.elem),
        Type::Paren(p) => has_ref(&p.elem),
        Type::Group(g) => has_ref(&g.elem),
        _ => false,
    }
}

/// The one type argument of `Option<X>` / `Vec<X>` (by last path segment).
fn wrapper<'t>(ty: &'t Type, name: &str) -> Option<&'t Type> {
    let Type::Path(p) = ty else { return None };
    let seg = p.path.segments.last()?;
    if seg.ident != name {
        return None;
    }
    match &seg.arguments {
        syn::PathArguments::AngleBracketed(a) if a.args.len() == 1 => match &a.args[0] {
            syn::GenericArgument::Type(t) => Some(t),
            _ => None,
        },
        _ => None,
    }
}

fn unsupported_borrow(ty: &Type) -> Error {
    Error::new_spanned(
        ty,
        "this borrow is not supported here: borrowed values may appear as `&T`, `&str`, `&[T]`, \
         and inside `Option<…>`, `Vec<…>` and `&[…]`; use owned types (`String`, `Vec<T>`) \
         elsewhere",
    )
}

/// The owned type of a type that borrows inside.
fn owned_type(ty: &Type) -> syn::Result<TokenStream> {
    if !has_ref(ty) {
        return Ok(ty.to_token_stream());
    }
    if let Type::Reference(r) = ty {
        if r.mutability.is_some() {
            return Err(unsupported_borrow(ty));
        }
        return match &*r.elem {
            e if is_plain_ident(e, &["str"]) => Ok(quote!(intertype::__private::String)),
            Type::Slice(s) => {
                let e = owned_type(&s.elem)?;
                Ok(quote!(intertype::__private::Vec<#e>))
            }
            e => owned_type(e),
        };
    }
    if let Some(x) = wrapper(ty, "Option") {
        let x = owned_type(x)?;
        return Ok(quote!(::core::option::Option<#x>));
    }
    if let Some(x) = wrapper(ty, "Vec") {
        let x = owned_type(x)?;
        return Ok(quote!(intertype::__private::Vec<#x>));
    }
    Err(unsupported_borrow(ty))
}

/// An expression of type `ty` borrowing from `place: &Owned(ty)`. `top`:
/// directly an argument of the call, so a temporary lives long enough.
fn view(ty: &Type, place: TokenStream, top: bool) -> syn::Result<TokenStream> {
    if let Type::Reference(r) = ty {
        return match &*r.elem {
            e if is_plain_ident(e, &["str"]) => {
                Ok(quote!(intertype::__private::String::as_str(#place)))
            }
            Type::Slice(s) if !has_ref(&s.elem) => Ok(quote!(&#place[..])),
            Type::Slice(s) if top => {
                let inner = view(&s.elem, quote!(__e), false)?;
                Ok(
                    quote!(&#place.iter().map(|__e| #inner).collect::<intertype::__private::Vec<_>>()[..]),
                )
            }
            e if !has_ref(e) => Ok(place),
            _ => Err(unsupported_borrow(ty)),
        };
    }
    if let Some(x) = wrapper(ty, "Option") {
        let inner = view(x, quote!(__e), false)?;
        return Ok(quote!(#place.as_ref().map(|__e| #inner)));
    }
    if let Some(x) = wrapper(ty, "Vec") {
        let inner = view(x, quote!(__e), false)?;
        return Ok(
            quote!(#place.iter().map(|__e| #inner).collect::<intertype::__private::Vec<_>>()),
        );
    }
    Err(unsupported_borrow(ty))
}

/// The owned value of `value: ty` (an import's argument that borrows
/// inside).
fn to_owned(ty: &Type, value: TokenStream) -> syn::Result<TokenStream> {
    if !has_ref(ty) {
        return Ok(value);
    }
    if let Type::Reference(r) = ty {
        return match &*r.elem {
            e if is_plain_ident(e, &["str"]) => Ok(
                quote!(<intertype::__private::String as ::core::convert::From<&str>>::from(#value)),
            ),
            Type::Slice(s) => {
                let inner = to_owned(&s.elem, quote!(::core::clone::Clone::clone(__e)))?;
                Ok(
                    quote!(#value.iter().map(|__e| #inner).collect::<intertype::__private::Vec<_>>()),
                )
            }
            e if !has_ref(e) => Ok(quote!(::core::clone::Clone::clone(#value))),
            _ => Err(unsupported_borrow(ty)),
        };
    }
    if let Some(x) = wrapper(ty, "Option") {
        let inner = to_owned(x, quote!(__e))?;
        return Ok(quote!(#value.map(|__e| #inner)));
    }
    if let Some(x) = wrapper(ty, "Vec") {
        let inner = to_owned(x, quote!(__e))?;
        return Ok(
            quote!(#value.into_iter().map(|__e| #inner).collect::<intertype::__private::Vec<_>>()),
        );
    }
    Err(unsupported_borrow(ty))
}

const SCALARS: &[&str] = &[
    "bool", "char", "u8", "i8", "u16", "i16", "u32", "i32", "u64", "i64", "f32", "f64", "usize",
    "isize",
];

fn last_ident(ty: &Type) -> Option<String> {
    match ty {
        Type::Path(p) if p.qself.is_none() => p.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
}

fn is_plain_ident(ty: &Type, names: &[&str]) -> bool {
    match ty {
        Type::Path(p) if p.qself.is_none() && p.path.segments.len() == 1 => {
            let seg = &p.path.segments[0];
            seg.arguments.is_empty() && names.contains(&seg.ident.to_string().as_str())
        }
        _ => false,
    }
}

/// Rejects what can never be an interface type, whatever it implements.
fn reject(ty: &Type, position: &str) -> syn::Result<()> {
    let msg = match ty {
        Type::ImplTrait(_) => format!("`impl Trait` is not supported as {position}: name a concrete interface type"),
        Type::TraitObject(_) => format!("trait objects are not supported as {position}: name a concrete interface type"),
        Type::Ptr(_) => format!(
            "raw pointers are not supported as {position}: interface values are copied between memories, \
             so pass the value itself (`&str`, `&[T]`, a record, …)"
        ),
        Type::BareFn(_) => format!("function pointers are not supported as {position}"),
        Type::Never(_) => format!("`!` is not supported as {position}"),
        Type::Infer(_) => format!("`_` is not supported as {position}: write the type"),
        Type::Array(_) => format!(
            "fixed-size arrays are not supported as {position}: use `Vec<T>` or `&[T]` (a list)"
        ),
        Type::Paren(p) => return reject(&p.elem, position),
        Type::Group(g) => return reject(&g.elem, position),
        _ => return Ok(()),
    };
    Err(Error::new_spanned(ty, msg))
}

fn param(ty: &Type) -> syn::Result<Param> {
    reject(ty, "a parameter")?;
    let span = ty.span();
    // `Option<&str>`, `Vec<&str>`, `&[&str]`, `&Option<…>`: borrowed inside.
    let inside = match ty {
        Type::Reference(r) if r.mutability.is_none() => match &*r.elem {
            Type::Slice(s) => has_ref(&s.elem),
            e => has_ref(e),
        },
        Type::Reference(_) => false,
        other => has_ref(other),
    };
    if inside {
        // Both directions must be expressible (the export and the import
        // side); checking here gives the error at the parameter's type.
        let owned = owned_type(ty)?;
        view(ty, quote!(x), true)?;
        to_owned(ty, quote!(x))?;
        let core = match ty {
            Type::Reference(r) => &*r.elem,
            other => other,
        };
        let class = if matches!(core, Type::Slice(_)) || wrapper(core, "Vec").is_some() {
            Class::Pair
        } else {
            Class::Memory
        };
        return Ok(Param {
            owned,
            by_ref: false,
            nested: Some(ty.clone()),
            class,
            span,
        });
    }
    let (inner, by_ref) = match ty {
        Type::Reference(r) => {
            if r.mutability.is_some() {
                return Err(Error::new_spanned(
                    ty,
                    "`&mut` parameters are not supported: the host's value is copied into the guest, \
                     so changes would not be seen; return the new value instead",
                ));
            }
            if let Type::Reference(_) = *r.elem {
                return Err(Error::new(
                    r.elem.span(),
                    "a reference to a reference is not supported",
                ));
            }
            reject(&r.elem, "a parameter")?;
            (&*r.elem, true)
        }
        other => (other, false),
    };
    if let Type::Tuple(t) = inner {
        if t.elems.is_empty() {
            return Err(Error::new(
                span,
                "`()` is not a parameter type: leave the parameter out",
            ));
        }
    }
    if is_plain_ident(inner, &["str"]) {
        if !by_ref {
            return Err(Error::new(
                span,
                "`str` must be borrowed: use `&str` or `String`",
            ));
        }
        return Ok(Param {
            owned: quote_spanned!(span=> intertype::__private::String),
            by_ref,
            nested: None,
            class: Class::Pair,
            span,
        });
    }
    if let Type::Slice(s) = inner {
        let elem = &s.elem;
        return Ok(Param {
            owned: quote_spanned!(span=> intertype::__private::Vec<#elem>),
            by_ref,
            nested: None,
            class: Class::Pair,
            span,
        });
    }
    let class = if is_plain_ident(inner, SCALARS) {
        Class::Scalar
    } else if matches!(last_ident(inner).as_deref(), Some("String" | "Vec")) {
        Class::Pair
    } else {
        Class::Memory
    };
    Ok(Param {
        owned: inner.to_token_stream(),
        by_ref,
        nested: None,
        class,
        span,
    })
}

/// The result: `None` for `()`.
fn result(output: &ReturnType) -> syn::Result<Option<Param>> {
    let ty = match output {
        ReturnType::Default => return Ok(None),
        ReturnType::Type(_, ty) => &**ty,
    };
    if let Type::Tuple(t) = ty {
        if t.elems.is_empty() {
            return Ok(None);
        }
    }
    reject(ty, "a result")?;
    if has_ref(ty) {
        return Err(Error::new_spanned(
            ty,
            "borrowed results are not supported: return an owned type (`String`, `Vec<T>`, …), \
             which is copied out and then freed",
        ));
    }
    let class = if is_plain_ident(ty, SCALARS) {
        Class::Scalar
    } else {
        Class::Memory
    };
    Ok(Some(Param {
        owned: ty.to_token_stream(),
        by_ref: false,
        nested: None,
        class,
        span: ty.span(),
    }))
}

fn check_signature(sig: &Signature, what: &str) -> syn::Result<()> {
    if let Some(a) = &sig.asyncness {
        return Err(Error::new(a.span(), format!("{what} cannot be `async`")));
    }
    if let Some(c) = &sig.constness {
        return Err(Error::new(c.span(), format!("{what} cannot be `const`")));
    }
    if let Some(v) = &sig.variadic {
        return Err(Error::new(v.span(), format!("{what} cannot be variadic")));
    }
    if let Some(u) = &sig.unsafety {
        return Err(Error::new(
            u.span(),
            format!(
                "{what} cannot be `unsafe`: the host cannot uphold its safety contract; make it a \
                 safe function (checking what it needs) that calls the unsafe one"
            ),
        ));
    }
    // Lifetime parameters are fine (`fn f<'a>(s: &'a str)`): every borrow
    // ends with the call.
    if let Some(p) = sig
        .generics
        .params
        .iter()
        .find(|p| !matches!(p, syn::GenericParam::Lifetime(_)))
    {
        return Err(Error::new_spanned(
            p,
            format!("{what} cannot be generic: the interface needs one concrete signature"),
        ));
    }
    if let Some(w) = &sig.generics.where_clause {
        return Err(Error::new(
            w.span(),
            format!("{what} cannot have a `where` clause"),
        ));
    }
    Ok(())
}

/// Where `tokens` say `Self`, if they do.
fn mentions_self(tokens: TokenStream) -> Option<Span> {
    tokens.into_iter().find_map(|t| match t {
        proc_macro2::TokenTree::Ident(i) if i == "Self" => Some(i.span()),
        proc_macro2::TokenTree::Group(g) => mentions_self(g.stream()),
        _ => None,
    })
}

/// The interface names of the parameters: kebab-case Rust names, `""` for
/// a pattern.
fn param_names(sig: &Signature) -> Vec<String> {
    sig.inputs
        .iter()
        .map(|arg| match arg {
            FnArg::Typed(t) => match &*t.pat {
                Pat::Ident(pi) => crate::kebab(&pi.ident.to_string()),
                _ => String::new(),
            },
            FnArg::Receiver(_) => String::new(),
        })
        .collect()
}

fn params(sig: &Signature) -> syn::Result<Vec<Param>> {
    sig.inputs
        .iter()
        .map(|arg| match arg {
            FnArg::Receiver(r) => Err(Error::new(
                r.span(),
                "methods cannot be exported: use a free function",
            )),
            FnArg::Typed(t) => param(&t.ty),
        })
        .collect()
}

fn slot(p: &Param) -> TokenStream {
    let owned = &p.owned;
    let class = p.class.tokens();
    quote_spanned! {p.span=>
        intertype::__private::Slot {
            ty: <#owned as intertype::__private::Interface>::TYPE,
            class: #class,
        }
    }
}

fn result_slot(r: &Option<Param>) -> TokenStream {
    match r {
        Some(r) => {
            let s = slot(r);
            quote!(::core::option::Option::Some(#s))
        }
        None => quote!(::core::option::Option::None),
    }
}

/// `name = "…"` / `module = "…"` arguments.
fn string_args(attr: TokenStream, allowed: &[&str]) -> syn::Result<Vec<(String, LitStr)>> {
    let metas = Punctuated::<Meta, Token![,]>::parse_terminated.parse2(attr)?;
    let mut out = Vec::new();
    for meta in metas {
        let Meta::NameValue(nv) = &meta else {
            return Err(Error::new(
                meta.span(),
                format!(
                    "expected {}",
                    allowed
                        .iter()
                        .map(|a| format!("`{a} = \"…\"`"))
                        .collect::<Vec<_>>()
                        .join(" or ")
                ),
            ));
        };
        let key = nv
            .path
            .get_ident()
            .map(ToString::to_string)
            .unwrap_or_default();
        if !allowed.contains(&key.as_str()) {
            return Err(Error::new(
                nv.path.span(),
                format!(
                    "unknown argument; expected {}",
                    allowed
                        .iter()
                        .map(|a| format!("`{a}`"))
                        .collect::<Vec<_>>()
                        .join(" or ")
                ),
            ));
        }
        let syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(s),
            ..
        }) = &nv.value
        else {
            return Err(Error::new(nv.value.span(), "expected a string literal"));
        };
        let what = if key == "module" {
            "the module name"
        } else {
            "the name"
        };
        crate::check_name(s, what)?;
        out.push((key, s.clone()));
    }
    Ok(out)
}

pub fn export(attr: TokenStream, item: TokenStream) -> syn::Result<TokenStream> {
    let args = string_args(attr, &["name"])?;
    let func: ItemFn = syn::parse2(item)
        .map_err(|e| Error::new(e.span(), "`#[intertype::export]` goes on a free function"))?;
    let sig = &func.sig;
    check_signature(sig, "an exported function")?;
    if let Some(abi) = &sig.abi {
        return Err(Error::new(abi.span(), "an exported function is a plain Rust function: remove the `extern` ABI (the macro writes the core export)"));
    }
    if let Some(span) = mentions_self(sig.to_token_stream()) {
        return Err(Error::new(
            span,
            "`#[intertype::export]` exports free functions; `Self` makes this an associated \
             function of an `impl` block: export a free function that calls it",
        ));
    }
    let params = params(sig)?;
    let names = param_names(sig);
    let result = result(&sig.output)?;
    let ident = &sig.ident;
    let name = args
        .iter()
        .find(|(k, _)| k == "name")
        .map(|(_, v)| v.value())
        .unwrap_or_else(|| ident.to_string());
    let docs = crate::docs(&func.attrs);
    let core_name = format!("__intertype_export_{name}");
    let post_name = format!("__intertype_post_{name}");

    let mut core_params = Vec::new();
    let mut lifts = Vec::new();
    let mut call_args = Vec::new();
    let mut arg_idents = Vec::new();
    for (i, p) in params.iter().enumerate() {
        let owned = &p.owned;
        let a = format_ident!("__a{i}");
        let c = format_ident!("__c{i}");
        match p.class {
            Class::Scalar => {
                core_params.push(quote!(#c: <#owned as intertype::__private::Scalar>::Core));
                lifts.push(
                    quote!(let #a: #owned = intertype::__private::lift_scalar::<#owned>(#c);),
                );
            }
            Class::Pair => {
                let l = format_ident!("__l{i}");
                core_params.push(quote!(#c: i32, #l: i32));
                lifts.push(quote!(let #a: #owned = unsafe { <#owned as intertype::__private::PairParam>::lift_pair(#c, #l) };));
            }
            Class::Memory => {
                core_params.push(quote!(#c: i32));
                lifts.push(quote!(let #a: #owned = unsafe { intertype::__private::lift_memory::<#owned>(#c) };));
            }
        }
        arg_idents.push(a.clone());
        call_args.push(match &p.nested {
            Some(ty) => view(ty, quote!((&#a)), true)?,
            None if p.by_ref => quote!(&#a),
            None => quote!(#a),
        });
    }
    let (ret, lower, post) = match &result {
        None => (quote!(), quote!(), quote!()),
        Some(r) if r.class == Class::Scalar => {
            let owned = &r.owned;
            (
                quote!(-> <#owned as intertype::__private::Scalar>::Core),
                quote!(intertype::__private::lower_scalar::<#owned>(__r)),
                quote!(),
            )
        }
        Some(r) => {
            let owned = &r.owned;
            (
                quote!(-> i32),
                quote!(intertype::__private::lower_result::<#owned>(__r)),
                quote! {
                    #[cfg_attr(target_family = "wasm", unsafe(export_name = #post_name))]
                    extern "C" fn __intertype_post(area: i32) {
                        unsafe { intertype::__private::post_result::<#owned>(area) }
                    }
                },
            )
        }
    };
    let param_slots: Vec<_> = params.iter().map(slot).collect();
    let result_slot = result_slot(&result);

    // In an `impl` block this item is an error that says why ("struct is
    // not supported in `impl`s"), at the attribute, before anything else
    // the expansion holds fails less clearly.
    let free_fn_guard = format_ident!(
        "__intertype_export_must_be_a_free_function_{}",
        ident,
        span = Span::call_site()
    );

    Ok(quote! {
        #[doc(hidden)]
        #[allow(non_camel_case_types, dead_code)]
        struct #free_fn_guard;

        #func

        #[doc(hidden)]
        #[allow(unsafe_code, non_snake_case, clippy::unused_unit, clippy::drop_non_drop)]
        const _: () = {
            #[cfg_attr(target_family = "wasm", unsafe(export_name = #core_name))]
            extern "C" fn __intertype_shim(#(#core_params),*) #ret {
                #(#lifts)*
                if !intertype::__private::may_run() {
                    ::core::mem::drop((#(#arg_idents,)*));
                    intertype::__private::refuse();
                }
                let __r = #ident(#(#call_args),*);
                #lower
            }
            #post

            const __DESC: intertype::__private::ExportDesc = intertype::__private::ExportDesc {
                name: #name,
                docs: #docs,
                param_names: &[#(#names),*],
                params: &[#(#param_slots),*],
                result: #result_slot,
                core: #core_name,
                post: #post_name,
            };
            const __LEN: usize = intertype::__private::export_len(&__DESC);
            #[cfg_attr(target_family = "wasm", unsafe(link_section = "wasm-interface-types"))]
            #[used]
            static __FRAGMENT: [u8; __LEN] = intertype::__private::export_bytes::<__LEN>(&__DESC);
        };
    })
}

pub fn import(attr: TokenStream, item: TokenStream) -> syn::Result<TokenStream> {
    let args = string_args(attr.clone(), &["module"])?;
    let Some((_, module)) = args.into_iter().find(|(k, _)| k == "module") else {
        return Err(Error::new(
            if attr.is_empty() {
                Span::call_site()
            } else {
                attr.span()
            },
            "missing the interface module: `#[intertype::import(module = \"…\")]`",
        ));
    };
    let block: ItemForeignMod = syn::parse2(item).map_err(|e| {
        Error::new(
            e.span(),
            "`#[intertype::import]` goes on an `extern \"C\" { … }` block of functions",
        )
    })?;
    let module = module.value();
    let mut out = TokenStream::new();
    for item in &block.items {
        let ForeignItem::Fn(f) = item else {
            return Err(Error::new(
                item.span(),
                "only functions can be imported through the interface",
            ));
        };
        out.extend(import_fn(&module, f)?);
    }
    Ok(out)
}

fn import_fn(module: &str, f: &syn::ForeignItemFn) -> syn::Result<TokenStream> {
    let sig = &f.sig;
    check_signature(sig, "an imported function")?;
    let params_ = params(sig)?;
    let names = param_names(sig);
    let result = result(&sig.output)?;
    let ident = &sig.ident;
    let generics = &sig.generics;
    let name = ident.to_string();
    let docs = crate::docs(&f.attrs);
    let core_name = format!("__intertype_import_{module}_{name}");
    let vis = &f.vis;
    let attrs = &f.attrs;

    let mut user_params = Vec::new();
    let mut core_params = Vec::new();
    let mut lowers = Vec::new();
    let mut core_args = Vec::new();
    for (i, (p, arg)) in params_.iter().zip(&sig.inputs).enumerate() {
        let FnArg::Typed(arg) = arg else {
            unreachable!("receivers are rejected")
        };
        let ty = &arg.ty;
        let x = format_ident!("__x{i}");
        let c = format_ident!("__c{i}");
        let g = format_ident!("__g{i}");
        user_params.push(match &*arg.pat {
            Pat::Ident(pi) => {
                let id = &pi.ident;
                lowers.push(quote!(let #x = #id;));
                quote!(#id: #ty)
            }
            _ => {
                return Err(Error::new(
                    arg.pat.span(),
                    "imported function parameters must be plain names",
                ))
            }
        });
        let owned = &p.owned;
        if let Some(ty) = &p.nested {
            // Borrowed inside: lowered from an owned copy.
            let value = to_owned(ty, quote!(#x))?;
            lowers.push(quote!(let #x: #owned = #value;));
        }
        match p.class {
            Class::Scalar => {
                core_params.push(quote!(#c: <#owned as intertype::__private::Scalar>::Core));
                let v = if p.by_ref { quote!(*#x) } else { quote!(#x) };
                lowers.push(quote!(let #c = intertype::__private::lower_scalar::<#owned>(#v);));
                core_args.push(quote!(#c));
            }
            Class::Pair => {
                let l = format_ident!("__l{i}");
                core_params.push(quote!(#c: i32, #l: i32));
                let v = if p.by_ref {
                    quote!(#x)
                } else {
                    quote!(::core::ops::Deref::deref(&#x))
                };
                lowers.push(
                    quote!(let (#c, #l, #g) = intertype::__private::PairArg::lower_pair(#v);),
                );
                core_args.push(quote!(#c, #l));
            }
            Class::Memory => {
                core_params.push(quote!(#c: i32));
                let v = if p.by_ref {
                    quote_spanned!(p.span=> <#owned as ::core::clone::Clone>::clone(#x))
                } else {
                    quote!(#x)
                };
                lowers.push(quote!(let #g = intertype::__private::Stored::<#owned>::new(#v);));
                core_args.push(quote!(#g.ptr()));
            }
        }
    }
    let output = &sig.output;
    let (core_ret, call) = match &result {
        None => (
            quote!(),
            quote!(unsafe { __intertype_core(#(#core_args),*) };),
        ),
        Some(r) if r.class == Class::Scalar => {
            let owned = &r.owned;
            (
                quote!(-> <#owned as intertype::__private::Scalar>::Core),
                quote! {
                    let __r = unsafe { __intertype_core(#(#core_args),*) };
                    intertype::__private::lift_scalar::<#owned>(__r)
                },
            )
        }
        Some(r) => {
            let owned = &r.owned;
            core_params.push(quote!(__ret: i32));
            (
                quote!(),
                quote! {
                    let __ret = intertype::__private::RetArea::<#owned>::new();
                    unsafe { __intertype_core(#(#core_args,)* __ret.ptr()) };
                    unsafe { __ret.take() }
                },
            )
        }
    };
    let param_slots: Vec<_> = params_.iter().map(slot).collect();
    let result_slot = result_slot(&result);

    Ok(quote! {
        #(#attrs)*
        #[allow(unsafe_code, clippy::let_unit_value, clippy::unused_unit)]
        #vis fn #ident #generics(#(#user_params),*) #output {
            #[cfg(target_family = "wasm")]
            #[link(wasm_import_module = #module)]
            unsafe extern "C" {
                #[link_name = #core_name]
                fn __intertype_core(#(#core_params),*) #core_ret;
            }
            #[cfg(not(target_family = "wasm"))]
            unsafe extern "C" fn __intertype_core(#(#core_params),*) #core_ret {
                ::core::unreachable!("interface imports are only linked in a wasm32 guest")
            }
            #(#lowers)*
            #call
        }

        #[doc(hidden)]
        #[allow(unsafe_code, non_snake_case)]
        const _: () = {
            const __DESC: intertype::__private::ImportDesc = intertype::__private::ImportDesc {
                module: #module,
                name: #name,
                docs: #docs,
                param_names: &[#(#names),*],
                params: &[#(#param_slots),*],
                result: #result_slot,
                core: #core_name,
            };
            const __LEN: usize = intertype::__private::import_len(&__DESC);
            #[cfg_attr(target_family = "wasm", unsafe(link_section = "wasm-interface-types"))]
            #[used]
            static __FRAGMENT: [u8; __LEN] = intertype::__private::import_bytes::<__LEN>(&__DESC);
        };
    })
}
