//! Rate-limit counters in the database: the limit, what a refusal leaves,
//! giving a hit back, resetting, and purging windows that are over.

use chrono::Duration;
use diesel::prelude::*;
use mdsc_core::schema::throttle_counters;
use mdsc_core::testing::TestDb;
use mdsc_core::throttle::{self, Limit, Refusal};
use mdsc_core::{Clock, ErrorKind, ManualClock};

const REFUSAL: Refusal = Refusal::new("TOO_MANY_TEST_HITS", "Too many test hits");

fn stored_hits(conn: &mut mdsc_core::DbConnection, subject: &str) -> i64 {
    throttle_counters::table
        .filter(throttle_counters::subject.eq(subject))
        .select(diesel::dsl::sum(throttle_counters::hits))
        .first::<Option<i64>>(conn)
        .unwrap()
        .unwrap_or(0)
}

#[test]
fn a_limit_admits_max_hits_per_window_and_counts_no_refusal() {
    let db = TestDb::new();
    let mut conn = db.conn();
    let clock = ManualClock::starting_at("2026-01-15T10:00:30Z");
    let limit = Limit::new(3, 60);
    for _ in 0..3 {
        throttle::hit(&mut conn, &clock, "test", "user:1", limit, REFUSAL).unwrap();
        clock.advance(Duration::seconds(5));
    }
    for _ in 0..4 {
        let err = throttle::hit(&mut conn, &clock, "test", "user:1", limit, REFUSAL).unwrap_err();
        assert_eq!(err.kind, ErrorKind::RateLimited);
        assert_eq!(err.code, "TOO_MANY_TEST_HITS");
        assert_eq!(err.message, "Too many test hits");
        // The first hit (10:00:30, in the 10:00:28 bucket) leaves at 10:01:32.
        assert_eq!(err.retry_after_secs, Some(47));
    }
    assert_eq!(
        stored_hits(&mut conn, "user:1"),
        3,
        "refusals are not counted"
    );
    // Other subjects and scopes have their own counts.
    throttle::hit(&mut conn, &clock, "test", "user:2", limit, REFUSAL).unwrap();
    throttle::hit(&mut conn, &clock, "other", "user:1", limit, REFUSAL).unwrap();
    clock.advance(Duration::seconds(47));
    throttle::hit(&mut conn, &clock, "test", "user:1", limit, REFUSAL).unwrap();
}

#[test]
fn release_gives_back_one_hit_and_reset_forgets_them_all() {
    let db = TestDb::new();
    let mut conn = db.conn();
    let clock = ManualClock::starting_at("2026-01-15T10:00:00Z");
    let limit = Limit::new(2, 900);
    throttle::hit(&mut conn, &clock, "test", "ip:a", limit, REFUSAL).unwrap();
    throttle::hit(&mut conn, &clock, "test", "ip:a", limit, REFUSAL).unwrap();
    throttle::release(&mut conn, &clock, "test", "ip:a", limit).unwrap();
    throttle::hit(&mut conn, &clock, "test", "ip:a", limit, REFUSAL).unwrap();
    assert!(throttle::hit(&mut conn, &clock, "test", "ip:a", limit, REFUSAL).is_err());
    throttle::reset(&mut conn, "test", "ip:a").unwrap();
    assert_eq!(stored_hits(&mut conn, "ip:a"), 0);
    throttle::hit(&mut conn, &clock, "test", "ip:a", limit, REFUSAL).unwrap();
}

#[test]
fn counters_whose_window_is_over_are_purged() {
    let db = TestDb::new();
    let mut conn = db.conn();
    let clock = ManualClock::starting_at("2026-01-15T10:00:00Z");
    throttle::hit(&mut conn, &clock, "test", "old", Limit::new(5, 60), REFUSAL).unwrap();
    throttle::hit(
        &mut conn,
        &clock,
        "test",
        "long",
        Limit::new(5, 3600),
        REFUSAL,
    )
    .unwrap();
    clock.advance(Duration::minutes(5));
    throttle::hit(&mut conn, &clock, "test", "new", Limit::new(5, 60), REFUSAL).unwrap();
    let purged = throttle::purge_expired(&mut conn, clock.now()).unwrap();
    assert_eq!(purged, 1);
    assert_eq!(stored_hits(&mut conn, "old"), 0);
    assert_eq!(stored_hits(&mut conn, "long"), 1, "still inside its hour");
    assert_eq!(stored_hits(&mut conn, "new"), 1);
}
