//! The integration tests of mdsc-schedule, in one test binary: one link
//! instead of one per file keeps the build small (each binary links the whole
//! crate graph statically). Each module is one concern; run one with
//! `cargo test -p mdsc-schedule --test integration <module>::`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod concurrency;
mod events;
mod feed;
mod ical;
mod item;
mod links;
mod plan;
mod propagation;
mod replans;
mod schedules;
mod updates;
