//! mdsc-course: courses and their structure, enrollments, progress,
//! certificates, and the access checks (`is_enrolled`, `is_course_staff`)
//! every feature crate reuses.

pub mod access;
pub mod catalog;
pub mod certificate;
pub mod course;
pub mod enrollment;
pub mod model;
pub mod personal_data;
pub mod progress;
pub mod quiz;
pub mod roster;
pub mod structure;

pub use access::{
    CourseAccess, CourseMembership, admit_member, course_membership, enrollment_of, ensure_visible,
    find_course, is_course_staff, is_enrolled, is_staff_of, require_course_member,
    require_course_staff, visible_course,
};
pub use model::*;
pub use quiz::model::{QuizAttempt, QuizSubmission};
