//! Routes, grouped per domain. Every handler is registered here so the
//! OpenAPI document lists it.

use serde::Serialize;
use utoipa_actix_web::service_config::ServiceConfig;

pub mod account;
pub mod auth;
pub mod certificates;
pub mod courses;
pub mod enrollments;
pub mod forum;
pub mod health;
pub mod live;
pub mod notifications;
pub mod quizzes;
pub mod ratings;
pub mod roster;
pub mod schedule;
pub mod streams;
pub mod structure;
pub mod unsubscribe;
pub mod unsubscribe_html;

/// The answer to a delete: `{"success": true, "data": null}`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Deleted {
    pub success: bool,
    /// Always null.
    pub data: Option<i32>,
}

/// Registers every `/api` route.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(health::health)
        .service(health::ready)
        .service(auth::register)
        .service(auth::login)
        .service(account::me)
        .service(account::update_me)
        .service(account::export_personal_data)
        .service(account::erase_me)
        .service(account::logout)
        .service(account::change_password)
        .service(account::forgot_password)
        .service(account::reset_password)
        .service(account::verify_email)
        .service(account::resend_verification)
        .service(auth::set_role)
        .service(auth::list_users)
        .service(auth::set_status)
        .service(courses::list)
        .service(courses::create)
        .service(courses::get_structure)
        .service(courses::get)
        .service(roster::list)
        .service(roster::export)
        .service(courses::update)
        .service(courses::remove)
        .service(structure::create_module)
        .service(structure::update_module)
        .service(structure::delete_module)
        .service(structure::create_lesson)
        .service(structure::update_lesson)
        .service(structure::delete_lesson)
        .service(structure::create_quiz)
        .service(structure::update_quiz)
        .service(structure::delete_quiz)
        .service(enrollments::enroll)
        .service(enrollments::list_mine)
        .service(enrollments::get)
        .service(enrollments::cancel)
        .service(enrollments::get_progress)
        .service(enrollments::complete_lesson)
        .service(enrollments::submit_quiz)
        .service(quizzes::list_questions)
        .service(quizzes::create_question)
        .service(quizzes::reorder_questions)
        .service(quizzes::update_question)
        .service(quizzes::delete_question)
        .service(quizzes::list_quiz_attempts)
        .service(quizzes::statistics)
        .service(quizzes::start_attempt)
        .service(quizzes::list_enrollment_attempts)
        .service(quizzes::grade)
        .service(quizzes::get_attempt)
        .service(quizzes::save_answers)
        .service(quizzes::submit_attempt)
        .service(certificates::status)
        .service(certificates::issue)
        .service(certificates::verify)
        // `stats` before `{ratingId}`, which would refuse it as a bad id.
        .service(ratings::get_stats)
        .service(ratings::create)
        .service(ratings::list)
        .service(ratings::get)
        .service(ratings::update)
        .service(ratings::remove)
        .service(ratings::moderate)
        .service(ratings::mark_helpful)
        .service(ratings::unmark_helpful)
        .service(ratings::set_response)
        .service(ratings::remove_response)
        .service(ratings::can_rate)
        .service(ratings::dismiss_prompt)
        .configure(live::configure)
        .configure(forum::configure)
        .configure(schedule::configure)
        .configure(notifications::configure)
        .service(unsubscribe::show_page)
        .service(unsubscribe::unsubscribe)
        .configure(streams::configure);
}
