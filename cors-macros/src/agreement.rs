//! One rule, two moments: what `#[cors]` says of an origin written in the attribute — the
//! macro's own expansion, errors and all — is what the runtime it generates code for says of the
//! same origin configured with `set_origins`, word for word. Inputs are mutations of allowed
//! origins, so most of them sit right next to the boundary between accepted and refused.

use proc_macro2::{TokenStream, TokenTree};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use quote::quote;

use cors_runtime::__private::actix_web::{get, App, Responder};

/// The macro's messages for `origins = [origin], credentials` on a handler.
fn macro_verdict(origin: &str) -> Vec<String> {
    let args = quote!(origins = [#origin], credentials);
    let item = quote! {
        #[get("/agreement")]
        async fn agreement() -> &'static str { "agreement" }
    };
    let mut messages = Vec::new();
    compile_errors(crate::expand::cors(args, item), &mut messages);
    messages
}

/// The messages of every `compile_error!` in `tokens`.
fn compile_errors(tokens: TokenStream, messages: &mut Vec<String>) {
    let mut previous_was_compile_error = false;
    for token in tokens {
        match token {
            TokenTree::Ident(ident) => previous_was_compile_error = ident == "compile_error",
            TokenTree::Group(group) => {
                if previous_was_compile_error {
                    if let Ok(message) = syn::parse2::<syn::LitStr>(group.stream()) {
                        messages.push(message.value());
                    }
                }
                compile_errors(group.stream(), messages);
            }
            TokenTree::Punct(punct) if punct.as_char() == '!' => {}
            _ => previous_was_compile_error = false,
        }
    }
}

#[cors_runtime::cors(origins = config("agreement"), credentials)]
#[get("/agreement")]
async fn agreement() -> impl Responder {
    "agreement"
}

/// The runtime's messages for `origin` set as the origins of the same policy, on a running app.
fn runtime_verdict(origin: &str) -> Vec<String> {
    match cors_runtime::config::set_origins("agreement", [origin]) {
        Ok(()) => Vec::new(),
        Err(error) => error
            .problems
            .into_iter()
            .map(|problem| problem.message)
            .collect(),
    }
}

/// Mutations of an allowed origin: a piece inserted, removed, appended or prepended, a case
/// flipped, the scheme downgraded, a list where one origin belongs.
fn mutation() -> impl Strategy<Value = String> {
    let base = prop::sample::select(vec![
        "https://app.example.com",
        "http://localhost:3000",
        "https://*.example.com",
        "http://[::1]:8080",
    ]);
    let piece = prop::sample::select(vec![
        ".",
        "/",
        "@",
        ":",
        "%",
        " ",
        ",",
        "\t",
        "é",
        "*",
        "-",
        "_",
        "a",
        "Z",
        "0",
        "evil.",
        ".evil.net",
        ":443",
        ":8443",
        "%2e",
        "xn--",
        "..",
        "?",
        "#",
        ";",
        "!!",
    ]);
    (base, any::<prop::sample::Index>(), piece, 0..8u8).prop_map(|(base, at, piece, kind)| {
        let mut text = base.to_owned();
        let index = at.index(text.len() + 1);
        let boundary = (0..=index)
            .rev()
            .find(|i| text.is_char_boundary(*i))
            .unwrap_or(0);
        match kind {
            0 => text.insert_str(boundary, piece),
            1 if boundary < text.len() => {
                text.remove(boundary);
            }
            2 => text = text.to_ascii_uppercase(),
            3 => text.push_str(piece),
            4 => text = format!("{piece}{text}"),
            5 => text = text.replacen("https://", "http://", 1),
            6 => text = format!("{text} https://app.example.com"),
            _ => {}
        }
        text
    })
}

#[test]
fn the_runtime_says_of_a_configured_origin_what_the_macro_says_of_the_literal() {
    // The policy is compiled once, with a valid list, by building its app; from then on
    // `set_origins` judges each list against it, as it does for a serving app.
    cors_runtime::config::set_origins("agreement", ["https://fine.example"]).expect("a valid list");
    cors_runtime::check(App::new().service(agreement)).expect("a valid app");
    // The flag's own message (`credentials` cannot be used with `*`) belongs to the attribute:
    // configuration cannot remove the flag, so the runtime says only the entry's.
    let flag_only = cors_policy::ProblemKind::from(
        cors_policy::origins::OriginsProblem::CredentialsWithWildcard,
    )
    .to_string();
    let mut runner = TestRunner::new(Config {
        cases: 1500,
        failure_persistence: None,
        ..Config::default()
    });
    let (accepted, refused) = (std::cell::Cell::new(0), std::cell::Cell::new(0));
    runner
        .run(&mutation(), |origin| {
            let mut expected = macro_verdict(&origin);
            expected.retain(|message| *message != flag_only);
            let counter = if expected.is_empty() {
                &accepted
            } else {
                &refused
            };
            counter.set(counter.get() + 1);
            prop_assert_eq!(runtime_verdict(&origin), expected, "{:?}", origin);
            Ok(())
        })
        .expect("agreement");
    assert!(
        accepted.get() >= 20 && refused.get() >= 20,
        "accepted {}, refused {}",
        accepted.get(),
        refused.get()
    );
}

#[test]
fn the_macro_verdict_is_read_from_its_expansion() {
    assert_eq!(
        macro_verdict("https://app.example.com"),
        Vec::<String>::new()
    );
    assert_eq!(
        macro_verdict("https://app.example.com/"),
        ["an origin never ends with `/`: browsers send `https://app.example.com`; write that"]
    );
}
