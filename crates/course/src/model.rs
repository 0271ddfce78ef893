//! Rows and API shapes of courses, their structure, enrollments and certificates.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use mdsc_auth::UserSummary;
use mdsc_core::schema::{certificates, course_modules, courses, enrollments, lessons, quizzes};
use mdsc_core::time::{utc, utc_opt};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = courses)]
pub struct CourseRow {
    pub id: i32,
    pub title: String,
    pub slug: String,
    pub description: String,
    pub short_description: Option<String>,
    pub thumbnail_url: Option<String>,
    pub category: Option<String>,
    pub level: Option<String>,
    pub language: String,
    pub instructor_id: i32,
    pub is_published: bool,
    pub start_date: Option<NaiveDateTime>,
    pub end_date: Option<NaiveDateTime>,
    pub estimated_duration_weeks: Option<i32>,
    pub average_rating: f64,
    pub rating_count: i32,
    pub enrollment_count: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    // Rating statistics, kept by mdsc-rating in the same transaction as
    // every rating change; approved ratings only.
    pub rating_sum: i32,
    pub rating_count_1: i32,
    pub rating_count_2: i32,
    pub rating_count_3: i32,
    pub rating_count_4: i32,
    pub rating_count_5: i32,
    pub recommend_count: i32,
    pub recommendation_rate: f64,
    // Ratings waiting for moderation and rejected ones, kept the same way.
    pub rating_pending_count: i32,
    pub rating_rejected_count: i32,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Course {
    pub id: i32,
    pub title: String,
    pub slug: String,
    pub description: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub short_description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thumbnail_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level: Option<String>,
    pub language: String,
    pub instructor_id: i32,
    pub instructor: UserSummary,
    pub is_published: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_date: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_date: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub estimated_duration_weeks: Option<i32>,
    /// Mean of approved ratings, two decimals; 0 without ratings.
    pub average_rating: f64,
    pub rating_count: i32,
    pub enrollment_count: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Course {
    pub fn from_row(row: CourseRow, instructor: UserSummary) -> Self {
        Self {
            id: row.id,
            title: row.title,
            slug: row.slug,
            description: row.description,
            short_description: row.short_description,
            thumbnail_url: row.thumbnail_url,
            category: row.category,
            level: row.level,
            language: row.language,
            instructor_id: row.instructor_id,
            instructor,
            is_published: row.is_published,
            start_date: utc_opt(row.start_date),
            end_date: utc_opt(row.end_date),
            estimated_duration_weeks: row.estimated_duration_weeks,
            average_rating: row.average_rating,
            rating_count: row.rating_count,
            enrollment_count: row.enrollment_count,
            created_at: utc(row.created_at),
            updated_at: utc(row.updated_at),
        }
    }
}

/// The short course embedded in enrollments and certificates.
#[derive(Debug, Clone, Serialize, Queryable, Selectable, utoipa::ToSchema)]
#[diesel(table_name = courses)]
pub struct CourseSummary {
    pub id: i32,
    pub title: String,
    pub slug: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thumbnail_url: Option<String>,
    pub instructor_id: i32,
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = course_modules)]
pub struct ModuleRow {
    pub id: i32,
    pub course_id: i32,
    pub title: String,
    pub description: Option<String>,
    pub position: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Module {
    pub id: i32,
    pub course_id: i32,
    pub title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub position: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<ModuleRow> for Module {
    fn from(r: ModuleRow) -> Self {
        Self {
            id: r.id,
            course_id: r.course_id,
            title: r.title,
            description: r.description,
            position: r.position,
            created_at: utc(r.created_at),
            updated_at: utc(r.updated_at),
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = lessons)]
pub struct LessonRow {
    pub id: i32,
    pub course_id: i32,
    pub module_id: i32,
    pub title: String,
    pub content: Option<String>,
    pub video_url: Option<String>,
    pub duration_minutes: i32,
    pub position: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Lesson {
    pub id: i32,
    pub course_id: i32,
    pub module_id: i32,
    pub title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub video_url: Option<String>,
    pub duration_minutes: i32,
    pub position: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<LessonRow> for Lesson {
    fn from(r: LessonRow) -> Self {
        Self {
            id: r.id,
            course_id: r.course_id,
            module_id: r.module_id,
            title: r.title,
            content: r.content,
            video_url: r.video_url,
            duration_minutes: r.duration_minutes,
            position: r.position,
            created_at: utc(r.created_at),
            updated_at: utc(r.updated_at),
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = quizzes)]
pub struct QuizRow {
    pub id: i32,
    pub course_id: i32,
    pub module_id: i32,
    pub title: String,
    pub description: Option<String>,
    pub passing_score: i32,
    pub due_date: Option<NaiveDateTime>,
    pub due_offset_days: Option<i32>,
    pub position: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub max_attempts: Option<i32>,
    pub time_limit_minutes: Option<i32>,
    pub shuffle_questions: bool,
    pub shuffle_choices: bool,
    pub reveal_answers: String,
}

/// When a student sees the correct answers and explanations of a graded
/// attempt. Whether each answer was right is always shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RevealAnswers {
    /// As soon as the attempt is graded.
    AfterSubmit,
    /// Once the student's due date for the quiz has passed (a quiz without
    /// a due date keeps them hidden).
    AfterDue,
    /// Never shown to students.
    Never,
}

impl RevealAnswers {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::AfterSubmit => "after_submit",
            Self::AfterDue => "after_due",
            Self::Never => "never",
        }
    }
    pub fn from_db(value: &str) -> Self {
        match value {
            "after_due" => Self::AfterDue,
            "never" => Self::Never,
            _ => Self::AfterSubmit,
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Quiz {
    pub id: i32,
    pub course_id: i32,
    pub module_id: i32,
    pub title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Minimum score, in percent, to pass.
    pub passing_score: i32,
    /// A fixed deadline…
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due_date: Option<DateTime<Utc>>,
    /// …or one relative to each student's enrollment date.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due_offset_days: Option<i32>,
    pub position: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Attempts a student may make; absent: unlimited.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_attempts: Option<i32>,
    /// Minutes to answer once an attempt is started; absent: no limit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time_limit_minutes: Option<i32>,
    /// Each attempt shows the questions in its own order.
    pub shuffle_questions: bool,
    /// Each attempt shows each question's choices in its own order.
    pub shuffle_choices: bool,
    pub reveal_answers: RevealAnswers,
}

impl From<QuizRow> for Quiz {
    fn from(r: QuizRow) -> Self {
        Self {
            id: r.id,
            course_id: r.course_id,
            module_id: r.module_id,
            title: r.title,
            description: r.description,
            passing_score: r.passing_score,
            due_date: utc_opt(r.due_date),
            due_offset_days: r.due_offset_days,
            position: r.position,
            created_at: utc(r.created_at),
            updated_at: utc(r.updated_at),
            max_attempts: r.max_attempts,
            time_limit_minutes: r.time_limit_minutes,
            shuffle_questions: r.shuffle_questions,
            shuffle_choices: r.shuffle_choices,
            reveal_answers: RevealAnswers::from_db(&r.reveal_answers),
        }
    }
}

/// A module with its ordered lessons and quizzes.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ModuleWithContent {
    #[serde(flatten)]
    pub module: Module,
    pub lessons: Vec<Lesson>,
    pub quizzes: Vec<Quiz>,
}

/// `GET /api/courses/:id/structure`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CourseStructure {
    pub course: Course,
    pub modules: Vec<ModuleWithContent>,
    pub total_lessons: i64,
    pub total_quizzes: i64,
    pub total_duration_minutes: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum EnrollmentStatus {
    Active,
    Completed,
    Cancelled,
}

impl EnrollmentStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Completed => "completed",
            Self::Cancelled => "cancelled",
        }
    }
    pub fn from_db(value: &str) -> Self {
        match value {
            "completed" => Self::Completed,
            "cancelled" => Self::Cancelled,
            _ => Self::Active,
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = enrollments)]
pub struct EnrollmentRow {
    pub id: i32,
    pub user_id: i32,
    pub course_id: i32,
    pub status: String,
    pub progress_percentage: f64,
    pub payment_id: Option<String>,
    pub enrolled_at: NaiveDateTime,
    pub completed_at: Option<NaiveDateTime>,
    pub updated_at: NaiveDateTime,
    /// The student's folded "last first" name (the roster's order), kept
    /// by the database.
    pub student_sort: String,
}

impl EnrollmentRow {
    pub fn status(&self) -> EnrollmentStatus {
        EnrollmentStatus::from_db(&self.status)
    }
    /// Active or completed: the student still belongs to the course.
    pub fn is_current(&self) -> bool {
        self.status() != EnrollmentStatus::Cancelled
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Enrollment {
    pub id: i32,
    pub user_id: i32,
    pub course_id: i32,
    pub status: EnrollmentStatus,
    pub progress_percentage: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payment_id: Option<String>,
    pub enrolled_at: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub completed_at: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub course: Option<CourseSummary>,
    /// Set by `POST /api/enrollments` when it tried to generate the schedule.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schedule_generated: Option<bool>,
}

impl Enrollment {
    pub fn from_row(r: EnrollmentRow, course: Option<CourseSummary>) -> Self {
        Self {
            status: r.status(),
            id: r.id,
            user_id: r.user_id,
            course_id: r.course_id,
            progress_percentage: r.progress_percentage,
            payment_id: r.payment_id,
            enrolled_at: utc(r.enrolled_at),
            completed_at: utc_opt(r.completed_at),
            course,
            schedule_generated: None,
        }
    }
}

/// `GET /api/enrollments/:id/progress`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EnrollmentProgress {
    pub enrollment_id: i32,
    pub progress_percentage: f64,
    pub completed_lesson_ids: Vec<i32>,
    pub passed_quiz_ids: Vec<i32>,
    pub total_lessons: i64,
    pub total_quizzes: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub completed_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = certificates)]
pub struct CertificateRow {
    pub id: i32,
    pub enrollment_id: i32,
    pub user_id: i32,
    pub course_id: i32,
    pub verification_code: String,
    pub issued_at: NaiveDateTime,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Certificate {
    pub id: i32,
    pub enrollment_id: i32,
    pub user_id: i32,
    pub course_id: i32,
    /// Unguessable (128 random bits); anyone holding it can verify the certificate.
    pub verification_code: String,
    pub issued_at: DateTime<Utc>,
    pub course: CourseSummary,
    pub student: UserSummary,
}

/// `GET /api/enrollments/:id/certificate-status`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CertificateStatus {
    /// The course is complete: a certificate can be issued.
    pub eligible: bool,
    pub has_rated: bool,
    pub should_prompt_rating: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certificate: Option<Certificate>,
}

/// `GET /api/certificates/verify/:code` (public).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CertificateVerification {
    pub valid: bool,
    pub verification_code: String,
    pub issued_at: DateTime<Utc>,
    /// When the enrollment reached 100 %.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub completed_at: Option<DateTime<Utc>>,
    pub course: CourseSummary,
    pub student: UserSummary,
    /// The course's instructor.
    pub instructor: UserSummary,
}
