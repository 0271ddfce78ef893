//! Seeds the data of the scale benchmark (issue 21, `just bench-scale`,
//! `scripts/bench_scale.py`): one busy course at 1× or 100× volume.
//!
//! ```sh
//! DATABASE_URL=sqlite://target/bench/scale.db cargo run --release --example seed_scale -- 100
//! ```
//!
//! Applies the migrations to an empty database, then writes with batched
//! multi-row `INSERT`s inside transactions (the same SQL on both backends),
//! explicit ids, and sets the kept counters with the crates' own recounts
//! (`mdsc_forum::counters`, `mdsc_rating::stats::recompute_stats`,
//! `mdsc_notify::counters::recompute`), checking them afterwards. Prints one
//! JSON object on stdout: the ids and credentials the driver needs.
//!
//! At 100× (1× is a hundredth of each figure, at least 1):
//! - 10,000 extra published courses, the student enrolled in every one
//!   (10,000 enrollments of one user), each with a study schedule;
//! - 100,000 students enrolled in the busy course, each with an approved
//!   rating of it (100,000 ratings on one course);
//! - its forum: 100,000 topics, one thread of 50,000 replies, 10,000 open
//!   reports; plus two threads at every scale for the posting cost, of
//!   9 and 9,999 replies;
//! - 100,000 notifications for the student;
//! - 10,000 live sessions on the course, one live with 10,000 participants
//!   and 100,000 chat messages;
//! - the student's calendar: 10,000 items in the busy course's schedule
//!   over a year, one in each other schedule.

use std::error::Error as StdError;
use std::fmt::Write as _;
use std::time::Instant;

use chrono::{Duration, NaiveDateTime, Utc};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use mdsc_core::schema::course_forums;
use mdsc_core::{Backend, DatabaseUrl, DbConnection, build_pool, run_pending_migrations};

type Res<T> = Result<T, Box<dyn StdError>>;

/// Every seeded account's password.
const PASSWORD: &str = "bench-pass-1";
/// Rows per `INSERT` statement.
const BATCH: usize = 1_000;

const ADMIN: i64 = 1;
const INSTRUCTOR: i64 = 2;
const OTHER_INSTRUCTOR: i64 = 3;
const STUDENT: i64 = 4;
/// The first rater's user id; raters are `FIRST_RATER..FIRST_RATER + raters`.
const FIRST_RATER: i64 = 5;
const COURSE: i64 = 1;
const FORUM: i64 = 1;
const BIG_TOPIC: i64 = 1;
const TOPIC_10: i64 = 2;
const TOPIC_10K: i64 = 3;
const LIVE_SESSION: i64 = 1;
/// Users who write the seeded replies, in turn (a thread's participants).
const REPLY_AUTHORS: i64 = 8;

/// A word in about one topic title in ten, and one in about one in a thousand.
const COMMON_WORD: &str = "ownership";
const RARE_WORD: &str = "zygomorphic";
const VOCABULARY: [&str; 24] = [
    "borrow", "checker", "lifetime", "trait", "generic", "closure", "iterator", "async", "future",
    "module", "crate", "macro", "pattern", "match", "vector", "string", "slice", "thread",
    "channel", "mutex", "error", "result", "option", "struct",
];

struct Figures {
    scale: i64,
    extra_courses: i64,
    raters: i64,
    topics: i64,
    big_thread: i64,
    reports: i64,
    notifications: i64,
    sessions: i64,
    participants: i64,
    chat: i64,
    calendar_items: i64,
}

impl Figures {
    fn new(scale: i64) -> Self {
        let n = |at_100: i64| (at_100 * scale / 100).max(1);
        Self {
            scale,
            extra_courses: n(10_000),
            raters: n(100_000),
            topics: n(100_000).max(10 + n(10_000)),
            big_thread: n(50_000),
            reports: n(10_000),
            notifications: n(100_000),
            sessions: n(10_000),
            participants: n(10_000),
            chat: n(100_000),
            calendar_items: n(10_000),
        }
    }
}

/// A deterministic pseudo-random sequence (xorshift), so two runs seed the same rows.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn words(&mut self, count: usize) -> String {
        let mut out = String::new();
        for i in 0..count {
            if i > 0 {
                out.push(' ');
            }
            let index = usize::try_from(self.below(VOCABULARY.len() as u64)).unwrap_or(0);
            out.push_str(VOCABULARY[index]);
        }
        out
    }
}

fn q(value: &str) -> String {
    format!("'{}'", value.replace('\'', "''"))
}

/// A timestamp as diesel writes it on both backends.
fn ts(at: NaiveDateTime) -> String {
    q(&at.format("%F %T%.f").to_string())
}

fn b(value: bool) -> &'static str {
    if value { "TRUE" } else { "FALSE" }
}

fn opt(value: Option<String>) -> String {
    value.unwrap_or_else(|| "NULL".to_owned())
}

struct Seeder {
    conn: mdsc_core::PooledConnection,
    rows: Vec<(&'static str, i64)>,
}

impl Seeder {
    /// Inserts `rows` (each a parenthesised tuple) into `table`, `BATCH` per
    /// statement, in one transaction.
    fn insert(
        &mut self,
        table: &'static str,
        columns: &str,
        rows: impl Iterator<Item = String>,
    ) -> Res<()> {
        let mut count = 0_i64;
        let mut sql = String::new();
        let mut in_batch = 0;
        self.conn.batch_execute("BEGIN")?;
        for row in rows {
            if in_batch == 0 {
                sql.clear();
                write!(sql, "INSERT INTO {table} ({columns}) VALUES ")?;
            } else {
                sql.push(',');
            }
            sql.push_str(&row);
            in_batch += 1;
            count += 1;
            if in_batch == BATCH {
                self.conn.batch_execute(&sql)?;
                in_batch = 0;
            }
        }
        if in_batch > 0 {
            self.conn.batch_execute(&sql)?;
        }
        self.conn.batch_execute("COMMIT")?;
        self.rows.push((table, count));
        Ok(())
    }
}

fn main() -> Res<()> {
    let url = std::env::var("DATABASE_URL")
        .map_err(|_| "set DATABASE_URL (sqlite://… or postgres://…) to an empty database")?;
    let scale: i64 = std::env::args()
        .nth(1)
        .or_else(|| std::env::var("SCALE").ok())
        .unwrap_or_else(|| "1".to_owned())
        .parse()?;
    if !(1..=1_000).contains(&scale) {
        return Err("the scale factor is 1 to 1000 (1 or 100 in the benchmark)".into());
    }
    let started = Instant::now();
    let url = DatabaseUrl::parse(&url)?;
    let pool = build_pool(&url, 1)?;
    let mut conn = pool.get()?;
    run_pending_migrations(&mut conn)?;
    if let DbConnection::Sqlite(c) = &mut *conn {
        // Seeding only: a crash leaves a database the next run recreates.
        c.batch_execute("PRAGMA synchronous = OFF")?;
    }
    let taken: i64 = mdsc_core::schema::users::table
        .count()
        .get_result(&mut *conn)?;
    if taken > 0 {
        return Err("the database is not empty: seed a fresh one".into());
    }
    let figures = Figures::new(scale);
    let mut seeder = Seeder {
        conn,
        rows: Vec::new(),
    };
    let now = Utc::now().naive_utc();
    let output = seed(&mut seeder, &figures, now)?;
    set_counters(&mut seeder.conn, &figures)?;
    if seeder.conn.backend() == Backend::Postgres {
        fix_sequences(&mut seeder.conn)?;
        seeder.conn.batch_execute("ANALYZE")?;
    } else {
        seeder
            .conn
            .batch_execute("ANALYZE; PRAGMA wal_checkpoint(TRUNCATE)")?;
    }
    let mut out = output;
    let rows: serde_json::Map<String, serde_json::Value> = seeder
        .rows
        .iter()
        .map(|(table, n)| ((*table).to_owned(), serde_json::json!(n)))
        .collect();
    out["rows"] = serde_json::Value::Object(rows);
    out["seconds"] = serde_json::json!((started.elapsed().as_secs_f64() * 10.0).round() / 10.0);
    println!("{out}");
    Ok(())
}

fn seed(s: &mut Seeder, f: &Figures, now: NaiveDateTime) -> Res<serde_json::Value> {
    let hash = mdsc_auth::password::hash_password(PASSWORD)?;
    let base = now - Duration::days(400);
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);

    // --- users -------------------------------------------------------------
    let specials = [
        (ADMIN, "admin@bench.local", "Ada", "admin"),
        (INSTRUCTOR, "instructor@bench.local", "Ivo", "instructor"),
        (
            OTHER_INSTRUCTOR,
            "instructor2@bench.local",
            "Iris",
            "instructor",
        ),
        (STUDENT, "student@bench.local", "Sam", "student"),
    ];
    let raters = f.raters;
    s.insert(
        "users",
        "id, email, password_hash, first_name, last_name, role, created_at, updated_at",
        specials
            .iter()
            .map(|&(id, email, first, role)| (id, email.to_owned(), first.to_owned(), role))
            .chain((0..raters).map(|k| {
                (
                    FIRST_RATER + k,
                    format!("rater{k}@bench.local"),
                    format!("Rater{k}"),
                    "student",
                )
            }))
            .map(|(id, email, first, role)| {
                let at = ts(base + Duration::seconds(id));
                format!(
                    "({id}, {}, {}, {}, 'Bench', {}, {at}, {at})",
                    q(&email),
                    q(&hash),
                    q(&first),
                    q(role)
                )
            }),
    )?;

    // --- courses, structure ------------------------------------------------
    let extra = f.extra_courses;
    s.insert(
        "courses",
        "id, title, slug, description, instructor_id, is_published, enrollment_count, \
         created_at, updated_at",
        (0..=extra).map(|i| {
            let id = COURSE + i;
            let (title, slug, instructor, enrolled) = if i == 0 {
                (
                    "Busy course".to_owned(),
                    "busy-course".to_owned(),
                    INSTRUCTOR,
                    1 + raters,
                )
            } else {
                (
                    format!("Course {i}"),
                    format!("course-{i}"),
                    OTHER_INSTRUCTOR,
                    1,
                )
            };
            let at = ts(base + Duration::minutes(i));
            format!(
                "({id}, {}, {}, 'A benchmark course.', {instructor}, TRUE, {enrolled}, {at}, {at})",
                q(&title),
                q(&slug)
            )
        }),
    )?;
    let at = ts(base);
    s.insert(
        "course_modules",
        "id, course_id, title, position, created_at, updated_at",
        std::iter::once(format!("(1, {COURSE}, 'Week 1', 1, {at}, {at})")),
    )?;
    s.insert(
        "lessons",
        "id, course_id, module_id, title, content, duration_minutes, position, created_at, updated_at",
        std::iter::once(format!("(1, {COURSE}, 1, 'Lesson 1', 'Text', 30, 1, {at}, {at})")),
    )?;

    // --- enrollments: the student's, then the raters' ------------------------
    // Ids: 1 the student in the busy course, 2..=1+raters the raters,
    // then the student in each extra course.
    let student_extra_first = 2 + raters;
    s.insert(
        "enrollments",
        "id, user_id, course_id, status, progress_percentage, enrolled_at, completed_at, updated_at",
        std::iter::once(format!(
            "(1, {STUDENT}, {COURSE}, 'active', 0, {at}, NULL, {at})",
            at = ts(base + Duration::days(1))
        ))
        .chain((0..raters).map(|k| {
            let at = base + Duration::days(2) + Duration::seconds(k * 30);
            format!(
                "({}, {}, {COURSE}, 'completed', 100, {}, {}, {})",
                2 + k,
                FIRST_RATER + k,
                ts(at),
                ts(at + Duration::days(30)),
                ts(at + Duration::days(30))
            )
        }))
        .chain((0..extra).map(|i| {
            let at = ts(base + Duration::days(3) + Duration::minutes(i));
            format!(
                "({}, {STUDENT}, {}, 'active', 0, {at}, NULL, {at})",
                student_extra_first + i,
                COURSE + 1 + i
            )
        })),
    )?;

    // --- ratings -------------------------------------------------------------
    s.insert(
        "course_ratings",
        "id, course_id, user_id, enrollment_id, rating, comment, would_recommend, \
         is_verified_purchase, is_anonymous, status, helpful_count, created_at, updated_at",
        (0..raters).map(|k| {
            let stars = 1 + (k * 7 + k / 3) % 5;
            let at = ts(base + Duration::days(40) + Duration::seconds(k * 30));
            format!(
                "({}, {COURSE}, {}, {}, {stars}, {}, {}, TRUE, {}, 'approved', {}, {at}, {at})",
                k + 1,
                FIRST_RATER + k,
                2 + k,
                q(&format!("Rating {k}: clear lessons, good pace.")),
                b(k % 3 != 0),
                b(k % 10 == 0),
                k % 4
            )
        }),
    )?;

    // --- forum ---------------------------------------------------------------
    s.insert(
        "course_forums",
        "id, course_id, title, is_locked, created_at, updated_at",
        std::iter::once(format!(
            "({FORUM}, {COURSE}, 'Busy course forum', FALSE, {at}, {at})"
        )),
    )?;
    let topics = f.topics;
    let topic_base = base + Duration::days(50);
    let mut topic_rows = Vec::with_capacity(usize::try_from(topics)?);
    for t in 1..=topics {
        let words = 3 + usize::try_from(rng.below(4))?;
        let mut title = rng.words(words);
        if rng.below(10) == 0 {
            title.push(' ');
            title.push_str(COMMON_WORD);
        }
        if rng.below(1_000) == 0 {
            title.push(' ');
            title.push_str(RARE_WORD);
        }
        let words = 25 + usize::try_from(rng.below(20))?;
        let mut content = rng.words(words);
        if rng.below(10) == 0 {
            content.push(' ');
            content.push_str(COMMON_WORD);
        }
        let title = format!("Question {t}: {title}");
        let author = if t % 50 == 0 {
            STUDENT
        } else {
            FIRST_RATER + (t % raters)
        };
        let at = ts(topic_base + Duration::seconds(t * 60));
        let pinned = t == 5 || t == 6;
        topic_rows.push(format!(
            "({t}, {FORUM}, {author}, NULL, {}, {}, {}, {}, {}, FALSE, FALSE, FALSE, 0, 0, {at}, {at}, {at}, 0)",
            q(&title),
            q(&content),
            q(&mdsc_forum::text::search_text(&title, &content)),
            q(&mdsc_forum::text::search_title(&title)),
            b(pinned),
        ));
    }
    s.insert(
        "forum_topics",
        "id, forum_id, user_id, lesson_id, title, content, search_text, search_title, is_pinned, \
         is_locked, is_hidden, has_solution, view_count, reply_count, last_activity_at, \
         created_at, updated_at, thread_count",
        topic_rows.into_iter(),
    )?;

    // Replies: the big thread, then the threads of 9 and 9,999. One in five
    // answers the top-level reply before it.
    let threads = [(BIG_TOPIC, f.big_thread), (TOPIC_10, 9), (TOPIC_10K, 9_999)];
    let mut reply_rows = Vec::new();
    let mut reply_id = 0_i64;
    let reply_base = topic_base + Duration::seconds((topics + 10) * 60);
    for (topic, count) in threads {
        let mut last_top = None;
        for n in 0..count {
            reply_id += 1;
            let author = if n % REPLY_AUTHORS == 0 {
                STUDENT
            } else {
                FIRST_RATER + n % REPLY_AUTHORS
            };
            let (parent, depth) = match last_top {
                Some(top) if n % 5 == 4 => (Some(top), 1),
                _ => {
                    last_top = Some(reply_id);
                    (None, 0)
                }
            };
            let parent = opt(parent.map(|p: i64| p.to_string()));
            let at = ts(reply_base + Duration::seconds(n * 10));
            reply_rows.push(format!(
                "({reply_id}, {topic}, {author}, {parent}, {parent}, {depth}, {}, FALSE, FALSE, 0, 0, 0, 0, {at}, {at})",
                q(&format!("Reply {n}: {}", rng.words(20)))
            ));
        }
    }
    s.insert(
        "forum_replies",
        "id, topic_id, user_id, parent_reply_id, root_reply_id, depth, content, is_solution, \
         is_hidden, upvotes, downvotes, like_count, helpful_count, created_at, updated_at",
        reply_rows.into_iter(),
    )?;
    // The kept participant sets, as migration 2026-12-04-000201 builds them.
    s.conn.batch_execute(
        "INSERT INTO forum_topic_participants (topic_id, user_id, joined_at) \
         SELECT topic_id, user_id, MIN(created_at) FROM ( \
             SELECT id AS topic_id, user_id, created_at FROM forum_topics \
             UNION ALL SELECT topic_id, user_id, created_at FROM forum_replies \
         ) AS posts GROUP BY topic_id, user_id",
    )?;
    // Open reports, one per topic from topic 10 on.
    s.insert(
        "forum_reports",
        "id, forum_id, topic_id, reply_id, user_id, reason, details, status, created_at",
        (0..f.reports).map(|r| {
            let at = ts(now - Duration::days(10) + Duration::seconds(r * 20));
            format!(
                "({}, {FORUM}, {}, NULL, {}, 'spam', 'Looks like spam', 'open', {at})",
                r + 1,
                10 + r,
                FIRST_RATER + (r % raters)
            )
        }),
    )?;

    // --- notifications of the student ---------------------------------------
    let notes = f.notifications;
    s.insert(
        "notifications",
        "id, user_id, type, title, body, data, read_at, created_at, subject",
        (1..=notes).map(|n| {
            let at = now - Duration::days(60) + Duration::seconds(n * 30);
            // The older half is read.
            let read = opt((n <= notes / 2).then(|| ts(at + Duration::hours(1))));
            let data = serde_json::json!({
                "topic_id": BIG_TOPIC,
                "reply_id": n,
                "link": format!("/courses/busy-course/forum/topics/{BIG_TOPIC}"),
            });
            format!(
                "({n}, {STUDENT}, 'forum_reply', 'Nouvelle réponse', {}, {}, {read}, {}, NULL)",
                q(&format!("Rater{} a répondu dans « Question 1 »", n % 100)),
                q(&data.to_string()),
                ts(at)
            )
        }),
    )?;

    // --- live sessions -------------------------------------------------------
    let sessions = f.sessions;
    let participants = f.participants.min(raters);
    s.insert(
        "live_sessions",
        "id, course_id, instructor_id, title, scheduled_start_time, scheduled_end_time, \
         actual_start_time, status, jitsi_room_name, jitsi_server_url, max_participants, \
         recording_enabled, participant_count, revision, created_at, updated_at",
        (1..=sessions).map(|i| {
            let (start, status, actual, count) = if i == LIVE_SESSION {
                let start = now - Duration::minutes(30);
                (start, "live", ts(start), participants)
            } else {
                (now + Duration::hours(i), "scheduled", "NULL".to_owned(), 0)
            };
            let end = start + Duration::hours(1) + Duration::days(i64::from(i == LIVE_SESSION));
            format!(
                "({i}, {COURSE}, {INSTRUCTOR}, {}, {}, {}, {actual}, '{status}', {}, \
                 'https://meet.jit.si', {}, TRUE, {count}, 0, {at}, {at})",
                q(&format!("Live session {i}")),
                ts(start),
                ts(end),
                q(&format!("mdsc-bench-{i}")),
                participants + 100,
            )
        }),
    )?;
    s.insert(
        "live_session_participants",
        "id, session_id, user_id, enrolled_at, joined_at, is_staff, attendance_seconds, last_event_at",
        (0..participants).map(|k| {
            let at = ts(now - Duration::minutes(29) + Duration::milliseconds(k * 100));
            format!(
                "({}, {LIVE_SESSION}, {}, {at}, {at}, FALSE, 0, {at})",
                k + 1,
                FIRST_RATER + k
            )
        }),
    )?;
    s.insert(
        "live_session_chat",
        "id, session_id, user_id, message, message_type, is_pinned, created_at",
        (1..=f.chat).map(|m| {
            let at = ts(now - Duration::minutes(29) + Duration::milliseconds(m * 15));
            let (user, kind) = if m % 20 == 0 {
                (INSTRUCTOR, "answer")
            } else {
                (
                    FIRST_RATER + m % participants,
                    if m % 7 == 0 { "question" } else { "message" },
                )
            };
            format!(
                "({m}, {LIVE_SESSION}, {user}, {}, '{kind}', {}, {at})",
                q(&format!("Message {m}: {}", rng.words(8))),
                b(m == 1)
            )
        }),
    )?;

    // --- the student's study schedules and calendar -------------------------
    // Schedule 1 is the busy course's, then one per extra course.
    s.insert(
        "course_schedules",
        "id, enrollment_id, user_id, course_id, timezone, study_days, hours_per_week, \
         preferred_time, generated_at, updated_at",
        (0..=extra).map(|i| {
            let (enrollment, course) = if i == 0 {
                (1, COURSE)
            } else {
                (student_extra_first + i - 1, COURSE + i)
            };
            format!(
                "({}, {enrollment}, {STUDENT}, {course}, 'Europe/Paris', '1,3,5', 5, 'evening', {at}, {at})",
                i + 1
            )
        }),
    )?;
    let year_seconds = 365 * 24 * 3600;
    let items = f.calendar_items;
    let start_of_year = now - Duration::days(1);
    s.insert(
        "schedule_items",
        "id, schedule_id, item_key, item_type, title, start_time, end_time, status, is_moved, \
         sequence, created_at, updated_at",
        (0..items)
            .map(|k| (1, k, year_seconds / items * k))
            .chain((0..extra).map(|i| (2 + i, 0, (i * 7_919 * 3_600) % year_seconds)))
            .enumerate()
            .map(|(row, (schedule, k, offset))| {
                let start = start_of_year + Duration::seconds(offset);
                format!(
                    "({}, {schedule}, 'custom:{k}', 'custom', {}, {}, {}, 'pending', FALSE, 0, {at}, {at})",
                    row + 1,
                    q(&format!("Study block {k}")),
                    ts(start),
                    ts(start + Duration::hours(1))
                )
            }),
    )?;

    // Enrolled students (the raters' enrollments are completed, which
    // keeps forum access) who post during the benchmark.
    let writers: Vec<String> = (0..16.min(raters))
        .map(|k| format!("rater{k}@bench.local"))
        .collect();
    Ok(serde_json::json!({
        "scale": f.scale,
        "password": PASSWORD,
        "admin": "admin@bench.local",
        "instructor": "instructor@bench.local",
        "student": "student@bench.local",
        "writers": writers,
        "course_id": COURSE,
        "course_slug": "busy-course",
        "forum_id": FORUM,
        "big_topic_id": BIG_TOPIC,
        "big_topic_replies": f.big_thread,
        "topic_10_id": TOPIC_10,
        "topic_10k_id": TOPIC_10K,
        "session_id": LIVE_SESSION,
        "search_common": COMMON_WORD,
        "search_rare": RARE_WORD,
        "figures": {
            "courses": 1 + extra,
            "student_enrollments": 1 + extra,
            "ratings": raters,
            "topics": topics,
            "big_thread": f.big_thread,
            "reports": f.reports,
            "notifications": notes,
            "live_sessions": sessions,
            "participants": participants,
            "chat_messages": f.chat,
            "calendar_items": items + extra,
        },
    }))
}

/// The kept counters, computed by the crates' own recounts, then checked.
fn set_counters(conn: &mut DbConnection, f: &Figures) -> Res<()> {
    use mdsc_forum::counters;
    for topic in [BIG_TOPIC, TOPIC_10, TOPIC_10K] {
        let topic = i32::try_from(topic)?;
        let t = counters::recompute_topic(conn, topic)?;
        if counters::kept_topic_counters(conn, topic)? != t {
            return Err(format!("topic {topic}: kept counters differ from a recount").into());
        }
    }
    let forum = i32::try_from(FORUM)?;
    let fc = counters::count_forum_counters(conn, forum)?;
    diesel::update(course_forums::table.find(forum))
        .set((
            course_forums::topic_count.eq(fc.topic_count),
            course_forums::hidden_topic_count.eq(fc.hidden_topic_count),
            course_forums::reply_count.eq(fc.reply_count),
        ))
        .execute(conn)?;
    if counters::kept_forum_counters(conn, forum)? != fc {
        return Err("forum: kept counters differ from a recount".into());
    }
    let course = i32::try_from(COURSE)?;
    let stats = mdsc_rating::stats::recompute_stats(conn, course)?;
    if i64::from(stats.rating_count) != f.raters {
        return Err(format!("rating stats count {} ratings", stats.rating_count).into());
    }
    let student = i32::try_from(STUDENT)?;
    let counts = mdsc_notify::counters::recompute(conn, student)?;
    if counts.total != f.notifications || mdsc_notify::counters::counts(conn, student)? != counts {
        return Err("notification counters differ from a recount".into());
    }
    Ok(())
}

/// PostgreSQL: moves each `SERIAL` sequence past the explicit ids.
fn fix_sequences(conn: &mut DbConnection) -> Res<()> {
    let tables = [
        "users",
        "courses",
        "course_modules",
        "lessons",
        "enrollments",
        "course_ratings",
        "course_forums",
        "forum_topics",
        "forum_replies",
        "forum_reports",
        "notifications",
        "notification_counters",
        "live_sessions",
        "live_session_participants",
        "live_session_chat",
        "course_schedules",
        "schedule_items",
    ];
    let mut sql = String::new();
    for table in tables {
        writeln!(
            sql,
            "SELECT setval(pg_get_serial_sequence('{table}', 'id'), \
             COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false);"
        )?;
    }
    conn.batch_execute(&sql)?;
    Ok(())
}
