//! `bindgen!("m.wasm")`: typed Rust bindings from a module's booklet, read
//! at compile time.
//!
//! Generated, next to the macro call:
//!
//! * one Rust type per record, variant, enum and flags definition the
//!   functions use, named after the booklet's type names (`contact-info` →
//!   `ContactInfo`), with `Lift` + `Lower` implementations carrying the
//!   interface names exactly (so signature checks pass whatever the names'
//!   spelling);
//! * a struct named after the file (`contacts.wasm` → `Contacts<T>`) that
//!   owns an `Instance<T>` and has one typed method per export, with the
//!   booklet's docs; every signature is checked once, in `new`;
//! * when the module imports interface functions, a trait
//!   (`ContactsImports`) with one method per import, and
//!   `Contacts::add_to_linker` defining them all from an implementation of it
//!   (the instance's data `T`).
//!
//! Names come from an untrusted module: every one becomes a Rust identifier
//! by keeping letters, digits and word breaks only (keywords get a trailing
//! `_`), and docs and interface names are emitted as string literals.

use intertype::{Booklet, TypeDef, ValType};
use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote};
use std::collections::{BTreeMap, HashSet};
use syn::parse::{Parse, ParseStream};
use syn::{Ident, LitStr};

pub struct Input {
    path: LitStr,
}

impl Parse for Input {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let path: LitStr = input.parse()?;
        if !input.is_empty() {
            return Err(input.error("expected only the module's path: bindgen!(\"m.wasm\")"));
        }
        Ok(Input { path })
    }
}

pub fn expand(input: Input) -> syn::Result<TokenStream> {
    let span = input.path.span();
    let err = |msg: String| syn::Error::new(span, msg);
    let rel = input.path.value();
    let dir = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".into());
    let path = std::path::Path::new(&dir).join(&rel);
    let bytes =
        std::fs::read(&path).map_err(|e| err(format!("cannot read `{}`: {e}", path.display())))?;
    let binary = if bytes.starts_with(b"\0asm") {
        bytes
    } else {
        let text = std::str::from_utf8(&bytes)
            .map_err(|_| err(format!("`{rel}` is neither a binary module nor UTF-8 text")))?;
        intertype::parse_str(text, Some(&path)).map_err(|e| err(format!("`{rel}`: {e}")))?
    };
    let module =
        intertype::Module::from_binary(&binary).map_err(|e| err(format!("`{rel}`: {e}")))?;
    if !module.has_section {
        return Err(err(format!(
            "`{rel}` has no interface section: there is nothing to bind"
        )));
    }
    module
        .validate()
        .map_err(|e| err(format!("`{rel}`: {e}")))?;
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("module");
    let path_str = path.display().to_string();
    Gen::new(&module.booklet, stem, span).generate(&path_str)
}

/// Whether a type is wanted as a parameter (borrowed where that is what a
/// Rust developer passes) or as a result (owned).
#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Param,
    Owned,
}

struct Gen<'a> {
    booklet: &'a Booklet,
    struct_name: Ident,
    /// Rust names of the type definitions that get a Rust type.
    type_names: BTreeMap<u32, Ident>,
    span: Span,
}

impl<'a> Gen<'a> {
    fn new(booklet: &'a Booklet, stem: &str, span: Span) -> Self {
        let mut used = HashSet::new();
        let struct_name = unique(&mut used, camel(stem, "Module"));
        let mut type_names = BTreeMap::new();
        for (i, def) in booklet.types.iter().enumerate() {
            if matches!(
                def,
                TypeDef::Record(_) | TypeDef::Variant(_) | TypeDef::Enum(_) | TypeDef::Flags(_)
            ) {
                let base = booklet
                    .type_names
                    .get(&(i as u32))
                    .map(|n| camel(n, "Type"))
                    .unwrap_or_else(|| format!("Type{i}"));
                type_names.insert(i as u32, unique(&mut used, base));
            }
        }
        Gen {
            booklet,
            struct_name: Ident::new(&struct_name, span),
            type_names: type_names
                .into_iter()
                .map(|(i, n)| (i, Ident::new(&n, span)))
                .collect(),
            span,
        }
    }

    fn generate(&self, path: &str) -> syn::Result<TokenStream> {
        let rt = quote!(::intertype_runtime);
        let mut items = Vec::new();
        for (&idx, name) in &self.type_names {
            items.push(self.named_type(idx, name)?);
        }

        // Exports.
        let mut used: HashSet<String> = [
            "new",
            "instantiate",
            "instance",
            "instance_mut",
            "into_instance",
            "data",
            "data_mut",
            "add_to_linker",
        ]
        .into_iter()
        .map(String::from)
        .collect();
        let mut fields = Vec::new();
        let mut inits = Vec::new();
        let mut methods = Vec::new();
        for export in &self.booklet.exports {
            let Some(fty) = self.booklet.adapter_func_type(export.func) else {
                continue;
            };
            let method = Ident::new(&unique(&mut used, snake(&export.name)), self.span);
            let field = format_ident!("__{}", method.to_string().trim_start_matches("r#"));
            let wasm_name = &export.name;
            let doc = self.doc(export.func, &format!("The export `{wasm_name}`."));
            let typed = fty
                .params
                .iter()
                .chain(&fty.results)
                .all(|t| self.representable(*t));
            if !typed {
                // Core `i32`/`i64` or `externref` in a record: dynamic.
                fields.push(quote!(#field: #rt::Func));
                inits.push(quote! {
                    #field: instance.func(#wasm_name).ok_or_else(|| missing(#wasm_name))?
                });
                methods.push(quote! {
                    #(#doc)*
                    ///
                    /// (Called with dynamic values: its types have no Rust form here.)
                    pub fn #method(&mut self, args: &[#rt::Value]) -> ::core::result::Result<::std::vec::Vec<#rt::Value>, #rt::Error> {
                        self.#field.call(&mut self.instance, args)
                    }
                });
                continue;
            }
            let params: Vec<TokenStream> = fty
                .params
                .iter()
                .map(|t| self.rust(*t, Mode::Param, true))
                .collect();
            let static_params: Vec<TokenStream> = fty
                .params
                .iter()
                .map(|t| self.rust(*t, Mode::Param, false))
                .collect();
            let results: Vec<TokenStream> = fty
                .results
                .iter()
                .map(|t| self.rust(*t, Mode::Owned, true))
                .collect();
            let args = self.arg_names(export.func, params.len());
            let ret = match results.len() {
                0 => quote!(()),
                1 => results[0].clone(),
                _ => quote!((#(#results),*)),
            };
            let unpack = match results.len() {
                0 => quote!(Ok(())),
                1 => quote!(Ok(r.0)),
                _ => quote!(Ok(r)),
            };
            fields.push(quote!(#field: #rt::TypedFunc<(#(#static_params,)*), (#(#results,)*)>));
            inits.push(quote! {
                #field: instance.typed_func(#wasm_name)?
            });
            methods.push(quote! {
                #(#doc)*
                pub fn #method(&mut self, #(#args: #params),*) -> ::core::result::Result<#ret, #rt::Error> {
                    let r = self.#field.call(&mut self.instance, (#(#args,)*))?;
                    let _ = &r;
                    #unpack
                }
            });
        }

        // Imports.
        let name = &self.struct_name;
        let trait_name = format_ident!("{}Imports", name);
        let mut trait_methods = Vec::new();
        let mut defines = Vec::new();
        let mut trait_used = HashSet::new();
        for (i, import) in self.booklet.imports.iter().enumerate() {
            let Some(fty) = self.booklet.func_type(import.ty) else {
                continue;
            };
            let (m, n) = (&import.module, &import.name);
            if !fty
                .params
                .iter()
                .chain(&fty.results)
                .all(|t| self.representable(*t))
            {
                return Err(syn::Error::new(
                    self.span,
                    format!("import `{}` `{}` has types without a Rust form (core i32/i64, or externref inside a type); define it with Linker::func_new", m.escape_debug(), n.escape_debug()),
                ));
            }
            let method = Ident::new(&unique(&mut trait_used, snake(n)), self.span);
            let doc = self.doc(i as u32, &format!("The import `{}` `{}`.", m, n));
            let params: Vec<TokenStream> = fty
                .params
                .iter()
                .map(|t| self.rust(*t, Mode::Owned, true))
                .collect();
            let results: Vec<TokenStream> = fty
                .results
                .iter()
                .map(|t| self.rust(*t, Mode::Owned, true))
                .collect();
            let args = self.arg_names(i as u32, params.len());
            let (ret, wrap) = match results.len() {
                0 => (quote!(()), quote!(r)),
                1 => (results[0].clone(), quote!((r,))),
                _ => (quote!((#(#results),*)), quote!(r)),
            };
            trait_methods.push(quote! {
                #(#doc)*
                fn #method(caller: &mut #rt::Caller<'_, Self>, #(#args: #params),*) -> ::core::result::Result<#ret, #rt::Error>;
            });
            defines.push(quote! {
                linker.func_wrap_with_caller(#m, #n, |mut caller: #rt::Caller<'_, T>, (#(#args,)*): (#(#params,)*)| {
                    let r = <T as #trait_name>::#method(&mut caller, #(#args),*)?;
                    Ok(#wrap)
                });
            });
        }
        let imports = if trait_methods.is_empty() {
            quote!()
        } else {
            let trait_doc = format!(" The interface functions `{}` imports: implement them on the instance's data `T` and define them with [`{}::add_to_linker`]. Each gets the [`Caller`]({}::Caller): the data (`caller.data_mut()`), the guest's memory, its functions.", path_file(path), name, "::intertype_runtime");
            quote! {
                #[doc = #trait_doc]
                pub trait #trait_name: ::core::marker::Sized + ::core::marker::Send + 'static {
                    #(#trait_methods)*
                }

                impl<T: #trait_name> #name<T> {
                    /// Defines every import of the module in `linker`, from `T`'s
                    /// implementation of the imports trait.
                    pub fn add_to_linker(linker: &mut #rt::Linker<T>) {
                        #(#defines)*
                    }
                }
            }
        };

        let struct_doc = format!(
            " Typed bindings for `{}` (generated by `intertype_runtime::bindgen!`): one method per interface export.",
            path_file(path)
        );
        Ok(quote! {
            // Rebuild when the module changes.
            const _: &[u8] = ::core::include_bytes!(#path);

            #(#items)*

            #[doc = #struct_doc]
            pub struct #name<T: ::core::marker::Send + 'static = ()> {
                instance: #rt::Instance<T>,
                #(#fields,)*
            }

            impl<T: ::core::marker::Send + 'static> #name<T> {
                /// The module file these bindings were generated from.
                pub const PATH: &'static str = #path;

                /// Binds an instance of the module, checking every export's
                /// signature once.
                pub fn new(instance: #rt::Instance<T>) -> ::core::result::Result<Self, #rt::Error> {
                    let missing = |name: &str| #rt::Error::host(::std::format!("the module has no export `{name}` (bindings are for another module)"));
                    let _ = &missing;
                    Ok(#name {
                        #(#inits,)*
                        instance,
                    })
                }

                /// Instantiates `module` with `linker` and data `data`, then binds it.
                pub fn instantiate(linker: &#rt::Linker<T>, module: &#rt::Module, data: T) -> ::core::result::Result<Self, #rt::Error> {
                    Self::new(linker.instantiate_with(module, data)?)
                }

                pub fn instance(&self) -> &#rt::Instance<T> {
                    &self.instance
                }

                pub fn instance_mut(&mut self) -> &mut #rt::Instance<T> {
                    &mut self.instance
                }

                pub fn into_instance(self) -> #rt::Instance<T> {
                    self.instance
                }

                /// The instance's data.
                pub fn data(&self) -> &T {
                    self.instance.data()
                }

                /// The instance's data, mutably.
                pub fn data_mut(&mut self) -> &mut T {
                    self.instance.data_mut()
                }

                #(#methods)*
            }

            #imports
        })
    }

    /// Rust names for the parameters of adapter `func`: the booklet's
    /// parameter names (snake_case, made unique), `p0`, `p1`… where it has
    /// none; never a name the generated code uses itself.
    fn arg_names(&self, func: u32, n: usize) -> Vec<Ident> {
        let mut used: HashSet<String> = ["caller", "linker", "r"].map(String::from).into();
        (0..n)
            .map(|i| {
                let base = self
                    .booklet
                    .param_name(func, i)
                    .map(snake)
                    .unwrap_or_else(|| format!("p{i}"));
                Ident::new(&unique(&mut used, base), self.span)
            })
            .collect()
    }

    /// `#[doc]` attributes: the booklet's docs for adapter `func`, else
    /// `fallback`. Docs come from the module: left out under `cfg(doctest)`
    /// so that a code block in them never becomes a doctest of the crate
    /// that calls `bindgen!`.
    fn doc(&self, func: u32, fallback: &str) -> Vec<TokenStream> {
        let text = self
            .booklet
            .docs
            .get(&func)
            .cloned()
            .unwrap_or_else(|| fallback.to_string());
        text.lines()
            .map(|l| {
                let l = format!(" {l}");
                quote!(#[cfg_attr(not(doctest), doc = #l)])
            })
            .collect()
    }

    /// Whether a type has a Rust form: core `i32`/`i64` do not (the typed
    /// API has no Rust type for them), nor `externref` except at the top.
    fn representable(&self, t: ValType) -> bool {
        self.repr_inner(t, 0, true)
    }

    fn repr_inner(&self, t: ValType, depth: u32, top: bool) -> bool {
        if depth > 64 {
            return false;
        }
        match t {
            ValType::I32 | ValType::I64 => false,
            ValType::Externref => top,
            ValType::Type(i) => match self.booklet.types.get(i as usize) {
                Some(TypeDef::Record(fs)) => {
                    fs.iter().all(|f| self.repr_inner(f.ty, depth + 1, false))
                }
                Some(TypeDef::Variant(cs)) => cs
                    .iter()
                    .all(|c| c.ty.is_none_or(|t| self.repr_inner(t, depth + 1, false))),
                Some(TypeDef::Enum(_) | TypeDef::Flags(_)) => true,
                Some(TypeDef::List(t) | TypeDef::Option(t)) => {
                    self.repr_inner(*t, depth + 1, false)
                }
                Some(TypeDef::Result { ok, err }) => [ok, err]
                    .into_iter()
                    .all(|t| t.is_none_or(|t| self.repr_inner(t, depth + 1, false))),
                Some(TypeDef::Tuple(ts)) => {
                    !ts.is_empty()
                        && ts.len() <= 16
                        && ts.iter().all(|t| self.repr_inner(*t, depth + 1, false))
                }
                Some(TypeDef::Func(_)) | None => false,
            },
            _ => true,
        }
    }

    /// The Rust type of `t`. `elided`: borrowed parameters use elided
    /// lifetimes (in signatures) or `'static` (in stored `TypedFunc`s).
    fn rust(&self, t: ValType, mode: Mode, elided: bool) -> TokenStream {
        let rt = quote!(::intertype_runtime);
        let lt = if elided { quote!(&) } else { quote!(&'static) };
        match t {
            ValType::S8 => quote!(i8),
            ValType::S16 => quote!(i16),
            ValType::S32 => quote!(i32),
            ValType::S64 => quote!(i64),
            ValType::U8 => quote!(u8),
            ValType::U16 => quote!(u16),
            ValType::U32 => quote!(u32),
            ValType::U64 => quote!(u64),
            ValType::F32 => quote!(f32),
            ValType::F64 => quote!(f64),
            ValType::Bool => quote!(bool),
            ValType::Char => quote!(char),
            ValType::String if mode == Mode::Param => quote!(#lt str),
            ValType::String => quote!(::std::string::String),
            ValType::Externref => quote!(::core::option::Option<#rt::ExternRef>),
            // Not representable; never reached for typed functions.
            ValType::I32 => quote!(i32),
            ValType::I64 => quote!(i64),
            ValType::Type(i) => {
                if let Some(name) = self.type_names.get(&i) {
                    return if mode == Mode::Param {
                        quote!(#lt #name)
                    } else {
                        quote!(#name)
                    };
                }
                match self.booklet.types.get(i as usize) {
                    Some(TypeDef::List(e)) => {
                        if mode == Mode::Param {
                            // Strings in a list are borrowed too; other
                            // elements are passed as owned values in a slice.
                            let inner = match e {
                                ValType::String => quote!(#lt str),
                                e => self.rust(*e, Mode::Owned, elided),
                            };
                            quote!(#lt [#inner])
                        } else {
                            let inner = self.rust(*e, Mode::Owned, elided);
                            quote!(::std::vec::Vec<#inner>)
                        }
                    }
                    Some(TypeDef::Option(t)) => {
                        let inner = self.rust(*t, mode, elided);
                        quote!(::core::option::Option<#inner>)
                    }
                    Some(TypeDef::Result { ok, err }) => {
                        let side = |t: &Option<ValType>| match t {
                            Some(t) => self.rust(*t, mode, elided),
                            None => quote!(()),
                        };
                        let (o, e) = (side(ok), side(err));
                        quote!(::core::result::Result<#o, #e>)
                    }
                    Some(TypeDef::Tuple(ts)) => {
                        let ts = ts.iter().map(|t| self.rust(*t, mode, elided));
                        quote!((#(#ts,)*))
                    }
                    _ => quote!(()),
                }
            }
        }
    }

    /// The `Type` expression of an owned Rust type (through `Lower::ty`).
    fn ty_expr(&self, t: ValType) -> TokenStream {
        let r = self.rust(t, Mode::Owned, true);
        quote!(<#r as ::intertype_runtime::Lower>::ty())
    }

    fn named_type(&self, idx: u32, name: &Ident) -> syn::Result<TokenStream> {
        let rt = quote!(::intertype_runtime);
        let iface_name = self
            .booklet
            .type_names
            .get(&idx)
            .cloned()
            .unwrap_or_else(|| format!("type {idx}"));
        let doc = format!(" The interface type `{}`.", iface_name.escape_debug());
        let rust_name = name.to_string();
        let mismatch = quote! {
            other => ::core::result::Result::Err(#rt::__private::mismatch(#rust_name, &<Self as #rt::Lower>::ty(), &other))
        };
        let Some(def) = self.booklet.types.get(idx as usize) else {
            return Ok(quote!());
        };
        Ok(match def {
            TypeDef::Record(fs) => {
                let mut used = HashSet::new();
                let idents: Vec<Ident> = fs
                    .iter()
                    .map(|f| Ident::new(&unique(&mut used, snake(&f.name)), self.span))
                    .collect();
                let names: Vec<&str> = fs.iter().map(|f| f.name.as_str()).collect();
                let tys: Vec<TokenStream> = fs
                    .iter()
                    .map(|f| self.rust(f.ty, Mode::Owned, true))
                    .collect();
                let ty_exprs: Vec<TokenStream> = fs.iter().map(|f| self.ty_expr(f.ty)).collect();
                let n = fs.len();
                let access: Vec<TokenStream> = idents.iter().map(|i| quote!(#i)).collect();
                let vars: Vec<Ident> = (0..n).map(|k| format_ident!("__f{k}")).collect();
                let (lower_plain, lift_plain) =
                    crate::plain_items(&tys, &access, quote!(#name { #(#idents: #vars),* }));
                quote! {
                    #[doc = #doc]
                    #[derive(Clone, Debug, PartialEq)]
                    pub struct #name {
                        #(pub #idents: #tys,)*
                    }
                    impl #rt::Lower for #name {
                        fn ty() -> #rt::Type {
                            #rt::Type::Record(::std::vec![#(#rt::Field { name: ::std::string::String::from(#names), ty: #ty_exprs },)*])
                        }
                        fn to_value(&self) -> #rt::Value {
                            #rt::Value::Record(::std::vec![#(#rt::Lower::to_value(&self.#idents),)*])
                        }
                        #lower_plain
                    }
                    impl #rt::Lift for #name {
                        fn ty() -> #rt::Type {
                            <Self as #rt::Lower>::ty()
                        }
                        fn from_value(v: #rt::Value) -> ::core::result::Result<Self, #rt::Error> {
                            match v {
                                #rt::Value::Record(fields) if fields.len() == #n => {
                                    let mut it = fields.into_iter();
                                    Ok(#name {
                                        #(#idents: #rt::Lift::from_value(it.next().unwrap_or_default())?,)*
                                    })
                                }
                                #mismatch
                            }
                        }
                        #lift_plain
                    }
                }
            }
            TypeDef::Variant(cs) => {
                let mut used = HashSet::new();
                let idents: Vec<Ident> = cs
                    .iter()
                    .map(|c| Ident::new(&unique(&mut used, camel(&c.name, "Case")), self.span))
                    .collect();
                let names: Vec<&str> = cs.iter().map(|c| c.name.as_str()).collect();
                let mut decls = Vec::new();
                let mut tys = Vec::new();
                let mut lowers = Vec::new();
                let mut lifts = Vec::new();
                for (i, (c, id)) in cs.iter().zip(&idents).enumerate() {
                    let i = i as u32;
                    match c.ty {
                        Some(t) => {
                            let r = self.rust(t, Mode::Owned, true);
                            let te = self.ty_expr(t);
                            decls.push(quote!(#id(#r)));
                            tys.push(quote!(::core::option::Option::Some(#te)));
                            lowers.push(quote!(#name::#id(p) => #rt::Value::Variant(#i, ::core::option::Option::Some(::std::boxed::Box::new(#rt::Lower::to_value(p))))));
                            lifts.push(quote!(#rt::Value::Variant(#i, ::core::option::Option::Some(p)) => Ok(#name::#id(#rt::Lift::from_value(*p)?))));
                        }
                        None => {
                            decls.push(quote!(#id));
                            tys.push(quote!(::core::option::Option::None));
                            lowers.push(quote!(#name::#id => #rt::Value::Variant(#i, ::core::option::Option::None)));
                            lifts.push(quote!(#rt::Value::Variant(#i, ::core::option::Option::None) => Ok(#name::#id)));
                        }
                    }
                }
                quote! {
                    #[doc = #doc]
                    #[derive(Clone, Debug, PartialEq)]
                    pub enum #name {
                        #(#decls,)*
                    }
                    impl #rt::Lower for #name {
                        fn ty() -> #rt::Type {
                            #rt::Type::Variant(::std::vec![#(#rt::Case { name: ::std::string::String::from(#names), ty: #tys },)*])
                        }
                        fn to_value(&self) -> #rt::Value {
                            match self {
                                #(#lowers,)*
                            }
                        }
                    }
                    impl #rt::Lift for #name {
                        fn ty() -> #rt::Type {
                            <Self as #rt::Lower>::ty()
                        }
                        fn from_value(v: #rt::Value) -> ::core::result::Result<Self, #rt::Error> {
                            match v {
                                #(#lifts,)*
                                #mismatch
                            }
                        }
                    }
                }
            }
            TypeDef::Enum(cases) => {
                let mut used = HashSet::new();
                let idents: Vec<Ident> = cases
                    .iter()
                    .map(|c| Ident::new(&unique(&mut used, camel(c, "Case")), self.span))
                    .collect();
                let nums: Vec<u32> = (0..cases.len() as u32).collect();
                quote! {
                    #[doc = #doc]
                    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
                    pub enum #name {
                        #(#idents,)*
                    }
                    impl #rt::Lower for #name {
                        fn ty() -> #rt::Type {
                            #rt::Type::Enum(::std::vec![#(::std::string::String::from(#cases),)*])
                        }
                        fn to_value(&self) -> #rt::Value {
                            match self {
                                #(#name::#idents => #rt::Value::Enum(#nums),)*
                            }
                        }
                    }
                    impl #rt::Lift for #name {
                        fn ty() -> #rt::Type {
                            <Self as #rt::Lower>::ty()
                        }
                        fn from_value(v: #rt::Value) -> ::core::result::Result<Self, #rt::Error> {
                            match v {
                                #(#rt::Value::Enum(#nums) => Ok(#name::#idents),)*
                                #mismatch
                            }
                        }
                    }
                }
            }
            TypeDef::Flags(flags) => {
                let mut used = HashSet::new();
                let idents: Vec<Ident> = flags
                    .iter()
                    .map(|f| Ident::new(&unique(&mut used, snake(f)), self.span))
                    .collect();
                let bits: Vec<usize> = (0..flags.len()).collect();
                let n = flags.len();
                quote! {
                    #[doc = #doc]
                    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
                    pub struct #name {
                        #(pub #idents: bool,)*
                    }
                    impl #rt::Lower for #name {
                        fn ty() -> #rt::Type {
                            #rt::Type::Flags(::std::vec![#(::std::string::String::from(#flags),)*])
                        }
                        fn to_value(&self) -> #rt::Value {
                            let mut set = ::std::vec::Vec::new();
                            #(if self.#idents { set.push(#bits); })*
                            #rt::Value::flags(#n, set)
                        }
                    }
                    impl #rt::Lift for #name {
                        fn ty() -> #rt::Type {
                            <Self as #rt::Lower>::ty()
                        }
                        fn from_value(v: #rt::Value) -> ::core::result::Result<Self, #rt::Error> {
                            match v {
                                #rt::Value::Flags(words) if words.len() == #n.div_ceil(32) => {
                                    let bit = |i: usize| words[i / 32] >> (i % 32) & 1 == 1;
                                    let _ = &bit;
                                    Ok(#name { #(#idents: bit(#bits),)* })
                                }
                                #mismatch
                            }
                        }
                    }
                }
            }
            _ => quote!(),
        })
    }
}

fn path_file(path: &str) -> String {
    std::path::Path::new(path)
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_default()
        .escape_debug()
        .to_string()
}

/// The words of a name from a module: runs of ASCII letters and digits,
/// split at anything else and at lower→upper case changes.
fn words(name: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            if c.is_ascii_uppercase() && prev_lower && !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
            cur.push(c);
        } else {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            prev_lower = false;
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// `contact-info` → `ContactInfo`; `fallback` when nothing usable is left.
fn camel(name: &str, fallback: &str) -> String {
    let mut s: String = words(name)
        .iter()
        .map(|w| {
            let mut cs = w.chars();
            match cs.next() {
                Some(c) => c.to_ascii_uppercase().to_string() + &cs.as_str().to_ascii_lowercase(),
                None => String::new(),
            }
        })
        .collect();
    if s.is_empty() {
        s = fallback.to_string();
    }
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        s.insert_str(0, fallback);
    }
    if is_keyword(&s) {
        s.push('_');
    }
    s
}

/// `read-file` → `read_file`; keywords get a trailing `_`.
fn snake(name: &str) -> String {
    let mut s = words(name)
        .iter()
        .map(|w| w.to_ascii_lowercase())
        .collect::<Vec<_>>()
        .join("_");
    if s.is_empty() {
        s = "f".to_string();
    }
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        s.insert(0, '_');
    }
    if is_keyword(&s) {
        s.push('_');
    }
    s
}

/// `base`, or `base_2`, `base_3`… if taken (`Base2`, `Base3`… for
/// type and case names, which must stay UpperCamelCase).
fn unique(used: &mut HashSet<String>, base: String) -> String {
    let camel = base.starts_with(|c: char| c.is_ascii_uppercase());
    let mut name = base.clone();
    let mut n = 2;
    while !used.insert(name.clone()) {
        name = if camel {
            format!("{}{n}", base.trim_end_matches('_'))
        } else {
            format!("{base}_{n}")
        };
        n += 1;
    }
    name
}

fn is_keyword(s: &str) -> bool {
    matches!(
        s,
        "as" | "break"
            | "const"
            | "continue"
            | "crate"
            | "else"
            | "enum"
            | "extern"
            | "false"
            | "fn"
            | "for"
            | "if"
            | "impl"
            | "in"
            | "let"
            | "loop"
            | "match"
            | "mod"
            | "move"
            | "mut"
            | "pub"
            | "ref"
            | "return"
            | "self"
            | "Self"
            | "static"
            | "struct"
            | "super"
            | "trait"
            | "true"
            | "type"
            | "unsafe"
            | "use"
            | "where"
            | "while"
            | "async"
            | "await"
            | "dyn"
            | "abstract"
            | "become"
            | "box"
            | "do"
            | "final"
            | "macro"
            | "override"
            | "priv"
            | "typeof"
            | "unsized"
            | "virtual"
            | "yield"
            | "try"
            | "gen"
            | "union"
            | "_"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expand_file(rel: &str) -> Result<String, String> {
        let input: Input = syn::parse_str(&format!("{rel:?}")).map_err(|e| e.to_string())?;
        expand(input)
            .map(|t| t.to_string())
            .map_err(|e| e.to_string())
    }

    #[test]
    fn bad_inputs_are_compile_errors() {
        let err = expand_file("no/such.wasm").unwrap_err();
        assert!(
            err.contains("cannot read") && err.contains("such.wasm"),
            "{err}"
        );
        // Not a module (this file is Rust, i.e. UTF-8 text but not wat).
        let err = expand_file("src/bindgen.rs").unwrap_err();
        assert!(err.contains("src/bindgen.rs"), "{err}");
        // A module without an interface section (an absolute path).
        let plain = std::env::temp_dir().join(format!("bindgen-plain-{}.wat", std::process::id()));
        std::fs::write(&plain, "(module (func (export \"f\")))").unwrap();
        let err = expand_file(plain.to_str().unwrap()).unwrap_err();
        std::fs::remove_file(&plain).unwrap();
        assert!(err.contains("no interface section"), "{err}");
        let err = syn::parse_str::<Input>(r#""a.wasm", extra"#).err().unwrap();
        assert!(err.to_string().contains("only the module's path"), "{err}");
    }

    #[test]
    fn parameters_take_the_booklets_names() {
        let out = expand_file("../../examples/host-rust/notes.wat").unwrap();
        assert!(
            out.contains("pub fn add_note (& mut self , text : & str)"),
            "{out}"
        );
        assert!(out.contains("fn digest (caller : & mut"), "{out}");
        assert!(out.contains("ptr : u32 , len : u32"), "{out}");
        let out =
            expand_file("../../crates/intertype-runtime/tests/all/fixtures/hostile-names.wat")
                .unwrap();
        assert!(
            out.contains("pub fn type_ (& mut self , caller_2 : u32)"),
            "{out}"
        );
    }

    #[test]
    fn generated_code_names_what_it_binds() {
        let out = expand_file("../../tests/corpus/extension/shapes.wat").unwrap();
        for want in [
            "pub struct Point",
            "pub enum Shape",
            "pub enum Color",
            "pub struct Perms",
            "pub struct Shapes",
            "pub trait ShapesImports",
            "fn log_point",
            "pub fn next_color",
        ] {
            assert!(out.contains(want), "{want} missing");
        }
    }

    #[test]
    fn names_from_modules_become_identifiers() {
        assert_eq!(camel("contact-info", "Type"), "ContactInfo");
        assert_eq!(camel("HTTPRequest", "Type"), "Httprequest");
        assert_eq!(camel("3d", "Type"), "Type3d");
        assert_eq!(camel("\u{1b}[31m", "Type"), "Type31m");
        assert_eq!(camel("", "Type"), "Type");
        assert_eq!(snake("read-file"), "read_file");
        assert_eq!(snake("firstName"), "first_name");
        assert_eq!(snake("type"), "type_");
        assert_eq!(snake("self"), "self_");
        assert_eq!(snake("a\nb"), "a_b");
        assert_eq!(snake("é"), "f");
        let mut used = HashSet::new();
        assert_eq!(unique(&mut used, "a".into()), "a");
        assert_eq!(unique(&mut used, "a".into()), "a_2");
        assert_eq!(unique(&mut used, "Self_".into()), "Self_");
        assert_eq!(unique(&mut used, "Self_".into()), "Self2");
    }
}
