//! Quizzes over HTTP (issue 19): the routes' wiring and envelopes, who may
//! read questions, and that no student-facing route carries the answer
//! key. The grading rules themselves are tested in mdsc-course.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use mdsc_auth::Role;
use serde_json::{Value, json};

use crate::common::{CourseFixture, TestApp, assert_invalid};

/// Fields and texts that would give an answer away.
const KEY_FIELDS: [&str; 3] = ["correct_choice_ids", "accepted_answers", "explanation"];
const EXPLANATION: &str = "Only mut makes a binding mutable";
const ACCEPTED: &str = "borrow checker";

fn key_leaks(value: &Value) -> Vec<String> {
    fn walk(value: &Value, path: &str, found: &mut Vec<String>) {
        match value {
            Value::Object(map) => {
                for (k, v) in map {
                    let here = format!("{path}.{k}");
                    if KEY_FIELDS.contains(&k.as_str()) {
                        found.push(here.clone());
                    }
                    walk(v, &here, found);
                }
            }
            Value::Array(items) => {
                for (i, v) in items.iter().enumerate() {
                    walk(v, &format!("{path}[{i}]"), found);
                }
            }
            Value::String(s) if s.contains(EXPLANATION) || s.contains(ACCEPTED) => {
                found.push(format!("{path} = {s}"));
            }
            _ => {}
        }
    }
    let mut found = Vec::new();
    walk(value, "", &mut found);
    found
}

struct Quiz {
    prof: String,
    fixture: CourseFixture,
    short_answer_id: i64,
}

/// The fixture's course; its quiz gets an explanation on its question, a
/// short-answer question, and `reveal_answers: never`.
async fn quiz(app: &TestApp) -> Quiz {
    let (prof, _) = app.user("prof@example.com", Role::Instructor).await;
    let fixture = app.course_with_content(&prof).await;
    app.put(
        &format!("/api/quiz-questions/{}", fixture.question_id),
        Some(&prof),
        json!({"kind": "single_choice", "prompt": "Which keyword makes a binding mutable?",
            "explanation": EXPLANATION,
            "choices": [{"text": "mut", "is_correct": true}, {"text": "var"}]}),
    )
    .await
    .assert_ok(200);
    let short = app
        .post(
            &format!("/api/quizzes/{}/questions", fixture.quiz_id),
            Some(&prof),
            json!({"kind": "short_answer", "prompt": "What checks references?", "points": 1,
                "accepted_answers": [ACCEPTED]}),
        )
        .await;
    let short_answer_id = short.assert_ok(201)["id"].as_i64().unwrap();
    let settings = app
        .put(
            &format!("/api/quizzes/{}", fixture.quiz_id),
            Some(&prof),
            json!({"reveal_answers": "never", "max_attempts": 3, "time_limit_minutes": 30}),
        )
        .await;
    let settings = settings.assert_ok(200);
    assert_eq!(settings["reveal_answers"], "never");
    assert_eq!(settings["max_attempts"], 3);
    Quiz {
        prof,
        fixture,
        short_answer_id,
    }
}

#[actix_web::test]
async fn questions_with_their_key_are_for_course_staff_only() {
    let app = TestApp::new();
    let q = quiz(&app).await;
    let (enrolled, _) = app.user("enrolled@example.com", Role::Student).await;
    app.enroll(&enrolled, q.fixture.course_id).await;
    let (outsider, _) = app.user("outsider@example.com", Role::Student).await;
    let (other_prof, _) = app.user("other@example.com", Role::Instructor).await;
    let (admin, _) = app.user("admin@example.com", Role::Admin).await;
    let path = format!("/api/quizzes/{}/questions", q.fixture.quiz_id);

    app.get(&path, None)
        .await
        .assert_error(401, "UNAUTHENTICATED");
    for token in [&outsider, &enrolled, &other_prof] {
        app.get(&path, Some(token))
            .await
            .assert_error(403, "FORBIDDEN");
        app.post(
            &path,
            Some(token),
            json!({"kind": "true_false", "prompt": "?", "correct_answer": true}),
        )
        .await
        .assert_error(403, "FORBIDDEN");
    }
    for token in [&q.prof, &admin] {
        let questions = app.get(&path, Some(token)).await;
        let questions = questions.assert_ok(200);
        assert_eq!(questions.as_array().unwrap().len(), 2);
        assert_eq!(questions[0]["choices"][0]["is_correct"], true);
        assert_eq!(questions[1]["accepted_answers"], json!([ACCEPTED]));
    }
    for path in [
        format!("/api/quizzes/{}/attempts", q.fixture.quiz_id),
        format!("/api/quizzes/{}/statistics", q.fixture.quiz_id),
    ] {
        app.get(&path, Some(&enrolled))
            .await
            .assert_error(403, "FORBIDDEN");
        app.get(&path, Some(&admin)).await.assert_ok(200);
    }
    // A question that breaks a rule: 422 naming the field.
    let bad = app
        .post(
            &path,
            Some(&q.prof),
            json!({"kind": "single_choice", "prompt": "?",
            "choices": [{"text": "a"}, {"text": "b"}]}),
        )
        .await;
    assert_invalid(&bad, "choices");
}

#[actix_web::test]
async fn no_student_facing_route_carries_the_answer_key() {
    let app = TestApp::new();
    let q = quiz(&app).await;
    let f = &q.fixture;
    let (student, _) = app.user("student@example.com", Role::Student).await;
    let eid = app.enroll(&student, f.course_id).await;
    let mut bodies: Vec<(String, Value)> = Vec::new();
    let mut keep = |route: &str, body: &Value| bodies.push((route.to_owned(), body.clone()));

    let started = app
        .post(
            &format!("/api/enrollments/{eid}/quizzes/{}/attempts", f.quiz_id),
            Some(&student),
            json!({}),
        )
        .await;
    let started = started.assert_ok(200).clone();
    keep("startQuizAttempt", &started);
    assert_eq!(started["attempt"]["status"], "in_progress");
    assert_eq!(started["questions"].as_array().unwrap().len(), 2);
    assert!(started["questions"][0].get("is_correct").is_none());
    let attempt_id = started["attempt"]["id"].as_i64().unwrap();

    let answers = json!({"answers": [
        {"question_id": f.question_id, "choice_ids": [f.right_choice]},
        {"question_id": q.short_answer_id, "text": "Borrow  Checker"}]});
    let saved = app
        .put(
            &format!("/api/quiz-attempts/{attempt_id}/answers"),
            Some(&student),
            answers.clone(),
        )
        .await;
    keep("saveQuizAttemptAnswers", saved.assert_ok(200));
    let read = app
        .get(&format!("/api/quiz-attempts/{attempt_id}"), Some(&student))
        .await;
    keep("getQuizAttempt (in progress)", read.assert_ok(200));

    let graded = app
        .post(
            &format!("/api/quiz-attempts/{attempt_id}/submit"),
            Some(&student),
            json!({}),
        )
        .await;
    let graded = graded.assert_ok(200).clone();
    keep("submitQuizAttempt", &graded);
    assert_eq!(graded["attempt"]["score"], 100.0);
    assert_eq!(graded["answers_revealed"], false);
    assert_eq!(
        graded["questions"][0]["is_correct"], true,
        "results are shown, not the key"
    );
    app.post(
        &format!("/api/quiz-attempts/{attempt_id}/submit"),
        Some(&student),
        json!({}),
    )
    .await
    .assert_error(409, "ATTEMPT_ALREADY_GRADED");

    let at_once = app.answer_quiz(&student, eid, f, false).await;
    keep("submitQuizResult", at_once.assert_ok(200));
    for route in [
        format!("/api/quiz-attempts/{attempt_id}"),
        format!("/api/enrollments/{eid}/quizzes/{}/attempts", f.quiz_id),
        format!("/api/courses/{}/structure", f.course_id),
        format!("/api/enrollments/{eid}/progress"),
        "/api/notifications".to_owned(),
    ] {
        let res = app.get(&route, Some(&student)).await;
        keep(&route, res.assert_ok(200));
    }
    for (route, body) in &bodies {
        assert_eq!(
            key_leaks(body),
            Vec::<String>::new(),
            "{route} leaks the key: {body}"
        );
    }
    // The same attempt, read by the course's instructor, has the key.
    let staff = app
        .get(&format!("/api/quiz-attempts/{attempt_id}"), Some(&q.prof))
        .await;
    let staff = staff.assert_ok(200);
    assert_eq!(staff["answers_revealed"], true);
    assert_eq!(
        staff["questions"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|q| q.get("explanation").is_some())
            .count(),
        1
    );
}

#[actix_web::test]
async fn a_score_from_the_client_is_refused_and_staff_grade_quizzes_without_questions() {
    let app = TestApp::new();
    let (prof, prof_id) = app.user("prof@example.com", Role::Instructor).await;
    let f = app.course_with_content(&prof).await;
    let (student, _) = app.user("student@example.com", Role::Student).await;
    let eid = app.enroll(&student, f.course_id).await;
    let submit = format!("/api/enrollments/{eid}/quizzes/{}/submit", f.quiz_id);
    app.post(&submit, Some(&student), json!({"score": 100}))
        .await
        .assert_error(403, "SCORE_NOT_ACCEPTED");
    assert_invalid(
        &app.post(&submit, Some(&student), json!({})).await,
        "answers",
    );

    // A quiz without questions: graded by staff, with who graded it.
    let paper = app
        .post(
            &format!("/api/modules/{}/quizzes", f.module_id),
            Some(&prof),
            json!({"title": "Oral exam", "passing_score": 50}),
        )
        .await;
    let paper_id = paper.assert_ok(201)["id"].as_i64().unwrap();
    let grade = format!("/api/enrollments/{eid}/quizzes/{paper_id}/grade");
    app.put(&grade, Some(&student), json!({"score": 100}))
        .await
        .assert_error(403, "FORBIDDEN");
    app.post(
        &format!("/api/enrollments/{eid}/quizzes/{paper_id}/attempts"),
        Some(&student),
        json!({}),
    )
    .await
    .assert_error(409, "QUIZ_HAS_NO_QUESTIONS");
    let graded = app.put(&grade, Some(&prof), json!({"score": 75})).await;
    let graded = graded.assert_ok(200);
    assert_eq!(graded["attempt"]["passed"], true);
    assert_eq!(graded["attempt"]["graded_by"], prof_id);
    app.put(
        &format!("/api/enrollments/{eid}/quizzes/{}/grade", f.quiz_id),
        Some(&prof),
        json!({"score": 75}),
    )
    .await
    .assert_error(409, "QUIZ_GRADED_ON_SERVER");
    assert_invalid(
        &app.put(&grade, Some(&prof), json!({"score": 101})).await,
        "score",
    );
}

#[actix_web::test]
async fn the_attempt_limit_answers_409() {
    let app = TestApp::new();
    let (prof, _) = app.user("prof@example.com", Role::Instructor).await;
    let f = app.course_with_content(&prof).await;
    app.put(
        &format!("/api/quizzes/{}", f.quiz_id),
        Some(&prof),
        json!({"max_attempts": 1}),
    )
    .await
    .assert_ok(200);
    let (student, _) = app.user("student@example.com", Role::Student).await;
    let eid = app.enroll(&student, f.course_id).await;
    app.answer_quiz(&student, eid, &f, false)
        .await
        .assert_ok(200);
    app.answer_quiz(&student, eid, &f, true)
        .await
        .assert_error(409, "ATTEMPTS_EXHAUSTED");
    let mine = app
        .get(
            &format!("/api/enrollments/{eid}/quizzes/{}/attempts", f.quiz_id),
            Some(&student),
        )
        .await;
    let mine = mine.assert_ok(200);
    assert_eq!(mine["pagination"]["total"], 1);
    assert_eq!(mine["data"][0]["score"], 0.0);
}
