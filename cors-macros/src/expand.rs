//! The three macros, each one way through: parse (`args`, `handler`, `shared`) → validate
//! (`validate`, after `merge` for a shared policy) → generate code (here, and only here) — or,
//! when anything was refused, `fallback`. One error context per expansion, checked once.
//!
//! For a handler `name`, `#[cors]` emits a unit struct `name`, with the handler's visibility and
//! docs, whose `HttpServiceFactory::register`
//! 1. registers the user's route exactly as its route attribute says;
//! 2. hands the checked policy (one string literal, `cors_policy::spec`) and the route's paths,
//!    methods and guards to the runtime, which records the route for the app's `CorsFirst` layer.
//!
//! With `policy = SHARED`, the policy literal is instead `SHARED! { {args} [methods] }`: the
//! macro `cors_runtime::policy!` made for the shared policy calls back into [`with_policy`] with
//! the shared definition's tokens, so the merged policy is validated at compile time, with every
//! error at its token in either place.
//!
//! Everything that is the same for every handler happens in the runtime's ordinary, non-generic
//! functions, so a handler costs the compiler one item and one call.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote};
use syn::{Attribute, Ident, Visibility};

use cors_policy::spec::{RouteText, Spec};

use crate::args::{self, Arguments, OriginsValue};
use crate::ctxt::Ctxt;
use crate::handler::{self, Handler, Unread};
use crate::route::Route;
use crate::shared::{Callback, Definition};
use crate::validate::{self, Reported};
use crate::{fallback, merge, methods};

/// `#[cors(args)] item`.
pub(crate) fn cors(args: TokenStream, item: TokenStream) -> TokenStream {
    let mut cx = Ctxt::new();
    let arguments = args::parse(args.clone(), &mut cx);
    let (handler, route) = match handler::read(&item) {
        Ok(read) => read,
        Err(Unread::LeaveToActix) => {
            // actix-web's macro reports what is wrong with its attribute; ours would only add
            // noise about a route that cannot be read.
            let _ = cx.check();
            return item;
        }
        Err(Unread::Refused(error)) => {
            cx.error(error);
            return fallback::emit(&item, cx.check().err());
        }
    };
    let runtime = runtime_path(&arguments);
    if let Some(none) = &arguments.none {
        // Opted out: no policy to judge, only that nothing else is written beside it.
        if arguments
            .written
            .iter()
            .any(|key| key != args::NONE_KEY && key != "crate")
        {
            cx.error_spanned_by(
                none,
                "`none` opts the route out of CORS and stands alone: remove the other keys, or \
                 remove `none`",
            );
        }
        let policy = quote!(#runtime::__private::PolicyRef::none());
        return match cx.check() {
            Ok(()) => registration(&handler, &route, &runtime, &policy),
            Err(error) => fallback::emit(&item, Some(error)),
        };
    }
    let policy = if let Some(shared) = &arguments.policy {
        // The shared policy's macro merges its definition with these arguments, validates the
        // result and expands to the policy's text; should it not exist, only this expression is
        // missing and the handler is still a service. With nothing but `policy = NAME`, the
        // shared policy's macro can answer with its own text.
        let additions = if arguments.written.len() == 1 {
            TokenStream::new()
        } else {
            args
        };
        let served = &route.methods;
        Some(quote!(#shared! { { #additions } [#(#served),*] }))
    } else {
        let (spec, found) = validate::policy(&arguments, &route);
        validate::report(&mut cx, found, &Reported::new());
        spec.map(|spec| policy_value(&spec, &arguments, &runtime))
    };
    match (cx.check(), policy) {
        (Ok(()), Some(policy)) => registration(&handler, &route, &runtime, &policy),
        (Ok(()), None) => fallback::emit(&item, None),
        (Err(error), _) => fallback::emit(&item, Some(error)),
    }
}

/// `cors_with_policy! { "NAME" { shared definition } { handler's arguments } [served methods] }`,
/// from the macro a shared policy defines: the merged policy's text, validated — or its errors,
/// each at its token in either place, and a stand-in value so that nothing else fails.
pub(crate) fn with_policy(input: TokenStream) -> TokenStream {
    let callback = match syn::parse2::<Callback>(input) {
        Ok(callback) => callback,
        Err(error) => return error.to_compile_error(),
    };
    let mut cx = Ctxt::new();
    // The definition's own mistakes are reported where it is written, by `policy!`.
    let (shared, _) = cx.muted(|cx| args::parse(callback.definition, cx));
    let reported = validate::reported(&validate::shared_definition(&shared));
    let handler = args::parse(callback.handler, &mut cx);
    let merged = merge::merged(&callback.name, shared, handler, &mut cx);
    let (spec, found) = validate::policy(&merged, &Route::serving(callback.served));
    validate::report(&mut cx, found, &reported);
    // Where the merged policy is refused, compilation fails anyway: a value of the right type
    // keeps that failure to the refusal itself.
    let runtime = runtime_path(&merged);
    let stand_in = quote!(#runtime::__private::PolicyRef::text(""));
    match (cx.check(), spec) {
        (Ok(()), Some(spec)) => policy_value(&spec, &merged, &runtime),
        (Err(error), _) => {
            let errors = error.to_compile_error();
            quote!({ #errors #stand_in })
        }
        // Refused for the shared definition's own mistakes, which it reports where it is.
        (Ok(()), None) => stand_in,
    }
}

/// `cors_policy!(keys)`: a builder-style resource's or a scope's policy, as a
/// `cors_runtime::CorsPolicy` value — validated like an attribute's, the served methods unknown
/// (an empty list) until the app is built.
pub(crate) fn builder_policy(args: TokenStream) -> TokenStream {
    let mut cx = Ctxt::new();
    let arguments = args::parse(args.clone(), &mut cx);
    let runtime = runtime_path(&arguments);
    if let Some(none) = &arguments.none {
        cx.error_spanned_by(
            none,
            "a builder-style resource opts out with `cors_runtime::no_cors()`, not \
             `cors_policy!(none)`",
        );
        let stand_in =
            quote!(#runtime::__private::builder_policy(#runtime::__private::PolicyRef::none()));
        let errors = cx.check().err().map(|error| error.to_compile_error());
        return quote!({ #errors #stand_in });
    }
    let value = if let Some(shared) = &arguments.policy {
        let additions = if arguments.written.len() == 1 {
            TokenStream::new()
        } else {
            args
        };
        Some(quote!(#shared! { { #additions } [] }))
    } else {
        let (spec, found) = validate::policy(&arguments, &Route::serving(Vec::new()));
        validate::report(&mut cx, found, &Reported::new());
        spec.map(|spec| policy_value(&spec, &arguments, &runtime))
    };
    let wrap = |value: TokenStream| quote!(#runtime::__private::builder_policy(#value));
    let stand_in = wrap(quote!(#runtime::__private::PolicyRef::text("")));
    match (cx.check(), value) {
        (Ok(()), Some(value)) => wrap(value),
        (Ok(()), None) => stand_in,
        (Err(error), _) => {
            let errors = error.to_compile_error();
            quote!({ #errors #stand_in })
        }
    }
}

/// `policy! { [docs] [vis] NAME { keys } }`: the definition's own mistakes, and the macro
/// `NAME` its uses call.
pub(crate) fn shared_policy(input: TokenStream) -> TokenStream {
    let definition = match syn::parse2::<Definition>(input) {
        Ok(definition) => definition,
        Err(error) => return error.to_compile_error(),
    };
    let mut cx = Ctxt::new();
    if let Visibility::Public(public) = &definition.vis {
        cx.error_spanned_by(
            public,
            "a shared policy is visible within its crate at most, like a macro: write `pub(crate)`",
        );
    }
    let mut arguments = args::parse(definition.body.clone(), &mut cx);
    if let Some(none) = &arguments.none {
        cx.error_spanned_by(
            none,
            "`none` opts one route out of CORS: write `#[cors(none)]` on that route, not in a \
             shared policy",
        );
    }
    if let Some(other) = &arguments.policy {
        cx.error_spanned_by(
            other,
            "a shared policy cannot add to another shared policy: write its keys here",
        );
    }
    let found = validate::shared_definition(&arguments);
    // A complete, valid policy without `methods` is the same text for every route: a handler
    // that adds nothing gets it without a second macro call.
    let complete = found.is_empty()
        && !cx.has_errors()
        && arguments.origins.is_some()
        && arguments.policy.is_none()
        && arguments.methods.is_none();
    let runtime = runtime_path(&arguments);
    let text = if complete {
        arguments.origins_in_shared = Some(definition.name.to_string());
        arguments.shared = Some(definition.name.to_string());
        validate::policy(&arguments, &Route::serving(vec!["GET".to_owned()]))
            .0
            .map(|spec| policy_value(&spec, &arguments, &runtime))
    } else {
        None
    };
    validate::report(&mut cx, found, &Reported::new());
    let errors = cx.check().err().map(|error| error.to_compile_error());
    shared_policy_macro(&definition, &runtime, text, errors)
}

fn runtime_path(arguments: &Arguments) -> syn::Path {
    arguments.runtime.as_ref().map_or_else(
        || syn::parse_quote!(::cors_runtime),
        |(_, path)| path.clone(),
    )
}

/// The policy as the runtime reads it: one string literal (`cors_policy::spec`) — a `static` of
/// structs and slices in every handler made type-checking a crate with many handlers much
/// slower than the text does (see BENCHMARKS.md) — and, for origins by tenant, the provider's
/// type, which the runtime finds registered by its `TypeId`. Naming the type through a function
/// bounded by `TenantOrigins` makes a type that is no provider a compile error at its path.
fn policy_value(spec: &Spec, arguments: &Arguments, runtime: &syn::Path) -> TokenStream {
    let text = cors_policy::spec::encode(spec);
    match &arguments.origins {
        Some(OriginsValue::Tenant { provider, .. }) => quote! {
            #runtime::__private::PolicyRef::tenant(#text, #runtime::__private::provider::<#provider>)
        },
        _ => quote!(#runtime::__private::PolicyRef::text(#text)),
    }
}

/// actix-web's guard for one method, as its route macros write it.
fn method_guard(actix: &TokenStream, method: &str) -> TokenStream {
    match methods::guard_of(method) {
        Some(guard) => {
            let guard = Ident::new(guard, Span::call_site());
            quote!(#actix::guard::#guard())
        }
        None => {
            let bytes = syn::LitByteStr::new(method.as_bytes(), Span::call_site());
            quote!(#actix::guard::Method(#actix::http::Method::from_bytes(#bytes).unwrap_or_default()))
        }
    }
}

/// The handler's struct and its registration: the route, then the runtime's record of it.
fn registration(
    function: &Handler,
    route: &Route,
    runtime: &syn::Path,
    policy: &TokenStream,
) -> TokenStream {
    let name = &function.name;
    let vis = &function.vis;
    let docs = function.attrs.iter().filter(|a| a.path().is_ident("doc"));
    let handler_name = name.to_string();
    let routes: Vec<RouteText> = route
        .paths
        .iter()
        .map(|path| RouteText {
            path: path.path.value(),
            methods: path.methods.clone(),
        })
        .collect();
    let routes_text = cors_policy::spec::encode_routes(&routes);
    // One list of guards per path, or none at all when no path has any.
    let guards = if route.paths.iter().all(|path| path.guards.is_empty()) {
        quote!(&[])
    } else {
        let lists = route.paths.iter().map(|path| {
            let guards = &path.guards;
            quote!(&[#(#guards as #runtime::__private::GuardFn),*])
        });
        quote!(&[#(#lists),*])
    };
    let actix = quote!(#runtime::__private::actix_web);
    let route_registration = if route.understood {
        // Registered here, as actix-web's route macro would: one macro pass and one item per
        // handler instead of two, which is what keeps a crate of many handlers quick to check.
        // The route attribute's macro is not expanded, but it was imported to be used: naming
        // it keeps that import from being reported unused. (Under `#[routes]`, the method
        // attributes are read by `routes`, not expanded, so only `routes` is named.)
        let route_macro = route
            .attribute_positions
            .first()
            .and_then(|&position| function.attrs.get(position))
            .map(Attribute::path);
        let uses = route_macro.map(|path| quote!(#[allow(unused_imports)] use #path as _;));
        let function = function.function_without(&route.attribute_positions);
        let resources = route.paths.iter().map(|path| {
            let pattern = &path.path;
            let resource_name = path
                .name
                .as_ref()
                .map_or_else(|| handler_name.clone(), syn::LitStr::value);
            let mut methods = path
                .methods
                .iter()
                .map(|method| method_guard(&actix, method));
            let method_guard = match (methods.next(), path.methods.len()) {
                (Some(only), 1) => quote!(.guard(#only)),
                (Some(first), _) => quote!(.guard(#actix::guard::Any(#first)#(.or(#methods))*)),
                (None, _) => TokenStream::new(),
            };
            let guards = &path.guards;
            let wraps = &path.wraps;
            quote! {
                #actix::dev::HttpServiceFactory::register(
                    #actix::Resource::new(#pattern)
                        .name(#resource_name)
                        #method_guard
                        #(.guard(#actix::guard::fn_guard(#guards)))*
                        #(.wrap(#wraps))*
                        .to(#name),
                    __config,
                );
            }
        });
        quote!(#uses #function #(#resources)*)
    } else {
        // Something in the route attribute only actix-web's own macro knows: it registers the
        // route, under a struct of its own.
        let inner = function.inner();
        quote! {
            #inner
            #actix::dev::HttpServiceFactory::register(#name, __config);
        }
    };
    quote! {
        #(#docs)*
        #[allow(non_camel_case_types)]
        #vis struct #name;

        impl #actix::dev::HttpServiceFactory for #name {
            fn register(self, __config: &mut #actix::dev::AppService) {
                #route_registration
                #runtime::__private::register(__config, #handler_name, #policy, #routes_text, #guards);
            }
        }
    }
}

/// The `macro_rules!` macro a shared policy is: its uses call it with their arguments and
/// methods; `text`, when the definition is complete on its own, answers a use that adds nothing.
fn shared_policy_macro(
    definition: &Definition,
    runtime: &syn::Path,
    text: Option<TokenStream>,
    errors: Option<TokenStream>,
) -> TokenStream {
    let Definition {
        attrs,
        vis,
        name,
        body,
    } = definition;
    let hidden = format_ident!("__cors_policy_{}", name);
    let visibility = match vis {
        Visibility::Public(_) => quote!(pub(crate)),
        other => quote!(#other),
    };
    let label = syn::LitStr::new(&name.to_string(), Span::call_site());
    let fast_arm = text.map(|text| quote!(({} [ $($served:tt)* ]) => { #text };));
    quote! {
        #errors
        #(#attrs)*
        #[allow(unused_macros)]
        macro_rules! #hidden {
            #fast_arm
            ({ $($handler:tt)* } [ $($served:tt)* ]) => {
                #runtime::__private::cors_with_policy! { #label { #body } { $($handler)* } [ $($served)* ] }
            };
        }
        #[allow(unused_imports)]
        #visibility use #hidden as #name;
    }
}
