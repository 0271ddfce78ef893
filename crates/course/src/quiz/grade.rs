//! Grading a whole attempt on the server and storing the result: each
//! answer with its grade (unanswered questions included), the questions'
//! kept counters, the attempt's score, and the enrollment's progress.
//! Runs in the caller's transaction, with the enrollment row locked.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use mdsc_core::schema::{quiz_answers, quiz_attempts, quiz_questions};
use mdsc_core::{Clock, DbConnection, Error};

use super::grading::{Given, grade, score_percent};
use super::model::{AttemptRow, AttemptStatus};
use super::view::{ordered_questions, saved_answers};
use crate::model::{EnrollmentRow, QuizRow};
use crate::progress::recompute_progress;

/// Grades `attempt` (in progress) from its saved answers, as of
/// `submitted_at`. Returns the graded attempt and the enrollment after
/// its progress was recomputed.
pub(crate) fn grade_attempt(
    conn: &mut DbConnection,
    clock: &dyn Clock,
    quiz: &QuizRow,
    attempt: &AttemptRow,
    enrollment: &EnrollmentRow,
    submitted_at: NaiveDateTime,
) -> Result<(AttemptRow, EnrollmentRow), Error> {
    let questions = ordered_questions(conn, quiz, attempt.shuffle_seed)?;
    let answers = saved_answers(conn, attempt.id)?;
    let mut earned = 0.0;
    let mut max_points = 0.0;
    for (question, choices) in &questions {
        let answer = answers.get(&question.id);
        let chosen = answer.map(|a| a.chosen()).unwrap_or_default();
        let given = Given {
            choice_ids: &chosen,
            text: answer.and_then(|a| a.text_answer.as_deref()),
        };
        let graded = grade(
            question.kind(),
            question.points,
            choices,
            &question.accepted(),
            given,
        );
        earned += graded.points;
        max_points += f64::from(question.points);
        match answer {
            Some(row) => {
                diesel::update(quiz_answers::table.find(row.id))
                    .set((
                        quiz_answers::is_correct.eq(graded.is_correct),
                        quiz_answers::points.eq(graded.points),
                    ))
                    .execute(conn)?;
            }
            // Unanswered questions are stored too: staff see every
            // question of the attempt, and the statistics count them.
            None => {
                diesel::insert_into(quiz_answers::table)
                    .values((
                        quiz_answers::attempt_id.eq(attempt.id),
                        quiz_answers::question_id.eq(question.id),
                        quiz_answers::is_correct.eq(false),
                        quiz_answers::points.eq(0.0),
                        quiz_answers::answered_at.eq(submitted_at),
                    ))
                    .execute(conn)?;
            }
        }
        diesel::update(quiz_questions::table.find(question.id))
            .set((
                quiz_questions::answered_count.eq(quiz_questions::answered_count + 1),
                quiz_questions::correct_count
                    .eq(quiz_questions::correct_count + i32::from(graded.is_correct)),
            ))
            .execute(conn)?;
    }
    let earned = (earned * 100.0).round() / 100.0;
    let score = score_percent(earned, max_points);
    diesel::update(quiz_attempts::table.find(attempt.id))
        .set((
            quiz_attempts::status.eq(AttemptStatus::Graded.as_str()),
            quiz_attempts::score.eq(score),
            quiz_attempts::passed.eq(score >= f64::from(quiz.passing_score)),
            quiz_attempts::points.eq(earned),
            quiz_attempts::max_points.eq(max_points),
            quiz_attempts::submitted_at.eq(submitted_at),
        ))
        .execute(conn)?;
    let graded = quiz_attempts::table
        .find(attempt.id)
        .select(AttemptRow::as_select())
        .first(conn)?;
    let enrollment = recompute_progress(conn, clock, enrollment)?;
    Ok((graded, enrollment))
}
