//! actix-web's standard methods, once: the route attribute that serves each (`#[get]`), the
//! method's name, and the guard actix-web's own route macros register for it. Reading a route
//! attribute and writing its registration both use this table, so they always agree.

/// One standard method.
pub(crate) struct StandardMethod {
    /// The route attribute serving it: `get`.
    pub(crate) attribute: &'static str,
    /// The method: `GET`.
    pub(crate) name: &'static str,
    /// actix-web's guard function for it: `Get` (`actix_web::guard::Get()`).
    pub(crate) guard: &'static str,
}

const fn method(
    attribute: &'static str,
    name: &'static str,
    guard: &'static str,
) -> StandardMethod {
    StandardMethod {
        attribute,
        name,
        guard,
    }
}

/// Every method actix-web has a route attribute and a guard function for.
pub(crate) const STANDARD_METHODS: [StandardMethod; 10] = [
    method("get", "GET", "Get"),
    method("post", "POST", "Post"),
    method("put", "PUT", "Put"),
    method("patch", "PATCH", "Patch"),
    method("delete", "DELETE", "Delete"),
    method("head", "HEAD", "Head"),
    method("options", "OPTIONS", "Options"),
    method("trace", "TRACE", "Trace"),
    method("connect", "CONNECT", "Connect"),
    method("query", "QUERY", "Query"),
];

/// The method served by the route attribute named `attribute` (`get` → `GET`).
pub(crate) fn served_by_attribute(attribute: &str) -> Option<&'static str> {
    STANDARD_METHODS
        .iter()
        .find(|method| method.attribute == attribute)
        .map(|method| method.name)
}

/// actix-web's guard function for `name`, when it has one.
pub(crate) fn guard_of(name: &str) -> Option<&'static str> {
    STANDARD_METHODS
        .iter()
        .find(|method| method.name == name)
        .map(|method| method.guard)
}
