//! Fixtures of the quiz tests: a quiz of the cast's course with one
//! question of each kind, answers to it, and a search for answer keys in
//! what a student receives.
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

use mdsc_auth::Principal;
use mdsc_core::Error;
use mdsc_course::quiz::model::{AnswerInput, AttemptDetail, Question, QuestionKind};
use mdsc_course::quiz::{self, AttemptAnswersInput, ChoiceInput, QuestionInput, QuizSubmitInput};
use mdsc_course::structure::{QuizInput, update_quiz};
use serde_json::Value;

use crate::common::{Cast, World};

pub fn choice(text: &str, is_correct: bool) -> ChoiceInput {
    ChoiceInput {
        text: text.to_owned(),
        is_correct,
    }
}

pub fn question(kind: QuestionKind, prompt: &str) -> QuestionInput {
    QuestionInput {
        kind,
        prompt: prompt.to_owned(),
        points: None,
        explanation: None,
        choices: None,
        correct_answer: None,
        accepted_answers: None,
        position: None,
    }
}

pub fn single_choice() -> QuestionInput {
    QuestionInput {
        points: Some(2),
        explanation: Some("Cargo makes projects.".to_owned()),
        choices: Some(vec![
            choice("cargo new", true),
            choice("rustc --init", false),
            choice("make project", false),
        ]),
        ..question(QuestionKind::SingleChoice, "Which command makes a project?")
    }
}

pub fn multiple_choice() -> QuestionInput {
    QuestionInput {
        points: Some(3),
        choices: Some(vec![
            choice("i32", true),
            choice("String", true),
            choice("bool", true),
            choice("var", false),
        ]),
        ..question(QuestionKind::MultipleChoice, "Which are Rust types?")
    }
}

pub fn true_false() -> QuestionInput {
    QuestionInput {
        correct_answer: Some(true),
        ..question(
            QuestionKind::TrueFalse,
            "Bindings are immutable by default.",
        )
    }
}

pub fn short_answer() -> QuestionInput {
    QuestionInput {
        points: Some(4),
        accepted_answers: Some(vec!["Ferris le crabe".to_owned()]),
        ..question(QuestionKind::ShortAnswer, "Who is Rust's mascot?")
    }
}

/// The cast's quiz with a question of each kind (10 points in all), and
/// the given settings.
pub struct QuizFix {
    pub quiz_id: i32,
    pub questions: Vec<Question>,
}

impl QuizFix {
    pub fn of(&self, kind: QuestionKind) -> &Question {
        self.questions.iter().find(|q| q.kind == kind).unwrap()
    }
    pub fn right(&self, kind: QuestionKind) -> Vec<i32> {
        let q = self.of(kind);
        q.choices
            .iter()
            .filter(|c| c.is_correct)
            .map(|c| c.id)
            .collect()
    }
    pub fn wrong(&self, kind: QuestionKind) -> Vec<i32> {
        let q = self.of(kind);
        q.choices
            .iter()
            .filter(|c| !c.is_correct)
            .map(|c| c.id)
            .take(1)
            .collect()
    }
    /// Every answer right.
    pub fn all_right(&self) -> Vec<AnswerInput> {
        self.questions
            .iter()
            .map(|q| match q.kind {
                QuestionKind::ShortAnswer => text_answer(q.id, "ferris LE crabe"),
                kind => choices_answer(q.id, self.right(kind)),
            })
            .collect()
    }
}

pub fn choices_answer(question_id: i32, choice_ids: Vec<i32>) -> AnswerInput {
    AnswerInput {
        question_id,
        choice_ids,
        text: None,
    }
}

pub fn text_answer(question_id: i32, text: &str) -> AnswerInput {
    AnswerInput {
        question_id,
        choice_ids: Vec::new(),
        text: Some(text.to_owned()),
    }
}

pub fn with_questions(w: &mut World, cast: &Cast, settings: QuizInput) -> QuizFix {
    update_quiz(
        &mut w.conn,
        &cast.instructor,
        &w.clock,
        cast.quiz_id,
        settings,
    )
    .unwrap();
    let questions = [
        single_choice(),
        multiple_choice(),
        true_false(),
        short_answer(),
    ]
    .into_iter()
    .map(|input| {
        quiz::create_question(&mut w.conn, &cast.instructor, &w.clock, cast.quiz_id, input).unwrap()
    })
    .collect();
    QuizFix {
        quiz_id: cast.quiz_id,
        questions,
    }
}

impl World {
    pub fn start(
        &mut self,
        student: &Principal,
        enrollment_id: i32,
        quiz_id: i32,
    ) -> Result<AttemptDetail, Error> {
        quiz::start_attempt(&mut self.conn, student, &self.clock, enrollment_id, quiz_id)
    }

    pub fn save(
        &mut self,
        student: &Principal,
        attempt_id: i32,
        answers: Vec<AnswerInput>,
    ) -> Result<AttemptDetail, Error> {
        quiz::save_attempt_answers(
            &mut self.conn,
            student,
            &self.clock,
            attempt_id,
            AttemptAnswersInput { answers },
        )
    }

    pub fn submit_attempt(
        &mut self,
        student: &Principal,
        attempt_id: i32,
        answers: Vec<AnswerInput>,
    ) -> Result<mdsc_course::QuizSubmission, Error> {
        quiz::submit_attempt(
            &mut self.conn,
            student,
            &self.clock,
            attempt_id,
            AttemptAnswersInput { answers },
        )
    }

    /// The seed's route: answers in, graded attempt out.
    pub fn submit_answers(
        &mut self,
        student: &Principal,
        enrollment_id: i32,
        quiz_id: i32,
        answers: Vec<AnswerInput>,
    ) -> Result<mdsc_course::QuizSubmission, Error> {
        quiz::submit_quiz(
            &mut self.conn,
            student,
            &self.clock,
            enrollment_id,
            quiz_id,
            QuizSubmitInput {
                score: None,
                answers: Some(answers),
            },
        )
    }
}

/// The keys under which an answer key could travel.
const KEY_FIELDS: [&str; 5] = [
    "is_correct",
    "correct_choice_ids",
    "accepted_answers",
    "explanation",
    "correct_answer",
];

/// Every answer-key field found anywhere in `value`, with its path.
pub fn key_fields(value: &Value) -> Vec<String> {
    fn walk(value: &Value, path: String, found: &mut Vec<String>) {
        match value {
            Value::Object(map) => {
                for (k, v) in map {
                    let here = format!("{path}.{k}");
                    if KEY_FIELDS.contains(&k.as_str()) {
                        found.push(here.clone());
                    }
                    walk(v, here, found);
                }
            }
            Value::Array(items) => {
                for (i, v) in items.iter().enumerate() {
                    walk(v, format!("{path}[{i}]"), found);
                }
            }
            _ => {}
        }
    }
    let mut found = Vec::new();
    walk(value, String::new(), &mut found);
    found
}

/// Text of the answer key (right choices' texts, accepted answers,
/// explanations) that must not appear in `value`.
pub fn leaked_key_texts(value: &Value, fix: &QuizFix) -> Vec<String> {
    let rendered = value.to_string();
    let mut secrets: Vec<String> = Vec::new();
    for q in &fix.questions {
        secrets.extend(q.accepted_answers.iter().cloned());
        secrets.extend(q.explanation.iter().cloned());
    }
    secrets
        .into_iter()
        .filter(|s| rendered.contains(s.as_str()))
        .collect()
}
