//! Lesson blocks, spread over the window (with the quizzes that follow each
//! module), and the progress milestones they reach.

use chrono::{DateTime, Duration, Utc};

use super::quizzes::{self, QUIZ_LENGTH};
use super::{
    CourseOutline, ItemType, Kept, LessonOutline, MIN_BLOCK, ModuleOutline, PlanError, PlannedItem,
    Planning, keys,
};

/// The longest lesson block: a day. Longer durations (data errors such as
/// `i32::MAX` minutes) are clamped to it, so the plan stays sane.
const MAX_BLOCK: Duration = Duration::hours(24);

/// A lesson with the module it belongs to, in course order.
pub(super) struct CourseLesson<'a> {
    module_id: i32,
    lesson: &'a LessonOutline,
}

impl CourseLesson<'_> {
    fn key(&self) -> String {
        keys::lesson(self.lesson.id)
    }

    /// Zero, negative or tiny durations still get a real block; durations
    /// over a day are clamped to a day.
    fn block_length(&self) -> Duration {
        Duration::minutes(i64::from(self.lesson.duration_minutes)).clamp(MIN_BLOCK, MAX_BLOCK)
    }

    fn item(&self) -> PlannedItem {
        let mut item = PlannedItem::new(self.key(), ItemType::Lesson, &self.lesson.title);
        item.module_id = Some(self.module_id);
        item.lesson_id = Some(self.lesson.id);
        item
    }
}

pub(super) fn course_lessons(outline: &CourseOutline) -> Vec<CourseLesson<'_>> {
    outline
        .modules
        .iter()
        .flat_map(|module| {
            module.lessons.iter().map(|lesson| CourseLesson {
                module_id: module.id,
                lesson,
            })
        })
        .collect()
}

/// Study time of the lessons still to plan.
pub(super) fn pending_time(lessons: &[CourseLesson], kept: &Kept) -> Duration {
    lessons
        .iter()
        .filter(|lesson| !kept.contains(&lesson.key()))
        .map(CourseLesson::block_length)
        .fold(Duration::zero(), |total, length| {
            total.checked_add(&length).unwrap_or(total)
        })
}

/// Lesson and quiz items, in course order.
#[derive(Default)]
pub(super) struct Placed {
    pub lessons: Vec<PlannedItem>,
    pub quizzes: Vec<PlannedItem>,
}

/// How far the placement has got.
#[derive(Clone, Copy)]
struct Progress {
    /// The end of the last block planned: the next one starts after it.
    cursor: DateTime<Utc>,
    /// When the lessons seen so far (kept or planned) are over.
    lessons_end: Option<DateTime<Utc>>,
}

/// One placement of a group of modules sharing a sub-window.
struct Attempt {
    placed: Placed,
    progress: Progress,
    /// The end of the last lesson planned here.
    last_planned_end: Option<DateTime<Utc>>,
}

/// Places pending lessons and, right after each module's lessons, its
/// quizzes (advancing past them, so the next module's lessons follow).
///
/// The window is cut into sub-windows: a module whose quiz has a fixed due
/// date ends one at `due - 30 min` for its lessons and those of earlier
/// modules (a due date before the window opens leaves no sitting and is
/// ignored here; its quiz falls back, see `quizzes`). In a sub-window of
/// `D` sittings, its pending lesson `i` of `P` goes to sitting
/// `floor(i * D / P)`, so lessons are spread evenly instead of crammed at
/// the start; lessons of one sitting follow each other. When a sub-window
/// has no sitting, or its lessons spread that way end after its deadline,
/// its lessons are compressed: stacked from its first sitting on.
pub(super) fn schedule(
    modules: &[ModuleOutline],
    planning: &mut Planning,
) -> Result<Placed, PlanError> {
    let ends = sub_window_ends(modules, planning);
    let mut placed = Placed::default();
    let mut progress = Progress {
        cursor: planning.window.start,
        lessons_end: None,
    };
    let mut sub_start = planning.window.start;
    let mut first = 0;
    while let Some(&end) = ends.get(first) {
        let count = ends[first..].iter().take_while(|&&e| e == end).count();
        let group = &modules[first..first + count];
        let snapshot = planning.busy.clone();
        let mut attempt = place(group, sub_start, end, false, progress, planning)?;
        let has_deadline = end < planning.window.end;
        if has_deadline && attempt.last_planned_end.is_some_and(|last| last > end) {
            planning.busy = snapshot;
            attempt = place(group, sub_start, end, true, progress, planning)?;
        }
        progress = attempt.progress;
        placed.lessons.extend(attempt.placed.lessons);
        placed.quizzes.extend(attempt.placed.quizzes);
        sub_start = sub_start.max(end);
        first += count;
    }
    Ok(placed)
}

/// For each module, the end of the sub-window its lessons go to: the
/// window end, or the earliest `due - 30 min` of its own and later
/// modules' pending quizzes when that is earlier (and after the window
/// start).
fn sub_window_ends(modules: &[ModuleOutline], planning: &Planning) -> Vec<DateTime<Utc>> {
    let window = planning.window;
    let mut end = window.end;
    let mut ends: Vec<_> = modules
        .iter()
        .rev()
        .map(|module| {
            let deadline = module
                .quizzes
                .iter()
                .filter(|quiz| !planning.kept.contains(&keys::quiz(quiz.id)))
                .filter_map(|quiz| quiz.due_at)
                .min()
                .and_then(|due| due.checked_sub_signed(QUIZ_LENGTH));
            if let Some(deadline) = deadline.filter(|&deadline| deadline > window.start) {
                end = end.min(deadline);
            }
            end
        })
        .collect();
    ends.reverse();
    ends
}

/// Places the lessons and quizzes of `group` over the sittings in
/// `[from, until)`, or stacked from the first sitting after `from` when
/// `compress` is set or there is no such sitting.
fn place(
    group: &[ModuleOutline],
    from: DateTime<Utc>,
    until: DateTime<Utc>,
    compress: bool,
    mut progress: Progress,
    planning: &mut Planning,
) -> Result<Attempt, PlanError> {
    let mut sittings = if compress {
        Vec::new()
    } else {
        planning.calendar.slots_between(from, until)
    };
    if sittings.is_empty() {
        sittings.push(from);
    }
    let pending_count = group
        .iter()
        .flat_map(|module| &module.lessons)
        .filter(|lesson| !planning.kept.contains(&keys::lesson(lesson.id)))
        .count();

    let mut placed = Placed::default();
    let mut last_planned_end = None;
    let mut pending_index = 0;
    for module in group {
        let mut module_end: Option<DateTime<Utc>> = None;
        for lesson in &module.lessons {
            let lesson = CourseLesson {
                module_id: module.id,
                lesson,
            };
            let mut item = lesson.item();
            if !planning.kept.apply_to(&mut item) {
                let sitting_index = pending_index * sittings.len() / pending_count.max(1);
                let sitting = sittings
                    .get(sitting_index)
                    .copied()
                    .unwrap_or(progress.cursor);
                let block = planning.busy.first_free(
                    &planning.calendar,
                    sitting.max(progress.cursor),
                    lesson.block_length(),
                )?;
                planning.busy.add(block);
                item.set_block(block);
                progress.cursor = block.end;
                last_planned_end = Some(block.end);
                pending_index += 1;
            }
            module_end = module_end.max(item.end);
            placed.lessons.push(item);
        }
        // A module without (timed) lessons sits its quizzes after the
        // lessons seen so far.
        let quizzes_after = module_end.or(progress.lessons_end);
        progress.lessons_end = progress.lessons_end.max(module_end);
        for quiz in &module.quizzes {
            let kept = planning.kept.contains(&keys::quiz(quiz.id));
            let item = quizzes::plan_quiz(module.id, quiz, quizzes_after, planning)?;
            if !kept && let Some(end) = item.end {
                progress.cursor = progress.cursor.max(end);
            }
            placed.quizzes.push(item);
        }
    }
    Ok(Attempt {
        placed,
        progress,
        last_planned_end,
    })
}

const MILESTONES: [(u32, &str); 4] = [
    (25, "25 % du cours"),
    (50, "50 % du cours"),
    (75, "75 % du cours"),
    (100, "Fin du cours"),
];

/// Milestone `p` is due when the first `ceil(p * L / 100)` lessons are
/// planned to be over: the end of the lesson reaching that share, or of an
/// earlier one the student moved later. None for a course without lessons.
pub(super) fn milestones(lesson_items: &[PlannedItem], planning: &Planning) -> Vec<PlannedItem> {
    if lesson_items.is_empty() {
        return Vec::new();
    }
    MILESTONES
        .iter()
        .map(|&(percent, title)| {
            let mut item = PlannedItem::new(keys::milestone(percent), ItemType::Milestone, title);
            if !planning.kept.apply_to(&mut item) {
                let reached = (percent as usize * lesson_items.len()).div_ceil(100);
                item.due = Some(
                    lessons_over_at(&lesson_items[..reached]).unwrap_or(planning.window.start),
                );
            }
            item
        })
        .collect()
}

/// When all these lessons are over; none when none of them has a time.
fn lessons_over_at(lessons: &[PlannedItem]) -> Option<DateTime<Utc>> {
    lessons
        .iter()
        .filter_map(|lesson| lesson.end.or(lesson.due).or(lesson.start))
        .max()
}
