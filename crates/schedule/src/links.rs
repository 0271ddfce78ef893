//! "Subscribe" and "add this event" links for Google Calendar and Outlook.
//!
//! None of these URLs is officially documented; the forms below are the ones
//! in wide use (see the issue 4 research note). Every query value is
//! percent-encoded with a strict set, everything but the RFC 3986 unreserved
//! characters, so spaces become `%20`: Outlook shows a `+` literally.

use chrono::{DateTime, Utc};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use crate::ical::{event_end, utc_stamp};

/// Everything except the RFC 3986 unreserved characters `A-Z a-z 0-9 - . _ ~`.
const STRICT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

const GOOGLE_RENDER: &str = "https://calendar.google.com/calendar/render";
const GOOGLE_ADD_BY_URL_SETTINGS: &str =
    "https://calendar.google.com/calendar/u/0/r/settings/addbyurl";

/// Which Outlook on the web the student uses: the two live on different
/// hosts, and a link to the wrong one lands on a sign-in page for the wrong
/// kind of account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OutlookAccount {
    /// A personal Microsoft account (outlook.com, hotmail.com, live.com):
    /// `https://outlook.live.com`.
    Personal,
    /// A Microsoft 365 work or school account: `https://outlook.office.com`.
    Work,
}

impl OutlookAccount {
    fn host(self) -> &'static str {
        match self {
            Self::Personal => "https://outlook.live.com",
            Self::Work => "https://outlook.office.com",
        }
    }

    fn add_from_web(self) -> String {
        format!("{}/calendar/0/addfromweb", self.host())
    }

    fn compose(self) -> String {
        format!("{}/calendar/0/deeplink/compose", self.host())
    }
}

/// Google's subscribe shortcut. Google reads an `https://` `cid` as a
/// calendar id and fails, while the encoded `webcal://` form works.
pub fn google_subscribe(feed_https_url: &str) -> String {
    with_query(GOOGLE_RENDER, &[("cid", &webcal(feed_https_url))])
}

/// Google Calendar's "From URL" settings page, where the student pastes
/// the feed URL by hand: the fallback to offer next to
/// [`google_subscribe`], whose `cid` shortcut sometimes fails (signed out,
/// several Google accounts, some mobile browsers).
pub fn google_add_by_url_settings() -> &'static str {
    GOOGLE_ADD_BY_URL_SETTINGS
}

/// Outlook's "subscribe from web" link for that kind of account, with the
/// calendar's display name. Outlook needs the `https://` form (new Outlook
/// strips `webcal:`), so an `http://` or `webcal://` scheme is replaced by
/// `https://`.
pub fn outlook_subscribe(account: OutlookAccount, feed_https_url: &str, name: &str) -> String {
    let https = https(feed_https_url);
    with_query(&account.add_from_web(), &[("url", &https), ("name", name)])
}

/// The `webcal://` form of a feed URL, which Apple Calendar (and the OS
/// handler on most desktops) opens as a subscription. An `http://` or
/// `https://` scheme (any case) is replaced; a `webcal://` URL is returned
/// as is; a URL with no scheme gets `webcal://` in front.
pub fn webcal(feed_https_url: &str) -> String {
    format!("webcal://{}", without_scheme(feed_https_url))
}

/// Google's "create event" template, prefilled. `end <= start` is written as
/// a 15-minute slot, as in the iCalendar feed (clamped at chrono's last
/// instant, see [`event_end`]: these links never panic).
pub fn google_event(
    title: &str,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    details: &str,
    location: Option<&str>,
) -> String {
    let dates = format!("{}/{}", utc_stamp(start), utc_stamp(event_end(start, end)));
    let mut pairs = vec![
        ("action", "TEMPLATE"),
        ("text", title),
        ("dates", dates.as_str()),
        ("details", details),
    ];
    push_location(&mut pairs, location);
    with_query(GOOGLE_RENDER, &pairs)
}

/// Outlook's "new event" compose deep link for that kind of account,
/// prefilled. Times are UTC with `Z` and no fraction, the form Outlook
/// parses reliably.
pub fn outlook_event(
    account: OutlookAccount,
    title: &str,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    body: &str,
    location: Option<&str>,
) -> String {
    let startdt = iso_utc(start);
    let enddt = iso_utc(event_end(start, end));
    let mut pairs = vec![
        ("path", "/calendar/action/compose"),
        ("rru", "addevent"),
        ("subject", title),
        ("startdt", startdt.as_str()),
        ("enddt", enddt.as_str()),
        ("body", body),
    ];
    push_location(&mut pairs, location);
    with_query(&account.compose(), &pairs)
}

/// An empty location is left out rather than sent as `location=`.
fn push_location<'a>(pairs: &mut Vec<(&'static str, &'a str)>, location: Option<&'a str>) {
    if let Some(location) = location.filter(|l| !l.is_empty()) {
        pairs.push(("location", location));
    }
}

/// `base?k1=v1&k2=v2` with every value strictly encoded (keys are literals).
fn with_query(base: &str, pairs: &[(&str, &str)]) -> String {
    let query: Vec<String> = pairs
        .iter()
        .map(|(key, value)| format!("{key}={}", encode(value)))
        .collect();
    format!("{base}?{}", query.join("&"))
}

fn encode(value: &str) -> String {
    utf8_percent_encode(value, STRICT).to_string()
}

fn iso_utc(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// The `https://` form, for clients that refuse `webcal://`.
fn https(feed_url: &str) -> String {
    format!("https://{}", without_scheme(feed_url))
}

/// The URL after `http://`, `https://` or `webcal://` (ASCII case ignored),
/// or the whole string when it has none of them.
fn without_scheme(url: &str) -> &str {
    ["https://", "http://", "webcal://"]
        .iter()
        .find_map(|scheme| strip_prefix_ignore_ascii_case(url, scheme))
        .unwrap_or(url)
}

fn strip_prefix_ignore_ascii_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &s[prefix.len()..])
}
