//! mdsc-live: live courses on Jitsi Meet (seed §1). Sessions scheduled,
//! started and ended by course staff; joins with attendance and a participant
//! limit that holds under concurrency; the session chat; recordings; Jitsi
//! room names and the join tokens of self-hosted Jitsi and JaaS.

mod access;
pub mod attendance;
pub mod chat;
pub mod dashboard;
pub mod jitsi;
pub mod lifecycle;
pub mod model;
pub mod personal_data;
pub mod recording;
mod render;
pub mod room;
pub mod session;
pub mod settings;
pub mod webhook;

pub use model::{
    JoinSessionData, LiveSession, LiveSessionChatMessage, LiveSessionParticipant, MessageType,
    SessionStatus,
};
pub use settings::{JitsiProvider, LiveSettings};
