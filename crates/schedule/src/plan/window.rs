//! The planning window: the span over which pending lessons are spread.

use std::ops::RangeInclusive;

use chrono::{DateTime, Duration, Utc};

use super::calendar::StudyCalendar;
use super::{PlanError, PlanInput};

/// Accepted positive values of `CourseOutline::estimated_weeks` (ten years);
/// zero or negative estimates are no estimate at all.
pub const ESTIMATED_WEEKS: RangeInclusive<i32> = 1..=520;

/// The longest window: ten years after its start. A later end (such as a
/// `9999-12-31` "no end" placeholder) is clamped to it rather than refused,
/// so the planner never walks through millions of sittings.
pub(crate) const MAX_WINDOW: Duration = Duration::days(3653);

/// `[start, end)`; `end` may be at or before `start` when the course end is
/// past or too close, in which case the plan is compressed (see `plan`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Window {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

/// Starts at the first sitting at or after enrollment, course start and now
/// (nothing pending is planned in the past); ends at the course end, else
/// the estimated weeks after the course start or enrollment (whichever is
/// later, so re-planning does not move it), else after as many weeks as the
/// pending lessons need at the student's weekly hours from the start. The
/// end is clamped to [`MAX_WINDOW`] after the start.
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
    if let Some(weeks) = outline.estimated_weeks
        && weeks > *ESTIMATED_WEEKS.end()
    {
        return Err(PlanError::new(
            "estimated_weeks",
            format!("must be at most {} weeks", ESTIMATED_WEEKS.end()),
        ));
    }
    let anchor = outline
        .start
        .map_or(input.enrolled_at, |start| start.max(input.enrolled_at));
    let opening = anchor.max(input.now);
    let start = calendar
        .slot_on_or_after(opening)
        .ok_or_else(PlanError::out_of_range)?;
    let latest_end = start.checked_add_signed(MAX_WINDOW);
    let end = match (outline.end, outline.estimated_weeks) {
        (Some(end), _) => Some(end),
        // A non-positive estimate is no estimate at all.
        (None, Some(weeks)) if ESTIMATED_WEEKS.contains(&weeks) => {
            anchor.checked_add_signed(Duration::weeks(i64::from(weeks)))
        }
        _ => {
            let hours = input.preferences.hours_per_week;
            start.checked_add_signed(Duration::weeks(weeks_needed(pending_lesson_time, hours)))
        }
    };
    let end = match (end, latest_end) {
        (Some(end), Some(latest)) => end.min(latest),
        (Some(end), None) => end,
        (None, Some(latest)) => latest,
        (None, None) => return Err(PlanError::out_of_range()),
    };
    Ok(Window { start, end })
}

/// Whole weeks needed to study `time` at `hours_per_week`; at least one,
/// at most the weeks of [`MAX_WINDOW`].
fn weeks_needed(time: Duration, hours_per_week: u32) -> i64 {
    let per_week = i64::from(hours_per_week.max(1)) * 60;
    let minutes = time.num_minutes().max(0);
    ((minutes + per_week - 1) / per_week).clamp(1, MAX_WINDOW.num_weeks() + 1)
}
