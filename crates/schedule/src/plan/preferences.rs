//! The student's study preferences and their validation.

use std::fmt;
use std::ops::RangeInclusive;
use std::str::FromStr;

use chrono::{NaiveTime, Weekday};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::PlanError;

/// Accepted values of [`Preferences::hours_per_week`].
pub const HOURS_PER_WEEK: RangeInclusive<u32> = 1..=60;

/// When, in the student's local time, a study sitting begins.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum TimeOfDay {
    /// 09:00 local time.
    Morning,
    /// 14:00 local time.
    Afternoon,
    /// 19:00 local time: most students study after work or classes.
    #[default]
    Evening,
}

impl TimeOfDay {
    /// The local wall-clock time a sitting begins at.
    pub fn local_start(self) -> NaiveTime {
        let hour = match self {
            Self::Morning => 9,
            Self::Afternoon => 14,
            Self::Evening => 19,
        };
        NaiveTime::from_hms_opt(hour, 0, 0).unwrap_or(NaiveTime::MIN)
    }

    /// The stored (and serialized) name: `morning`, `afternoon` or `evening`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Morning => "morning",
            Self::Afternoon => "afternoon",
            Self::Evening => "evening",
        }
    }
}

impl fmt::Display for TimeOfDay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for TimeOfDay {
    type Err = PlanError;

    /// Reads [`TimeOfDay::as_str`]'s names (surrounding spaces allowed);
    /// anything else is a `preferred_time` error.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "morning" => Ok(Self::Morning),
            "afternoon" => Ok(Self::Afternoon),
            "evening" => Ok(Self::Evening),
            other => Err(PlanError::new(
                "preferred_time",
                format!("expected morning, afternoon or evening, got {other:?}"),
            )),
        }
    }
}

/// How, when and how much a student wants to study.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preferences {
    /// The student's IANA time zone; sittings follow its wall clock across
    /// DST changes.
    pub timezone: Tz,
    /// The weekdays the student studies on (at most one sitting each).
    pub study_days: Vec<Weekday>,
    /// The weekly study load the planner aims at, in hours (1..=60).
    pub hours_per_week: u32,
    pub time_of_day: TimeOfDay,
}

impl Default for Preferences {
    /// UTC (callers should pass the student's zone), Monday to Friday,
    /// 5 hours a week, in the evening.
    fn default() -> Self {
        Self {
            timezone: Tz::UTC,
            study_days: vec![
                Weekday::Mon,
                Weekday::Tue,
                Weekday::Wed,
                Weekday::Thu,
                Weekday::Fri,
            ],
            hours_per_week: 5,
            time_of_day: TimeOfDay::default(),
        }
    }
}

impl Preferences {
    /// Reads an IANA time zone name such as `Europe/Paris`.
    pub fn parse_timezone(name: &str) -> Result<Tz, PlanError> {
        name.trim()
            .parse::<Tz>()
            .map_err(|_| PlanError::new("timezone", format!("unknown IANA time zone: {name:?}")))
    }

    /// Reads study days stored as ISO weekday numbers separated by commas,
    /// such as `1,2,3,4,5` (Monday to Friday; spaces allowed). An empty
    /// list, a number outside 1..=7, anything else or a repeated day is a
    /// `study_days` error.
    pub fn parse_study_days(stored: &str) -> Result<Vec<Weekday>, PlanError> {
        let invalid = |message: String| PlanError::new("study_days", message);
        if stored.trim().is_empty() {
            return Err(invalid("choose at least one study day".to_owned()));
        }
        let mut days = Vec::new();
        for part in stored.split(',') {
            let day = part
                .trim()
                .parse::<u8>()
                .ok()
                .filter(|number| (1..=7).contains(number))
                .and_then(|number| Weekday::try_from(number - 1).ok())
                .ok_or_else(|| {
                    invalid(format!(
                        "expected ISO weekday numbers 1 (Monday) to 7 (Sunday), got {:?}",
                        part.trim()
                    ))
                })?;
            if days.contains(&day) {
                return Err(invalid(format!("{day} is listed twice")));
            }
            days.push(day);
        }
        Ok(days)
    }

    /// Writes study days as [`Preferences::parse_study_days`] reads them:
    /// ISO weekday numbers separated by commas, in the given order.
    pub fn format_study_days(days: &[Weekday]) -> String {
        days.iter()
            .map(|day| day.number_from_monday().to_string())
            .collect::<Vec<_>>()
            .join(",")
    }

    /// Checks the preferences the planner cannot work without.
    pub fn validate(&self) -> Result<(), PlanError> {
        if self.study_days.is_empty() {
            return Err(PlanError::new(
                "study_days",
                "choose at least one study day",
            ));
        }
        if !HOURS_PER_WEEK.contains(&self.hours_per_week) {
            return Err(PlanError::new(
                "hours_per_week",
                format!(
                    "must be between {} and {} hours",
                    HOURS_PER_WEEK.start(),
                    HOURS_PER_WEEK.end()
                ),
            ));
        }
        Ok(())
    }
}
