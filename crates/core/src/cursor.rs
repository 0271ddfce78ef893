//! Keyset-pagination cursors: the sort key of the last row served, handed to
//! the client as an opaque string so the next page starts with an indexed
//! seek (`WHERE (key, id) < (…)`) instead of an `OFFSET` that reads and
//! throws away every row before it.
//!
//! A cursor is URL-safe base64 of a JSON value (usually a tuple such as
//! `(last_activity_at, id)`). It is not secret and not signed: a forged one
//! only moves the reader within rows they may already list, since every
//! list keeps its own filters and access check.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::Error;

/// Longest cursor accepted: the keys of one row, never a payload.
pub const MAX_CURSOR_LEN: usize = 512;

/// Encodes the sort key of the last row of a page.
pub fn encode<T: Serialize>(key: &T) -> String {
    // Serializing plain tuples of numbers, strings and dates cannot fail.
    let json = serde_json::to_vec(key).unwrap_or_default();
    URL_SAFE_NO_PAD.encode(json)
}

/// Decodes a cursor received in `field` (`after`); `422 INVALID_CURSOR`
/// when it is not one this list handed out.
pub fn decode<T: DeserializeOwned>(field: &str, cursor: &str) -> Result<T, Error> {
    let invalid = || {
        Error::invalid_field(field, "is not a cursor this list returned")
            .with_code("INVALID_CURSOR")
    };
    if cursor.len() > MAX_CURSOR_LEN {
        return Err(invalid());
    }
    let bytes = URL_SAFE_NO_PAD
        .decode(cursor.trim())
        .map_err(|_| invalid())?;
    serde_json::from_slice(&bytes).map_err(|_| invalid())
}

/// A row comparison, `(a, b, c) > (?, ?, ?)`: the seek past a cursor. Both
/// backends compare row values in order and serve them from an index whose
/// columns run in the same order, so the page starts at the cursor without
/// reading the rows before it (an `OR` of column comparisons would not).
/// `$columns` are qualified column names, in the index's order. The text is
/// fixed, so the statement stays prepared ([`crate::prepared_sql`]).
#[macro_export]
macro_rules! row_compare {
    ($columns:literal $op:literal ($first_ty:ty = $first:expr $(, $ty:ty = $value:expr)* $(,)?)) => {
        $crate::prepared_sql::sql::<diesel::sql_types::Bool>(concat!("(", $columns, ") ", $op, " ("))
            .bind::<$first_ty, _>($first)
            $(.sql(", ").bind::<$ty, _>($value))*
            .sql(")")
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    #[test]
    fn round_trips_a_sort_key() {
        let key = (true, "2026-12-04T10:00:00Z".to_owned(), 42_i32);
        let cursor = encode(&key);
        assert!(
            cursor
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        );
        let back: (bool, String, i32) = decode("after", &cursor).unwrap();
        assert_eq!(back, key);
    }

    #[test]
    fn refuses_what_it_did_not_hand_out() {
        for bad in ["%%%", "bm90IGpzb24", &"A".repeat(MAX_CURSOR_LEN + 1)] {
            let err = decode::<(i64, i32)>("after", bad).unwrap_err();
            assert_eq!(err.kind, ErrorKind::Validation);
            assert_eq!(err.code, "INVALID_CURSOR");
        }
        // A cursor of another list (other key shape) is refused too.
        let other = encode(&("x", "y"));
        assert!(decode::<(i64, i32)>("after", &other).is_err());
    }
}
