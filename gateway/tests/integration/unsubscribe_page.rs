//! The page behind an e-mail's unsubscribe link: opening the link (a `GET`,
//! which link scanners do too) changes nothing and says, in the recipient's
//! language, what the button turns off; the button's `POST` turns it off
//! and answers a page; a broken link gets a page that says so, not JSON.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use actix_web::test::TestRequest;
use common::{Response, TestApp};
use mdsc_auth::Role;
use mdsc_core::Clock;
use serde_json::json;

fn unsubscribe_link(app: &TestApp, user_id: i64, kind: &str) -> String {
    let url = mdsc_gateway::worker::email_links(&app.state)
        .unsubscribe_url(user_id as i32, 0, kind, app.clock.now())
        .unwrap()
        .expect("the test configuration puts unsubscribe links in e-mails");
    let start = url.find("/api/").unwrap();
    url[start..].to_owned()
}

async fn open(app: &TestApp, path: &str, language: Option<&str>) -> Response {
    let mut req = TestRequest::get()
        .uri(path)
        .insert_header(("Accept", "text/html,application/xhtml+xml,*/*;q=0.8"));
    if let Some(language) = language {
        req = req.insert_header(("Accept-Language", language));
    }
    app.raw(req).await
}

/// What the page's form sends: a browser's `POST` asking for HTML.
async fn press_the_button(app: &TestApp, path: &str) -> Response {
    app.raw(
        TestRequest::post()
            .uri(path)
            .insert_header(("Accept", "text/html"))
            .insert_header(("Content-Type", "application/x-www-form-urlencoded"))
            .set_payload("List-Unsubscribe=One-Click"),
    )
    .await
}

fn html(res: &Response) -> &str {
    let content_type = res.headers.get("content-type").unwrap().to_str().unwrap();
    assert!(content_type.starts_with("text/html"), "{content_type}");
    res.body.as_str().unwrap()
}

async fn email_on(app: &TestApp, token: &str, kind: &str) -> bool {
    let res = app.get("/api/notifications/preferences", Some(token)).await;
    let all = res.assert_ok(200).as_array().unwrap().clone();
    all.iter().find(|p| p["type"] == kind).unwrap()["email"]
        .as_bool()
        .unwrap()
}

#[actix_web::test]
async fn opening_the_link_changes_nothing_and_its_button_unsubscribes() {
    let app = TestApp::new();
    let (marie, marie_id) = app.user("marie@example.com", Role::Student).await;
    let link = unsubscribe_link(&app, marie_id, "forum_reply");

    let page = open(&app, &link, None).await;
    assert_eq!(page.status.as_u16(), 200);
    let text = html(&page);
    assert!(text.contains("<html lang=\"fr\">"), "{text}");
    assert!(text.contains("réponses dans les sujets du forum"), "{text}");
    assert!(text.contains("<form method=\"post\""), "{text}");
    // The form posts to the link itself (its `&` escaped in the attribute).
    assert!(text.contains(&link.replace('&', "&amp;")), "{text}");
    assert_eq!(page.headers.get("cache-control").unwrap(), "no-store");
    // Opening it is not unsubscribing (link scanners open every link).
    assert!(email_on(&app, &marie, "forum_reply").await);

    let done = press_the_button(&app, &link).await;
    assert_eq!(done.status.as_u16(), 200);
    assert!(html(&done).contains("Désabonnement enregistré"));
    assert!(!email_on(&app, &marie, "forum_reply").await);
    assert!(email_on(&app, &marie, "forum_topic").await);

    // Opened again: it says so, with no button.
    let again = open(&app, &link, None).await;
    let text = html(&again);
    assert!(text.contains("Déjà désabonné"), "{text}");
    assert!(!text.contains("<form"), "{text}");
}

#[actix_web::test]
async fn the_page_speaks_the_recipients_language() {
    let app = TestApp::new();
    let (john, john_id) = app.user("john@example.com", Role::Student).await;
    app.put(
        "/api/notifications/settings",
        Some(&john),
        json!({"locale": "en"}),
    )
    .await
    .assert_ok(200);
    let link = unsubscribe_link(&app, john_id, "quiz_deadline");
    // The recipient's language wins over the browser's.
    let text = html(&open(&app, &link, Some("fr-FR")).await).to_owned();
    assert!(text.contains("<html lang=\"en\">"), "{text}");
    assert!(text.contains("Stop receiving e-mails about quiz deadline reminders"));
    assert!(text.contains(">Unsubscribe</button>"), "{text}");
}

#[actix_web::test]
async fn a_broken_or_expired_link_gets_a_page_that_says_so() {
    let app = TestApp::new();
    let (_, id) = app.user("marie@example.com", Role::Student).await;
    let link = unsubscribe_link(&app, id, "forum_reply");

    let forged = format!("{}x", link);
    let res = open(&app, &forged, Some("en-GB,en;q=0.9")).await;
    assert_eq!(res.status.as_u16(), 401);
    assert!(html(&res).contains("Expired or invalid link"));
    let res = open(&app, &forged, None).await;
    assert_eq!(res.status.as_u16(), 401);
    assert!(html(&res).contains("Lien expiré ou invalide"));

    // Cut short when copied: no token at all.
    let res = open(
        &app,
        "/api/notifications/unsubscribe?type=forum_reply",
        None,
    )
    .await;
    assert_eq!(res.status.as_u16(), 422);
    assert!(html(&res).contains("Lien incomplet"));

    // The button of a page left open past the link's life.
    app.clock.advance(chrono::Duration::days(400));
    let res = press_the_button(&app, &link).await;
    assert_eq!(res.status.as_u16(), 401);
    assert!(html(&res).contains("Lien expiré ou invalide"));
    // A mail client's one-click POST still gets the JSON envelope.
    let res = app
        .raw(
            TestRequest::post()
                .uri(&link)
                .insert_header(("Content-Type", "application/x-www-form-urlencoded"))
                .set_payload("List-Unsubscribe=One-Click"),
        )
        .await;
    res.assert_error(401, "INVALID_TOKEN");
}
