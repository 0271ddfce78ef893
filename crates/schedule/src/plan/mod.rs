//! The study-schedule planner (seed §2.4): from a course outline, the
//! enrollment date and the student's preferences, dated items for lessons,
//! quizzes, progress milestones and live sessions.
//!
//! The plan is a pure function of its input (`input.now` is the only clock),
//! so re-planning the same input gives the same items, and items keep stable
//! keys (`lesson:{id}`, `quiz:{id}`, `milestone:{25|50|75|100}`, `live:{id}`)
//! the caller can match against stored ones.
//!
//! How it plans:
//! - Pending lessons are spread evenly over the sittings (one per study day,
//!   at the preferred local time) of the window that begins at the first
//!   sitting after enrollment, course start and now, and ends at the course
//!   end, else the estimated weeks (1..=520) after the later of course start
//!   and enrollment (so re-planning keeps it), else after the weeks the
//!   lessons need at the weekly hours. The window lasts at most ten years
//!   (a later end is clamped). Lessons sharing a day follow each other;
//!   lessons last 15 minutes to 24 hours (longer ones are clamped).
//! - A quiz with a fixed due date is a deadline for the lessons of its
//!   module and of earlier modules: they are spread over a sub-window ending
//!   30 minutes before it (the next modules over the rest of the window). A
//!   due date before the window opens leaves no sitting and constrains no
//!   lesson.
//! - When the course end is past or leaves no sitting, the planner does not
//!   fail: it compresses, stacking lessons from the first sitting on, several
//!   a day; likewise inside a sub-window whose lessons, spread, would end
//!   after its deadline. Blocks never run past local midnight (except an
//!   over-long block starting a sitting), so a compressed plan may spill
//!   past the course end.
//! - Blocks never overlap a live session that is not cancelled, a kept item
//!   or another block: they move after it the same day, else to the next
//!   sitting.
//! - A quiz is a 30-minute block right after its module's last lesson,
//!   before the next module's lessons. With a due date it must end by then:
//!   if the lessons run too late, it takes the latest free 30 minutes before
//!   the due date (even outside sittings) after the lessons and now, else
//!   after now only (before the lessons end); if even that is before now,
//!   the quiz stays after the lessons, overdue.
//! - Kept items (done, skipped or moved by the student) are returned with
//!   their own times and never moved; lessons and quizzes only are matched by
//!   key, other kept keys (custom items) are only times to avoid.
//! - Extreme input never panics: an estimate over 520 weeks is an
//!   `estimated_weeks` error, and dates so near chrono's limits that the
//!   plan cannot be computed around them a `dates` error.

mod busy;
mod calendar;
mod error;
mod lessons;
mod preferences;
mod quizzes;
mod window;

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};

use crate::item::ItemType;
use busy::{Block, BusyTimes};
use calendar::StudyCalendar;
use window::Window;

pub use error::PlanError;
pub use preferences::{HOURS_PER_WEEK, Preferences, TimeOfDay};
pub use window::ESTIMATED_WEEKS;

/// What the planner knows of a course; modules, lessons and quizzes in
/// course order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CourseOutline {
    pub start: Option<DateTime<Utc>>,
    pub end: Option<DateTime<Utc>>,
    /// Used for the window end when the course has no end date: that many
    /// weeks after the course start or enrollment, whichever is later.
    /// Zero or negative is no estimate; over [`ESTIMATED_WEEKS`] is an error.
    pub estimated_weeks: Option<i32>,
    pub modules: Vec<ModuleOutline>,
    pub live_sessions: Vec<LiveOutline>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ModuleOutline {
    pub id: i32,
    pub title: String,
    pub lessons: Vec<LessonOutline>,
    pub quizzes: Vec<QuizOutline>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LessonOutline {
    pub id: i32,
    pub title: String,
    /// Planned as a block of at least 15 minutes and at most 24 hours.
    pub duration_minutes: i32,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QuizOutline {
    pub id: i32,
    pub title: String,
    /// A fixed deadline set by the instructor.
    pub due_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveOutline {
    pub id: i32,
    pub title: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub cancelled: bool,
}

/// An item whose times are fixed (done, skipped or moved by the student).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeptItem {
    pub key: String,
    pub start: Option<DateTime<Utc>>,
    pub end: Option<DateTime<Utc>>,
    pub due: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanInput {
    pub outline: CourseOutline,
    pub enrolled_at: DateTime<Utc>,
    /// The only clock the planner reads.
    pub now: DateTime<Utc>,
    pub preferences: Preferences,
    pub kept: Vec<KeptItem>,
}

/// One dated schedule item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedItem {
    /// Stable identity, see [`keys`].
    pub key: String,
    pub item_type: ItemType,
    pub title: String,
    pub start: Option<DateTime<Utc>>,
    pub end: Option<DateTime<Utc>>,
    /// Quizzes: the fixed due date or the block end; milestones: when the
    /// share of lessons is reached; lessons and live sessions: none.
    pub due: Option<DateTime<Utc>>,
    pub module_id: Option<i32>,
    pub lesson_id: Option<i32>,
    pub quiz_id: Option<i32>,
    pub live_session_id: Option<i32>,
    pub cancelled: bool,
}

impl PlannedItem {
    fn new(key: String, item_type: ItemType, title: &str) -> Self {
        Self {
            key,
            item_type,
            title: title.to_owned(),
            start: None,
            end: None,
            due: None,
            module_id: None,
            lesson_id: None,
            quiz_id: None,
            live_session_id: None,
            cancelled: false,
        }
    }

    fn set_block(&mut self, block: Block) {
        self.start = Some(block.start);
        self.end = Some(block.end);
    }
}

/// The stable keys of planned items.
pub mod keys {
    pub fn lesson(id: i32) -> String {
        format!("lesson:{id}")
    }
    pub fn quiz(id: i32) -> String {
        format!("quiz:{id}")
    }
    pub fn milestone(percent: u32) -> String {
        format!("milestone:{percent}")
    }
    pub fn live(id: i32) -> String {
        format!("live:{id}")
    }
}

/// Plans a student's schedule for one course; items sorted by start (or due
/// date when they have no start), then key. Fails only on invalid
/// preferences, a course ending before it starts, an estimate over
/// [`ESTIMATED_WEEKS`], or dates so near chrono's limits that the plan
/// cannot be computed (field `dates`); it never panics.
pub fn plan(input: &PlanInput) -> Result<Vec<PlannedItem>, PlanError> {
    input.preferences.validate()?;
    let calendar = StudyCalendar::new(&input.preferences);
    let kept = Kept::new(&input.kept);
    let lessons = lessons::course_lessons(&input.outline);
    let window = window::study_window(input, &calendar, lessons::pending_time(&lessons, &kept))?;
    let mut planning = Planning {
        calendar,
        kept,
        window,
        now: input.now,
        busy: fixed_busy_times(input)?,
    };

    let placed = lessons::schedule(&input.outline.modules, &mut planning)?;
    let milestone_items = lessons::milestones(&placed.lessons, &planning);
    let mut items: Vec<PlannedItem> = placed
        .lessons
        .into_iter()
        .chain(placed.quizzes)
        .chain(milestone_items)
        .chain(input.outline.live_sessions.iter().map(live_item))
        .collect();
    items.sort_by(|a, b| (a.start.or(a.due), &a.key).cmp(&(b.start.or(b.due), &b.key)));
    Ok(items)
}

/// What the planning steps share.
struct Planning<'a> {
    calendar: StudyCalendar,
    kept: Kept<'a>,
    window: Window,
    /// `input.now`: nothing pending is planned before it.
    now: DateTime<Utc>,
    busy: BusyTimes,
}

/// Kept items by key (a `BTreeMap`, not a `HashMap`: nothing here may
/// depend on hashing order).
struct Kept<'a>(BTreeMap<&'a str, &'a KeptItem>);

impl<'a> Kept<'a> {
    fn new(items: &'a [KeptItem]) -> Self {
        Self(items.iter().map(|item| (item.key.as_str(), item)).collect())
    }

    fn contains(&self, key: &str) -> bool {
        self.0.contains_key(key)
    }

    /// Gives `item` its kept times; false when it is not kept.
    fn apply_to(&self, item: &mut PlannedItem) -> bool {
        let Some(kept) = self.0.get(item.key.as_str()) else {
            return false;
        };
        item.start = kept.start;
        item.end = kept.end;
        item.due = kept.due;
        true
    }
}

/// The shortest study block; also the time held by a kept item that has a
/// start but no end.
const MIN_BLOCK: Duration = Duration::minutes(15);

/// Live sessions that take place and kept items: study blocks go around them.
fn fixed_busy_times(input: &PlanInput) -> Result<BusyTimes, PlanError> {
    let mut busy = BusyTimes::default();
    for live in input
        .outline
        .live_sessions
        .iter()
        .filter(|live| !live.cancelled)
    {
        busy.add(Block {
            start: live.start,
            end: live.end,
        });
    }
    for kept in &input.kept {
        if let Some(start) = kept.start {
            let end = match kept.end {
                Some(end) => end,
                None => start
                    .checked_add_signed(MIN_BLOCK)
                    .ok_or_else(PlanError::out_of_range)?,
            };
            busy.add(Block { start, end });
        }
    }
    Ok(busy)
}

/// Live sessions keep their real times, whatever was kept for them.
fn live_item(live: &LiveOutline) -> PlannedItem {
    let mut item = PlannedItem::new(keys::live(live.id), ItemType::LiveSession, &live.title);
    item.set_block(Block {
        start: live.start,
        end: live.end,
    });
    item.live_session_id = Some(live.id);
    item.cancelled = live.cancelled;
    item
}
