//! What a client needs to open a session's Jitsi room, and the room token
//! for servers that check one (self-hosted Prosody token auth, JaaS).

use chrono::{Duration, NaiveDateTime};
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use mdsc_core::Error;
use mdsc_core::time::utc;
use serde::Serialize;

use crate::lifecycle::opens_at;
use crate::model::{JoinSessionData, LiveSessionRow};
use crate::settings::{JAAS_SERVER_URL, JitsiProvider, LiveSettings};

/// Who enters the room, as the token and the Jitsi UI show them.
#[derive(Debug, Clone)]
pub struct JoinIdentity {
    pub user_id: i32,
    pub display_name: String,
    pub email: String,
    pub avatar: Option<String>,
    /// Course staff: moderator in the room. Students never are.
    pub moderator: bool,
}

#[derive(Debug, Serialize)]
struct TokenUser<'a> {
    id: String,
    name: &'a str,
    email: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    avatar: Option<&'a str>,
    // Strings, not booleans: JaaS documents "true"/"false", and Prosody's
    // presence_identity accepts only strings and numbers in `context.user`.
    moderator: &'static str,
    /// Read by the token_affiliation Prosody module (self-hosted only):
    /// stock Prosody ignores `moderator`.
    #[serde(skip_serializing_if = "Option::is_none")]
    affiliation: Option<&'static str>,
}

#[derive(Debug, Serialize)]
struct TokenFeatures {
    recording: &'static str,
    livestreaming: &'static str,
    transcription: &'static str,
    #[serde(rename = "outbound-call")]
    outbound_call: &'static str,
}

#[derive(Debug, Serialize)]
struct TokenContext<'a> {
    user: TokenUser<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    features: Option<TokenFeatures>,
}

#[derive(Debug, Serialize)]
struct RoomClaims<'a> {
    iss: &'a str,
    aud: &'a str,
    sub: &'a str,
    /// This session's room only, never `*`.
    room: &'a str,
    iat: i64,
    nbf: i64,
    exp: i64,
    context: TokenContext<'a>,
}

fn flag(value: bool) -> &'static str {
    if value { "true" } else { "false" }
}

/// The window a token is valid in: from when the room opens (15 minutes
/// before the scheduled start) to the scheduled end plus the margin. A
/// session that overruns that still gets tokens valid for the margin from
/// now, so latecomers are not handed an expired token.
pub fn token_window(
    session: &LiveSessionRow,
    now: NaiveDateTime,
    margin: Duration,
) -> (NaiveDateTime, NaiveDateTime) {
    let not_before = opens_at(session.scheduled_start_time);
    let expires = (session.scheduled_end_time + margin).max(now + margin);
    (not_before, expires)
}

/// `https://meet.example.org/path` → `meet.example.org`.
pub fn domain_of(server_url: &str) -> &str {
    let rest = server_url
        .split_once("://")
        .map(|(_, rest)| rest)
        .unwrap_or(server_url);
    rest.split('/').next().unwrap_or(rest)
}

/// The join answer for `who` in `session`, with a signed token when the
/// provider needs one.
pub fn join_data(
    settings: &LiveSettings,
    session: &LiveSessionRow,
    who: &JoinIdentity,
    now: NaiveDateTime,
) -> Result<JoinSessionData, Error> {
    let server_url = settings.server_url.trim_end_matches('/').to_owned();
    let (nbf, exp) = token_window(session, now, settings.token_margin);
    let user = TokenUser {
        id: who.user_id.to_string(),
        name: &who.display_name,
        email: &who.email,
        avatar: who.avatar.as_deref(),
        moderator: flag(who.moderator),
        affiliation: None,
    };
    let room = session.jitsi_room_name.as_str();
    let (room_name, script_url, jwt) = match &settings.provider {
        JitsiProvider::Public => (
            room.to_owned(),
            format!("{server_url}/external_api.js"),
            None,
        ),
        JitsiProvider::SelfHosted {
            app_id,
            app_secret,
            subject,
        } => {
            let claims = RoomClaims {
                iss: app_id,
                aud: app_id,
                sub: subject,
                room,
                iat: now.and_utc().timestamp(),
                nbf: nbf.and_utc().timestamp(),
                exp: exp.and_utc().timestamp(),
                context: TokenContext {
                    user: TokenUser {
                        affiliation: Some(if who.moderator { "owner" } else { "member" }),
                        ..user
                    },
                    features: None,
                },
            };
            let token = encode(
                &Header::new(Algorithm::HS256),
                &claims,
                &EncodingKey::from_secret(app_secret.as_bytes()),
            )
            .map_err(|e| Error::internal(format!("signing the Jitsi token failed: {e}")))?;
            (
                room.to_owned(),
                format!("{server_url}/external_api.js"),
                Some(token),
            )
        }
        JitsiProvider::Jaas {
            app_id,
            key_id,
            private_key_pem,
        } => {
            // JaaS grants features to moderators only.
            let features = TokenFeatures {
                recording: flag(who.moderator && session.recording_enabled),
                livestreaming: "false",
                transcription: "false",
                outbound_call: "false",
            };
            let claims = RoomClaims {
                iss: "chat",
                aud: "jitsi",
                sub: app_id,
                room,
                iat: now.and_utc().timestamp(),
                nbf: nbf.and_utc().timestamp(),
                exp: exp.and_utc().timestamp(),
                context: TokenContext {
                    user,
                    features: Some(features),
                },
            };
            let mut header = Header::new(Algorithm::RS256);
            header.kid = Some(format!("{app_id}/{key_id}"));
            let key = EncodingKey::from_rsa_pem(private_key_pem.as_bytes())
                .map_err(|e| Error::internal(format!("the JaaS private key is invalid: {e}")))?;
            let token = encode(&header, &claims, &key)
                .map_err(|e| Error::internal(format!("signing the JaaS token failed: {e}")))?;
            (
                format!("{app_id}/{room}"),
                format!("{JAAS_SERVER_URL}/{app_id}/external_api.js"),
                Some(token),
            )
        }
    };
    let has_token = jwt.is_some();
    Ok(JoinSessionData {
        jitsi_room_name: room_name,
        jitsi_domain: domain_of(&server_url).to_owned(),
        jitsi_server_url: server_url,
        user_display_name: who.display_name.clone(),
        user_email: who.email.clone(),
        is_instructor: who.moderator,
        jitsi_script_url: script_url,
        jitsi_provider: settings.provider.name().to_owned(),
        jwt,
        jwt_expires_at: has_token.then(|| utc(exp)),
        session_id: session.id,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domains() {
        assert_eq!(domain_of("https://meet.jit.si"), "meet.jit.si");
        assert_eq!(domain_of("https://meet.example.org/"), "meet.example.org");
        assert_eq!(domain_of("http://localhost:8443/x"), "localhost:8443");
    }
}
