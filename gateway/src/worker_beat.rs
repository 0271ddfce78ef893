//! When this process's job worker last made progress, for the readiness
//! check: a worker stuck on a dead connection or a hung SMTP server stops
//! beating, and the orchestrator learns it from `/api/health/ready`.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{Duration, NaiveDateTime};

/// The longest one part of a pass may take without the worker counting as
/// stalled, besides three poll intervals: an e-mail part sends for up to
/// two minutes (`mdsc_notify::email::send_due`).
pub const LONGEST_PART: Duration = Duration::seconds(150);

/// Shared by the worker (which beats) and the readiness route (which reads).
#[derive(Debug, Clone, Default)]
pub struct WorkerBeat {
    /// The last beat as Unix milliseconds of the app's clock (0: never).
    last_ms: Arc<AtomicI64>,
}

impl WorkerBeat {
    /// The worker made progress at `now` (its clock, so tests can move it).
    pub fn beat(&self, now: NaiveDateTime) {
        self.last_ms
            .store(now.and_utc().timestamp_millis(), Ordering::Relaxed);
    }

    /// When the worker last made progress; `None` before its first pass.
    pub fn last(&self) -> Option<NaiveDateTime> {
        match self.last_ms.load(Ordering::Relaxed) {
            0 => None,
            ms => chrono::DateTime::from_timestamp_millis(ms).map(|at| at.naive_utc()),
        }
    }

    /// Whether a worker polling every `poll_seconds` has beaten recently
    /// enough at `now`: within three polls plus [`LONGEST_PART`].
    pub fn is_recent(&self, poll_seconds: u64, now: NaiveDateTime) -> bool {
        let poll = Duration::seconds(i64::try_from(poll_seconds).unwrap_or(i64::MAX / 4_000));
        self.last()
            .is_some_and(|at| now - at <= poll * 3 + LONGEST_PART)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> NaiveDateTime {
        text.parse().unwrap()
    }

    #[test]
    fn a_worker_is_recent_until_three_polls_and_its_longest_part_have_passed() {
        let beat = WorkerBeat::default();
        let start = at("2026-01-15T10:00:00");
        assert!(!beat.is_recent(5, start), "never ran");
        beat.beat(start);
        assert!(beat.is_recent(5, start + Duration::seconds(165)));
        assert!(!beat.is_recent(5, start + Duration::seconds(166)));
    }
}
