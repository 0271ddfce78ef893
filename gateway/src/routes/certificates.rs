//! Certificates: status, issue, public verification.

use actix_web::web::{Data, Path};
use actix_web::{get, post};
use mdsc_course::certificate;
use mdsc_course::{Certificate, CertificateStatus, CertificateVerification};

use crate::envelope::{Envelope, ok};
use crate::error::{ApiResult, ErrorBody};
use crate::extract::Auth;
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

/// Public: check a certificate by its verification code.
#[utoipa::path(operation_id = "verifyCertificate", tag = "certificates", params(("code" = String, Path, description = "Verification code")),
    responses((status = 200, body = Envelope<CertificateVerification>)))]
#[get("/certificates/verify/{code}")]
pub async fn verify(state: Data<AppState>, code: Path<String>) -> ApiResult {
    let code = code.into_inner();
    let data = state
        .db(move |conn, _| certificate::verify_certificate(conn, &code))
        .await?;
    Ok(ok(data))
}
