//! Shared set-up for the behaviour tests of mdsc-rating: a fresh database
//! (SQLite, or PostgreSQL when `TEST_DATABASE_URL` is set), a manual clock,
//! users of every role, courses that students complete for real (lesson done,
//! quiz passed), short-hands for the rating services, an independent oracle
//! of the statistics, and error assertions.
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

use std::collections::BTreeMap;
use std::fmt::Debug;

/// Re-exported for the tests that move the clock.
#[allow(unused_imports)]
pub use chrono::Duration;
use diesel::prelude::*;
use mdsc_auth::{Principal, Role};
use mdsc_core::schema::{course_ratings, courses};
use mdsc_core::testing::TestDb;
#[allow(unused_imports)]
pub use mdsc_core::testing::{
    expect_err, expect_forbidden, expect_invalid_field, expect_not_found, race,
};
use mdsc_core::{Error, ErrorKind, ManualClock, Page, PooledConnection};
use mdsc_course::course::{CourseInput, CourseUpdate, create_course, update_course};
use mdsc_course::enrollment::{EnrollInput, enroll};
use mdsc_course::progress::complete_lesson;
use mdsc_course::quiz::{GradeInput, grade_quiz};
use mdsc_course::structure::{
    LessonInput, ModuleInput, QuizInput, create_lesson, create_module, create_quiz,
};
use mdsc_course::{CourseRow, Enrollment, EnrollmentStatus};
use mdsc_rating::service::{
    CreateRatingInput, ModerateInput, RatingListQuery, UpdateRatingInput, create_rating,
    delete_rating, get_rating, list_ratings, moderate_rating, update_rating,
};
use mdsc_rating::{CourseRating, CourseRatingStats, Moderation, RatingSettings, RatingStatus};

pub const START: &str = "2026-01-15T10:00:00Z";
pub const COURSE_TITLE: &str = "Rust for beginners";
pub const PASSING_SCORE: i32 = 60;

/// One test's world: its own database, a clock standing still at `START`,
/// a connection to work with and the rating settings the services get.
pub struct World {
    pub db: TestDb,
    pub clock: ManualClock,
    pub conn: PooledConnection,
    pub settings: RatingSettings,
    users: u32,
}

/// A course with one module holding one lesson and one quiz: two items, so
/// one done is 50 % and both done complete the course.
#[derive(Debug, Clone, Copy)]
pub struct CourseFix {
    pub id: i32,
    pub instructor: Principal,
    pub lesson_id: i32,
    pub quiz_id: i32,
}

/// A student and their enrollment in one course.
#[derive(Debug, Clone, Copy)]
pub struct Learner {
    pub who: Principal,
    pub enrollment_id: i32,
}

/// A published course, the people around it, and one student who has
/// completed it (and has not rated it yet).
pub struct Cast {
    pub instructor: Principal,
    pub other_instructor: Principal,
    pub admin: Principal,
    /// A student who is not enrolled in the course.
    pub outsider: Principal,
    pub course: CourseFix,
    pub student: Learner,
}

impl Cast {
    pub fn course_id(&self) -> i32 {
        self.course.id
    }
    /// The course's staff: its instructor and an admin.
    pub fn staff(&self) -> [Principal; 2] {
        [self.instructor, self.admin]
    }
    /// Signed-in users who are neither staff of the course nor enrolled in it.
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
            settings: RatingSettings::default(),
            users: 0,
        }
    }

    /// New ratings wait for approval from now on.
    pub fn pre_moderation(&mut self) {
        self.settings.moderation = Moderation::Pre;
    }
    /// New ratings are public at once from now on (the default).
    pub fn post_moderation(&mut self) {
        self.settings.moderation = Moderation::Post;
    }

    // --- people -----------------------------------------------------------

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

    // --- courses and progress ---------------------------------------------

    fn course_with(&mut self, instructor: &Principal, title: &str, published: bool) -> CourseFix {
        let input = CourseInput {
            title: title.to_owned(),
            description: Some(format!("About {title}")),
            is_published: Some(published),
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
        let quiz = QuizInput {
            title: Some("Check".to_owned()),
            passing_score: Some(PASSING_SCORE),
            ..QuizInput::default()
        };
        let quiz_id = create_quiz(&mut self.conn, instructor, &self.clock, module_id, quiz)
            .expect("create quiz")
            .id;
        CourseFix {
            id,
            instructor: *instructor,
            lesson_id,
            quiz_id,
        }
    }

    /// A published course with a lesson and a quiz.
    pub fn course(&mut self, instructor: &Principal, title: &str) -> CourseFix {
        self.course_with(instructor, title, true)
    }
    /// An unpublished course with a lesson and a quiz.
    pub fn draft(&mut self, instructor: &Principal, title: &str) -> CourseFix {
        self.course_with(instructor, title, false)
    }

    pub fn set_published(&mut self, course: &CourseFix, published: bool) {
        let input = CourseUpdate {
            is_published: Some(published),
            ..CourseUpdate::default()
        };
        update_course(
            &mut self.conn,
            &course.instructor,
            &self.clock,
            course.id,
            input,
        )
        .expect("publish or unpublish");
    }

    pub fn enroll(&mut self, who: &Principal, course_id: i32) -> Learner {
        let input = EnrollInput {
            course_id,
            payment_id: None,
            auto_generate_schedule: None,
        };
        let enrollment = enroll(&mut self.conn, who, &self.clock, input).expect("enroll");
        Learner {
            who: *who,
            enrollment_id: enrollment.id,
        }
    }

    pub fn complete_lesson(&mut self, learner: &Learner, course: &CourseFix) -> Enrollment {
        complete_lesson(
            &mut self.conn,
            &learner.who,
            &self.clock,
            learner.enrollment_id,
            course.lesson_id,
        )
        .expect("complete lesson")
    }

    /// The course's instructor grades the learner's quiz (it has no questions).
    pub fn take_quiz(&mut self, learner: &Learner, course: &CourseFix, score: f64) -> Enrollment {
        grade_quiz(
            &mut self.conn,
            &course.instructor,
            &self.clock,
            learner.enrollment_id,
            course.quiz_id,
            GradeInput { score },
        )
        .expect("grade quiz")
        .enrollment
    }

    /// A new student who enrolls in the course (and does nothing yet).
    pub fn enrolled(&mut self, course: &CourseFix) -> Learner {
        let who = self.student();
        self.enroll(&who, course.id)
    }

    /// The learner completes the lesson and passes the quiz: 100 %, completed.
    pub fn finish(&mut self, learner: &Learner, course: &CourseFix) {
        self.complete_lesson(learner, course);
        let enrollment = self.take_quiz(learner, course, 100.0);
        assert_eq!(enrollment.status, EnrollmentStatus::Completed);
        assert_eq!(enrollment.progress_percentage, 100.0);
    }

    /// `who` enrolls in the course and completes it.
    pub fn complete_as(&mut self, who: &Principal, course: &CourseFix) -> Learner {
        let learner = self.enroll(who, course.id);
        self.finish(&learner, course);
        learner
    }

    /// A new student who enrolls in the course and completes it.
    pub fn completed(&mut self, course: &CourseFix) -> Learner {
        let who = self.student();
        self.complete_as(&who, course)
    }

    pub fn cast(&mut self) -> Cast {
        let instructor = self.instructor();
        let other_instructor = self.instructor();
        let admin = self.admin();
        let outsider = self.student();
        let course = self.course(&instructor, COURSE_TITLE);
        let student = self.completed(&course);
        Cast {
            instructor,
            other_instructor,
            admin,
            outsider,
            course,
            student,
        }
    }

    // --- the rating services ---------------------------------------------

    pub fn try_rate_with(
        &mut self,
        who: &Principal,
        course_id: i32,
        input: CreateRatingInput,
    ) -> Result<CourseRating, Error> {
        create_rating(
            &mut self.conn,
            who,
            &self.clock,
            &self.settings,
            course_id,
            input,
        )
    }

    /// The learner rates the course with `stars` (and the other fields' defaults).
    pub fn try_rate(
        &mut self,
        learner: &Learner,
        course_id: i32,
        stars: i32,
    ) -> Result<CourseRating, Error> {
        self.try_rate_with(
            &learner.who,
            course_id,
            rating_input(learner.enrollment_id, stars),
        )
    }

    pub fn rate(&mut self, learner: &Learner, course_id: i32, stars: i32) -> CourseRating {
        self.try_rate(learner, course_id, stars).expect("rate")
    }

    pub fn rate_with(
        &mut self,
        learner: &Learner,
        course_id: i32,
        input: CreateRatingInput,
    ) -> CourseRating {
        self.try_rate_with(&learner.who, course_id, input)
            .expect("rate")
    }

    pub fn update(
        &mut self,
        who: &Principal,
        course_id: i32,
        rating_id: i32,
        input: UpdateRatingInput,
    ) -> Result<CourseRating, Error> {
        update_rating(
            &mut self.conn,
            who,
            &self.clock,
            &self.settings,
            course_id,
            rating_id,
            input,
        )
    }

    pub fn moderate(
        &mut self,
        who: &Principal,
        course_id: i32,
        rating_id: i32,
        status: RatingStatus,
        reason: Option<&str>,
    ) -> Result<CourseRating, Error> {
        let input = ModerateInput {
            status,
            reason: reason.map(str::to_owned),
        };
        moderate_rating(
            &mut self.conn,
            who,
            &self.clock,
            course_id,
            rating_id,
            input,
        )
    }

    /// Staff approve the rating (no reason).
    pub fn approve(&mut self, who: &Principal, course_id: i32, rating_id: i32) -> CourseRating {
        self.moderate(who, course_id, rating_id, RatingStatus::Approved, None)
            .expect("approve")
    }

    /// Staff reject the rating (no reason).
    pub fn reject(&mut self, who: &Principal, course_id: i32, rating_id: i32) -> CourseRating {
        self.moderate(who, course_id, rating_id, RatingStatus::Rejected, None)
            .expect("reject")
    }

    pub fn delete(&mut self, who: &Principal, course_id: i32, rating_id: i32) -> Result<(), Error> {
        delete_rating(&mut self.conn, who, course_id, rating_id)
    }

    pub fn get(
        &mut self,
        viewer: Option<&Principal>,
        course_id: i32,
        rating_id: i32,
    ) -> Result<CourseRating, Error> {
        get_rating(&mut self.conn, viewer, course_id, rating_id)
    }

    pub fn list(
        &mut self,
        viewer: Option<&Principal>,
        course_id: i32,
        query: RatingListQuery,
    ) -> Result<Page<CourseRating>, Error> {
        list_ratings(&mut self.conn, viewer, course_id, query)
    }

    /// The ids a viewer gets from the list, in its order (first page of 100).
    pub fn listed_ids(
        &mut self,
        viewer: Option<&Principal>,
        course_id: i32,
        query: RatingListQuery,
    ) -> Vec<i32> {
        let query = RatingListQuery {
            limit: query.limit.or(Some(100)),
            ..query
        };
        ids(&self
            .list(viewer, course_id, query)
            .expect("list ratings")
            .data)
    }

    // --- statistics and rows ---------------------------------------------

    /// The statistics kept on the course row, as the public endpoint answers them.
    pub fn stats(&mut self, course_id: i32) -> CourseRatingStats {
        mdsc_rating::stats::get_stats(&mut self.conn, None, course_id).expect("get stats")
    }

    /// The statistics counted afresh from the ratings.
    pub fn recount(&mut self, course_id: i32) -> CourseRatingStats {
        mdsc_rating::stats::count_stats(&mut self.conn, course_id).expect("count stats")
    }

    /// Asserts that the kept statistics equal a recount; returns them.
    #[track_caller]
    pub fn assert_stats_exact(&mut self, course_id: i32) -> CourseRatingStats {
        let kept = self.stats(course_id);
        let counted = self.recount(course_id);
        assert_eq!(kept, counted, "kept statistics differ from a recount");
        // The counts by moderation status, kept by the same statement.
        let row = self.course_row(course_id);
        let recounted = mdsc_rating::stats::count_status(&mut self.conn, course_id)
            .expect("count ratings by status");
        assert_eq!(
            mdsc_rating::stats::StatusCounts::of_course(&row),
            recounted,
            "kept counts by status differ from a recount"
        );
        kept
    }

    /// Asserts that the kept statistics equal a recount and those of exactly
    /// these approved ratings `(stars, would_recommend)`.
    #[track_caller]
    pub fn assert_stats(&mut self, course_id: i32, approved: &[(i32, bool)]) {
        let kept = self.assert_stats_exact(course_id);
        assert_eq!(kept, expected_stats(approved));
    }

    pub fn course_row(&mut self, course_id: i32) -> CourseRow {
        courses::table
            .find(course_id)
            .select(CourseRow::as_select())
            .first(&mut *self.conn)
            .expect("course row")
    }

    /// The stored status of a rating, straight from its row.
    pub fn stored_status(&mut self, rating_id: i32) -> Option<String> {
        course_ratings::table
            .find(rating_id)
            .select(course_ratings::status)
            .first(&mut *self.conn)
            .optional()
            .expect("rating status")
    }

    /// How many ratings the course has, whatever their status.
    pub fn rating_rows(&mut self, course_id: i32) -> i64 {
        course_ratings::table
            .filter(course_ratings::course_id.eq(course_id))
            .count()
            .get_result(&mut *self.conn)
            .expect("count ratings")
    }
}

impl Default for World {
    fn default() -> Self {
        Self::new()
    }
}

/// A rating with `stars`, a comment, and the defaults of everything else.
pub fn rating_input(enrollment_id: i32, stars: i32) -> CreateRatingInput {
    CreateRatingInput {
        enrollment_id,
        rating: stars,
        comment: Some(format!("{stars} stars")),
        pros: None,
        cons: None,
        would_recommend: None,
        is_anonymous: None,
    }
}

/// A change of the stars only.
pub fn new_stars(stars: i32) -> UpdateRatingInput {
    UpdateRatingInput {
        rating: Some(stars),
        ..UpdateRatingInput::default()
    }
}

pub fn ids(ratings: &[CourseRating]) -> Vec<i32> {
    ratings.iter().map(|r| r.id).collect()
}

pub fn by_status(status: mdsc_rating::service::RatingStatusFilter) -> RatingListQuery {
    RatingListQuery {
        status: Some(status),
        ..RatingListQuery::default()
    }
}

pub fn round2(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

/// The statistics a set of approved ratings `(stars, would_recommend)` must
/// have, computed here independently of the crate.
pub fn expected_stats(approved: &[(i32, bool)]) -> CourseRatingStats {
    let mut distribution: BTreeMap<String, i32> =
        (1..=5).map(|stars: i32| (stars.to_string(), 0)).collect();
    for (stars, _) in approved {
        *distribution.get_mut(&stars.to_string()).expect("1 to 5") += 1;
    }
    let count = i32::try_from(approved.len()).unwrap();
    let sum: i32 = approved.iter().map(|(stars, _)| stars).sum();
    let recommend = approved.iter().filter(|(_, r)| *r).count();
    let (average_rating, recommendation_rate) = if count == 0 {
        (0.0, 0.0)
    } else {
        (
            round2(f64::from(sum) / f64::from(count)),
            round2(recommend as f64 * 100.0 / f64::from(count)),
        )
    };
    CourseRatingStats {
        average_rating,
        rating_count: count,
        rating_distribution: distribution,
        recommendation_rate,
    }
}

#[track_caller]
pub fn expect_conflict<T: Debug>(result: Result<T, Error>, code: &str) -> Error {
    expect_err(result, ErrorKind::Conflict, code)
}

/// Asserts that the error names exactly these fields (in any order).
#[track_caller]
pub fn assert_invalid_fields(err: &Error, fields: &[&str]) {
    let mut named: Vec<&str> = err.field_errors.iter().map(|f| f.field.as_str()).collect();
    named.sort_unstable();
    named.dedup();
    let mut wanted = fields.to_vec();
    wanted.sort_unstable();
    assert_eq!(named, wanted, "field errors: {:?}", err.field_errors);
}

/// A clock for a racing thread, at the world's start.
pub fn thread_clock() -> ManualClock {
    ManualClock::starting_at(START)
}
