//! The planning window: the span over which pending lessons are spread.

use chrono::{DateTime, Duration, Utc};

use super::calendar::StudyCalendar;
use super::{PlanError, PlanInput};

/// `[start, end)`; `end` may be at or before `start` when the course end is
/// past or too close, in which case the plan is compressed (see `plan`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Window {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

/// Starts at the first sitting at or after enrollment, course start and now
/// (nothing pending is planned in the past); ends at the course end, else
/// after the estimated weeks, else after as many weeks as the pending
/// lessons need at the student's weekly hours.
pub(crate) fn study_window(
    input: &PlanInput,
    calendar: &StudyCalendar,
    pending_lesson_time: Duration,
) -> Result<Window, PlanError> {
    let outline = &input.outline;
    if let (Some(start), Some(end)) = (outline.start, outline.end)
        && end < start
    {
        return Err(PlanError::new("end", "the course ends before it starts"));
    }
    let opening = outline
        .start
        .map_or(input.enrolled_at, |start| start.max(input.enrolled_at))
        .max(input.now);
    let start = calendar.slot_on_or_after(opening);
    let end = match (outline.end, outline.estimated_weeks) {
        (Some(end), _) => end,
        // A non-positive estimate is no estimate at all.
        (None, Some(weeks)) if weeks > 0 => start + Duration::weeks(i64::from(weeks)),
        _ => {
            let hours = input.preferences.hours_per_week;
            start + Duration::weeks(weeks_needed(pending_lesson_time, hours))
        }
    };
    Ok(Window { start, end })
}

/// Whole weeks needed to study `time` at `hours_per_week`; at least one.
fn weeks_needed(time: Duration, hours_per_week: u32) -> i64 {
    let per_week = i64::from(hours_per_week.max(1)) * 60;
    let minutes = time.num_minutes().max(0);
    ((minutes + per_week - 1) / per_week).max(1)
}
