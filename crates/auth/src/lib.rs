//! mdsc-auth: users, argon2id password hashing, HS256 API tokens, roles and
//! the `Principal` every service takes as its actor.

pub mod account;
pub mod admin_users;
pub mod email_verification;
pub mod erasure;
pub mod hash_gate;
pub mod limits;
pub mod model;
pub mod password;
pub mod password_reset;
pub mod service;
pub mod sign_in;
pub mod stream_token;
pub mod token;

#[cfg(feature = "testing")]
pub mod testing;

pub use hash_gate::{HashGate, HashGateSettings};
pub use limits::AuthLimits;
pub use model::{AccountStatus, AuthResponse, Principal, Role, User, UserRow, UserSummary};
pub use service::{LoginInput, RegisterInput, SetRoleInput};
pub use sign_in::SignIn;
pub use stream_token::StreamToken;
pub use token::{DEFAULT_TOKEN_TTL_HOURS, TokenClaim, TokenKeys};
