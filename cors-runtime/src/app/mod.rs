//! An app's `#[cors]` routes: registered by the generated code ([`register`]) or by a
//! builder-style resource or a scope with a default policy ([`builder`]), compiled when the app
//! is built — full path matched as actix-web matches it ([`path`]) — and put in the table the
//! layer decides by ([`table`]); what stops a route from serving ([`problems`]); and the warning
//! for an app without the layer ([`missing_layer`]).

pub(crate) mod builder;
pub(crate) mod missing_layer;
pub(crate) mod path;
pub(crate) mod problems;
pub(crate) mod register;
pub(crate) mod table;
