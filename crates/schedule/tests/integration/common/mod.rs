//! Shared set-up for the behaviour tests of mdsc-schedule against a real
//! database (SQLite, or PostgreSQL when `TEST_DATABASE_URL` is set): a
//! manual clock, a course with modules, lessons and quizzes, its staff,
//! enrolled students and outsiders, and a reader of the calendars written,
//! built on the independent `icalendar` parser.
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

use std::collections::BTreeSet;

pub use chrono::Duration;
use chrono::{DateTime, FixedOffset, NaiveDateTime, Utc};
use diesel::prelude::*;
use icalendar::parser::{read_calendar, unfold};
use mdsc_auth::{Principal, Role};
use mdsc_core::schema::{course_schedules, schedule_items};
use mdsc_core::testing::TestDb;
#[allow(unused_imports)]
pub use mdsc_core::testing::{
    expect_err, expect_forbidden, expect_invalid_field, expect_not_found,
};
use mdsc_core::{Clock, Error, ManualClock, PooledConnection};
use mdsc_course::course::{CourseInput, create_course};
use mdsc_course::enrollment::{EnrollInput, enroll};
use mdsc_course::structure::{LessonInput, ModuleInput, QuizInput, create_lesson, create_module};
use mdsc_live::session::CreateSessionInput;
use mdsc_live::{LiveSession, LiveSettings};
use mdsc_schedule::feed::user_feed;
use mdsc_schedule::model::ItemRow;
use mdsc_schedule::service::{Generated, PreferencesInput, generate_schedule, get_schedule};
use mdsc_schedule::store::{items_of, schedule_of_enrollment};
use mdsc_schedule::update::{UpdateScheduleInput, update_schedule};
use mdsc_schedule::{CourseSchedule, ScheduleSettings};

/// A Thursday, 11:00 in Paris.
pub const START: &str = "2026-01-15T10:00:00Z";
pub const PUBLIC_URL: &str = "https://api.mdsc.example";
pub const UID_HOST: &str = "api.mdsc.example";

pub struct World {
    pub db: TestDb,
    pub clock: ManualClock,
    pub conn: PooledConnection,
    pub settings: ScheduleSettings,
    pub live: LiveSettings,
    users: u32,
}

/// A published course: two modules of two one-hour lessons, each module
/// followed by a quiz without a deadline.
#[derive(Debug, Clone)]
pub struct CourseFixture {
    pub id: i32,
    pub instructor: Principal,
    pub modules: Vec<i32>,
    pub lessons: Vec<i32>,
    pub quizzes: Vec<i32>,
}

/// A course and the people around it; `enrollments[i]` is `students[i]`'s.
pub struct Cast {
    pub course: CourseFixture,
    pub instructor: Principal,
    pub other_instructor: Principal,
    pub admin: Principal,
    pub students: Vec<Principal>,
    pub enrollments: Vec<i32>,
    pub outsider: Principal,
}

impl Cast {
    pub fn student(&self) -> Principal {
        self.students[0]
    }

    pub fn enrollment(&self) -> i32 {
        self.enrollments[0]
    }
}

impl World {
    pub fn new() -> Self {
        let db = TestDb::new();
        let conn = db.conn();
        Self {
            db,
            clock: ManualClock::starting_at(START),
            conn,
            settings: ScheduleSettings::new(PUBLIC_URL, "https://app.mdsc.example"),
            live: LiveSettings::default(),
            users: 0,
        }
    }

    pub fn now(&self) -> NaiveDateTime {
        self.clock.now()
    }

    /// A user inserted directly: these tests are about schedules, not
    /// passwords (hashing makes `mdsc_auth::testing::create_user` slow).
    pub fn user(&mut self, role: Role) -> Principal {
        self.users += 1;
        mdsc_auth::testing::insert_user(&mut self.conn, &self.clock, role, self.users)
    }

    /// The standard course, planned over `weeks` weeks (estimated length).
    pub fn course(&mut self, instructor: &Principal, title: &str, weeks: i32) -> CourseFixture {
        let id = create_course(
            &mut self.conn,
            instructor,
            &self.clock,
            CourseInput {
                title: title.to_owned(),
                description: Some("Planned study".to_owned()),
                estimated_duration_weeks: Some(weeks),
                ..CourseInput::default()
            },
        )
        .expect("create course")
        .id;
        let mut fixture = CourseFixture {
            id,
            instructor: *instructor,
            modules: Vec::new(),
            lessons: Vec::new(),
            quizzes: Vec::new(),
        };
        for m in 1..=2 {
            let module = create_module(
                &mut self.conn,
                instructor,
                &self.clock,
                id,
                ModuleInput {
                    title: Some(format!("Module {m}")),
                    ..ModuleInput::default()
                },
            )
            .expect("create module")
            .id;
            fixture.modules.push(module);
            for l in 1..=2 {
                let lesson = create_lesson(
                    &mut self.conn,
                    instructor,
                    &self.clock,
                    module,
                    LessonInput {
                        title: Some(format!("Leçon {m}.{l}")),
                        duration_minutes: Some(60),
                        ..LessonInput::default()
                    },
                )
                .expect("create lesson")
                .id;
                fixture.lessons.push(lesson);
            }
            let quiz = mdsc_course::structure::create_quiz(
                &mut self.conn,
                instructor,
                &self.clock,
                module,
                QuizInput {
                    title: Some(format!("Quiz {m}")),
                    ..QuizInput::default()
                },
            )
            .expect("create quiz")
            .id;
            fixture.quizzes.push(quiz);
        }
        fixture
    }

    /// Enrolls without generating a schedule; returns the enrollment id.
    pub fn enroll(&mut self, student: &Principal, course_id: i32) -> i32 {
        enroll(
            &mut self.conn,
            student,
            &self.clock,
            EnrollInput {
                course_id,
                payment_id: None,
                auto_generate_schedule: Some(false),
            },
        )
        .expect("enroll")
        .id
    }

    /// The standard course (8 weeks) with `students` enrolled students.
    pub fn cast(&mut self, students: usize) -> Cast {
        let instructor = self.user(Role::Instructor);
        let other_instructor = self.user(Role::Instructor);
        let admin = self.user(Role::Admin);
        let outsider = self.user(Role::Student);
        let course = self.course(&instructor, "Planning React", 8);
        let students: Vec<Principal> = (0..students).map(|_| self.user(Role::Student)).collect();
        let enrollments = students.iter().map(|s| self.enroll(s, course.id)).collect();
        Cast {
            course,
            instructor,
            other_instructor,
            admin,
            students,
            enrollments,
            outsider,
        }
    }

    pub fn generate_with(
        &mut self,
        actor: &Principal,
        enrollment_id: i32,
        input: PreferencesInput,
    ) -> Result<Generated, Error> {
        generate_schedule(
            &mut self.conn,
            actor,
            &self.clock,
            &self.settings,
            enrollment_id,
            input,
        )
    }

    /// `generate_with`, for the error cases (`Generated` is not `Debug`).
    pub fn try_generate(
        &mut self,
        actor: &Principal,
        enrollment_id: i32,
        input: PreferencesInput,
    ) -> Result<CourseSchedule, Error> {
        self.generate_with(actor, enrollment_id, input)
            .map(|generated| generated.schedule)
    }

    pub fn generate(&mut self, actor: &Principal, enrollment_id: i32) -> CourseSchedule {
        self.generate_with(actor, enrollment_id, PreferencesInput::default())
            .expect("generate schedule")
            .schedule
    }

    pub fn get(&mut self, actor: &Principal, enrollment_id: i32) -> Result<CourseSchedule, Error> {
        get_schedule(
            &mut self.conn,
            actor,
            &self.clock,
            &self.settings,
            enrollment_id,
        )
    }

    pub fn update(
        &mut self,
        actor: &Principal,
        enrollment_id: i32,
        input: UpdateScheduleInput,
    ) -> Result<CourseSchedule, Error> {
        update_schedule(
            &mut self.conn,
            actor,
            &self.clock,
            &self.settings,
            enrollment_id,
            input,
        )
    }

    /// Every stored item of the enrollment's schedule, by id.
    pub fn items(&mut self, enrollment_id: i32) -> Vec<ItemRow> {
        let schedule = schedule_of_enrollment(&mut self.conn, enrollment_id)
            .unwrap()
            .expect("a schedule");
        items_of(&mut self.conn, schedule.id).unwrap()
    }

    pub fn item(&mut self, enrollment_id: i32, key: &str) -> ItemRow {
        self.try_item(enrollment_id, key)
            .unwrap_or_else(|| panic!("no item {key}"))
    }

    pub fn try_item(&mut self, enrollment_id: i32, key: &str) -> Option<ItemRow> {
        self.items(enrollment_id)
            .into_iter()
            .find(|item| item.item_key == key)
    }

    pub fn schedule_rows(&mut self, enrollment_id: i32) -> i64 {
        course_schedules::table
            .filter(course_schedules::enrollment_id.eq(enrollment_id))
            .count()
            .get_result(&mut self.conn)
            .unwrap()
    }

    pub fn all_item_rows(&mut self) -> i64 {
        schedule_items::table
            .count()
            .get_result(&mut self.conn)
            .unwrap()
    }

    /// Schedules a session through the propagating hook.
    pub fn session(&mut self, cast: &Cast, start: NaiveDateTime, length: Duration) -> LiveSession {
        mdsc_schedule::hooks::create_live_session(
            &mut self.conn,
            &cast.instructor,
            &self.clock,
            &self.live,
            cast.course.id,
            session_input(start, length),
        )
        .expect("schedule a session")
    }

    /// The user's feed (token from `get_feed`), read back.
    pub fn feed(&mut self, student: &Principal) -> Vec<Vevent> {
        let token = self.token(student);
        let raw = user_feed(&mut self.conn, &self.clock, &self.settings, &token).expect("feed");
        parse_calendar(&raw)
    }

    /// The user's feed secret, from the feed URL.
    pub fn token(&mut self, who: &Principal) -> String {
        let feed = mdsc_schedule::feed::get_feed(&mut self.conn, who, &self.clock, &self.settings)
            .expect("get feed");
        token_of(&feed.feed_url)
    }
}

pub fn token_of(feed_url: &str) -> String {
    feed_url
        .strip_prefix(&format!("{PUBLIC_URL}/api/calendar/feed/"))
        .and_then(|rest| rest.strip_suffix(".ics"))
        .unwrap_or_else(|| panic!("unexpected feed URL {feed_url}"))
        .to_owned()
}

pub fn at(t: NaiveDateTime) -> DateTime<FixedOffset> {
    t.and_utc().fixed_offset()
}

pub fn utc(s: &str) -> NaiveDateTime {
    DateTime::parse_from_rfc3339(s).unwrap().naive_utc()
}

pub fn session_input(start: NaiveDateTime, length: Duration) -> CreateSessionInput {
    CreateSessionInput {
        title: "Questions / réponses".to_owned(),
        description: Some("Live".to_owned()),
        scheduled_start_time: at(start),
        scheduled_end_time: at(start + length),
        max_participants: None,
        recording_enabled: None,
    }
}

/// The item keys the planner gives a course.
pub fn lesson_key(id: i32) -> String {
    format!("lesson:{id}")
}
pub fn quiz_key(id: i32) -> String {
    format!("quiz:{id}")
}
pub fn live_key(id: i32) -> String {
    format!("live:{id}")
}

/// The UID a calendar must show for an item, built here from its parts
/// (`lesson:12` of enrollment 7 is `lesson-12.7@host`).
pub fn expected_uid(enrollment_id: i32, key: &str) -> String {
    format!("{}.{enrollment_id}@{UID_HOST}", key.replace(':', "-"))
}

/// Do `[a_start, a_end)` and `[b_start, b_end)` share time?
pub fn overlaps(
    a: (Option<NaiveDateTime>, Option<NaiveDateTime>),
    b: (Option<NaiveDateTime>, Option<NaiveDateTime>),
) -> bool {
    match (a, b) {
        ((Some(s1), Some(e1)), (Some(s2), Some(e2))) => s1 < e2 && s2 < e1,
        _ => false,
    }
}

/// A VEVENT as read by the `icalendar` parser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vevent {
    pub uid: String,
    pub summary: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub sequence: u32,
    pub status: String,
    pub alarms: usize,
}

/// Reads a calendar with the independent `icalendar` parser.
pub fn parse_calendar(raw: &str) -> Vec<Vevent> {
    let unfolded = unfold(raw);
    let calendar = read_calendar(&unfolded).expect("icalendar parses the calendar");
    assert!(
        calendar
            .properties
            .iter()
            .any(|p| p.name.as_str() == "VERSION" && p.val.as_str() == "2.0"),
        "VERSION:2.0"
    );
    calendar
        .components
        .iter()
        .filter(|c| c.name.as_str() == "VEVENT")
        .map(|event| {
            let value = |name: &str| {
                event
                    .find_prop(name)
                    .unwrap_or_else(|| panic!("VEVENT without {name}"))
                    .val
                    .as_str()
                    .to_owned()
            };
            let time = |name: &str| {
                let raw = value(name);
                NaiveDateTime::parse_from_str(&raw, "%Y%m%dT%H%M%SZ")
                    .unwrap_or_else(|e| panic!("{name} {raw:?}: {e}"))
                    .and_utc()
            };
            Vevent {
                uid: value("UID"),
                summary: value("SUMMARY"),
                start: time("DTSTART"),
                end: time("DTEND"),
                sequence: value("SEQUENCE").parse().expect("SEQUENCE is a number"),
                status: value("STATUS"),
                alarms: event
                    .components
                    .iter()
                    .filter(|c| c.name.as_str() == "VALARM")
                    .count(),
            }
        })
        .collect()
}

pub fn by_uid<'a>(events: &'a [Vevent], uid: &str) -> Option<&'a Vevent> {
    events.iter().find(|e| e.uid == uid)
}

pub fn uids(events: &[Vevent]) -> BTreeSet<String> {
    events.iter().map(|e| e.uid.clone()).collect()
}

/// Decodes `%XX` escapes (and nothing else) of a query value.
pub fn percent_decode(value: &str) -> String {
    let bytes = value.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap();
            out.push(u8::from_str_radix(hex, 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

/// The decoded value of `name` in the query of `url`.
pub fn query_param(url: &str, name: &str) -> Option<String> {
    let (_, query) = url.split_once('?')?;
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| percent_decode(value))
}

pub fn naive(t: DateTime<Utc>) -> NaiveDateTime {
    t.naive_utc()
}
