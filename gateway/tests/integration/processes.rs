//! The real binary over real sockets: two gateway processes on one
//! database fan events out to each other's streams, and SIGTERM ends open
//! streams so the graceful stop is not held for its 30 seconds.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use mdsc_core::DatabaseUrl;
use mdsc_core::testing::TestDb;
use serde_json::{Value, json};

const SECRET: &str = "process-test-secret-process-test-secret";
/// Longest wait for a process or an event: generous for a loaded machine.
const WAIT: Duration = Duration::from_secs(30);

/// A gateway process, killed when dropped.
pub(crate) struct Gateway {
    child: Child,
    pub(crate) port: u16,
}

impl Drop for Gateway {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn database_url(db: &TestDb) -> String {
    match db.url() {
        DatabaseUrl::Postgres(url) => url.clone(),
        DatabaseUrl::Sqlite(path) => format!("sqlite://{path}"),
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn start(db: &TestDb, data_dir: &std::path::Path) -> Gateway {
    start_with(db, data_dir, &[("RUST_LOG", "warn")], Stdio::null())
}

/// A gateway process with more environment (which wins over the
/// defaults), its log written to `stderr`.
pub(crate) fn start_with(
    db: &TestDb,
    data_dir: &std::path::Path,
    env: &[(&str, &str)],
    stderr: Stdio,
) -> Gateway {
    let port = free_port();
    let mut command = Command::new(env!("CARGO_BIN_EXE_mdsc-gateway"));
    command
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DATABASE_URL", database_url(db))
        .env("BIND_ADDR", format!("127.0.0.1:{port}"))
        .env("DATA_DIR", data_dir)
        .env("JWT_SECRET", SECRET)
        .env("JOBS_POLL_SECONDS", "0");
    for (name, value) in env {
        command.env(name, value);
    }
    let child = command
        .current_dir(data_dir)
        .stdout(Stdio::null())
        .stderr(stderr)
        .spawn()
        .unwrap();
    let gateway = Gateway { child, port };
    let started = Instant::now();
    while request(port, "GET", "/api/health", None, None).map(|r| r.0) != Some(200) {
        assert!(started.elapsed() < WAIT, "the gateway did not start");
        std::thread::sleep(Duration::from_millis(100));
    }
    gateway
}

/// One HTTP/1.1 request; `None` when nothing listens yet.
fn request(
    port: u16,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&Value>,
) -> Option<(u16, Value)> {
    let (status, _, json) = raw_request(port, method, path, token, "", body)?;
    Some((status, json))
}

/// One HTTP/1.1 request with extra header lines (each ending in CRLF):
/// status, response head, JSON body.
pub(crate) fn raw_request(
    port: u16,
    method: &str,
    path: &str,
    token: Option<&str>,
    headers: &str,
    body: Option<&Value>,
) -> Option<(u16, String, Value)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(WAIT)).unwrap();
    let body = body.map(Value::to_string).unwrap_or_default();
    let auth = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n{auth}{headers}\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .ok()?;
    let mut raw = String::new();
    stream.read_to_string(&mut raw).ok()?;
    let status = raw.split(' ').nth(1)?.parse().ok()?;
    let (head, json) = match raw.split_once("\r\n\r\n") {
        Some((head, b)) => (
            head.to_owned(),
            serde_json::from_str(b).unwrap_or(Value::Null),
        ),
        None => (raw.clone(), Value::Null),
    };
    Some((status, head, json))
}

pub(crate) fn call(port: u16, method: &str, path: &str, token: Option<&str>, body: Value) -> Value {
    let body = (!body.is_null()).then_some(body);
    let (status, json) = request(port, method, path, token, body.as_ref()).unwrap();
    assert!(
        (200..300).contains(&status),
        "{method} {path}: {status} {json}"
    );
    json["data"].clone()
}

/// An open event stream on a raw socket.
struct Stream {
    socket: TcpStream,
    seen: String,
}

impl Stream {
    fn open(port: u16, path: &str, token: &str) -> Self {
        let mut socket = TcpStream::connect(("127.0.0.1", port)).unwrap();
        socket
            .set_read_timeout(Some(Duration::from_millis(200)))
            .unwrap();
        write!(
            socket,
            "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n\
             Accept: text/event-stream\r\n\r\n"
        )
        .unwrap();
        let mut stream = Self {
            socket,
            seen: String::new(),
        };
        stream.wait_for("retry: 3000");
        assert!(stream.seen.starts_with("HTTP/1.1 200"), "{}", stream.seen);
        stream
    }

    /// Reads until `text` has arrived; panics after [`WAIT`].
    fn wait_for(&mut self, text: &str) {
        let started = Instant::now();
        let mut buf = [0u8; 4096];
        while !self.seen.contains(text) {
            assert!(started.elapsed() < WAIT, "no {text:?} in {:?}", self.seen);
            match self.socket.read(&mut buf) {
                Ok(0) => panic!("stream closed before {text:?}: {:?}", self.seen),
                Ok(n) => self.seen.push_str(&String::from_utf8_lossy(&buf[..n])),
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {}
                Err(e) => panic!("read failed: {e}"),
            }
        }
    }

    /// Reads until the server closes the connection; panics after [`WAIT`].
    fn wait_for_end(&mut self) {
        let started = Instant::now();
        let mut buf = [0u8; 4096];
        loop {
            assert!(started.elapsed() < WAIT, "the stream stayed open");
            match self.socket.read(&mut buf) {
                Ok(0) => return,
                Ok(n) => self.seen.push_str(&String::from_utf8_lossy(&buf[..n])),
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {}
                Err(_) => return,
            }
        }
    }
}

pub(crate) fn register(port: u16, email: &str) -> String {
    let data = call(
        port,
        "POST",
        "/api/auth/register",
        None,
        json!({"email": email, "password": "password123", "first_name": "P", "last_name": "Q"}),
    );
    data["token"].as_str().unwrap().to_owned()
}

#[test]
fn a_forum_reply_written_through_one_process_reaches_a_stream_on_another() {
    let db = TestDb::new();
    let dir = tempfile::tempdir().unwrap();
    let (one, two) = (start(&db, dir.path()), start(&db, dir.path()));

    // An instructor's course, with a student enrolled, set up through `one`.
    let instructor = register(one.port, "prof@example.com");
    {
        use diesel::prelude::*;
        use mdsc_core::schema::users;
        diesel::update(users::table.filter(users::email.eq("prof@example.com")))
            .set(users::role.eq("instructor"))
            .execute(&mut *db.conn())
            .unwrap();
    }
    let course = call(
        one.port,
        "POST",
        "/api/courses",
        Some(&instructor),
        json!({"title": "Rust en direct", "estimated_duration_weeks": 4}),
    );
    let course_id = course["id"].as_i64().unwrap();
    let student = register(one.port, "student@example.com");
    call(
        one.port,
        "POST",
        "/api/enrollments",
        Some(&student),
        json!({"course_id": course_id}),
    );
    let forum = call(
        one.port,
        "GET",
        &format!("/api/courses/{course_id}/forum"),
        Some(&student),
        Value::Null,
    );
    let topic = call(
        one.port,
        "POST",
        &format!("/api/forums/{}/topics", forum["id"]),
        Some(&student),
        json!({"title": "Deux instances", "content": "Qui m'entend ?"}),
    );
    let topic_id = topic["id"].as_i64().unwrap();

    // The student listens on `two`; the instructor answers through `one`.
    let mut notifications = Stream::open(two.port, "/api/notifications/stream", &student);
    let mut replies = Stream::open(
        two.port,
        &format!("/api/topics/{topic_id}/stream"),
        &student,
    );
    let reply = call(
        one.port,
        "POST",
        &format!("/api/topics/{topic_id}/replies"),
        Some(&instructor),
        json!({"content": "Moi, depuis l'autre processus."}),
    );
    let reply_id = reply["id"].as_i64().unwrap();
    replies.wait_for(&format!("id: {reply_id}\nevent: forum_reply"));
    notifications.wait_for("event: notification");
    notifications.wait_for(&format!("\"reply_id\":{reply_id}"));
}

#[cfg(unix)]
#[test]
fn sigterm_ends_open_streams_and_the_process_exits_well_before_the_grace_period() {
    let db = TestDb::new();
    let dir = tempfile::tempdir().unwrap();
    let mut gateway = start(&db, dir.path());
    let token = register(gateway.port, "student@example.com");
    let mut stream = Stream::open(gateway.port, "/api/notifications/stream", &token);

    let stopped = Instant::now();
    let status = Command::new("kill")
        .args(["-TERM", &gateway.child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    stream.wait_for_end();
    loop {
        if let Some(status) = gateway.child.try_wait().unwrap() {
            assert!(status.success(), "exit status {status}");
            break;
        }
        // Held open streams would keep it running for the 30 s grace.
        assert!(stopped.elapsed() < Duration::from_secs(25), "still running");
        std::thread::sleep(Duration::from_millis(100));
    }
}
