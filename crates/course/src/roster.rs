//! A course's roster for its staff: each enrolled student with their
//! progress, last activity, completion, quiz results and live-session
//! attendance; as pages (`GET /api/courses/{id}/enrollments`) or as a CSV
//! export read in slices (`…/enrollments.csv`).
//!
//! A page costs a fixed number of statements whatever its size: the page
//! of enrollments with their students, then one grouped read each for
//! lessons, quizzes and attendance of the page's enrollments only.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::dsl::{count_star, max};
use diesel::prelude::*;
use mdsc_auth::Principal;
use mdsc_core::page::{Page, PageParams};
use mdsc_core::schema::{
    course_modules, enrollments, lesson_completions, lessons, live_session_participants,
    live_sessions, quiz_attempts, quizzes, users,
};
use mdsc_core::search::contains_patterns;
use mdsc_core::time::{utc, utc_opt};
use mdsc_core::total::{bounded_total, count_limit};
use mdsc_core::{DbConnection, Error};
use serde::{Deserialize, Serialize};

use crate::access::{find_course, is_staff_of};
use crate::model::{EnrollmentRow, EnrollmentStatus};

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RosterQuery {
    /// Words found in the student's first name, last name or e-mail (the
    /// first 100 characters, 5 words).
    pub search: Option<String>,
    pub status: Option<EnrollmentStatus>,
    /// Page number, from 1 (out-of-range values are clamped).
    pub page: Option<i64>,
    /// Items per page (default 20, at most 100).
    pub limit: Option<i64>,
}

/// The student of a roster line: staff see the e-mail to reach them.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RosterStudent {
    pub id: i32,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
}

#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct RosterQuizzes {
    /// Quizzes in the course.
    pub total: i64,
    /// Quizzes the student submitted at least once.
    pub attempted: i64,
    /// Quizzes the student passed at least once.
    pub passed: i64,
    /// The mean of the student's best score per attempted quiz (percent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub average_best_score: Option<f64>,
}

#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct RosterAttendance {
    /// The course's live sessions that have ended.
    pub held: i64,
    /// Sessions of the course the student joined.
    pub attended: i64,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RosterEntry {
    pub enrollment_id: i32,
    pub student: RosterStudent,
    pub status: EnrollmentStatus,
    pub progress_percentage: f64,
    pub lessons_completed: i64,
    pub lessons_total: i64,
    pub enrolled_at: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub completed_at: Option<DateTime<Utc>>,
    /// The latest of: enrolling, a lesson completed, a quiz submitted, a
    /// live session joined, the enrollment changed.
    pub last_activity_at: DateTime<Utc>,
    pub quizzes: RosterQuizzes,
    pub live_sessions: RosterAttendance,
}

fn staff_only(conn: &mut DbConnection, actor: &Principal, course_id: i32) -> Result<(), Error> {
    let course = find_course(conn, course_id)?;
    if is_staff_of(actor, &course) {
        Ok(())
    } else {
        Err(Error::forbidden("Only the course's staff see its roster"))
    }
}

type StudentColumns = (users::id, users::first_name, users::last_name, users::email);

const STUDENT: StudentColumns = (users::id, users::first_name, users::last_name, users::email);

/// A page of the roster, ordered by last name, first name (case and
/// accents ignored).
pub fn roster_page(
    conn: &mut DbConnection,
    actor: &Principal,
    course_id: i32,
    query: RosterQuery,
) -> Result<Page<RosterEntry>, Error> {
    staff_only(conn, actor, course_id)?;
    let request = PageParams {
        page: query.page,
        limit: query.limit,
    }
    .resolve();
    let offset = request.bounded_offset()?;
    let words = contains_patterns(query.search.as_deref());
    let filtered = || {
        let mut q = enrollments::table
            .inner_join(users::table)
            .filter(enrollments::course_id.eq(course_id))
            // An erased account no longer follows the course.
            .filter(users::deleted_at.is_null())
            .into_boxed();
        if let Some(status) = query.status {
            q = q.filter(enrollments::status.eq(status.as_str()));
        }
        for word in &words {
            q = q.filter(
                enrollments::student_sort
                    .like(word.clone())
                    .escape('\\')
                    .or(users::email.like(word.clone()).escape('\\')),
            );
        }
        q
    };
    // By folded "last first" name, from the index on (course_id,
    // student_sort, id): a page reads its rows, not the whole course.
    let by_name = (enrollments::student_sort.asc(), enrollments::id.asc());
    // Counted up to a bound (see `mdsc_core::total`), in the list's order.
    let counted = filtered()
        .order(by_name)
        .select(enrollments::id)
        .limit(count_limit(request))
        .load::<i32>(conn)?
        .len();
    let rows: Vec<(EnrollmentRow, (i32, String, String, String))> = filtered()
        .order(by_name)
        .limit(request.limit)
        .offset(offset)
        .select((EnrollmentRow::as_select(), STUDENT))
        .load(conn)?;
    let entries = entries(conn, course_id, rows)?;
    Ok(Page::new(entries, request, bounded_total(counted, request)))
}

/// Up to `limit` roster lines after enrollment `after`, in enrollment
/// order: the export's slices (every status, no search).
pub fn roster_slice(
    conn: &mut DbConnection,
    actor: &Principal,
    course_id: i32,
    after: i32,
    limit: i64,
) -> Result<Vec<RosterEntry>, Error> {
    staff_only(conn, actor, course_id)?;
    let rows: Vec<(EnrollmentRow, (i32, String, String, String))> = enrollments::table
        .inner_join(users::table)
        .filter(enrollments::course_id.eq(course_id))
        .filter(users::deleted_at.is_null())
        .filter(enrollments::id.gt(after))
        .order(enrollments::id.asc())
        .limit(limit)
        .select((EnrollmentRow::as_select(), STUDENT))
        .load(conn)?;
    entries(conn, course_id, rows)
}

/// What the page's enrollments did, in one grouped read per kind.
fn entries(
    conn: &mut DbConnection,
    course_id: i32,
    rows: Vec<(EnrollmentRow, (i32, String, String, String))>,
) -> Result<Vec<RosterEntry>, Error> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let enrollment_ids: Vec<i32> = rows.iter().map(|(e, _)| e.id).collect();
    let user_ids: Vec<i32> = rows.iter().map(|(e, _)| e.user_id).collect();

    let lessons_total: i64 = lessons::table
        .inner_join(course_modules::table)
        .filter(course_modules::course_id.eq(course_id))
        .count()
        .get_result(conn)?;
    let quizzes_total: i64 = quizzes::table
        .inner_join(course_modules::table)
        .filter(course_modules::course_id.eq(course_id))
        .count()
        .get_result(conn)?;
    let held: i64 = live_sessions::table
        .filter(live_sessions::course_id.eq(course_id))
        .filter(live_sessions::status.eq("ended"))
        .count()
        .get_result(conn)?;

    let completions: HashMap<i32, (i64, Option<NaiveDateTime>)> = lesson_completions::table
        .filter(lesson_completions::enrollment_id.eq_any(&enrollment_ids))
        .group_by(lesson_completions::enrollment_id)
        .select((
            lesson_completions::enrollment_id,
            count_star(),
            max(lesson_completions::completed_at),
        ))
        .load::<(i32, i64, Option<NaiveDateTime>)>(conn)?
        .into_iter()
        .map(|(id, count, last)| (id, (count, last)))
        .collect();

    // Per enrollment and quiz: the best score, the last submission, and
    // whether any attempt passed.
    let best: Vec<(i32, i32, Option<f64>, Option<NaiveDateTime>)> = quiz_attempts::table
        .filter(quiz_attempts::enrollment_id.eq_any(&enrollment_ids))
        .group_by((quiz_attempts::enrollment_id, quiz_attempts::quiz_id))
        .select((
            quiz_attempts::enrollment_id,
            quiz_attempts::quiz_id,
            max(quiz_attempts::score),
            max(quiz_attempts::submitted_at),
        ))
        .load(conn)?;
    let passed: Vec<(i32, i32)> = quiz_attempts::table
        .filter(quiz_attempts::enrollment_id.eq_any(&enrollment_ids))
        .filter(quiz_attempts::passed.eq(true))
        .select((quiz_attempts::enrollment_id, quiz_attempts::quiz_id))
        .distinct()
        .load(conn)?;

    let attendance: HashMap<i32, (i64, Option<NaiveDateTime>)> = live_session_participants::table
        .inner_join(live_sessions::table)
        .filter(live_sessions::course_id.eq(course_id))
        .filter(live_session_participants::user_id.eq_any(&user_ids))
        .filter(live_session_participants::joined_at.is_not_null())
        .group_by(live_session_participants::user_id)
        .select((
            live_session_participants::user_id,
            count_star(),
            max(live_session_participants::joined_at),
        ))
        .load::<(i32, i64, Option<NaiveDateTime>)>(conn)?
        .into_iter()
        .map(|(id, count, last)| (id, (count, last)))
        .collect();

    Ok(rows
        .into_iter()
        .map(|(enrollment, (id, first_name, last_name, email))| {
            let (lessons_completed, last_lesson) = completions
                .get(&enrollment.id)
                .copied()
                .unwrap_or((0, None));
            let mine: Vec<&(i32, i32, Option<f64>, Option<NaiveDateTime>)> =
                best.iter().filter(|b| b.0 == enrollment.id).collect();
            let scores: Vec<f64> = mine.iter().filter_map(|b| b.2).collect();
            let last_quiz = mine.iter().filter_map(|b| b.3).max();
            let quizzes = RosterQuizzes {
                total: quizzes_total,
                attempted: mine.len() as i64,
                passed: passed.iter().filter(|p| p.0 == enrollment.id).count() as i64,
                average_best_score: (!scores.is_empty())
                    .then(|| scores.iter().sum::<f64>() / scores.len() as f64),
            };
            let (attended, last_joined) = attendance
                .get(&enrollment.user_id)
                .copied()
                .unwrap_or((0, None));
            let last_activity = [
                Some(enrollment.enrolled_at),
                Some(enrollment.updated_at),
                last_lesson,
                last_quiz,
                last_joined,
            ]
            .into_iter()
            .flatten()
            .max()
            .unwrap_or(enrollment.enrolled_at);
            RosterEntry {
                enrollment_id: enrollment.id,
                student: RosterStudent {
                    id,
                    first_name,
                    last_name,
                    email,
                },
                status: EnrollmentStatus::from_db(&enrollment.status),
                progress_percentage: enrollment.progress_percentage,
                lessons_completed,
                lessons_total,
                enrolled_at: utc(enrollment.enrolled_at),
                completed_at: utc_opt(enrollment.completed_at),
                last_activity_at: utc(last_activity),
                quizzes,
                live_sessions: RosterAttendance { held, attended },
            }
        })
        .collect())
}
