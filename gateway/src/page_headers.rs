//! Lists whose client reads a plain array (the seed's `getCourseSessions`,
//! the participants, the calendar events, the chat): the body stays the
//! array, and the pagination travels in headers. `X-Total-Count` is the
//! list's `pagination.total`; `Link` (RFC 8288) holds `rel="next"` and
//! `rel="prev"` links, each the request's own path and query with only the
//! page (or the polling position) changed.

use actix_web::http::header::{HeaderName, LINK};
use actix_web::{HttpRequest, HttpResponse};
use mdsc_core::Page;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde::Serialize;

use crate::envelope::Envelope;

/// The total of the list, as in `pagination.total`.
pub const X_TOTAL_COUNT: HeaderName = HeaderName::from_static("x-total-count");

/// What stays unescaped in a query value: RFC 3986's unreserved characters.
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// A page answered as a plain array, with `X-Total-Count` and `Link`.
pub fn array_page<T: Serialize>(req: &HttpRequest, page: Page<T>) -> HttpResponse {
    let p = &page.pagination;
    let mut links = Vec::new();
    if p.page > 1 {
        links.push(link(req, "page", &(p.page - 1).to_string(), "prev"));
    }
    if p.page < p.total_pages {
        links.push(link(req, "page", &(p.page + 1).to_string(), "next"));
    }
    let mut response = HttpResponse::Ok();
    response.insert_header((X_TOTAL_COUNT, p.total));
    if !links.is_empty() {
        response.insert_header((LINK, links.join(", ")));
    }
    response.json(Envelope {
        success: true,
        data: page.data,
    })
}

/// A polled list answered as a plain array: `next` is the parameter and
/// value that read on from the last item (the chat's `after_id`), when
/// more may follow already.
pub fn array_polled<T: Serialize>(
    req: &HttpRequest,
    data: Vec<T>,
    next: Option<(&str, String)>,
) -> HttpResponse {
    let mut response = HttpResponse::Ok();
    if let Some((param, value)) = next {
        response.insert_header((LINK, link(req, param, &value, "next")));
    }
    response.json(Envelope {
        success: true,
        data,
    })
}

/// `<path?query>; rel="…"`: the request's query with `param` set to `value`.
fn link(req: &HttpRequest, param: &str, value: &str, rel: &str) -> String {
    let mut pairs: Vec<(String, String)> =
        actix_web::web::Query::<Vec<(String, String)>>::from_query(req.query_string())
            .map(|q| q.into_inner())
            .unwrap_or_default();
    pairs.retain(|(key, _)| key != param);
    pairs.push((param.to_owned(), value.to_owned()));
    let query = pairs
        .iter()
        .map(|(key, value)| {
            format!(
                "{}={}",
                utf8_percent_encode(key, QUERY_VALUE),
                utf8_percent_encode(value, QUERY_VALUE)
            )
        })
        .collect::<Vec<_>>()
        .join("&");
    format!("<{}?{query}>; rel=\"{rel}\"", req.path())
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;
    use mdsc_core::PageRequest;

    use super::*;

    fn header(response: &HttpResponse, name: &HeaderName) -> Option<String> {
        response
            .headers()
            .get(name)
            .map(|v| v.to_str().unwrap_or_default().to_owned())
    }

    #[test]
    fn a_middle_page_links_both_ways_and_keeps_the_other_parameters() {
        let req = TestRequest::get()
            .uri("/api/courses/3/live-sessions?status=scheduled&page=2&limit=10&to=2026-01-01T00:00:00%2B01:00")
            .to_http_request();
        let page = Page::new(vec![1, 2], PageRequest { page: 2, limit: 10 }, 35);
        let response = array_page(&req, page);
        assert_eq!(header(&response, &X_TOTAL_COUNT).as_deref(), Some("35"));
        assert_eq!(
            header(&response, &LINK).as_deref(),
            Some(
                "</api/courses/3/live-sessions?status=scheduled&limit=10&to=2026-01-01T00%3A00%3A00%2B01%3A00&page=1>; rel=\"prev\", \
                 </api/courses/3/live-sessions?status=scheduled&limit=10&to=2026-01-01T00%3A00%3A00%2B01%3A00&page=3>; rel=\"next\""
            )
        );
    }

    #[test]
    fn a_single_page_has_no_link() {
        let req = TestRequest::get().uri("/api/x").to_http_request();
        let response = array_page(
            &req,
            Page::new(vec![1], PageRequest { page: 1, limit: 20 }, 1),
        );
        assert_eq!(header(&response, &X_TOTAL_COUNT).as_deref(), Some("1"));
        assert_eq!(header(&response, &LINK), None);
    }

    #[test]
    fn a_polled_list_links_past_its_last_item() {
        let req = TestRequest::get()
            .uri("/api/live-sessions/4/chat?limit=2")
            .to_http_request();
        let response = array_polled(&req, vec![7, 8], Some(("after_id", "8".to_owned())));
        assert_eq!(
            header(&response, &LINK).as_deref(),
            Some("</api/live-sessions/4/chat?limit=2&after_id=8>; rel=\"next\"")
        );
        assert_eq!(header(&response, &X_TOTAL_COUNT), None);
    }
}
