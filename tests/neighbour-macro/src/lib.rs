//! `#[counted(COUNTER)]`: an attribute macro of a user's own, as a test of `#[cors]`'s
//! neighbours. It prefixes the function's body with an increment of the static `COUNTER` (a
//! path; `crate::HANDLER_RUNS` when none is given).

use proc_macro::{Delimiter, Group, TokenStream, TokenTree};

/// Counts the runs of the function it is written on in the static its argument names.
#[proc_macro_attribute]
pub fn counted(args: TokenStream, item: TokenStream) -> TokenStream {
    let counter = if args.is_empty() {
        "crate::HANDLER_RUNS".to_owned()
    } else {
        args.to_string()
    };
    let mut tokens: Vec<TokenTree> = item.into_iter().collect();
    let Some(TokenTree::Group(body)) = tokens.pop() else {
        return "compile_error!(\"#[counted] goes on a function\");"
            .parse()
            .unwrap_or_default();
    };
    let increment: TokenStream =
        format!("{counter}.fetch_add(1, ::std::sync::atomic::Ordering::SeqCst);")
            .parse()
            .unwrap_or_default();
    let mut new_body = increment;
    new_body.extend(body.stream());
    tokens.push(TokenTree::Group(Group::new(Delimiter::Brace, new_body)));
    tokens.into_iter().collect()
}
