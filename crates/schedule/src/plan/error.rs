//! Why a plan could not be made. The API turns a `PlanError` into a 422
//! answer with one field error, hence the field name next to the message.

use std::fmt;

/// A bad planner input: which field, and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanError {
    /// The input field at fault, as the API names it: `timezone`,
    /// `study_days`, `hours_per_week` or `end`.
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
}

impl fmt::Display for PlanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

impl std::error::Error for PlanError {}
