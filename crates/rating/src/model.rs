//! Rating rows and the seed's `CourseRating` / `CourseRatingStats` shapes (§3.3.1).

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use mdsc_auth::UserSummary;
use mdsc_core::schema::course_ratings;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum RatingStatus {
    Pending,
    Approved,
    Rejected,
}

impl RatingStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
        }
    }
    pub fn from_db(value: &str) -> Self {
        match value {
            "approved" => Self::Approved,
            "rejected" => Self::Rejected,
            _ => Self::Pending,
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = course_ratings)]
pub struct RatingRow {
    pub id: i32,
    pub course_id: i32,
    pub user_id: i32,
    pub enrollment_id: i32,
    pub rating: i32,
    pub comment: Option<String>,
    pub pros: Option<String>,
    pub cons: Option<String>,
    pub would_recommend: bool,
    pub is_verified_purchase: bool,
    pub is_anonymous: bool,
    pub status: String,
    pub moderation_reason: Option<String>,
    pub moderated_by: Option<i32>,
    pub moderated_at: Option<NaiveDateTime>,
    pub helpful_count: i32,
    pub instructor_response: Option<String>,
    pub instructor_response_by: Option<i32>,
    pub instructor_response_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl RatingRow {
    pub fn status(&self) -> RatingStatus {
        RatingStatus::from_db(&self.status)
    }
    pub fn is_approved(&self) -> bool {
        self.status() == RatingStatus::Approved
    }
}

/// The course embedded in a rating.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RatingCourse {
    pub id: i32,
    pub title: String,
    pub slug: String,
}

/// The instructor's public answer to a rating.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct InstructorResponse {
    pub content: String,
    pub responded_at: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<UserSummary>,
}

/// `CourseRating` of the seed. For an anonymous rating, `user`, `user_id`
/// and `enrollment_id` (which would lead to the student) are left out for
/// everyone but admins and the author.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CourseRating {
    pub id: i32,
    pub course_id: i32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enrollment_id: Option<i32>,
    pub rating: i32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pros: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cons: Option<String>,
    pub would_recommend: bool,
    pub is_verified_purchase: bool,
    pub is_anonymous: bool,
    pub status: RatingStatus,
    /// Why staff rejected it; shown to the author and staff.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub moderation_reason: Option<String>,
    pub helpful_count: i32,
    /// Whether the caller marked it helpful.
    pub is_helpful_to_me: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instructor_response: Option<InstructorResponse>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<UserSummary>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub course: Option<RatingCourse>,
}

/// `CourseRatingStats` of the seed; approved ratings only.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct CourseRatingStats {
    /// Mean rating, two decimals; 0 without ratings.
    pub average_rating: f64,
    pub rating_count: i32,
    /// `{"1": n, "2": n, "3": n, "4": n, "5": n}`
    #[schema(value_type = std::collections::HashMap<String, i32>)]
    pub rating_distribution: BTreeMap<String, i32>,
    /// Percent of ratings that recommend the course, two decimals.
    pub recommendation_rate: f64,
}

/// `GET /api/enrollments/:id/can-rate`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct CanRate {
    pub can_rate: bool,
    /// Why not: `enrollment_cancelled`, `not_completed`, `already_rated`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub has_rated: bool,
    /// The student's rating, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rating_id: Option<i32>,
}
