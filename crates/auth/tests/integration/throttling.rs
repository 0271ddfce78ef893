//! Signing in and up under hostile use: failed logins limited per account
//! and per client address (kept in the database), registrations per
//! address, stream tokens per account, and password hashes that hold no
//! database connection.

use std::net::IpAddr;
use std::sync::{Arc, Barrier, mpsc};
use std::time::Duration as StdDuration;

use chrono::Duration;
use mdsc_auth::sign_in::login;
use mdsc_auth::stream_token::issue_stream_token;
use mdsc_auth::{HashGate, HashGateSettings, LoginInput, SignIn};
use mdsc_core::throttle::Limit;
use mdsc_core::{Error, ErrorKind};

use crate::auth::{PASSWORD, World};

fn address(s: &str) -> Option<IpAddr> {
    s.parse().ok()
}

#[track_caller]
fn assert_throttled<T: std::fmt::Debug>(result: Result<T, Error>, code: &str) -> u64 {
    let err = result.expect_err("expected 429");
    assert_eq!(
        (err.kind, err.code.as_ref()),
        (ErrorKind::RateLimited, code),
        "{err}"
    );
    let wait = err.retry_after_secs.expect("Retry-After");
    assert!(wait >= 1, "{err}");
    wait
}

#[track_caller]
fn assert_invalid_credentials<T: std::fmt::Debug>(result: Result<T, Error>) {
    let err = result.expect_err("expected 401");
    assert_eq!(err.code, "INVALID_CREDENTIALS", "{err}");
}

#[test]
fn the_sixth_failure_for_an_account_is_refused_even_with_the_right_password() {
    let mut w = World::new();
    w.register("ada@example.com", PASSWORD).unwrap();
    for _ in 0..5 {
        assert_invalid_credentials(w.login("ada@example.com", "wrong password"));
    }
    let wait = assert_throttled(w.login("ada@example.com", PASSWORD), "TOO_MANY_ATTEMPTS");
    assert!(wait <= 16 * 60, "at most the window and a bucket: {wait}");
    // The same e-mail from another address is the same account.
    w.client = address("198.51.100.7");
    assert_throttled(w.login("ADA@example.com", PASSWORD), "TOO_MANY_ATTEMPTS");
    // Refused attempts do not lengthen the lock: after the window, it opens.
    w.clock.advance(Duration::minutes(30));
    w.login("ada@example.com", PASSWORD).unwrap();
}

#[test]
fn a_success_resets_the_accounts_failures() {
    let mut w = World::new();
    w.register("ada@example.com", PASSWORD).unwrap();
    for _ in 0..4 {
        assert_invalid_credentials(w.login("ada@example.com", "wrong password"));
    }
    w.login("ada@example.com", PASSWORD).unwrap();
    for _ in 0..5 {
        assert_invalid_credentials(w.login("ada@example.com", "wrong password"));
    }
    assert_throttled(w.login("ada@example.com", PASSWORD), "TOO_MANY_ATTEMPTS");
}

#[test]
fn unknown_emails_are_throttled_like_accounts_so_the_answer_tells_nothing() {
    let mut w = World::new();
    for _ in 0..5 {
        assert_invalid_credentials(w.login("nobody@example.com", PASSWORD));
    }
    assert_throttled(w.login("nobody@example.com", PASSWORD), "TOO_MANY_ATTEMPTS");
}

#[test]
fn failures_from_one_address_are_limited_across_accounts() {
    let mut w = World::new();
    w.limits.login_failures_per_address = Limit::new(8, 900);
    w.register("ada@example.com", PASSWORD).unwrap();
    for n in 0..8 {
        assert_invalid_credentials(w.login(&format!("guess{n}@example.com"), PASSWORD));
    }
    assert_throttled(w.login("ada@example.com", PASSWORD), "TOO_MANY_ATTEMPTS");
    // Another address is not affected.
    w.client = address("2001:db8:7::1");
    w.login("ada@example.com", PASSWORD).unwrap();
}

#[test]
fn successes_do_not_count_against_their_address() {
    let mut w = World::new();
    w.limits.login_failures_per_address = Limit::new(3, 900);
    w.register("ada@example.com", PASSWORD).unwrap();
    for _ in 0..10 {
        w.login("ada@example.com", PASSWORD).unwrap();
    }
}

#[test]
fn concurrent_guesses_cannot_pass_the_limit_together() {
    let mut w = World::new();
    w.register("ada@example.com", PASSWORD).unwrap();
    let threads = 12;
    let pool = mdsc_core::build_pool(w.db.url(), threads + 2).unwrap();
    let barrier = Arc::new(Barrier::new(threads as usize));
    let (ctx, client) = (w.ctx(), w.client);
    let outcomes: Vec<Result<_, Error>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                let (pool, barrier) = (pool.clone(), barrier.clone());
                scope.spawn(move || {
                    barrier.wait();
                    let input = LoginInput {
                        email: "ada@example.com".to_owned(),
                        password: "wrong password".to_owned(),
                    };
                    login(&pool, ctx, client, input).map(|_| ())
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let checked = outcomes
        .iter()
        .filter(|o| o.as_ref().is_err_and(|e| e.code == "INVALID_CREDENTIALS"))
        .count();
    let refused = outcomes
        .iter()
        .filter(|o| o.as_ref().is_err_and(|e| e.code == "TOO_MANY_ATTEMPTS"))
        .count();
    assert_eq!(checked, 5, "{outcomes:?}");
    assert_eq!(refused, threads as usize - 5, "{outcomes:?}");
}

#[test]
fn registrations_are_limited_per_address() {
    let mut w = World::new();
    w.limits.registrations_per_address = Limit::new(3, 3600);
    for n in 0..3 {
        w.register(&format!("s{n}@example.com"), PASSWORD).unwrap();
    }
    let wait = assert_throttled(
        w.register("s3@example.com", PASSWORD),
        "TOO_MANY_REGISTRATIONS",
    );
    assert!(wait <= 3600 + 240, "{wait}");
    // A taken address counts as an attempt too (probing for accounts).
    w.client = address("203.0.113.5");
    for _ in 0..3 {
        let err = w.register("s0@example.com", PASSWORD).unwrap_err();
        assert_eq!(err.code, "EMAIL_TAKEN");
    }
    assert_throttled(
        w.register("s9@example.com", PASSWORD),
        "TOO_MANY_REGISTRATIONS",
    );
    w.clock.advance(Duration::hours(2));
    w.register("s9@example.com", PASSWORD).unwrap();
}

#[test]
fn stream_tokens_are_limited_per_account() {
    let mut w = World::new();
    let signed_in = w.register("ada@example.com", PASSWORD).unwrap();
    let user = signed_in.user;
    let actor = mdsc_auth::Principal {
        user_id: user.id,
        role: user.role,
    };
    let parent = w.keys.verify(&signed_in.token, &w.clock).unwrap();
    let limit = Limit::new(3, 60);
    let ttl = Duration::minutes(5);
    for _ in 0..3 {
        issue_stream_token(&mut w.conn, &actor, &parent, &w.keys, &w.clock, ttl, limit).unwrap();
    }
    assert_throttled(
        issue_stream_token(&mut w.conn, &actor, &parent, &w.keys, &w.clock, ttl, limit),
        "RATE_LIMITED",
    );
    w.clock.advance(Duration::minutes(3));
    issue_stream_token(&mut w.conn, &actor, &parent, &w.keys, &w.clock, ttl, limit).unwrap();
}

/// The pool has one connection and the only hasher is taken: a login waiting
/// for the hasher must not hold that connection, so another request gets it.
#[test]
fn a_login_waiting_for_a_hasher_holds_no_database_connection() {
    let mut w = World::new();
    w.register("ada@example.com", PASSWORD).unwrap();
    let pool = mdsc_core::build_pool(w.db.url(), 1).unwrap();
    w.gate = HashGate::new(HashGateSettings {
        permits: 1,
        max_waiting: 4,
        max_wait: StdDuration::from_secs(30),
    });
    let (release, held) = mpsc::channel::<()>();
    let (taken, is_taken) = mpsc::channel::<()>();
    let holder = {
        let gate = w.gate.clone();
        std::thread::spawn(move || {
            gate.run(move || {
                taken.send(()).ok();
                held.recv().ok();
            })
        })
    };
    is_taken.recv().unwrap();
    let (ctx, client): (SignIn<'_>, _) = (w.ctx(), w.client);
    std::thread::scope(|scope| {
        let pool = &pool;
        let login_thread = scope.spawn(move || {
            let input = LoginInput {
                email: "ada@example.com".to_owned(),
                password: PASSWORD.to_owned(),
            };
            login(pool, ctx, client, input)
        });
        // Give the login time to reach the gate, then take the one connection.
        std::thread::sleep(StdDuration::from_millis(300));
        let conn = pool.get_timeout(StdDuration::from_secs(5));
        assert!(conn.is_ok(), "the waiting login held the only connection");
        drop(conn);
        release.send(()).unwrap();
        assert!(login_thread.join().unwrap().is_ok());
    });
    assert!(holder.join().unwrap().is_ok());
}
