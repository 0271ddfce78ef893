//! Reactions to replies: `upvote` and `downvote` exclude each other (the new
//! one replaces the old), `like` and `helpful` stand alone; one row per
//! user, reply and type; never on one's own reply.

use diesel::prelude::*;
use mdsc_auth::Principal;
use mdsc_core::schema::forum_reactions;
use mdsc_core::throttle::{self, user_subject};
use mdsc_core::{Clock, DbConnection, Error, write_transaction};
use serde::Deserialize;

use crate::access::{Ctx, ensure_live, find_reply, lock_reply, topic_ctx};
use crate::counters::bump_reaction;
use crate::model::{ForumReply, ReactionType, ReplyRow};
use crate::render::render_reply;
use crate::settings::{ForumSettings, REACTIONS, TOO_MANY_REACTIONS};

#[derive(Debug, Clone, Copy, Deserialize, utoipa::ToSchema)]
pub struct ReactionInput {
    /// `upvote` (default), `downvote`, `like` or `helpful`.
    #[serde(default = "default_reaction")]
    pub reaction_type: ReactionType,
}

fn default_reaction() -> ReactionType {
    ReactionType::Upvote
}

/// `reaction_type` of the reaction to remove (query string or body);
/// without it, every reaction of the caller on the reply.
#[derive(Debug, Clone, Copy, Default, Deserialize, utoipa::ToSchema, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RemoveReactionInput {
    #[param(inline)]
    pub reaction_type: Option<ReactionType>,
}

/// The reply, locked, in a topic the actor may read. Reactions take the
/// reply's lock only: its counters live on its row.
fn locked_reply(
    conn: &mut DbConnection,
    actor: &Principal,
    reply_id: i32,
) -> Result<(Ctx, ReplyRow), Error> {
    let reply = lock_reply(conn, reply_id)?;
    let (ctx, _) = topic_ctx(conn, actor, reply.topic_id)?;
    Ok((ctx, reply))
}

/// The reply, locked, that the actor may react to.
fn reactable(
    conn: &mut DbConnection,
    actor: &Principal,
    reply_id: i32,
) -> Result<(Ctx, ReplyRow), Error> {
    let (ctx, reply) = locked_reply(conn, actor, reply_id)?;
    ensure_live(&reply)?;
    ctx.ensure_writable()?;
    if reply.user_id == actor.user_id {
        return Err(
            Error::invalid_field("reply_id", "you cannot react to your own reply")
                .with_code("OWN_REPLY"),
        );
    }
    Ok((ctx, reply))
}

fn mine(
    conn: &mut DbConnection,
    actor: &Principal,
    reply_id: i32,
) -> Result<Vec<ReactionType>, Error> {
    Ok(forum_reactions::table
        .filter(forum_reactions::reply_id.eq(reply_id))
        .filter(forum_reactions::user_id.eq(actor.user_id))
        .select(forum_reactions::reaction_type)
        .load::<String>(conn)?
        .iter()
        .filter_map(|k| ReactionType::from_db(k))
        .collect())
}

fn remove(
    conn: &mut DbConnection,
    actor: &Principal,
    reply_id: i32,
    kind: ReactionType,
) -> Result<(), Error> {
    let removed = diesel::delete(
        forum_reactions::table
            .filter(forum_reactions::reply_id.eq(reply_id))
            .filter(forum_reactions::user_id.eq(actor.user_id))
            .filter(forum_reactions::reaction_type.eq(kind.as_str())),
    )
    .execute(conn)?;
    if removed > 0 {
        bump_reaction(conn, reply_id, kind, -1)?;
    }
    Ok(())
}

/// Adds a reaction; an upvote replaces the caller's downvote and back.
/// Adding one the caller already has changes nothing. At most
/// `reactions_per_minute` changes per user (`429 RATE_LIMITED`).
pub fn add_reaction(
    conn: &mut DbConnection,
    actor: &Principal,
    clock: &dyn Clock,
    settings: &ForumSettings,
    reply_id: i32,
    input: ReactionInput,
) -> Result<ForumReply, Error> {
    let kind = input.reaction_type;
    let (ctx, row) = write_transaction(conn, |conn| -> Result<_, Error> {
        let (ctx, _) = reactable(conn, actor, reply_id)?;
        let current = mine(conn, actor, reply_id)?;
        if !current.contains(&kind) {
            // Only reactions that change something count against the bound.
            throttle::hit(
                conn,
                clock,
                REACTIONS,
                &user_subject(actor.user_id),
                settings.reactions(),
                TOO_MANY_REACTIONS,
            )?;
            if let Some(opposite) = kind.opposite()
                && current.contains(&opposite)
            {
                remove(conn, actor, reply_id, opposite)?;
            }
            diesel::insert_into(forum_reactions::table)
                .values((
                    forum_reactions::reply_id.eq(reply_id),
                    forum_reactions::user_id.eq(actor.user_id),
                    forum_reactions::reaction_type.eq(kind.as_str()),
                    forum_reactions::created_at.eq(clock.now()),
                ))
                .execute(conn)?;
            bump_reaction(conn, reply_id, kind, 1)?;
        }
        Ok((ctx, find_reply(conn, reply_id)?))
    })?;
    render_reply(conn, &ctx, row)
}

/// Removes one of the caller's reactions, or without a type all of them
/// ("take my vote back" needs no memory of which one it was); removing
/// one they do not have changes nothing. Also on a reply hidden since, or
/// in a forum locked since: taking one's vote back is always possible.
pub fn remove_reaction(
    conn: &mut DbConnection,
    actor: &Principal,
    reply_id: i32,
    input: RemoveReactionInput,
) -> Result<ForumReply, Error> {
    let kinds: &[ReactionType] = match &input.reaction_type {
        Some(kind) => std::slice::from_ref(kind),
        None => &ReactionType::ALL,
    };
    let (ctx, row) = write_transaction(conn, |conn| -> Result<_, Error> {
        let (ctx, _) = locked_reply(conn, actor, reply_id)?;
        for kind in kinds {
            remove(conn, actor, reply_id, *kind)?;
        }
        Ok((ctx, find_reply(conn, reply_id)?))
    })?;
    render_reply(conn, &ctx, row)
}
