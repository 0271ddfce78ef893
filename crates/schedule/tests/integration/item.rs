//! `ItemType` and `ItemStatus` read back from their stored (`as_str`) form.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use mdsc_schedule::item::{ItemStatus, ItemType, ParseItemError};

/// Fails to compile when a variant is added without updating `ALL`'s test.
fn type_is_listed(t: ItemType) -> bool {
    match t {
        ItemType::Lesson
        | ItemType::Quiz
        | ItemType::Milestone
        | ItemType::LiveSession
        | ItemType::Custom => ItemType::ALL.contains(&t),
    }
}

fn status_is_listed(s: ItemStatus) -> bool {
    match s {
        ItemStatus::Pending | ItemStatus::Done | ItemStatus::Skipped | ItemStatus::Cancelled => {
            ItemStatus::ALL.contains(&s)
        }
    }
}

#[test]
fn every_item_type_round_trips() {
    let expected = [
        (ItemType::Lesson, "lesson"),
        (ItemType::Quiz, "quiz"),
        (ItemType::Milestone, "milestone"),
        (ItemType::LiveSession, "live_session"),
        (ItemType::Custom, "custom"),
    ];
    assert_eq!(ItemType::ALL.len(), expected.len());
    for (variant, name) in expected {
        assert!(type_is_listed(variant));
        assert_eq!(variant.as_str(), name);
        assert_eq!(name.parse::<ItemType>(), Ok(variant));
    }
    for variant in ItemType::ALL {
        assert_eq!(variant.as_str().parse::<ItemType>(), Ok(variant));
    }
}

#[test]
fn every_item_status_round_trips() {
    let expected = [
        (ItemStatus::Pending, "pending"),
        (ItemStatus::Done, "done"),
        (ItemStatus::Skipped, "skipped"),
        (ItemStatus::Cancelled, "cancelled"),
    ];
    assert_eq!(ItemStatus::ALL.len(), expected.len());
    for (variant, name) in expected {
        assert!(status_is_listed(variant));
        assert_eq!(variant.as_str(), name);
        assert_eq!(name.parse::<ItemStatus>(), Ok(variant));
    }
    for variant in ItemStatus::ALL {
        assert_eq!(variant.as_str().parse::<ItemStatus>(), Ok(variant));
    }
}

#[test]
fn unknown_values_are_rejected_with_the_value() {
    for bad in [
        "",
        "Lesson",
        "live-session",
        "liveSession",
        " quiz",
        "quiz ",
        "done",
    ] {
        let err = bad.parse::<ItemType>().unwrap_err();
        assert_eq!(
            err,
            ParseItemError {
                kind: "item type",
                value: bad.to_owned()
            }
        );
    }
    for bad in ["", "Pending", "canceled", "done ", "lesson"] {
        let err = bad.parse::<ItemStatus>().unwrap_err();
        assert_eq!(err.kind, "item status");
        assert_eq!(err.value, bad);
    }
    assert_eq!(
        "LESSON".parse::<ItemType>().unwrap_err().to_string(),
        "unknown item type: \"LESSON\""
    );
}
