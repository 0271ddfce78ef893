//! Shared set-up for the behaviour tests of mdsc-live: a fresh database
//! (SQLite, or PostgreSQL when `TEST_DATABASE_URL` is set), a manual clock,
//! a course with its staff, enrolled students and outsiders, and helpers to
//! schedule, start and join sessions.
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

use std::fmt::Debug;

pub use chrono::Duration;
use chrono::{DateTime, FixedOffset, NaiveDateTime};
use diesel::prelude::*;
use mdsc_auth::{Principal, Role};
use mdsc_core::schema::{live_session_participants, live_sessions};
use mdsc_core::testing::TestDb;
#[allow(unused_imports)]
pub use mdsc_core::testing::{expect_err, expect_invalid_field};
use mdsc_core::{Clock, DbConnection, DbPool, Error, ErrorKind, ManualClock, PooledConnection};
use mdsc_course::course::{CourseInput, create_course};
use mdsc_course::enrollment::{EnrollInput, enroll};
use mdsc_live::session::{CreateSessionInput, create_session};
use mdsc_live::{LiveSession, LiveSettings};

pub const START: &str = "2026-01-15T10:00:00Z";

pub struct World {
    pub db: TestDb,
    pub clock: ManualClock,
    pub conn: PooledConnection,
    pub settings: LiveSettings,
    users: u32,
}

/// A published course and the people around it.
pub struct Cast {
    pub instructor: Principal,
    pub other_instructor: Principal,
    pub admin: Principal,
    pub students: Vec<Principal>,
    pub outsider: Principal,
    pub course_id: i32,
}

impl Cast {
    pub fn student(&self) -> Principal {
        self.students[0]
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
            settings: LiveSettings::default(),
            users: 0,
        }
    }

    pub fn now(&self) -> NaiveDateTime {
        self.clock.now()
    }

    /// A user inserted directly: these tests are about sessions, not
    /// passwords, and a fast set-up lets them use many students.
    pub fn user(&mut self, role: Role) -> Principal {
        self.users += 1;
        mdsc_auth::testing::insert_user(&mut self.conn, &self.clock, role, self.users)
    }

    pub fn course(&mut self, instructor: &Principal) -> i32 {
        create_course(
            &mut self.conn,
            instructor,
            &self.clock,
            CourseInput {
                title: "Live React".to_owned(),
                description: Some("Taught live".to_owned()),
                ..CourseInput::default()
            },
        )
        .expect("create course")
        .id
    }

    pub fn enroll(&mut self, student: &Principal, course_id: i32) {
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
        .expect("enroll");
    }

    /// A course with `students` enrolled students.
    pub fn cast(&mut self, students: usize) -> Cast {
        let instructor = self.user(Role::Instructor);
        let other_instructor = self.user(Role::Instructor);
        let admin = self.user(Role::Admin);
        let outsider = self.user(Role::Student);
        let course_id = self.course(&instructor);
        let students: Vec<Principal> = (0..students)
            .map(|_| {
                let s = self.user(Role::Student);
                self.enroll(&s, course_id);
                s
            })
            .collect();
        Cast {
            instructor,
            other_instructor,
            admin,
            students,
            outsider,
            course_id,
        }
    }

    pub fn try_schedule(
        &mut self,
        actor: &Principal,
        course_id: i32,
        input: CreateSessionInput,
    ) -> Result<LiveSession, Error> {
        create_session(
            &mut self.conn,
            actor,
            &self.clock,
            &self.settings,
            course_id,
            input,
        )
    }

    /// A session starting in an hour, lasting 90 minutes.
    pub fn schedule(&mut self, cast: &Cast, max_participants: Option<i32>) -> LiveSession {
        let input = CreateSessionInput {
            max_participants,
            ..session_input(self.now() + Duration::hours(1), Duration::minutes(90))
        };
        self.try_schedule(&cast.instructor, cast.course_id, input)
            .expect("schedule")
    }

    /// Moves the clock to the session's scheduled start.
    pub fn go_to_start(&self, session: &LiveSession) {
        self.clock.set(session.scheduled_start_time.naive_utc());
    }

    /// A session that is live now.
    pub fn live_session(&mut self, cast: &Cast, max_participants: Option<i32>) -> LiveSession {
        let session = self.schedule(cast, max_participants);
        self.go_to_start(&session);
        mdsc_live::lifecycle::start_session(
            &mut self.conn,
            &cast.instructor,
            &self.clock,
            session.id,
        )
        .expect("start")
    }

    pub fn join(
        &mut self,
        who: &Principal,
        session_id: i32,
    ) -> Result<mdsc_live::JoinSessionData, Error> {
        mdsc_live::attendance::join_session(
            &mut self.conn,
            who,
            &self.clock,
            &self.settings,
            session_id,
        )
    }

    pub fn leave(
        &mut self,
        who: &Principal,
        session_id: i32,
    ) -> Result<mdsc_live::LiveSessionParticipant, Error> {
        mdsc_live::attendance::leave_session(&mut self.conn, who, &self.clock, session_id)
    }

    pub fn get(&mut self, who: &Principal, session_id: i32) -> Result<LiveSession, Error> {
        mdsc_live::session::get_session(&mut self.conn, who, session_id)
    }

    /// The stored counter and a recount of the admitted students.
    pub fn counted_and_recounted(&mut self, session_id: i32) -> (i32, i64) {
        let counter: i32 = live_sessions::table
            .find(session_id)
            .select(live_sessions::participant_count)
            .first(&mut self.conn)
            .unwrap();
        let recount: i64 = live_session_participants::table
            .filter(live_session_participants::session_id.eq(session_id))
            .filter(live_session_participants::is_staff.eq(false))
            .count()
            .get_result(&mut self.conn)
            .unwrap();
        (counter, recount)
    }
}

pub fn at(t: NaiveDateTime) -> DateTime<FixedOffset> {
    t.and_utc().fixed_offset()
}

pub fn session_input(start: NaiveDateTime, length: Duration) -> CreateSessionInput {
    CreateSessionInput {
        title: "Introduction à React".to_owned(),
        description: Some("Hooks and state".to_owned()),
        scheduled_start_time: at(start),
        scheduled_end_time: at(start + length),
        max_participants: None,
        recording_enabled: None,
    }
}

#[track_caller]
pub fn expect_conflict<T: Debug>(result: Result<T, Error>, code: &str) -> Error {
    expect_err(result, ErrorKind::Conflict, code)
}

/// Runs `f(thread_index, connection)` on `threads` threads at once, each with
/// its own connection from a pool of that size, released together by a
/// barrier; returns their results in thread order.
pub fn race<T, F>(db: &TestDb, threads: usize, f: F) -> Vec<Result<T, Error>>
where
    T: Send + 'static,
    F: Fn(usize, &mut DbConnection) -> Result<T, Error> + Send + Sync + 'static,
{
    // Every thread must hold a connection at the barrier: a pool of exactly
    // `threads` connections, apart from the world's own.
    let pool: DbPool =
        mdsc_core::build_pool(db.url(), u32::try_from(threads).unwrap()).expect("race pool");
    mdsc_core::testing::race(&pool, threads, f)
}
