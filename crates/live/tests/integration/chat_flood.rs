//! A student cannot flood a session's chat: at most
//! `chat_messages_per_minute` messages per user, then `429 RATE_LIMITED`
//! with a wait, whatever the session; others chat on.

use chrono::Duration;
use mdsc_core::ErrorKind;
use mdsc_live::chat::{ChatInput, post_message};

use crate::common::World;

fn message(n: usize) -> ChatInput {
    ChatInput {
        message: format!("{n} {}", "x".repeat(1990)),
        message_type: None,
    }
}

#[test]
fn a_burst_of_chat_messages_is_cut_at_the_limit() {
    let mut w = World::new();
    w.settings.chat_messages_per_minute = 5;
    let cast = w.cast(2);
    let session = w.live_session(&cast, None);
    let (student, classmate) = (cast.students[0], cast.students[1]);
    w.join(&student, session.id).unwrap();
    w.join(&classmate, session.id).unwrap();
    let mut refused = Vec::new();
    for n in 0..200 {
        match post_message(
            &mut w.conn,
            &student,
            &w.clock,
            &w.settings,
            session.id,
            message(n),
        ) {
            Ok(_) => {}
            Err(err) => refused.push(err),
        }
    }
    assert_eq!(refused.len(), 195, "5 of the 200 pass");
    assert!(refused.iter().all(|e| e.kind == ErrorKind::RateLimited
        && e.code == "RATE_LIMITED"
        && e.retry_after_secs.is_some_and(|s| (1..=64).contains(&s))));
    // Refused messages were not stored.
    let query = mdsc_live::chat::ChatQuery {
        after_id: None,
        limit: Some(200),
    };
    let stored = mdsc_live::chat::list_messages(&mut w.conn, &student, session.id, query).unwrap();
    assert_eq!(stored.len(), 5);
    // A classmate is not affected; the student may speak again a minute on.
    post_message(
        &mut w.conn,
        &classmate,
        &w.clock,
        &w.settings,
        session.id,
        message(0),
    )
    .unwrap();
    w.clock.advance(Duration::seconds(70));
    post_message(
        &mut w.conn,
        &student,
        &w.clock,
        &w.settings,
        session.id,
        message(1),
    )
    .unwrap();
}
