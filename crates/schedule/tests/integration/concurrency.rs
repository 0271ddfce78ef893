//! Schedules under real concurrent connections: one schedule per
//! enrollment, no item twice, one feed secret per user.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use std::collections::BTreeSet;

use common::*;
use mdsc_core::ErrorKind;
use mdsc_core::testing::race;
use mdsc_schedule::feed::get_feed;
use mdsc_schedule::service::{PreferencesInput, generate_schedule};

/// A failure a client can retry: a conflict, not a crash or a 500.
fn is_clean_failure(err: &mdsc_core::Error) -> bool {
    matches!(err.kind, ErrorKind::Conflict)
}

#[test]
fn concurrent_generations_leave_one_schedule_without_duplicate_items() {
    for threads in [2, 4] {
        let mut w = World::new();
        let cast = w.cast(1);
        w.session(&cast, utc("2026-01-21T09:00:00Z"), Duration::hours(1));
        let (student, e) = (cast.student(), cast.enrollment());
        let now = w.now();
        let settings = w.settings.clone();
        let results = race(&w.db.pool(), threads, move |i, conn| {
            let clock = mdsc_core::ManualClock::new(now);
            // Half of them also change a preference: the last one wins.
            let input = PreferencesInput {
                hours_per_week: (i % 2 == 1).then_some(7),
                ..PreferencesInput::default()
            };
            generate_schedule(conn, &student, &clock, &settings, e, input)
                .map(|generated| (generated.created, generated.schedule.id))
        });
        let ok: Vec<(bool, i32)> = results
            .iter()
            .filter_map(|r| r.as_ref().ok().copied())
            .collect();
        for err in results.iter().filter_map(|r| r.as_ref().err()) {
            assert!(is_clean_failure(err), "{err}");
        }
        assert!(!ok.is_empty(), "{results:?}");
        assert!(
            ok.iter().filter(|(created, _)| *created).count() <= 1,
            "{ok:?}"
        );
        let ids: BTreeSet<i32> = ok.iter().map(|(_, id)| *id).collect();
        assert_eq!(ids.len(), 1, "every call saw the same schedule: {ok:?}");

        assert_eq!(w.schedule_rows(e), 1);
        let items = w.items(e);
        let keys: BTreeSet<&str> = items.iter().map(|i| i.item_key.as_str()).collect();
        assert_eq!(keys.len(), items.len(), "no item twice");
        assert_eq!(items.len(), 4 + 2 + 4 + 1);
        assert_eq!(w.all_item_rows(), 11);
        // And the schedule is a sound one: a sequential re-plan changes nothing.
        let schedule = w.get(&student, e).unwrap();
        let before = w.items(e);
        w.generate(&student, e);
        assert_eq!(w.items(e), before);
        assert_eq!(schedule.items.len(), 11);
    }
}

#[test]
fn concurrent_first_feed_requests_share_one_secret() {
    let mut w = World::new();
    let cast = w.cast(1);
    let student = cast.student();
    let now = w.now();
    let settings = w.settings.clone();
    let results = race(&w.db.pool(), 4, move |_, conn| {
        let clock = mdsc_core::ManualClock::new(now);
        get_feed(conn, &student, &clock, &settings).map(|feed| feed.feed_url)
    });
    let urls: BTreeSet<String> = results
        .iter()
        .map(|r| r.as_ref().expect("a first request never fails").clone())
        .collect();
    assert_eq!(urls.len(), 1, "{urls:?}");
    assert_eq!(w.token(&student), token_of(urls.first().unwrap()));
}
