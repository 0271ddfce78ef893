//! The one mapping from errors to HTTP: every failure, from a service or from
//! actix itself (bad JSON, bad path, oversized body, unknown route), answers
//! with a 4xx/5xx status and the JSON error envelope.

use actix_web::dev::ServiceResponse;
use actix_web::error::{JsonPayloadError, PathError, QueryPayloadError};
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::ErrorHandlerResponse;
use actix_web::{HttpRequest, HttpResponse, ResponseError};
use mdsc_core::{Error, ErrorKind, FieldError};
use serde::Serialize;

/// `{"success": false, "message", "code", "errors"?}`
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// Always `false`.
    pub success: bool,
    pub message: String,
    pub code: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub body: ErrorBody,
    pub retry_after_secs: Option<u64>,
}

pub type ApiResult = Result<HttpResponse, ApiError>;

impl ApiError {
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        Self {
            status,
            body: ErrorBody {
                success: false,
                message: message.into(),
                code: code.to_owned(),
                errors: Vec::new(),
            },
            retry_after_secs: None,
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {}: {}",
            self.status.as_u16(),
            self.body.code,
            self.body.message
        )
    }
}

fn status_of(kind: ErrorKind) -> StatusCode {
    match kind {
        ErrorKind::BadRequest => StatusCode::BAD_REQUEST,
        ErrorKind::Unauthenticated => StatusCode::UNAUTHORIZED,
        ErrorKind::Forbidden => StatusCode::FORBIDDEN,
        ErrorKind::NotFound => StatusCode::NOT_FOUND,
        ErrorKind::Conflict => StatusCode::CONFLICT,
        ErrorKind::Validation => StatusCode::UNPROCESSABLE_ENTITY,
        ErrorKind::RateLimited => StatusCode::TOO_MANY_REQUESTS,
        ErrorKind::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        ErrorKind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl From<Error> for ApiError {
    fn from(err: Error) -> Self {
        if err.kind == ErrorKind::Internal {
            // Internals go to the log, never to the client.
            log::error!("internal error: {err}");
            return ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "INTERNAL_ERROR",
                "Internal server error",
            );
        }
        let mut api = ApiError::new(status_of(err.kind), &err.code, err.message);
        api.body.errors = err.field_errors;
        api.retry_after_secs = err.retry_after_secs;
        api
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        let mut response = HttpResponse::build(self.status);
        if let Some(secs) = self.retry_after_secs {
            response.insert_header((header::RETRY_AFTER, secs.to_string()));
        }
        response.json(&self.body)
    }
}

/// A body that did not deserialize: 422 on `body` for well-formed JSON whose
/// values have the wrong type or are missing, 400 `MALFORMED_JSON` otherwise.
pub(crate) fn deserialize_error(e: &serde_json::Error) -> ApiError {
    if e.is_data() {
        let mut api = ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "VALIDATION_ERROR",
            format!("Invalid input: {e}"),
        );
        api.body.errors.push(FieldError {
            field: "body".to_owned(),
            message: e.to_string(),
        });
        api
    } else {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "MALFORMED_JSON",
            format!("Malformed JSON: {e}"),
        )
    }
}

/// A body that may be absent (toggle routes: pin, lock, mark-solution):
/// empty or `null` means `None`; otherwise it must be the JSON of `T`, refused as
/// `Json` would refuse it, so a typo never passes for "no body".
pub fn optional_json<T: serde::de::DeserializeOwned>(
    body: &actix_web::web::Bytes,
) -> Result<Option<T>, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    match serde_json::from_slice(body).map_err(|e| deserialize_error(&e))? {
        // `null` is "no body" too: what a client that always sends JSON sends.
        serde_json::Value::Null => Ok(None),
        value => crate::json_input::decode(value).map(Some),
    }
}

pub fn json_error(err: JsonPayloadError, _req: &HttpRequest) -> actix_web::Error {
    let api = match &err {
        JsonPayloadError::ContentType => ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UNSUPPORTED_MEDIA_TYPE",
            "The body must be JSON, sent with Content-Type: application/json",
        ),
        JsonPayloadError::Overflow { limit }
        | JsonPayloadError::OverflowKnownLength { limit, .. } => ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "PAYLOAD_TOO_LARGE",
            format!("The body is larger than the {limit} bytes accepted"),
        ),
        JsonPayloadError::Deserialize(e) => deserialize_error(e),
        other => ApiError::new(
            StatusCode::BAD_REQUEST,
            "BAD_REQUEST",
            format!("Unreadable body: {other}"),
        ),
    };
    api.into()
}

pub fn path_error(err: PathError, req: &HttpRequest) -> actix_web::Error {
    // `PUT /ratings/stats` reaches `PUT /ratings/{ratingId}`, whose id does
    // not parse; the path is `GET`-only `/ratings/stats`, so it is a 405.
    if let Some(res) = crate::methods::method_not_allowed(req) {
        return actix_web::error::InternalError::from_response(err, res).into();
    }
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "INVALID_PATH_PARAMETER",
        format!("Invalid path parameter: {err}"),
    )
    .into()
}

pub fn query_error(err: QueryPayloadError, _req: &HttpRequest) -> actix_web::Error {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "INVALID_QUERY_PARAMETER",
        format!("Invalid query parameter: {err}"),
    )
    .into()
}

/// Unknown routes, and known paths asked with a method they do not have
/// (`405` with `Allow`).
pub async fn not_found(req: HttpRequest) -> HttpResponse {
    if let Some(res) = crate::methods::method_not_allowed(&req) {
        return res;
    }
    ApiError::new(
        StatusCode::NOT_FOUND,
        "ROUTE_NOT_FOUND",
        format!("No route for {} {}", req.method(), req.path()),
    )
    .error_response()
}

/// Last line of defence: any error response that is not already JSON (an
/// actix extractor or middleware we did not configure) is rewritten into the
/// envelope, keeping its status.
pub fn envelope_non_json_errors<B>(
    res: ServiceResponse<B>,
) -> actix_web::Result<ErrorHandlerResponse<B>> {
    // JSON is the envelope already; HTML is a page of ours meant for a
    // person (the unsubscribe link's). actix's own errors are plain text.
    let is_ours = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json") || v.starts_with("text/html"));
    if is_ours {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    let status = res.status();
    let message = res
        .response()
        .error()
        .map(|e| e.to_string())
        .filter(|m| !m.is_empty() && status.is_client_error())
        .unwrap_or_else(|| status.canonical_reason().unwrap_or("Error").to_owned());
    let code = status
        .canonical_reason()
        .unwrap_or("ERROR")
        .to_uppercase()
        .replace([' ', '-'], "_");
    let body = ErrorBody {
        success: false,
        message,
        code,
        errors: Vec::new(),
    };
    let (req, res) = res.into_parts();
    let mut new_res = HttpResponse::build(status);
    for (name, value) in res.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            new_res.append_header((name.clone(), value.clone()));
        }
    }
    new_res.insert_header((
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    ));
    let new_res = new_res.json(body);
    Ok(ErrorHandlerResponse::Response(
        ServiceResponse::new(req, new_res).map_into_right_body(),
    ))
}
