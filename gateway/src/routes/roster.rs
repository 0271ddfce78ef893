//! A course's roster for its staff: `GET /api/courses/{id}/enrollments`
//! (pages) and `GET /api/courses/{id}/enrollments.csv` (everything, read
//! and sent in slices so a course of any size costs bounded memory).

use actix_web::get;
use actix_web::http::header;
use actix_web::web::{Bytes, Data, Path, Query};
use mdsc_core::page::Page;
use mdsc_course::roster::{self, RosterEntry, RosterQuery};

use crate::envelope::{Envelope, ok};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::Auth;
use crate::roster_csv;
use crate::state::AppState;

/// Roster lines read per slice of the export.
const SLICE: i64 = 500;

/// The course's enrolled students with their progress, last activity,
/// completion, quiz results and live-session attendance (course staff).
#[utoipa::path(operation_id = "listCourseRoster", tag = "enrollments", security(("bearer" = [])),
    params(("id" = i32, Path, description = "Course id"), RosterQuery),
    responses((status = 200, body = Envelope<Page<RosterEntry>>), (status = 403, body = ErrorBody)))]
#[get("/courses/{id}/enrollments")]
pub async fn list(
    state: Data<AppState>,
    auth: Auth,
    id: Path<i32>,
    query: Query<RosterQuery>,
) -> ApiResult {
    let (course_id, query) = (id.into_inner(), query.into_inner());
    let data = state
        .db_as(auth, move |conn, _, actor| {
            roster::roster_page(conn, actor, course_id, query)
        })
        .await?;
    Ok(ok(data))
}

/// The whole roster as CSV (UTF-8 with a byte-order mark, CRLF lines), in
/// enrollment order, every status (course staff).
#[utoipa::path(operation_id = "exportCourseRoster", tag = "enrollments", security(("bearer" = [])),
    params(("id" = i32, Path, description = "Course id")),
    responses((status = 200, description = "The roster, one line per enrollment", content_type = "text/csv", body = String),
        (status = 403, body = ErrorBody)))]
#[get("/courses/{id}/enrollments.csv")]
pub async fn export(state: Data<AppState>, auth: Auth, id: Path<i32>) -> ApiResult {
    let course_id = id.into_inner();
    // The first slice is read before answering: a refusal is a plain 403.
    let first = slice(&state, auth.clone(), course_id, 0).await?;
    let head = format!("{}{}", roster_csv::BOM, roster_csv::HEADER);
    let start = (state, auth, course_id, Some(first), Some(head));
    let body =
        futures_util::stream::unfold(start, |(state, auth, course_id, ready, head)| async move {
            if let Some(head) = head {
                return Some((
                    Ok::<_, std::io::Error>(Bytes::from(head)),
                    (state, auth, course_id, ready, None),
                ));
            }
            let entries = match ready {
                Some(entries) => entries,
                None => return None,
            };
            if entries.is_empty() {
                return None;
            }
            let last = entries.last().map(|e| e.enrollment_id).unwrap_or(i32::MAX);
            let text: String = entries.iter().map(roster_csv::line).collect();
            let next = if entries.len() < SLICE as usize {
                Some(Vec::new())
            } else {
                match slice(&state, auth.clone(), course_id, last).await {
                    Ok(next) => Some(next),
                    Err(e) => {
                        // Headers are gone: the transfer is cut, which a client
                        // sees as an incomplete download.
                        log::error!("roster export of course {course_id} stopped: {e}");
                        return Some((
                            Err(std::io::Error::other(e.to_string())),
                            (state, auth, course_id, None, None),
                        ));
                    }
                }
            };
            Some((Ok(Bytes::from(text)), (state, auth, course_id, next, None)))
        });
    Ok(actix_web::HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"course-{course_id}-roster.csv\""),
        ))
        .streaming(body))
}

async fn slice(
    state: &Data<AppState>,
    auth: Auth,
    course_id: i32,
    after: i32,
) -> Result<Vec<RosterEntry>, ApiError> {
    state
        .db_as(auth, move |conn, _, actor| {
            roster::roster_slice(conn, actor, course_id, after, SLICE)
        })
        .await
}
