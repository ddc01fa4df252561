//! What the runtime says about an app's configuration when the app is built or checked: the
//! errors that stop routes from serving ([`errors`]), and the messages given once per process
//! ([`say`]).

pub(crate) mod errors;
pub(crate) mod say;
