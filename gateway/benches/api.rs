//! Request latency of the hot read and write paths, in process (no network),
//! on a database with realistic volume. `cargo bench -p mdsc-gateway`
//! (SQLite), or with `TEST_DATABASE_URL=postgres://…` for PostgreSQL.
//!
//! Seeds 2,000 courses and one student enrolled in 500 of them, 20 live
//! sessions on the first of those with 2,000 chat messages in one, and its
//! forum with 1,000 topics, one of them with 200 threads of 3 replies,
//! study schedules for 20 of the enrollments plus one course of 100
//! lessons and 10 quizzes; then times each request kind and prints p50 / p95 / max in microseconds.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::Instant;

use actix_web::test;
use chrono::Duration;
use mdsc_auth::{Principal, RegisterInput, Role, TokenKeys};
use mdsc_core::testing::TestDb;
use mdsc_core::{Clock, ManualClock, write_transaction};
use mdsc_course::course::{CourseInput, create_course};
use mdsc_course::enrollment::{EnrollInput, enroll};
use mdsc_course::structure::{LessonInput, ModuleInput, create_lesson, create_module};
use mdsc_gateway::{AppState, Config, build_app};

const COURSES: usize = 2_000;
const ENROLLED: usize = 500;
const SAMPLES: usize = 300;
const LIVE_SESSIONS: usize = 20;
const CHAT_MESSAGES: usize = 2_000;
const FORUM_TOPICS: usize = 1_000;
const FORUM_THREADS: usize = 200;
/// Enrollments with a generated schedule: the feed holds all of them.
const SCHEDULED: usize = 20;
/// The large course whose schedule is re-planned: modules × lessons each.
const PLAN_MODULES: usize = 10;
const PLAN_LESSONS: usize = 10;
/// No anti-spam bound is met while seeding or measuring.
const UNBOUNDED_FORUM: mdsc_forum::ForumSettings = mdsc_forum::ForumSettings {
    topics_per_minute: u32::MAX,
    replies_per_minute: u32::MAX,
    reactions_per_minute: u32::MAX,
    reports_per_hour: u32::MAX,
};

fn user(
    conn: &mut mdsc_core::DbConnection,
    clock: &ManualClock,
    email: &str,
    role: Role,
) -> Principal {
    let input = RegisterInput {
        email: email.to_owned(),
        password: "password123".to_owned(),
        first_name: "B".to_owned(),
        last_name: "M".to_owned(),
    };
    let user = mdsc_auth::service::create_user_with_role(conn, clock, input, role).unwrap();
    Principal {
        user_id: user.id,
        role,
    }
}

async fn measure<S, B>(app: &S, token: &str, label: &str, make: &dyn Fn(usize) -> test::TestRequest)
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    B: actix_web::body::MessageBody,
{
    let mut micros = Vec::with_capacity(SAMPLES);
    for i in 0..SAMPLES {
        let req = make(i)
            .insert_header(("Authorization", format!("Bearer {token}")))
            .to_request();
        let started = Instant::now();
        let res = test::call_service(app, req).await;
        assert!(res.status().is_success(), "{label}: {}", res.status());
        let _ = test::read_body(res).await;
        micros.push(started.elapsed().as_micros());
    }
    report(label, micros);
}

fn report(name: &str, mut micros: Vec<u128>) {
    micros.sort_unstable();
    let at = |q: f64| micros[((micros.len() as f64 - 1.0) * q) as usize];
    println!(
        "{name:<44} p50 {:>7} µs   p95 {:>7} µs   max {:>7} µs",
        at(0.5),
        at(0.95),
        at(1.0)
    );
}

#[actix_web::main]
async fn main() {
    let db = TestDb::new();
    let clock = Arc::new(ManualClock::starting_at("2026-01-15T10:00:00Z"));
    let seed_start = Instant::now();
    let (student, lesson_ids, live_course, live_session, forum, schedules) = {
        let mut conn = db.conn();
        let teacher = user(&mut conn, &clock, "prof@bench.test", Role::Instructor);
        let student = user(&mut conn, &clock, "student@bench.test", Role::Student);
        let mut lesson_ids = Vec::new();
        write_transaction(&mut conn, |conn| -> Result<(), mdsc_core::Error> {
            for i in 0..COURSES {
                let input = CourseInput {
                    title: format!("Course {i}"),
                    ..CourseInput::default()
                };
                let course = create_course(conn, &teacher, clock.as_ref(), input)?;
                if i < ENROLLED {
                    let module = create_module(
                        conn,
                        &teacher,
                        clock.as_ref(),
                        course.id,
                        ModuleInput {
                            title: Some("M".into()),
                            ..ModuleInput::default()
                        },
                    )?;
                    let lesson = create_lesson(
                        conn,
                        &teacher,
                        clock.as_ref(),
                        module.id,
                        LessonInput {
                            title: Some("L".into()),
                            duration_minutes: Some(30),
                            ..LessonInput::default()
                        },
                    )?;
                    let enrollment = enroll(
                        conn,
                        &student,
                        clock.as_ref(),
                        EnrollInput {
                            course_id: course.id,
                            payment_id: None,
                            auto_generate_schedule: None,
                        },
                    )?;
                    lesson_ids.push((enrollment.id, lesson.id));
                }
            }
            Ok(())
        })
        .unwrap();
        let live_course = 1;
        let live_session = seed_live(&mut conn, &clock, &teacher, &student, live_course);
        let forum = seed_forum(&mut conn, &clock, &teacher, live_course);
        let schedules = seed_schedules(&mut conn, &clock, &teacher, &student, &lesson_ids);
        // Fresh statistics, as autovacuum keeps them in production: without
        // them PostgreSQL plans for near-empty tables (sorts instead of
        // ordered index scans). SQLite plans without statistics.
        if db.backend() == mdsc_core::Backend::Postgres {
            use diesel::RunQueryDsl;
            diesel::sql_query("ANALYZE").execute(&mut *conn).unwrap();
        }
        (
            student,
            lesson_ids,
            live_course,
            live_session,
            forum,
            schedules,
        )
    };
    println!(
        "{:?}: seeded {COURSES} courses, {ENROLLED} enrollments in {:.1} s",
        db.backend(),
        seed_start.elapsed().as_secs_f64()
    );

    let secret = "bench-secret-bench-secret-bench-secret";
    let keys = TokenKeys::from_secret(secret.as_bytes(), Duration::hours(24)).unwrap();
    let token = keys.issue(student.user_id, 0, clock.as_ref()).unwrap();
    let config = Config {
        bind_addr: "127.0.0.1:0".into(),
        database_url: db.url().clone(),
        pool_size: 4,
        data_dir: std::env::temp_dir(),
        jwt_secret: Some(secret.into()),
        jwt_ttl_hours: 24,
        public_url: "http://bench".into(),
        cors_allowed_origins: vec![],
        max_json_body_bytes: 1 << 20,
        rating: mdsc_rating::RatingSettings::default(),
        live: mdsc_live::LiveSettings::default(),
        forum: UNBOUNDED_FORUM,
        schedule: mdsc_schedule::ScheduleSettings::new("http://bench", "http://bench"),
        email: mdsc_notify::email::EmailSettings::default(),
        jobs_poll_seconds: 0,
        sse_heartbeat_seconds: 20,
        stream_token_ttl_seconds: 300,
        sse_max_streams_per_user: 20,
        metrics_token: None,
        require_email_verification: false,
        limits: mdsc_gateway::limits::Limits::default(),
    };
    let state = AppState::new(
        db.pool(),
        keys,
        clock.clone(),
        Arc::new(config),
        mdsc_gateway::realtime::Hub::new(db.url().clone(), db.pool()),
    );
    let app = test::init_service(build_app(state)).await;

    measure(&app, &token, "GET /api/health", &|_| {
        test::TestRequest::get().uri("/api/health")
    })
    .await;
    measure(
        &app,
        &token,
        "GET /api/courses?page=k (20 per page)",
        &|i| test::TestRequest::get().uri(&format!("/api/courses?page={}", 1 + i % 100)),
    )
    .await;
    measure(&app, &token, "GET /api/courses/:id", &|i| {
        test::TestRequest::get().uri(&format!("/api/courses/{}", 1 + i % COURSES))
    })
    .await;
    measure(
        &app,
        &token,
        "GET /api/enrollments?page=k (mine, of 500)",
        &|i| test::TestRequest::get().uri(&format!("/api/enrollments?page={}", 1 + i % 25)),
    )
    .await;
    measure(
        &app,
        &token,
        "GET /api/courses/:id/live-sessions (20)",
        &|_| test::TestRequest::get().uri(&format!("/api/courses/{live_course}/live-sessions")),
    )
    .await;
    measure(
        &app,
        &token,
        "POST /api/live-sessions/:id/join (rejoin)",
        &|_| test::TestRequest::post().uri(&format!("/api/live-sessions/{live_session}/join")),
    )
    .await;
    measure(
        &app,
        &token,
        "GET /api/live-sessions/:id/chat?after_id=k (of 2,000)",
        &|i| {
            test::TestRequest::get().uri(&format!(
                "/api/live-sessions/{live_session}/chat?after_id={}",
                (i * 7) % CHAT_MESSAGES
            ))
        },
    )
    .await;
    measure(&app, &token, "POST /api/live-sessions/:id/chat", &|i| {
        test::TestRequest::post()
            .uri(&format!("/api/live-sessions/{live_session}/chat"))
            .set_json(
                serde_json::json!({"message": format!("Question {i}"), "message_type": "question"}),
            )
    })
    .await;
    measure_stream_delivery(&app, &token, live_session, 1).await;
    measure_stream_delivery(&app, &token, live_session, 50).await;
    measure_forum(&app, &token, &forum).await;
    measure_schedules(&app, &token, &schedules).await;
    let ids = lesson_ids.clone();
    measure(
        &app,
        &token,
        "POST /api/enrollments/:id/lessons/:l/complete",
        &move |i| {
            let (e, l) = ids[i % ids.len()];
            test::TestRequest::post()
                .uri(&format!("/api/enrollments/{e}/lessons/{l}/complete"))
                .set_json(serde_json::json!({}))
        },
    )
    .await;
}

/// From a chat message's POST answered (committed) to its event read on
/// every one of `streams` open chat streams: the real-time delay, listener
/// (SQLite polling or PostgreSQL LISTEN) and per-stream read included.
async fn measure_stream_delivery<S, B>(app: &S, token: &str, session: i32, streams: usize)
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    B: actix_web::body::MessageBody + 'static,
{
    use actix_web::body::MessageBody;
    let mut open = Vec::with_capacity(streams);
    for _ in 0..streams {
        let req = test::TestRequest::get()
            .uri(&format!("/api/live-sessions/{session}/chat/stream"))
            .insert_header(("Authorization", format!("Bearer {token}")))
            .to_request();
        let res = test::call_service(app, req).await;
        assert!(res.status().is_success(), "stream: {}", res.status());
        open.push((res.into_body().boxed(), String::new()));
    }
    let samples = SAMPLES / 3;
    let mut micros = Vec::with_capacity(samples);
    for i in 0..samples {
        let req = test::TestRequest::post()
            .uri(&format!("/api/live-sessions/{session}/chat"))
            .insert_header(("Authorization", format!("Bearer {token}")))
            .set_json(serde_json::json!({"message": format!("Stream {i}")}))
            .to_request();
        let res = test::call_service(app, req).await;
        assert!(res.status().is_success(), "chat: {}", res.status());
        let committed = Instant::now();
        for (body, seen) in &mut open {
            while !seen.contains("event: chat_message") {
                let chunk = futures_util::future::poll_fn(|cx| {
                    std::pin::Pin::new(&mut *body).poll_next(cx)
                })
                .await
                .expect("stream ended")
                .expect("stream failed");
                seen.push_str(std::str::from_utf8(&chunk).unwrap());
            }
            seen.clear();
        }
        micros.push(committed.elapsed().as_micros());
    }
    report(
        &format!("chat message → event on {streams} open stream(s)"),
        micros,
    );
}

/// 20 sessions a day apart on `course_id`; the first one live, joined by the
/// student, with 2,000 chat messages. Returns the live session's id.
fn seed_live(
    conn: &mut mdsc_core::DbConnection,
    clock: &ManualClock,
    teacher: &Principal,
    student: &Principal,
    course_id: i32,
) -> i32 {
    let settings = mdsc_live::LiveSettings::default();
    let start = clock.now() + Duration::hours(1);
    let mut first = None;
    for day in 0..LIVE_SESSIONS {
        let begins = (start + Duration::days(day as i64))
            .and_utc()
            .fixed_offset();
        let session = mdsc_live::session::create_session(
            conn,
            teacher,
            clock,
            &settings,
            course_id,
            mdsc_live::session::CreateSessionInput {
                title: format!("Live {day}"),
                description: None,
                scheduled_start_time: begins,
                scheduled_end_time: begins + Duration::minutes(90),
                max_participants: None,
                recording_enabled: None,
            },
        )
        .unwrap();
        first.get_or_insert(session.id);
    }
    let session_id = first.unwrap();
    clock.set(start);
    mdsc_live::lifecycle::start_session(conn, teacher, clock, session_id).unwrap();
    mdsc_live::attendance::join_session(conn, student, clock, &settings, session_id).unwrap();
    // Seeding, not chatting: no flood bound.
    let unbounded = mdsc_live::LiveSettings {
        chat_messages_per_minute: u32::MAX,
        ..settings.clone()
    };
    write_transaction(conn, |conn| -> Result<(), mdsc_core::Error> {
        for i in 0..CHAT_MESSAGES {
            mdsc_live::chat::post_message(
                conn,
                student,
                clock,
                &unbounded,
                session_id,
                mdsc_live::chat::ChatInput {
                    message: format!("Message {i}"),
                    message_type: None,
                },
            )?;
        }
        Ok(())
    })
    .unwrap();
    session_id
}

/// What the forum benchmarks address.
struct ForumFixture {
    forum_id: i32,
    /// The topic with `FORUM_THREADS` threads.
    topic_id: i32,
    /// Top-level replies of that topic, by the teacher (the student reacts).
    reply_ids: Vec<i32>,
}

/// `FORUM_TOPICS` topics in the course's forum, the last one with
/// `FORUM_THREADS` top-level replies, each answered twice.
fn seed_forum(
    conn: &mut mdsc_core::DbConnection,
    clock: &ManualClock,
    teacher: &Principal,
    course_id: i32,
) -> ForumFixture {
    use mdsc_forum::reply::{CreateReplyInput, create_reply};
    use mdsc_forum::topic::{CreateTopicInput, create_topic};
    let forum = mdsc_forum::forum::get_course_forum(conn, teacher, clock, course_id).unwrap();
    write_transaction(conn, |conn| -> Result<ForumFixture, mdsc_core::Error> {
        let mut topic_id = 0;
        for i in 0..FORUM_TOPICS {
            let input = CreateTopicInput {
                title: format!("Question {i} sur les emprunts"),
                content: format!("Pourquoi le compilateur refuse-t-il l'exemple {i} ?"),
                lesson_id: None,
            };
            topic_id = create_topic(conn, teacher, clock, &UNBOUNDED_FORUM, forum.id, input)?.id;
        }
        let reply = |content: String, parent_reply_id| CreateReplyInput {
            content,
            parent_reply_id,
        };
        let mut reply_ids = Vec::with_capacity(FORUM_THREADS);
        for i in 0..FORUM_THREADS {
            let top = create_reply(
                conn,
                teacher,
                clock,
                &UNBOUNDED_FORUM,
                topic_id,
                reply(format!("Réponse {i}"), None),
            )?;
            let nested = create_reply(
                conn,
                teacher,
                clock,
                &UNBOUNDED_FORUM,
                topic_id,
                reply(format!("Précision {i}"), Some(top.id)),
            )?;
            create_reply(
                conn,
                teacher,
                clock,
                &UNBOUNDED_FORUM,
                topic_id,
                reply(format!("Merci {i}"), Some(nested.id)),
            )?;
            reply_ids.push(top.id);
        }
        Ok(ForumFixture {
            forum_id: forum.id,
            topic_id,
            reply_ids,
        })
    })
    .unwrap()
}

async fn measure_forum<S, B>(app: &S, token: &str, forum: &ForumFixture)
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    B: actix_web::body::MessageBody,
{
    let (forum_id, topic_id) = (forum.forum_id, forum.topic_id);
    measure(
        app,
        token,
        "GET /api/forums/:id/topics?page=k (of 1,000)",
        &|i| {
            test::TestRequest::get().uri(&format!(
                "/api/forums/{forum_id}/topics?page={}",
                i % 50 + 1
            ))
        },
    )
    .await;
    measure(
        app,
        token,
        "GET /api/forums/:id/topics?search=… (of 1,000)",
        &|i| {
            test::TestRequest::get().uri(&format!(
                "/api/forums/{forum_id}/topics?search=EXEMPLE%20{}",
                i % 1000
            ))
        },
    )
    .await;
    measure(app, token, "GET /api/topics/:id", &|_| {
        test::TestRequest::get().uri(&format!("/api/topics/{topic_id}"))
    })
    .await;
    measure(
        app,
        token,
        "GET /api/topics/:id/replies?page=k (200 threads)",
        &|i| {
            test::TestRequest::get().uri(&format!(
                "/api/topics/{topic_id}/replies?page={}",
                i % 10 + 1
            ))
        },
    )
    .await;
    let replies = forum.reply_ids.clone();
    measure(
        app,
        token,
        "POST /api/replies/:id/reactions (vote flip)",
        &move |i| {
            let kind = if i % 2 == 0 { "upvote" } else { "downvote" };
            test::TestRequest::post()
                .uri(&format!(
                    "/api/replies/{}/reactions",
                    replies[i / 2 % replies.len()]
                ))
                .set_json(serde_json::json!({ "reaction_type": kind }))
        },
    )
    .await;
    measure(app, token, "POST /api/topics/:id/replies", &|i| {
        test::TestRequest::post()
            .uri(&format!("/api/topics/{topic_id}/replies"))
            .set_json(serde_json::json!({ "content": format!("Réponse mesurée {i}") }))
    })
    .await;
}

struct ScheduleFixture {
    /// The feed of the student's `SCHEDULED + 1` schedules.
    feed_path: String,
    /// The enrollment in the 100-lesson course.
    large_enrollment: i32,
}

/// Schedules for the first `SCHEDULED` enrollments, and a course of
/// `PLAN_MODULES` modules of `PLAN_LESSONS` lessons and one quiz each that
/// the student enrolls in, with its schedule.
fn seed_schedules(
    conn: &mut mdsc_core::DbConnection,
    clock: &Arc<ManualClock>,
    teacher: &Principal,
    student: &Principal,
    enrollments: &[(i32, i32)],
) -> ScheduleFixture {
    let settings = mdsc_schedule::ScheduleSettings::new("http://bench", "http://bench");
    let generate = |conn: &mut mdsc_core::DbConnection, enrollment_id: i32| {
        mdsc_schedule::service::generate_schedule(
            conn,
            student,
            clock.as_ref(),
            &settings,
            enrollment_id,
            mdsc_schedule::service::PreferencesInput::default(),
        )
        .map(|_| ())
    };
    for (enrollment_id, _) in enrollments.iter().take(SCHEDULED) {
        generate(conn, *enrollment_id).unwrap();
    }
    let large_enrollment = write_transaction(conn, |conn| -> Result<i32, mdsc_core::Error> {
        let course = create_course(
            conn,
            teacher,
            clock.as_ref(),
            CourseInput {
                title: "Large course".into(),
                estimated_duration_weeks: Some(12),
                ..CourseInput::default()
            },
        )?;
        for m in 0..PLAN_MODULES {
            let module = create_module(
                conn,
                teacher,
                clock.as_ref(),
                course.id,
                ModuleInput {
                    title: Some(format!("Module {m}")),
                    ..ModuleInput::default()
                },
            )?;
            for l in 0..PLAN_LESSONS {
                create_lesson(
                    conn,
                    teacher,
                    clock.as_ref(),
                    module.id,
                    LessonInput {
                        title: Some(format!("Lesson {m}.{l}")),
                        duration_minutes: Some(45),
                        ..LessonInput::default()
                    },
                )?;
            }
            mdsc_course::structure::create_quiz(
                conn,
                teacher,
                clock.as_ref(),
                module.id,
                mdsc_course::structure::QuizInput {
                    title: Some(format!("Quiz {m}")),
                    ..Default::default()
                },
            )?;
        }
        let enrollment = enroll(
            conn,
            student,
            clock.as_ref(),
            EnrollInput {
                course_id: course.id,
                payment_id: None,
                auto_generate_schedule: None,
            },
        )?;
        Ok(enrollment.id)
    })
    .unwrap();
    generate(conn, large_enrollment).unwrap();
    let feed = mdsc_schedule::feed::get_feed(conn, student, clock.as_ref(), &settings).unwrap();
    ScheduleFixture {
        feed_path: feed.feed_url.trim_start_matches("http://bench").to_owned(),
        large_enrollment,
    }
}

async fn measure_schedules<S, B>(app: &S, token: &str, fixture: &ScheduleFixture)
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    B: actix_web::body::MessageBody,
{
    let large = fixture.large_enrollment;
    measure(
        app,
        token,
        "POST /api/enrollments/:id/generate-schedule (100 lessons)",
        &|_| {
            test::TestRequest::post()
                .uri(&format!("/api/enrollments/{large}/generate-schedule"))
                .set_json(serde_json::json!({}))
        },
    )
    .await;
    measure(
        app,
        token,
        "GET /api/enrollments/:id/schedule (100 lessons)",
        &|_| test::TestRequest::get().uri(&format!("/api/enrollments/{large}/schedule")),
    )
    .await;
    let feed = fixture.feed_path.clone();
    measure(
        app,
        token,
        "GET /api/calendar/feed/:token.ics (21 courses)",
        &|_| test::TestRequest::get().uri(&feed),
    )
    .await;
    measure(
        app,
        token,
        "GET /api/calendar/events (next 31 days)",
        &|_| test::TestRequest::get().uri("/api/calendar/events"),
    )
    .await;
}
