//! Test helpers (feature `testing`): a minimal SMTP server on 127.0.0.1
//! that records the messages it accepts, or refuses them, so tests drive
//! the real lettre transport without a mail server.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// One message the sink accepted.
#[derive(Debug, Clone)]
pub struct Received {
    /// The envelope: `MAIL FROM` and `RCPT TO` addresses.
    pub mail_from: String,
    pub rcpt_to: Vec<String>,
    /// What came after `DATA`, dot-unstuffed, lines joined with CRLF.
    pub data: String,
}

impl Received {
    fn parsed(&self) -> mail_parser::Message<'_> {
        mail_parser::MessageParser::default()
            .parse(self.data.as_bytes())
            .expect("an RFC 5322 message")
    }

    /// The decoded `Subject`.
    pub fn subject(&self) -> String {
        self.parsed().subject().unwrap_or_default().to_owned()
    }

    /// The decoded plain-text body, with `\n` line ends (SMTP sends CRLF).
    pub fn text(&self) -> String {
        self.parsed()
            .body_text(0)
            .map(|t| t.replace("\r\n", "\n"))
            .unwrap_or_default()
    }

    /// A header's raw value, unfolded and trimmed.
    pub fn header(&self, name: &str) -> Option<String> {
        self.parsed()
            .header_raw(name)
            .map(|raw| raw.replace("\r\n", "").trim().to_owned())
    }

    /// The `To` header's address.
    pub fn to(&self) -> String {
        self.parsed()
            .to()
            .and_then(|to| to.first())
            .and_then(|a| a.address())
            .unwrap_or_default()
            .to_owned()
    }

    /// The `From` header's address.
    pub fn from(&self) -> String {
        self.parsed()
            .from()
            .and_then(|from| from.first())
            .and_then(|a| a.address())
            .unwrap_or_default()
            .to_owned()
    }
}

/// A one-process SMTP server: `220` greeting, `250` to EHLO, HELO, MAIL,
/// RCPT, RSET and NOOP, `354` to DATA (then the message up to a lone `.`,
/// `250`), `221` to QUIT. A refusing sink answers `451` to `MAIL FROM`;
/// a picky one answers `RCPT TO` for chosen addresses with chosen replies.
pub struct SmtpSink {
    port: u16,
    received: Arc<Mutex<Vec<Received>>>,
    stop: Arc<AtomicBool>,
}

impl SmtpSink {
    /// A sink that accepts every message.
    pub fn start() -> Self {
        Self::spawn(false)
    }

    /// A sink that refuses every message with a temporary error.
    pub fn refusing() -> Self {
        Self::spawn(true)
    }

    /// A sink that answers `RCPT TO:<address>` with `reply` (e.g.
    /// `550 5.1.1 mailbox unavailable`) for each `(address, reply)`, and
    /// accepts every other recipient.
    pub fn refusing_recipients(refusals: &[(&str, &str)]) -> Self {
        let refusals = refusals
            .iter()
            .map(|(address, reply)| (address.to_string(), reply.to_string()))
            .collect();
        Self::spawn_with(Rules {
            refuse_mail: false,
            refusals,
        })
    }

    fn spawn(refuse_mail: bool) -> Self {
        Self::spawn_with(Rules {
            refuse_mail,
            refusals: Vec::new(),
        })
    }

    fn spawn_with(rules: Rules) -> Self {
        let rules = Arc::new(rules);
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let received = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (store, stopped) = (received.clone(), stop.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stopped.load(Ordering::SeqCst) {
                    return;
                }
                let Ok(stream) = stream else { continue };
                let (store, rules) = (store.clone(), rules.clone());
                // lettre's pool may hold several connections at once.
                std::thread::spawn(move || {
                    let _ = session(stream, &rules, &store);
                });
            }
        });
        Self {
            port,
            received,
            stop,
        }
    }

    /// `smtp://127.0.0.1:{port}`: plain SMTP, no authentication.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// The messages accepted so far.
    pub fn messages(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wakes the accept loop so it sees the flag.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

/// A port nothing listens on (bound, then released).
pub fn closed_port_url() -> String {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    format!("smtp://127.0.0.1:{port}")
}

/// How a sink answers.
struct Rules {
    /// `451` to every `MAIL FROM`.
    refuse_mail: bool,
    /// `(address, reply)`: what `RCPT TO` of that address gets.
    refusals: Vec<(String, String)>,
}

fn session(stream: TcpStream, rules: &Rules, store: &Mutex<Vec<Received>>) -> std::io::Result<()> {
    let mut out = stream.try_clone()?;
    let mut lines = BufReader::new(stream);
    let mut reply = |text: &str| out.write_all(format!("{text}\r\n").as_bytes());
    reply("220 sink ESMTP ready")?;
    let (mut mail_from, mut rcpt_to) = (String::new(), Vec::new());
    loop {
        let mut line = String::new();
        if lines.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let command = line.trim_end().to_owned();
        let verb = command
            .split([' ', ':'])
            .next()
            .unwrap_or_default()
            .to_ascii_uppercase();
        match verb.as_str() {
            "EHLO" | "HELO" | "NOOP" => reply("250 sink")?,
            "RSET" => {
                (mail_from, rcpt_to) = (String::new(), Vec::new());
                reply("250 reset")?;
            }
            "MAIL" if rules.refuse_mail => reply("451 4.3.0 try again later")?,
            "MAIL" => {
                mail_from = address_in(&command);
                reply("250 sender ok")?;
            }
            "RCPT" => {
                let address = address_in(&command);
                match rules
                    .refusals
                    .iter()
                    .find(|(refused, _)| *refused == address)
                {
                    Some((_, refusal)) => reply(refusal)?,
                    None => {
                        rcpt_to.push(address);
                        reply("250 recipient ok")?;
                    }
                }
            }
            "DATA" => {
                reply("354 end with <CRLF>.<CRLF>")?;
                let mut data = Vec::new();
                loop {
                    let mut line = String::new();
                    if lines.read_line(&mut line)? == 0 {
                        return Ok(());
                    }
                    let line = line.trim_end_matches(['\r', '\n']);
                    if line == "." {
                        break;
                    }
                    data.push(line.strip_prefix('.').unwrap_or(line).to_owned());
                }
                store.lock().unwrap().push(Received {
                    mail_from: std::mem::take(&mut mail_from),
                    rcpt_to: std::mem::take(&mut rcpt_to),
                    data: data.join("\r\n"),
                });
                reply("250 queued")?;
            }
            "QUIT" => {
                reply("221 bye")?;
                return Ok(());
            }
            _ => reply("502 not implemented")?,
        }
    }
}

/// `MAIL FROM:<a@b>` → `a@b`.
fn address_in(command: &str) -> String {
    command
        .split_once('<')
        .and_then(|(_, rest)| rest.split_once('>'))
        .map(|(address, _)| address.to_owned())
        .unwrap_or_default()
}
