//! Checks the calendar links by decoding them back: each query value must
//! decode to exactly what was passed in, and the raw URL must only use
//! unreserved characters and `%XX` escapes in values (no `+`, no spaces).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{DateTime, TimeZone, Utc};
use mdsc_schedule::links::{
    OutlookAccount, google_add_by_url_settings, google_event, google_subscribe, outlook_event,
    outlook_subscribe, webcal,
};
use percent_encoding::percent_decode_str;

const FEED: &str = "https://api.mdsc.example/schedule/feed/Tok3n_-x.ics";

/// Awkward for URLs: reserved characters, `+`, `%`, spaces, a newline and
/// non-ASCII text.
const TRICKY: &str = "Révision & quiz: 1+1=2 ; 100% « ok »?#/\nLigne 2 🎓 学习";

fn at(day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, day, hour, minute, 0).unwrap()
}

/// Splits `url` into its query pairs after checking it starts with `base?`
/// and that every raw value is strictly encoded.
fn query(url: &str, base: &str) -> Vec<(String, String)> {
    let rest = url
        .strip_prefix(base)
        .and_then(|r| r.strip_prefix('?'))
        .unwrap_or_else(|| panic!("{url} does not start with {base}?"));
    rest.split('&')
        .map(|pair| {
            let (key, value) = pair.split_once('=').expect("key=value");
            assert_strictly_encoded(value);
            let decoded = percent_decode_str(value).decode_utf8().unwrap();
            (key.to_owned(), decoded.into_owned())
        })
        .collect()
}

/// Only `A-Z a-z 0-9 - . _ ~` and `%XX`: so no `+`, space, `&`, `=`, `/`…
fn assert_strictly_encoded(value: &str) {
    let bytes = value.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'%' {
            let hex = value.get(i + 1..i + 3).expect("two digits after %");
            assert!(
                hex.chars().all(|c| c.is_ascii_hexdigit()),
                "bad escape in {value}"
            );
            i += 3;
        } else {
            assert!(
                b.is_ascii_alphanumeric() || b"-._~".contains(&b),
                "unencoded {:?} in {value}",
                b as char
            );
            i += 1;
        }
    }
}

fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    expected
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

#[test]
fn webcal_swaps_the_scheme() {
    let expected = "webcal://api.mdsc.example/schedule/feed/Tok3n_-x.ics";
    assert_eq!(webcal(FEED), expected);
    assert_eq!(
        webcal("http://api.mdsc.example/schedule/feed/Tok3n_-x.ics"),
        expected
    );
    assert_eq!(
        webcal("HTTPS://api.mdsc.example/schedule/feed/Tok3n_-x.ics"),
        expected
    );
    assert_eq!(webcal(expected), expected);
    assert_eq!(
        webcal("api.mdsc.example/schedule/feed/Tok3n_-x.ics"),
        expected
    );
}

#[test]
fn google_subscribe_passes_the_encoded_webcal_url() {
    let url = google_subscribe(FEED);
    assert_eq!(
        query(&url, "https://calendar.google.com/calendar/render"),
        pairs(&[(
            "cid",
            "webcal://api.mdsc.example/schedule/feed/Tok3n_-x.ics"
        )])
    );
    assert!(url.contains("cid=webcal%3A%2F%2Fapi.mdsc.example%2F"));
}

#[test]
fn outlook_subscribe_passes_the_https_url_and_name() {
    let url = outlook_subscribe(OutlookAccount::Personal, FEED, TRICKY);
    assert_eq!(
        query(&url, "https://outlook.live.com/calendar/0/addfromweb"),
        pairs(&[("url", FEED), ("name", TRICKY)])
    );
    // Outlook refuses webcal://: any other scheme is turned into https.
    let from_webcal = outlook_subscribe(OutlookAccount::Personal, &webcal(FEED), "x");
    assert_eq!(
        query(
            &from_webcal,
            "https://outlook.live.com/calendar/0/addfromweb"
        )[0],
        ("url".to_owned(), FEED.to_owned())
    );
}

#[test]
fn google_event_fills_the_template() {
    let url = google_event(
        TRICKY,
        at(3, 8, 0),
        at(3, 9, 30),
        TRICKY,
        Some("Salle 12, Bât. A"),
    );
    assert_eq!(
        query(&url, "https://calendar.google.com/calendar/render"),
        pairs(&[
            ("action", "TEMPLATE"),
            ("text", TRICKY),
            ("dates", "20260303T080000Z/20260303T093000Z"),
            ("details", TRICKY),
            ("location", "Salle 12, Bât. A"),
        ])
    );
}

#[test]
fn google_event_omits_a_missing_or_empty_location() {
    for location in [None, Some("")] {
        let url = google_event("Quiz", at(3, 8, 0), at(3, 9, 0), "", location);
        let keys: Vec<String> = query(&url, "https://calendar.google.com/calendar/render")
            .into_iter()
            .map(|(k, _)| k)
            .collect();
        assert_eq!(keys, vec!["action", "text", "dates", "details"]);
    }
}

#[test]
fn outlook_event_fills_the_compose_deeplink() {
    let url = outlook_event(
        OutlookAccount::Personal,
        TRICKY,
        at(3, 8, 0),
        at(3, 9, 30),
        TRICKY,
        Some(TRICKY),
    );
    assert!(url.starts_with(
        "https://outlook.live.com/calendar/0/deeplink/compose?path=%2Fcalendar%2Faction%2Fcompose&rru=addevent&"
    ));
    assert_eq!(
        query(&url, "https://outlook.live.com/calendar/0/deeplink/compose"),
        pairs(&[
            ("path", "/calendar/action/compose"),
            ("rru", "addevent"),
            ("subject", TRICKY),
            ("startdt", "2026-03-03T08:00:00Z"),
            ("enddt", "2026-03-03T09:30:00Z"),
            ("body", TRICKY),
            ("location", TRICKY),
        ])
    );
    let without = outlook_event(
        OutlookAccount::Personal,
        "Quiz",
        at(3, 8, 0),
        at(3, 9, 0),
        "",
        None,
    );
    assert!(!without.contains("location="));
}

#[test]
fn event_links_give_a_deadline_fifteen_minutes() {
    let google = google_event("Quiz", at(5, 22, 0), at(5, 22, 0), "", None);
    let dates = query(&google, "https://calendar.google.com/calendar/render")
        .into_iter()
        .find(|(k, _)| k == "dates")
        .unwrap()
        .1;
    assert_eq!(dates, "20260305T220000Z/20260305T221500Z");

    let outlook = outlook_event(
        OutlookAccount::Personal,
        "Quiz",
        at(5, 22, 0),
        at(5, 22, 0),
        "",
        None,
    );
    let enddt = query(
        &outlook,
        "https://outlook.live.com/calendar/0/deeplink/compose",
    )
    .into_iter()
    .find(|(k, _)| k == "enddt")
    .unwrap()
    .1;
    assert_eq!(enddt, "2026-03-05T22:15:00Z");
}

#[test]
fn links_have_no_plus_and_no_raw_space() {
    let text = "a b+c  d";
    let links = [
        google_subscribe("https://h.example/a b+c.ics"),
        outlook_subscribe(OutlookAccount::Work, "https://h.example/a b+c.ics", text),
        google_event(text, at(3, 8, 0), at(3, 9, 0), text, Some(text)),
        outlook_event(
            OutlookAccount::Work,
            text,
            at(3, 8, 0),
            at(3, 9, 0),
            text,
            Some(text),
        ),
    ];
    for link in links {
        assert!(!link.contains('+'), "{link}");
        assert!(!link.contains(' '), "{link}");
        assert!(link.contains("%20"), "{link}");
        assert!(link.contains("%2B"), "{link}");
    }
}

#[test]
fn work_accounts_use_outlook_office_com() {
    let subscribe = outlook_subscribe(OutlookAccount::Work, &webcal(FEED), TRICKY);
    assert_eq!(
        query(
            &subscribe,
            "https://outlook.office.com/calendar/0/addfromweb"
        ),
        pairs(&[("url", FEED), ("name", TRICKY)])
    );
    let event = outlook_event(
        OutlookAccount::Work,
        "Quiz",
        at(3, 8, 0),
        at(3, 9, 0),
        "body",
        Some("En ligne"),
    );
    assert_eq!(
        query(
            &event,
            "https://outlook.office.com/calendar/0/deeplink/compose"
        ),
        pairs(&[
            ("path", "/calendar/action/compose"),
            ("rru", "addevent"),
            ("subject", "Quiz"),
            ("startdt", "2026-03-03T08:00:00Z"),
            ("enddt", "2026-03-03T09:00:00Z"),
            ("body", "body"),
            ("location", "En ligne"),
        ])
    );
    // The personal form is unchanged and never mixed up with the work one.
    for link in [
        outlook_subscribe(OutlookAccount::Personal, FEED, "x"),
        outlook_event(
            OutlookAccount::Personal,
            "Quiz",
            at(3, 8, 0),
            at(3, 9, 0),
            "",
            None,
        ),
    ] {
        assert!(
            link.starts_with("https://outlook.live.com/calendar/0/"),
            "{link}"
        );
        assert!(!link.contains("office.com"), "{link}");
    }
}

#[test]
fn google_add_by_url_settings_is_the_manual_fallback_page() {
    assert_eq!(
        google_add_by_url_settings(),
        "https://calendar.google.com/calendar/u/0/r/settings/addbyurl"
    );
}

#[test]
fn event_links_never_panic_at_chrono_limits() {
    let max = DateTime::<Utc>::MAX_UTC;
    let min = DateTime::<Utc>::MIN_UTC;
    for (start, end) in [(max, max), (max, min), (min, min), (min, max)] {
        let google = google_event("x", start, end, "", None);
        assert!(google.starts_with("https://calendar.google.com/calendar/render?"));
        for account in [OutlookAccount::Personal, OutlookAccount::Work] {
            let outlook = outlook_event(account, "x", start, end, "", None);
            assert!(outlook.contains("enddt="), "{outlook}");
        }
    }
}
