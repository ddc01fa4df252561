//! Helpers shared by the integration tests: send a request through an in-process app and look
//! at the status, headers and body that come back.

#![allow(dead_code)] // each test file uses a different subset

pub mod child_server;
#[cfg(feature = "tls")]
pub mod cross_site_suite;
pub mod live_socket;
pub mod log_capture;
pub mod loopback_proxy;
pub mod playground_suite;
pub mod postgres;
pub mod test_ca;
pub mod wire;

/// Whether the external program at `path` (Debian package `package`, needed by `what`) is
/// installed. Without it a test skips loudly; with `CI` set it fails instead, since `.ci/run`
/// installs it first.
pub fn tool_available(path: &str, package: &str, what: &str) -> bool {
    if std::path::Path::new(path).exists() {
        return true;
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "{path} is missing and CI is set: install it (apt-get install {package})"
    );
    eprintln!("\n!!!! SKIPPED: {path} is not installed (apt-get install {package}); {what} did not run !!!!\n");
    false
}

/// One browser suite at a time in a test process: the playground's and the cross-site's share
/// the process's logger (the playground shows the last refusal reason) and two cores.
pub fn one_browser_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    static BROWSER: std::sync::Mutex<()> = std::sync::Mutex::new(());
    BROWSER
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A child process with a scratch directory of its own (a browser profile, a server's
/// configuration and cache): killed with every process it started, awaited and its directory
/// removed on drop — on a test's failure too, since drop runs while a panic unwinds.
pub struct ScratchProcess {
    pub child: std::process::Child,
    pub dir: std::path::PathBuf,
}

impl ScratchProcess {
    /// A fresh scratch directory for `name`, private to this test process.
    pub fn directory(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("cors-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("scratch directory");
        dir
    }

    /// Starts `command` as the leader of a process group of its own, so that drop ends what it
    /// starts as well (`xvfb-run` starts Xvfb and the driver, the driver starts the browser).
    pub fn spawn(command: &mut std::process::Command, dir: std::path::PathBuf) -> Self {
        use std::os::unix::process::CommandExt;
        let child = command
            .process_group(0)
            .spawn()
            .unwrap_or_else(|error| panic!("start {:?}: {error}", command.get_program()));
        Self { child, dir }
    }
}

impl Drop for ScratchProcess {
    fn drop(&mut self) {
        if let Ok(pid) = libc::pid_t::try_from(self.child.id()) {
            // The group whose leader is the child, if it leads one (see `spawn`): the child is
            // not reaped yet, so its id names no other group. SAFETY: kill(2) with a negative
            // pid only sends a signal.
            unsafe {
                libc::kill(-pid, libc::SIGKILL);
            }
        }
        self.child.kill().ok();
        self.child.wait().ok();
        std::fs::remove_dir_all(&self.dir).ok();
    }
}

use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceResponse};
use actix_web::http::header::HeaderMap;
use actix_web::http::StatusCode;
use actix_web::test::{self, TestRequest};

pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Answer {
    /// The single value of `name`, failing the test if the header is repeated.
    pub fn header(&self, name: &str) -> Option<&str> {
        let mut values = self.headers.get_all(name);
        let first = values.next()?;
        assert!(values.next().is_none(), "{name} sent more than once");
        Some(first.to_str().expect("header is visible ASCII"))
    }

    /// Names of every `access-control-*` header in the answer.
    pub fn cors_headers(&self) -> Vec<String> {
        self.headers
            .keys()
            .map(|name| name.as_str().to_owned())
            .filter(|name| name.starts_with("access-control-"))
            .collect()
    }

    pub fn assert_no_cors(&self) {
        assert!(
            self.cors_headers().is_empty(),
            "unexpected CORS headers: {:?}",
            self.headers
        );
    }
}

pub async fn send<S, B>(app: &S, request: TestRequest) -> Answer
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    // An error that leaves the app is turned into its response by actix-web's dispatcher, in
    // a server; here, the same way.
    let (status, headers, body) = match test::try_call_service(app, request.to_request()).await {
        Ok(response) => {
            let status = response.status();
            let headers = response.headers().clone();
            (status, headers, test::read_body(response).await)
        }
        Err(error) => {
            let response = error.error_response();
            let status = response.status();
            let headers = response.headers().clone();
            let body = actix_web::body::to_bytes(response.into_body())
                .await
                .unwrap_or_default();
            (status, headers, body)
        }
    };
    Answer {
        status,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    }
}

/// The origin most routes of the tests allow.
pub const APP: &str = "https://app.example.com";

/// A credentialed grant (R2, R4, R14): exactly the requesting origin, credentials `true`, and a
/// `Vary` that names `Origin`.
pub fn assert_credentialed_grant(answer: &Answer, origin: &str) {
    assert_eq!(
        answer.header("access-control-allow-origin"),
        Some(origin),
        "{:?}",
        answer.headers
    );
    assert_eq!(
        answer.header("access-control-allow-credentials"),
        Some("true"),
        "{:?}",
        answer.headers
    );
    assert!(answer.varies_by_origin(), "R14: {:?}", answer.headers);
}

impl Answer {
    /// Whether a `Vary` line names `Origin`.
    pub fn varies_by_origin(&self) -> bool {
        self.headers.get_all("vary").any(|line| {
            line.to_str()
                .unwrap_or_default()
                .split(',')
                .any(|name| name.trim().eq_ignore_ascii_case("origin"))
        })
    }
}

pub fn preflight(path: &str, origin: &str, method: &str) -> TestRequest {
    TestRequest::default()
        .method(actix_web::http::Method::OPTIONS)
        .uri(path)
        .insert_header(("origin", origin))
        .insert_header(("access-control-request-method", method))
}

pub fn get(path: &str) -> TestRequest {
    TestRequest::get().uri(path)
}

pub const PREFLIGHT_VARY: &str =
    "Origin, Access-Control-Request-Method, Access-Control-Request-Headers";
