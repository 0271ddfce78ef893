//! Who may read and write where: a forum is open to the course's enrolled
//! students and staff; a locked forum is read-only for students; hidden
//! topics exist only for staff and their author.

use diesel::prelude::*;
use diesel::sql_types::Bool;
use mdsc_auth::Principal;
use mdsc_core::prepared_sql::sql;
use mdsc_core::schema::{course_forums, courses, enrollments, forum_replies, forum_topics};
use mdsc_core::{DbConnection, Error};
use mdsc_course::{CourseAccess, CourseRow, EnrollmentRow, admit_member};

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

/// What the access rules need besides the guarded row: the course and the
/// actor's current enrollment in it.
type Gate = (CourseRow, Option<EnrollmentRow>);

/// The actor's current (not cancelled) enrollment in the joined course.
macro_rules! actor_enrollment {
    ($actor:expr) => {
        enrollments::table.on(enrollments::course_id
            .eq(courses::id)
            .and(enrollments::user_id.eq($actor.user_id))
            .and(mdsc_course::access::is_current_enrollment()))
    };
}

fn admit(actor: &Principal, forum: ForumRow, (course, enrollment): Gate) -> Result<Ctx, Error> {
    let access = admit_member(actor, &course, enrollment)?;
    Ok(Ctx {
        forum,
        access,
        actor: *actor,
    })
}

/// Admits the course's staff and enrolled students to a forum: the forum,
/// its course and the actor's enrollment read in one statement.
pub(crate) fn forum_ctx(
    conn: &mut DbConnection,
    actor: &Principal,
    forum_id: i32,
) -> Result<Ctx, Error> {
    let (forum, course, enrollment) = course_forums::table
        .inner_join(courses::table)
        .left_join(actor_enrollment!(actor))
        .filter(course_forums::id.eq(forum_id))
        .select((
            ForumRow::as_select(),
            CourseRow::as_select(),
            Option::<EnrollmentRow>::as_select(),
        ))
        .first(conn)
        .optional()?
        .ok_or_else(|| Error::not_found("Forum"))?;
    admit(actor, forum, (course, enrollment))
}

/// [`forum_ctx`], and in the same statement how many hidden topics of the
/// forum are the actor's: a student lists those next to the visible ones,
/// so their total is `topic_count` plus these (read through a small
/// partial index of hidden topics, whatever the forum's size).
pub(crate) fn forum_ctx_and_own_hidden(
    conn: &mut DbConnection,
    actor: &Principal,
    forum_id: i32,
) -> Result<(Ctx, i64), Error> {
    let own_hidden = forum_topics::table
        .filter(forum_topics::forum_id.eq(forum_id))
        .filter(forum_topics::user_id.eq(actor.user_id))
        // Literal, as the partial index's predicate is: SQLite uses a
        // partial index only for a query that spells its condition out.
        .filter(sql::<Bool>("forum_topics.is_hidden"))
        .count()
        .single_value();
    let (forum, course, enrollment, own_hidden) = course_forums::table
        .inner_join(courses::table)
        .left_join(actor_enrollment!(actor))
        .filter(course_forums::id.eq(forum_id))
        .select((
            ForumRow::as_select(),
            CourseRow::as_select(),
            Option::<EnrollmentRow>::as_select(),
            own_hidden,
        ))
        .first::<(ForumRow, CourseRow, Option<EnrollmentRow>, Option<i64>)>(conn)
        .optional()?
        .ok_or_else(|| Error::not_found("Forum"))?;
    let ctx = admit(actor, forum, (course, enrollment))?;
    Ok((ctx, own_hidden.unwrap_or(0)))
}

/// A topic the actor may see (404 for a hidden one) with its forum's
/// context: the topic, its forum, the course and the actor's enrollment
/// read in one statement.
pub(crate) fn topic_ctx(
    conn: &mut DbConnection,
    actor: &Principal,
    topic_id: i32,
) -> Result<(Ctx, TopicRow), Error> {
    let (topic, forum, course, enrollment) = forum_topics::table
        .inner_join(course_forums::table.inner_join(courses::table))
        .left_join(actor_enrollment!(actor))
        .filter(forum_topics::id.eq(topic_id))
        .select((
            TopicRow::as_select(),
            ForumRow::as_select(),
            CourseRow::as_select(),
            Option::<EnrollmentRow>::as_select(),
        ))
        .first(conn)
        .optional()?
        .ok_or_else(|| Error::not_found("Topic"))?;
    let ctx = admit(actor, forum, (course, enrollment))?;
    if !ctx.can_see_topic(&topic) {
        return Err(Error::not_found("Topic"));
    }
    Ok((ctx, topic))
}

/// A reply one may answer, react to or mark: neither deleted nor hidden.
pub(crate) fn ensure_live(reply: &ReplyRow) -> Result<(), Error> {
    if reply.is_live() {
        Ok(())
    } else {
        Err(Error::not_found("Reply"))
    }
}
