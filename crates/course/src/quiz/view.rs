//! An attempt as its reader sees it: questions in the attempt's order,
//! saved answers, results once graded, and the answer key only where the
//! reader may see it. The one place an attempt's questions are rendered,
//! so the key cannot leak through another route.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use mdsc_core::schema::quiz_answers;
use mdsc_core::{DbConnection, Error};

use super::due::answers_revealed;
use super::model::{
    AnswerRow, AttemptChoice, AttemptDetail, AttemptQuestion, AttemptRow, AttemptStatus, ChoiceRow,
    QuestionRow, SavedAnswer,
};
use super::questions::{choices_of, question_rows};
use super::shuffle::{choice_seed, shuffle_by_id};
use crate::model::QuizRow;

/// Who reads the attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reader {
    /// The student whose attempt it is: the key as `reveal_answers` allows.
    Student,
    /// Course staff: the key always.
    Staff,
}

/// The quiz's questions with their choices, both in the attempt's order.
pub(crate) fn ordered_questions(
    conn: &mut DbConnection,
    quiz: &QuizRow,
    seed: i32,
) -> Result<Vec<(QuestionRow, Vec<ChoiceRow>)>, Error> {
    let mut rows = question_rows(conn, quiz.id)?;
    if quiz.shuffle_questions {
        shuffle_by_id(&mut rows, seed, |q| q.id);
    }
    let ids: Vec<i32> = rows.iter().map(|r| r.id).collect();
    let mut choices = choices_of(conn, &ids)?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let mut own = choices.remove(&row.id).unwrap_or_default();
            if quiz.shuffle_choices {
                shuffle_by_id(&mut own, choice_seed(seed, row.id), |c| c.id);
            }
            (row, own)
        })
        .collect())
}

pub(crate) fn saved_answers(
    conn: &mut DbConnection,
    attempt_id: i32,
) -> Result<BTreeMap<i32, AnswerRow>, Error> {
    let rows: Vec<AnswerRow> = quiz_answers::table
        .filter(quiz_answers::attempt_id.eq(attempt_id))
        .select(AnswerRow::as_select())
        .load(conn)?;
    Ok(rows.into_iter().map(|a| (a.question_id, a)).collect())
}

pub fn attempt_detail(
    conn: &mut DbConnection,
    quiz: &QuizRow,
    attempt: AttemptRow,
    enrolled_at: NaiveDateTime,
    now: NaiveDateTime,
    reader: Reader,
) -> Result<AttemptDetail, Error> {
    let questions = ordered_questions(conn, quiz, attempt.shuffle_seed)?;
    let mut answers = saved_answers(conn, attempt.id)?;
    let graded = attempt.status() == AttemptStatus::Graded;
    let revealed = reader == Reader::Staff || (graded && answers_revealed(quiz, enrolled_at, now));
    let questions = questions
        .into_iter()
        .map(|(question, choices)| {
            let answer = answers.remove(&question.id);
            render(question, choices, answer, graded, revealed)
        })
        .collect();
    Ok(AttemptDetail {
        attempt: attempt.into(),
        answers_revealed: revealed,
        questions,
    })
}

fn render(
    question: QuestionRow,
    choices: Vec<ChoiceRow>,
    answer: Option<AnswerRow>,
    graded: bool,
    revealed: bool,
) -> AttemptQuestion {
    let saved = answer.as_ref().and_then(|a| {
        let given = SavedAnswer {
            choice_ids: a.chosen(),
            text: a.text_answer.clone(),
        };
        (!given.choice_ids.is_empty() || given.text.is_some()).then_some(given)
    });
    let (is_correct, points_awarded) = if graded {
        (
            Some(answer.as_ref().and_then(|a| a.is_correct).unwrap_or(false)),
            Some(answer.as_ref().and_then(|a| a.points).unwrap_or(0.0)),
        )
    } else {
        (None, None)
    };
    let kind = question.kind();
    let (correct_choice_ids, accepted_answers, explanation) = if revealed {
        (
            kind.has_choices().then(|| {
                choices
                    .iter()
                    .filter(|c| c.is_correct)
                    .map(|c| c.id)
                    .collect()
            }),
            (!kind.has_choices()).then(|| question.accepted()),
            question.explanation.clone(),
        )
    } else {
        (None, None, None)
    };
    AttemptQuestion {
        id: question.id,
        kind,
        prompt: question.prompt,
        points: question.points,
        choices: choices
            .into_iter()
            .map(|c| AttemptChoice {
                id: c.id,
                text: c.text,
            })
            .collect(),
        answer: saved,
        is_correct,
        points_awarded,
        correct_choice_ids,
        accepted_answers,
        explanation,
    }
}
