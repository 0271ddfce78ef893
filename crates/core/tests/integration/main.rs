//! The integration tests of mdsc-core, in one test binary: one link
//! instead of one per file keeps the build small (each binary links the whole
//! crate graph statically). Each module is one concern; run one with
//! `cargo test -p mdsc-core --test integration <module>::`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod db;
mod migration_revert;
mod schema_invariants;
mod throttle;
