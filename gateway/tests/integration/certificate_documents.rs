//! A certificate a person can show (issue 19): the verification link
//! answers browsers with a printable page, PDF readers with a PDF, API
//! clients with JSON. The page is rendered and printed by headless
//! Chromium (Debian's `chromium`; CI installs it and sets
//! `MDSC_REQUIRE_CHROMIUM=1`), and both PDFs are parsed back.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

use actix_web::test::TestRequest;
use mdsc_auth::Role;
use serde_json::json;

use crate::common::{Response, TestApp};

struct Issued {
    code: String,
    learner: &'static str,
    course: String,
}

async fn issued(app: &TestApp) -> Issued {
    let (prof, _) = app.user("prof@example.com", Role::Instructor).await;
    app.put(
        "/api/auth/me",
        Some(&prof),
        json!({"first_name": "Awa", "last_name": "Diallo"}),
    )
    .await
    .assert_ok(200);
    let f = app.course_with_content(&prof).await;
    let (student, _) = app.user("student@example.com", Role::Student).await;
    app.put(
        "/api/auth/me",
        Some(&student),
        json!({"first_name": "Élodie", "last_name": "Noël"}),
    )
    .await
    .assert_ok(200);
    let eid = app.complete_course(&student, &f).await;
    let certificate = app
        .post(
            &format!("/api/enrollments/{eid}/certificate"),
            Some(&student),
            json!({}),
        )
        .await;
    let code = certificate.assert_ok(200)["verification_code"]
        .as_str()
        .unwrap()
        .to_owned();
    Issued {
        code,
        learner: "Élodie Noël",
        course: "Découvrir Rust".to_owned(),
    }
}

async fn fetch(app: &TestApp, path: &str, accept: Option<&str>) -> (u16, String, Vec<u8>) {
    let mut req = TestRequest::get().uri(path);
    if let Some(accept) = accept {
        req = req.insert_header(("Accept", accept));
    }
    let res: Response = app.raw(req).await;
    let content_type = res
        .headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    (res.status.as_u16(), content_type, res.bytes.to_vec())
}

/// The PDF parses, has one page, and its text holds each needle.
fn assert_pdf(bytes: &[u8], needles: &[&str]) {
    assert!(bytes.starts_with(b"%PDF-"), "not a PDF");
    let doc = lopdf::Document::load_mem(bytes).expect("the PDF parses");
    let pages = doc.get_pages();
    assert_eq!(pages.len(), 1, "one page");
    let text = doc
        .extract_text(&pages.keys().copied().collect::<Vec<_>>())
        .unwrap();
    for needle in needles {
        assert!(
            text.contains(needle),
            "{needle:?} not in the PDF's text: {text:?}"
        );
    }
}

fn chromium() -> Option<PathBuf> {
    let named = std::env::var_os("CHROMIUM").map(PathBuf::from);
    let found = named
        .into_iter()
        .chain(["/usr/bin/chromium", "/usr/bin/chromium-browser"].map(PathBuf::from))
        .find(|p| p.exists());
    if found.is_none() && std::env::var("MDSC_REQUIRE_CHROMIUM").is_ok_and(|v| v == "1") {
        panic!(
            "MDSC_REQUIRE_CHROMIUM=1 but no chromium: install Debian's chromium or set CHROMIUM"
        );
    }
    found
}

fn run_chromium(chromium: &Path, args: &[&str]) -> String {
    let out = Command::new("timeout")
        .arg("120")
        .arg(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
        ])
        .args(args)
        .output()
        .expect("chromium runs");
    assert!(
        out.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[actix_web::test]
async fn the_verification_link_answers_a_browser_with_a_printable_page() {
    let app = TestApp::new();
    let c = issued(&app).await;
    let path = format!("/api/certificates/verify/{}", c.code);
    let firefox = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
    let (status, content_type, body) = fetch(&app, &path, Some(firefox)).await;
    assert_eq!(status, 200);
    assert!(content_type.starts_with("text/html"), "{content_type}");
    let html = String::from_utf8(body).unwrap();
    for needle in [
        c.learner,
        c.course.as_str(),
        "Awa Diallo",
        c.code.as_str(),
        "15 janvier 2026",
    ] {
        assert!(html.contains(needle), "{needle:?} not in the page");
    }
    assert!(html.contains(&format!("href=\"/api/certificates/verify/{}.pdf\"", c.code)));

    let Some(chromium) = chromium() else {
        eprintln!("chromium not found: the page was checked as text only");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("certificate.html");
    std::fs::write(&file, &html).unwrap();
    let url = format!("file://{}", file.display());
    // The DOM Chromium built from the page holds every part in place.
    let dom = run_chromium(&chromium, &["--dump-dom", &url]);
    assert!(
        dom.contains(&format!(
            "<p class=\"learner\" id=\"learner\">{}</p>",
            c.learner
        )),
        "{dom}"
    );
    assert!(dom.contains(&format!("<code id=\"code\">{}</code>", c.code)));
    // Printed, it fits on one page.
    let printed = dir.path().join("printed.pdf");
    run_chromium(
        &chromium,
        &[
            "--no-pdf-header-footer",
            &format!("--print-to-pdf={}", printed.display()),
            &url,
        ],
    );
    let bytes = std::fs::read(&printed).unwrap();
    let doc = lopdf::Document::load_mem(&bytes).expect("Chromium's PDF parses");
    assert_eq!(
        doc.get_pages().len(),
        1,
        "the printed certificate takes one page"
    );
}

#[actix_web::test]
async fn the_certificate_comes_as_a_pdf_by_suffix_or_accept() {
    let app = TestApp::new();
    let c = issued(&app).await;
    for (path, accept) in [
        (format!("/api/certificates/verify/{}.pdf", c.code), None),
        (
            format!("/api/certificates/verify/{}", c.code),
            Some("application/pdf"),
        ),
    ] {
        let (status, content_type, body) = fetch(&app, &path, accept).await;
        assert_eq!(status, 200, "{path}");
        assert_eq!(content_type, "application/pdf");
        assert_pdf(&body, &[c.code.as_str(), "Awa Diallo", "Rust"]);
    }
}

#[actix_web::test]
async fn api_clients_keep_json_and_unknown_codes_are_not_found_in_each_format() {
    let app = TestApp::new();
    let c = issued(&app).await;
    let path = format!("/api/certificates/verify/{}", c.code);
    for accept in [None, Some("application/json"), Some("*/*")] {
        let (status, content_type, body) = fetch(&app, &path, accept).await;
        assert_eq!(status, 200);
        assert!(
            content_type.starts_with("application/json"),
            "{accept:?}: {content_type}"
        );
        let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(json["data"]["valid"], true);
        assert_eq!(json["data"]["instructor"]["last_name"], "Diallo");
        assert_eq!(json["data"]["student"]["first_name"], "Élodie");
        assert!(json["data"]["completed_at"].is_string());
    }
    let unknown = "/api/certificates/verify/0123456789abcdef0123456789abcdef";
    let (status, content_type, body) = fetch(&app, unknown, Some("text/html")).await;
    assert_eq!(status, 404);
    assert!(content_type.starts_with("text/html"));
    assert!(
        String::from_utf8(body)
            .unwrap()
            .contains("Certificat introuvable")
    );
    let (status, _, _) = fetch(&app, &format!("{unknown}.pdf"), None).await;
    assert_eq!(status, 404);
    app.get(unknown, None).await.assert_error(404, "NOT_FOUND");
}
