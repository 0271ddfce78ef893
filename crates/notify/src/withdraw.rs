//! Taking notifications back (issue 15). A forum post that staff hide, or
//! that is deleted, must not live on in other people's notification lists,
//! nor go out in e-mails not sent yet. The rule lives here, once; the
//! forum calls it inside the transaction of the hide or the delete.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use mdsc_core::schema::{forum_replies, jobs, notifications};
use mdsc_core::{DbConnection, Error};

use crate::batch::BATCH_JOB;
use crate::email::EMAIL_JOB;
use crate::subject::Subject;

/// Keys per statement: well under every backend's bound-parameter limit.
const CHUNK: usize = 500;

/// What a withdrawal removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Withdrawn {
    /// In-app notifications deleted.
    pub notifications: usize,
    /// E-mails not sent yet, cancelled (their jobs end as `cancelled`).
    pub emails: usize,
}

/// A forum post was hidden by staff or deleted: every notification about
/// it is deleted, for every recipient, and its e-mails not sent yet are
/// cancelled. For a topic, that includes the notifications of its replies,
/// which quote the topic's title. Deleted rather than masked: a
/// notification announces a post to its readers, and there is nothing left
/// to announce (staff find hidden posts in the report queue); recipients
/// a worker has not reached yet (`batch`) are not notified at all. Showing the
/// post again later sends nothing again. Call it before the post's rows are
/// deleted (a topic's replies are read here), in the same transaction.
pub fn forum_post_withdrawn(
    conn: &mut DbConnection,
    post: Subject,
    now: NaiveDateTime,
) -> Result<Withdrawn, Error> {
    let mut keys = vec![post.key()];
    if let Subject::ForumTopic(topic_id) = post {
        let replies: Vec<i32> = forum_replies::table
            .filter(forum_replies::topic_id.eq(topic_id))
            .select(forum_replies::id)
            .load(conn)?;
        keys.extend(replies.into_iter().map(|id| Subject::ForumReply(id).key()));
    }
    let mut withdrawn = Withdrawn::default();
    for chunk in keys.chunks(CHUNK) {
        let deleted: Vec<(i32, Option<NaiveDateTime>)> =
            diesel::delete(notifications::table.filter(notifications::subject.eq_any(chunk)))
                .returning((notifications::user_id, notifications::read_at))
                .get_results(conn)?;
        withdrawn.notifications += deleted.len();
        let removed: Vec<(i32, bool)> = deleted
            .into_iter()
            .map(|(user_id, read_at)| (user_id, read_at.is_none()))
            .collect();
        crate::counters::removed(conn, &removed)?;
        // A job claimed by a worker right now is cancelled too: the worker
        // checks that its job is still pending just before sending.
        withdrawn.emails += diesel::update(
            jobs::table
                .filter(jobs::kind.eq(EMAIL_JOB))
                .filter(jobs::subject.eq_any(chunk))
                .filter(jobs::finished_at.is_null()),
        )
        .set(crate::jobs::finished("cancelled", now))
        .execute(conn)?;
        // Recipients a worker has not reached yet (`batch`) get nothing.
        diesel::update(
            jobs::table
                .filter(jobs::kind.eq(BATCH_JOB))
                .filter(jobs::subject.eq_any(chunk))
                .filter(jobs::finished_at.is_null()),
        )
        .set(crate::jobs::finished("cancelled", now))
        .execute(conn)?;
    }
    Ok(withdrawn)
}
