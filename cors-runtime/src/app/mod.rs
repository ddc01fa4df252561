//! An app's `#[cors]` routes, each file one concern, depending one way (the layering test checks
//! it): [`route`] — what they all share: a registered route, its app's group, the route compiled,
//! its full path's matcher; [`problems`] — why a route cannot serve; [`compile`] — a registered
//! route compiled, once its full path is known, or its problem; [`missing_layer`] — the warning
//! for an app without the layer; [`build`] — the marker service built with the app, where those
//! happen; [`register`] — the generated code's entry, registering a route's marker; [`builder`]
//! — builder-style resources and a scope's default, registered the same way; [`table`] — which
//! route a request is for; [`plain_routes`] — the app's routes without `#[cors]`, read from its
//! resource map.

pub(crate) mod build;
pub(crate) mod builder;
pub(crate) mod compile;
pub(crate) mod missing_layer;
pub(crate) mod plain_routes;
pub(crate) mod problems;
pub(crate) mod register;
pub mod route;
pub(crate) mod table;
