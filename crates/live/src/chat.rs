//! The session chat: participants and staff post; members poll it in order
//! with `after_id`; staff pin messages.

use std::collections::HashMap;

use diesel::prelude::*;
use mdsc_auth::{Principal, UserSummary};
use mdsc_core::schema::{live_session_chat, users};
use mdsc_core::text::{validate_multi_line, validate_not_blank};
use mdsc_core::throttle::{self, Limit, Refusal, user_subject};
use mdsc_core::time::utc;
use mdsc_core::{Clock, DbConnection, Error, write_transaction};
use serde::Deserialize;
use validator::Validate;

use crate::access::{session_member, session_staff};
use crate::attendance::find_participant;
use crate::model::{ChatRow, LiveSessionChatMessage, MessageType, SessionStatus};
use crate::settings::LiveSettings;

pub const DEFAULT_CHAT_LIMIT: i64 = 100;
pub const MAX_CHAT_LIMIT: i64 = 200;

#[derive(Debug, Clone, Deserialize, Validate, utoipa::ToSchema)]
pub struct ChatInput {
    /// 1 to 2000 characters.
    #[validate(length(min = 1, max = 2000), custom(function = validate_not_blank), custom(function = validate_multi_line))]
    #[schema(
        min_length = 1,
        max_length = 2000,
        pattern = "^(?:[^\\u0000-\\u0008\\u000B-\\u001F\\u007F-\\u009F]|\\r\\n)*[^\\u0000-\\u0020\\u007F-\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000](?:[^\\u0000-\\u0008\\u000B-\\u001F\\u007F-\\u009F]|\\r\\n)*$"
    )]
    pub message: String,
    /// `message` (default), `question` or `answer`.
    pub message_type: Option<MessageType>,
}

#[derive(Debug, Clone, Copy, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ChatQuery {
    /// Only messages after this id (polling). Without it, the latest messages.
    pub after_id: Option<i32>,
    /// At most this many messages (default 100, at most 200).
    pub limit: Option<i64>,
}

/// `{"value": true}` pins, `false` unpins; no body toggles.
#[derive(Debug, Clone, Copy, Default, Deserialize, utoipa::ToSchema)]
pub struct PinInput {
    pub value: Option<bool>,
}

/// Posts a message: staff at any time before the end, students once they
/// have joined the session; at most `chat_messages_per_minute` per user
/// (`429 RATE_LIMITED`).
pub fn post_message(
    conn: &mut DbConnection,
    actor: &Principal,
    clock: &dyn Clock,
    settings: &LiveSettings,
    session_id: i32,
    input: ChatInput,
) -> Result<LiveSessionChatMessage, Error> {
    let (session, _, is_staff) = session_member(conn, actor, session_id)?;
    if !is_staff && find_participant(conn, session_id, actor.user_id)?.is_none() {
        return Err(
            Error::forbidden("Join the session to take part in its chat")
                .with_code("NOT_A_PARTICIPANT"),
        );
    }
    input.validate()?;
    match session.status()? {
        SessionStatus::Ended => {
            return Err(Error::conflict(
                "SESSION_ENDED",
                "The chat of an ended session is closed",
            ));
        }
        SessionStatus::Cancelled => {
            return Err(Error::conflict(
                "SESSION_CANCELLED",
                "This session was cancelled",
            ));
        }
        SessionStatus::Scheduled | SessionStatus::Live => {}
    }
    let message_type = input.message_type.unwrap_or(MessageType::Message);
    let row = write_transaction(conn, |conn| -> Result<_, Error> {
        throttle::hit(
            conn,
            clock,
            "live_chat",
            &user_subject(actor.user_id),
            Limit::new(settings.chat_messages_per_minute, 60),
            Refusal::new(
                "RATE_LIMITED",
                "Too many chat messages in a short time, slow down",
            ),
        )?;
        let id: i32 = diesel::insert_into(live_session_chat::table)
            .values((
                live_session_chat::session_id.eq(session_id),
                live_session_chat::user_id.eq(actor.user_id),
                live_session_chat::message.eq(&input.message),
                live_session_chat::message_type.eq(message_type.as_str()),
                live_session_chat::created_at.eq(clock.now()),
            ))
            .returning(live_session_chat::id)
            .get_result(conn)?;
        find_message(conn, session_id, id)
    })?;
    single(conn, row)
}

/// Messages in order, for the course's staff and enrolled students: after
/// `after_id` when polling, else the latest `limit`.
pub fn list_messages(
    conn: &mut DbConnection,
    actor: &Principal,
    session_id: i32,
    query: ChatQuery,
) -> Result<Vec<LiveSessionChatMessage>, Error> {
    session_member(conn, actor, session_id)?;
    messages_after(conn, session_id, query.after_id, chat_limit(query))
}

/// The session's messages after `after` in id order (without it, the
/// latest `limit`), whoever reads: a chat message is the same for every
/// reader, so one read serves every stream of the session. Access is
/// checked by [`chat_reader`], not here.
pub fn messages_after(
    conn: &mut DbConnection,
    session_id: i32,
    after: Option<i32>,
    limit: i64,
) -> Result<Vec<LiveSessionChatMessage>, Error> {
    let base = live_session_chat::table
        .filter(live_session_chat::session_id.eq(session_id))
        .select(ChatRow::as_select());
    let rows: Vec<ChatRow> = match after {
        Some(after) => base
            .filter(live_session_chat::id.gt(after))
            .order(live_session_chat::id.asc())
            .limit(limit)
            .load(conn)?,
        None => {
            let mut latest: Vec<ChatRow> = base
                .order(live_session_chat::id.desc())
                .limit(limit)
                .load(conn)?;
            latest.reverse();
            latest
        }
    };
    render(conn, rows)
}

/// The access rule of [`list_messages`] alone, for a chat stream that
/// opens or whose reader's access changed: the session's course.
pub fn chat_reader(
    conn: &mut DbConnection,
    actor: &Principal,
    session_id: i32,
) -> Result<i32, Error> {
    let (session, _, _) = session_member(conn, actor, session_id)?;
    Ok(session.course_id)
}

/// The `after_id` that reads on from a full page of `messages` (more may
/// already be waiting); `None` when the page was not full.
pub fn next_after(query: ChatQuery, messages: &[LiveSessionChatMessage]) -> Option<i32> {
    let limit = usize::try_from(chat_limit(query)).unwrap_or(usize::MAX);
    if messages.len() < limit {
        return None;
    }
    messages.last().map(|m| m.id)
}

fn chat_limit(query: ChatQuery) -> i64 {
    query
        .limit
        .unwrap_or(DEFAULT_CHAT_LIMIT)
        .clamp(1, MAX_CHAT_LIMIT)
}

/// Pins or unpins a message; staff only.
pub fn pin_message(
    conn: &mut DbConnection,
    actor: &Principal,
    session_id: i32,
    message_id: i32,
    input: PinInput,
) -> Result<LiveSessionChatMessage, Error> {
    session_staff(conn, actor, session_id)?;
    let row = write_transaction(conn, |conn| -> Result<_, Error> {
        if mdsc_core::lock_row!(conn, live_session_chat, message_id)? == 0 {
            return Err(Error::not_found("Chat message"));
        }
        let message = find_message(conn, session_id, message_id)?;
        let pinned = input.value.unwrap_or(!message.is_pinned);
        diesel::update(live_session_chat::table.find(message_id))
            .set(live_session_chat::is_pinned.eq(pinned))
            .execute(conn)?;
        find_message(conn, session_id, message_id)
    })?;
    single(conn, row)
}

fn find_message(
    conn: &mut DbConnection,
    session_id: i32,
    message_id: i32,
) -> Result<ChatRow, Error> {
    live_session_chat::table
        .find(message_id)
        .filter(live_session_chat::session_id.eq(session_id))
        .select(ChatRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| Error::not_found("Chat message"))
}

fn single(conn: &mut DbConnection, row: ChatRow) -> Result<LiveSessionChatMessage, Error> {
    render(conn, vec![row])?
        .pop()
        .ok_or_else(|| Error::internal("rendering a chat message gave nothing"))
}

fn render(
    conn: &mut DbConnection,
    rows: Vec<ChatRow>,
) -> Result<Vec<LiveSessionChatMessage>, Error> {
    let mut ids: Vec<i32> = rows.iter().map(|r| r.user_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let people: HashMap<i32, UserSummary> = users::table
        .filter(users::id.eq_any(&ids))
        .select(UserSummary::as_select())
        .load(conn)?
        .into_iter()
        .map(|u| (u.id, u))
        .collect();
    Ok(rows
        .into_iter()
        .map(|row| LiveSessionChatMessage {
            user: people.get(&row.user_id).cloned(),
            message_type: MessageType::from_db(&row.message_type),
            id: row.id,
            session_id: row.session_id,
            user_id: row.user_id,
            message: row.message,
            is_pinned: row.is_pinned,
            created_at: utc(row.created_at),
        })
        .collect())
}
