//! Users, roles and the authenticated actor.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use mdsc_core::schema::users;
use mdsc_core::time::utc;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Student,
    Instructor,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Student => "student",
            Role::Instructor => "instructor",
            Role::Admin => "admin",
        }
    }

    /// Parses a stored role; an unknown value (impossible under the CHECK
    /// constraint) degrades to the least privileged role.
    pub fn from_db(value: &str) -> Role {
        match value {
            "admin" => Role::Admin,
            "instructor" => Role::Instructor,
            _ => Role::Student,
        }
    }
}

/// Whether an account may be used. A disabled account keeps its data; it
/// cannot sign in and its tokens are refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum AccountStatus {
    Active,
    Disabled,
}

impl AccountStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Disabled => "disabled",
        }
    }

    /// Parses a stored status; anything but `active` (impossible under the
    /// CHECK constraint) counts as disabled.
    pub fn from_db(value: &str) -> Self {
        match value {
            "active" => Self::Active,
            _ => Self::Disabled,
        }
    }
}

/// Who performs an action. Services take it and decide what it may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Principal {
    pub user_id: i32,
    pub role: Role,
}

impl Principal {
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }
    /// Holds the instructor role now (a demoted instructor does not).
    pub fn is_instructor(&self) -> bool {
        self.role == Role::Instructor
    }
    pub fn is_instructor_or_admin(&self) -> bool {
        matches!(self.role, Role::Instructor | Role::Admin)
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = users)]
pub struct UserRow {
    pub id: i32,
    pub email: String,
    pub password_hash: String,
    pub first_name: String,
    pub last_name: String,
    pub avatar: Option<String>,
    pub role: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub token_version: i32,
    pub status: String,
    pub time_zone: Option<String>,
    pub deleted_at: Option<NaiveDateTime>,
    pub search_name: String,
    pub email_verified_at: Option<NaiveDateTime>,
}

/// What `users.search_name` holds: the folded "last first" name, which
/// the course catalog searches (instructors by name; search is word by
/// word, so the order does not matter there) and rosters sort by.
pub fn search_name(first_name: &str, last_name: &str) -> String {
    mdsc_core::search::fold(&format!("{} {}", last_name.trim(), first_name.trim()))
}

impl UserRow {
    pub fn principal(&self) -> Principal {
        Principal {
            user_id: self.id,
            role: Role::from_db(&self.role),
        }
    }
}

/// A user as the API shows it (never the password hash).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct User {
    pub id: i32,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub avatar: Option<String>,
    pub role: Role,
    pub status: AccountStatus,
    /// The default time zone of new study schedules (IANA name); none:
    /// the platform's default.
    pub time_zone: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// When the account was erased at its owner's request (admins' lists
    /// only: an erased account cannot sign in).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deleted_at: Option<DateTime<Utc>>,
    /// The address was verified through the e-mailed link (or the account
    /// was made by an operator). Where `REQUIRE_EMAIL_VERIFICATION` is on,
    /// an account reads but does not post until it is.
    pub email_verified: bool,
}

impl From<UserRow> for User {
    fn from(row: UserRow) -> Self {
        Self {
            role: Role::from_db(&row.role),
            id: row.id,
            email: row.email,
            first_name: row.first_name,
            last_name: row.last_name,
            avatar: row.avatar,
            status: AccountStatus::from_db(&row.status),
            time_zone: row.time_zone,
            created_at: utc(row.created_at),
            updated_at: utc(row.updated_at),
            deleted_at: row.deleted_at.map(utc),
            email_verified: row.email_verified_at.is_some(),
        }
    }
}

/// The short form of a user embedded in other objects (`user`, `instructor`,
/// `last_reply_user`): no e-mail, which other users have no reason to see.
#[derive(Debug, Clone, Serialize, Queryable, Selectable, utoipa::ToSchema)]
#[diesel(table_name = users)]
pub struct UserSummary {
    pub id: i32,
    pub first_name: String,
    pub last_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub avatar: Option<String>,
    /// Present (`true`) when the account was erased at its owner's request:
    /// the names then read "Deleted user" and there is no avatar.
    #[diesel(select_expression = users::deleted_at.is_not_null())]
    #[diesel(select_expression_type = diesel::dsl::IsNotNull<users::deleted_at>)]
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    #[schema(required = false)]
    pub is_deleted: bool,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AuthResponse {
    pub token: String,
    pub user: User,
}
