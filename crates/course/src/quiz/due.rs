//! When a quiz is due for one student, and when its answers may be shown.

use chrono::{Duration, NaiveDateTime};

use crate::model::{QuizRow, RevealAnswers};

/// A quiz's due date for one student: its fixed date, or `due_offset_days`
/// days from the enrollment (none when that is out of chrono's range).
/// The one definition: the study schedule and the reveal rule use it.
pub fn quiz_due(
    due_date: Option<NaiveDateTime>,
    due_offset_days: Option<i32>,
    enrolled_at: NaiveDateTime,
) -> Option<NaiveDateTime> {
    due_date.or_else(|| {
        due_offset_days
            .and_then(|days| enrolled_at.checked_add_signed(Duration::try_days(i64::from(days))?))
    })
}

/// Whether a student may see the answer key of a graded attempt now.
pub fn answers_revealed(quiz: &QuizRow, enrolled_at: NaiveDateTime, now: NaiveDateTime) -> bool {
    match RevealAnswers::from_db(&quiz.reveal_answers) {
        RevealAnswers::AfterSubmit => true,
        RevealAnswers::Never => false,
        RevealAnswers::AfterDue => {
            quiz_due(quiz.due_date, quiz.due_offset_days, enrolled_at).is_some_and(|due| now >= due)
        }
    }
}
