//! Who may read and write where: a forum is open to the course's enrolled
//! students and staff; a locked forum is read-only for students; hidden
//! topics exist only for staff and their author.

use diesel::prelude::*;
use mdsc_auth::Principal;
use mdsc_core::schema::{course_forums, forum_replies, forum_topics};
use mdsc_core::{DbConnection, Error};
use mdsc_course::{CourseAccess, require_course_member};

use crate::model::{ForumRow, ReplyRow, TopicRow};

/// A forum and how the actor relates to its course.
#[derive(Debug, Clone)]
pub(crate) struct Ctx {
    pub forum: ForumRow,
    pub access: CourseAccess,
    pub actor: Principal,
}

impl Ctx {
    pub fn is_staff(&self) -> bool {
        self.access.is_staff()
    }

    /// Students may not change anything in a locked forum.
    pub fn ensure_writable(&self) -> Result<(), Error> {
        if self.forum.is_locked && !self.is_staff() {
            return Err(Error::forbidden("This forum is locked").with_code("FORUM_LOCKED"));
        }
        Ok(())
    }

    pub fn ensure_staff(&self) -> Result<(), Error> {
        if self.is_staff() {
            Ok(())
        } else {
            Err(Error::forbidden(
                "Only the course's instructor or an administrator may do this",
            ))
        }
    }

    /// The author of a post, or staff.
    pub fn ensure_author_or_staff(&self, author_id: i32, what: &str) -> Result<(), Error> {
        if self.is_staff() || author_id == self.actor.user_id {
            Ok(())
        } else {
            Err(Error::forbidden(format!(
                "Only its author or the course's staff may change this {what}"
            )))
        }
    }

    /// Staff and the author see a hidden topic; for others it does not exist.
    pub fn can_see_topic(&self, topic: &TopicRow) -> bool {
        !topic.is_hidden || self.is_staff() || topic.user_id == self.actor.user_id
    }
}

pub(crate) fn find_forum(conn: &mut DbConnection, forum_id: i32) -> Result<ForumRow, Error> {
    course_forums::table
        .find(forum_id)
        .select(ForumRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| Error::not_found("Forum"))
}

pub(crate) fn forum_of_course(
    conn: &mut DbConnection,
    course_id: i32,
) -> Result<Option<ForumRow>, Error> {
    Ok(course_forums::table
        .filter(course_forums::course_id.eq(course_id))
        .select(ForumRow::as_select())
        .first(conn)
        .optional()?)
}

pub(crate) fn find_topic(conn: &mut DbConnection, topic_id: i32) -> Result<TopicRow, Error> {
    forum_topics::table
        .find(topic_id)
        .select(TopicRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| Error::not_found("Topic"))
}

pub(crate) fn find_reply(conn: &mut DbConnection, reply_id: i32) -> Result<ReplyRow, Error> {
    forum_replies::table
        .find(reply_id)
        .select(ReplyRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| Error::not_found("Reply"))
}

/// The topic, locked until the end of the write transaction. Every change
/// to a topic or its replies' tree takes this lock first, so they queue.
pub(crate) fn lock_topic(conn: &mut DbConnection, topic_id: i32) -> Result<TopicRow, Error> {
    mdsc_core::lock_row!(conn, forum_topics, topic_id)?;
    find_topic(conn, topic_id)
}

/// The reply, locked until the end of the write transaction.
pub(crate) fn lock_reply(conn: &mut DbConnection, reply_id: i32) -> Result<ReplyRow, Error> {
    mdsc_core::lock_row!(conn, forum_replies, reply_id)?;
    find_reply(conn, reply_id)
}

/// Admits the course's staff and enrolled students to a forum.
pub(crate) fn forum_ctx(
    conn: &mut DbConnection,
    actor: &Principal,
    forum: ForumRow,
) -> Result<Ctx, Error> {
    let access = require_course_member(conn, actor, forum.course_id)?;
    Ok(Ctx {
        forum,
        access,
        actor: *actor,
    })
}

/// The forum of a topic the actor may see (404 for a hidden one).
pub(crate) fn topic_ctx(
    conn: &mut DbConnection,
    actor: &Principal,
    topic: &TopicRow,
) -> Result<Ctx, Error> {
    let forum = find_forum(conn, topic.forum_id)?;
    let ctx = forum_ctx(conn, actor, forum)?;
    if !ctx.can_see_topic(topic) {
        return Err(Error::not_found("Topic"));
    }
    Ok(ctx)
}

/// A reply one may answer, react to or mark: neither deleted nor hidden.
pub(crate) fn ensure_live(reply: &ReplyRow) -> Result<(), Error> {
    if reply.is_live() {
        Ok(())
    } else {
        Err(Error::not_found("Reply"))
    }
}
