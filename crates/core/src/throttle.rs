//! Rate limits kept in the database, so that a limit holds across gateway
//! replicas: failed logins per account and per address, registrations per
//! address, chat messages, reactions, reports…
//!
//! Each limit counts hits per `(scope, subject)` in buckets of a fifteenth
//! of its window, and sums the buckets that overlap the last `window`
//! seconds: a sliding window, exact to one bucket and never looser (a hit
//! counts until its whole bucket has left the window, so a refused client
//! waits at most `window` plus one bucket). A refused hit is not counted:
//! someone who keeps knocking is not locked out for longer.

use std::net::IpAddr;

use chrono::{DateTime, Duration, NaiveDateTime};
use diesel::prelude::*;
use diesel::sql_types::{Integer, Text, Timestamp};

use crate::Clock;
use crate::db::{DbConnection, write_transaction};
use crate::error::Error;
use crate::schema::throttle_counters;

/// At most `max` hits in any `window_secs` seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub max: u32,
    pub window_secs: i64,
}

impl Limit {
    pub const fn new(max: u32, window_secs: i64) -> Self {
        Self { max, window_secs }
    }

    /// "5 per 15 min", as errors and logs say it.
    pub fn describe(&self) -> String {
        match self.window_secs {
            s if s % 3600 == 0 => format!("{} per {} h", self.max, s / 3600),
            s if s % 60 == 0 => format!("{} per {} min", self.max, s / 60),
            s => format!("{} per {s} s", self.max),
        }
    }
}

/// What a refused hit answers: `429` with this code and message, and
/// `Retry-After`.
#[derive(Debug, Clone, Copy)]
pub struct Refusal {
    pub code: &'static str,
    pub message: &'static str,
}

impl Refusal {
    pub const fn new(code: &'static str, message: &'static str) -> Self {
        Self { code, message }
    }
}

/// A subject that is a secret or free text (an e-mail address typed at the
/// login form): stored as a digest, so the table neither keeps what people
/// typed nor grows with the length of what an attacker sends.
pub fn hashed_subject(kind: &str, value: &str) -> String {
    use blake2::{Blake2s256, Digest};
    format!(
        "{kind}:{}",
        hex::encode(Blake2s256::digest(value.as_bytes()))
    )
}

/// The subject of a per-address limit. IPv6 addresses count by their /64
/// network, as one host is routinely given a whole /64; an unknown address
/// (no TCP peer) is one subject of its own.
pub fn address_subject(address: Option<IpAddr>) -> String {
    match address {
        Some(IpAddr::V4(v4)) => format!("ip:{v4}"),
        Some(IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
            Some(v4) => format!("ip:{v4}"),
            None => {
                let s = v6.segments();
                format!("ip:{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
        None => "ip:unknown".to_owned(),
    }
}

/// The subject of a per-account limit.
pub fn user_subject(user_id: i32) -> String {
    format!("user:{user_id}")
}

#[derive(QueryableByName)]
struct Hits {
    #[diesel(sql_type = Integer)]
    hits: i32,
}

const UPSERT: &str = "INSERT INTO throttle_counters (scope, subject, window_start, hits, expires_at) \
     VALUES ($1, $2, $3, 1, $4) \
     ON CONFLICT (scope, subject, window_start) DO UPDATE SET hits = throttle_counters.hits + 1 \
     RETURNING hits";

/// Counts one hit against `(scope, subject)` or refuses it with `429` and
/// `Retry-After`, leaving the count as it was. The count and the check are
/// one transaction (the bucket's row lock on PostgreSQL, the write lock on
/// SQLite), so concurrent hits cannot pass the limit together.
pub fn hit(
    conn: &mut DbConnection,
    clock: &dyn Clock,
    scope: &str,
    subject: &str,
    limit: Limit,
    refusal: Refusal,
) -> Result<(), Error> {
    let now = clock.now();
    let window = Window::at(now, limit.window_secs);
    write_transaction(conn, |conn| {
        upsert(conn, scope, subject, &window)?;
        let buckets: Vec<(NaiveDateTime, i32)> = throttle_counters::table
            .filter(throttle_counters::scope.eq(scope))
            .filter(throttle_counters::subject.eq(subject))
            .filter(throttle_counters::window_start.gt(window.oldest_counted()))
            .order(throttle_counters::window_start.asc())
            .select((throttle_counters::window_start, throttle_counters::hits))
            .load(conn)?;
        match window.verdict(&buckets, limit.max, now) {
            None => Ok(()),
            // The error rolls the transaction back: the refused hit is not counted.
            Some(wait) => {
                let millis = u64::try_from(wait.num_milliseconds()).unwrap_or(0);
                Err(Error::rate_limited(millis.div_ceil(1000))
                    .with_code(refusal.code)
                    .with_message(refusal.message))
            }
        }
    })
}

/// Gives back the latest counted hit (a successful login does not count
/// against its address).
pub fn release(
    conn: &mut DbConnection,
    clock: &dyn Clock,
    scope: &str,
    subject: &str,
    limit: Limit,
) -> Result<(), Error> {
    let window = Window::at(clock.now(), limit.window_secs);
    let mine = || {
        throttle_counters::table
            .filter(throttle_counters::scope.eq(scope))
            .filter(throttle_counters::subject.eq(subject))
            .filter(throttle_counters::window_start.gt(window.oldest_counted()))
            .filter(throttle_counters::hits.gt(0))
    };
    let latest: Option<NaiveDateTime> = mine()
        .select(diesel::dsl::max(throttle_counters::window_start))
        .first(conn)?;
    if let Some(latest) = latest {
        diesel::update(mine().filter(throttle_counters::window_start.eq(latest)))
            .set(throttle_counters::hits.eq(throttle_counters::hits - 1))
            .execute(conn)?;
    }
    Ok(())
}

/// Forgets every hit of `(scope, subject)` (a successful login resets the
/// account's failures).
pub fn reset(conn: &mut DbConnection, scope: &str, subject: &str) -> Result<(), Error> {
    diesel::delete(
        throttle_counters::table
            .filter(throttle_counters::scope.eq(scope))
            .filter(throttle_counters::subject.eq(subject)),
    )
    .execute(conn)?;
    Ok(())
}

/// Deletes the counters no limit reads any more; the job worker calls it.
pub fn purge_expired(conn: &mut DbConnection, now: NaiveDateTime) -> Result<usize, Error> {
    Ok(
        diesel::delete(throttle_counters::table.filter(throttle_counters::expires_at.lt(now)))
            .execute(conn)?,
    )
}

fn upsert(
    conn: &mut DbConnection,
    scope: &str,
    subject: &str,
    window: &Window,
) -> Result<i32, Error> {
    let row = match conn {
        DbConnection::Pg(pg) => diesel::sql_query(UPSERT)
            .bind::<Text, _>(scope)
            .bind::<Text, _>(subject)
            .bind::<Timestamp, _>(window.bucket_start)
            .bind::<Timestamp, _>(window.expires_at())
            .get_result::<Hits>(pg)?,
        // SQLite numbers its parameters `?1`…
        DbConnection::Sqlite(sqlite) => diesel::sql_query(UPSERT.replace('$', "?"))
            .bind::<Text, _>(scope)
            .bind::<Text, _>(subject)
            .bind::<Timestamp, _>(window.bucket_start)
            .bind::<Timestamp, _>(window.expires_at())
            .get_result::<Hits>(sqlite)?,
    };
    Ok(row.hits)
}

/// Buckets per window: the precision of the sliding window.
const BUCKETS: i64 = 15;

/// The window of a limit as seen at `now`, and the bucket `now` falls in.
#[derive(Debug, Clone, Copy)]
struct Window {
    now: NaiveDateTime,
    bucket_start: NaiveDateTime,
    bucket: Duration,
    length: Duration,
}

impl Window {
    fn at(now: NaiveDateTime, window_secs: i64) -> Self {
        let window_secs = window_secs.max(1);
        let bucket_secs = (window_secs / BUCKETS).max(1);
        let epoch = now.and_utc().timestamp();
        let bucket_start = DateTime::from_timestamp(epoch - epoch.rem_euclid(bucket_secs), 0)
            .map_or(now, |t| t.naive_utc());
        Self {
            now,
            bucket_start,
            bucket: Duration::seconds(bucket_secs),
            length: Duration::seconds(window_secs),
        }
    }

    /// Buckets starting after this overlap the last `length` (in part, for
    /// the oldest): a bucket `[s, s + bucket)` does while `s + bucket > now - length`.
    fn oldest_counted(&self) -> NaiveDateTime {
        self.now - self.length - self.bucket
    }

    /// A bucket is read until it has wholly left the window.
    fn expires_at(&self) -> NaiveDateTime {
        self.bucket_start + self.bucket + self.length
    }

    /// `None` to admit the hit that `buckets` (oldest first) now include;
    /// otherwise how long until one more hit would be admitted.
    fn verdict(
        &self,
        buckets: &[(NaiveDateTime, i32)],
        max: u32,
        now: NaiveDateTime,
    ) -> Option<Duration> {
        let max = i64::from(max);
        let total: i64 = buckets.iter().map(|(_, hits)| i64::from(*hits)).sum();
        if total <= max {
            return None;
        }
        // Without the refused hit, then dropping buckets as they leave.
        let mut remaining = total - 1;
        for (start, hits) in buckets {
            remaining -= i64::from(*hits);
            if remaining < max {
                let leaves = *start + self.bucket + self.length;
                return Some((leaves - now).max(Duration::zero()));
            }
        }
        Some(self.length)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> NaiveDateTime {
        DateTime::parse_from_rfc3339(s)
            .map(|t| t.naive_utc())
            .unwrap_or_default()
    }

    #[test]
    fn buckets_are_a_fifteenth_of_the_window() {
        let window = Window::at(at("2026-01-15T10:07:30Z"), 900);
        assert_eq!(window.bucket_start, at("2026-01-15T10:07:00Z"));
        assert_eq!(window.oldest_counted(), at("2026-01-15T09:51:30Z"));
        assert_eq!(window.expires_at(), at("2026-01-15T10:23:00Z"));
        let short = Window::at(at("2026-01-15T10:00:07Z"), 10);
        assert_eq!(short.bucket, Duration::seconds(1));
    }

    #[test]
    fn the_limit_counts_every_bucket_in_the_window() {
        let now = at("2026-01-15T10:07:30Z");
        let window = Window::at(now, 900);
        let buckets = [
            (at("2026-01-15T09:53:00Z"), 2),
            (at("2026-01-15T10:00:00Z"), 2),
            (at("2026-01-15T10:07:00Z"), 1),
        ];
        assert_eq!(window.verdict(&buckets, 5, now), None);
        let over = [
            (at("2026-01-15T09:53:00Z"), 2),
            (at("2026-01-15T10:07:00Z"), 4),
        ];
        // 5 without the refused one: the 09:53 bucket must leave (10:09).
        assert_eq!(window.verdict(&over, 5, now), Some(Duration::seconds(90)));
    }

    #[test]
    fn a_full_current_bucket_waits_a_window_and_a_bucket_at_most() {
        let now = at("2026-01-15T10:07:00Z");
        let window = Window::at(now, 900);
        let wait = window.verdict(&[(at("2026-01-15T10:07:00Z"), 6)], 5, now);
        assert_eq!(wait, Some(Duration::seconds(960)));
    }

    #[test]
    fn ipv6_addresses_count_by_their_64_network() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1"
            .parse()
            .unwrap_or(IpAddr::V4([0; 4].into()));
        let b: IpAddr = "2001:db8:1:2:bbbb::9"
            .parse()
            .unwrap_or(IpAddr::V4([0; 4].into()));
        let mapped: IpAddr = "::ffff:192.0.2.7"
            .parse()
            .unwrap_or(IpAddr::V4([0; 4].into()));
        assert_eq!(address_subject(Some(a)), address_subject(Some(b)));
        assert_eq!(address_subject(Some(a)), "ip:2001:db8:1:2::/64");
        assert_eq!(address_subject(Some(mapped)), "ip:192.0.2.7");
        assert_eq!(address_subject(None), "ip:unknown");
    }

    #[test]
    fn limits_describe_themselves() {
        assert_eq!(Limit::new(5, 900).describe(), "5 per 15 min");
        assert_eq!(Limit::new(20, 3600).describe(), "20 per 1 h");
        assert_eq!(Limit::new(3, 45).describe(), "3 per 45 s");
    }
}
