//! Test helpers (feature `testing`): users of any role without going through HTTP.
#![allow(clippy::expect_used)]

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
