//! Study slots: the instants, in UTC, at which the student's sittings begin,
//! following the wall clock of their time zone.

use chrono::{
    DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeZone, Utc,
    Weekday,
};
use chrono_tz::Tz;

use super::Preferences;

/// The longest stretch of missing local time we look past (real DST gaps are
/// one hour, rare historical ones a day).
const MAX_GAP_MINUTES: i64 = 24 * 60;

/// Converts a local wall-clock time to UTC. In a fold (the hour repeated in
/// autumn) the earlier instant wins; in a gap (the hour skipped in spring)
/// the first instant after the gap is used, so a sitting is never dropped.
pub(crate) fn local_to_utc(tz: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    let mut candidate = local;
    for _ in 0..=MAX_GAP_MINUTES {
        if let Some(instant) = tz.from_local_datetime(&candidate).earliest() {
            return instant.with_timezone(&Utc);
        }
        match candidate.checked_add_signed(Duration::minutes(1)) {
            Some(next) => candidate = next,
            None => break,
        }
    }
    // No zone has such a gap; reading the wall clock as UTC is the least bad answer.
    local.and_utc()
}

/// The student's study days and sitting time, in their time zone.
pub(crate) struct StudyCalendar {
    tz: Tz,
    days: Vec<Weekday>,
    sitting: NaiveTime,
}

impl StudyCalendar {
    /// Expects validated preferences (at least one study day), otherwise
    /// `slot_on_or_after` could not find a slot.
    pub(crate) fn new(preferences: &Preferences) -> Self {
        Self {
            tz: preferences.timezone,
            days: preferences.study_days.clone(),
            sitting: preferences.time_of_day.local_start(),
        }
    }

    fn is_study_date(&self, date: NaiveDate) -> bool {
        self.days.contains(&date.weekday())
    }

    /// The local date of `instant`; none when it is out of chrono's range
    /// (`with_timezone(..).date_naive()` is not checked near its limits).
    fn local_date(&self, instant: DateTime<Utc>) -> Option<NaiveDate> {
        let utc = instant.naive_utc();
        let offset = self.tz.offset_from_utc_datetime(&utc).fix();
        let local =
            utc.checked_add_signed(Duration::seconds(i64::from(offset.local_minus_utc())))?;
        Some(local.date())
    }

    fn slot_on(&self, date: NaiveDate) -> DateTime<Utc> {
        local_to_utc(self.tz, date.and_time(self.sitting))
    }

    /// The first sitting starting at or after `instant`; none at the end of
    /// chrono's calendar (or without study days).
    pub(crate) fn slot_on_or_after(&self, instant: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let mut date = self.local_date(instant)?;
        // A study day comes within a week (two, around a skipped date).
        for _ in 0..15 {
            if self.is_study_date(date) {
                let slot = self.slot_on(date);
                if slot >= instant {
                    return Some(slot);
                }
            }
            date = date.succ_opt()?;
        }
        None
    }

    /// Every sitting starting in `[from, until)`, in order.
    pub(crate) fn slots_between(
        &self,
        from: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Vec<DateTime<Utc>> {
        let mut slots = Vec::new();
        let mut next = self.slot_on_or_after(from);
        while let Some(slot) = next
            && slot < until
        {
            slots.push(slot);
            next = slot
                .checked_add_signed(Duration::seconds(1))
                .and_then(|after| self.slot_on_or_after(after))
                .filter(|&next| next > slot);
        }
        slots
    }

    /// Whether `instant` is exactly the beginning of a sitting.
    pub(crate) fn is_slot_start(&self, instant: DateTime<Utc>) -> bool {
        self.local_date(instant)
            .is_some_and(|date| self.is_study_date(date) && self.slot_on(date) == instant)
    }

    /// Whether a block fits in the sitting of its day: on a study day, not
    /// before the sitting time, and over before local midnight (a student
    /// studies in the evening, not through the night).
    pub(crate) fn fits_in_sitting(&self, start: DateTime<Utc>, length: Duration) -> bool {
        let Some(date) = self.local_date(start) else {
            return false;
        };
        let Some(next_date) = date.succ_opt() else {
            return false;
        };
        let Some(end) = start.checked_add_signed(length) else {
            return false;
        };
        let midnight = local_to_utc(self.tz, next_date.and_time(NaiveTime::MIN));
        self.is_study_date(date) && start >= self.slot_on(date) && end <= midnight
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn local(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    fn utc(s: &str) -> DateTime<Utc> {
        local(s).and_utc()
    }

    #[test]
    fn local_time_in_a_dst_gap_moves_to_the_end_of_the_gap() {
        // Paris skips 02:00–03:00 on 2025-03-30; 03:00 CEST is 01:00 UTC.
        let paris: Tz = "Europe/Paris".parse().unwrap();
        assert_eq!(
            local_to_utc(paris, local("2025-03-30 02:30")),
            utc("2025-03-30 01:00")
        );
    }

    #[test]
    fn local_time_in_a_dst_fold_takes_the_earlier_instant() {
        // Paris repeats 02:00–03:00 on 2025-10-26; the first 02:30 is CEST (UTC+2).
        let paris: Tz = "Europe/Paris".parse().unwrap();
        assert_eq!(
            local_to_utc(paris, local("2025-10-26 02:30")),
            utc("2025-10-26 00:30")
        );
    }
}
