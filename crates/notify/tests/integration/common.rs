//! Fixtures the notify tests share.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use mdsc_core::DbConnection;
use mdsc_core::schema::users;

/// `count` student accounts created at `now`, their ids in order.
pub fn people(conn: &mut DbConnection, now: NaiveDateTime, count: usize) -> Vec<i32> {
    (0..count)
        .map(|n| {
            diesel::insert_into(users::table)
                .values((
                    users::email.eq(format!("user{n}@example.com")),
                    users::password_hash.eq("not-a-login"),
                    users::first_name.eq("First"),
                    users::last_name.eq("Last"),
                    users::role.eq("student"),
                    users::created_at.eq(now),
                    users::updated_at.eq(now),
                ))
                .returning(users::id)
                .get_result(conn)
                .unwrap()
        })
        .collect()
}
