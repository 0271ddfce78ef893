//! Shared set-up for the behaviour tests of mdsc-forum: a fresh database
//! (SQLite, or PostgreSQL when `TEST_DATABASE_URL` is set), a manual clock,
//! users of every role around a course with a lesson, short-hands for the
//! forum services, a check that every kept counter equals a recount, and
//! the `race()` helper that runs real concurrent connections.
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

use std::fmt::Debug;

#[allow(unused_imports)]
pub use chrono::Duration;
use diesel::prelude::*;
use mdsc_auth::{Principal, Role};
use mdsc_core::schema::{forum_replies, forum_topics};
use mdsc_core::testing::TestDb;
#[allow(unused_imports)]
pub use mdsc_core::testing::{
    expect_err, expect_forbidden, expect_invalid_field, expect_not_found, race,
};
use mdsc_core::{DbConnection, Error, ErrorKind, ManualClock, Page, PooledConnection};
use mdsc_course::course::{CourseInput, create_course};
use mdsc_course::enrollment::{EnrollInput, enroll};
use mdsc_course::structure::{LessonInput, ModuleInput, create_lesson, create_module};
use mdsc_forum::counters::{
    count_forum_counters, count_reactions, count_topic_counters, kept_forum_counters,
    kept_reaction_counts, kept_topic_counters,
};
use mdsc_forum::forum::get_course_forum;
use mdsc_forum::reaction::{ReactionInput, RemoveReactionInput, add_reaction, remove_reaction};
use mdsc_forum::reply::{
    CreateReplyInput, ReplyListQuery, SolutionInput, create_reply, delete_reply, list_replies,
    mark_solution,
};
use mdsc_forum::report::{
    ReportInput, ResolveReportInput, report_reply, report_topic, resolve_report,
};
use mdsc_forum::topic::{
    CreateTopicInput, TopicListQuery, create_topic, delete_topic, get_topic, list_topics,
};
use mdsc_forum::{
    CourseForum, ForumReply, ForumSettings, ForumTopic, ReactionType, ReportAction, ReportReason,
};

pub const START: &str = "2026-01-15T10:00:00Z";

/// One test's world: its own database, a clock standing still at `START`
/// and the forum settings the services get (limits high enough that only
/// the rate-limit tests meet them).
pub struct World {
    pub db: TestDb,
    pub clock: ManualClock,
    pub conn: PooledConnection,
    pub settings: ForumSettings,
    users: u32,
}

/// A published course with one lesson, its staff, an enrolled student and
/// people who are neither.
#[derive(Debug, Clone, Copy)]
pub struct Cast {
    pub course_id: i32,
    pub lesson_id: i32,
    pub forum_id: i32,
    pub instructor: Principal,
    pub admin: Principal,
    pub other_instructor: Principal,
    /// A student who is not enrolled.
    pub outsider: Principal,
    pub student: Principal,
    pub classmate: Principal,
}

impl Cast {
    pub fn staff(&self) -> [Principal; 2] {
        [self.instructor, self.admin]
    }
    pub fn outsiders(&self) -> [Principal; 2] {
        [self.outsider, self.other_instructor]
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
            settings: ForumSettings {
                topics_per_minute: 1000,
                replies_per_minute: 1000,
                reactions_per_minute: 1000,
                reports_per_hour: 1000,
            },
            users: 0,
        }
    }

    pub fn user(&mut self, role: Role) -> Principal {
        self.users += 1;
        mdsc_auth::testing::create_user(&mut self.conn, &self.clock, role, self.users)
    }
    pub fn student(&mut self) -> Principal {
        self.user(Role::Student)
    }

    /// A published course of `instructor` with one module and lesson:
    /// (course id, lesson id).
    pub fn course(&mut self, instructor: &Principal, title: &str) -> (i32, i32) {
        let input = CourseInput {
            title: title.to_owned(),
            description: Some(format!("About {title}")),
            is_published: Some(true),
            ..CourseInput::default()
        };
        let id = create_course(&mut self.conn, instructor, &self.clock, input)
            .expect("create course")
            .id;
        let module = ModuleInput {
            title: Some("Basics".to_owned()),
            ..ModuleInput::default()
        };
        let module_id = create_module(&mut self.conn, instructor, &self.clock, id, module)
            .expect("create module")
            .id;
        let lesson = LessonInput {
            title: Some("Ownership".to_owned()),
            content: Some("Every value has one owner".to_owned()),
            duration_minutes: Some(30),
            ..LessonInput::default()
        };
        let lesson_id = create_lesson(&mut self.conn, instructor, &self.clock, module_id, lesson)
            .expect("create lesson")
            .id;
        (id, lesson_id)
    }

    pub fn enroll(&mut self, who: &Principal, course_id: i32) -> i32 {
        let input = EnrollInput {
            course_id,
            payment_id: None,
            auto_generate_schedule: None,
        };
        enroll(&mut self.conn, who, &self.clock, input)
            .expect("enroll")
            .id
    }

    /// A new student enrolled in the course.
    pub fn enrolled(&mut self, course_id: i32) -> Principal {
        let who = self.student();
        self.enroll(&who, course_id);
        who
    }

    pub fn cast(&mut self) -> Cast {
        let instructor = self.user(Role::Instructor);
        let other_instructor = self.user(Role::Instructor);
        let admin = self.user(Role::Admin);
        let outsider = self.student();
        let (course_id, lesson_id) = self.course(&instructor, "Rust pour débutants");
        let student = self.enrolled(course_id);
        let classmate = self.enrolled(course_id);
        let forum_id = self.forum(&instructor, course_id).id;
        Cast {
            course_id,
            lesson_id,
            forum_id,
            instructor,
            admin,
            other_instructor,
            outsider,
            student,
            classmate,
        }
    }

    // --- short-hands ------------------------------------------------------

    pub fn forum(&mut self, who: &Principal, course_id: i32) -> CourseForum {
        get_course_forum(&mut self.conn, who, &self.clock, course_id).expect("get forum")
    }

    pub fn try_topic(
        &mut self,
        who: &Principal,
        forum_id: i32,
        title: &str,
        content: &str,
    ) -> Result<ForumTopic, Error> {
        create_topic(
            &mut self.conn,
            who,
            &self.clock,
            &self.settings,
            forum_id,
            topic_input(title, content),
        )
    }

    pub fn topic(&mut self, who: &Principal, forum_id: i32, title: &str) -> ForumTopic {
        self.try_topic(who, forum_id, title, &format!("About {title}"))
            .expect("create topic")
    }

    pub fn try_reply(
        &mut self,
        who: &Principal,
        topic_id: i32,
        parent: Option<i32>,
        content: &str,
    ) -> Result<ForumReply, Error> {
        create_reply(
            &mut self.conn,
            who,
            &self.clock,
            &self.settings,
            topic_id,
            CreateReplyInput {
                content: content.to_owned(),
                parent_reply_id: parent,
            },
        )
    }

    pub fn reply(&mut self, who: &Principal, topic_id: i32, parent: Option<i32>) -> ForumReply {
        self.try_reply(who, topic_id, parent, "Une réponse")
            .expect("create reply")
    }

    pub fn react(
        &mut self,
        who: &Principal,
        reply_id: i32,
        kind: ReactionType,
    ) -> Result<ForumReply, Error> {
        add_reaction(
            &mut self.conn,
            who,
            &self.clock,
            &self.settings,
            reply_id,
            ReactionInput {
                reaction_type: kind,
            },
        )
    }

    pub fn unreact(
        &mut self,
        who: &Principal,
        reply_id: i32,
        kind: ReactionType,
    ) -> Result<ForumReply, Error> {
        remove_reaction(
            &mut self.conn,
            who,
            reply_id,
            RemoveReactionInput {
                reaction_type: Some(kind),
            },
        )
    }

    pub fn mark(&mut self, who: &Principal, reply_id: i32) -> Result<ForumReply, Error> {
        mark_solution(&mut self.conn, who, reply_id, SolutionInput::default())
    }

    pub fn delete_reply(&mut self, who: &Principal, reply_id: i32) -> Result<(), Error> {
        delete_reply(&mut self.conn, who, &self.clock, reply_id)
    }

    pub fn delete_topic(&mut self, who: &Principal, topic_id: i32) -> Result<(), Error> {
        delete_topic(&mut self.conn, who, &self.clock, topic_id)
    }

    /// `reporter` flags the topic (or its reply) and `staff` resolve the
    /// report with `action`: how posts get hidden and shown again.
    pub fn moderate(
        &mut self,
        cast: &Cast,
        reporter: &Principal,
        topic_id: i32,
        reply_id: Option<i32>,
        action: ReportAction,
    ) {
        let input = ReportInput {
            reason: ReportReason::Offensive,
            details: None,
        };
        let report = match reply_id {
            Some(id) => report_reply(&mut self.conn, reporter, &self.clock, &roomy(), id, input),
            None => report_topic(
                &mut self.conn,
                reporter,
                &self.clock,
                &roomy(),
                topic_id,
                input,
            ),
        }
        .expect("report");
        resolve_report(
            &mut self.conn,
            &cast.instructor,
            &self.clock,
            cast.course_id,
            report.id,
            ResolveReportInput { action },
        )
        .expect("resolve");
    }

    pub fn get_topic(&mut self, who: &Principal, topic_id: i32) -> Result<ForumTopic, Error> {
        get_topic(&mut self.conn, who, &self.clock, topic_id)
    }

    pub fn list(
        &mut self,
        who: &Principal,
        forum_id: i32,
        query: TopicListQuery,
    ) -> Result<Page<ForumTopic>, Error> {
        list_topics(&mut self.conn, who, forum_id, query)
    }

    /// Topic ids in list order (first page of 100).
    pub fn listed(&mut self, who: &Principal, forum_id: i32, query: TopicListQuery) -> Vec<i32> {
        let query = TopicListQuery {
            limit: query.limit.or(Some(100)),
            ..query
        };
        self.list(who, forum_id, query)
            .expect("list topics")
            .data
            .iter()
            .map(|t| t.id)
            .collect()
    }

    pub fn replies(
        &mut self,
        who: &Principal,
        topic_id: i32,
        query: ReplyListQuery,
    ) -> Result<Page<ForumReply>, Error> {
        list_replies(&mut self.conn, who, topic_id, query)
    }

    /// A topic as its author reads it now, without counting a view.
    pub fn topic_row(&mut self, topic_id: i32) -> (i32, i32, bool) {
        forum_topics::table
            .find(topic_id)
            .select((
                forum_topics::reply_count,
                forum_topics::view_count,
                forum_topics::has_solution,
            ))
            .first(&mut *self.conn)
            .expect("topic row")
    }

    /// Asserts that every counter kept in the forum (forum, topics,
    /// replies) equals a recount from the rows.
    #[track_caller]
    pub fn assert_counters_exact(&mut self, forum_id: i32) {
        assert_counters_exact(&mut self.conn, forum_id);
    }
}

impl Default for World {
    fn default() -> Self {
        Self::new()
    }
}

#[track_caller]
pub fn assert_counters_exact(conn: &mut DbConnection, forum_id: i32) {
    assert_eq!(
        kept_forum_counters(conn, forum_id).unwrap(),
        count_forum_counters(conn, forum_id).unwrap(),
        "forum counters differ from a recount"
    );
    let topics: Vec<i32> = forum_topics::table
        .filter(forum_topics::forum_id.eq(forum_id))
        .select(forum_topics::id)
        .load(conn)
        .unwrap();
    for topic_id in topics {
        assert_eq!(
            kept_topic_counters(conn, topic_id).unwrap(),
            count_topic_counters(conn, topic_id).unwrap(),
            "counters of topic {topic_id} differ from a recount"
        );
        let replies: Vec<i32> = forum_replies::table
            .filter(forum_replies::topic_id.eq(topic_id))
            .select(forum_replies::id)
            .load(conn)
            .unwrap();
        for reply_id in replies {
            assert_eq!(
                kept_reaction_counts(conn, reply_id).unwrap(),
                count_reactions(conn, reply_id).unwrap(),
                "reaction counts of reply {reply_id} differ from a recount"
            );
        }
    }
}

pub fn topic_input(title: &str, content: &str) -> CreateTopicInput {
    CreateTopicInput {
        title: title.to_owned(),
        content: content.to_owned(),
        lesson_id: None,
    }
}

#[track_caller]
pub fn expect_not_enrolled<T: Debug>(result: Result<T, Error>) -> Error {
    expect_err(result, ErrorKind::Forbidden, "NOT_ENROLLED")
}

/// A clock for a racing thread, at the world's start.
pub fn thread_clock() -> ManualClock {
    ManualClock::starting_at(START)
}

/// Generous limits for racing threads.
pub fn roomy() -> ForumSettings {
    ForumSettings {
        topics_per_minute: 1000,
        replies_per_minute: 1000,
        reactions_per_minute: 1000,
        reports_per_hour: 1000,
    }
}
