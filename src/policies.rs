//! Policies shared by several handlers of the conformance app, written once.

cors_runtime::policy! {
    /// The front ends: the web app and the local development server, with the user's cookies,
    /// and the one response header they read.
    pub(crate) FRONT_ENDS {
        origins = ["https://app.example.com", "http://localhost:3000"],
        credentials,
        expose = ["x-shared"],
    }
}
