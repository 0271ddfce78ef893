//! Test helpers (feature `testing`): users of any role without going through HTTP.
#![allow(clippy::expect_used)]

use diesel::prelude::*;
use mdsc_core::schema::users;
use mdsc_core::{Clock, DbConnection};

use crate::{Principal, RegisterInput, Role};

/// Creates user number `n` with `role` (e-mail `{role}{n}@example.com`,
/// names `First{n}` / `Last{n}`) and returns it as an actor.
pub fn create_user(conn: &mut DbConnection, clock: &dyn Clock, role: Role, n: u32) -> Principal {
    let user = crate::service::create_user_with_role(
        conn,
        clock,
        RegisterInput {
            email: format!("{}{n}@example.com", role.as_str()),
            password: "correct horse battery".to_owned(),
            first_name: format!("First{n}"),
            last_name: format!("Last{n}"),
        },
        role,
    )
    .expect("create test user");
    Principal {
        user_id: user.id,
        role: user.role,
    }
}

/// The same user as [`create_user`], inserted directly with a password
/// hash nothing matches (it cannot log in): for tests and benchmarks about
/// something else that need many users fast (hashing is deliberately slow).
pub fn insert_user(conn: &mut DbConnection, clock: &dyn Clock, role: Role, n: u32) -> Principal {
    let now = clock.now();
    let user_id: i32 = diesel::insert_into(users::table)
        .values((
            users::email.eq(format!("{}{n}@example.com", role.as_str())),
            users::password_hash.eq("not-a-login"),
            users::first_name.eq(format!("First{n}")),
            users::last_name.eq(format!("Last{n}")),
            users::search_name.eq(crate::model::search_name(
                &format!("First{n}"),
                &format!("Last{n}"),
            )),
            users::role.eq(role.as_str()),
            users::created_at.eq(now),
            users::updated_at.eq(now),
        ))
        .returning(users::id)
        .get_result(conn)
        .expect("insert test user");
    Principal { user_id, role }
}
