//! Taking a quiz: attempts started, answered and graded on the server;
//! the answer key held back; time and attempt limits; no client-chosen
//! score; what follows for progress and the certificate.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use mdsc_core::PageParams;
use mdsc_core::{ErrorKind, ManualClock};
use mdsc_course::RevealAnswers;
use mdsc_course::certificate::issue_certificate;
use mdsc_course::progress::get_progress;
use mdsc_course::quiz::model::{AttemptStatus, QuestionKind};
use mdsc_course::quiz::{self, AttemptFilter, QuizSubmitInput};
use mdsc_course::structure::QuizInput;

use crate::common::*;
use crate::quiz_common::*;

#[test]
fn each_question_kind_is_graded_on_the_server() {
    let mut w = World::new();
    let cast = w.cast();
    let fix = with_questions(&mut w, &cast, QuizInput::default());
    let (student, id) = (cast.enrolled, cast.enrollment_id);
    use QuestionKind::*;
    // Single choice right (2), multiple choice 2 right + 1 wrong of 3
    // right (3 points: 1 each, 2 - 1 = 1), true/false wrong (0 of 1),
    // short answer right whatever the case and spaces (4): 7 of 10.
    let mc = fix.of(MultipleChoice);
    let mut mc_answer: Vec<i32> = fix.right(MultipleChoice).into_iter().take(2).collect();
    mc_answer.extend(fix.wrong(MultipleChoice));
    let answers = vec![
        choices_answer(fix.of(SingleChoice).id, fix.right(SingleChoice)),
        choices_answer(mc.id, mc_answer),
        choices_answer(fix.of(TrueFalse).id, fix.wrong(TrueFalse)),
        text_answer(fix.of(ShortAnswer).id, "  FERRIS le Crabe "),
    ];
    let graded = w
        .submit_answers(&student, id, fix.quiz_id, answers)
        .unwrap();
    let attempt = &graded.attempt;
    assert_eq!(attempt.status, AttemptStatus::Graded);
    assert_eq!(
        (attempt.points, attempt.max_points),
        (Some(7.0), Some(10.0))
    );
    assert_eq!(attempt.score, Some(70.0));
    assert!(attempt.passed, "the cast's quiz passes at 60");
    let result = |kind: QuestionKind| {
        let q = graded.questions.iter().find(|q| q.kind == kind).unwrap();
        (q.is_correct.unwrap(), q.points_awarded.unwrap())
    };
    assert_eq!(result(SingleChoice), (true, 2.0));
    assert_eq!(result(MultipleChoice), (false, 1.0));
    assert_eq!(result(TrueFalse), (false, 0.0));
    assert_eq!(result(ShortAnswer), (true, 4.0));
    assert_eq!(
        graded.enrollment.progress_percentage, 33.33,
        "the quiz counts as passed"
    );

    // Nothing answered: 0 %, every question recorded as wrong.
    let blank = w
        .submit_answers(&student, id, fix.quiz_id, Vec::new())
        .unwrap();
    assert_eq!(blank.attempt.score, Some(0.0));
    assert!(!blank.attempt.passed);
    assert!(blank.questions.iter().all(|q| q.is_correct == Some(false)));
    assert_eq!(blank.attempt.attempt_number, 2);
}

#[test]
fn a_client_chosen_score_is_refused_for_every_quiz() {
    let mut w = World::new();
    let cast = w.cast();
    let (student, id) = (cast.enrolled, cast.enrollment_id);
    let by_score = |w: &mut World, quiz_id: i32| {
        quiz::submit_quiz(
            &mut w.conn,
            &student,
            &w.clock,
            id,
            quiz_id,
            QuizSubmitInput {
                score: Some(100.0),
                answers: None,
            },
        )
    };
    // Without questions (graded by staff) and with them (by the server).
    let err = expect_err(
        by_score(&mut w, cast.quiz_id),
        ErrorKind::Forbidden,
        "SCORE_NOT_ACCEPTED",
    );
    assert!(err.message.contains("course staff"), "{}", err.message);
    let fix = with_questions(&mut w, &cast, QuizInput::default());
    let err = expect_err(
        by_score(&mut w, fix.quiz_id),
        ErrorKind::Forbidden,
        "SCORE_NOT_ACCEPTED",
    );
    assert!(err.message.contains("send answers"), "{}", err.message);
    // A score next to answers is refused too.
    let both = quiz::submit_quiz(
        &mut w.conn,
        &student,
        &w.clock,
        id,
        fix.quiz_id,
        QuizSubmitInput {
            score: Some(100.0),
            answers: Some(fix.all_right()),
        },
    );
    expect_err(both, ErrorKind::Forbidden, "SCORE_NOT_ACCEPTED");
    let progress = get_progress(&mut w.conn, &student, id).unwrap();
    assert!(progress.passed_quiz_ids.is_empty());
    // Staff cannot give a grade where the server grades.
    expect_err(
        w.grade(&cast.instructor, id, fix.quiz_id, 100.0),
        ErrorKind::Conflict,
        "QUIZ_GRADED_ON_SERVER",
    );
}

#[test]
fn no_certificate_without_passing_the_quiz_on_the_server() {
    let mut w = World::new();
    let cast = w.cast();
    let fix = with_questions(&mut w, &cast, QuizInput::default());
    let (student, id) = (cast.enrolled, cast.enrollment_id);
    for lesson_id in cast.lesson_ids.clone() {
        w.complete(&student, id, lesson_id).unwrap();
    }
    let failed = w
        .submit_answers(&student, id, fix.quiz_id, Vec::new())
        .unwrap();
    assert_eq!(failed.enrollment.progress_percentage, 66.67);
    expect_err(
        issue_certificate(&mut w.conn, &student, &w.clock, id),
        ErrorKind::Conflict,
        "COURSE_NOT_COMPLETED",
    );
    let passed = w
        .submit_answers(&student, id, fix.quiz_id, fix.all_right())
        .unwrap();
    assert_eq!(passed.attempt.score, Some(100.0));
    assert_eq!(passed.enrollment.progress_percentage, 100.0);
    issue_certificate(&mut w.conn, &student, &w.clock, id).unwrap();
}

#[test]
fn only_the_enrolled_student_takes_the_quiz() {
    let mut w = World::new();
    let cast = w.cast();
    let fix = with_questions(&mut w, &cast, QuizInput::default());
    expect_only_the_student(&mut w, &cast, |w, actor| {
        w.start(actor, cast.enrollment_id, fix.quiz_id)
    });
    let attempt = w
        .start(&cast.enrolled, cast.enrollment_id, fix.quiz_id)
        .unwrap()
        .attempt;
    expect_only_the_student(&mut w, &cast, |w, actor| {
        w.save(actor, attempt.id, Vec::new())
    });
    expect_only_the_student(&mut w, &cast, |w, actor| {
        w.submit_attempt(actor, attempt.id, Vec::new())
    });
    // Staff read it (with the key); others do not find it.
    for staff in cast.staff() {
        let seen = quiz::get_attempt(&mut w.conn, &staff, &w.clock, attempt.id).unwrap();
        assert!(seen.answers_revealed);
    }
    for outsider in cast.outsiders() {
        expect_not_found(quiz::get_attempt(
            &mut w.conn,
            &outsider,
            &w.clock,
            attempt.id,
        ));
    }
    // A quiz of another course is not found through this enrollment.
    let other = w.course(&cast.instructor, "Elsewhere");
    let module = w.module(&cast.instructor, other.id, "M");
    let foreign = w.quiz(&cast.instructor, module.id, "Foreign");
    expect_not_found(w.start(&cast.enrolled, cast.enrollment_id, foreign.id));
}

#[test]
fn the_answer_key_is_hidden_until_the_reveal_setting_allows_it() {
    for reveal in [
        RevealAnswers::AfterSubmit,
        RevealAnswers::Never,
        RevealAnswers::AfterDue,
    ] {
        let mut w = World::new();
        let cast = w.cast();
        let settings = QuizInput {
            reveal_answers: Some(reveal),
            due_offset_days: Some(7),
            ..QuizInput::default()
        };
        let fix = with_questions(&mut w, &cast, settings);
        let (student, id) = (cast.enrolled, cast.enrollment_id);

        let started = w.start(&student, id, fix.quiz_id).unwrap();
        let value = serde_json::to_value(&started).unwrap();
        assert_eq!(
            key_fields(&value),
            Vec::<String>::new(),
            "{reveal:?}: started attempt"
        );
        assert_eq!(leaked_key_texts(&value, &fix), Vec::<String>::new());
        let saved = w
            .save(&student, started.attempt.id, fix.all_right())
            .unwrap();
        let value = serde_json::to_value(&saved).unwrap();
        assert_eq!(
            key_fields(&value),
            Vec::<String>::new(),
            "{reveal:?}: saved attempt"
        );

        let graded = w
            .submit_attempt(&student, started.attempt.id, Vec::new())
            .unwrap();
        let value = serde_json::to_value(&graded).unwrap();
        let fields = key_fields(&value);
        let shows_key = fields.iter().any(|f| f.ends_with("correct_choice_ids"));
        let shows_result = fields.iter().all(|f| {
            f.ends_with("is_correct")
                || f.ends_with("correct_choice_ids")
                || f.ends_with("accepted_answers")
                || f.ends_with("explanation")
        });
        assert!(shows_result);
        assert_eq!(graded.answers_revealed, shows_key);
        assert_eq!(
            shows_key,
            reveal == RevealAnswers::AfterSubmit,
            "{reveal:?}: {fields:?}"
        );
        if reveal != RevealAnswers::AfterSubmit {
            assert_eq!(
                leaked_key_texts(&value, &fix),
                Vec::<String>::new(),
                "{reveal:?}"
            );
        }
        // Every question says whether it was right, whatever the setting.
        assert!(graded.questions.iter().all(|q| q.is_correct == Some(true)));

        // Read again after the due date.
        w.clock.advance(Duration::days(8));
        let later = quiz::get_attempt(&mut w.conn, &student, &w.clock, started.attempt.id).unwrap();
        let expected = reveal != RevealAnswers::Never;
        assert_eq!(
            later.answers_revealed, expected,
            "{reveal:?} after the due date"
        );
        let short = later
            .questions
            .iter()
            .find(|q| q.kind == QuestionKind::ShortAnswer)
            .unwrap();
        assert_eq!(short.accepted_answers.is_some(), expected);
        // Staff always see it.
        let staff_view =
            quiz::get_attempt(&mut w.conn, &cast.instructor, &w.clock, started.attempt.id).unwrap();
        assert!(staff_view.answers_revealed);
    }
}

#[test]
fn shuffled_order_is_stable_within_an_attempt_and_drawn_per_attempt() {
    let mut w = World::new();
    let cast = w.cast();
    let settings = QuizInput {
        shuffle_questions: Some(true),
        shuffle_choices: Some(true),
        ..QuizInput::default()
    };
    let fix = with_questions(&mut w, &cast, settings);
    // Ten more questions, so that two attempts in the same order are
    // (almost) impossible by chance: 1 in 14!.
    for i in 0..10 {
        let input = mdsc_course::quiz::QuestionInput {
            prompt: format!("Statement {i}"),
            ..true_false()
        };
        quiz::create_question(&mut w.conn, &cast.instructor, &w.clock, fix.quiz_id, input).unwrap();
    }
    let (student, id) = (cast.enrolled, cast.enrollment_id);
    let order = |d: &mdsc_course::quiz::model::AttemptDetail| {
        d.questions
            .iter()
            .map(|q| (q.id, q.choices.iter().map(|c| c.id).collect::<Vec<_>>()))
            .collect::<Vec<_>>()
    };
    let mut orders = Vec::new();
    for _ in 0..3 {
        let first = w.start(&student, id, fix.quiz_id).unwrap();
        let resumed = w.start(&student, id, fix.quiz_id).unwrap();
        assert_eq!(
            resumed.attempt.id, first.attempt.id,
            "starting again resumes"
        );
        let read = quiz::get_attempt(&mut w.conn, &student, &w.clock, first.attempt.id).unwrap();
        assert_eq!(order(&first), order(&resumed));
        assert_eq!(order(&first), order(&read));
        let graded = w
            .submit_attempt(&student, first.attempt.id, Vec::new())
            .unwrap();
        let graded_order: Vec<i32> = graded.questions.iter().map(|q| q.id).collect();
        assert_eq!(
            graded_order,
            order(&first).iter().map(|(q, _)| *q).collect::<Vec<_>>()
        );
        orders.push(order(&first));
    }
    orders.dedup();
    assert!(orders.len() > 1, "three attempts drew one order");
}

#[test]
fn past_the_time_limit_the_attempt_is_graded_with_what_was_saved() {
    let mut w = World::new();
    let cast = w.cast();
    let settings = QuizInput {
        time_limit_minutes: Some(Some(10)),
        ..QuizInput::default()
    };
    let fix = with_questions(&mut w, &cast, settings);
    let (student, id) = (cast.enrolled, cast.enrollment_id);
    use QuestionKind::*;

    let started = w.start(&student, id, fix.quiz_id).unwrap();
    let deadline = started.attempt.deadline_at.unwrap();
    assert_eq!(deadline.to_rfc3339(), "2026-01-15T10:10:00+00:00");
    // Saved in time: the single choice (2 points of 10).
    let single = choices_answer(fix.of(SingleChoice).id, fix.right(SingleChoice));
    w.save(&student, started.attempt.id, vec![single]).unwrap();
    // Within the grace: still accepted.
    w.clock
        .advance(Duration::minutes(10) + Duration::seconds(20));
    let tf = choices_answer(fix.of(TrueFalse).id, fix.right(TrueFalse));
    w.save(&student, started.attempt.id, vec![tf]).unwrap();
    // Past it: the answers sent now do not count.
    w.clock.advance(Duration::seconds(30));
    let late = w
        .submit_attempt(&student, started.attempt.id, fix.all_right())
        .unwrap();
    assert_eq!(
        late.attempt.points,
        Some(3.0),
        "only what was saved in time"
    );
    assert_eq!(late.attempt.score, Some(30.0));
    assert_eq!(
        late.attempt.submitted_at.unwrap().to_rfc3339(),
        "2026-01-15T10:10:30+00:00",
        "submitted when the grace ended"
    );
    expect_err(
        w.submit_attempt(&student, started.attempt.id, Vec::new()),
        ErrorKind::Conflict,
        "ATTEMPT_ALREADY_GRADED",
    );
}

#[test]
fn the_worker_grades_attempts_whose_time_ran_out() {
    let mut w = World::new();
    let cast = w.cast();
    let settings = QuizInput {
        time_limit_minutes: Some(Some(5)),
        ..QuizInput::default()
    };
    let fix = with_questions(&mut w, &cast, settings);
    let (student, id) = (cast.enrolled, cast.enrollment_id);
    let started = w.start(&student, id, fix.quiz_id).unwrap();
    w.save(&student, started.attempt.id, fix.all_right())
        .unwrap();

    w.clock.advance(Duration::minutes(5));
    assert!(
        quiz::grade_expired_attempts(&mut w.conn, &w.clock)
            .unwrap()
            .is_empty(),
        "within the grace"
    );
    w.clock.advance(Duration::minutes(1));
    let graded = quiz::grade_expired_attempts(&mut w.conn, &w.clock).unwrap();
    assert_eq!(graded, [(id, fix.quiz_id, true)]);
    let read = quiz::get_attempt(&mut w.conn, &student, &w.clock, started.attempt.id).unwrap();
    assert_eq!(read.attempt.status, AttemptStatus::Graded);
    assert_eq!(read.attempt.score, Some(100.0));
    let progress = get_progress(&mut w.conn, &student, id).unwrap();
    assert_eq!(progress.passed_quiz_ids, [fix.quiz_id]);
    assert!(
        quiz::grade_expired_attempts(&mut w.conn, &w.clock)
            .unwrap()
            .is_empty(),
        "once"
    );
}

#[test]
fn attempts_beyond_the_limit_are_refused_even_when_submitted_at_once() {
    let mut w = World::new();
    let cast = w.cast();
    let settings = QuizInput {
        max_attempts: Some(Some(2)),
        ..QuizInput::default()
    };
    let fix = with_questions(&mut w, &cast, settings);
    let (student, id, quiz_id) = (cast.enrolled, cast.enrollment_id, fix.quiz_id);
    let answers = fix.all_right();
    let results = race(&w.db.pool(), 6, move |_, conn| {
        let clock = ManualClock::starting_at(START);
        quiz::submit_quiz(
            conn,
            &student,
            &clock,
            id,
            quiz_id,
            QuizSubmitInput {
                score: None,
                answers: Some(answers.clone()),
            },
        )
    });
    let accepted = results.iter().filter(|r| r.is_ok()).count();
    assert_eq!(accepted, 2, "{results:?}");
    for refused in results.into_iter().filter(Result::is_err) {
        expect_err(refused, ErrorKind::Conflict, "ATTEMPTS_EXHAUSTED");
    }
    let mine =
        quiz::list_enrollment_attempts(&mut w.conn, &student, id, quiz_id, PageParams::default())
            .unwrap();
    let numbers: Vec<i32> = mine.data.iter().map(|a| a.attempt_number).collect();
    assert_eq!(numbers, [2, 1]);
    expect_err(
        w.start(&student, id, quiz_id),
        ErrorKind::Conflict,
        "ATTEMPTS_EXHAUSTED",
    );
}

#[test]
fn answers_must_belong_to_the_quiz_and_fit_the_question() {
    let mut w = World::new();
    let cast = w.cast();
    let fix = with_questions(&mut w, &cast, QuizInput::default());
    let (student, id) = (cast.enrolled, cast.enrollment_id);
    let attempt = w.start(&student, id, fix.quiz_id).unwrap().attempt;
    use QuestionKind::*;
    let single = fix.of(SingleChoice).id;
    let mc = fix.of(MultipleChoice);
    let cases = vec![
        (
            vec![choices_answer(999_999, vec![])],
            "answers[0].question_id",
        ),
        (
            vec![choices_answer(single, vec![mc.choices[0].id])],
            "answers[0].choice_ids",
        ),
        (
            vec![choices_answer(
                single,
                [fix.right(SingleChoice), fix.wrong(SingleChoice)].concat(),
            )],
            "answers[0].choice_ids",
        ),
        (vec![text_answer(single, "cargo new")], "answers[0].text"),
        (
            vec![choices_answer(
                fix.of(ShortAnswer).id,
                vec![mc.choices[0].id],
            )],
            "answers[0].choice_ids",
        ),
        (
            vec![text_answer(fix.of(ShortAnswer).id, &"x".repeat(1001))],
            "answers[0].text",
        ),
        (
            vec![
                choices_answer(single, vec![]),
                choices_answer(single, vec![]),
            ],
            "answers[1].question_id",
        ),
    ];
    for (answers, field) in cases {
        expect_invalid_field(w.save(&student, attempt.id, answers), field);
    }
    // An empty answer clears a saved one.
    w.save(
        &student,
        attempt.id,
        vec![choices_answer(single, fix.right(SingleChoice))],
    )
    .unwrap();
    let cleared = w
        .save(&student, attempt.id, vec![choices_answer(single, vec![])])
        .unwrap();
    assert!(cleared.questions.iter().all(|q| q.answer.is_none()));
}

#[test]
fn staff_see_every_attempt_and_exact_question_statistics() {
    let mut w = World::new();
    let cast = w.cast();
    let fix = with_questions(&mut w, &cast, QuizInput::default());
    let second = w.student();
    let second_enrollment = w.enroll(&second, cast.course_id).id;
    w.submit_answers(
        &cast.enrolled,
        cast.enrollment_id,
        fix.quiz_id,
        fix.all_right(),
    )
    .unwrap();
    w.submit_answers(&second, second_enrollment, fix.quiz_id, Vec::new())
        .unwrap();
    w.start(&second, second_enrollment, fix.quiz_id).unwrap();

    for outsider in [cast.enrolled, cast.outsider, cast.other_instructor] {
        expect_forbidden(quiz::quiz_statistics(&mut w.conn, &outsider, fix.quiz_id));
        expect_forbidden(quiz::list_quiz_attempts(
            &mut w.conn,
            &outsider,
            fix.quiz_id,
            AttemptFilter::default(),
            PageParams::default(),
        ));
    }
    let stats = quiz::quiz_statistics(&mut w.conn, &cast.instructor, fix.quiz_id).unwrap();
    assert_eq!((stats.graded_attempts, stats.passed_attempts), (2, 1));
    assert_eq!(stats.average_score, Some(50.0));
    for q in &stats.questions {
        assert_eq!((q.answered_count, q.correct_count), (2, 1), "{}", q.prompt);
        assert_eq!(q.correct_rate, Some(0.5));
    }
    let all = quiz::list_quiz_attempts(
        &mut w.conn,
        &cast.admin,
        fix.quiz_id,
        AttemptFilter::default(),
        PageParams::default(),
    )
    .unwrap();
    assert_eq!(all.pagination.total, 3);
    assert_eq!(all.data[0].student.id, second.user_id, "newest first");
    let open = AttemptFilter {
        status: Some(AttemptStatus::InProgress),
    };
    let open = quiz::list_quiz_attempts(
        &mut w.conn,
        &cast.instructor,
        fix.quiz_id,
        open,
        PageParams::default(),
    )
    .unwrap();
    assert_eq!(open.data.len(), 1);
    // A student's answers, with the key, for staff.
    let graded_id = all.data[2].attempt.id;
    let detail = quiz::get_attempt(&mut w.conn, &cast.instructor, &w.clock, graded_id).unwrap();
    assert!(
        detail
            .questions
            .iter()
            .all(|q| q.answer.is_some() && q.is_correct == Some(true))
    );
}

#[test]
fn a_cancelled_enrollment_takes_no_quiz() {
    let mut w = World::new();
    let cast = w.cast();
    let fix = with_questions(&mut w, &cast, QuizInput::default());
    mdsc_course::enrollment::cancel_enrollment(
        &mut w.conn,
        &cast.enrolled,
        &w.clock,
        cast.enrollment_id,
    )
    .unwrap();
    expect_err(
        w.start(&cast.enrolled, cast.enrollment_id, fix.quiz_id),
        ErrorKind::Conflict,
        "ENROLLMENT_CANCELLED",
    );
    expect_err(
        w.submit_answers(
            &cast.enrolled,
            cast.enrollment_id,
            fix.quiz_id,
            fix.all_right(),
        ),
        ErrorKind::Conflict,
        "ENROLLMENT_CANCELLED",
    );
}

#[test]
fn a_quiz_without_questions_cannot_be_started() {
    let mut w = World::new();
    let cast = w.cast();
    expect_err(
        w.start(&cast.enrolled, cast.enrollment_id, cast.quiz_id),
        ErrorKind::Conflict,
        "QUIZ_HAS_NO_QUESTIONS",
    );
}
