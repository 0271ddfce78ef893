//! The error every domain crate returns. The gateway maps `ErrorKind` to an
//! HTTP status and the JSON error envelope; `code` is the machine-readable
//! name the frontend may switch on.

use std::borrow::Cow;
use std::fmt;

use diesel::result::DatabaseErrorKind;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The request itself is malformed (bad JSON, bad parameter type).
    BadRequest,
    /// No valid credentials.
    Unauthenticated,
    /// Authenticated, but not allowed.
    Forbidden,
    NotFound,
    /// The change contradicts the current state (duplicate, wrong status).
    Conflict,
    /// Well-formed input that breaks a rule; carries field errors.
    Validation,
    RateLimited,
    /// The server is saturated (no database connection, every password
    /// hasher busy) and the request may succeed later: 503, `Retry-After`.
    Unavailable,
    Internal,
}

impl ErrorKind {
    /// The default machine code of this kind.
    pub fn default_code(self) -> &'static str {
        match self {
            ErrorKind::BadRequest => "BAD_REQUEST",
            ErrorKind::Unauthenticated => "UNAUTHENTICATED",
            ErrorKind::Forbidden => "FORBIDDEN",
            ErrorKind::NotFound => "NOT_FOUND",
            ErrorKind::Conflict => "CONFLICT",
            ErrorKind::Validation => "VALIDATION_ERROR",
            ErrorKind::RateLimited => "RATE_LIMITED",
            ErrorKind::Unavailable => "SERVICE_UNAVAILABLE",
            ErrorKind::Internal => "INTERNAL_ERROR",
        }
    }
}

/// One invalid input field, as the error envelope's `errors[]` lists them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

#[derive(Debug, Clone, thiserror::Error)]
pub struct Error {
    pub kind: ErrorKind,
    pub code: Cow<'static, str>,
    /// A readable sentence for the user. For `Internal` it is only logged.
    pub message: String,
    pub field_errors: Vec<FieldError>,
    /// Seconds to wait, for `RateLimited`.
    pub retry_after_secs: Option<u64>,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} ({}): {}",
            self.code,
            self.kind.default_code(),
            self.message
        )
    }
}

impl Error {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            code: Cow::Borrowed(kind.default_code()),
            message: message.into(),
            field_errors: Vec::new(),
            retry_after_secs: None,
        }
    }

    /// Replaces the machine code (`ALREADY_ENROLLED`, `COURSE_NOT_COMPLETED`…).
    pub fn with_code(mut self, code: &'static str) -> Self {
        self.code = Cow::Borrowed(code);
        self
    }

    /// Replaces the readable sentence.
    pub fn with_message(mut self, message: impl Into<String>) -> Self {
        self.message = message.into();
        self
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::BadRequest, message)
    }
    pub fn unauthenticated(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Unauthenticated, message)
    }
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Forbidden, message)
    }
    /// `what` names the missing thing: "Course not found".
    pub fn not_found(what: &str) -> Self {
        Self::new(ErrorKind::NotFound, format!("{what} not found"))
    }
    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Conflict, message).with_code(code)
    }
    /// A single invalid field.
    pub fn invalid_field(field: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        let mut err = Self::new(ErrorKind::Validation, format!("{field}: {message}"));
        err.field_errors.push(FieldError {
            field: field.to_owned(),
            message,
        });
        err
    }
    /// Several invalid fields at once (rules across fields that a
    /// `Validate` derive cannot state); `None` when the list is empty.
    pub fn invalid_fields(field_errors: Vec<FieldError>) -> Option<Self> {
        if field_errors.is_empty() {
            return None;
        }
        let summary = field_errors
            .iter()
            .map(|e| format!("{}: {}", e.field, e.message))
            .collect::<Vec<_>>()
            .join("; ");
        let mut err = Self::new(ErrorKind::Validation, format!("Invalid input: {summary}"));
        err.field_errors = field_errors;
        Some(err)
    }
    pub fn rate_limited(retry_after_secs: u64) -> Self {
        let mut err = Self::new(ErrorKind::RateLimited, "Too many requests, slow down");
        err.retry_after_secs = Some(retry_after_secs.max(1));
        err
    }
    /// 503 with `Retry-After`: try again shortly.
    pub fn unavailable(
        code: &'static str,
        message: impl Into<String>,
        retry_after_secs: u64,
    ) -> Self {
        let mut err = Self::new(ErrorKind::Unavailable, message).with_code(code);
        err.retry_after_secs = Some(retry_after_secs.max(1));
        err
    }
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Internal, message)
    }
    /// A start-up configuration problem (bad URL, unreadable file).
    pub fn config(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Internal, message).with_code("CONFIGURATION_ERROR")
    }
}

impl From<diesel::result::Error> for Error {
    fn from(err: diesel::result::Error) -> Self {
        use diesel::result::Error as D;
        match err {
            D::NotFound => Error::not_found("Resource"),
            D::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
                log::debug!("unique violation: {}", info.message());
                Error::conflict("ALREADY_EXISTS", "This already exists")
            }
            D::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, info) => {
                log::debug!("foreign key violation: {}", info.message());
                Error::conflict(
                    "REFERENCED",
                    "This is referenced by, or refers to, missing data",
                )
            }
            // PostgreSQL refuses NUL characters in text; validators reject
            // them first, this keeps any we missed a 422 rather than a 500.
            D::DatabaseError(_, info) if info.message().contains("invalid byte sequence") => {
                Error::invalid_field("body", "text must not contain NUL characters")
            }
            // The connection died under the statement (a database restart,
            // a failover): 503 with a retry hint, and `checkout` retires it.
            D::DatabaseError(
                DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand,
                info,
            ) => {
                log::warn!("database connection lost: {}", info.message());
                Error::unavailable(
                    crate::checkout::CONNECTION_LOST,
                    "The database connection was lost, try again",
                    1,
                )
            }
            D::DatabaseError(DatabaseErrorKind::CheckViolation, info) => Error::new(
                ErrorKind::Validation,
                format!("A value is out of range: {}", info.message()),
            ),
            other => Error::internal(format!("database error: {other}")),
        }
    }
}

impl From<r2d2::Error> for Error {
    fn from(err: r2d2::Error) -> Self {
        // Every pooled connection stayed busy for the pool's whole timeout
        // (or the database does not answer): a saturation to report as
        // such, with the cause in the log, not a server error.
        log::warn!("no database connection available: {err}");
        Error::unavailable(
            "DATABASE_BUSY",
            "The service is busy, try again in a moment",
            1,
        )
    }
}

impl From<validator::ValidationErrors> for Error {
    fn from(errors: validator::ValidationErrors) -> Self {
        let mut field_errors = Vec::new();
        collect_field_errors("", &errors, &mut field_errors);
        field_errors.sort_by(|a, b| a.field.cmp(&b.field));
        let summary = field_errors
            .iter()
            .map(|e| format!("{}: {}", e.field, e.message))
            .collect::<Vec<_>>()
            .join("; ");
        let mut err = Error::new(ErrorKind::Validation, format!("Invalid input: {summary}"));
        err.field_errors = field_errors;
        err
    }
}

fn collect_field_errors(
    prefix: &str,
    errors: &validator::ValidationErrors,
    out: &mut Vec<FieldError>,
) {
    use validator::ValidationErrorsKind as K;
    for (field, kind) in errors.errors() {
        let name = if prefix.is_empty() {
            field.to_string()
        } else {
            format!("{prefix}.{field}")
        };
        match kind {
            K::Field(list) => out.extend(list.iter().map(|e| FieldError {
                field: name.clone(),
                message: describe(e),
            })),
            K::Struct(inner) => collect_field_errors(&name, inner, out),
            K::List(items) => {
                for (index, inner) in items {
                    collect_field_errors(&format!("{name}[{index}]"), inner, out);
                }
            }
        }
    }
}

/// A readable message for a validator error: its own message, else one built
/// from its code and parameters ("length must be between 1 and 255").
fn describe(e: &validator::ValidationError) -> String {
    if let Some(message) = &e.message {
        return message.to_string();
    }
    let param = |name: &str| e.params.get(name).map(|v| v.to_string());
    match e.code.as_ref() {
        "length" => match (param("min"), param("max"), param("equal")) {
            (_, _, Some(eq)) => format!("must be exactly {eq} characters"),
            (Some(min), Some(max), _) => format!("must be between {min} and {max} characters"),
            (Some(min), None, _) => format!("must be at least {min} characters"),
            (None, Some(max), _) => format!("must be at most {max} characters"),
            _ => "has an invalid length".to_owned(),
        },
        "range" => match (param("min"), param("max")) {
            (Some(min), Some(max)) => format!("must be between {min} and {max}"),
            (Some(min), None) => format!("must be at least {min}"),
            (None, Some(max)) => format!("must be at most {max}"),
            _ => "is out of range".to_owned(),
        },
        "email" => "must be a valid e-mail address".to_owned(),
        "url" => "must be a valid URL".to_owned(),
        "required" => "is required".to_owned(),
        code => format!("is invalid ({code})"),
    }
}
