//! What every part of an app's routes shares, and nothing else: a registered route
//! ([`RouteEntry`]) and its app's group ([`AppBuild`]), the route compiled ([`AppRoute`]) with
//! its full path's matcher ([`path`]), and the small types of a registration ([`kind`]).
//! Registration, compilation, problems, the missing-layer check and the table all depend on this
//! module, and it on none of them.

pub(crate) mod compiled;
pub(crate) mod entry;
pub mod kind;
pub(crate) mod path;

pub(crate) use compiled::{AppRoute, Changing};
pub(crate) use entry::{live_apps, next_order, RouteEntry};
pub(crate) use kind::{EntryKind, RouteGuards};
pub use kind::{GuardFn, PolicyRef};
