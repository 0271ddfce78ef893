//! Lesson blocks, spread over the window, and the progress milestones they
//! reach.

use chrono::{DateTime, Duration, Utc};

use super::{CourseOutline, ItemType, Kept, LessonOutline, MIN_BLOCK, PlannedItem, Planning, keys};

/// A lesson with the module it belongs to, in course order.
pub(super) struct CourseLesson<'a> {
    module_id: i32,
    lesson: &'a LessonOutline,
}

impl CourseLesson<'_> {
    fn key(&self) -> String {
        keys::lesson(self.lesson.id)
    }

    /// Zero, negative or tiny durations still get a real block.
    fn block_length(&self) -> Duration {
        Duration::minutes(i64::from(self.lesson.duration_minutes)).max(MIN_BLOCK)
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
        .fold(Duration::zero(), |total, length| total + length)
}

/// Pending lesson `i` of `P` goes to sitting `floor(i * D / P)` of the `D`
/// sittings in the window, so lessons are spread evenly instead of crammed
/// at the start; lessons of one sitting follow each other. With no sitting
/// in the window, everything starts at its first sitting (compressed plan).
pub(super) fn schedule(lessons: &[CourseLesson], planning: &mut Planning) -> Vec<PlannedItem> {
    let window = planning.window;
    let mut sittings = planning.calendar.slots_between(window.start, window.end);
    if sittings.is_empty() {
        sittings.push(window.start);
    }
    let pending_count = lessons
        .iter()
        .filter(|lesson| !planning.kept.contains(&lesson.key()))
        .count();

    let mut cursor = window.start;
    let mut pending_index = 0;
    let mut items = Vec::with_capacity(lessons.len());
    for lesson in lessons {
        let mut item = lesson.item();
        if !planning.kept.apply_to(&mut item) {
            let sitting_index = pending_index * sittings.len() / pending_count.max(1);
            let sitting = sittings.get(sitting_index).copied().unwrap_or(cursor);
            let block = planning.busy.first_free(
                &planning.calendar,
                sitting.max(cursor),
                lesson.block_length(),
            );
            planning.busy.add(block);
            item.set_block(block);
            cursor = block.end;
            pending_index += 1;
        }
        items.push(item);
    }
    items
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
