//! Following a course forum: who hears of its new topics. Enrolled
//! students and the course's instructor follow by default; anyone may opt
//! out, and an admin may opt in.

use std::collections::BTreeSet;

use diesel::prelude::*;
use mdsc_auth::{Principal, Role};
use mdsc_core::schema::{courses, enrollments, forum_follows, users};
use mdsc_core::{Clock, DbConnection, Error, write_transaction};
use mdsc_course::{CourseAccess, require_course_member};
use serde::Serialize;

#[derive(Debug, Clone, Copy, Serialize, utoipa::ToSchema)]
pub struct ForumFollow {
    pub course_id: i32,
    /// Whether new topics of this course's forum are notified to the caller.
    pub following: bool,
}

/// Whether the actor follows the course's forum (members only: 403, or
/// 404 for a hidden draft).
pub fn follow_status(
    conn: &mut DbConnection,
    actor: &Principal,
    course_id: i32,
) -> Result<ForumFollow, Error> {
    let access = require_course_member(conn, actor, course_id)?;
    let choice = stored_choice(conn, actor.user_id, course_id)?;
    Ok(ForumFollow {
        course_id,
        following: choice.unwrap_or_else(|| follows_by_default(conn, actor, course_id, &access)),
    })
}

/// Follows (`true`) or leaves (`false`) the course's forum.
pub fn set_following(
    conn: &mut DbConnection,
    actor: &Principal,
    clock: &dyn Clock,
    course_id: i32,
    following: bool,
) -> Result<ForumFollow, Error> {
    require_course_member(conn, actor, course_id)?;
    write_transaction(conn, |conn| {
        // One choice per user and course, also under concurrent requests.
        mdsc_core::lock_row!(conn, users, actor.user_id)?;
        diesel::delete(
            forum_follows::table
                .filter(forum_follows::user_id.eq(actor.user_id))
                .filter(forum_follows::course_id.eq(course_id)),
        )
        .execute(conn)?;
        diesel::insert_into(forum_follows::table)
            .values((
                forum_follows::user_id.eq(actor.user_id),
                forum_follows::course_id.eq(course_id),
                forum_follows::following.eq(following),
                forum_follows::updated_at.eq(clock.now()),
            ))
            .execute(conn)?;
        Ok(ForumFollow {
            course_id,
            following,
        })
    })
}

fn stored_choice(
    conn: &mut DbConnection,
    user_id: i32,
    course_id: i32,
) -> Result<Option<bool>, Error> {
    Ok(forum_follows::table
        .filter(forum_follows::user_id.eq(user_id))
        .filter(forum_follows::course_id.eq(course_id))
        .select(forum_follows::following)
        .first(conn)
        .optional()?)
}

fn follows_by_default(
    conn: &mut DbConnection,
    actor: &Principal,
    course_id: i32,
    access: &CourseAccess,
) -> bool {
    match access {
        CourseAccess::Enrolled(_) => true,
        // Staff: the instructor by default, an admin only by choice (or
        // through an enrollment, as `forum_followers` counts it).
        CourseAccess::Staff => {
            courses::table
                .find(course_id)
                .select(courses::instructor_id)
                .first::<i32>(conn)
                .is_ok_and(|instructor| instructor == actor.user_id)
                || mdsc_course::is_enrolled(conn, actor.user_id, course_id).unwrap_or(false)
        }
    }
}

/// Who hears of a new topic in the course's forum: enrolled students
/// (active or completed) and the instructor who did not opt out, and
/// admins who opted in.
pub fn forum_followers(conn: &mut DbConnection, course_id: i32) -> Result<Vec<i32>, Error> {
    let instructor = mdsc_course::access::acting_instructor(conn, course_id)?;
    let students: Vec<i32> = enrollments::table
        .filter(enrollments::course_id.eq(course_id))
        .filter(mdsc_course::access::is_current_enrollment())
        .select(enrollments::user_id)
        .load(conn)?;
    let choices: Vec<(i32, bool, String)> = forum_follows::table
        .inner_join(users::table.on(users::id.eq(forum_follows::user_id)))
        .filter(forum_follows::course_id.eq(course_id))
        .select((
            forum_follows::user_id,
            forum_follows::following,
            users::role,
        ))
        .load(conn)?;
    let mut followers: BTreeSet<i32> = students.into_iter().collect();
    followers.extend(instructor);
    for (user_id, following, role) in choices {
        if !following {
            followers.remove(&user_id);
        } else if Role::from_db(&role) == Role::Admin {
            followers.insert(user_id);
        }
    }
    Ok(followers.into_iter().collect())
}
