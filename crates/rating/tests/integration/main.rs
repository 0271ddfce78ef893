//! The integration tests of mdsc-rating, in one test binary: one link
//! instead of one per file keeps the build small (each binary links the whole
//! crate graph statically). Each module is one concern; run one with
//! `cargo test -p mdsc-rating --test integration <module>::`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod create;
mod helpful;
mod listing;
mod moderation;
mod prompt;
mod response;
mod stats;
mod visibility;
mod write_limit;
