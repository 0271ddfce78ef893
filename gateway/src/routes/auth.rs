//! /api/auth and /api/admin/users.

use actix_web::web::{Data, Json, Path};
use actix_web::{get, post, put};
use mdsc_auth::service::{self, LoginInput, RegisterInput, SetRoleInput};
use mdsc_auth::{AuthResponse, User};

use crate::envelope::{Envelope, created, ok};
use crate::error::{ApiResult, ErrorBody};
use crate::extract::Auth;
use crate::state::AppState;

/// Create a student account and sign in.
#[utoipa::path(tag = "auth", request_body = RegisterInput, responses(
    (status = 201, body = Envelope<AuthResponse>),
    (status = 409, description = "EMAIL_TAKEN", body = ErrorBody),
    (status = 422, body = ErrorBody)))]
#[post("/auth/register")]
pub async fn register(state: Data<AppState>, body: Json<RegisterInput>) -> ApiResult {
    let input = body.into_inner();
    let data = state
        .db(move |conn, st| service::register(conn, &st.keys, st.clock(), input))
        .await?;
    Ok(created(data))
}

/// Sign in. The same 401 answers an unknown e-mail and a wrong password.
#[utoipa::path(tag = "auth", request_body = LoginInput, responses(
    (status = 200, body = Envelope<AuthResponse>),
    (status = 401, description = "INVALID_CREDENTIALS", body = ErrorBody)))]
#[post("/auth/login")]
pub async fn login(state: Data<AppState>, body: Json<LoginInput>) -> ApiResult {
    let input = body.into_inner();
    let data = state
        .db(move |conn, st| service::login(conn, &st.keys, st.clock(), input))
        .await?;
    Ok(ok(data))
}

/// The signed-in user.
#[utoipa::path(tag = "auth", security(("bearer" = [])), responses(
    (status = 200, body = Envelope<User>),
    (status = 401, body = ErrorBody)))]
#[get("/auth/me")]
pub async fn me(state: Data<AppState>, auth: Auth) -> ApiResult {
    let data = state.db(move |conn, _| service::me(conn, &auth.0)).await?;
    Ok(ok(data))
}

/// Change a user's role (admins only, not their own).
#[utoipa::path(tag = "admin", security(("bearer" = [])), request_body = SetRoleInput,
    params(("id" = i32, Path, description = "User id")),
    responses(
        (status = 200, body = Envelope<User>),
        (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
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
        .db(move |conn, st| service::set_role(conn, &auth.0, st.clock(), id, input))
        .await?;
    Ok(ok(data))
}
