//! Signing up and in (`/api/auth/register`, `/api/auth/login`), and
//! administrators over accounts (`/api/admin/users…`).

use actix_web::web::{Data, Path, Query};
use actix_web::{get, post, put};
use mdsc_auth::admin_users::{self, SetStatusInput, UserListQuery};
use mdsc_auth::service::{self, LoginInput, RegisterInput, SetRoleInput};
use mdsc_auth::sign_in;
use mdsc_auth::{AuthResponse, User};
use mdsc_core::page::Page;

use crate::envelope::{Envelope, created, ok};
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{Auth, ClientAddress};
use crate::json_input::Json;
use crate::state::AppState;

/// Create a student account and sign in.
///
/// At most `REGISTRATIONS_PER_ADDRESS_PER_HOUR` (default 10) per client address.
/// Where `REQUIRE_EMAIL_VERIFICATION` is on, a verification link is
/// e-mailed; the account reads but posts nothing until it is used.
#[utoipa::path(operation_id = "register", tag = "auth", request_body = RegisterInput, responses(
    (status = 201, body = Envelope<AuthResponse>),
    (status = 409, description = "EMAIL_TAKEN", body = ErrorBody),
    (status = 429, description = "TOO_MANY_REGISTRATIONS, with Retry-After", body = ErrorBody),
    (status = 503, description = "SERVER_BUSY: every password hasher is busy, with Retry-After", body = ErrorBody)))]
#[post("/auth/register")]
pub async fn register(
    state: Data<AppState>,
    client: ClientAddress,
    body: Json<RegisterInput>,
) -> ApiResult {
    let input = body.into_inner();
    let data = state
        .blocking(move |st| sign_in::register(&st.pool, st.sign_in(), client.0, input))
        .await?;
    if state.config.require_email_verification {
        // The account exists whatever happens here: a link that could not
        // be queued is asked for again (`resendEmailVerification`).
        let user_id = data.user.id;
        state
            .db(move |conn, st| crate::routes::account::send_verification_link(conn, st, user_id))
            .await?;
    }
    Ok(created(data))
}

/// Sign in. The same 401 answers an unknown e-mail and a wrong password.
///
/// After `LOGIN_MAX_FAILURES_PER_ACCOUNT` (default 5) failures for one
/// e-mail, or `LOGIN_MAX_FAILURES_PER_ADDRESS` (default 50) from one client
/// address, in 15 minutes: `429 TOO_MANY_ATTEMPTS` with `Retry-After`. A
/// success resets the e-mail's count.
#[utoipa::path(operation_id = "login", tag = "auth", request_body = LoginInput, responses(
    (status = 200, body = Envelope<AuthResponse>),
    (status = 401, description = "INVALID_CREDENTIALS", body = ErrorBody),
    (status = 429, description = "TOO_MANY_ATTEMPTS, with Retry-After", body = ErrorBody),
    (status = 503, description = "SERVER_BUSY: every password hasher is busy, with Retry-After", body = ErrorBody)))]
#[post("/auth/login")]
pub async fn login(
    state: Data<AppState>,
    client: ClientAddress,
    body: Json<LoginInput>,
) -> ApiResult {
    let input = body.into_inner();
    let data = state
        .blocking(move |st| sign_in::login(&st.pool, st.sign_in(), client.0, input))
        .await?;
    Ok(ok(data))
}

/// Change a user's role (admins only, not their own). The user's tokens
/// end: they sign in again under the new role.
#[utoipa::path(operation_id = "setUserRole", tag = "admin", security(("bearer" = [])), request_body = SetRoleInput,
    params(("id" = i32, Path, description = "User id")),
    responses(
        (status = 200, body = Envelope<User>),
        (status = 403, body = ErrorBody),
        (status = 409, description = "OWN_ROLE", body = ErrorBody)))]
#[put("/admin/users/{id}/role")]
pub async fn set_role(
    state: Data<AppState>,
    auth: Auth,
    id: Path<i32>,
    body: Json<SetRoleInput>,
) -> ApiResult {
    let (id, input) = (id.into_inner(), body.into_inner());
    let data = state
        .db_as(auth, move |conn, st, actor| {
            service::set_role(conn, actor, st.clock(), id, input)
        })
        .await?;
    Ok(ok(data))
}

/// Accounts, newest first (admins only): search by name or e-mail, filter
/// by role and status.
#[utoipa::path(operation_id = "listUsers", tag = "admin", security(("bearer" = [])), params(UserListQuery),
    responses((status = 200, body = Envelope<Page<User>>), (status = 403, body = ErrorBody)))]
#[get("/admin/users")]
pub async fn list_users(
    state: Data<AppState>,
    auth: Auth,
    query: Query<UserListQuery>,
) -> ApiResult {
    let query = query.into_inner();
    let data = state
        .db_as(auth, move |conn, _, actor| {
            admin_users::list_users(conn, actor, query)
        })
        .await?;
    Ok(ok(data))
}

/// Enable or disable an account (admins only). A disabled account keeps
/// its data, cannot sign in, and its tokens are refused at once.
#[utoipa::path(operation_id = "setUserStatus", tag = "admin", security(("bearer" = [])), request_body = SetStatusInput,
    params(("id" = i32, Path, description = "User id")),
    responses(
        (status = 200, body = Envelope<User>),
        (status = 403, body = ErrorBody),
        (status = 409, description = "OWN_STATUS (not one's own account) or LAST_ADMIN (the last active administrator)", body = ErrorBody)))]
#[put("/admin/users/{id}/status")]
pub async fn set_status(
    state: Data<AppState>,
    auth: Auth,
    id: Path<i32>,
    body: Json<SetStatusInput>,
) -> ApiResult {
    let (id, input) = (id.into_inner(), body.into_inner());
    let data = state
        .db_as(auth, move |conn, st, actor| {
            admin_users::set_status(conn, actor, st.clock(), id, input)
        })
        .await?;
    Ok(ok(data))
}
