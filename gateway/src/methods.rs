//! HTTP methods around the route table: `HEAD` wherever `GET` is (RFC 9110
//! §9.3.2: calendar clients and uptime checks use it), and `405` with an
//! `Allow` header for a known path asked with a method it does not have,
//! instead of a `404` that says the resource does not exist.

use std::collections::BTreeSet;
use std::pin::Pin;
use std::sync::OnceLock;
use std::task::{Context, Poll};

use actix_web::body::{BodySize, EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{Method, StatusCode, header};
use actix_web::middleware::Next;
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse, ResponseError};

use crate::error::ApiError;

/// Paths served outside the documented table (the document and its page).
const UNDOCUMENTED_GET_PATHS: [&str; 3] = ["/api/openapi.json", "/api/docs", "/api/docs/{rest}"];

/// Serves `HEAD` as `GET` without the body: the same status and headers,
/// `Content-Length` that of the body `GET` would send. An event stream's
/// `HEAD` ends at once instead of staying open.
pub async fn head_as_get(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody, HeadBody>>, actix_web::Error> {
    if req.method() != Method::HEAD {
        return Ok(next.call(req).await?.map_into_left_body());
    }
    req.head_mut().method = Method::GET;
    let res = next.call(req).await?;
    Ok(res.map_body(|_, body| {
        let size = match body.size() {
            BodySize::Sized(n) => BodySize::Sized(n),
            BodySize::None | BodySize::Stream => BodySize::None,
        };
        EitherBody::right(HeadBody(size))
    }))
}

/// The body of an answer to `HEAD`: its size, no bytes (the HTTP/1 encoder
/// writes none for `HEAD` and reads the length from here).
pub struct HeadBody(BodySize);

impl MessageBody for HeadBody {
    type Error = std::convert::Infallible;

    fn size(&self) -> BodySize {
        self.0
    }

    fn poll_next(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Bytes, Self::Error>>> {
        Poll::Ready(None)
    }
}

/// The methods a path answers, `HEAD` included wherever `GET` is, from the
/// most specific routes that match it (`/ratings/stats` before
/// `/ratings/{ratingId}`, as the router tries them); `None` for a path no
/// route has.
pub fn allowed_methods(path: &str) -> Option<BTreeSet<&'static str>> {
    let segments: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    let mut best: Option<(usize, BTreeSet<&'static str>)> = None;
    for route in routes() {
        let Some(literals) = route.matches(&segments) else {
            continue;
        };
        match &mut best {
            Some((most, methods)) if *most == literals => methods.extend(&route.methods),
            Some((most, _)) if *most > literals => {}
            _ => best = Some((literals, route.methods.iter().copied().collect())),
        }
    }
    best.map(|(_, mut methods)| {
        if methods.contains("GET") {
            methods.insert("HEAD");
        }
        methods
    })
}

/// `405 METHOD_NOT_ALLOWED` with `Allow` when the path is known and the
/// method is not among its methods.
pub fn method_not_allowed(req: &HttpRequest) -> Option<HttpResponse> {
    let allowed = allowed_methods(req.path())?;
    if allowed.contains(req.method().as_str()) {
        return None;
    }
    let allow = allowed.into_iter().collect::<Vec<_>>().join(", ");
    let mut res = ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "METHOD_NOT_ALLOWED",
        format!(
            "{} {} is not served; this path answers {allow}",
            req.method(),
            req.path()
        ),
    )
    .error_response();
    if let Ok(value) = header::HeaderValue::from_str(&allow) {
        res.headers_mut().insert(header::ALLOW, value);
    }
    Some(res)
}

struct Route {
    /// `None` for a `{parameter}` segment.
    segments: Vec<Option<String>>,
    methods: Vec<&'static str>,
}

impl Route {
    /// How many literal segments matched, when the path matches.
    fn matches(&self, path: &[&str]) -> Option<usize> {
        if path.len() != self.segments.len() {
            return None;
        }
        let mut literals = 0;
        for (pattern, segment) in self.segments.iter().zip(path) {
            match pattern {
                Some(literal) if literal == segment => literals += 1,
                Some(_) => return None,
                None if segment.is_empty() => return None,
                None => {}
            }
        }
        Some(literals)
    }
}

/// The route table, read from the OpenAPI document (itself collected from
/// the routes the application registers).
fn routes() -> &'static [Route] {
    static ROUTES: OnceLock<Vec<Route>> = OnceLock::new();
    ROUTES.get_or_init(|| {
        let parse = |template: &str| -> Vec<Option<String>> {
            template
                .split('/')
                .map(|s| (!s.starts_with('{')).then(|| s.to_owned()))
                .collect()
        };
        let mut routes: Vec<Route> = crate::openapi::openapi()
            .paths
            .paths
            .iter()
            .map(|(template, item)| {
                let methods = [
                    ("GET", item.get.is_some()),
                    ("PUT", item.put.is_some()),
                    ("POST", item.post.is_some()),
                    ("DELETE", item.delete.is_some()),
                    ("PATCH", item.patch.is_some()),
                ];
                Route {
                    segments: parse(template),
                    methods: methods.iter().filter(|m| m.1).map(|m| m.0).collect(),
                }
            })
            .collect();
        routes.extend(UNDOCUMENTED_GET_PATHS.iter().map(|template| Route {
            segments: parse(template),
            methods: vec!["GET"],
        }));
        routes
    })
}

#[cfg(test)]
mod tests {
    use super::allowed_methods;

    fn allowed(path: &str) -> Vec<&'static str> {
        allowed_methods(path).unwrap().into_iter().collect()
    }

    #[test]
    fn a_path_answers_the_methods_of_its_most_specific_routes() {
        assert_eq!(allowed("/api/courses/1/ratings/stats"), ["GET", "HEAD"]);
        assert_eq!(
            allowed("/api/courses/1/ratings/7"),
            ["DELETE", "GET", "HEAD", "PUT"]
        );
        assert_eq!(allowed("/api/health"), ["GET", "HEAD"]);
        assert_eq!(allowed("/api/notifications/read-all"), ["POST"]);
        assert!(allowed_methods("/api/nowhere").is_none());
        assert!(allowed_methods("/api/courses/1/nothing-here").is_none());
    }
}
