//! The integration tests of mdsc-notify, in one test binary: one link
//! instead of one per file keeps the build small (each binary links the whole
//! crate graph statically). Each module is one concern; run one with
//! `cargo test -p mdsc-notify --test integration <module>::`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod counters;
mod deliver;
mod email;
mod withdraw;
