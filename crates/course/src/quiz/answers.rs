//! A student's answers to an attempt: checked against the quiz's
//! questions, then saved (one row per question, replaced on each save).

use std::collections::{BTreeMap, BTreeSet};

use diesel::prelude::*;
use mdsc_core::schema::quiz_answers;
use mdsc_core::text::validate_single_line;
use mdsc_core::{Clock, DbConnection, Error, FieldError};

use super::model::{AnswerInput, ChoiceRow, QuestionKind, QuestionRow};

/// Longest typed answer, in characters.
pub const MAX_TEXT_ANSWER: usize = 1000;

/// Every answer names a question of this quiz once, picks only that
/// question's choices (one at most for single choice and true/false), and
/// types text only for short answers.
pub(crate) fn check_answers(
    answers: &[AnswerInput],
    questions: &[(QuestionRow, Vec<ChoiceRow>)],
) -> Result<(), Error> {
    let by_id: BTreeMap<i32, &(QuestionRow, Vec<ChoiceRow>)> =
        questions.iter().map(|q| (q.0.id, q)).collect();
    let mut errors = Vec::new();
    let mut seen = BTreeSet::new();
    if answers.len() > by_id.len() {
        errors.push(FieldError::new(
            "answers",
            "more answers than the quiz has questions",
        ));
    }
    for (i, answer) in answers.iter().enumerate() {
        let at = |name: &str| format!("answers[{i}].{name}");
        let Some((question, choices)) = by_id.get(&answer.question_id) else {
            errors.push(FieldError::new(
                at("question_id"),
                "not a question of this quiz",
            ));
            continue;
        };
        if !seen.insert(answer.question_id) {
            errors.push(FieldError::new(at("question_id"), "answered twice"));
        }
        let kind = question.kind();
        if kind.has_choices() {
            if answer.text.is_some() {
                errors.push(FieldError::new(
                    at("text"),
                    "this question is answered with choice_ids",
                ));
            }
            let single = matches!(kind, QuestionKind::SingleChoice | QuestionKind::TrueFalse);
            if single && answer.choice_ids.len() > 1 {
                errors.push(FieldError::new(at("choice_ids"), "pick one choice"));
            }
            let distinct: BTreeSet<i32> = answer.choice_ids.iter().copied().collect();
            if distinct.len() != answer.choice_ids.len() {
                errors.push(FieldError::new(
                    at("choice_ids"),
                    "a choice is picked twice",
                ));
            }
            if answer
                .choice_ids
                .iter()
                .any(|id| !choices.iter().any(|c| c.id == *id))
            {
                errors.push(FieldError::new(
                    at("choice_ids"),
                    "not a choice of this question (it may have been edited: read the attempt again)",
                ));
            }
        } else {
            if !answer.choice_ids.is_empty() {
                errors.push(FieldError::new(
                    at("choice_ids"),
                    "this question is answered with text",
                ));
            }
            if let Some(text) = &answer.text
                && (text.chars().count() > MAX_TEXT_ANSWER || validate_single_line(text).is_err())
            {
                errors.push(FieldError::new(
                    at("text"),
                    "must be at most 1,000 characters on one line",
                ));
            }
        }
    }
    match Error::invalid_fields(errors) {
        Some(err) => Err(err),
        None => Ok(()),
    }
}

/// Saves checked answers; an empty answer clears the question's.
pub(crate) fn save_answers(
    conn: &mut DbConnection,
    clock: &dyn Clock,
    attempt_id: i32,
    answers: &[AnswerInput],
) -> Result<(), Error> {
    let now = clock.now();
    for answer in answers {
        diesel::delete(
            quiz_answers::table
                .filter(quiz_answers::attempt_id.eq(attempt_id))
                .filter(quiz_answers::question_id.eq(answer.question_id)),
        )
        .execute(conn)?;
        let text = answer
            .text
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty());
        if answer.choice_ids.is_empty() && text.is_none() {
            continue;
        }
        let choice_ids = if answer.choice_ids.is_empty() {
            None
        } else {
            let mut ids = answer.choice_ids.clone();
            ids.sort_unstable();
            Some(
                serde_json::to_string(&ids)
                    .map_err(|e| Error::internal(format!("choice ids: {e}")))?,
            )
        };
        diesel::insert_into(quiz_answers::table)
            .values((
                quiz_answers::attempt_id.eq(attempt_id),
                quiz_answers::question_id.eq(answer.question_id),
                quiz_answers::choice_ids.eq(choice_ids),
                quiz_answers::text_answer.eq(text),
                quiz_answers::answered_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(())
}
