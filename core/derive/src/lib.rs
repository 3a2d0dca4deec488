//! `#[derive(Decode)]`: the core's request types decoded from its JSON tree
//! (`kassa::host::decode::Node`) by code that reads each type's `#[serde(...)]` attributes,
//! so a type is written once, with serde's attributes, and decodes the same through either.
//!
//! Why not serde's derived `Deserialize` alone? Serde's derive emits a visitor per type:
//! a field-identifier matcher, a map loop with one slot per field and their drop glue, and for
//! an internally tagged enum a detour through a buffered `Content` tree with its own
//! deserializer. In the browser's wasm module that was 530 KB of 1.7 MB of code
//! (docs/performance.md, wasm, "Session 14"). What this derive emits is a struct literal
//! whose fields each call one shared, per-field-type helper of `kassa::host::decode::derive`;
//! the key matching, duplicate and unknown key checks and error paths live once in the core.
//!
//! The serde attributes understood are the ones the core uses: on containers `rename`,
//! `rename_all`, `rename_all_fields`, `deny_unknown_fields`, `default`, `tag`, `content`; on
//! fields `rename`, `default`, `default = "path"`, `with`, `deserialize_with`, `flatten`,
//! `skip`, `skip_deserializing`; on variants `rename`, `rename_all`. Serialization-only
//! attributes are ignored; any other attribute is a compile error, so a type never decodes
//! differently from what its attributes say without anyone noticing.

use proc_macro::TokenStream;
use proc_macro2::{Span, TokenStream as Tokens};
use quote::quote;
use syn::{
    parse_macro_input, Attribute, Data, DeriveInput, Fields, GenericParam, Ident, LitStr, Path,
};

/// Derives `kassa::host::Decode` from the type's `#[serde(...)]` attributes.
#[proc_macro_derive(Decode, attributes(serde))]
pub fn derive_decode(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    match expand(&input) {
        Ok(tokens) => tokens.into(),
        Err(error) => error.to_compile_error().into(),
    }
}

#[derive(Default)]
struct ContainerAttrs {
    rename: Option<String>,
    rename_all: Option<String>,
    rename_all_fields: Option<String>,
    deny_unknown_fields: bool,
    default: bool,
    tag: Option<String>,
    content: Option<String>,
}

#[derive(Default)]
struct FieldAttrs {
    rename: Option<String>,
    /// `default`: `Default::default`; `default = "path"`: that function.
    default: Option<Option<Path>>,
    deserialize_with: Option<Path>,
    flatten: bool,
    skip: bool,
}

#[derive(Default)]
struct VariantAttrs {
    rename: Option<String>,
    rename_all: Option<String>,
}

fn string_of(meta: &syn::meta::ParseNestedMeta) -> syn::Result<String> {
    Ok(meta.value()?.parse::<LitStr>()?.value())
}

fn path_of(meta: &syn::meta::ParseNestedMeta) -> syn::Result<Path> {
    meta.value()?.parse::<LitStr>()?.parse::<Path>()
}

/// Skips a `= "..."` an ignored attribute carries.
fn skip_value(meta: &syn::meta::ParseNestedMeta) -> syn::Result<()> {
    if meta.input.peek(syn::Token![=]) {
        meta.value()?.parse::<syn::Expr>()?;
    }
    Ok(())
}

fn unsupported(meta: &syn::meta::ParseNestedMeta) -> syn::Error {
    meta.error("#[derive(Decode)] does not implement this serde attribute; teach kassa-derive")
}

fn serde_attrs(
    attrs: &[Attribute],
    mut each: impl FnMut(&syn::meta::ParseNestedMeta) -> syn::Result<()>,
) -> syn::Result<()> {
    for attr in attrs.iter().filter(|a| a.path().is_ident("serde")) {
        attr.parse_nested_meta(|meta| each(&meta))?;
    }
    Ok(())
}

fn container_attrs(attrs: &[Attribute]) -> syn::Result<ContainerAttrs> {
    let mut out = ContainerAttrs::default();
    serde_attrs(attrs, |meta| {
        let p = &meta.path;
        if p.is_ident("rename") {
            out.rename = Some(string_of(meta)?);
        } else if p.is_ident("rename_all") {
            out.rename_all = Some(string_of(meta)?);
        } else if p.is_ident("rename_all_fields") {
            out.rename_all_fields = Some(string_of(meta)?);
        } else if p.is_ident("deny_unknown_fields") {
            out.deny_unknown_fields = true;
        } else if p.is_ident("default") {
            if meta.input.peek(syn::Token![=]) {
                return Err(unsupported(meta));
            }
            out.default = true;
        } else if p.is_ident("tag") {
            out.tag = Some(string_of(meta)?);
        } else if p.is_ident("content") {
            out.content = Some(string_of(meta)?);
        } else if p.is_ident("bound") || p.is_ident("expecting") {
            skip_value(meta)?;
        } else {
            return Err(unsupported(meta));
        }
        Ok(())
    })?;
    Ok(out)
}

fn field_attrs(attrs: &[Attribute]) -> syn::Result<FieldAttrs> {
    let mut out = FieldAttrs::default();
    serde_attrs(attrs, |meta| {
        let p = &meta.path;
        if p.is_ident("rename") {
            out.rename = Some(string_of(meta)?);
        } else if p.is_ident("default") {
            out.default = Some(if meta.input.peek(syn::Token![=]) {
                Some(path_of(meta)?)
            } else {
                None
            });
        } else if p.is_ident("with") {
            let mut path = path_of(meta)?;
            path.segments
                .push(Ident::new("deserialize", Span::call_site()).into());
            out.deserialize_with = Some(path);
        } else if p.is_ident("deserialize_with") {
            out.deserialize_with = Some(path_of(meta)?);
        } else if p.is_ident("flatten") {
            out.flatten = true;
        } else if p.is_ident("skip") || p.is_ident("skip_deserializing") {
            out.skip = true;
        } else if p.is_ident("skip_serializing_if")
            || p.is_ident("serialize_with")
            || p.is_ident("skip_serializing")
            || p.is_ident("borrow")
            || p.is_ident("bound")
        {
            skip_value(meta)?;
        } else {
            return Err(unsupported(meta));
        }
        Ok(())
    })?;
    Ok(out)
}

fn variant_attrs(attrs: &[Attribute]) -> syn::Result<VariantAttrs> {
    let mut out = VariantAttrs::default();
    serde_attrs(attrs, |meta| {
        let p = &meta.path;
        if p.is_ident("rename") {
            out.rename = Some(string_of(meta)?);
        } else if p.is_ident("rename_all") {
            out.rename_all = Some(string_of(meta)?);
        } else if p.is_ident("skip_serializing") || p.is_ident("bound") {
            skip_value(meta)?;
        } else {
            return Err(unsupported(meta));
        }
        Ok(())
    })?;
    Ok(out)
}

/// Serde's `rename_all` of a field (`snake_case` identifier) or a variant (`PascalCase`).
fn renamed(name: &str, rule: Option<&str>, is_variant: bool, span: Span) -> syn::Result<String> {
    let Some(rule) = rule else {
        return Ok(name.to_owned());
    };
    // A variant's words start at its capitals, a field's at its underscores.
    let snake = if is_variant {
        let mut out = String::new();
        for (i, ch) in name.char_indices() {
            if ch.is_uppercase() && i > 0 {
                out.push('_');
            }
            out.extend(ch.to_lowercase());
        }
        out
    } else {
        name.to_owned()
    };
    Ok(match rule {
        "snake_case" => snake,
        "SCREAMING_SNAKE_CASE" => snake.to_uppercase(),
        "lowercase" => name.to_lowercase(),
        "UPPERCASE" => name.to_uppercase(),
        "kebab-case" => snake.replace('_', "-"),
        "camelCase" if is_variant => {
            let mut chars = name.chars();
            match chars.next() {
                Some(first) => first.to_lowercase().chain(chars).collect(),
                None => String::new(),
            }
        }
        "camelCase" => {
            let mut out = String::new();
            let mut upper = false;
            for ch in snake.chars() {
                if ch == '_' {
                    upper = true;
                } else if upper {
                    out.extend(ch.to_uppercase());
                    upper = false;
                } else {
                    out.push(ch);
                }
            }
            out
        }
        "PascalCase" if is_variant => name.to_owned(),
        other => {
            return Err(syn::Error::new(
                span,
                format!("#[derive(Decode)]: rename rule \"{other}\" is not implemented"),
            ))
        }
    })
}

fn expand(input: &DeriveInput) -> syn::Result<Tokens> {
    let attrs = container_attrs(&input.attrs)?;
    let ident = &input.ident;
    let name = attrs.rename.clone().unwrap_or_else(|| ident.to_string());
    let mut generics = input.generics.clone();
    for param in &mut generics.params {
        match param {
            GenericParam::Type(ty) => ty.bounds.push(syn::parse_quote!(::kassa::host::Decode)),
            GenericParam::Lifetime(lt) => {
                return Err(syn::Error::new_spanned(
                    lt,
                    "#[derive(Decode)] decodes owned types only",
                ))
            }
            GenericParam::Const(_) => {}
        }
    }
    let (impl_generics, ty_generics, where_clause) = generics.split_for_impl();
    let body = match &input.data {
        Data::Struct(data) => struct_body(&attrs, &name, &quote!(#ident), &data.fields)?,
        Data::Enum(data) => enum_body(&attrs, &name, ident, data)?,
        Data::Union(_) => {
            return Err(syn::Error::new_spanned(
                ident,
                "#[derive(Decode)] does not decode unions",
            ))
        }
    };
    Ok(quote! {
        #[automatically_derived]
        impl #impl_generics ::kassa::host::Decode for #ident #ty_generics #where_clause {
            fn decode(
                __node: &::kassa::host::decode::Node<'_>,
            ) -> ::core::result::Result<Self, ::kassa::host::decode::DecodeError> {
                #[allow(unused_imports)]
                use ::kassa::host::decode::derive as __d;
                #body
            }
        }
    })
}

/// The expression decoding `__node` into the struct (or struct variant) `path`.
fn struct_body(
    attrs: &ContainerAttrs,
    name: &str,
    path: &Tokens,
    fields: &Fields,
) -> syn::Result<Tokens> {
    match fields {
        Fields::Named(named) => {
            let rule = attrs.rename_all.as_deref();
            object_body(
                attrs,
                &format!("struct {name}"),
                path,
                named,
                rule,
                &quote!(::core::option::Option::None),
            )
        }
        Fields::Unnamed(unnamed) if unnamed.unnamed.len() == 1 => {
            // A newtype: its content, as serde's `visit_newtype_struct`.
            Ok(quote!(::core::result::Result::Ok(#path(::kassa::host::Decode::decode(__node)?))))
        }
        Fields::Unnamed(unnamed) => {
            let count = unnamed.unnamed.len();
            let expecting = format!("tuple struct {name}");
            let too_short = format!("tuple struct {name} with {count} elements");
            let items = (0..count).map(|i| quote!(__s.item(#i)?));
            Ok(quote! {
                let __s = __d::Tuple::open(__node, #expecting, #too_short, #count)?;
                ::core::result::Result::Ok(#path(#(#items),*))
            })
        }
        Fields::Unit => {
            let expecting = format!("unit struct {name}");
            Ok(quote! {
                __d::unit(__node, #expecting)?;
                ::core::result::Result::Ok(#path)
            })
        }
    }
}

/// Decodes the object `__node` into the named fields of `path`. `skip_key`: the tag key an
/// internally tagged enum's variant leaves to its enum.
fn object_body(
    attrs: &ContainerAttrs,
    expecting: &str,
    path: &Tokens,
    named: &syn::FieldsNamed,
    rule: Option<&str>,
    skip_key: &Tokens,
) -> syn::Result<Tokens> {
    let mut names = Vec::new();
    let mut inits = Vec::new();
    let mut flattens = false;
    for field in &named.named {
        let fa = field_attrs(&field.attrs)?;
        let Some(id) = &field.ident else {
            return Err(syn::Error::new_spanned(
                field,
                "a named field without a name",
            ));
        };
        if fa.skip {
            let init = match attrs.default {
                true => quote!(__default.#id),
                false => quote!(::core::default::Default::default()),
            };
            inits.push(quote!(#id: #init));
            continue;
        }
        if fa.flatten {
            flattens = true;
            inits.push(quote!(#id: __o.flatten()?));
            continue;
        }
        let raw = id.to_string();
        let raw = raw.strip_prefix("r#").unwrap_or(&raw);
        let key = match &fa.rename {
            Some(key) => key.clone(),
            None => renamed(raw, rule, false, id.span())?,
        };
        let index = names.len();
        names.push(key);
        // An absent field: its own default, else the container's, else `Decode::missing`
        // (`None` for an `Option`) or a missing-field error.
        let init = match (&fa.deserialize_with, &fa.default) {
            (Some(with), default) => {
                let missing = match (default, attrs.default) {
                    (Some(None), _) => quote!(::core::default::Default::default()),
                    (Some(Some(path)), _) => quote!(#path()),
                    (None, true) => quote!(__default.#id),
                    (None, false) => quote!(match __o.missing(#index)? {}),
                };
                quote! {
                    match __o.with(#index, |__n| #with(__d::deserializer(__n)))? {
                        ::core::option::Option::Some(__v) => __v,
                        ::core::option::Option::None => #missing,
                    }
                }
            }
            (None, Some(None)) => quote!(__o.field_or(#index, ::core::default::Default::default)?),
            (None, Some(Some(path))) => quote!(__o.field_or(#index, #path)?),
            (None, None) if attrs.default => quote! {
                match __o.field_opt(#index)? {
                    ::core::option::Option::Some(__v) => __v,
                    ::core::option::Option::None => __default.#id,
                }
            },
            (None, None) => quote!(__o.field(#index)?),
        };
        inits.push(quote!(#id: #init));
    }
    let deny = attrs.deny_unknown_fields && !flattens;
    let default = attrs
        .default
        .then(|| quote!(let __default: Self = ::core::default::Default::default();));
    // The fields in a closure answering `Option`: a failed field leaves its error in `__o`
    // (see `Object::field`).
    Ok(quote! {
        const __FIELDS: &[&str] = &[#(#names),*];
        let __o = __d::Object::open(__node, #expecting, __FIELDS, #deny, #skip_key)?;
        #default
        match (|| ::core::option::Option::Some(#path { #(#inits),* }))() {
            ::core::option::Option::Some(__v) => ::core::result::Result::Ok(__v),
            ::core::option::Option::None => ::core::result::Result::Err(__o.error()),
        }
    })
}

fn enum_body(
    attrs: &ContainerAttrs,
    name: &str,
    ident: &Ident,
    data: &syn::DataEnum,
) -> syn::Result<Tokens> {
    let mut variant_names = Vec::new();
    let mut arms = Vec::new();
    for (index, variant) in data.variants.iter().enumerate() {
        let va = variant_attrs(&variant.attrs)?;
        let vid = &variant.ident;
        let vname = match &va.rename {
            Some(n) => n.clone(),
            None => renamed(
                &vid.to_string(),
                attrs.rename_all.as_deref(),
                true,
                vid.span(),
            )?,
        };
        variant_names.push(vname.clone());
        let path = quote!(#ident::#vid);
        let field_rule = va
            .rename_all
            .as_deref()
            .or(attrs.rename_all_fields.as_deref());
        let struct_expecting = format!("struct variant {name}::{vid}");
        let field_attrs_of = ContainerAttrs {
            deny_unknown_fields: attrs.deny_unknown_fields,
            ..ContainerAttrs::default()
        };
        let arm = match (&attrs.tag, &attrs.content, &variant.fields) {
            // Internally tagged: the variant's fields sit beside the tag.
            (Some(_), None, Fields::Unit) => quote!(::core::result::Result::Ok(#path)),
            (Some(tag), None, Fields::Named(named)) => object_body(
                &field_attrs_of,
                &struct_expecting,
                &path,
                named,
                field_rule,
                &quote!(::core::option::Option::Some(#tag)),
            )?,
            (Some(tag), None, Fields::Unnamed(u)) if u.unnamed.len() == 1 => quote! {
                ::core::result::Result::Ok(#path(__d::untagged_rest(__node, #tag)?))
            },
            (Some(_), None, Fields::Unnamed(_)) => {
                return Err(syn::Error::new_spanned(
                    variant,
                    "an internally tagged enum cannot have a tuple variant",
                ))
            }
            // Externally or adjacently tagged: the variant's content, if any, under `__key`.
            (_, _, Fields::Unit) => quote! {
                __d::unit_content(__content, __key)?;
                ::core::result::Result::Ok(#path)
            },
            (_, _, Fields::Unnamed(u)) if u.unnamed.len() == 1 => quote! {
                __d::newtype_content(__content, __key, __ADJACENT).map(#path)
            },
            (_, _, Fields::Unnamed(u)) => {
                let count = u.unnamed.len();
                let expecting = format!("tuple variant {name}::{vid}");
                let too_short = format!("tuple variant {name}::{vid} with {count} elements");
                let items = (0..count).map(|i| quote!(__s.item(#i)?));
                quote! {
                    let __node = __d::content(__content, __key, "tuple variant", __ADJACENT)?;
                    (|| -> ::core::result::Result<Self, ::kassa::host::decode::DecodeError> {
                        let __s = __d::Tuple::open(__node, #expecting, #too_short, #count)?;
                        ::core::result::Result::Ok(#path(#(#items),*))
                    })()
                    .map_err(|__e| __e.within_key(__key))
                }
            }
            (_, _, Fields::Named(named)) => {
                let body = object_body(
                    &field_attrs_of,
                    &struct_expecting,
                    &path,
                    named,
                    field_rule,
                    &quote!(::core::option::Option::None),
                )?;
                quote! {
                    let __node = __d::content(__content, __key, "struct variant", __ADJACENT)?;
                    (|| -> ::core::result::Result<Self, ::kassa::host::decode::DecodeError> { #body })()
                        .map_err(|__e| __e.within_key(__key))
                }
            }
        };
        arms.push(quote!(#index => { #arm }));
    }
    let head = match (&attrs.tag, &attrs.content) {
        (None, None) => quote! {
            let (__index, __content, __key) = __d::external(__node, __VARIANTS)?;
            const __ADJACENT: bool = false;
        },
        (Some(tag), None) => {
            let expecting = format!("internally tagged enum {name}");
            quote! {
                let __index = __d::internal(__node, #expecting, #tag, __VARIANTS)?;
            }
        }
        (Some(tag), Some(content)) => {
            let expecting = format!("adjacently tagged enum {name}");
            let deny = attrs.deny_unknown_fields;
            quote! {
                let (__index, __content) =
                    __d::adjacent(__node, #expecting, #tag, #content, __VARIANTS, #deny)?;
                let __key: &str = #content;
                const __ADJACENT: bool = true;
            }
        }
        (None, Some(_)) => {
            return Err(syn::Error::new_spanned(
                ident,
                "#[serde(content)] needs #[serde(tag)]",
            ))
        }
    };
    Ok(quote! {
        const __VARIANTS: &[&str] = &[#(#variant_names),*];
        #head
        match __index {
            #(#arms)*
            __other => ::core::result::Result::Err(__d::no_variant(__other)),
        }
    })
}
