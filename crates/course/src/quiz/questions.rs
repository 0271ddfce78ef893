//! A quiz's questions, written and read by course staff with their answer
//! key. Students never read them here: they get them through an attempt
//! (`attempt`), without the key.

use std::collections::BTreeMap;

use diesel::prelude::*;
use mdsc_auth::Principal;
use mdsc_core::schema::{quiz_choices, quiz_questions, quizzes};
use mdsc_core::text::{validate_multi_line, validate_not_blank, validate_single_line};
use mdsc_core::{Clock, DbConnection, Error, FieldError, write_transaction};
use serde::Deserialize;
use validator::Validate;

use super::grading::normalize_answer;
use super::model::{ChoiceRow, Question, QuestionKind, QuestionRow};
use crate::access::require_course_staff;
pub(crate) use crate::structure::find_quiz;

/// Questions one quiz holds at most.
pub const MAX_QUESTIONS: i64 = 200;
/// Accepted answers of one short-answer question at most.
pub const MAX_ACCEPTED_ANSWERS: usize = 20;
const MIN_CHOICES: usize = 2;
const MAX_CHOICES: usize = 10;

#[derive(Debug, Clone, Deserialize, Validate, utoipa::ToSchema)]
pub struct ChoiceInput {
    #[validate(length(min = 1, max = 1000), custom(function = validate_not_blank), custom(function = validate_single_line))]
    #[schema(
        min_length = 1,
        max_length = 1000,
        pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F\\u2028\\u2029]*[^\\u0000-\\u0020\\u007F-\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000][^\\u0000-\\u001F\\u007F-\\u009F\\u2028\\u2029]*$"
    )]
    pub text: String,
    #[serde(default)]
    pub is_correct: bool,
}

/// A question as staff write it. `PUT` takes the whole question again.
#[derive(Debug, Clone, Deserialize, Validate, utoipa::ToSchema)]
pub struct QuestionInput {
    pub kind: QuestionKind,
    #[validate(length(min = 1, max = 5000), custom(function = validate_not_blank), custom(function = validate_multi_line))]
    #[schema(
        min_length = 1,
        max_length = 5000,
        pattern = "^(?:[^\\u0000-\\u0008\\u000B-\\u001F\\u007F-\\u009F]|\\r\\n)*[^\\u0000-\\u0020\\u007F-\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000](?:[^\\u0000-\\u0008\\u000B-\\u001F\\u007F-\\u009F]|\\r\\n)*$"
    )]
    pub prompt: String,
    /// 1 to 1,000 (default 1).
    #[validate(range(min = 1, max = 1000))]
    #[schema(minimum = 1, maximum = 1000)]
    pub points: Option<i32>,
    /// Shown with the answer key.
    #[validate(length(max = 5000), custom(function = validate_multi_line))]
    #[schema(
        max_length = 5000,
        pattern = "^(?:[^\\u0000-\\u0008\\u000B-\\u001F\\u007F-\\u009F]|\\r\\n)*$"
    )]
    pub explanation: Option<String>,
    /// `single_choice` (exactly one right) and `multiple_choice` (one or
    /// more right): 2 to 10 choices, no two alike.
    #[validate(nested)]
    #[schema(max_items = 10)]
    pub choices: Option<Vec<ChoiceInput>>,
    /// `true_false`: whether the statement is true.
    pub correct_answer: Option<bool>,
    /// `short_answer`: 1 to 20 accepted answers (each 1 to 1,000
    /// characters, one line).
    #[schema(max_items = 20)]
    pub accepted_answers: Option<Vec<String>>,
    /// Order within the quiz; default: after the last question.
    #[validate(range(min = 0, max = 100000))]
    #[schema(minimum = 0, maximum = 100000)]
    pub position: Option<i32>,
}

/// `PUT /api/quizzes/{id}/questions/order`.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct QuestionOrderInput {
    /// Every question of the quiz, once each, in the new order.
    #[schema(max_items = 200)]
    pub question_ids: Vec<i32>,
}

/// The choices to store for a valid input: `(text, is_correct)`.
type ChoiceSet = Vec<(String, bool)>;

/// The rules across fields of one question, every broken one reported.
/// Returns the choices to store and the accepted answers.
fn checked(input: &QuestionInput) -> Result<(ChoiceSet, Vec<String>), Error> {
    input.validate()?;
    let mut errors = Vec::new();
    let mut choices: ChoiceSet = Vec::new();
    let mut accepted = Vec::new();
    let kind = input.kind;
    if kind != QuestionKind::TrueFalse && input.correct_answer.is_some() {
        errors.push(FieldError::new(
            "correct_answer",
            "only for true_false questions",
        ));
    }
    if kind != QuestionKind::ShortAnswer && input.accepted_answers.is_some() {
        errors.push(FieldError::new(
            "accepted_answers",
            "only for short_answer questions",
        ));
    }
    match kind {
        QuestionKind::SingleChoice | QuestionKind::MultipleChoice => {
            let given = input.choices.as_deref().unwrap_or_default();
            if !(MIN_CHOICES..=MAX_CHOICES).contains(&given.len()) {
                errors.push(FieldError::new("choices", "give 2 to 10 choices"));
            }
            let right = given.iter().filter(|c| c.is_correct).count();
            if kind == QuestionKind::SingleChoice && right != 1 {
                errors.push(FieldError::new(
                    "choices",
                    "exactly one choice must be correct",
                ));
            }
            if kind == QuestionKind::MultipleChoice && right == 0 {
                errors.push(FieldError::new(
                    "choices",
                    "at least one choice must be correct",
                ));
            }
            let mut seen = BTreeMap::new();
            for (i, choice) in given.iter().enumerate() {
                if let Some(first) = seen.insert(normalize_answer(&choice.text), i) {
                    errors.push(FieldError::new(
                        format!("choices[{i}].text"),
                        format!("the same as choices[{first}]"),
                    ));
                }
                choices.push((choice.text.trim().to_owned(), choice.is_correct));
            }
        }
        QuestionKind::TrueFalse => {
            if input.choices.is_some() {
                errors.push(FieldError::new(
                    "choices",
                    "true_false questions get True and False",
                ));
            }
            match input.correct_answer {
                Some(truth) => {
                    choices = vec![("True".to_owned(), truth), ("False".to_owned(), !truth)];
                }
                None => errors.push(FieldError::new(
                    "correct_answer",
                    "is required for true_false",
                )),
            }
        }
        QuestionKind::ShortAnswer => {
            if input.choices.is_some() {
                errors.push(FieldError::new(
                    "choices",
                    "short_answer questions have no choices",
                ));
            }
            let given = input.accepted_answers.as_deref().unwrap_or_default();
            if given.is_empty() || given.len() > MAX_ACCEPTED_ANSWERS {
                errors.push(FieldError::new(
                    "accepted_answers",
                    "give 1 to 20 accepted answers",
                ));
            }
            for (i, answer) in given.iter().enumerate() {
                let trimmed = answer.trim();
                let one_line = validate_single_line(answer).is_ok();
                if trimmed.is_empty() || answer.chars().count() > 1000 || !one_line {
                    errors.push(FieldError::new(
                        format!("accepted_answers[{i}]"),
                        "must be 1 to 1,000 characters on one line",
                    ));
                }
                accepted.push(trimmed.to_owned());
            }
        }
    }
    match Error::invalid_fields(errors) {
        Some(err) => Err(err),
        None => Ok((choices, accepted)),
    }
}

fn find_question(conn: &mut DbConnection, question_id: i32) -> Result<QuestionRow, Error> {
    quiz_questions::table
        .find(question_id)
        .select(QuestionRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| Error::not_found("Question"))
}

/// The quiz's questions in their set order.
pub(crate) fn question_rows(
    conn: &mut DbConnection,
    quiz_id: i32,
) -> Result<Vec<QuestionRow>, Error> {
    Ok(quiz_questions::table
        .filter(quiz_questions::quiz_id.eq(quiz_id))
        .order((quiz_questions::position, quiz_questions::id))
        .select(QuestionRow::as_select())
        .load(conn)?)
}

/// The choices of these questions, each list in its set order.
pub(crate) fn choices_of(
    conn: &mut DbConnection,
    question_ids: &[i32],
) -> Result<BTreeMap<i32, Vec<ChoiceRow>>, Error> {
    let rows: Vec<ChoiceRow> = quiz_choices::table
        .filter(quiz_choices::question_id.eq_any(question_ids))
        .order((
            quiz_choices::question_id,
            quiz_choices::position,
            quiz_choices::id,
        ))
        .select(ChoiceRow::as_select())
        .load(conn)?;
    let mut by_question: BTreeMap<i32, Vec<ChoiceRow>> = BTreeMap::new();
    for row in rows {
        by_question.entry(row.question_id).or_default().push(row);
    }
    Ok(by_question)
}

/// Whether the quiz is graded on the server (it has questions).
pub fn has_questions(conn: &mut DbConnection, quiz_id: i32) -> Result<bool, Error> {
    Ok(diesel::select(diesel::dsl::exists(
        quiz_questions::table.filter(quiz_questions::quiz_id.eq(quiz_id)),
    ))
    .get_result(conn)?)
}

fn with_choices(conn: &mut DbConnection, row: QuestionRow) -> Result<Question, Error> {
    let mut choices = choices_of(conn, &[row.id])?;
    let own = choices.remove(&row.id).unwrap_or_default();
    Ok(Question::from_rows(row, own))
}

fn insert_choices(
    conn: &mut DbConnection,
    question_id: i32,
    choices: &ChoiceSet,
) -> Result<(), Error> {
    for (position, (text, is_correct)) in choices.iter().enumerate() {
        diesel::insert_into(quiz_choices::table)
            .values((
                quiz_choices::question_id.eq(question_id),
                quiz_choices::text.eq(text),
                quiz_choices::is_correct.eq(is_correct),
                quiz_choices::position.eq(position as i32),
            ))
            .execute(conn)?;
    }
    Ok(())
}

fn accepted_json(kind: QuestionKind, accepted: &[String]) -> Result<Option<String>, Error> {
    if kind != QuestionKind::ShortAnswer {
        return Ok(None);
    }
    serde_json::to_string(accepted)
        .map(Some)
        .map_err(|e| Error::internal(format!("accepted answers: {e}")))
}

/// Every question of a quiz with its answer key (course staff).
pub fn list_questions(
    conn: &mut DbConnection,
    actor: &Principal,
    quiz_id: i32,
) -> Result<Vec<Question>, Error> {
    let quiz = find_quiz(conn, quiz_id)?;
    require_course_staff(conn, actor, quiz.course_id)?;
    let rows = question_rows(conn, quiz_id)?;
    let ids: Vec<i32> = rows.iter().map(|r| r.id).collect();
    let mut choices = choices_of(conn, &ids)?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let own = choices.remove(&row.id).unwrap_or_default();
            Question::from_rows(row, own)
        })
        .collect())
}

pub fn create_question(
    conn: &mut DbConnection,
    actor: &Principal,
    clock: &dyn Clock,
    quiz_id: i32,
    input: QuestionInput,
) -> Result<Question, Error> {
    let (choices, accepted) = checked(&input)?;
    write_transaction(conn, |conn| {
        // The quiz row is locked so that two staff adding questions at once
        // cannot pass the cap together.
        mdsc_core::lock_row!(conn, quizzes, quiz_id)?;
        let quiz = find_quiz(conn, quiz_id)?;
        require_course_staff(conn, actor, quiz.course_id)?;
        let existing: Vec<i32> = quiz_questions::table
            .filter(quiz_questions::quiz_id.eq(quiz_id))
            .select(quiz_questions::position)
            .load(conn)?;
        if existing.len() as i64 >= MAX_QUESTIONS {
            return Err(Error::conflict(
                "TOO_MANY_QUESTIONS",
                format!("A quiz holds at most {MAX_QUESTIONS} questions"),
            ));
        }
        let position = input
            .position
            .unwrap_or_else(|| existing.iter().max().map_or(1, |p| p + 1));
        let now = clock.now();
        let id: i32 = diesel::insert_into(quiz_questions::table)
            .values((
                quiz_questions::quiz_id.eq(quiz_id),
                quiz_questions::kind.eq(input.kind.as_str()),
                quiz_questions::prompt.eq(input.prompt.trim()),
                quiz_questions::points.eq(input.points.unwrap_or(1)),
                quiz_questions::explanation.eq(&input.explanation),
                quiz_questions::accepted_answers.eq(accepted_json(input.kind, &accepted)?),
                quiz_questions::position.eq(position),
                quiz_questions::created_at.eq(now),
                quiz_questions::updated_at.eq(now),
            ))
            .returning(quiz_questions::id)
            .get_result(conn)?;
        insert_choices(conn, id, &choices)?;
        let row = find_question(conn, id)?;
        with_choices(conn, row)
    })
}

/// Replaces a question. Its choices keep their ids when they are the same
/// texts with the same key, so an attempt in progress keeps its answers;
/// otherwise they are replaced, and answers saved with the old ones no
/// longer count.
pub fn update_question(
    conn: &mut DbConnection,
    actor: &Principal,
    clock: &dyn Clock,
    question_id: i32,
    input: QuestionInput,
) -> Result<Question, Error> {
    let (choices, accepted) = checked(&input)?;
    write_transaction(conn, |conn| {
        let question = find_question(conn, question_id)?;
        let quiz = find_quiz(conn, question.quiz_id)?;
        require_course_staff(conn, actor, quiz.course_id)?;
        diesel::update(quiz_questions::table.find(question_id))
            .set((
                quiz_questions::kind.eq(input.kind.as_str()),
                quiz_questions::prompt.eq(input.prompt.trim()),
                quiz_questions::points.eq(input.points.unwrap_or(question.points)),
                quiz_questions::explanation.eq(&input.explanation),
                quiz_questions::accepted_answers.eq(accepted_json(input.kind, &accepted)?),
                quiz_questions::position.eq(input.position.unwrap_or(question.position)),
                quiz_questions::updated_at.eq(clock.now()),
            ))
            .execute(conn)?;
        let current: ChoiceSet = choices_of(conn, &[question_id])?
            .remove(&question_id)
            .unwrap_or_default()
            .into_iter()
            .map(|c| (c.text, c.is_correct))
            .collect();
        if current != choices {
            diesel::delete(quiz_choices::table.filter(quiz_choices::question_id.eq(question_id)))
                .execute(conn)?;
            insert_choices(conn, question_id, &choices)?;
        }
        let row = find_question(conn, question_id)?;
        with_choices(conn, row)
    })
}

/// Deletes a question with its choices and the answers given to it;
/// graded attempts keep their scores.
pub fn delete_question(
    conn: &mut DbConnection,
    actor: &Principal,
    question_id: i32,
) -> Result<(), Error> {
    write_transaction(conn, |conn| {
        let question = find_question(conn, question_id)?;
        let quiz = find_quiz(conn, question.quiz_id)?;
        require_course_staff(conn, actor, quiz.course_id)?;
        diesel::delete(quiz_questions::table.find(question_id)).execute(conn)?;
        Ok(())
    })
}

/// Puts every question of the quiz in the given order (positions 1…n).
pub fn reorder_questions(
    conn: &mut DbConnection,
    actor: &Principal,
    clock: &dyn Clock,
    quiz_id: i32,
    input: QuestionOrderInput,
) -> Result<Vec<Question>, Error> {
    write_transaction(conn, |conn| {
        let quiz = find_quiz(conn, quiz_id)?;
        require_course_staff(conn, actor, quiz.course_id)?;
        let mut current: Vec<i32> = question_rows(conn, quiz_id)?
            .into_iter()
            .map(|r| r.id)
            .collect();
        let mut given = input.question_ids.clone();
        current.sort_unstable();
        given.sort_unstable();
        if current != given {
            return Err(Error::invalid_field(
                "question_ids",
                "must list every question of the quiz once",
            ));
        }
        let now = clock.now();
        for (i, id) in input.question_ids.iter().enumerate() {
            diesel::update(quiz_questions::table.find(id))
                .set((
                    quiz_questions::position.eq(i as i32 + 1),
                    quiz_questions::updated_at.eq(now),
                ))
                .execute(conn)?;
        }
        Ok(())
    })?;
    list_questions(conn, actor, quiz_id)
}
