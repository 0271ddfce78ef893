//! "Helpful" votes on ratings: one per user, never on one's own rating.

use diesel::prelude::*;
use mdsc_auth::Principal;
use mdsc_core::schema::{course_ratings, rating_helpful_votes};
use mdsc_core::{Clock, DbConnection, Error, write_transaction};
use mdsc_course::ensure_visible;

use crate::model::{CourseRating, RatingRow};
use crate::render::render_one;
use crate::service::{can_see, lock_rating};
use crate::settings::RatingSettings;

/// The rating to vote on, locked. `approved_only`: new votes go to approved
/// ratings; withdrawing one works whatever the rating became since.
fn votable(
    conn: &mut DbConnection,
    actor: &Principal,
    course_id: i32,
    rating_id: i32,
    approved_only: bool,
) -> Result<RatingRow, Error> {
    let course = mdsc_course::find_course(conn, course_id)?;
    ensure_visible(conn, Some(actor), &course)?;
    // Lock the rating before touching its votes: every writer of a rating
    // takes this lock first, so a vote and a delete cannot deadlock.
    let row = lock_rating(conn, course_id, rating_id)?;
    let visible = if approved_only {
        row.is_approved()
    } else {
        can_see(conn, Some(actor), &row)?
    };
    if !visible {
        return Err(Error::not_found("Rating"));
    }
    if row.user_id == actor.user_id {
        return Err(
            Error::invalid_field("rating_id", "you cannot vote for your own rating")
                .with_code("OWN_RATING"),
        );
    }
    Ok(row)
}

fn reload(conn: &mut DbConnection, rating_id: i32) -> Result<RatingRow, Error> {
    Ok(course_ratings::table
        .find(rating_id)
        .select(RatingRow::as_select())
        .first(conn)?)
}

/// Marks an approved rating helpful.
pub fn mark_helpful(
    conn: &mut DbConnection,
    actor: &Principal,
    clock: &dyn Clock,
    settings: &RatingSettings,
    course_id: i32,
    rating_id: i32,
) -> Result<CourseRating, Error> {
    let row = write_transaction(conn, |conn| -> Result<_, Error> {
        settings.admit_write(conn, clock, actor.user_id)?;
        votable(conn, actor, course_id, rating_id, true)?;
        diesel::insert_into(rating_helpful_votes::table)
            .values((
                rating_helpful_votes::rating_id.eq(rating_id),
                rating_helpful_votes::user_id.eq(actor.user_id),
                rating_helpful_votes::created_at.eq(clock.now()),
            ))
            .execute(conn)
            .map_err(|e| match Error::from(e) {
                err if err.code == "ALREADY_EXISTS" => {
                    Error::conflict("ALREADY_VOTED", "You already marked this rating helpful")
                }
                err => err,
            })?;
        diesel::update(course_ratings::table.find(rating_id))
            .set(course_ratings::helpful_count.eq(course_ratings::helpful_count + 1))
            .execute(conn)?;
        reload(conn, rating_id)
    })?;
    render_one(conn, row, Some(actor))
}

/// Takes the caller's helpful vote back.
pub fn unmark_helpful(
    conn: &mut DbConnection,
    actor: &Principal,
    course_id: i32,
    rating_id: i32,
) -> Result<CourseRating, Error> {
    let row = write_transaction(conn, |conn| -> Result<_, Error> {
        votable(conn, actor, course_id, rating_id, false)?;
        let removed = diesel::delete(
            rating_helpful_votes::table
                .filter(rating_helpful_votes::rating_id.eq(rating_id))
                .filter(rating_helpful_votes::user_id.eq(actor.user_id)),
        )
        .execute(conn)?;
        if removed == 0 {
            return Err(Error::not_found("Helpful vote"));
        }
        diesel::update(course_ratings::table.find(rating_id))
            .set(course_ratings::helpful_count.eq(course_ratings::helpful_count - 1))
            .execute(conn)?;
        reload(conn, rating_id)
    })?;
    render_one(conn, row, Some(actor))
}

/// Rebuilds a rating's `helpful_count` from its votes; returns it.
pub fn recompute_helpful_count(conn: &mut DbConnection, rating_id: i32) -> Result<i32, Error> {
    write_transaction(conn, |conn| -> Result<_, Error> {
        mdsc_core::lock_row!(conn, course_ratings, rating_id)?;
        let n: i64 = rating_helpful_votes::table
            .filter(rating_helpful_votes::rating_id.eq(rating_id))
            .count()
            .get_result(conn)?;
        let n = i32::try_from(n).map_err(|_| Error::internal("helpful count overflow"))?;
        diesel::update(course_ratings::table.find(rating_id))
            .set(course_ratings::helpful_count.eq(n))
            .execute(conn)?;
        Ok(n)
    })
}
