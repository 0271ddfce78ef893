//! Timestamps are stored as UTC `TIMESTAMP` and shown as RFC 3339 UTC.

use chrono::{DateTime, NaiveDateTime, Utc};

/// Stored naive UTC → the API's `DateTime<Utc>` (serialized `…Z`).
pub fn utc(t: NaiveDateTime) -> DateTime<Utc> {
    t.and_utc()
}

pub fn utc_opt(t: Option<NaiveDateTime>) -> Option<DateTime<Utc>> {
    t.map(utc)
}

/// An input with any RFC 3339 offset → naive UTC for storage.
pub fn to_storage(t: DateTime<chrono::FixedOffset>) -> NaiveDateTime {
    t.naive_utc()
}
