//! Certificates: issued once per completed enrollment, verifiable by anyone
//! who holds the unguessable code.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use mdsc_auth::{Principal, UserSummary};
use mdsc_core::random::random_hex;
use mdsc_core::schema::{certificates, courses, enrollments, users};
use mdsc_core::time::{utc, utc_opt};
use mdsc_core::{Clock, DbConnection, Error, write_transaction};

use crate::enrollment::{own_enrollment_for_update, visible_enrollment};
use crate::model::{
    Certificate, CertificateRow, CertificateStatus, CertificateVerification, CourseSummary,
    EnrollmentRow, EnrollmentStatus,
};

/// 16 bytes: 128 bits from the OS generator, 32 hex characters.
const CODE_BYTES: usize = 16;

fn to_certificate(conn: &mut DbConnection, row: CertificateRow) -> Result<Certificate, Error> {
    let course = courses::table
        .find(row.course_id)
        .select(CourseSummary::as_select())
        .first(conn)?;
    let student = users::table
        .find(row.user_id)
        .select(UserSummary::as_select())
        .first(conn)?;
    Ok(Certificate {
        id: row.id,
        enrollment_id: row.enrollment_id,
        user_id: row.user_id,
        course_id: row.course_id,
        verification_code: row.verification_code,
        issued_at: utc(row.issued_at),
        course,
        student,
    })
}

fn certificate_of(
    conn: &mut DbConnection,
    enrollment_id: i32,
) -> Result<Option<CertificateRow>, Error> {
    Ok(certificates::table
        .filter(certificates::enrollment_id.eq(enrollment_id))
        .select(CertificateRow::as_select())
        .first(conn)
        .optional()?)
}

fn is_eligible(row: &EnrollmentRow) -> bool {
    row.status() == EnrollmentStatus::Completed
}

/// Where the certificate stands. Rating fields are false until a rating
/// system is plugged in: the gateway replaces them with mdsc-rating's answer.
pub fn certificate_status(
    conn: &mut DbConnection,
    actor: &Principal,
    enrollment_id: i32,
) -> Result<CertificateStatus, Error> {
    let row = visible_enrollment(conn, actor, enrollment_id)?;
    let certificate = match certificate_of(conn, row.id)? {
        Some(c) => Some(to_certificate(conn, c)?),
        None => None,
    };
    Ok(CertificateStatus {
        eligible: is_eligible(&row),
        has_rated: false,
        should_prompt_rating: false,
        certificate,
    })
}

/// Issues the certificate of a completed enrollment; asking again returns
/// the same certificate.
pub fn issue_certificate(
    conn: &mut DbConnection,
    actor: &Principal,
    clock: &dyn Clock,
    enrollment_id: i32,
) -> Result<Certificate, Error> {
    let row = write_transaction(conn, |conn| {
        let enrollment = own_enrollment_for_update(conn, actor, enrollment_id)?;
        if !is_eligible(&enrollment) {
            return Err(Error::conflict(
                "COURSE_NOT_COMPLETED",
                "Complete every lesson and pass every quiz to get the certificate",
            ));
        }
        if let Some(existing) = certificate_of(conn, enrollment.id)? {
            return Ok(existing);
        }
        Ok(diesel::insert_into(certificates::table)
            .values((
                certificates::enrollment_id.eq(enrollment.id),
                certificates::user_id.eq(enrollment.user_id),
                certificates::course_id.eq(enrollment.course_id),
                certificates::verification_code.eq(random_hex(CODE_BYTES)?),
                certificates::issued_at.eq(clock.now()),
            ))
            .get_result::<CertificateRow>(conn)?)
    })?;
    to_certificate(conn, row)
}

/// Public verification by code: who earned it, for which course, when.
pub fn verify_certificate(
    conn: &mut DbConnection,
    code: &str,
) -> Result<CertificateVerification, Error> {
    let code = code.trim().to_ascii_lowercase();
    if !code.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(Error::not_found("Certificate"));
    }
    let row = certificates::table
        .filter(certificates::verification_code.eq(&code))
        .select(CertificateRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| Error::not_found("Certificate"))?;
    let completed_at: Option<NaiveDateTime> = enrollments::table
        .find(row.enrollment_id)
        .select(enrollments::completed_at)
        .first(conn)?;
    let certificate = to_certificate(conn, row)?;
    let instructor = users::table
        .find(certificate.course.instructor_id)
        .select(UserSummary::as_select())
        .first(conn)?;
    Ok(CertificateVerification {
        valid: true,
        verification_code: certificate.verification_code,
        issued_at: certificate.issued_at,
        completed_at: utc_opt(completed_at),
        course: certificate.course,
        student: certificate.student,
        instructor,
    })
}
