//! Rows to the seed's `CourseRating`, in one batch: authors, responders,
//! courses and the caller's helpful votes are loaded with one query each.

use std::collections::{HashMap, HashSet};

use diesel::prelude::*;
use mdsc_auth::{Principal, UserSummary};
use mdsc_core::schema::{courses, rating_helpful_votes, users};
use mdsc_core::time::utc;
use mdsc_core::{DbConnection, Error};

use crate::model::{CourseRating, InstructorResponse, RatingCourse, RatingRow};

pub(crate) fn render(
    conn: &mut DbConnection,
    rows: Vec<RatingRow>,
    viewer: Option<&Principal>,
) -> Result<Vec<CourseRating>, Error> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let user_ids: HashSet<i32> = rows
        .iter()
        .flat_map(|r| [Some(r.user_id), r.instructor_response_by])
        .flatten()
        .collect();
    let people: HashMap<i32, UserSummary> = users::table
        .filter(users::id.eq_any(user_ids.into_iter().collect::<Vec<_>>()))
        .select(UserSummary::as_select())
        .load(conn)?
        .into_iter()
        .map(|u| (u.id, u))
        .collect();
    let course_ids: HashSet<i32> = rows.iter().map(|r| r.course_id).collect();
    let course_list: Vec<(i32, String, String, i32)> = courses::table
        .filter(courses::id.eq_any(course_ids.into_iter().collect::<Vec<_>>()))
        .select((
            courses::id,
            courses::title,
            courses::slug,
            courses::instructor_id,
        ))
        .load(conn)?;
    let course_map: HashMap<i32, (RatingCourse, i32)> = course_list
        .into_iter()
        .map(|(id, title, slug, instructor_id)| {
            (id, (RatingCourse { id, title, slug }, instructor_id))
        })
        .collect();
    let helpful: HashSet<i32> = match viewer {
        Some(v) => rating_helpful_votes::table
            .filter(rating_helpful_votes::user_id.eq(v.user_id))
            .filter(
                rating_helpful_votes::rating_id
                    .eq_any(rows.iter().map(|r| r.id).collect::<Vec<_>>()),
            )
            .select(rating_helpful_votes::rating_id)
            .load::<i32>(conn)?
            .into_iter()
            .collect(),
        None => HashSet::new(),
    };
    Ok(rows
        .into_iter()
        .map(|row| {
            let course = course_map.get(&row.course_id);
            let is_author = viewer.is_some_and(|v| v.user_id == row.user_id);
            let is_admin = viewer.is_some_and(|v| v.is_admin());
            let is_staff = is_admin
                || viewer.zip(course).is_some_and(|(v, (_, instructor))| {
                    v.is_instructor() && v.user_id == *instructor
                });
            // Anonymous ratings reveal their author to admins only (and the author).
            let reveal = !row.is_anonymous || is_admin || is_author;
            let status = row.status();
            CourseRating {
                id: row.id,
                course_id: row.course_id,
                user_id: reveal.then_some(row.user_id),
                enrollment_id: reveal.then_some(row.enrollment_id),
                rating: row.rating,
                comment: row.comment,
                pros: row.pros,
                cons: row.cons,
                would_recommend: row.would_recommend,
                is_verified_purchase: row.is_verified_purchase,
                is_anonymous: row.is_anonymous,
                status,
                moderation_reason: if is_author || is_staff {
                    row.moderation_reason
                } else {
                    None
                },
                helpful_count: row.helpful_count,
                is_helpful_to_me: helpful.contains(&row.id),
                instructor_response: row.instructor_response.zip(row.instructor_response_at).map(
                    |(content, at)| InstructorResponse {
                        content,
                        responded_at: utc(at),
                        user: row
                            .instructor_response_by
                            .and_then(|id| people.get(&id).cloned()),
                    },
                ),
                created_at: utc(row.created_at),
                updated_at: utc(row.updated_at),
                user: if reveal {
                    people.get(&row.user_id).cloned()
                } else {
                    None
                },
                course: course.map(|(c, _)| c.clone()),
            }
        })
        .collect())
}

pub(crate) fn render_one(
    conn: &mut DbConnection,
    row: RatingRow,
    viewer: Option<&Principal>,
) -> Result<CourseRating, Error> {
    render(conn, vec![row], viewer)?
        .pop()
        .ok_or_else(|| Error::internal("rendering lost the rating"))
}
