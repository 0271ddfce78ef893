//! Recordings reported by the Jitsi side: a Jibri finalize script (any
//! self-hosted Jitsi) posts the room name and the recording's address,
//! authorized by the shared `JITSI_WEBHOOK_SECRET`.

use diesel::prelude::*;
use mdsc_core::schema::live_sessions;
use mdsc_core::text::validate_single_line;
use mdsc_core::{Clock, DbConnection, Error, write_transaction};
use serde::{Deserialize, Serialize};
use validator::Validate;

use crate::model::{LiveSessionRow, SessionStatus};
use crate::settings::{JitsiProvider, LiveSettings};

#[derive(Debug, Clone, Deserialize, Validate, utoipa::ToSchema)]
pub struct RecordingHookInput {
    /// The session's `jitsi_room_name`; with JaaS, `{appId}/{room}` with
    /// the configured app id is accepted too.
    #[validate(length(min = 1, max = 512), custom(function = validate_single_line))]
    #[schema(
        min_length = 1,
        max_length = 512,
        pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F\\u2028\\u2029]*$"
    )]
    pub room_name: String,
    #[validate(url, length(max = 2048), custom(function = validate_single_line), custom(function = mdsc_core::text::validate_http_url))]
    #[schema(
        max_length = 2048,
        pattern = "^ *[hH][tT][tT][pP][sS]?://[^\\u0000-\\u001F\\u007F-\\u009F\\u2028\\u2029]*$"
    )]
    pub recording_url: String,
}

/// What a hook call did.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct HookOutcome {
    /// Whether the call changed anything (false for a duplicate delivery or
    /// an event that does not concern us).
    pub applied: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session_id: Option<i32>,
    /// Why nothing was applied.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl HookOutcome {
    pub(crate) fn applied(session_id: i32) -> Self {
        Self {
            applied: true,
            session_id: Some(session_id),
            reason: None,
        }
    }
    pub(crate) fn ignored(session_id: Option<i32>, reason: impl Into<String>) -> Self {
        Self {
            applied: false,
            session_id,
            reason: Some(reason.into()),
        }
    }
}

/// Compares the presented secret with the configured one in constant time.
/// No configured secret refuses every call: the hooks are off.
pub fn verify_hook_secret(settings: &LiveSettings, presented: Option<&str>) -> Result<(), Error> {
    let Some(expected) = settings.webhook_secret.as_deref() else {
        return Err(Error::forbidden(
            "Recording hooks and webhooks are disabled: JITSI_WEBHOOK_SECRET is not set",
        )
        .with_code("WEBHOOKS_DISABLED"));
    };
    let presented = presented.map(str::trim).unwrap_or_default();
    let presented = presented
        .strip_prefix("Bearer ")
        .unwrap_or(presented)
        .trim();
    if constant_time_eq(presented.as_bytes(), expected.as_bytes()) {
        Ok(())
    } else {
        Err(Error::unauthenticated("Invalid webhook secret").with_code("INVALID_WEBHOOK_SECRET"))
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The room a hook names: a bare room name, or `{appId}/{room}` (JaaS's
/// `fqn`, and its `roomName`) where `{appId}` is the configured JaaS app.
/// Any other prefix names a room of another app (or of no provider we
/// run), so it matches none of ours. Both hooks go through here.
pub(crate) fn room_of<'a>(settings: &LiveSettings, name: &'a str) -> Option<&'a str> {
    let Some((prefix, room)) = name.split_once('/') else {
        return Some(name);
    };
    match &settings.provider {
        JitsiProvider::Jaas { app_id, .. }
            if prefix.eq_ignore_ascii_case(app_id) && !room.contains('/') =>
        {
            Some(room)
        }
        _ => None,
    }
}

pub(crate) fn session_by_room(
    conn: &mut DbConnection,
    settings: &LiveSettings,
    name: &str,
) -> Result<Option<LiveSessionRow>, Error> {
    let Some(room) = room_of(settings, name) else {
        return Ok(None);
    };
    Ok(live_sessions::table
        .filter(live_sessions::jitsi_room_name.eq(room))
        .select(LiveSessionRow::as_select())
        .first(conn)
        .optional()?)
}

/// Stores a recording's address on its session, if recording was enabled
/// and the session has started.
pub(crate) fn attach_recording(
    conn: &mut DbConnection,
    clock: &dyn Clock,
    session: &LiveSessionRow,
    url: &str,
) -> Result<(), Error> {
    if !session.recording_enabled {
        return Err(Error::conflict(
            "RECORDING_DISABLED",
            "Recording is not enabled for this session",
        ));
    }
    if !matches!(
        session.status()?,
        SessionStatus::Live | SessionStatus::Ended
    ) {
        return Err(Error::conflict(
            "SESSION_NOT_STARTED",
            "A recording can be attached once the session has started",
        ));
    }
    diesel::update(live_sessions::table.find(session.id))
        .set((
            live_sessions::recording_url.eq(url),
            live_sessions::updated_at.eq(clock.now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// `POST /api/live-sessions/recordings`: the Jibri finalize hook.
pub fn report_recording(
    conn: &mut DbConnection,
    clock: &dyn Clock,
    settings: &LiveSettings,
    secret: Option<&str>,
    input: RecordingHookInput,
) -> Result<HookOutcome, Error> {
    verify_hook_secret(settings, secret)?;
    input.validate()?;
    write_transaction(conn, |conn| -> Result<_, Error> {
        let session = session_by_room(conn, settings, &input.room_name)?
            .ok_or_else(|| Error::not_found("Live session"))?;
        attach_recording(conn, clock, &session, &input.recording_url)?;
        log::info!(
            "recording of live session {} stored: {}",
            session.id,
            input.recording_url
        );
        Ok(HookOutcome::applied(session.id))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jaas(app_id: &str) -> LiveSettings {
        LiveSettings {
            provider: JitsiProvider::Jaas {
                app_id: app_id.to_owned(),
                key_id: "k".to_owned(),
                private_key_pem: String::new(),
            },
            ..LiveSettings::default()
        }
    }

    #[test]
    fn only_the_configured_app_prefix_names_a_room() {
        let ours = jaas("vpaas-magic-cookie-abc");
        assert_eq!(room_of(&ours, "room-1"), Some("room-1"));
        assert_eq!(
            room_of(&ours, "vpaas-magic-cookie-abc/room-1"),
            Some("room-1")
        );
        assert_eq!(room_of(&ours, "vpaas-magic-cookie-xyz/room-1"), None);
        assert_eq!(room_of(&ours, "vpaas-magic-cookie-abc/a/room-1"), None);
        assert_eq!(room_of(&ours, "/room-1"), None);
        let public = LiveSettings::default();
        assert_eq!(room_of(&public, "room-1"), Some("room-1"));
        assert_eq!(room_of(&public, "vpaas-magic-cookie-abc/room-1"), None);
    }
}
