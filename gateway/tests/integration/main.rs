//! The integration tests of the gateway, in one test binary: one link
//! instead of one per file keeps the build small (each binary links the whole
//! crate graph statically). Each module is one concern; run one with
//! `cargo test -p mdsc-gateway --test integration <module>::`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod abuse;
mod accounts;
mod catalog;
mod certificate_documents;
mod commands;
mod common;
mod demoted_staff;
mod email;
mod email_verification;
mod errors;
mod forum;
mod journey;
mod live;
mod live_jitsi;
mod methods;
mod notifications;
mod observability;
mod openapi;
mod personal_data;
mod processes;
mod quizzes;
mod ratings;
mod readiness;
mod reminders;
mod roles;
mod roster;
mod round_trips;
mod schedule;
mod stream_access;
mod stream_fanout;
mod streams;
mod unsubscribe_page;
