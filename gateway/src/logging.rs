//! Log lines: `LOG_FORMAT=text` (the default, for a terminal) or `json`
//! (one JSON object per line, for collectors). `RUST_LOG` filters as usual.
//!
//! Every line written while serving a request carries its id (and the
//! caller's user id once known), wherever in the workspace it is logged;
//! structured fields of a line (the access line's method, route, status,
//! latency…) become JSON fields, or `key=value` pairs in text.

use std::io::Write;

use chrono::{SecondsFormat, Utc};
use log::kv::{Key, Value as KvValue, VisitSource};
use serde_json::{Map, Value};

use crate::request_context::RequestContext;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

impl LogFormat {
    /// `LOG_FORMAT`: `text` or `json` (unset or empty: `text`).
    pub fn parse(value: Option<&str>) -> Result<Self, String> {
        match value.map(str::trim).unwrap_or_default() {
            "" | "text" => Ok(Self::Text),
            "json" => Ok(Self::Json),
            other => Err(format!("LOG_FORMAT must be text or json, got {other:?}")),
        }
    }
}

/// Installs the logger (once, at start).
pub fn init(format: LogFormat) {
    let mut builder =
        env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info"));
    match format {
        LogFormat::Json => builder.format(|buf, record| writeln!(buf, "{}", json_line(record))),
        LogFormat::Text => builder.format(|buf, record| writeln!(buf, "{}", text_line(record))),
    };
    builder.init();
}

/// One record as one JSON object (newlines in the message escaped).
pub fn json_line(record: &log::Record<'_>) -> Value {
    let mut line = Map::new();
    line.insert("timestamp".into(), now().into());
    line.insert("level".into(), record.level().as_str().into());
    line.insert("target".into(), record.target().into());
    line.insert("message".into(), record.args().to_string().into());
    if let Some(context) = RequestContext::current() {
        line.insert("request_id".into(), context.id().into());
        if let Some(user) = context.user_id() {
            line.insert("user_id".into(), user.into());
        }
    }
    let mut fields = Fields(&mut line);
    // A field that cannot be read is left out rather than losing the line.
    let _ = record.key_values().visit(&mut fields);
    Value::Object(line)
}

/// `2026-12-05T10:00:00.000Z INFO  target [request id] message key=value`.
pub fn text_line(record: &log::Record<'_>) -> String {
    let mut line = format!("{} {:<5} {}", now(), record.level(), record.target());
    if let Some(context) = RequestContext::current() {
        line.push_str(&format!(" [{}]", context.id()));
    }
    line.push(' ');
    line.push_str(&record.args().to_string());
    let mut fields = Map::new();
    let _ = record.key_values().visit(&mut Fields(&mut fields));
    for (key, value) in fields {
        line.push_str(&format!(" {key}={value}"));
    }
    line
}

fn now() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true)
}

struct Fields<'a>(&'a mut Map<String, Value>);

impl<'kvs> VisitSource<'kvs> for Fields<'_> {
    fn visit_pair(&mut self, key: Key<'kvs>, value: KvValue<'kvs>) -> Result<(), log::kv::Error> {
        let value = if let Some(n) = value.to_i64() {
            Value::from(n)
        } else if let Some(n) = value.to_u64() {
            Value::from(n)
        } else if let Some(x) = value.to_f64() {
            // Rounded to microseconds: latencies, not noise.
            Value::from((x * 1000.0).round() / 1000.0)
        } else if let Some(b) = value.to_bool() {
            Value::from(b)
        } else {
            Value::from(value.to_string())
        };
        self.0.insert(key.as_str().to_owned(), value);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_format_is_text_json_or_refused() {
        assert_eq!(LogFormat::parse(None), Ok(LogFormat::Text));
        assert_eq!(LogFormat::parse(Some("json")), Ok(LogFormat::Json));
        assert!(LogFormat::parse(Some("yaml")).is_err());
    }

    #[test]
    fn a_json_line_is_one_line_with_the_request_and_its_fields() {
        let context = RequestContext::new("req-1".into());
        context.set_user(42);
        let _inside = context.enter();
        let kvs: &[(&str, KvValue<'_>)] = &[
            ("status", KvValue::from(404u16)),
            ("route", KvValue::from("/api/courses/{id}")),
        ];
        let args = format_args!("e-mail to a@b:\nline two");
        let record = log::Record::builder()
            .args(args)
            .level(log::Level::Info)
            .target("mdsc::access")
            .key_values(&kvs)
            .build();
        let line = json_line(&record);
        let text = line.to_string();
        assert!(!text.contains('\n'), "{text}");
        assert_eq!(line["request_id"], "req-1");
        assert_eq!(line["user_id"], 42);
        assert_eq!(line["status"], 404);
        assert_eq!(line["route"], "/api/courses/{id}");
        assert_eq!(line["level"], "INFO");
        assert_eq!(line["message"], "e-mail to a@b:\nline two");
    }
}
