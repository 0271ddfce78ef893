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

/// Dates the API accepts: years 1900 to 9999. PostgreSQL refuses timestamps
/// far outside that and SQLite would store them, so both answer 422 instead.
pub fn check_range(field: &str, t: NaiveDateTime) -> Result<(), crate::Error> {
    use chrono::Datelike;
    if (1900..=9999).contains(&t.year()) {
        Ok(())
    } else {
        Err(crate::Error::invalid_field(
            field,
            "must be a date between the years 1900 and 9999",
        ))
    }
}
