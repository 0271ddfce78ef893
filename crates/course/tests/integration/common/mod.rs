//! Shared set-up for the behaviour tests of mdsc-course: a fresh database
//! (SQLite, or PostgreSQL when `TEST_DATABASE_URL` is set), a manual clock,
//! users of every role, courses with content, and error assertions.
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

use std::fmt::Debug;

/// Re-exported for the tests that move the clock.
#[allow(unused_imports)]
pub use chrono::Duration;
use diesel::prelude::*;
use mdsc_auth::{Principal, Role};
use mdsc_core::schema::courses;
use mdsc_core::testing::TestDb;
#[allow(unused_imports)]
pub use mdsc_core::testing::{
    expect_err, expect_forbidden, expect_invalid_field, expect_not_found, race,
};
use mdsc_core::{Error, ManualClock, PooledConnection};
use mdsc_course::course::{CourseInput, create_course};
use mdsc_course::enrollment::{EnrollInput, enroll};
use mdsc_course::progress::complete_lesson;
use mdsc_course::quiz::{GradeInput, grade_quiz};
use mdsc_course::structure::{
    LessonInput, ModuleInput, QuizInput, create_lesson, create_module, create_quiz,
};
use mdsc_course::{Course, Enrollment, Lesson, Module, Quiz};

pub const START: &str = "2026-01-15T10:00:00Z";
pub const LESSON_CONTENT: &str = "The secret content of the lesson";
pub const LESSON_VIDEO: &str = "https://videos.example.com/lesson.mp4";

/// One test's world: its own database, a clock standing still at `START`,
/// and a connection to work with.
pub struct World {
    pub db: TestDb,
    pub clock: ManualClock,
    pub conn: PooledConnection,
    users: u32,
}

/// A published course with one module of two lessons and a quiz (three
/// items to complete), and the people around it.
pub struct Cast {
    pub instructor: Principal,
    pub other_instructor: Principal,
    pub admin: Principal,
    pub enrolled: Principal,
    pub outsider: Principal,
    pub course_id: i32,
    pub module_id: i32,
    pub lesson_ids: Vec<i32>,
    pub quiz_id: i32,
    pub enrollment_id: i32,
}

impl World {
    pub fn new() -> Self {
        let db = TestDb::new();
        let conn = db.conn();
        Self {
            db,
            clock: ManualClock::starting_at(START),
            conn,
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
    pub fn instructor(&mut self) -> Principal {
        self.user(Role::Instructor)
    }
    pub fn admin(&mut self) -> Principal {
        self.user(Role::Admin)
    }

    pub fn create_course(
        &mut self,
        actor: &Principal,
        input: CourseInput,
    ) -> Result<Course, Error> {
        create_course(&mut self.conn, actor, &self.clock, input)
    }

    /// A published course.
    pub fn course(&mut self, instructor: &Principal, title: &str) -> Course {
        self.create_course(instructor, course_input(title))
            .expect("create course")
    }

    /// An unpublished course.
    pub fn draft(&mut self, instructor: &Principal, title: &str) -> Course {
        let input = CourseInput {
            is_published: Some(false),
            ..course_input(title)
        };
        self.create_course(instructor, input).expect("create draft")
    }

    pub fn module(&mut self, staff: &Principal, course_id: i32, title: &str) -> Module {
        let input = ModuleInput {
            title: Some(title.to_owned()),
            ..ModuleInput::default()
        };
        create_module(&mut self.conn, staff, &self.clock, course_id, input).expect("create module")
    }

    pub fn lesson(&mut self, staff: &Principal, module_id: i32, title: &str) -> Lesson {
        create_lesson(
            &mut self.conn,
            staff,
            &self.clock,
            module_id,
            lesson_input(title),
        )
        .expect("create lesson")
    }

    pub fn quiz(&mut self, staff: &Principal, module_id: i32, title: &str) -> Quiz {
        create_quiz(
            &mut self.conn,
            staff,
            &self.clock,
            module_id,
            quiz_input(title),
        )
        .expect("create quiz")
    }

    pub fn try_enroll(&mut self, student: &Principal, course_id: i32) -> Result<Enrollment, Error> {
        enroll(
            &mut self.conn,
            student,
            &self.clock,
            enroll_input(course_id),
        )
    }

    pub fn enroll(&mut self, student: &Principal, course_id: i32) -> Enrollment {
        self.try_enroll(student, course_id).expect("enroll")
    }

    pub fn complete(
        &mut self,
        student: &Principal,
        enrollment_id: i32,
        lesson_id: i32,
    ) -> Result<Enrollment, Error> {
        complete_lesson(
            &mut self.conn,
            student,
            &self.clock,
            enrollment_id,
            lesson_id,
        )
    }

    /// `grader` records a score for a quiz without questions.
    pub fn grade(
        &mut self,
        grader: &Principal,
        enrollment_id: i32,
        quiz_id: i32,
        score: f64,
    ) -> Result<mdsc_course::QuizSubmission, Error> {
        grade_quiz(
            &mut self.conn,
            grader,
            &self.clock,
            enrollment_id,
            quiz_id,
            GradeInput { score },
        )
    }

    /// The cast's enrolled student completes every lesson and passes the quiz.
    pub fn finish(&mut self, cast: &Cast) -> Enrollment {
        self.finish_as(cast, &cast.enrolled, cast.enrollment_id)
    }

    /// `student` completes every lesson and passes the quiz of the cast's
    /// course (it has no questions: the instructor grades it).
    pub fn finish_as(
        &mut self,
        cast: &Cast,
        student: &Principal,
        enrollment_id: i32,
    ) -> Enrollment {
        for lesson_id in cast.lesson_ids.clone() {
            self.complete(student, enrollment_id, lesson_id)
                .expect("complete lesson");
        }
        self.grade(&cast.instructor, enrollment_id, cast.quiz_id, 100.0)
            .expect("grade quiz")
            .enrollment
    }

    pub fn cast(&mut self) -> Cast {
        let instructor = self.instructor();
        let other_instructor = self.instructor();
        let admin = self.admin();
        let enrolled = self.student();
        let outsider = self.student();
        let course_id = self.course(&instructor, "Rust for beginners").id;
        let module_id = self.module(&instructor, course_id, "Basics").id;
        let lesson_ids = vec![
            self.lesson(&instructor, module_id, "Ownership").id,
            self.lesson(&instructor, module_id, "Borrowing").id,
        ];
        let quiz_id = self.quiz(&instructor, module_id, "Check").id;
        let enrollment_id = self.enroll(&enrolled, course_id).id;
        Cast {
            instructor,
            other_instructor,
            admin,
            enrolled,
            outsider,
            course_id,
            module_id,
            lesson_ids,
            quiz_id,
            enrollment_id,
        }
    }

    pub fn enrollment_count(&mut self, course_id: i32) -> i32 {
        courses::table
            .find(course_id)
            .select(courses::enrollment_count)
            .first(&mut *self.conn)
            .expect("enrollment count")
    }
}

impl Cast {
    /// Everyone who is not staff of the course and not enrolled in it.
    pub fn outsiders(&self) -> [Principal; 2] {
        [self.outsider, self.other_instructor]
    }
    /// The course's staff.
    pub fn staff(&self) -> [Principal; 2] {
        [self.instructor, self.admin]
    }
}

pub fn course_input(title: &str) -> CourseInput {
    CourseInput {
        title: title.to_owned(),
        description: Some(format!("About {title}")),
        ..CourseInput::default()
    }
}

pub fn lesson_input(title: &str) -> LessonInput {
    LessonInput {
        title: Some(title.to_owned()),
        content: Some(LESSON_CONTENT.to_owned()),
        video_url: Some(LESSON_VIDEO.to_owned()),
        duration_minutes: Some(30),
        position: None,
    }
}

pub fn quiz_input(title: &str) -> QuizInput {
    QuizInput {
        title: Some(title.to_owned()),
        passing_score: Some(60),
        ..QuizInput::default()
    }
}

pub fn enroll_input(course_id: i32) -> EnrollInput {
    EnrollInput {
        course_id,
        payment_id: None,
        auto_generate_schedule: None,
    }
}

/// Asserts the rule of actions on an enrollment that only its student may
/// take: the course's staff, who may read it, get 403; anyone else 404.
pub fn expect_only_the_student<T: Debug>(
    w: &mut World,
    cast: &Cast,
    mut action: impl FnMut(&mut World, &Principal) -> Result<T, Error>,
) {
    for staff in cast.staff() {
        expect_forbidden(action(w, &staff));
    }
    for outsider in cast.outsiders() {
        expect_not_found(action(w, &outsider));
    }
}
