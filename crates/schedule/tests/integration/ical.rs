//! Reads what `mdsc_schedule::ical` writes back with an independent parser
//! (the `icalendar` crate), so escaping, folding and structure are checked
//! against someone else's reading of RFC 5545, not against our own writer.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{DateTime, Duration, NaiveDateTime, TimeZone, Utc};
use icalendar::parser::{Calendar, Component, read_calendar, unfold};
use mdsc_schedule::ical::{
    CANCELLED_PREFIX, DEFAULT_REFRESH, FeedCalendar, FeedEvent, IcalError, PRODID, etag, event_end,
    event_uid, render,
};

fn at(day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, day, hour, minute, 0).unwrap()
}

fn lesson() -> FeedEvent {
    FeedEvent {
        uid: "item-1@mdsc.example".into(),
        summary: "Leçon 1 : introduction".into(),
        description: Some("Lire le chapitre 1".into()),
        location: Some("En ligne".into()),
        url: Some("https://mdsc.example/courses/42/lessons/1?from=calendar&x=1".into()),
        categories: vec!["lesson".into(), "Cours 42".into()],
        start: at(3, 8, 0),
        end: at(3, 9, 30),
        sequence: 2,
        cancelled: false,
        last_modified: at(1, 12, 0),
        alarms_minutes_before: vec![30, 10, 30],
    }
}

fn cancelled_live_session() -> FeedEvent {
    FeedEvent {
        uid: "item-2@mdsc.example".into(),
        summary: "Session live annulée".into(),
        cancelled: true,
        sequence: 5,
        alarms_minutes_before: vec![15],
        ..FeedEvent::new("", "", at(4, 17, 0), at(4, 18, 0), at(2, 9, 45))
    }
}

/// A deadline: the caller has no duration and passes `end == start`.
fn quiz_deadline() -> FeedEvent {
    FeedEvent::new(
        "item-3@mdsc.example",
        "Quiz 1",
        at(5, 22, 0),
        at(5, 22, 0),
        at(1, 12, 0),
    )
}

fn sample() -> FeedCalendar {
    FeedCalendar {
        name: "Mon planning".into(),
        description: Some("Cours 42".into()),
        refresh: DEFAULT_REFRESH,
        events: vec![lesson(), cancelled_live_session(), quiz_deadline()],
    }
}

/// Renders and checks the physical layout every document must have.
fn render_checked(calendar: &FeedCalendar) -> String {
    let raw = render(calendar).expect("renders");
    assert_lines_well_formed(&raw);
    raw
}

fn assert_lines_well_formed(raw: &str) {
    assert!(raw.ends_with("\r\n"), "document must end with CRLF");
    for line in raw.split_inclusive('\n') {
        let content = line
            .strip_suffix("\r\n")
            .unwrap_or_else(|| panic!("line not ended by CRLF: {line:?}"));
        assert!(!content.contains(['\r', '\n']), "stray CR/LF in {line:?}");
        assert!(content.len() <= 75, "{} octets: {content:?}", content.len());
    }
}

fn parse(unfolded: &str) -> Calendar<'_> {
    read_calendar(unfolded).expect("icalendar parses the output")
}

fn cal_prop<'a>(cal: &'a Calendar<'_>, name: &str) -> Option<&'a str> {
    cal.properties
        .iter()
        .find(|p| p.name.as_str() == name)
        .map(|p| p.val.as_str())
}

fn prop<'a>(component: &'a Component<'_>, name: &str) -> &'a str {
    component
        .find_prop(name)
        .unwrap_or_else(|| panic!("{} has no {name}", component.name.as_str()))
        .val
        .as_str()
}

fn events<'a>(cal: &'a Calendar<'_>) -> Vec<&'a Component<'a>> {
    cal.components
        .iter()
        .filter(|c| c.name.as_str() == "VEVENT")
        .collect()
}

fn event_by_uid<'a>(cal: &'a Calendar<'_>, uid: &str) -> &'a Component<'a> {
    events(cal)
        .into_iter()
        .find(|e| prop(e, "UID") == uid)
        .unwrap_or_else(|| panic!("no event {uid}"))
}

/// RFC 5545 TEXT unescaping, written here rather than borrowed from either
/// library, for the values `icalendar` leaves raw (NAME, CATEGORIES items).
fn unescape(raw: &str) -> String {
    let mut out = String::new();
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n' | 'N') => out.push('\n'),
            Some(other) => out.push(other),
            None => panic!("trailing backslash in {raw:?}"),
        }
    }
    out
}

/// Splits a TEXT list on its unescaped commas, then unescapes each item.
fn split_text_list(raw: &str) -> Vec<String> {
    let mut items = vec![String::new()];
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let last = items.last_mut().unwrap();
                last.push('\\');
                last.push(chars.next().expect("escape has a second char"));
            }
            ',' => items.push(String::new()),
            _ => items.last_mut().unwrap().push(c),
        }
    }
    items.iter().map(|item| unescape(item)).collect()
}

/// Reads a DATE-TIME written in UTC form; fails on a floating or zoned time.
fn utc_value(component: &Component<'_>, name: &str) -> DateTime<Utc> {
    let property = component.find_prop(name).unwrap();
    assert!(
        property.params.iter().all(|p| p.key.as_str() != "TZID"),
        "{name} must not carry a TZID"
    );
    let value = property.val.as_str();
    assert!(value.ends_with('Z'), "{name} is not UTC: {value}");
    NaiveDateTime::parse_from_str(value, "%Y%m%dT%H%M%SZ")
        .unwrap()
        .and_utc()
}

#[test]
fn calendar_properties_are_written() {
    let raw = render_checked(&sample());
    let unfolded = unfold(&raw);
    let cal = parse(&unfolded);
    assert_eq!(cal_prop(&cal, "VERSION"), Some("2.0"));
    assert_eq!(cal_prop(&cal, "PRODID"), Some(PRODID));
    assert_eq!(
        cal_prop(&cal, "PRODID"),
        Some("-//MDSC//Study schedule//FR")
    );
    assert_eq!(cal_prop(&cal, "METHOD"), Some("PUBLISH"));
    assert_eq!(cal_prop(&cal, "X-WR-CALNAME"), Some("Mon planning"));
    assert_eq!(
        cal_prop(&cal, "NAME").map(unescape).as_deref(),
        Some("Mon planning")
    );
    assert_eq!(cal_prop(&cal, "X-WR-CALDESC"), Some("Cours 42"));
    assert_eq!(cal_prop(&cal, "X-PUBLISHED-TTL"), Some("PT4H"));
    assert_eq!(cal_prop(&cal, "X-WR-TIMEZONE"), None);
    assert_eq!(events(&cal).len(), 3);
}

#[test]
fn refresh_interval_is_a_typed_duration() {
    let raw = render_checked(&sample());
    let unfolded = unfold(&raw);
    let cal = parse(&unfolded);
    let refresh = cal
        .properties
        .iter()
        .find(|p| p.name.as_str() == "REFRESH-INTERVAL")
        .unwrap();
    assert_eq!(refresh.val.as_str(), "PT4H");
    let params: Vec<(&str, Option<&str>)> = refresh
        .params
        .iter()
        .map(|p| (p.key.as_str(), p.val.as_ref().map(|v| v.as_str())))
        .collect();
    assert_eq!(params, vec![("VALUE", Some("DURATION"))]);
}

#[test]
fn refresh_durations_follow_the_rfc_grammar() {
    let cases = [
        (Duration::minutes(90), "PT1H30M"),
        (Duration::days(1), "P1D"),
        (Duration::hours(25) + Duration::seconds(5), "P1DT1H0M5S"),
        (Duration::seconds(61), "PT1M1S"),
        // A zero or negative interval is meaningless: clamped to a minute.
        (Duration::zero(), "PT1M"),
        (Duration::hours(-3), "PT1M"),
    ];
    for (refresh, expected) in cases {
        let calendar = FeedCalendar {
            refresh,
            ..FeedCalendar::new("x")
        };
        let raw = render_checked(&calendar);
        assert!(
            raw.contains(&format!(
                "\r\nREFRESH-INTERVAL;VALUE=DURATION:{expected}\r\n"
            )),
            "{refresh:?} -> {raw}"
        );
        assert!(raw.contains(&format!("\r\nX-PUBLISHED-TTL:{expected}\r\n")));
    }
}

#[test]
fn calendar_description_is_omitted_when_absent_or_empty() {
    for description in [None, Some(String::new())] {
        let calendar = FeedCalendar {
            description,
            ..FeedCalendar::new("x")
        };
        assert!(!render_checked(&calendar).contains("X-WR-CALDESC"));
    }
}

#[test]
fn events_keep_uid_utc_times_sequence_and_stamps() {
    let calendar = sample();
    let raw = render_checked(&calendar);
    let unfolded = unfold(&raw);
    let cal = parse(&unfolded);
    for (expected, event) in calendar.events.iter().zip(events(&cal)) {
        assert_eq!(prop(event, "UID"), expected.uid);
        assert_eq!(utc_value(event, "DTSTART"), expected.start);
        assert_eq!(prop(event, "SEQUENCE"), expected.sequence.to_string());
        // DTSTAMP is the modification time, not "now": stable bytes.
        assert_eq!(utc_value(event, "DTSTAMP"), expected.last_modified);
        assert_eq!(utc_value(event, "LAST-MODIFIED"), expected.last_modified);
        let transp = if expected.cancelled {
            "TRANSPARENT"
        } else {
            "OPAQUE"
        };
        assert_eq!(prop(event, "TRANSP"), transp);
    }
    let lesson = event_by_uid(&cal, "item-1@mdsc.example");
    assert_eq!(prop(lesson, "DTSTART"), "20260303T080000Z");
    assert_eq!(prop(lesson, "DTEND"), "20260303T093000Z");
    assert_eq!(utc_value(lesson, "DTEND"), at(3, 9, 30));
    assert_eq!(prop(lesson, "SEQUENCE"), "2");
}

#[test]
fn deadline_without_duration_lasts_fifteen_minutes() {
    let raw = render_checked(&sample());
    let unfolded = unfold(&raw);
    let cal = parse(&unfolded);
    let quiz = event_by_uid(&cal, "item-3@mdsc.example");
    assert_eq!(utc_value(quiz, "DTSTART"), at(5, 22, 0));
    assert_eq!(utc_value(quiz, "DTEND"), at(5, 22, 15));

    // An end before the start (bad input) gets the same treatment.
    let backwards = FeedEvent::new("b", "b", at(5, 22, 0), at(5, 21, 0), at(1, 0, 0));
    let calendar = FeedCalendar {
        events: vec![backwards],
        ..FeedCalendar::new("x")
    };
    let raw = render_checked(&calendar);
    assert!(raw.contains("\r\nDTEND:20260305T221500Z\r\n"));
}

#[test]
fn cancelled_event_is_marked_and_has_no_alarm() {
    let raw = render_checked(&sample());
    let unfolded = unfold(&raw);
    let cal = parse(&unfolded);
    let session = event_by_uid(&cal, "item-2@mdsc.example");
    assert_eq!(prop(session, "STATUS"), "CANCELLED");
    assert_eq!(prop(session, "SEQUENCE"), "5");
    assert!(
        session.components.is_empty(),
        "no VALARM on a cancelled event"
    );
}

#[test]
fn confirmed_event_has_one_display_alarm_per_distinct_reminder() {
    let raw = render_checked(&sample());
    let unfolded = unfold(&raw);
    let cal = parse(&unfolded);
    let lesson = event_by_uid(&cal, "item-1@mdsc.example");
    assert_eq!(prop(lesson, "STATUS"), "CONFIRMED");
    let triggers: Vec<&str> = lesson
        .components
        .iter()
        .map(|alarm| {
            assert_eq!(alarm.name.as_str(), "VALARM");
            assert_eq!(prop(alarm, "ACTION"), "DISPLAY");
            assert_eq!(prop(alarm, "DESCRIPTION"), "Leçon 1 : introduction");
            prop(alarm, "TRIGGER")
        })
        .collect();
    // [30, 10, 30] -> sorted, the duplicate dropped.
    assert_eq!(triggers, vec!["-PT10M", "-PT30M"]);

    let quiz = event_by_uid(&cal, "item-3@mdsc.example");
    assert_eq!(prop(quiz, "STATUS"), "CONFIRMED");
    assert!(
        quiz.components.is_empty(),
        "no reminders asked, none written"
    );
}

#[test]
fn optional_event_fields_are_written_or_omitted() {
    let bare = FeedEvent {
        description: Some(String::new()),
        location: Some(String::new()),
        url: None,
        categories: vec![String::new()],
        ..FeedEvent::new("bare", "Bare", at(6, 8, 0), at(6, 9, 0), at(1, 0, 0))
    };
    let calendar = FeedCalendar {
        events: vec![lesson(), bare],
        ..FeedCalendar::new("x")
    };
    let raw = render_checked(&calendar);
    let unfolded = unfold(&raw);
    let cal = parse(&unfolded);

    let full = event_by_uid(&cal, "item-1@mdsc.example");
    assert_eq!(
        prop(full, "URL"),
        "https://mdsc.example/courses/42/lessons/1?from=calendar&x=1"
    );
    assert_eq!(prop(full, "LOCATION"), "En ligne");
    assert_eq!(prop(full, "DESCRIPTION"), "Lire le chapitre 1");
    assert_eq!(
        split_text_list(prop(full, "CATEGORIES")),
        vec!["lesson", "Cours 42"]
    );

    let bare = event_by_uid(&cal, "bare");
    for absent in ["DESCRIPTION", "LOCATION", "URL", "CATEGORIES"] {
        assert!(
            bare.find_prop(absent).is_none(),
            "{absent} should be omitted"
        );
    }
}

/// Values that stress escaping (`\ ; , :` and newlines) and folding
/// (multi-byte characters, a space and an escape near fold points).
fn tricky_texts() -> Vec<String> {
    let base = [
        "Révision: Algèbre; chapitre 3, exercices \\ corrigés",
        "Ligne 1\nLigne 2\n\nLigne 4 avec C:\\new\\table; et \\n littéral",
        "Emoji 🎓📚✅ CJK 学习计划 日本語の授業 한국어 — Ünïcödé «guillemets»",
        "trailing backslash \\",
        ",;\\\n,;\\\n",
        "tab\tinside, and a space before the fold",
    ];
    let mut texts: Vec<String> = base.iter().map(|s| (*s).to_owned()).collect();
    // Shift a long mixed-width text by 0..8 octets so fold points land on
    // every byte of the 2-, 3- and 4-octet characters and on escapes.
    let long = "é老🎓;,\\ ".repeat(30);
    texts.extend((0..8).map(|pad| format!("{}{long}", "x".repeat(pad))));
    texts
}

#[test]
fn tricky_text_round_trips_exactly() {
    for text in tricky_texts() {
        let event = FeedEvent {
            description: Some(format!("{text}\n{text}")),
            location: Some(text.clone()),
            categories: vec![text.clone(), "plain".into(), format!("a,b;{text}")],
            alarms_minutes_before: vec![5],
            ..FeedEvent::new(
                "tricky",
                text.clone(),
                at(3, 8, 0),
                at(3, 9, 0),
                at(1, 0, 0),
            )
        };
        let calendar = FeedCalendar {
            name: text.clone(),
            description: Some(text.clone()),
            events: vec![event],
            ..FeedCalendar::new("")
        };
        let raw = render_checked(&calendar);
        let unfolded = unfold(&raw);
        let cal = parse(&unfolded);

        assert_eq!(cal_prop(&cal, "X-WR-CALNAME"), Some(text.as_str()));
        assert_eq!(cal_prop(&cal, "NAME").map(unescape), Some(text.clone()));
        assert_eq!(cal_prop(&cal, "X-WR-CALDESC"), Some(text.as_str()));
        let event = event_by_uid(&cal, "tricky");
        assert_eq!(prop(event, "SUMMARY"), text);
        assert_eq!(prop(event, "DESCRIPTION"), format!("{text}\n{text}"));
        assert_eq!(prop(event, "LOCATION"), text);
        assert_eq!(
            split_text_list(prop(event, "CATEGORIES")),
            vec![text.clone(), "plain".into(), format!("a,b;{text}")]
        );
        assert_eq!(prop(&event.components[0], "DESCRIPTION"), text);
    }
}

#[test]
fn long_values_are_folded_within_75_octets() {
    let event = FeedEvent {
        description: Some("老".repeat(200)),
        ..FeedEvent::new(
            "long",
            "x".repeat(300),
            at(3, 8, 0),
            at(3, 9, 0),
            at(1, 0, 0),
        )
    };
    let calendar = FeedCalendar {
        events: vec![event],
        ..FeedCalendar::new("x")
    };
    let raw = render_checked(&calendar);
    let continuations = raw.split("\r\n").filter(|l| l.starts_with(' ')).count();
    assert!(continuations >= 10, "expected folded lines:\n{raw}");
}

#[test]
fn control_characters_cannot_break_or_inject_lines() {
    let event = FeedEvent {
        description: Some("bell\u{7} nul\u{0} del\u{7f} cr\rcrlf\r\nend".into()),
        url: Some("https://e.example/a\r\nX-INJECTED:1".into()),
        ..FeedEvent::new(
            "uid\r\nX-INJECTED:1",
            "ok",
            at(3, 8, 0),
            at(3, 9, 0),
            at(1, 0, 0),
        )
    };
    let calendar = FeedCalendar {
        events: vec![event],
        ..FeedCalendar::new("x")
    };
    let raw = render_checked(&calendar);
    assert!(!raw.split("\r\n").any(|l| l.starts_with("X-INJECTED")));
    let unfolded = unfold(&raw);
    let cal = parse(&unfolded);
    let event = &events(&cal)[0];
    assert_eq!(prop(event, "UID"), "uidX-INJECTED:1");
    assert_eq!(prop(event, "URL"), "https://e.example/aX-INJECTED:1");
    // CR and CRLF become line breaks; other control characters are dropped.
    assert_eq!(prop(event, "DESCRIPTION"), "bell nul del cr\ncrlf\nend");
}

#[test]
fn same_input_gives_same_bytes_and_etag() {
    let first = render_checked(&sample());
    let second = render_checked(&sample());
    assert_eq!(first, second);
    assert_eq!(etag(&first), etag(&second));
}

#[test]
fn changed_sequence_changes_the_etag() {
    let before = render_checked(&sample());
    let mut changed = sample();
    changed.events[1].sequence += 1;
    let after = render_checked(&changed);
    assert_ne!(before, after);
    assert_ne!(etag(&before), etag(&after));
}

#[test]
fn etag_is_a_quoted_strong_tag_of_32_hex_digits() {
    let tag = etag(&render_checked(&sample()));
    let inner = tag
        .strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .expect("quoted, and not weak (no W/ prefix)");
    assert_eq!(inner.len(), 32);
    assert!(
        inner
            .chars()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
    );
    assert_ne!(etag(""), etag(" "));
    assert_ne!(etag("ab"), etag("ba"));
}

#[test]
fn empty_calendar_is_still_valid() {
    let raw = render_checked(&FeedCalendar::new("Vide"));
    assert!(raw.starts_with("BEGIN:VCALENDAR\r\n"));
    assert!(raw.ends_with("END:VCALENDAR\r\n"));
    assert!(!raw.contains("VEVENT"));
    let unfolded = unfold(&raw);
    let cal = parse(&unfolded);
    assert_eq!(cal_prop(&cal, "VERSION"), Some("2.0"));
    assert_eq!(cal_prop(&cal, "PRODID"), Some(PRODID));
    assert_eq!(cal_prop(&cal, "METHOD"), Some("PUBLISH"));
    assert!(cal.components.is_empty());
}

fn single(event: FeedEvent) -> FeedCalendar {
    FeedCalendar {
        events: vec![event],
        ..FeedCalendar::new("x")
    }
}

#[test]
fn cancelled_event_is_free_and_says_so_in_its_title() {
    let raw = render_checked(&sample());
    let unfolded = unfold(&raw);
    let cal = parse(&unfolded);
    let session = event_by_uid(&cal, "item-2@mdsc.example");
    // Outlook ignores STATUS:CANCELLED: the slot is freed and the title says it.
    assert_eq!(prop(session, "TRANSP"), "TRANSPARENT");
    assert_eq!(prop(session, "SUMMARY"), "Annulé : Session live annulée");
    assert_eq!(CANCELLED_PREFIX, "Annulé : ");

    let lesson = event_by_uid(&cal, "item-1@mdsc.example");
    assert_eq!(prop(lesson, "TRANSP"), "OPAQUE");
    assert_eq!(prop(lesson, "SUMMARY"), "Leçon 1 : introduction");
}

#[test]
fn cancelled_prefix_is_escaped_with_the_summary() {
    let event = FeedEvent {
        cancelled: true,
        ..FeedEvent::new("c", "a, b; c\\d", at(3, 8, 0), at(3, 9, 0), at(1, 0, 0))
    };
    let raw = render_checked(&single(event));
    assert!(
        raw.contains("\r\nSUMMARY:Annulé : a\\, b\\; c\\\\d\r\n"),
        "{raw}"
    );
}

#[test]
fn uid_is_escaped_as_text() {
    let uid = "lesson,1;x\\y@mdsc.example";
    let raw = render_checked(&single(FeedEvent::new(
        uid,
        "x",
        at(3, 8, 0),
        at(3, 9, 0),
        at(1, 0, 0),
    )));
    assert!(
        raw.contains("\r\nUID:lesson\\,1\\;x\\\\y@mdsc.example\r\n"),
        "{raw}"
    );
    let unfolded = unfold(&raw);
    let cal = parse(&unfolded);
    // icalendar unescapes UID itself.
    assert_eq!(prop(events(&cal)[0], "UID"), uid);
}

#[test]
fn empty_uid_is_refused() {
    for uid in ["", " ", "\r\n", "\u{7}\t"] {
        let calendar = FeedCalendar {
            events: vec![
                quiz_deadline(),
                FeedEvent::new(uid, "x", at(3, 8, 0), at(3, 9, 0), at(1, 0, 0)),
            ],
            ..FeedCalendar::new("x")
        };
        assert_eq!(
            render(&calendar),
            Err(IcalError::EmptyUid { index: 1 }),
            "{uid:?}"
        );
    }
    assert_eq!(
        IcalError::EmptyUid { index: 1 }.to_string(),
        "event #1 has an empty UID"
    );
}

#[test]
fn event_end_clamps_instead_of_overflowing() {
    let max = DateTime::<Utc>::MAX_UTC;
    let min = DateTime::<Utc>::MIN_UTC;
    assert_eq!(event_end(max, max), max);
    assert_eq!(event_end(max, min), max);
    let near = max - Duration::minutes(5);
    assert_eq!(event_end(near, near), max);
    assert_eq!(event_end(min, min), min + Duration::minutes(15));
    assert_eq!(event_end(min, max), max);
}

#[test]
fn extreme_dates_never_panic() {
    let max = DateTime::<Utc>::MAX_UTC;
    let min = DateTime::<Utc>::MIN_UTC;
    for (start, end) in [(max, max), (max, min), (min, min), (min, max)] {
        for cancelled in [false, true] {
            let event = FeedEvent {
                cancelled,
                alarms_minutes_before: vec![0, u32::MAX],
                ..FeedEvent::new("edge", "edge", start, end, start)
            };
            let calendar = FeedCalendar {
                refresh: Duration::MAX,
                ..single(event)
            };
            let raw = render_checked(&calendar);
            assert!(raw.contains("\r\nUID:edge\r\n"));
        }
    }
}

#[test]
fn event_uid_is_stable_and_unique_per_enrollment() {
    assert_eq!(
        event_uid(7, "lesson:12", "mdsc.example"),
        "lesson-12.7@mdsc.example"
    );
    assert_eq!(
        event_uid(7, "lesson:12", "mdsc.example"),
        event_uid(7, "lesson:12", "mdsc.example")
    );
    // Two courses (enrollments) of one feed both have a `lesson:12`.
    assert_ne!(
        event_uid(7, "lesson:12", "mdsc.example"),
        event_uid(8, "lesson:12", "mdsc.example")
    );
    assert_ne!(
        event_uid(7, "lesson:12", "mdsc.example"),
        event_uid(7, "quiz:12", "mdsc.example")
    );
    assert_ne!(
        event_uid(1, "lesson:1", "mdsc.example"),
        event_uid(11, "lesson:1", "mdsc.example")
    );
}

#[test]
fn event_uid_survives_rendering_unchanged() {
    let uid = event_uid(42, "live:3", "mdsc.example");
    let raw = render_checked(&single(FeedEvent::new(
        uid.clone(),
        "x",
        at(3, 8, 0),
        at(3, 9, 0),
        at(1, 0, 0),
    )));
    assert!(raw.contains(&format!("\r\nUID:{uid}\r\n")));
}
