//! Schema invariants: both migration folders produce the same tables and
//! columns (each is compared with one snapshot, `schema_columns.txt`), and
//! every foreign key has an index that starts with it.
//!
//! Set `UPDATE_SCHEMA_SNAPSHOT=1` to rewrite the snapshot after a migration.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;

use diesel::prelude::*;
use diesel::sql_types::Text;
use mdsc_core::testing::TestDb;
use mdsc_core::{Backend, DbConnection};

#[derive(QueryableByName, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct TableColumn {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
}

// Ordinary tables only: a full-text index (an FTS5 virtual table and the
// shadow tables it stores itself in) is SQLite's counterpart of an index on
// PostgreSQL, not part of the schema both backends share. `table_xinfo`
// also lists generated columns, which `table_info` leaves out.
const SQLITE_COLUMNS: &str = "SELECT m.name AS table_name, p.name AS column_name \
     FROM pragma_table_list m, pragma_table_xinfo(m.name) p \
     WHERE m.schema = 'main' AND m.type = 'table' AND m.name NOT LIKE 'sqlite_%' \
     AND m.name <> '__diesel_schema_migrations'";
const PG_COLUMNS: &str = "SELECT table_name::text AS table_name, column_name::text AS column_name \
     FROM information_schema.columns \
     WHERE table_schema = current_schema() AND table_name <> '__diesel_schema_migrations'";

const SQLITE_FOREIGN_KEYS: &str = "SELECT m.name AS table_name, f.\"from\" AS column_name \
     FROM sqlite_master m, pragma_foreign_key_list(m.name) f WHERE m.type = 'table'";
const PG_FOREIGN_KEYS: &str = "SELECT cl.relname::text AS table_name, a.attname::text AS column_name \
     FROM pg_constraint c \
     JOIN pg_class cl ON cl.oid = c.conrelid \
     JOIN pg_namespace n ON n.oid = cl.relnamespace \
     JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] \
     WHERE c.contype = 'f' AND n.nspname = current_schema()";

// Leading column of every full (non-partial) index.
const SQLITE_INDEX_HEADS: &str = "SELECT m.name AS table_name, ii.name AS column_name \
     FROM sqlite_master m, pragma_index_list(m.name) il, pragma_index_info(il.name) ii \
     WHERE m.type = 'table' AND il.partial = 0 AND ii.seqno = 0";
const PG_INDEX_HEADS: &str = "SELECT cl.relname::text AS table_name, a.attname::text AS column_name \
     FROM pg_index i \
     JOIN pg_class cl ON cl.oid = i.indrelid \
     JOIN pg_namespace n ON n.oid = cl.relnamespace \
     JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0] \
     WHERE n.nspname = current_schema() AND i.indpred IS NULL";

fn query(conn: &mut DbConnection, sqlite: &str, pg: &str) -> BTreeSet<TableColumn> {
    let rows = match conn {
        DbConnection::Sqlite(c) => diesel::sql_query(sqlite).load::<TableColumn>(c),
        DbConnection::Pg(c) => diesel::sql_query(pg).load::<TableColumn>(c),
    };
    rows.expect("catalog query").into_iter().collect()
}

fn snapshot_path() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schema_columns.txt")
}

fn check_columns_match_snapshot(db: &TestDb) {
    let columns = query(&mut db.conn(), SQLITE_COLUMNS, PG_COLUMNS);
    let rendered: String = columns
        .iter()
        .map(|c| format!("{}.{}\n", c.table_name, c.column_name))
        .collect();
    if std::env::var("UPDATE_SCHEMA_SNAPSHOT").is_ok() {
        std::fs::write(snapshot_path(), &rendered).expect("write snapshot");
    }
    let expected = std::fs::read_to_string(snapshot_path()).expect("read snapshot");
    assert_eq!(
        rendered,
        expected,
        "{:?} migrations differ from tests/schema_columns.txt",
        db.backend()
    );
}

fn check_foreign_keys_indexed(db: &TestDb) {
    let mut conn = db.conn();
    let foreign_keys = query(&mut conn, SQLITE_FOREIGN_KEYS, PG_FOREIGN_KEYS);
    let index_heads = query(&mut conn, SQLITE_INDEX_HEADS, PG_INDEX_HEADS);
    assert!(!foreign_keys.is_empty(), "the schema has foreign keys");
    let unindexed: Vec<_> = foreign_keys.difference(&index_heads).collect();
    assert!(
        unindexed.is_empty(),
        "{:?}: foreign keys without an index: {unindexed:?}",
        db.backend()
    );
}

#[test]
fn sqlite_migrations_produce_the_snapshot_columns() {
    check_columns_match_snapshot(&TestDb::sqlite());
}

#[test]
fn configured_backend_migrations_produce_the_snapshot_columns() {
    // On the PostgreSQL pass this checks migrations/postgres against the
    // same snapshot that migrations/sqlite matches above.
    check_columns_match_snapshot(&TestDb::new());
}

#[test]
fn sqlite_foreign_keys_are_indexed() {
    check_foreign_keys_indexed(&TestDb::sqlite());
}

#[test]
fn configured_backend_foreign_keys_are_indexed() {
    check_foreign_keys_indexed(&TestDb::new());
}

#[test]
fn test_database_uses_the_configured_backend() {
    let expected = match std::env::var("TEST_DATABASE_URL") {
        Ok(url) if !url.trim().is_empty() => Backend::Postgres,
        _ => Backend::Sqlite,
    };
    assert_eq!(TestDb::new().backend(), expected);
}
