//! Rating statistics kept on the course row. Every change to a rating moves
//! them by the difference between its old and new contribution, in the same
//! transaction, with atomic increments; `recompute_stats` rebuilds them from
//! the ratings for repair and for tests. The same statement keeps the number
//! of ratings pending and rejected, the totals of the staff's lists by status.

use std::collections::BTreeMap;

use diesel::prelude::*;
use mdsc_auth::Principal;
use mdsc_core::schema::{course_ratings, courses};
use mdsc_core::{DbConnection, Error};
use mdsc_course::{CourseRow, ensure_visible, find_course};

use crate::model::{CourseRatingStats, RatingRow, RatingStatus};

/// What one rating adds to its course's statistics: nothing unless approved.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Contribution {
    count: i32,
    sum: i32,
    stars: [i32; 5],
    recommend: i32,
}

impl Contribution {
    fn of(row: Option<&RatingRow>) -> Self {
        match row {
            Some(r) if r.is_approved() => {
                let mut stars = [0; 5];
                if let Some(slot) = usize::try_from(r.rating - 1)
                    .ok()
                    .and_then(|i| stars.get_mut(i))
                {
                    *slot = 1;
                }
                Self {
                    count: 1,
                    sum: r.rating,
                    stars,
                    recommend: i32::from(r.would_recommend),
                }
            }
            _ => Self::default(),
        }
    }

    fn minus(self, other: Self) -> Self {
        let mut stars = [0; 5];
        for (i, s) in stars.iter_mut().enumerate() {
            *s = self.stars[i] - other.stars[i];
        }
        Self {
            count: self.count - other.count,
            sum: self.sum - other.sum,
            stars,
            recommend: self.recommend - other.recommend,
        }
    }
}

/// What one rating adds to its course's counts by moderation status
/// (approved ones are `Contribution::count`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StatusCounts {
    pub pending: i32,
    pub rejected: i32,
}

impl StatusCounts {
    fn of(row: Option<&RatingRow>) -> Self {
        match row.map(RatingRow::status) {
            Some(RatingStatus::Pending) => Self {
                pending: 1,
                rejected: 0,
            },
            Some(RatingStatus::Rejected) => Self {
                pending: 0,
                rejected: 1,
            },
            Some(RatingStatus::Approved) | None => Self::default(),
        }
    }

    fn minus(self, other: Self) -> Self {
        Self {
            pending: self.pending - other.pending,
            rejected: self.rejected - other.rejected,
        }
    }

    /// The kept counts of a course row.
    pub fn of_course(course: &CourseRow) -> Self {
        Self {
            pending: course.rating_pending_count,
            rejected: course.rating_rejected_count,
        }
    }
}

fn round2(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

fn derived(count: i32, sum: i32, recommend: i32) -> (f64, f64) {
    if count == 0 {
        return (0.0, 0.0);
    }
    (
        round2(f64::from(sum) / f64::from(count)),
        round2(f64::from(recommend) * 100.0 / f64::from(count)),
    )
}

/// Moves the course's statistics from `before` to `after` (either may be
/// absent: a created or deleted rating). Call inside the write transaction
/// of the change.
pub(crate) fn apply_change(
    conn: &mut DbConnection,
    course_id: i32,
    before: Option<&RatingRow>,
    after: Option<&RatingRow>,
) -> Result<(), Error> {
    let d = Contribution::of(after).minus(Contribution::of(before));
    let by_status = StatusCounts::of(after).minus(StatusCounts::of(before));
    if d == Contribution::default() && by_status == StatusCounts::default() {
        return Ok(());
    }
    // Atomic increments: concurrent changes to other ratings of the course
    // queue on the row lock instead of overwriting each other.
    let (count, sum, recommend): (i32, i32, i32) = diesel::update(courses::table.find(course_id))
        .set((
            courses::rating_count.eq(courses::rating_count + d.count),
            courses::rating_sum.eq(courses::rating_sum + d.sum),
            courses::rating_count_1.eq(courses::rating_count_1 + d.stars[0]),
            courses::rating_count_2.eq(courses::rating_count_2 + d.stars[1]),
            courses::rating_count_3.eq(courses::rating_count_3 + d.stars[2]),
            courses::rating_count_4.eq(courses::rating_count_4 + d.stars[3]),
            courses::rating_count_5.eq(courses::rating_count_5 + d.stars[4]),
            courses::recommend_count.eq(courses::recommend_count + d.recommend),
            courses::rating_pending_count.eq(courses::rating_pending_count + by_status.pending),
            courses::rating_rejected_count.eq(courses::rating_rejected_count + by_status.rejected),
        ))
        .returning((
            courses::rating_count,
            courses::rating_sum,
            courses::recommend_count,
        ))
        .get_result(conn)?;
    let (average, rate) = derived(count, sum, recommend);
    diesel::update(courses::table.find(course_id))
        .set((
            courses::average_rating.eq(average),
            courses::recommendation_rate.eq(rate),
        ))
        .execute(conn)?;
    Ok(())
}

/// The kept statistics of a course row, in the seed's shape.
pub fn stats_of(course: &CourseRow) -> CourseRatingStats {
    let distribution: BTreeMap<String, i32> = [
        course.rating_count_1,
        course.rating_count_2,
        course.rating_count_3,
        course.rating_count_4,
        course.rating_count_5,
    ]
    .iter()
    .enumerate()
    .map(|(i, n)| ((i + 1).to_string(), *n))
    .collect();
    CourseRatingStats {
        average_rating: course.average_rating,
        rating_count: course.rating_count,
        rating_distribution: distribution,
        recommendation_rate: course.recommendation_rate,
    }
}

/// `GET /api/courses/:courseId/ratings/stats`: public for any visible course.
pub fn get_stats(
    conn: &mut DbConnection,
    actor: Option<&Principal>,
    course_id: i32,
) -> Result<CourseRatingStats, Error> {
    let course = find_course(conn, course_id)?;
    ensure_visible(conn, actor, &course)?;
    Ok(stats_of(&course))
}

fn count_totals(conn: &mut DbConnection, course_id: i32) -> Result<Contribution, Error> {
    let approved: Vec<(i32, bool)> = course_ratings::table
        .filter(course_ratings::course_id.eq(course_id))
        .filter(course_ratings::status.eq(RatingStatus::Approved.as_str()))
        .select((course_ratings::rating, course_ratings::would_recommend))
        .load(conn)?;
    let mut totals = Contribution::default();
    for (rating, recommends) in approved {
        if let Some(slot) = usize::try_from(rating - 1)
            .ok()
            .and_then(|i| totals.stars.get_mut(i))
        {
            *slot += 1;
        }
        totals.count += 1;
        totals.sum += rating;
        totals.recommend += i32::from(recommends);
    }
    Ok(totals)
}

fn stats_from_totals(t: &Contribution) -> CourseRatingStats {
    let (average_rating, recommendation_rate) = derived(t.count, t.sum, t.recommend);
    CourseRatingStats {
        average_rating,
        rating_count: t.count,
        rating_distribution: t
            .stars
            .iter()
            .enumerate()
            .map(|(i, n)| ((i + 1).to_string(), *n))
            .collect(),
        recommendation_rate,
    }
}

/// The pending and rejected counts counted afresh, without writing.
pub fn count_status(conn: &mut DbConnection, course_id: i32) -> Result<StatusCounts, Error> {
    let of_status = |conn: &mut DbConnection, status: RatingStatus| -> Result<i32, Error> {
        let n: i64 = course_ratings::table
            .filter(course_ratings::course_id.eq(course_id))
            .filter(course_ratings::status.eq(status.as_str()))
            .count()
            .get_result(conn)?;
        i32::try_from(n).map_err(|_| Error::internal("counter overflow"))
    };
    Ok(StatusCounts {
        pending: of_status(conn, RatingStatus::Pending)?,
        rejected: of_status(conn, RatingStatus::Rejected)?,
    })
}

/// The statistics counted afresh from the approved ratings, without writing.
pub fn count_stats(conn: &mut DbConnection, course_id: i32) -> Result<CourseRatingStats, Error> {
    Ok(stats_from_totals(&count_totals(conn, course_id)?))
}

/// Rebuilds the kept statistics from the ratings (repair after a manual
/// change in the database) and returns them.
pub fn recompute_stats(
    conn: &mut DbConnection,
    course_id: i32,
) -> Result<CourseRatingStats, Error> {
    mdsc_core::write_transaction(conn, |conn| {
        // Lock the course row first: rating changes running now wait, so
        // none of them is lost between the count and the write.
        mdsc_core::lock_row!(conn, courses, course_id)?;
        let t = count_totals(conn, course_id)?;
        let by_status = count_status(conn, course_id)?;
        let stats = stats_from_totals(&t);
        diesel::update(courses::table.find(course_id))
            .set((
                courses::rating_count.eq(t.count),
                courses::rating_sum.eq(t.sum),
                courses::rating_count_1.eq(t.stars[0]),
                courses::rating_count_2.eq(t.stars[1]),
                courses::rating_count_3.eq(t.stars[2]),
                courses::rating_count_4.eq(t.stars[3]),
                courses::rating_count_5.eq(t.stars[4]),
                courses::recommend_count.eq(t.recommend),
                courses::average_rating.eq(stats.average_rating),
                courses::recommendation_rate.eq(stats.recommendation_rate),
                courses::rating_pending_count.eq(by_status.pending),
                courses::rating_rejected_count.eq(by_status.rejected),
            ))
            .execute(conn)?;
        Ok(stats)
    })
}
