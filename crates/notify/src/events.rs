//! What each event notifies, to whom, in what words (French, the
//! platform's language, and English: each recipient reads theirs).
//! Feature crates call these inside the transaction of the change.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use mdsc_auth::Role;
use mdsc_core::schema::{courses, enrollments, forum_topic_participants, forum_topics, users};
use mdsc_core::{DbConnection, Error};
use serde_json::json;

use crate::deliver::{Delivery, notify};
use crate::follow::forum_followers;
use crate::kind::NotificationKind;
use crate::locale::{Texts, when};
use crate::subject::Subject;

/// What notifications say of a live session.
#[derive(Debug, Clone)]
pub struct SessionFacts<'a> {
    pub id: i32,
    pub course_id: i32,
    pub title: &'a str,
    pub start: NaiveDateTime,
}

/// How a live session changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionEvent {
    Scheduled,
    Rescheduled,
    Cancelled,
    Started,
    /// This many minutes before the start.
    Reminder {
        minutes: i64,
    },
}

fn course_names(conn: &mut DbConnection, course_id: i32) -> Result<(String, String), Error> {
    Ok(courses::table
        .find(course_id)
        .select((courses::title, courses::slug))
        .first(conn)?)
}

/// The course's instructor and its students (enrollments not cancelled).
fn course_audience(conn: &mut DbConnection, course_id: i32) -> Result<Vec<i32>, Error> {
    let mut people: Vec<i32> = enrollments::table
        .filter(enrollments::course_id.eq(course_id))
        .filter(mdsc_course::access::is_current_enrollment())
        .select(enrollments::user_id)
        .load(conn)?;
    people.extend(mdsc_course::access::acting_instructor(conn, course_id)?);
    Ok(people)
}

/// Those of `people` who may still read the course's forum: students whose
/// enrollment is not cancelled, the instructor, admins.
fn members_among(
    conn: &mut DbConnection,
    course_id: i32,
    people: Vec<i32>,
) -> Result<Vec<i32>, Error> {
    let mut members: Vec<i32> = enrollments::table
        .filter(enrollments::course_id.eq(course_id))
        .filter(mdsc_course::access::is_current_enrollment())
        .filter(enrollments::user_id.eq_any(&people))
        .select(enrollments::user_id)
        .load(conn)?;
    members.extend(
        users::table
            .filter(users::id.eq_any(&people))
            .filter(users::role.eq(Role::Admin.as_str()))
            .select(users::id)
            .load::<i32>(conn)?,
    );
    if let Some(instructor) = mdsc_course::access::acting_instructor(conn, course_id)?
        && people.contains(&instructor)
    {
        members.push(instructor);
    }
    Ok(members)
}

fn in_how_long(minutes: i64) -> Texts {
    match minutes {
        1440 => Texts::new("commence demain", "starts tomorrow"),
        60 => Texts::new("commence dans 1 h", "starts in 1 hour"),
        m if m >= 60 && m % 60 == 0 => Texts::new(
            format!("commence dans {} h", m / 60),
            format!("starts in {} hours", m / 60),
        ),
        m => Texts::new(
            format!("commence dans {m} minutes"),
            format!("starts in {m} minutes"),
        ),
    }
}

/// A live session was scheduled, moved, cancelled or started: the course's
/// students and instructor hear of it (not the staff member who did it).
pub fn live_session(
    conn: &mut DbConnection,
    actor_id: Option<i32>,
    session: &SessionFacts<'_>,
    event: SessionEvent,
    now: NaiveDateTime,
) -> Result<usize, Error> {
    let (course_title, slug) = course_names(conn, session.course_id)?;
    let name = session.title;
    let at = when(session.start);
    let (kind, title, body) = match event {
        SessionEvent::Scheduled => (
            NotificationKind::LiveSessionScheduled,
            Texts::new(
                format!("Nouvelle session live : {name}"),
                format!("New live session: {name}"),
            ),
            Texts::new(
                format!("{course_title} — le {}", at.fr),
                format!("{course_title} — on {}", at.en),
            ),
        ),
        SessionEvent::Rescheduled => (
            NotificationKind::LiveSessionRescheduled,
            Texts::new(
                format!("Session live déplacée : {name}"),
                format!("Live session moved: {name}"),
            ),
            Texts::new(
                format!("{course_title} — nouvel horaire : le {}", at.fr),
                format!("{course_title} — new time: {}", at.en),
            ),
        ),
        SessionEvent::Cancelled => (
            NotificationKind::LiveSessionCancelled,
            Texts::new(
                format!("Session live annulée : {name}"),
                format!("Live session cancelled: {name}"),
            ),
            Texts::new(
                format!("{course_title} — la session du {} n'aura pas lieu", at.fr),
                format!(
                    "{course_title} — the session on {} will not take place",
                    at.en
                ),
            ),
        ),
        SessionEvent::Started => (
            NotificationKind::LiveSessionStarted,
            Texts::new(
                format!("La session live commence : {name}"),
                format!("The live session is starting: {name}"),
            ),
            Texts::new(
                format!("{course_title} — rejoignez-la maintenant"),
                format!("{course_title} — join it now"),
            ),
        ),
        SessionEvent::Reminder { minutes } => {
            let soon = in_how_long(minutes);
            (
                NotificationKind::LiveSessionReminder,
                Texts::new(
                    format!("Rappel : {name} {}", soon.fr),
                    format!("Reminder: {name} {}", soon.en),
                ),
                Texts::new(
                    format!("{course_title} — le {}", at.fr),
                    format!("{course_title} — on {}", at.en),
                ),
            )
        }
    };
    let recipients = course_audience(conn, session.course_id)?;
    notify(
        conn,
        Delivery {
            kind,
            actor_id,
            recipients,
            title,
            body,
            data: match event {
                SessionEvent::Reminder { minutes } => json!({
                    "course_id": session.course_id,
                    "session_id": session.id,
                    "minutes_before": minutes,
                    "link": format!("/courses/{slug}/live/{}", session.id),
                }),
                _ => json!({
                    "course_id": session.course_id,
                    "session_id": session.id,
                    "link": format!("/courses/{slug}/live/{}", session.id),
                }),
            },
            subject: None,
        },
        now,
    )
}

/// A new topic: the followers of the course's forum hear of it. A hidden
/// topic (not possible at creation today) would notify nobody.
pub fn forum_topic(
    conn: &mut DbConnection,
    actor_id: i32,
    course_id: i32,
    topic_id: i32,
    now: NaiveDateTime,
) -> Result<usize, Error> {
    let (title, content, hidden): (String, String, bool) = forum_topics::table
        .find(topic_id)
        .select((
            forum_topics::title,
            forum_topics::content,
            forum_topics::is_hidden,
        ))
        .first(conn)?;
    if hidden {
        return Ok(0);
    }
    let (course_title, slug) = course_names(conn, course_id)?;
    let recipients = forum_followers(conn, course_id)?;
    notify(
        conn,
        Delivery {
            kind: NotificationKind::ForumTopic,
            actor_id: Some(actor_id),
            recipients,
            title: Texts::new(
                format!("Nouveau sujet dans {course_title} : {title}"),
                format!("New topic in {course_title}: {title}"),
            ),
            body: Texts::same(content),
            data: json!({
                "course_id": course_id,
                "topic_id": topic_id,
                "link": format!("/courses/{slug}/forum/topics/{topic_id}"),
            }),
            subject: Some(Subject::ForumTopic(topic_id)),
        },
        now,
    )
}

/// A new reply, as its notification tells it: the caller has the topic
/// and the reply at hand, so nothing is read again for them.
#[derive(Debug, Clone, Copy)]
pub struct ReplyFacts<'a> {
    pub course_id: i32,
    pub topic_id: i32,
    pub topic_title: &'a str,
    pub topic_author: i32,
    pub topic_hidden: bool,
    pub reply_id: i32,
    pub content: &'a str,
}

/// A new reply: the topic's participants (its author and everyone who
/// replied in it, kept by the forum as they post) hear of it, as long as
/// they are still members of the course; in a hidden topic, only its
/// author (the others no longer see it). Read from the kept set, its cost
/// does not grow with the thread.
pub fn forum_reply(
    conn: &mut DbConnection,
    actor_id: i32,
    reply: &ReplyFacts<'_>,
    now: NaiveDateTime,
) -> Result<usize, Error> {
    let recipients = if reply.topic_hidden {
        vec![reply.topic_author]
    } else {
        forum_topic_participants::table
            .filter(forum_topic_participants::topic_id.eq(reply.topic_id))
            .select(forum_topic_participants::user_id)
            .load::<i32>(conn)?
    };
    let recipients = members_among(conn, reply.course_id, recipients)?;
    let (_, slug) = course_names(conn, reply.course_id)?;
    let (title, topic_id, reply_id) = (reply.topic_title, reply.topic_id, reply.reply_id);
    notify(
        conn,
        Delivery {
            kind: NotificationKind::ForumReply,
            actor_id: Some(actor_id),
            recipients,
            title: Texts::new(
                format!("Nouvelle réponse : {title}"),
                format!("New reply: {title}"),
            ),
            body: Texts::same(reply.content.to_owned()),
            data: json!({
                "course_id": reply.course_id,
                "topic_id": topic_id,
                "reply_id": reply_id,
                "link": format!("/courses/{slug}/forum/topics/{topic_id}#reply-{reply_id}"),
            }),
            subject: Some(Subject::ForumReply(reply_id)),
        },
        now,
    )
}

/// A moderated rating, as its notification tells it.
#[derive(Debug, Clone, Copy)]
pub struct ModeratedRating<'a> {
    pub id: i32,
    pub course_id: i32,
    pub author_id: i32,
    pub approved: bool,
    pub reason: Option<&'a str>,
}

/// A moderator approved or rejected a rating: its author hears of it.
pub fn rating_moderated(
    conn: &mut DbConnection,
    actor_id: i32,
    rating: ModeratedRating<'_>,
    now: NaiveDateTime,
) -> Result<usize, Error> {
    let (course_title, slug) = course_names(conn, rating.course_id)?;
    let title = if rating.approved {
        Texts::new(
            format!("Votre avis sur {course_title} est publié"),
            format!("Your review of {course_title} is published"),
        )
    } else {
        Texts::new(
            format!("Votre avis sur {course_title} a été refusé"),
            format!("Your review of {course_title} was rejected"),
        )
    };
    let body = match rating.reason {
        Some(reason) if !reason.trim().is_empty() => {
            Texts::new(format!("Motif : {reason}"), format!("Reason: {reason}"))
        }
        _ if rating.approved => {
            Texts::new("Merci pour votre retour.", "Thank you for your feedback.")
        }
        _ => Texts::new(
            "Il ne respecte pas les règles de publication.",
            "It does not follow the publication rules.",
        ),
    };
    notify(
        conn,
        Delivery {
            kind: NotificationKind::RatingModerated,
            actor_id: Some(actor_id),
            recipients: vec![rating.author_id],
            title,
            body,
            data: json!({
                "course_id": rating.course_id,
                "rating_id": rating.id,
                "status": if rating.approved { "approved" } else { "rejected" },
                "link": format!("/courses/{slug}/reviews"),
            }),
            subject: None,
        },
        now,
    )
}
