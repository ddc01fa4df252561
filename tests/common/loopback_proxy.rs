//! An HTTP proxy on loopback that takes the browsers to the test sites' names — and only to
//! them — on 127.0.0.1: `CONNECT host:port` (HTTPS, WSS) tunnels to `127.0.0.1:port`, a plain
//! HTTP request in absolute form is passed on in origin form; any other name is refused. The
//! engines' own proxy settings lead to it (Chromium's `--proxy-server`, Firefox's manual proxy
//! preferences, WebKitGTK's MiniBrowser `--proxy`), so that `api.saas.test` and its neighbours
//! resolve nowhere else and nothing leaves the machine. Stopped on drop.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

pub struct LoopbackProxy {
    pub port: u16,
    stop: Arc<AtomicBool>,
}

/// Copies `from` to `to` until either ends; then ends the other direction too.
fn splice(mut from: TcpStream, mut to: TcpStream) {
    let mut buffer = [0; 16 * 1024];
    loop {
        match from.read(&mut buffer) {
            Ok(0) | Err(_) => break,
            Ok(read) => {
                if to.write_all(&buffer[..read]).is_err() {
                    break;
                }
            }
        }
    }
    let _ = to.shutdown(Shutdown::Write);
    let _ = from.shutdown(Shutdown::Read);
}

/// Copies both ways until both directions end.
fn tunnel(client: TcpStream, server: TcpStream) {
    let (Ok(client_copy), Ok(server_copy)) = (client.try_clone(), server.try_clone()) else {
        return;
    };
    let upstream = std::thread::spawn(move || splice(client_copy, server));
    splice(server_copy, client);
    let _ = upstream.join();
}

fn serve(mut client: TcpStream, hosts: &[String]) {
    let _ = client.set_read_timeout(Some(Duration::from_secs(30)));
    let mut head = Vec::new();
    let mut byte = [0; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match client.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => return,
        }
        if head.len() > 64 * 1024 {
            return;
        }
    }
    let _ = client.set_read_timeout(None);
    let text = String::from_utf8_lossy(&head).into_owned();
    let mut lines = text.split("\r\n");
    let first = lines.next().unwrap_or_default();
    let mut parts = first.split(' ');
    let (method, target, version) = (
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or("HTTP/1.1"),
    );
    let authority = if method == "CONNECT" {
        target.to_owned()
    } else {
        target
            .strip_prefix("http://")
            .and_then(|rest| rest.split('/').next())
            .unwrap_or_default()
            .to_owned()
    };
    let (host, port) = authority
        .rsplit_once(':')
        .and_then(|(host, port)| Some((host, port.parse::<u16>().ok()?)))
        .unwrap_or((authority.as_str(), 80));
    if !hosts
        .iter()
        .any(|allowed| allowed.eq_ignore_ascii_case(host))
    {
        let _ = client.write_all(
            b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        );
        return;
    }
    let Ok(mut server) = TcpStream::connect(("127.0.0.1", port)) else {
        let _ = client.write_all(
            b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        );
        return;
    };
    let _ = server.set_nodelay(true);
    if method == "CONNECT" {
        if client
            .write_all(b"HTTP/1.1 200 Connection Established\r\n\r\n")
            .is_err()
        {
            return;
        }
    } else {
        // Origin form, one request per connection: the browser opens another for the next.
        let path_start = target
            .strip_prefix("http://")
            .and_then(|rest| rest.find('/').map(|at| "http://".len() + at));
        let path = path_start.map_or("/", |at| &target[at..]);
        let mut request = format!("{method} {path} {version}\r\n");
        for line in lines.filter(|line| !line.is_empty()) {
            let name = line
                .split(':')
                .next()
                .unwrap_or_default()
                .to_ascii_lowercase();
            if name != "proxy-connection" && name != "connection" && name != "keep-alive" {
                request.push_str(line);
                request.push_str("\r\n");
            }
        }
        request.push_str("Connection: close\r\n\r\n");
        if server.write_all(request.as_bytes()).is_err() {
            return;
        }
    }
    tunnel(client, server);
}

impl LoopbackProxy {
    /// A proxy taking `hosts` to loopback, on a free port.
    pub fn start(hosts: &[&str]) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a proxy port");
        let port = listener.local_addr().expect("its address").port();
        listener.set_nonblocking(true).expect("non-blocking");
        let stop = Arc::new(AtomicBool::new(false));
        let hosts: Arc<Vec<String>> =
            Arc::new(hosts.iter().map(|host| (*host).to_owned()).collect());
        let stopping = Arc::clone(&stop);
        std::thread::spawn(move || {
            while !stopping.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((client, _)) => {
                        let _ = client.set_nonblocking(false);
                        let hosts = Arc::clone(&hosts);
                        std::thread::spawn(move || serve(client, &hosts));
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        Self { port, stop }
    }
}

impl Drop for LoopbackProxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}
