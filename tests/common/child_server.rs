//! The conformance server in child processes of the test binary: for what one process cannot
//! show — its memory as the system sees it, several replicas of it on one database.
//!
//! A test file that uses this has a test named [`SERVE_TEST`] calling [`serve_if_asked`]: in
//! a child started by [`ChildServer::start`] it runs the server (the very code of
//! `examples/conformance.rs`) until killed; in the test run itself it returns at once.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// The name of the test function that serves in the child.
pub const SERVE_TEST: &str = "serve_in_a_child_process";

/// Set in the child: run the server.
const SERVE: &str = "CORS_TEST_CHILD_SERVER";

/// In a child started by [`ChildServer::start`]: serves until killed (and exits with the
/// server's code). Otherwise returns at once.
pub fn serve_if_asked() {
    if std::env::var_os(SERVE).is_none() {
        return;
    }
    // `RUST_LOG` as the example reads it; the child's stderr is its log.
    let _ = env_logger::builder().is_test(false).try_init();
    let code = cors_workspace_tests::conformance::server::main(std::iter::empty()).unwrap_or_else(
        |error| {
            eprintln!("server: {error}");
            1
        },
    );
    std::process::exit(code);
}

/// Runs the server in a child with `env` and waits for it to exit (a refused configuration):
/// its exit status and what it wrote.
pub fn run_to_exit(env: &[(&str, String)]) -> std::process::Output {
    let mut command = Command::new(std::env::current_exe().expect("the test binary"));
    command
        .args(["--exact", SERVE_TEST, "--nocapture", "--test-threads=1"])
        .env(SERVE, "1")
        .env("CONFORMANCE_ADDR", "127.0.0.1:0")
        .env_remove("RUST_LOG");
    for (name, value) in env {
        command.env(name, value);
    }
    command.output().expect("the child runs")
}

/// A conformance server in a child process: killed and awaited on drop.
pub struct ChildServer {
    child: Child,
    pub port: u16,
    /// What the child wrote to stderr (its log), as it comes.
    log: mpsc::Receiver<String>,
    said: Vec<String>,
}

impl ChildServer {
    /// Starts the server with `env` (`CONFORMANCE_*`, `RUST_LOG`) on a free loopback port and
    /// waits until it listens.
    pub fn start(env: &[(&str, String)]) -> Self {
        let mut command = Command::new(std::env::current_exe().expect("the test binary"));
        command
            .args(["--exact", SERVE_TEST, "--nocapture", "--test-threads=1"])
            .env(SERVE, "1")
            .env("CONFORMANCE_ADDR", "127.0.0.1:0")
            .env_remove("RUST_LOG")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (name, value) in env {
            command.env(name, value);
        }
        let mut child = command.spawn().expect("the child starts");
        let stdout = child.stdout.take().expect("stdout");
        let stderr = child.stderr.take().expect("stderr");
        let (listening, port) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                // libtest has written `test NAME ... ` on the same line first.
                if let Some((_, address)) = line.split_once("listening on ") {
                    let port = address
                        .rsplit(':')
                        .next()
                        .and_then(|port| port.parse().ok());
                    let _ = listening.send(port);
                }
            }
        });
        let (said, log) = mpsc::channel();
        std::thread::spawn(move || {
            let mut stderr = BufReader::new(stderr);
            let mut line = String::new();
            while stderr.read_line(&mut line).is_ok_and(|read| read > 0) {
                let _ = said.send(std::mem::take(&mut line));
            }
            let mut rest = String::new();
            let _ = stderr.read_to_string(&mut rest);
        });
        let port = match port.recv_timeout(Duration::from_secs(60)) {
            Ok(Some(port)) => port,
            _ => {
                let _ = child.kill();
                let log: Vec<String> = log.try_iter().collect();
                panic!("the child server did not listen: {}", log.concat());
            }
        };
        Self {
            child,
            port,
            log,
            said: Vec::new(),
        }
    }

    /// The child's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The child's resident memory, in bytes (`VmRSS` of `/proc/PID/status`).
    pub fn resident_bytes(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid()))
            .expect("the child's status");
        let kib: u64 = status
            .lines()
            .find_map(|line| line.strip_prefix("VmRSS:"))
            .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
            .expect("VmRSS");
        kib * 1024
    }

    /// Every line the child has logged so far.
    pub fn log(&mut self) -> &[String] {
        self.said.extend(self.log.try_iter());
        &self.said
    }

    /// Waits up to `patience` for a logged line containing `text`.
    pub fn wait_for_log(&mut self, text: &str, patience: Duration) -> bool {
        let deadline = Instant::now() + patience;
        loop {
            if self.log().iter().any(|line| line.contains(text)) {
                return true;
            }
            if Instant::now() >= deadline {
                return false;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for ChildServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
