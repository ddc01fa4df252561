//! A raw HTTP/1.1 client for tests that must send bytes no well-behaved client library would
//! (hostile input) or hold many keep-alive connections (soak), against a real server.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use actix_web::HttpServer;

/// Upper bound for any single wait on the network.
pub const PATIENCE: Duration = Duration::from_secs(20);

/// One response as it came off the wire.
pub struct WireResponse {
    pub status: u16,
    /// Lower-cased names, every value in order.
    pub headers: HashMap<String, Vec<String>>,
    pub body: Vec<u8>,
}

impl WireResponse {
    pub fn all(&self, name: &str) -> &[String] {
        self.headers.get(name).map_or(&[], Vec::as_slice)
    }

    /// The single value of `name`, failing the test if it is repeated.
    pub fn one(&self, name: &str) -> Option<&str> {
        let values = self.all(name);
        assert!(values.len() <= 1, "{name} sent {} times", values.len());
        values.first().map(String::as_str)
    }
}

/// A port nothing listens on right now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .expect("a free port")
}

/// Waits until something accepts connections on `port` of 127.0.0.1.
pub fn wait_for(port: u16) {
    let deadline = Instant::now() + PATIENCE;
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "nothing listens on {port}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Starts the conformance routes on a real server on 127.0.0.1 (its own thread and runtime) and
/// returns the port once it accepts connections.
pub fn start_conformance_server(workers: usize) -> u16 {
    let port = free_port();
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            HttpServer::new(cors_workspace_tests::conformance::app)
                .workers(workers)
                .bind(("127.0.0.1", port))
                .expect("server port")
                .run()
                .await
                .expect("server");
        });
    });
    wait_for(port);
    port
}

pub fn connect(port: u16) -> TcpStream {
    let stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream.set_read_timeout(Some(PATIENCE)).expect("timeout");
    stream.set_nodelay(true).expect("nodelay");
    stream
}

/// Reads one response (head and `Content-Length` body) from a keep-alive connection; `None`
/// when the server closed it first.
pub fn read_response(stream: &mut TcpStream, buffer: &mut Vec<u8>) -> Option<WireResponse> {
    let head_end = loop {
        if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break end;
        }
        let mut chunk = [0u8; 4096];
        let read = stream.read(&mut chunk).ok()?;
        if read == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..read]);
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines.next()?.split(' ').nth(1)?.parse().ok()?;
    let mut headers: HashMap<String, Vec<String>> = HashMap::new();
    for line in lines {
        if let Some((name, value)) = line.split_once(':') {
            headers
                .entry(name.trim().to_ascii_lowercase())
                .or_default()
                .push(value.trim().to_owned());
        }
    }
    let length: usize = headers
        .get("content-length")
        .and_then(|v| v.first())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let total = head_end + 4 + length;
    while buffer.len() < total {
        let mut chunk = [0u8; 4096];
        let read = stream.read(&mut chunk).ok()?;
        if read == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..read]);
    }
    let body = buffer[head_end + 4..total].to_vec();
    buffer.drain(..total);
    Some(WireResponse {
        status,
        headers,
        body,
    })
}

/// Sends `request` (raw bytes) on a fresh connection and reads the one response.
pub fn exchange(port: u16, request: &[u8]) -> Option<WireResponse> {
    let mut stream = connect(port);
    stream.write_all(request).ok()?;
    read_response(&mut stream, &mut Vec::new())
}
