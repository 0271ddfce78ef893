//! Certificates: status, issue, public verification.

use actix_web::http::StatusCode;
use actix_web::http::header::{ACCEPT, ACCEPT_LANGUAGE, CONTENT_DISPOSITION};
use actix_web::web::{self, Data, Path};
use actix_web::{HttpRequest, HttpResponse, get, post};
use mdsc_core::Error;
use mdsc_course::certificate;
use mdsc_course::{Certificate, CertificateStatus, CertificateVerification};

use crate::certificate_document::{self, Format, html, pdf};
use crate::envelope::{Envelope, ok};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::Auth;
use crate::routes::unsubscribe_html::browser_locale;
use crate::state::AppState;

/// Whether the course is complete, the certificate if issued, and whether
/// to show the rating prompt first.
#[utoipa::path(operation_id = "getCertificateStatus", tag = "certificates", security(("bearer" = [])), params(("id" = i32, Path, description = "Enrollment id")),
    responses((status = 200, body = Envelope<CertificateStatus>)))]
#[get("/enrollments/{id}/certificate-status")]
pub async fn status(state: Data<AppState>, auth: Auth, id: Path<i32>) -> ApiResult {
    let id = id.into_inner();
    let data = state
        .db_as(auth, move |conn, st, actor| {
            mdsc_rating::prompt::certificate_status(conn, actor, st.clock(), &st.config.rating, id)
        })
        .await?;
    Ok(ok(data))
}

/// Issue the certificate of a completed course (idempotent).
#[utoipa::path(operation_id = "issueCertificate", tag = "certificates", security(("bearer" = [])), params(("id" = i32, Path, description = "Enrollment id")),
    responses((status = 200, body = Envelope<Certificate>), (status = 403, body = ErrorBody),
        (status = 409, description = "COURSE_NOT_COMPLETED", body = ErrorBody)))]
#[post("/enrollments/{id}/certificate")]
pub async fn issue(state: Data<AppState>, auth: Auth, id: Path<i32>) -> ApiResult {
    let id = id.into_inner();
    let data = state
        .db_as(auth, move |conn, st, actor| {
            certificate::issue_certificate(conn, actor, st.clock(), id)
        })
        .await?;
    Ok(ok(data))
}

/// Public: check a certificate by its verification code. JSON for API
/// clients; a browser (`Accept: text/html`) gets a printable page, and
/// `Accept: application/pdf` or the code followed by `.pdf`
/// (`/api/certificates/verify/{code}.pdf`) a one-page PDF.
#[utoipa::path(operation_id = "verifyCertificate", tag = "certificates",
    params(("code" = String, Path, description = "Verification code, optionally followed by `.pdf`")),
    responses((status = 200, description = "The certificate: JSON, or an HTML page or a PDF as `Accept` asks",
        content(
            (Envelope<CertificateVerification> = "application/json"),
            (String = "text/html"),
            (Vec<u8> = "application/pdf"))),
        (status = 404, description = "NOT_FOUND: no certificate has this code", body = ErrorBody)))]
#[get("/certificates/verify/{code}")]
pub async fn verify(state: Data<AppState>, code: Path<String>, req: HttpRequest) -> ApiResult {
    let header = |name| req.headers().get(name).and_then(|v| v.to_str().ok());
    let (code, format) = certificate_document::negotiate(&code.into_inner(), header(ACCEPT));
    let locale = browser_locale(header(ACCEPT_LANGUAGE));
    let found = state
        .db(move |conn, _| certificate::verify_certificate(conn, &code))
        .await;
    match (format, found) {
        (Format::Json, found) => Ok(ok(found?)),
        (Format::Html, Ok(certificate)) => {
            let pdf_href = format!(
                "/api/certificates/verify/{}.pdf",
                certificate.verification_code
            );
            let page = html::certificate_page(&certificate, locale, &pdf_href);
            Ok(HttpResponse::Ok()
                .content_type("text/html; charset=utf-8")
                .body(page))
        }
        (Format::Html, Err(e)) if e.status == StatusCode::NOT_FOUND => Ok(HttpResponse::NotFound()
            .content_type("text/html; charset=utf-8")
            .body(html::not_found_page(locale))),
        (Format::Html, Err(e)) => Err(e),
        (Format::Pdf, found) => {
            let certificate = found?;
            let bytes = web::block(move || pdf::certificate_pdf(&certificate, locale))
                .await
                .map_err(|e| ApiError::from(Error::internal(format!("certificate PDF: {e}"))))??;
            Ok(HttpResponse::Ok()
                .content_type("application/pdf")
                .insert_header((CONTENT_DISPOSITION, "inline; filename=\"certificate.pdf\""))
                .body(bytes))
        }
    }
}
