//! A topic's participants: its author and everyone who replied in it. A
//! new reply notifies them (see `mdsc_notify::events::forum_reply`), read
//! from this kept set rather than from a scan of the thread, so the cost
//! of a reply does not grow with the thread.
//!
//! One stays a participant when one's post is later hidden or deleted, as
//! on most forums: one took part in the conversation and may follow it.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use mdsc_core::schema::forum_topic_participants;
use mdsc_core::{DbConnection, Error};

/// Adds the user to the topic's participants, unless there already. Call
/// inside the write transaction of the post, with the topic locked (which
/// is what keeps two first posts of one user from both inserting).
pub(crate) fn join(
    conn: &mut DbConnection,
    topic_id: i32,
    user_id: i32,
    now: NaiveDateTime,
) -> Result<(), Error> {
    let member = forum_topic_participants::table.find((topic_id, user_id));
    let already: Option<i32> = member
        .select(forum_topic_participants::user_id)
        .first(conn)
        .optional()?;
    if already.is_none() {
        diesel::insert_into(forum_topic_participants::table)
            .values((
                forum_topic_participants::topic_id.eq(topic_id),
                forum_topic_participants::user_id.eq(user_id),
                forum_topic_participants::joined_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// The topic's participants, by user id.
pub fn participants(conn: &mut DbConnection, topic_id: i32) -> Result<Vec<i32>, Error> {
    Ok(forum_topic_participants::table
        .filter(forum_topic_participants::topic_id.eq(topic_id))
        .order(forum_topic_participants::user_id)
        .select(forum_topic_participants::user_id)
        .load(conn)?)
}
