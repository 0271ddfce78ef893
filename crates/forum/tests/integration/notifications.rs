//! Hidden and deleted posts take their notifications with them (issue 15):
//! nothing of them stays in anyone's list, no e-mail of them goes out
//! afterwards, and showing a post again sends nothing again.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::*;
use diesel::prelude::*;
use mdsc_auth::Principal;
use mdsc_core::Clock;
use mdsc_core::schema::{jobs, notification_preferences, notifications};
use mdsc_forum::report::{
    ReportInput, ResolveReportInput, report_reply, report_topic, resolve_report,
};
use mdsc_forum::{ReportAction, ReportReason};
use mdsc_notify::email::EmailJob;

/// Titles of `who`'s in-app notifications, oldest first.
fn titles(w: &mut World, who: &Principal) -> Vec<String> {
    notifications::table
        .filter(notifications::user_id.eq(who.user_id))
        .order(notifications::id)
        .select(notifications::title)
        .load(&mut *w.conn)
        .unwrap()
}

/// Title and body of every e-mail still to send to `who`, oldest first.
fn pending_mail(w: &mut World, who: &Principal) -> Vec<(String, String)> {
    let payloads: Vec<String> = jobs::table
        .filter(jobs::kind.eq("email"))
        .filter(jobs::finished_at.is_null())
        .order(jobs::id)
        .select(jobs::payload)
        .load(&mut *w.conn)
        .unwrap();
    payloads
        .iter()
        .map(|p| serde_json::from_str::<EmailJob>(p).unwrap())
        .filter(|m| m.user_id == who.user_id)
        .map(|m| (m.title, m.body))
        .collect()
}

/// E-mail jobs that ended `cancelled`.
fn cancelled_mail(w: &mut World) -> i64 {
    jobs::table
        .filter(jobs::kind.eq("email"))
        .filter(jobs::outcome.eq("cancelled"))
        .count()
        .get_result(&mut *w.conn)
        .unwrap()
}

/// The admin reports the post and the instructor resolves with `action`;
/// the report's id, for a later resolution.
fn moderate(w: &mut World, cast: &Cast, topic_id: i32, reply_id: Option<i32>) -> i32 {
    let input = ReportInput {
        reason: ReportReason::Offensive,
        details: None,
    };
    let report = match reply_id {
        Some(id) => report_reply(
            &mut w.conn,
            &cast.admin,
            &w.clock,
            &crate::common::roomy(),
            id,
            input,
        ),
        None => report_topic(
            &mut w.conn,
            &cast.admin,
            &w.clock,
            &crate::common::roomy(),
            topic_id,
            input,
        ),
    }
    .unwrap();
    set(w, cast, report.id, ReportAction::Hide);
    report.id
}

fn set(w: &mut World, cast: &Cast, report_id: i32, action: ReportAction) {
    resolve_report(
        &mut w.conn,
        &cast.instructor,
        &w.clock,
        cast.course_id,
        report_id,
        ResolveReportInput { action },
    )
    .unwrap();
}

/// Does any text of `who`'s notifications or pending e-mails mention `word`?
fn mentions(w: &mut World, who: &Principal, word: &str) -> bool {
    let bodies: Vec<String> = notifications::table
        .filter(notifications::user_id.eq(who.user_id))
        .select(notifications::body)
        .load(&mut *w.conn)
        .unwrap();
    titles(w, who)
        .iter()
        .chain(bodies.iter())
        .any(|t| t.contains(word))
        || pending_mail(w, who)
            .iter()
            .any(|(t, b)| t.contains(word) || b.contains(word))
}

#[test]
fn hiding_a_topic_withdraws_its_and_its_replies_notifications_and_emails() {
    let mut w = World::new();
    let cast = w.cast();
    let f = cast.forum_id;
    // The classmate and the instructor follow the forum: both hear of the
    // topic; the author hears of the reply.
    let bad = w
        .try_topic(&cast.student, f, "Arnaque crypto", "Contenu douteux")
        .unwrap();
    let good = w.topic(&cast.student, f, "Vraie question");
    w.try_reply(&cast.classmate, bad.id, None, "Réponse piégée")
        .unwrap();
    assert!(mentions(&mut w, &cast.classmate, "Arnaque crypto"));
    assert!(mentions(&mut w, &cast.instructor, "Contenu douteux"));
    assert!(mentions(&mut w, &cast.student, "Réponse piégée"));

    let report = moderate(&mut w, &cast, bad.id, None);

    for who in [cast.classmate, cast.instructor, cast.student] {
        assert!(!mentions(&mut w, &who, "Arnaque crypto"), "{who:?}");
        assert!(!mentions(&mut w, &who, "Contenu douteux"), "{who:?}");
        assert!(!mentions(&mut w, &who, "Réponse piégée"), "{who:?}");
    }
    // 2 topic e-mails (classmate, instructor) and the reply's (student).
    assert_eq!(cancelled_mail(&mut w), 3);
    // The other topic is untouched.
    assert_eq!(
        titles(&mut w, &cast.classmate),
        ["Nouveau sujet dans Rust pour débutants : Vraie question"]
    );
    assert_eq!(pending_mail(&mut w, &cast.instructor).len(), 1);
    assert!(mentions(&mut w, &cast.instructor, &good.title));

    // Showing it again sends nothing again.
    set(&mut w, &cast, report, ReportAction::Restore);
    assert!(!mentions(&mut w, &cast.classmate, "Arnaque crypto"));
    assert!(!mentions(&mut w, &cast.student, "Réponse piégée"));
    assert_eq!(pending_mail(&mut w, &cast.classmate).len(), 1);
}

#[test]
fn hiding_a_reply_withdraws_only_its_own_notifications() {
    let mut w = World::new();
    let cast = w.cast();
    let topic = w.topic(&cast.student, cast.forum_id, "Fil");
    let rude = w
        .try_reply(&cast.classmate, topic.id, None, "Insulte")
        .unwrap()
        .id;
    w.try_reply(&cast.instructor, topic.id, None, "Réponse utile")
        .unwrap();
    assert!(mentions(&mut w, &cast.student, "Insulte"));

    let report = moderate(&mut w, &cast, topic.id, Some(rude));

    assert!(!mentions(&mut w, &cast.student, "Insulte"));
    assert!(mentions(&mut w, &cast.student, "Réponse utile"));
    // The classmate replied in the topic: told of the instructor's reply.
    assert!(mentions(&mut w, &cast.classmate, "Réponse utile"));
    set(&mut w, &cast, report, ReportAction::Restore);
    assert!(!mentions(&mut w, &cast.student, "Insulte"));
}

#[test]
fn deleting_a_reply_or_a_topic_withdraws_their_notifications() {
    let mut w = World::new();
    let cast = w.cast();
    let f = cast.forum_id;
    let topic = w
        .try_topic(&cast.student, f, "Sujet effacé", "Bientôt supprimé")
        .unwrap();
    let first = w
        .try_reply(&cast.classmate, topic.id, None, "Regrettable")
        .unwrap();
    // Deleted with an answer under it: its place stays, its words go.
    w.try_reply(
        &cast.student,
        topic.id,
        Some(first.id),
        "Réponse à la réponse",
    )
    .unwrap();
    w.delete_reply(&cast.classmate, first.id).unwrap();
    assert!(!mentions(&mut w, &cast.student, "Regrettable"));
    assert!(mentions(&mut w, &cast.classmate, "Réponse à la réponse"));

    w.delete_topic(&cast.student, topic.id).unwrap();
    for who in [cast.classmate, cast.instructor, cast.student] {
        assert!(!mentions(&mut w, &who, "Sujet effacé"), "{who:?}");
        assert!(!mentions(&mut w, &who, "Réponse à la réponse"), "{who:?}");
    }
    assert_eq!(cancelled_mail(&mut w), 4);
}

#[test]
fn an_email_without_an_in_app_notification_is_cancelled_too() {
    let mut w = World::new();
    let cast = w.cast();
    // The classmate reads forum topics by e-mail only.
    diesel::insert_into(notification_preferences::table)
        .values((
            notification_preferences::user_id.eq(cast.classmate.user_id),
            notification_preferences::kind.eq("forum_topic"),
            notification_preferences::in_app.eq(false),
            notification_preferences::email.eq(true),
            notification_preferences::updated_at.eq(w.clock.now()),
        ))
        .execute(&mut *w.conn)
        .unwrap();
    let topic = w
        .try_topic(&cast.student, cast.forum_id, "Par courriel", "Texte caché")
        .unwrap();
    assert!(titles(&mut w, &cast.classmate).is_empty());
    assert_eq!(pending_mail(&mut w, &cast.classmate).len(), 1);

    moderate(&mut w, &cast, topic.id, None);

    assert!(pending_mail(&mut w, &cast.classmate).is_empty());
}
