//! RFC 5545 writer for a student's schedule: the `.ics` download and the
//! subscription feed polled by Google Calendar, Outlook and Apple Calendar.
//!
//! Everything is written in UTC (`…Z`), so no VTIMEZONE is needed. The
//! output depends only on the input: DTSTAMP is each event's
//! `last_modified`, never "now", so identical data gives identical bytes and
//! the [`etag`] stays stable between polls (clients get a 304).
//!
//! The `ics` crate writes values verbatim, so every TEXT value goes through
//! [`ics::escape_text`] here; its folding leaves continuation lines of 76
//! octets, so the result is re-folded to at most 75 octets per line.
//!
//! Date arithmetic never panics: near chrono's limits (`DateTime::<Utc>::
//! MAX_UTC`) a computed end is clamped instead of overflowing. Such dates
//! are far outside RFC 5545's four-digit years and are written in chrono's
//! signed form; they only matter as bad input that must not crash a feed.

use std::fmt;

use chrono::{DateTime, Duration, Utc};
use ics::components::Property;
use ics::properties::{
    Categories, Description, DtEnd, DtStart, LastModified, Location, Method, Name, RefreshInterval,
    Sequence, Status, Summary, Transp, Trigger, URL,
};
use ics::{Alarm, Event, ICalendar, escape_text};

/// PRODID of every calendar this crate writes.
pub const PRODID: &str = "-//MDSC//Study schedule//FR";

/// How often clients are asked to re-poll the feed when the caller has no
/// better idea. Google ignores it; Outlook and Apple clients use it as a hint.
pub const DEFAULT_REFRESH: Duration = Duration::hours(4);

/// Length given to an event whose `end` is not after its `start` (a
/// deadline, a milestone). RFC 5545 requires DTEND > DTSTART, and a
/// zero-length event is hard to see or click in most calendar views.
pub const MIN_EVENT_LENGTH: Duration = Duration::minutes(15);

/// RFC 5545 §3.1: content lines SHOULD NOT exceed 75 octets, CRLF excluded.
const MAX_LINE_OCTETS: usize = 75;
const CRLF: &str = "\r\n";
const FOLD: &str = "\r\n ";

/// Put before the SUMMARY of a cancelled event (the product is in French).
/// Outlook ignores STATUS:CANCELLED in subscribed calendars and keeps showing
/// the event as a normal, busy one: the title is the only signal every
/// client shows, so it has to say so itself.
pub const CANCELLED_PREFIX: &str = "Annulé : ";

/// Why a calendar could not be written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IcalError {
    /// The event at this index of [`FeedCalendar::events`] has a UID that is
    /// empty (or only control characters and spaces). UID is mandatory and
    /// clients match updates on it, so such an event cannot be published.
    EmptyUid { index: usize },
}

impl fmt::Display for IcalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::EmptyUid { index } => write!(f, "event #{index} has an empty UID"),
        }
    }
}

impl std::error::Error for IcalError {}

/// The UID of a schedule item in a student's feed, e.g.
/// `lesson-12.7@mdsc.example` for key `lesson:12` of enrollment 7.
///
/// - Stable: it depends only on the enrollment and the item's key, so every
///   poll and every re-plan gives the same UID and clients update the event
///   in place instead of duplicating it.
/// - Unique across a multi-course feed: the same key (`lesson:12`) in two
///   courses, or for two enrollments, belongs to different enrollment ids.
/// - `host` is the host of the platform's public URL (e.g. `mdsc.example`),
///   which makes the UID globally unique as RFC 5545 recommends.
///
/// `:` in the key is replaced by `-` (some clients choke on it in a UID);
/// keys should therefore not rely on `:` and `-` being distinct.
pub fn event_uid(enrollment_id: i32, item_key: &str, host: &str) -> String {
    format!("{}.{enrollment_id}@{host}", item_key.replace(':', "-"))
}

/// A whole calendar: the feed of one student, or a one-off download.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedCalendar {
    /// Shown by clients as the calendar's name (X-WR-CALNAME and NAME).
    pub name: String,
    /// X-WR-CALDESC, written only when present and non-empty.
    pub description: Option<String>,
    /// REFRESH-INTERVAL and X-PUBLISHED-TTL; clamped to at least one minute.
    pub refresh: Duration,
    /// Written in this order: sort them upstream for stable bytes.
    pub events: Vec<FeedEvent>,
}

impl FeedCalendar {
    /// An empty calendar with the default refresh interval.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            description: None,
            refresh: DEFAULT_REFRESH,
            events: Vec::new(),
        }
    }
}

/// One VEVENT. Optional text fields that are `None` or empty are omitted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedEvent {
    /// Stable and globally unique (see [`event_uid`]): clients match
    /// updates and cancellations on it, so never reuse one for another item.
    /// Written as escaped TEXT; must not be empty ([`IcalError::EmptyUid`]).
    pub uid: String,
    pub summary: String,
    pub description: Option<String>,
    pub location: Option<String>,
    /// A URI, written unescaped (only control characters are removed).
    pub url: Option<String>,
    pub categories: Vec<String>,
    pub start: DateTime<Utc>,
    /// When `end <= start`, DTEND is written as `start + MIN_EVENT_LENGTH`
    /// (see [`event_end`]).
    pub end: DateTime<Utc>,
    /// Bump on every change of time, title or status so clients notice it.
    pub sequence: u32,
    /// Written as STATUS:CANCELLED, without alarms, instead of being dropped,
    /// so clients that already have the event grey it out or remove it.
    /// Also TRANSP:TRANSPARENT (free, not busy) and a SUMMARY starting with
    /// [`CANCELLED_PREFIX`], for Outlook, which ignores the status.
    pub cancelled: bool,
    /// Used for both LAST-MODIFIED and DTSTAMP (stable bytes, see module doc).
    pub last_modified: DateTime<Utc>,
    /// One display alarm per distinct value, that many minutes before start.
    pub alarms_minutes_before: Vec<u32>,
}

impl FeedEvent {
    /// A confirmed event with no optional text, categories or alarms.
    pub fn new(
        uid: impl Into<String>,
        summary: impl Into<String>,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        last_modified: DateTime<Utc>,
    ) -> Self {
        Self {
            uid: uid.into(),
            summary: summary.into(),
            description: None,
            location: None,
            url: None,
            categories: Vec::new(),
            start,
            end,
            sequence: 0,
            cancelled: false,
            last_modified,
            alarms_minutes_before: Vec::new(),
        }
    }
}

/// The DTEND actually written for an event: `end`, or
/// `start + MIN_EVENT_LENGTH` when `end` is not after `start`. Shared with
/// the add-to-calendar links so both show the same slot.
///
/// Never panics: when `start + MIN_EVENT_LENGTH` is past chrono's last
/// instant, the end is clamped to `DateTime::<Utc>::MAX_UTC` (which is
/// `start` itself when `start` is that instant).
pub fn event_end(start: DateTime<Utc>, end: DateTime<Utc>) -> DateTime<Utc> {
    if end > start {
        end
    } else {
        start
            .checked_add_signed(MIN_EVENT_LENGTH)
            .unwrap_or(DateTime::<Utc>::MAX_UTC)
    }
}

/// RFC 5545 UTC DATE-TIME, e.g. `20260303T080000Z`.
pub fn utc_stamp(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

/// The calendar as an RFC 5545 document: CRLF line ends, every line at most
/// 75 octets, all TEXT (UID included) escaped.
///
/// Fails with [`IcalError::EmptyUid`] rather than publish an event without
/// a usable UID: dropping it silently would hide a bug, and clients cannot
/// track such an event.
pub fn render(calendar: &FeedCalendar) -> Result<String, IcalError> {
    let mut ical = ICalendar::new("2.0", PRODID);
    push_calendar_properties(&mut ical, calendar);
    for (index, event) in calendar.events.iter().enumerate() {
        ical.add_event(build_event(event).ok_or(IcalError::EmptyUid { index })?);
    }
    Ok(refold(&ical.to_string()))
}

/// A strong ETag (with its quotes) for a rendered body: two 64-bit FNV-1a
/// hashes with different seeds, as 32 hex digits. It is a content
/// fingerprint for HTTP caching only, not a cryptographic hash: it must not
/// be used where someone could profit from forging a collision.
pub fn etag(body: &str) -> String {
    let bytes = body.as_bytes();
    let first = fnv1a64(FNV_OFFSET_BASIS, bytes);
    let second = fnv1a64(SECOND_SEED, bytes);
    format!("\"{first:016x}{second:016x}\"")
}

const FNV_OFFSET_BASIS: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;
/// Any other start state gives a second, differently-walked hash; this one
/// is the offset basis XOR the 64-bit golden ratio.
const SECOND_SEED: u64 = FNV_OFFSET_BASIS ^ 0x9e37_79b9_7f4a_7c15;

fn fnv1a64(seed: u64, bytes: &[u8]) -> u64 {
    bytes.iter().fold(seed, |hash, &byte| {
        (hash ^ u64::from(byte)).wrapping_mul(FNV_PRIME)
    })
}

fn push_calendar_properties(ical: &mut ICalendar<'_>, calendar: &FeedCalendar) {
    let name = text(&calendar.name);
    ical.push(Method::new("PUBLISH"));
    // X-WR-CALNAME for Google/Outlook/Apple, NAME for RFC 7986 clients.
    ical.push(Property::new("X-WR-CALNAME", name.clone()));
    ical.push(Name::new(name));
    if let Some(description) = non_empty(calendar.description.as_deref()) {
        ical.push(Property::new("X-WR-CALDESC", text(description)));
    }
    let refresh = duration_value(calendar.refresh);
    // RefreshInterval adds the VALUE=DURATION parameter itself.
    ical.push(RefreshInterval::new(refresh.clone()));
    ical.push(Property::new("X-PUBLISHED-TTL", refresh));
}

/// `None` when the UID is empty once cleaned.
fn build_event(event: &FeedEvent) -> Option<Event<'static>> {
    // No line breaks in a UID, not even escaped ones: controls are dropped.
    let uid = text(&strip_controls(&event.uid));
    if uid.trim().is_empty() {
        return None;
    }
    let last_modified = utc_stamp(event.last_modified);
    let mut vevent = Event::new(uid, last_modified.clone());
    vevent.push(DtStart::new(utc_stamp(event.start)));
    vevent.push(DtEnd::new(utc_stamp(event_end(event.start, event.end))));
    vevent.push(Sequence::new(event.sequence.to_string()));
    vevent.push(LastModified::new(last_modified));
    vevent.push(Summary::new(if event.cancelled {
        text(&format!("{CANCELLED_PREFIX}{}", event.summary))
    } else {
        text(&event.summary)
    }));
    if let Some(description) = non_empty(event.description.as_deref()) {
        vevent.push(Description::new(text(description)));
    }
    if let Some(location) = non_empty(event.location.as_deref()) {
        vevent.push(Location::new(text(location)));
    }
    if let Some(url) = non_empty(event.url.as_deref()) {
        vevent.push(URL::new(strip_controls(url)));
    }
    if let Some(categories) = categories_value(&event.categories) {
        vevent.push(Categories::new(categories));
    }
    vevent.push(if event.cancelled {
        Status::cancelled()
    } else {
        Status::confirmed()
    });
    // A cancelled event frees the slot (see `FeedEvent::cancelled`).
    vevent.push(if event.cancelled {
        Transp::transparent()
    } else {
        Transp::opaque()
    });
    // A cancelled event must not ring.
    if !event.cancelled {
        for minutes in distinct_sorted(&event.alarms_minutes_before) {
            vevent.add_alarm(display_alarm(minutes, &event.summary));
        }
    }
    Some(vevent)
}

fn display_alarm(minutes_before: u32, summary: &str) -> Alarm<'static> {
    // DESCRIPTION is mandatory for ACTION:DISPLAY (RFC 5545 §3.6.6).
    Alarm::display(
        Trigger::new(format!("-PT{minutes_before}M")),
        Description::new(text(summary)),
    )
}

/// Sorted and deduplicated, so a repeated reminder rings once and the bytes
/// do not depend on the order the caller collected them in.
fn distinct_sorted(minutes: &[u32]) -> Vec<u32> {
    let mut minutes = minutes.to_vec();
    minutes.sort_unstable();
    minutes.dedup();
    minutes
}

/// CATEGORIES is a comma-separated list: escape each item (so a comma inside
/// an item stays part of it), then join with bare commas.
fn categories_value(categories: &[String]) -> Option<String> {
    let items: Vec<String> = categories
        .iter()
        .filter(|c| !c.is_empty())
        .map(|c| text(c))
        .collect();
    (!items.is_empty()).then(|| items.join(","))
}

/// A TEXT value ready to write: RFC 5545 forbids control characters other
/// than HTAB in TEXT (line breaks survive as the `\n` escape), and `ics`
/// does not escape `\ ; ,` or newlines itself.
fn text(value: &str) -> String {
    let cleaned: String = value
        .chars()
        .filter(|&c| !c.is_control() || matches!(c, '\t' | '\n' | '\r'))
        .collect();
    escape_text(cleaned).into_owned()
}

/// For URL, written verbatim, and UID before escaping: a raw CR or LF would end the
/// content line early and let the value inject properties.
fn strip_controls(value: &str) -> String {
    value.chars().filter(|c| !c.is_control()).collect()
}

fn non_empty(value: Option<&str>) -> Option<&str> {
    value.filter(|v| !v.is_empty())
}

/// RFC 5545 §3.3.6 DURATION (`PT4H`, `P1DT30M`…), at least one minute: a
/// zero or negative refresh interval means nothing to a client.
fn duration_value(duration: Duration) -> String {
    let seconds = duration.num_seconds().max(60);
    let (days, rest) = (seconds / 86_400, seconds % 86_400);
    let mut out = String::from("P");
    if days > 0 {
        out.push_str(&format!("{days}D"));
    }
    if rest > 0 {
        out.push('T');
        out.push_str(&time_part(rest / 3600, rest % 3600 / 60, rest % 60));
    }
    out
}

/// The `dur-time` grammar only allows H[M[S]], M[S] or S: a minutes field
/// must appear between hours and seconds, even when it is zero.
fn time_part(hours: i64, minutes: i64, seconds: i64) -> String {
    let mut out = String::new();
    if hours > 0 {
        out.push_str(&format!("{hours}H"));
    }
    if minutes > 0 || (hours > 0 && seconds > 0) {
        out.push_str(&format!("{minutes}M"));
    }
    if seconds > 0 {
        out.push_str(&format!("{seconds}S"));
    }
    out
}

/// Re-folds `ics` output so that every physical line, continuation lines
/// included, is at most 75 octets (`ics` writes 76-octet continuations),
/// without splitting a UTF-8 character. Unfolding first is safe because the
/// only CRLF-space sequences in the input are `ics`'s own folds: TEXT values
/// are escaped and verbatim values have their control characters removed.
fn refold(ics_text: &str) -> String {
    let unfolded = ics_text.replace(FOLD, "");
    let mut out = String::with_capacity(unfolded.len() + unfolded.len() / 24);
    for line in unfolded.split_terminator(CRLF) {
        fold_line(line, &mut out);
    }
    out
}

fn fold_line(line: &str, out: &mut String) {
    let mut rest = line;
    // The first line holds 75 octets, continuations 74 after their space.
    let mut limit = MAX_LINE_OCTETS;
    while rest.len() > limit {
        let cut = char_boundary_at_or_before(rest, limit);
        out.push_str(&rest[..cut]);
        out.push_str(FOLD);
        rest = &rest[cut..];
        limit = MAX_LINE_OCTETS - 1;
    }
    out.push_str(rest);
    out.push_str(CRLF);
}

/// The last char boundary at or before `index` (never 0 for `index >= 4`,
/// since a UTF-8 character is at most 4 octets).
fn char_boundary_at_or_before(s: &str, index: usize) -> usize {
    (0..=index)
        .rev()
        .find(|&i| s.is_char_boundary(i))
        .unwrap_or(0)
}
