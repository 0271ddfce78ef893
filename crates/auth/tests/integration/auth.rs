//! Behaviour of the auth service against a real database: registration,
//! login, tokens, the current user, role changes and `create-admin`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fmt::Debug;

use chrono::Duration;
use diesel::prelude::*;
use mdsc_auth::service::{
    authenticate, create_admin, create_user_with_role, find_user, me, set_role,
};
use mdsc_auth::sign_in::{login, register};
use mdsc_auth::{
    AuthLimits, AuthResponse, HashGate, LoginInput, Principal, RegisterInput, Role, SetRoleInput,
    SignIn, TokenKeys, User,
};
use mdsc_core::schema::users;
use mdsc_core::testing::TestDb;
use mdsc_core::{DbPool, Error, ErrorKind, ManualClock, PooledConnection};

pub(crate) const PASSWORD: &str = "correct horse battery";

pub(crate) struct World {
    pub db: TestDb,
    pub pool: DbPool,
    pub conn: PooledConnection,
    pub clock: ManualClock,
    pub keys: TokenKeys,
    pub gate: HashGate,
    pub limits: AuthLimits,
    /// The client address of the next sign-in.
    pub client: Option<std::net::IpAddr>,
}

impl World {
    pub fn new() -> Self {
        let db = TestDb::new();
        let conn = db.conn();
        Self {
            pool: db.pool(),
            db,
            conn,
            clock: ManualClock::starting_at("2026-01-15T10:00:00Z"),
            keys: TokenKeys::from_secret(b"0123456789abcdef0123456789abcdef", Duration::hours(24))
                .unwrap(),
            gate: HashGate::default(),
            limits: AuthLimits::default(),
            client: "192.0.2.1".parse().ok(),
        }
    }

    pub fn ctx(&self) -> SignIn<'_> {
        SignIn {
            keys: &self.keys,
            clock: &self.clock,
            gate: &self.gate,
            limits: &self.limits,
        }
    }

    pub fn register(&mut self, email: &str, password: &str) -> Result<AuthResponse, Error> {
        register(&self.pool, self.ctx(), self.client, input(email, password))
    }

    pub fn login(&mut self, email: &str, password: &str) -> Result<AuthResponse, Error> {
        let input = LoginInput {
            email: email.to_owned(),
            password: password.to_owned(),
        };
        login(&self.pool, self.ctx(), self.client, input)
    }

    fn authenticate(&mut self, token: &str) -> Result<Principal, Error> {
        authenticate(&mut self.conn, &self.keys, &self.clock, token)
    }

    fn user(&mut self, email: &str, role: Role) -> Principal {
        let user = create_user_with_role(&mut self.conn, &self.clock, input(email, PASSWORD), role)
            .unwrap();
        Principal {
            user_id: user.id,
            role: user.role,
        }
    }

    fn set_role(&mut self, actor: &Principal, user_id: i32, role: Role) -> Result<User, Error> {
        set_role(
            &mut self.conn,
            actor,
            &self.clock,
            user_id,
            SetRoleInput { role },
        )
    }

    fn stored_role(&mut self, user_id: i32) -> Role {
        Role::from_db(&find_user(&mut self.conn, user_id).unwrap().unwrap().role)
    }

    fn user_count(&mut self) -> i64 {
        users::table.count().get_result(&mut *self.conn).unwrap()
    }
}

pub(crate) fn input(email: &str, password: &str) -> RegisterInput {
    RegisterInput {
        email: email.to_owned(),
        password: password.to_owned(),
        first_name: " Ada ".to_owned(),
        last_name: "Lovelace".to_owned(),
    }
}

#[track_caller]
fn expect_err<T: Debug>(result: Result<T, Error>, kind: ErrorKind, code: &str) -> Error {
    let err = result.expect_err("expected an error");
    assert_eq!((err.kind, err.code.as_ref()), (kind, code), "{err}");
    err
}

#[track_caller]
fn expect_invalid_field<T: Debug>(result: Result<T, Error>, field: &str) {
    let err = expect_err(result, ErrorKind::Validation, "VALIDATION_ERROR");
    let fields: Vec<_> = err.field_errors.iter().map(|f| f.field.as_str()).collect();
    assert_eq!(fields, [field], "{err}");
}

#[test]
fn registration_creates_a_signed_in_student() {
    let mut w = World::new();
    let response = w.register("  Ada@Example.COM ", PASSWORD).unwrap();
    let user = &response.user;
    assert_eq!(
        user.email, "ada@example.com",
        "stored trimmed and lower-cased"
    );
    assert_eq!(user.role, Role::Student);
    assert_eq!(
        (user.first_name.as_str(), user.last_name.as_str()),
        ("Ada", "Lovelace")
    );
    assert_eq!(user.created_at.to_rfc3339(), "2026-01-15T10:00:00+00:00");

    let principal = w.authenticate(&response.token).unwrap();
    assert_eq!(
        principal,
        Principal {
            user_id: user.id,
            role: Role::Student
        }
    );
    let current = me(&mut w.conn, &principal).unwrap();
    assert_eq!(
        (current.id, current.email.as_str()),
        (user.id, "ada@example.com")
    );
    let stored = find_user(&mut w.conn, user.id).unwrap().unwrap();
    assert!(stored.password_hash.starts_with("$argon2id$"));
    assert_ne!(stored.password_hash, PASSWORD);
}

#[test]
fn an_email_is_taken_whatever_its_case() {
    let mut w = World::new();
    w.register("ada@example.com", PASSWORD).unwrap();
    expect_err(
        w.register("ADA@example.com", "another password"),
        ErrorKind::Conflict,
        "EMAIL_TAKEN",
    );
    expect_err(
        create_user_with_role(
            &mut w.conn,
            &w.clock,
            input(" Ada@Example.com", PASSWORD),
            Role::Instructor,
        ),
        ErrorKind::Conflict,
        "EMAIL_TAKEN",
    );
    assert_eq!(w.user_count(), 1);
}

#[test]
fn a_password_needs_at_least_8_characters() {
    let mut w = World::new();
    expect_invalid_field(w.register("short@example.com", "1234567"), "password");
    assert_eq!(w.user_count(), 0);
    let ok = w.register("eight@example.com", "12345678").unwrap();
    assert_eq!(ok.user.email, "eight@example.com");
    assert_eq!(w.user_count(), 1);
}

#[test]
fn an_invalid_email_or_blank_name_is_refused() {
    let mut w = World::new();
    for email in ["not-an-email", "", "two@@example.com"] {
        expect_invalid_field(w.register(email, PASSWORD), "email");
    }
    let blank_name = RegisterInput {
        first_name: "   ".to_owned(),
        ..input("blank@example.com", PASSWORD)
    };
    expect_invalid_field(
        register(&w.pool, w.ctx(), w.client, blank_name),
        "first_name",
    );
    assert_eq!(w.user_count(), 0);
}

#[test]
fn names_are_one_line_without_control_characters() {
    let mut w = World::new();
    for (n, bad) in [
        "Ada\r\nBcc: x",
        "Ada\nLovelace",
        "Tab\there",
        "Esc\u{1b}[2J",
        "Nul\0",
    ]
    .into_iter()
    .enumerate()
    {
        let first = RegisterInput {
            first_name: bad.to_owned(),
            ..input(&format!("first{n}@example.com"), PASSWORD)
        };
        expect_invalid_field(register(&w.pool, w.ctx(), w.client, first), "first_name");
        let last = RegisterInput {
            last_name: bad.to_owned(),
            ..input(&format!("last{n}@example.com"), PASSWORD)
        };
        expect_invalid_field(register(&w.pool, w.ctx(), w.client, last), "last_name");
    }
    assert_eq!(w.user_count(), 0);
}

#[test]
fn login_accepts_the_email_in_any_case() {
    let mut w = World::new();
    let registered = w.register("ada@example.com", PASSWORD).unwrap();
    let response = w.login(" ADA@Example.com", PASSWORD).unwrap();
    assert_eq!(response.user.id, registered.user.id);
    let principal = w.authenticate(&response.token).unwrap();
    assert_eq!(principal.user_id, registered.user.id);
}

#[test]
fn a_wrong_password_and_an_unknown_email_fail_alike() {
    let mut w = World::new();
    w.register("ada@example.com", PASSWORD).unwrap();
    let wrong_password = expect_err(
        w.login("ada@example.com", "wrong password"),
        ErrorKind::Unauthenticated,
        "INVALID_CREDENTIALS",
    );
    let unknown_email = expect_err(
        w.login("nobody@example.com", PASSWORD),
        ErrorKind::Unauthenticated,
        "INVALID_CREDENTIALS",
    );
    assert_eq!(wrong_password.message, unknown_email.message);
    assert!(wrong_password.field_errors.is_empty() && unknown_email.field_errors.is_empty());
}

#[test]
fn tokens_expire_and_must_be_ours() {
    let mut w = World::new();
    let response = w.register("ada@example.com", PASSWORD).unwrap();
    w.clock.advance(Duration::hours(23));
    assert!(w.authenticate(&response.token).is_ok());
    w.clock.advance(Duration::hours(1));
    expect_err(
        w.authenticate(&response.token),
        ErrorKind::Unauthenticated,
        "INVALID_TOKEN",
    );

    let other_keys =
        TokenKeys::from_secret(b"another-secret-another-secret-xx", Duration::hours(24)).unwrap();
    let forged = other_keys.issue(response.user.id, 0, &w.clock).unwrap();
    expect_err(
        w.authenticate(&forged),
        ErrorKind::Unauthenticated,
        "INVALID_TOKEN",
    );
    expect_err(
        w.authenticate("not.a.token"),
        ErrorKind::Unauthenticated,
        "INVALID_TOKEN",
    );
}

#[test]
fn a_deleted_account_no_longer_authenticates() {
    let mut w = World::new();
    let response = w.register("ada@example.com", PASSWORD).unwrap();
    let principal = w.authenticate(&response.token).unwrap();
    diesel::delete(users::table.find(response.user.id))
        .execute(&mut *w.conn)
        .unwrap();
    expect_err(
        w.authenticate(&response.token),
        ErrorKind::Unauthenticated,
        "INVALID_TOKEN",
    );
    expect_err(
        me(&mut w.conn, &principal),
        ErrorKind::Unauthenticated,
        "UNAUTHENTICATED",
    );
}

/// A role change ends the user's tokens (issue 20): a token issued under
/// the old role is refused at once, and signing in again gives the new one.
#[test]
fn a_role_change_ends_the_users_tokens_and_a_new_sign_in_has_the_new_role() {
    let mut w = World::new();
    let admin = w.user("admin@example.com", Role::Admin);
    let response = w.register("ada@example.com", PASSWORD).unwrap();
    let id = response.user.id;
    assert_eq!(w.authenticate(&response.token).unwrap().role, Role::Student);

    w.clock.advance(Duration::minutes(5));
    let promoted = w.set_role(&admin, id, Role::Instructor).unwrap();
    assert_eq!(promoted.role, Role::Instructor);
    assert_eq!(
        promoted.updated_at.to_rfc3339(),
        "2026-01-15T10:05:00+00:00"
    );
    assert_eq!(promoted.created_at, response.user.created_at);
    expect_err(
        w.authenticate(&response.token),
        ErrorKind::Unauthenticated,
        "INVALID_TOKEN",
    );
    let again = w.login("ada@example.com", PASSWORD).unwrap();
    assert_eq!(
        w.authenticate(&again.token).unwrap(),
        Principal {
            user_id: id,
            role: Role::Instructor
        }
    );

    w.set_role(&admin, id, Role::Student).unwrap();
    assert!(w.authenticate(&again.token).is_err());
    let again = w.login("ada@example.com", PASSWORD).unwrap();
    assert_eq!(w.authenticate(&again.token).unwrap().role, Role::Student);
}

#[test]
fn only_an_admin_changes_roles_and_never_their_own() {
    let mut w = World::new();
    let admin = w.user("admin@example.com", Role::Admin);
    let instructor = w.user("teacher@example.com", Role::Instructor);
    let student = w.user("student@example.com", Role::Student);

    expect_err(
        w.set_role(&student, student.user_id, Role::Admin),
        ErrorKind::Forbidden,
        "FORBIDDEN",
    );
    expect_err(
        w.set_role(&instructor, student.user_id, Role::Instructor),
        ErrorKind::Forbidden,
        "FORBIDDEN",
    );
    assert_eq!(w.stored_role(student.user_id), Role::Student);

    expect_err(
        w.set_role(&admin, admin.user_id, Role::Student),
        ErrorKind::Conflict,
        "OWN_ROLE",
    );
    assert_eq!(w.stored_role(admin.user_id), Role::Admin);

    expect_err(
        w.set_role(&admin, 999_999, Role::Instructor),
        ErrorKind::NotFound,
        "NOT_FOUND",
    );
    let other_admin = w.set_role(&admin, instructor.user_id, Role::Admin).unwrap();
    assert_eq!(other_admin.role, Role::Admin);
    assert_eq!(w.stored_role(instructor.user_id), Role::Admin);
}

#[test]
fn create_admin_creates_a_new_administrator() {
    let mut w = World::new();
    let (user, created) =
        create_admin(&mut w.conn, &w.clock, input("Root@Example.com", PASSWORD)).unwrap();
    assert!(created);
    assert_eq!(user.role, Role::Admin);
    assert_eq!(user.email, "root@example.com");
    let response = w.login("root@example.com", PASSWORD).unwrap();
    assert_eq!(w.authenticate(&response.token).unwrap().role, Role::Admin);

    expect_invalid_field(
        create_admin(&mut w.conn, &w.clock, input("root2@example.com", "short")),
        "password",
    );
    assert_eq!(w.user_count(), 1);
}

#[test]
fn create_admin_promotes_an_existing_account_and_keeps_its_password() {
    let mut w = World::new();
    let existing = w.register("ada@example.com", PASSWORD).unwrap();
    let (user, created) = create_admin(
        &mut w.conn,
        &w.clock,
        input("ADA@example.com", "a brand new password"),
    )
    .unwrap();
    assert!(!created);
    assert_eq!(user.id, existing.user.id);
    assert_eq!(user.role, Role::Admin);
    assert_eq!(w.user_count(), 1);
    assert_eq!(w.stored_role(existing.user.id), Role::Admin);

    assert!(w.login("ada@example.com", PASSWORD).is_ok());
    expect_err(
        w.login("ada@example.com", "a brand new password"),
        ErrorKind::Unauthenticated,
        "INVALID_CREDENTIALS",
    );
}

#[test]
fn create_user_with_role_stores_the_role() {
    let mut w = World::new();
    for (email, role) in [
        ("s@example.com", Role::Student),
        ("i@example.com", Role::Instructor),
        ("a@example.com", Role::Admin),
    ] {
        let principal = w.user(email, role);
        assert_eq!(principal.role, role);
        assert_eq!(w.stored_role(principal.user_id), role);
        let response = w.login(email, PASSWORD).unwrap();
        assert_eq!(response.user.role, role);
    }
}
