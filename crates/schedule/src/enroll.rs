//! `POST /api/enrollments` with the schedule generated right after (seed
//! §2.2.1): the enrollment commits first, and a failed generation never
//! fails it.

use mdsc_auth::Principal;
use mdsc_core::{Clock, DbConnection, Error};
use mdsc_course::Enrollment;
use mdsc_course::enrollment::{EnrollInput, enroll};
use serde::Serialize;

use crate::service::{PreferencesInput, generate_schedule};
use crate::settings::ScheduleSettings;

/// The enrollment, and whether its schedule was generated.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EnrollmentWithSchedule {
    #[serde(flatten)]
    pub enrollment: Enrollment,
    /// False when `auto_generate_schedule` was `false` or generation
    /// failed; `POST /api/enrollments/:id/generate-schedule` tries again.
    pub schedule_generated: bool,
}

pub fn enroll_with_schedule(
    conn: &mut DbConnection,
    actor: &Principal,
    clock: &dyn Clock,
    settings: &ScheduleSettings,
    input: EnrollInput,
) -> Result<EnrollmentWithSchedule, Error> {
    let generate = input.auto_generate_schedule != Some(false);
    let enrollment = enroll(conn, actor, clock, input)?;
    let schedule_generated = generate
        && match generate_schedule(
            conn,
            actor,
            clock,
            settings,
            enrollment.id,
            PreferencesInput::default(),
        ) {
            Ok(_) => true,
            Err(e) => {
                log::warn!(
                    "schedule generation failed for enrollment {}: {e}",
                    enrollment.id
                );
                false
            }
        };
    Ok(EnrollmentWithSchedule {
        enrollment,
        schedule_generated,
    })
}
