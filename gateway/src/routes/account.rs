//! The signed-in user's own account (`/api/auth/…`): profile, logout,
//! password change, and the forgotten-password links.

use actix_web::web::Data;
use actix_web::{delete, get, post, put};
use mdsc_auth::account::{self, ChangePasswordInput, UpdateProfileInput};
use mdsc_auth::email_verification::{self, VerifyEmailInput};
use mdsc_auth::erasure::{self, EraseAccountInput};
use mdsc_auth::password_reset::{self, ForgotPasswordInput, ResetPasswordInput};
use mdsc_auth::{AuthResponse, Principal, User};
use mdsc_core::{DbConnection, Error, write_transaction};
use mdsc_notify::language::{self, NotificationSettingsUpdate};
use serde::{Deserialize, Serialize};

use crate::envelope::{Envelope, accepted, ok};
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{Auth, ClientAddress};
use crate::json_input::Json;
use crate::state::AppState;

/// The user as they see themselves: the account and their language.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Profile {
    #[serde(flatten)]
    pub user: User,
    /// `fr` or `en`: the language of notifications and e-mails.
    #[schema(schema_with = mdsc_notify::locale::locale_schema)]
    pub language: String,
}

pub(crate) fn profile(
    conn: &mut DbConnection,
    actor: &Principal,
    user: User,
) -> Result<Profile, Error> {
    Ok(Profile {
        user,
        language: language::get_settings(conn, actor)?.locale,
    })
}

/// The signed-in user.
#[utoipa::path(operation_id = "getCurrentUser", tag = "auth", security(("bearer" = [])), responses(
    (status = 200, body = Envelope<Profile>)))]
#[get("/auth/me")]
pub async fn me(state: Data<AppState>, auth: Auth) -> ApiResult {
    let data = state
        .db_as(auth, move |conn, _, actor| {
            let user = mdsc_auth::service::me(conn, actor)?;
            profile(conn, actor, user)
        })
        .await?;
    Ok(ok(data))
}

/// `PUT /api/auth/me`: what is given changes, what is absent stays; `null`
/// clears the avatar or the time zone. Declared field by field (not as a
/// flattened `UpdateProfileInput`) so the document has one plain object.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct UpdateMeInput {
    #[schema(min_length = 1, max_length = 100)]
    pub first_name: Option<String>,
    #[schema(min_length = 1, max_length = 100)]
    pub last_name: Option<String>,
    /// An `https://` (or `http://`) image URL; `null` removes it.
    #[serde(default, deserialize_with = "mdsc_core::text::double_option")]
    #[schema(value_type = Option<String>, max_length = 2048)]
    pub avatar: Option<Option<String>>,
    /// An IANA time zone (`Europe/Paris`): the default of new study
    /// schedules; `null` returns to the platform's default.
    #[serde(default, deserialize_with = "mdsc_core::text::double_option")]
    #[schema(value_type = Option<String>, max_length = 64, example = "Europe/Paris")]
    pub time_zone: Option<Option<String>>,
    /// `fr` or `en`: the language of notifications and e-mails.
    #[serde(default, deserialize_with = "mdsc_core::text::double_option")]
    #[schema(schema_with = mdsc_notify::locale::locale_schema)]
    pub language: Option<Option<String>>,
}

impl UpdateMeInput {
    /// The account's part (checked by `update_profile`).
    fn profile(&self) -> UpdateProfileInput {
        UpdateProfileInput {
            first_name: self.first_name.clone(),
            last_name: self.last_name.clone(),
            avatar: self.avatar.clone(),
            time_zone: self.time_zone.clone(),
        }
    }
}

/// Change one's own profile: names, avatar URL, time zone (the default of
/// new study schedules) and language. Absent fields stay as they are.
#[utoipa::path(operation_id = "updateCurrentUser", tag = "auth", security(("bearer" = [])), request_body = UpdateMeInput, responses(
    (status = 200, body = Envelope<Profile>)))]
#[put("/auth/me")]
pub async fn update_me(state: Data<AppState>, auth: Auth, body: Json<UpdateMeInput>) -> ApiResult {
    let input = body.into_inner();
    let data = state
        .db_as(auth, move |conn, st, actor| {
            write_transaction(conn, |conn| {
                let user = account::update_profile(conn, actor, st.clock().now(), input.profile())?;
                if let Some(locale) = input.language {
                    let locale = locale.ok_or_else(|| {
                        Error::invalid_field("language", "must be fr or en, not null")
                    })?;
                    language::update_settings(
                        conn,
                        actor,
                        st.clock(),
                        NotificationSettingsUpdate { locale },
                    )
                    .map_err(|e| rename_field(e, "locale", "language"))?;
                }
                profile(conn, actor, user)
            })
        })
        .await?;
    Ok(ok(data))
}

/// Everything the platform holds about the caller, as one JSON document
/// (GDPR right of access): profile, enrollments and progress, quiz
/// attempts, certificates, ratings, forum posts and votes, live-session
/// attendance and chat messages, schedules, notifications and preferences.
#[utoipa::path(operation_id = "exportPersonalData", tag = "auth", security(("bearer" = [])), responses(
    (status = 200, body = Envelope<crate::personal_data::PersonalDataExport>),
    (status = 429, description = "TOO_MANY_EXPORTS (5 an hour), with Retry-After", body = ErrorBody)))]
#[get("/auth/me/export")]
pub async fn export_personal_data(state: Data<AppState>, auth: Auth) -> ApiResult {
    let data = state
        .db_as(auth, move |conn, st, actor| {
            crate::personal_data::export(conn, st, actor)
        })
        .await?;
    Ok(ok(data))
}

/// Erase one's account (GDPR right to erasure), confirmed by its password.
/// E-mail, names and avatar are removed (the address may register again);
/// forum posts and chat messages stay, shown as from a deleted user;
/// ratings are removed (statistics follow); schedules, calendar links,
/// notifications, preferences and follows are deleted; enrollments and
/// certificates stay without a name (certificates remain verifiable).
/// Every token ends. `docs/operations.md` lists what is kept and why.
#[utoipa::path(operation_id = "eraseCurrentUser", tag = "auth", security(("bearer" = [])), request_body = EraseAccountInput, responses(
    (status = 200, description = "Erased: `data` is null", body = crate::routes::Deleted),
    (status = 409, description = "LAST_ADMIN: the last active administrator", body = ErrorBody),
    (status = 422, description = "VALIDATION_ERROR: `password` is wrong", body = ErrorBody),
    (status = 429, description = "TOO_MANY_ATTEMPTS, with Retry-After", body = ErrorBody),
    (status = 503, description = "SERVER_BUSY: every password hasher is busy, with Retry-After", body = ErrorBody)))]
#[delete("/auth/me")]
pub async fn erase_me(
    state: Data<AppState>,
    auth: Auth,
    body: Json<EraseAccountInput>,
) -> ApiResult {
    let input = body.into_inner();
    let actor = state.db_as(auth, |_, _, actor| Ok(*actor)).await?;
    state
        .blocking(move |st| erasure::confirm_password(&st.pool, st.sign_in(), &actor, input))
        .await?;
    state
        .db(move |conn, st| crate::personal_data::erase(conn, st, &actor))
        .await?;
    Ok(crate::envelope::deleted())
}

/// Issues a verification link for the account and queues its e-mail, in
/// one transaction; nothing when the address is verified already.
pub(crate) fn send_verification_link(
    conn: &mut DbConnection,
    st: &AppState,
    user_id: i32,
) -> Result<(), Error> {
    write_transaction(conn, |conn| {
        if let Some(link) = email_verification::issue_link(conn, st.clock(), user_id)? {
            mdsc_notify::email::queue_email_verification(
                conn,
                link.user_id,
                &link.token,
                link.expires_at,
                st.clock().now(),
            )?;
        }
        Ok(())
    })
}

/// Confirm one's e-mail address with the token of the e-mailed link
/// (`{APP_URL}/verify-email?token=…`). Single-use, valid 48 hours.
#[utoipa::path(operation_id = "verifyEmail", tag = "auth", request_body = VerifyEmailInput, responses(
    (status = 200, body = Envelope<User>),
    (status = 422, description = "INVALID_VERIFICATION_TOKEN: unknown, used or expired", body = ErrorBody),
    (status = 429, description = "TOO_MANY_ATTEMPTS (per client address), with Retry-After", body = ErrorBody)))]
#[post("/auth/verify-email")]
pub async fn verify_email(
    state: Data<AppState>,
    client: ClientAddress,
    body: Json<VerifyEmailInput>,
) -> ApiResult {
    let input = body.into_inner();
    let data = state
        .db(move |conn, st| {
            email_verification::verify_email(
                conn,
                st.clock(),
                &st.config.limits.auth,
                client.0,
                input,
            )
        })
        .await?;
    Ok(ok(data))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct VerificationRequested {
    /// `true` when a link was sent; `false` when the address is verified
    /// already.
    pub sent: bool,
}

/// E-mail a new verification link (the previous ones keep working until
/// they expire). At most 3 an hour per account.
#[utoipa::path(operation_id = "resendEmailVerification", tag = "auth", security(("bearer" = [])), responses(
    (status = 202, body = Envelope<VerificationRequested>),
    (status = 429, description = "TOO_MANY_ATTEMPTS, with Retry-After", body = ErrorBody)))]
#[post("/auth/resend-verification")]
pub async fn resend_verification(state: Data<AppState>, auth: Auth) -> ApiResult {
    let data = state
        .db_as(auth, move |conn, st, actor| {
            let verified = mdsc_auth::service::me(conn, actor)?.email_verified;
            if !verified {
                send_verification_link(conn, st, actor.user_id)?;
            }
            Ok(VerificationRequested { sent: !verified })
        })
        .await?;
    Ok(accepted(data))
}

/// The notification settings call the language `locale`; here it is
/// `language`.
fn rename_field(mut err: Error, from: &str, to: &str) -> Error {
    for field in &mut err.field_errors {
        if field.field == from {
            field.field = to.to_owned();
        }
    }
    err
}

/// Sign out: ends the token this request carries (and the stream tokens
/// taken with it; open streams close). Other devices stay signed in.
#[utoipa::path(operation_id = "logout", tag = "auth", security(("bearer" = [])), responses(
    (status = 200, description = "Signed out: `data` is null", body = crate::routes::Deleted)))]
#[post("/auth/logout")]
pub async fn logout(state: Data<AppState>, auth: Auth) -> ApiResult {
    state
        .db_as_token(auth, move |conn, _, _, claim| account::logout(conn, claim))
        .await?;
    Ok(crate::envelope::deleted())
}

/// Change one's password. Every other token of the account ends (other
/// devices are signed out, open streams close); the answer carries a new
/// token for this device. Wrong current passwords count like failed logins.
#[utoipa::path(operation_id = "changePassword", tag = "auth", security(("bearer" = [])), request_body = ChangePasswordInput, responses(
    (status = 200, body = Envelope<AuthResponse>),
    (status = 422, description = "VALIDATION_ERROR: `current_password` is wrong, or `new_password` too short", body = ErrorBody),
    (status = 429, description = "TOO_MANY_ATTEMPTS, with Retry-After", body = ErrorBody),
    (status = 503, description = "SERVER_BUSY: every password hasher is busy, with Retry-After", body = ErrorBody)))]
#[post("/auth/change-password")]
pub async fn change_password(
    state: Data<AppState>,
    auth: Auth,
    body: Json<ChangePasswordInput>,
) -> ApiResult {
    let input = body.into_inner();
    // The actor is read first (a disabled account or an ended token stops
    // here); the hashes then run without holding a connection.
    let actor = state.db_as(auth, |_, _, actor| Ok(*actor)).await?;
    let data = state
        .blocking(move |st| account::change_password(&st.pool, st.sign_in(), &actor, input))
        .await?;
    Ok(ok(data))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ResetRequested {
    /// Always the same, whether or not the address has an account.
    pub message: &'static str,
}

/// Ask for a password reset link. Always `202`, whether or not the address
/// has an account; if it has one, a link valid one hour is e-mailed.
#[utoipa::path(operation_id = "forgotPassword", tag = "auth", request_body = ForgotPasswordInput, responses(
    (status = 202, body = Envelope<ResetRequested>),
    (status = 429, description = "TOO_MANY_ATTEMPTS (per client address), with Retry-After", body = ErrorBody)))]
#[post("/auth/forgot-password")]
pub async fn forgot_password(
    state: Data<AppState>,
    client: ClientAddress,
    body: Json<ForgotPasswordInput>,
) -> ApiResult {
    let input = body.into_inner();
    state
        .db(move |conn, st| {
            write_transaction(conn, |conn| {
                let link = password_reset::request_reset(
                    conn,
                    st.clock(),
                    &st.config.limits.auth,
                    client.0,
                    &input,
                )?;
                if let Some(link) = link {
                    mdsc_notify::email::queue_password_reset(
                        conn,
                        link.user_id,
                        &link.token,
                        link.expires_at,
                        st.clock().now(),
                    )?;
                }
                Ok(())
            })
        })
        .await?;
    Ok(accepted(ResetRequested {
        message: "If an account has this e-mail, a link to reset its password was sent to it",
    }))
}

/// Set a new password with the token of an e-mailed link (once, within the
/// hour). Every token of the account issued before ends; the answer signs
/// this device in.
#[utoipa::path(operation_id = "resetPassword", tag = "auth", request_body = ResetPasswordInput, responses(
    (status = 200, body = Envelope<AuthResponse>),
    (status = 422, description = "INVALID_RESET_TOKEN: unknown, used or expired; or VALIDATION_ERROR", body = ErrorBody),
    (status = 429, description = "TOO_MANY_ATTEMPTS (per client address), with Retry-After", body = ErrorBody),
    (status = 503, description = "SERVER_BUSY: every password hasher is busy, with Retry-After", body = ErrorBody)))]
#[post("/auth/reset-password")]
pub async fn reset_password(
    state: Data<AppState>,
    client: ClientAddress,
    body: Json<ResetPasswordInput>,
) -> ApiResult {
    let input = body.into_inner();
    let data = state
        .blocking(move |st| password_reset::reset_password(&st.pool, st.sign_in(), client.0, input))
        .await?;
    Ok(ok(data))
}
