//! What the runtime says about an app's configuration when the app is built or checked: the
//! errors that stop routes from serving ([`errors`]), the messages given once per process
//! ([`say`]), trouble requests cause again and again, said as an episode ([`episode`]), and a
//! value a line may show, cut to a bounded length ([`shown`]).

pub(crate) mod episode;
pub(crate) mod errors;
pub(crate) mod say;
pub(crate) mod shown;
