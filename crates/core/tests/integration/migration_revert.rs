//! Every migration can be undone: reverting them all, newest first, runs
//! each `down.sql` against the schema its `up.sql` made and leaves no
//! table; applying them again gives the same tables and columns as a
//! fresh database (as Lemmy checks its migrations). On SQLite here, and
//! on PostgreSQL when `TEST_DATABASE_URL` is set.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;

use diesel::prelude::*;
use diesel::sql_types::Text;
use mdsc_core::migrations::{pending_migrations, revert_last_migration, run_pending_migrations};
use mdsc_core::testing::TestDb;
use mdsc_core::{Backend, DbConnection};

#[derive(QueryableByName, Debug, PartialEq, Eq, PartialOrd, Ord, Clone)]
struct Column {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
}

fn columns(conn: &mut DbConnection) -> BTreeSet<Column> {
    let rows = match conn {
        DbConnection::Sqlite(c) => diesel::sql_query(
            "SELECT m.name AS table_name, p.name AS column_name \
             FROM pragma_table_list m, pragma_table_xinfo(m.name) p \
             WHERE m.schema = 'main' AND m.type IN ('table', 'virtual') \
             AND m.name NOT LIKE 'sqlite_%' AND m.name <> '__diesel_schema_migrations'",
        )
        .load::<Column>(c),
        DbConnection::Pg(c) => diesel::sql_query(
            "SELECT table_name::text AS table_name, column_name::text AS column_name \
             FROM information_schema.columns \
             WHERE table_schema = current_schema() AND table_name <> '__diesel_schema_migrations'",
        )
        .load::<Column>(c),
    };
    rows.unwrap().into_iter().collect()
}

fn migration_count(backend: Backend) -> usize {
    let folder = match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../migrations")
        .join(folder);
    std::fs::read_dir(dir)
        .unwrap()
        .filter(|e| e.as_ref().is_ok_and(|e| e.path().join("up.sql").exists()))
        .count()
}

fn check_revert_and_reapply(db: &TestDb) {
    let mut conn = db.conn();
    let fresh = columns(&mut conn);
    let total = migration_count(db.backend());
    let mut reverted = Vec::new();
    for _ in 0..total {
        match revert_last_migration(&mut conn) {
            Ok(version) => reverted.push(version),
            Err(e) => panic!("reverting the migration before {reverted:?} failed: {e}"),
        }
    }
    assert_eq!(pending_migrations(&mut conn).unwrap().len(), total);
    let left: BTreeSet<String> = columns(&mut conn)
        .into_iter()
        .map(|c| c.table_name)
        .collect();
    assert!(
        left.is_empty(),
        "tables left after reverting every migration: {left:?}"
    );
    let applied = run_pending_migrations(&mut conn).unwrap();
    assert_eq!(applied.len(), total);
    assert_eq!(
        columns(&mut conn),
        fresh,
        "applied again, the schema differs"
    );
}

#[test]
fn sqlite_migrations_revert_and_apply_again() {
    check_revert_and_reapply(&TestDb::sqlite());
}

#[test]
fn configured_backend_migrations_revert_and_apply_again() {
    check_revert_and_reapply(&TestDb::new());
}
