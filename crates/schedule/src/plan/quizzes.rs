//! Quiz blocks: after the lessons of their module, before their due date.

use chrono::{DateTime, Duration, Utc};

use super::busy::Block;
use super::{ItemType, ModuleOutline, PlannedItem, Planning, QuizOutline, keys};

const QUIZ_LENGTH: Duration = Duration::minutes(30);

pub(super) fn schedule(
    modules: &[ModuleOutline],
    lesson_items: &[PlannedItem],
    planning: &mut Planning,
) -> Vec<PlannedItem> {
    let mut items = Vec::new();
    // A module without (timed) lessons sits its quizzes after the lessons
    // seen so far.
    let mut last_lesson_end: Option<DateTime<Utc>> = None;
    for module in modules {
        let module_end = lesson_items
            .iter()
            .filter(|lesson| lesson.module_id == Some(module.id))
            .filter_map(|lesson| lesson.end)
            .max();
        // Nothing pending is planned before the window opens (i.e. before now).
        let after = module_end
            .or(last_lesson_end)
            .map_or(planning.window.start, |end| end.max(planning.window.start));
        last_lesson_end = last_lesson_end.max(module_end);
        for quiz in &module.quizzes {
            items.push(plan_quiz(module.id, quiz, after, planning));
        }
    }
    items
}

fn plan_quiz(
    module_id: i32,
    quiz: &QuizOutline,
    after: DateTime<Utc>,
    planning: &mut Planning,
) -> PlannedItem {
    let mut item = PlannedItem::new(keys::quiz(quiz.id), ItemType::Quiz, &quiz.title);
    item.module_id = Some(module_id);
    item.quiz_id = Some(quiz.id);
    if !planning.kept.apply_to(&mut item) {
        let block = quiz_block(after, quiz.due_at, planning);
        planning.busy.add(block);
        item.set_block(block);
        item.due = Some(quiz.due_at.unwrap_or(block.end));
    }
    item
}

/// The first free half hour after the module's lessons; if that ends after
/// the due date, the latest free half hour before it, as long as it is not
/// before the window opens (otherwise the quiz stays after the lessons).
fn quiz_block(after: DateTime<Utc>, due_at: Option<DateTime<Utc>>, planning: &Planning) -> Block {
    let natural = planning
        .busy
        .first_free(&planning.calendar, after, QUIZ_LENGTH);
    match due_at {
        Some(due) if natural.end > due => planning
            .busy
            .last_free_before(due, planning.window.start, QUIZ_LENGTH)
            .unwrap_or(natural),
        _ => natural,
    }
}
