//! A user's ratings, for their export and their erasure (GDPR). Erasure
//! removes the ratings and the helpful votes, moving every statistic they
//! counted in (course averages, distributions, helpful counts) in the same
//! transaction, as deleting them one by one would.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use mdsc_auth::Principal;
use mdsc_core::schema::{
    course_ratings, enrollments, rating_helpful_votes, rating_prompt_dismissals,
};
use mdsc_core::time::utc;
use mdsc_core::{DbConnection, Error};
use serde::Serialize;

use crate::model::{CourseRating, RatingRow};
use crate::render::render;
use crate::stats::apply_change;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RatingPersonalData {
    /// The ratings the user wrote, whatever their status.
    pub ratings: Vec<CourseRating>,
    /// The ratings the user marked helpful.
    pub helpful_votes: Vec<ExportedHelpfulVote>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ExportedHelpfulVote {
    pub rating_id: i32,
    pub created_at: DateTime<Utc>,
}

/// What the platform holds about the actor here.
pub fn export(conn: &mut DbConnection, actor: &Principal) -> Result<RatingPersonalData, Error> {
    let rows = course_ratings::table
        .filter(course_ratings::user_id.eq(actor.user_id))
        .order(course_ratings::id)
        .select(RatingRow::as_select())
        .load(conn)?;
    let helpful_votes = rating_helpful_votes::table
        .filter(rating_helpful_votes::user_id.eq(actor.user_id))
        .order(rating_helpful_votes::id)
        .select((
            rating_helpful_votes::rating_id,
            rating_helpful_votes::created_at,
        ))
        .load::<(i32, NaiveDateTime)>(conn)?
        .into_iter()
        .map(|(rating_id, at)| ExportedHelpfulVote {
            rating_id,
            created_at: utc(at),
        })
        .collect();
    Ok(RatingPersonalData {
        ratings: render(conn, rows, Some(actor))?,
        helpful_votes,
    })
}

/// Deletes the user's ratings (statistics follow), helpful votes (helpful
/// counts follow) and dismissed rating prompts. Run inside the erasure's
/// transaction.
pub fn erase(conn: &mut DbConnection, user_id: i32) -> Result<(), Error> {
    let voted: Vec<i32> = diesel::delete(
        rating_helpful_votes::table.filter(rating_helpful_votes::user_id.eq(user_id)),
    )
    .returning(rating_helpful_votes::rating_id)
    .get_results(conn)?;
    for rating_id in voted {
        diesel::update(course_ratings::table.find(rating_id))
            .set(course_ratings::helpful_count.eq(course_ratings::helpful_count - 1))
            .execute(conn)?;
    }
    let ids: Vec<i32> = course_ratings::table
        .filter(course_ratings::user_id.eq(user_id))
        .order(course_ratings::id)
        .select(course_ratings::id)
        .load(conn)?;
    for rating_id in ids {
        mdsc_core::lock_row!(conn, course_ratings, rating_id)?;
        let before: RatingRow = course_ratings::table
            .find(rating_id)
            .select(RatingRow::as_select())
            .first(conn)?;
        diesel::delete(course_ratings::table.find(rating_id)).execute(conn)?;
        apply_change(conn, before.course_id, Some(&before), None)?;
    }
    let own_enrollments = enrollments::table
        .filter(enrollments::user_id.eq(user_id))
        .select(enrollments::id);
    diesel::delete(
        rating_prompt_dismissals::table
            .filter(rating_prompt_dismissals::enrollment_id.eq_any(own_enrollments)),
    )
    .execute(conn)?;
    Ok(())
}
