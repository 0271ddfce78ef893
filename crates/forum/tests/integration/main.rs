//! The integration tests of mdsc-forum, in one test binary: one link
//! instead of one per file keeps the build small (each binary links the whole
//! crate graph statically). Each module is one concern; run one with
//! `cargo test -p mdsc-forum --test integration <module>::`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod counters;
mod forum;
mod notifications;
mod paging;
mod participants;
mod rate_limit;
mod reactions;
mod replies;
mod reports;
mod search;
mod topics;
