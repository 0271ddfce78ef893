//! Why a plan could not be made. The API turns a `PlanError` into a 422
//! answer with one field error, hence the field name next to the message.

use std::fmt;

/// A bad planner input: which field, and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanError {
    /// The input field at fault, as the API names it: `timezone`,
    /// `study_days`, `hours_per_week`, `preferred_time`, `end`, `estimated_weeks`, or `dates`
    /// when an input date is so far in the past or future that the plan
    /// cannot be computed around it.
    pub field: &'static str,
    /// A human-readable explanation.
    pub message: String,
}

impl PlanError {
    pub(crate) fn new(field: &'static str, message: impl Into<String>) -> Self {
        Self {
            field,
            message: message.into(),
        }
    }

    /// A date computation left chrono's range (input dates near its limits).
    pub(crate) fn out_of_range() -> Self {
        Self::new(
            "dates",
            "a date is too far in the past or future to plan around",
        )
    }
}

impl fmt::Display for PlanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

impl std::error::Error for PlanError {}
