//! The demo's quiz questions, one of each kind, and a student's answers
//! that pass them (graded by the server, as through the API).

use mdsc_auth::Principal;
use mdsc_core::{Clock, DbConnection, Error};
use mdsc_course::quiz::model::AnswerInput;
use mdsc_course::quiz::model::{Question, QuestionKind};
use mdsc_course::quiz::{ChoiceInput, QuestionInput, QuizSubmitInput, create_question};

fn choice(text: &str, is_correct: bool) -> ChoiceInput {
    ChoiceInput {
        text: text.to_owned(),
        is_correct,
    }
}

fn question(kind: QuestionKind, prompt: &str, points: i32) -> QuestionInput {
    QuestionInput {
        kind,
        prompt: prompt.to_owned(),
        points: Some(points),
        explanation: None,
        choices: None,
        correct_answer: None,
        accepted_answers: None,
        position: None,
    }
}

/// Four questions: single choice, multiple choice, true/false, short answer.
pub fn add_questions(
    conn: &mut DbConnection,
    teacher: &Principal,
    clock: &dyn Clock,
    quiz_id: i32,
) -> Result<Vec<Question>, Error> {
    let inputs = [
        QuestionInput {
            choices: Some(vec![
                choice("cargo new", true),
                choice("rustc --init", false),
                choice("cargo start", false),
            ]),
            explanation: Some("`cargo new nom` crée un projet avec son Cargo.toml.".to_owned()),
            ..question(
                QuestionKind::SingleChoice,
                "Quelle commande crée un nouveau projet Rust ?",
                2,
            )
        },
        QuestionInput {
            choices: Some(vec![
                choice("i32", true),
                choice("String", true),
                choice("var", false),
                choice("bool", true),
            ]),
            ..question(
                QuestionKind::MultipleChoice,
                "Lesquels sont des types de Rust ?",
                3,
            )
        },
        QuestionInput {
            correct_answer: Some(true),
            explanation: Some("Il faut écrire `let mut` pour pouvoir la modifier.".to_owned()),
            ..question(
                QuestionKind::TrueFalse,
                "Une variable déclarée avec `let` est immuable par défaut.",
                1,
            )
        },
        QuestionInput {
            accepted_answers: Some(vec!["println!".to_owned(), "println".to_owned()]),
            ..question(
                QuestionKind::ShortAnswer,
                "Quelle macro affiche une ligne à l'écran ?",
                2,
            )
        },
    ];
    inputs
        .into_iter()
        .map(|input| create_question(conn, teacher, clock, quiz_id, input))
        .collect()
}

/// Answers that pass: every question right but the multiple choice,
/// where one right choice is missing (partial credit).
pub fn passing_answers(questions: &[Question]) -> QuizSubmitInput {
    let answers = questions
        .iter()
        .map(|q| {
            let right: Vec<i32> = q
                .choices
                .iter()
                .filter(|c| c.is_correct)
                .map(|c| c.id)
                .collect();
            match q.kind {
                QuestionKind::ShortAnswer => AnswerInput {
                    question_id: q.id,
                    choice_ids: Vec::new(),
                    text: Some("  Println! ".to_owned()),
                },
                QuestionKind::MultipleChoice => AnswerInput {
                    question_id: q.id,
                    choice_ids: right.into_iter().skip(1).collect(),
                    text: None,
                },
                _ => AnswerInput {
                    question_id: q.id,
                    choice_ids: right,
                    text: None,
                },
            }
        })
        .collect();
    QuizSubmitInput {
        score: None,
        answers: Some(answers),
    }
}
