//! A WebSocket client for the tests (tungstenite over a plain TCP stream on loopback): opens a
//! handshake with the `Origin` (and cookie) a page would send, reads what the server sends with
//! a deadline, and tells a close frame's code — how the tests see an open socket closed with
//! 1008 when its origin is revoked.

use std::net::TcpStream;
use std::time::{Duration, Instant};

use tungstenite::client::IntoClientRequest;
use tungstenite::protocol::frame::coding::CloseCode;
use tungstenite::{Message, WebSocket};

/// An open socket.
pub struct LiveSocket {
    socket: WebSocket<TcpStream>,
}

/// What came from the server.
#[derive(Debug, PartialEq, Eq)]
pub enum Heard {
    Text(String),
    /// A close frame: its code and reason.
    Closed(u16, String),
    /// The connection ended without a close frame.
    Ended,
    /// Nothing within the patience given.
    Nothing,
}

impl LiveSocket {
    /// Opens `path` on the server on `port` as a page on `origin` would; the handshake's status
    /// when it is not upgraded.
    pub fn open(port: u16, path: &str, origin: &str, cookie: bool) -> Result<Self, u16> {
        let stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
        stream.set_nodelay(true).expect("nodelay");
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .expect("timeout");
        let mut request = format!("ws://127.0.0.1:{port}{path}")
            .into_client_request()
            .expect("a request");
        request
            .headers_mut()
            .insert("Origin", origin.parse().expect("an origin"));
        if cookie {
            request
                .headers_mut()
                .insert("Cookie", "session=1".parse().expect("a cookie"));
        }
        match tungstenite::client::client(request, stream) {
            Ok((socket, _)) => Ok(Self { socket }),
            Err(tungstenite::HandshakeError::Failure(tungstenite::Error::Http(response))) => {
                Err(response.status().as_u16())
            }
            Err(error) => panic!("the handshake to {path} failed: {error}"),
        }
    }

    /// The next text or close from the server, within `patience` (pings are answered).
    pub fn next(&mut self, patience: Duration) -> Heard {
        let deadline = Instant::now() + patience;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Heard::Nothing;
            }
            self.socket
                .get_mut()
                .set_read_timeout(Some(left.max(Duration::from_millis(1))))
                .expect("timeout");
            match self.socket.read() {
                Ok(Message::Text(text)) => return Heard::Text(text.as_str().to_owned()),
                Ok(Message::Close(frame)) => {
                    return frame.map_or(Heard::Closed(1005, String::new()), |frame| {
                        Heard::Closed(u16::from(frame.code), frame.reason.as_str().to_owned())
                    });
                }
                Ok(_) => {}
                Err(tungstenite::Error::Io(error))
                    if matches!(
                        error.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) =>
                {
                    return Heard::Nothing;
                }
                Err(_) => return Heard::Ended,
            }
        }
    }

    /// Sends `text`, and returns what comes back within `patience`.
    pub fn echo(&mut self, text: &str, patience: Duration) -> Heard {
        if self.socket.send(Message::text(text)).is_err() {
            return Heard::Ended;
        }
        self.next(patience)
    }

    /// Closes the socket from this side.
    pub fn close(mut self) {
        let _ = self.socket.close(Some(tungstenite::protocol::CloseFrame {
            code: CloseCode::Normal,
            reason: "".into(),
        }));
        let _ = self.socket.flush();
    }
}
