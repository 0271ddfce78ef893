//! mdsc-rating: course ratings (seed §3). One rating per student and
//! completed course; statistics of approved ratings kept exact on the course
//! row; moderation (post or pre); anonymous ratings; helpful votes; the
//! instructor's response; the rating step of the certificate flow.

pub mod helpful;
pub mod list;
pub mod model;
pub mod personal_data;
pub mod prompt;
mod render;
pub mod response;
pub mod service;
pub mod settings;
pub mod stats;

pub use model::{CanRate, CourseRating, CourseRatingStats, InstructorResponse, RatingStatus};
pub use settings::{Moderation, RatingSettings};
