//! Administrators over accounts: the paginated list with search and
//! filters, and enabling or disabling an account. A disabled account keeps
//! its data; it cannot sign in and its tokens are refused at once.

use diesel::prelude::*;
use mdsc_core::page::{Page, PageParams};
use mdsc_core::schema::users;
use mdsc_core::search::contains_patterns;
use mdsc_core::total::{bounded_total, count_limit};
use mdsc_core::{Clock, DbConnection, Error, lock_row, write_transaction};
use serde::Deserialize;

use crate::erasure::refuse_if_erased;
use crate::model::{AccountStatus, Principal, Role, User, UserRow};

/// Serializes status changes against each other: on PostgreSQL, the active
/// administrators' rows, locked in id order (no deadlock); SQLite's write
/// transaction already holds the database's one write lock.
/// Active administrators other than `user_id` (the last one is protected:
/// call after [`lock_active_admins`]).
pub(crate) fn other_active_admins(conn: &mut DbConnection, user_id: i32) -> Result<i64, Error> {
    Ok(users::table
        .filter(users::role.eq(Role::Admin.as_str()))
        .filter(users::status.eq(AccountStatus::Active.as_str()))
        .filter(users::id.ne(user_id))
        .count()
        .get_result(conn)?)
}

pub(crate) fn lock_active_admins(conn: &mut DbConnection) -> Result<(), Error> {
    if let DbConnection::Pg(pg) = conn {
        diesel::sql_query(
            "SELECT id FROM users WHERE role = 'admin' AND status = 'active' ORDER BY id FOR UPDATE",
        )
        .execute(pg)?;
    }
    Ok(())
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserListQuery {
    /// Words found in the first name, last name or e-mail (case-insensitive;
    /// the first 100 characters, 5 words).
    pub search: Option<String>,
    pub role: Option<Role>,
    pub status: Option<AccountStatus>,
    /// Page number, from 1 (out-of-range values are clamped).
    pub page: Option<i64>,
    /// Items per page (default 20, at most 100).
    pub limit: Option<i64>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct SetStatusInput {
    pub status: AccountStatus,
}

fn only_admins(actor: &Principal) -> Result<(), Error> {
    if actor.is_admin() {
        Ok(())
    } else {
        Err(Error::forbidden(
            "Only an administrator can manage accounts",
        ))
    }
}

/// Accounts, newest first, for administrators.
pub fn list_users(
    conn: &mut DbConnection,
    actor: &Principal,
    query: UserListQuery,
) -> Result<Page<User>, Error> {
    only_admins(actor)?;
    let request = PageParams {
        page: query.page,
        limit: query.limit,
    }
    .resolve();
    let offset = request.bounded_offset()?;
    let words = contains_patterns(query.search.as_deref());
    let filtered = || {
        let mut q = users::table.into_boxed();
        if let Some(role) = query.role {
            q = q.filter(users::role.eq(role.as_str()));
        }
        if let Some(status) = query.status {
            q = q.filter(users::status.eq(status.as_str()));
        }
        for word in &words {
            q = q.filter(
                users::search_name
                    .like(word.clone())
                    .escape('\\')
                    .or(users::email.like(word.clone()).escape('\\')),
            );
        }
        q
    };
    // Counted up to a bound (see `mdsc_core::total`), in the list's order.
    let counted = filtered()
        .order((users::created_at.desc(), users::id.desc()))
        .select(users::id)
        .limit(count_limit(request))
        .load::<i32>(conn)?
        .len();
    let rows: Vec<UserRow> = filtered()
        .order((users::created_at.desc(), users::id.desc()))
        .limit(request.limit)
        .offset(offset)
        .select(UserRow::as_select())
        .load(conn)?;
    Ok(Page::new(
        rows.into_iter().map(User::from).collect(),
        request,
        bounded_total(counted, request),
    ))
}

/// Enables or disables an account. Disabling ends every token of the
/// account at once (open streams close). An administrator cannot disable
/// themselves, nor the last active administrator (`409`).
pub fn set_status(
    conn: &mut DbConnection,
    actor: &Principal,
    clock: &dyn Clock,
    user_id: i32,
    input: SetStatusInput,
) -> Result<User, Error> {
    only_admins(actor)?;
    if actor.user_id == user_id {
        return Err(Error::conflict(
            "OWN_STATUS",
            "Administrators cannot disable their own account",
        ));
    }
    write_transaction(conn, |conn| {
        lock_active_admins(conn)?;
        lock_row!(conn, users, user_id)?;
        let target: UserRow = users::table
            .find(user_id)
            .select(UserRow::as_select())
            .first(conn)
            .optional()?
            .ok_or_else(|| Error::not_found("User"))?;
        refuse_if_erased(&target)?;
        let disabling = input.status == AccountStatus::Disabled
            && AccountStatus::from_db(&target.status) == AccountStatus::Active;
        if disabling && Role::from_db(&target.role) == Role::Admin {
            // Two administrators disabling each other at once: the second,
            // serialized behind the first by the lock, finds none left.
            if other_active_admins(conn, user_id)? == 0 {
                return Err(Error::conflict(
                    "LAST_ADMIN",
                    "The last active administrator cannot be disabled",
                ));
            }
        }
        let version_bump = i32::from(disabling);
        let row = diesel::update(users::table.find(user_id))
            .set((
                users::status.eq(input.status.as_str()),
                users::token_version.eq(users::token_version + version_bump),
                users::updated_at.eq(clock.now()),
            ))
            .get_result::<UserRow>(conn)?;
        Ok(row.into())
    })
}
