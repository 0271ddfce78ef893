//! Quiz questions as course staff write them: who may, what is valid, the
//! order, and the quiz's attempt settings.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use mdsc_core::ErrorKind;
use mdsc_course::RevealAnswers;
use mdsc_course::quiz::model::QuestionKind;
use mdsc_course::quiz::{self, QuestionInput, QuestionOrderInput};
use mdsc_course::structure::{QuizInput, update_quiz};

use crate::common::*;
use crate::quiz_common::*;

#[test]
fn only_course_staff_write_and_read_questions_with_their_key() {
    let mut w = World::new();
    let cast = w.cast();
    let (conn, clock) = (&mut w.conn, &w.clock);
    for student_or_other in [cast.enrolled, cast.outsider, cast.other_instructor] {
        expect_forbidden(quiz::create_question(
            conn,
            &student_or_other,
            clock,
            cast.quiz_id,
            single_choice(),
        ));
        expect_forbidden(quiz::list_questions(conn, &student_or_other, cast.quiz_id));
    }
    let by_instructor =
        quiz::create_question(conn, &cast.instructor, clock, cast.quiz_id, single_choice())
            .unwrap();
    let by_admin =
        quiz::create_question(conn, &cast.admin, clock, cast.quiz_id, true_false()).unwrap();
    for staff in cast.staff() {
        let listed = quiz::list_questions(conn, &staff, cast.quiz_id).unwrap();
        let ids: Vec<i32> = listed.iter().map(|q| q.id).collect();
        assert_eq!(ids, [by_instructor.id, by_admin.id]);
        assert_eq!(listed[0].choices.iter().filter(|c| c.is_correct).count(), 1);
    }
    let tf = &by_admin;
    let texts: Vec<(&str, bool)> = tf
        .choices
        .iter()
        .map(|c| (c.text.as_str(), c.is_correct))
        .collect();
    assert_eq!(texts, [("True", true), ("False", false)]);

    for student_or_other in [cast.enrolled, cast.outsider, cast.other_instructor] {
        expect_forbidden(quiz::update_question(
            conn,
            &student_or_other,
            clock,
            tf.id,
            true_false(),
        ));
        expect_forbidden(quiz::delete_question(conn, &student_or_other, tf.id));
    }
    quiz::delete_question(conn, &cast.admin, tf.id).unwrap();
    expect_not_found(quiz::delete_question(conn, &cast.instructor, tf.id));
    expect_not_found(quiz::list_questions(conn, &cast.instructor, 999_999));
}

#[test]
fn invalid_questions_are_refused_with_every_field_named() {
    let mut w = World::new();
    let cast = w.cast();
    let (conn, clock) = (&mut w.conn, &w.clock);
    let mut create =
        |input| quiz::create_question(conn, &cast.instructor, clock, cast.quiz_id, input);

    let no_correct = QuestionInput {
        choices: Some(vec![choice("a", false), choice("b", false)]),
        ..question(QuestionKind::SingleChoice, "?")
    };
    let err = expect_invalid_field(create(no_correct), "choices");
    assert!(
        err.message.contains("exactly one choice must be correct"),
        "{}",
        err.message
    );

    let two_correct = QuestionInput {
        choices: Some(vec![choice("a", true), choice("b", true)]),
        ..question(QuestionKind::SingleChoice, "?")
    };
    expect_invalid_field(create(two_correct), "choices");

    let none_correct = QuestionInput {
        choices: Some(vec![choice("a", false), choice("b", false)]),
        ..question(QuestionKind::MultipleChoice, "?")
    };
    expect_invalid_field(create(none_correct), "choices");

    // The same text, by case, accents and spaces.
    let duplicate = QuestionInput {
        choices: Some(vec![
            choice("Élan", true),
            choice("b", false),
            choice(" elan ", false),
        ]),
        ..question(QuestionKind::SingleChoice, "?")
    };
    expect_invalid_field(create(duplicate), "choices[2].text");

    let one_choice = QuestionInput {
        choices: Some(vec![choice("a", true)]),
        ..question(QuestionKind::SingleChoice, "?")
    };
    expect_invalid_field(create(one_choice), "choices");
    let eleven = QuestionInput {
        choices: Some((0..11).map(|i| choice(&format!("c{i}"), i == 0)).collect()),
        ..question(QuestionKind::SingleChoice, "?")
    };
    expect_invalid_field(create(eleven), "choices");

    expect_invalid_field(
        create(question(QuestionKind::TrueFalse, "?")),
        "correct_answer",
    );
    expect_invalid_field(
        create(question(QuestionKind::ShortAnswer, "?")),
        "accepted_answers",
    );
    let blank_answer = QuestionInput {
        accepted_answers: Some(vec!["ok".to_owned(), "  ".to_owned()]),
        ..question(QuestionKind::ShortAnswer, "?")
    };
    expect_invalid_field(create(blank_answer), "accepted_answers[1]");
    let choices_on_text = QuestionInput {
        choices: Some(vec![choice("a", true), choice("b", false)]),
        ..short_answer()
    };
    expect_invalid_field(create(choices_on_text), "choices");
    let blank_prompt = QuestionInput {
        prompt: "   ".to_owned(),
        ..true_false()
    };
    expect_invalid_field(create(blank_prompt), "prompt");
    let zero_points = QuestionInput {
        points: Some(0),
        ..true_false()
    };
    expect_invalid_field(create(zero_points), "points");

    // Several rules broken at once are all reported.
    let many = QuestionInput {
        correct_answer: Some(true),
        choices: Some(vec![choice("a", false), choice("a", false)]),
        ..question(QuestionKind::SingleChoice, "?")
    };
    let err = expect_err(create(many), ErrorKind::Validation, "VALIDATION_ERROR");
    assert!(err.field_errors.len() >= 3, "{:?}", err.field_errors);
    assert!(
        quiz::list_questions(conn, &cast.instructor, cast.quiz_id)
            .unwrap()
            .is_empty()
    );
}

#[test]
fn questions_are_reordered_and_edits_keep_unchanged_choices() {
    let mut w = World::new();
    let cast = w.cast();
    let fix = with_questions(&mut w, &cast, QuizInput::default());
    let (conn, clock) = (&mut w.conn, &w.clock);
    let mut ids: Vec<i32> = fix.questions.iter().map(|q| q.id).collect();
    ids.reverse();
    let reordered = quiz::reorder_questions(
        conn,
        &cast.instructor,
        clock,
        cast.quiz_id,
        QuestionOrderInput {
            question_ids: ids.clone(),
        },
    )
    .unwrap();
    assert_eq!(reordered.iter().map(|q| q.id).collect::<Vec<_>>(), ids);
    // Not every question, or one twice: refused.
    for bad in [vec![ids[0]], vec![ids[0], ids[0], ids[1], ids[2]]] {
        expect_invalid_field(
            quiz::reorder_questions(
                conn,
                &cast.instructor,
                clock,
                cast.quiz_id,
                QuestionOrderInput { question_ids: bad },
            ),
            "question_ids",
        );
    }

    let single = fix.of(QuestionKind::SingleChoice).clone();
    let reworded = QuestionInput {
        prompt: "Which command starts a project?".to_owned(),
        ..single_choice()
    };
    let edited = quiz::update_question(conn, &cast.instructor, clock, single.id, reworded).unwrap();
    assert_eq!(edited.prompt, "Which command starts a project?");
    let same_ids = |a: &[mdsc_course::quiz::model::Choice],
                    b: &[mdsc_course::quiz::model::Choice]| {
        a.iter().map(|c| c.id).eq(b.iter().map(|c| c.id))
    };
    assert!(
        same_ids(&edited.choices, &single.choices),
        "same choices keep their ids"
    );
    let new_key = QuestionInput {
        choices: Some(vec![choice("cargo new", false), choice("cargo init", true)]),
        ..single_choice()
    };
    let rekeyed = quiz::update_question(conn, &cast.instructor, clock, single.id, new_key).unwrap();
    assert!(!same_ids(&rekeyed.choices, &single.choices));
    assert_eq!(rekeyed.choices.len(), 2);
}

#[test]
fn quiz_settings_are_validated_kept_and_cleared_with_null() {
    let mut w = World::new();
    let cast = w.cast();
    let (conn, clock) = (&mut w.conn, &w.clock);
    let settings = QuizInput {
        max_attempts: Some(Some(3)),
        time_limit_minutes: Some(Some(15)),
        shuffle_questions: Some(true),
        shuffle_choices: Some(true),
        reveal_answers: Some(RevealAnswers::AfterDue),
        ..QuizInput::default()
    };
    let quiz = update_quiz(conn, &cast.instructor, clock, cast.quiz_id, settings).unwrap();
    assert_eq!(
        (quiz.max_attempts, quiz.time_limit_minutes),
        (Some(3), Some(15))
    );
    assert!(quiz.shuffle_questions && quiz.shuffle_choices);
    assert_eq!(quiz.reveal_answers, RevealAnswers::AfterDue);

    // Absent: unchanged; null: cleared (unlimited).
    let title_only = QuizInput {
        title: Some("Renamed".to_owned()),
        ..QuizInput::default()
    };
    let quiz = update_quiz(conn, &cast.instructor, clock, cast.quiz_id, title_only).unwrap();
    assert_eq!(
        (quiz.max_attempts, quiz.time_limit_minutes),
        (Some(3), Some(15))
    );
    let cleared = QuizInput {
        max_attempts: Some(None),
        time_limit_minutes: Some(None),
        ..QuizInput::default()
    };
    let quiz = update_quiz(conn, &cast.instructor, clock, cast.quiz_id, cleared).unwrap();
    assert_eq!((quiz.max_attempts, quiz.time_limit_minutes), (None, None));

    for (bad, field) in [
        (
            QuizInput {
                max_attempts: Some(Some(0)),
                ..QuizInput::default()
            },
            "max_attempts",
        ),
        (
            QuizInput {
                max_attempts: Some(Some(101)),
                ..QuizInput::default()
            },
            "max_attempts",
        ),
        (
            QuizInput {
                time_limit_minutes: Some(Some(0)),
                ..QuizInput::default()
            },
            "time_limit_minutes",
        ),
        (
            QuizInput {
                time_limit_minutes: Some(Some(1441)),
                ..QuizInput::default()
            },
            "time_limit_minutes",
        ),
    ] {
        expect_invalid_field(
            update_quiz(conn, &cast.instructor, clock, cast.quiz_id, bad),
            field,
        );
    }
}
