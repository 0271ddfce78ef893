//! The integration tests of mdsc-course, in one test binary: one link
//! instead of one per file keeps the build small (each binary links the whole
//! crate graph statically). Each module is one concern; run one with
//! `cargo test -p mdsc-course --test integration <module>::`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod access;
mod catalog;
mod certificates;
mod common;
mod content_changes;
mod courses;
mod enrollments;
mod progress;
mod quiz_attempts;
mod quiz_common;
mod quiz_questions;
mod structure;
