//! The instructor's one public response to a rating.

use diesel::prelude::*;
use mdsc_auth::Principal;
use mdsc_core::schema::course_ratings;
use mdsc_core::text::{validate_multi_line, validate_not_blank};
use mdsc_core::{Clock, DbConnection, Error, write_transaction};
use serde::Deserialize;
use validator::Validate;

use crate::model::{CourseRating, RatingRow};
use crate::render::render_one;

#[derive(Debug, Clone, Deserialize, Validate, utoipa::ToSchema)]
pub struct ResponseInput {
    #[validate(length(min = 1, max = 5000), custom(function = validate_not_blank), custom(function = validate_multi_line))]
    #[schema(
        min_length = 1,
        max_length = 5000,
        pattern = "^(?:[^\\u0000-\\u0008\\u000B-\\u001F\\u007F-\\u009F]|\\r\\n)*[^\\u0000-\\u0020\\u007F-\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000](?:[^\\u0000-\\u0008\\u000B-\\u001F\\u007F-\\u009F]|\\r\\n)*$"
    )]
    pub content: String,
}

/// Course staff publish (or replace) the response shown with a rating;
/// `None` removes it.
pub fn set_response(
    conn: &mut DbConnection,
    actor: &Principal,
    clock: &dyn Clock,
    course_id: i32,
    rating_id: i32,
    input: Option<ResponseInput>,
) -> Result<CourseRating, Error> {
    mdsc_course::require_course_staff(conn, actor, course_id)?;
    if let Some(input) = &input {
        input.validate()?;
    }
    let row = write_transaction(conn, |conn| -> Result<_, Error> {
        mdsc_course::require_course_staff(conn, actor, course_id)?;
        let exists: i64 = course_ratings::table
            .find(rating_id)
            .filter(course_ratings::course_id.eq(course_id))
            .count()
            .get_result(conn)?;
        if exists == 0 {
            return Err(Error::not_found("Rating"));
        }
        let now = clock.now();
        let (content, by, at) = match &input {
            Some(i) => (
                Some(i.content.trim().to_owned()),
                Some(actor.user_id),
                Some(now),
            ),
            None => (None, None, None),
        };
        Ok(diesel::update(course_ratings::table.find(rating_id))
            .set((
                course_ratings::instructor_response.eq(content),
                course_ratings::instructor_response_by.eq(by),
                course_ratings::instructor_response_at.eq(at),
            ))
            .get_result::<RatingRow>(conn)?)
    })?;
    render_one(conn, row, Some(actor))
}
