//! Quiz blocks: after the lessons of their module, before their due date.

use chrono::{DateTime, Duration, Utc};

use super::busy::Block;
use super::{ItemType, PlanError, PlannedItem, Planning, QuizOutline, keys};

/// A quiz is a block of this length.
pub(super) const QUIZ_LENGTH: Duration = Duration::minutes(30);

/// Plans (or keeps) one quiz of module `module_id`. `lessons_end` is when
/// the module's lessons are over (or, for a module without lessons, the
/// lessons seen so far); none when no lesson has a time.
pub(super) fn plan_quiz(
    module_id: i32,
    quiz: &QuizOutline,
    lessons_end: Option<DateTime<Utc>>,
    planning: &mut Planning,
) -> Result<PlannedItem, PlanError> {
    let mut item = PlannedItem::new(keys::quiz(quiz.id), ItemType::Quiz, &quiz.title);
    item.module_id = Some(module_id);
    item.quiz_id = Some(quiz.id);
    if !planning.kept.apply_to(&mut item) {
        let block = quiz_block(lessons_end, quiz.due_at, planning)?;
        planning.busy.add(block);
        item.set_block(block);
        item.due = Some(quiz.due_at.unwrap_or(block.end));
    }
    Ok(item)
}

/// The first free half hour in a sitting after the module's lessons (and
/// not before the window opens). If that ends after the due date: the
/// latest free half hour before the due date that still follows the
/// lessons and now, else the latest one after now even if it precedes the
/// lessons; if there is none, the quiz stays after the lessons, overdue.
fn quiz_block(
    lessons_end: Option<DateTime<Utc>>,
    due_at: Option<DateTime<Utc>>,
    planning: &Planning,
) -> Result<Block, PlanError> {
    let window_start = planning.window.start;
    let after = lessons_end.map_or(window_start, |end| end.max(window_start));
    let natural = planning
        .busy
        .first_free(&planning.calendar, after, QUIZ_LENGTH)?;
    let Some(due) = due_at.filter(|&due| natural.end > due) else {
        return Ok(natural);
    };
    let now = planning.now;
    let after_lessons = lessons_end.map_or(now, |end| end.max(now));
    Ok(planning
        .busy
        .last_free_before(due, after_lessons, QUIZ_LENGTH)
        .or_else(|| planning.busy.last_free_before(due, now, QUIZ_LENGTH))
        .unwrap_or(natural))
}
