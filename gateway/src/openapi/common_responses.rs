//! The error statuses an operation can answer because of how its request
//! is read, added to every operation from what it declares (path and query
//! parameters, a JSON body, the bearer scheme) instead of being listed by
//! hand on each handler. A handler lists only its domain answers
//! (`409 ALREADY_RATED`, `403 NOT_ENROLLED`…); both meet here, and every
//! response gets a description, as OpenAPI requires.

use actix_web::http::StatusCode;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::{ContentBuilder, OpenApi, Ref, RefOr, Response, ResponseBuilder};

/// The shared error envelope's schema (`crate::error::ErrorBody`).
const ERROR_SCHEMA: &str = "ErrorBody";

/// What an operation reads, as far as its errors go.
#[derive(Debug, Default, Clone, Copy)]
struct Reads {
    path: bool,
    query: bool,
    json_body: bool,
    bearer: bool,
}

impl Reads {
    fn of(op: &Operation) -> Self {
        let mut reads = Reads::default();
        for param in op.parameters.iter().flatten() {
            if let RefOr::T(param) = param {
                match param.parameter_in {
                    ParameterIn::Path => reads.path = true,
                    ParameterIn::Query => reads.query = true,
                    _ => {}
                }
            }
        }
        reads.json_body = matches!(&op.request_body, Some(RefOr::T(body))
            if body.content.keys().any(|media| media.contains("json")));
        reads.bearer = op.security.iter().flatten().any(|requirement| {
            serde_json::to_value(requirement).is_ok_and(|value| value.get("bearer").is_some())
        });
        reads
    }

    /// Each status with the machine codes the request's reading can produce.
    fn statuses(self) -> Vec<(StatusCode, &'static str)> {
        let mut out = Vec::new();
        if self.path {
            out.push((
                StatusCode::BAD_REQUEST,
                "INVALID_PATH_PARAMETER: a path segment is not the type declared",
            ));
            out.push((StatusCode::NOT_FOUND, "NOT_FOUND"));
        }
        if self.query {
            out.push((
                StatusCode::BAD_REQUEST,
                "INVALID_QUERY_PARAMETER: a query value is not the type declared",
            ));
            out.push((
                StatusCode::UNPROCESSABLE_ENTITY,
                "VALIDATION_ERROR, PAGE_TOO_DEEP, INVALID_CURSOR: a query value is out of range",
            ));
        }
        if self.json_body {
            out.push((StatusCode::BAD_REQUEST, "MALFORMED_JSON"));
            out.push((StatusCode::PAYLOAD_TOO_LARGE, "PAYLOAD_TOO_LARGE"));
            out.push((
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "UNSUPPORTED_MEDIA_TYPE: send Content-Type: application/json",
            ));
            out.push((
                StatusCode::UNPROCESSABLE_ENTITY,
                "VALIDATION_ERROR, with the fields in `errors`",
            ));
        }
        if self.bearer {
            out.push((
                StatusCode::UNAUTHORIZED,
                "UNAUTHENTICATED, INVALID_TOKEN: no token, or one that is invalid or expired",
            ));
        }
        out.push((StatusCode::INTERNAL_SERVER_ERROR, "INTERNAL_ERROR"));
        out.push((
            StatusCode::SERVICE_UNAVAILABLE,
            "DATABASE_BUSY, DATABASE_CONNECTION_LOST: try again after Retry-After",
        ));
        out
    }
}

/// Adds the common statuses to every operation and a description to every
/// response.
pub(super) fn complete(api: &mut OpenApi) {
    for item in api.paths.paths.values_mut() {
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
            &mut item.head,
        ];
        for op in operations.into_iter().flatten() {
            complete_operation(op);
        }
    }
}

fn complete_operation(op: &mut Operation) {
    for (status, codes) in Reads::of(op).statuses() {
        let key = status.as_str().to_owned();
        match op.responses.responses.get_mut(&key) {
            Some(RefOr::T(response)) => add_codes(response, status, codes),
            Some(RefOr::Ref(_)) => {}
            None => {
                op.responses
                    .responses
                    .insert(key, RefOr::T(error_response(status, codes)));
            }
        }
    }
    for (key, response) in op.responses.responses.iter_mut() {
        if let RefOr::T(response) = response
            && response.description.trim().is_empty()
        {
            response.description = reason(key).to_owned();
        }
    }
}

fn error_response(status: StatusCode, codes: &str) -> Response {
    ResponseBuilder::new()
        .description(describe(status, codes))
        .content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name(ERROR_SCHEMA)))
                .build(),
        )
        .build()
}

/// A status the handler declared too: its own codes first, then the
/// common ones it does not already name.
fn add_codes(response: &mut Response, status: StatusCode, codes: &str) {
    let code = codes.split([':', ',']).next().unwrap_or(codes).trim();
    if response.description.contains(code) {
        return;
    }
    response.description = if response.description.trim().is_empty() {
        describe(status, codes)
    } else {
        format!("{}; {codes}", response.description.trim())
    };
}

fn describe(status: StatusCode, codes: &str) -> String {
    format!("{}: {codes}", reason(status.as_str()))
}

fn reason(status: &str) -> &'static str {
    status
        .parse::<u16>()
        .ok()
        .and_then(|code| StatusCode::from_u16(code).ok())
        .and_then(|status| status.canonical_reason())
        .unwrap_or("Response")
}

#[cfg(test)]
mod tests {
    use super::*;
    use utoipa::openapi::path::{OperationBuilder, ParameterBuilder};
    use utoipa::openapi::request_body::RequestBodyBuilder;
    use utoipa::openapi::security::SecurityRequirement;

    fn statuses(op: &Operation) -> Vec<String> {
        op.responses.responses.keys().cloned().collect()
    }

    #[test]
    fn an_operation_gets_the_statuses_of_what_it_reads() {
        let mut op = OperationBuilder::new()
            .parameter(
                ParameterBuilder::new()
                    .name("id")
                    .parameter_in(ParameterIn::Path),
            )
            .request_body(Some(
                RequestBodyBuilder::new()
                    .content("application/json", ContentBuilder::new().build())
                    .build(),
            ))
            .security(SecurityRequirement::new("bearer", Vec::<String>::new()))
            .build();
        complete_operation(&mut op);
        assert_eq!(
            statuses(&op),
            ["400", "401", "404", "413", "415", "422", "500", "503"]
        );
        let RefOr::T(bad) = &op.responses.responses["400"] else {
            panic!("400 is inline")
        };
        assert!(bad.description.contains("INVALID_PATH_PARAMETER"));
        assert!(bad.description.contains("MALFORMED_JSON"));
    }

    #[test]
    fn a_public_operation_without_input_gets_only_server_errors() {
        let mut op = OperationBuilder::new()
            .response("200", ResponseBuilder::new().build())
            .build();
        complete_operation(&mut op);
        assert_eq!(statuses(&op), ["200", "500", "503"]);
        let RefOr::T(ok) = &op.responses.responses["200"] else {
            panic!("200 is inline")
        };
        assert_eq!(ok.description, "OK");
    }
}
