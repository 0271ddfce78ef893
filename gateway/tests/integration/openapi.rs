//! The OpenAPI document stays true to the code: it is snapshotted (any route
//! or shape change shows in review), every documented route is served,
//! every operation documents its success answer and the errors its input
//! can produce, and the document is what validators and client generators
//! require.
//!
//! `UPDATE_OPENAPI_SNAPSHOT=1 cargo test -p mdsc-gateway --test integration openapi::`
//! rewrites `tests/snapshots/openapi.json`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use actix_web::http::Method;
use common::TestApp;
use serde_json::Value;

fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            out.push((method.to_uppercase(), path.clone(), op.clone()));
        }
    }
    out
}

#[actix_web::test]
async fn document_matches_the_snapshot() {
    let app = TestApp::new();
    let res = app.get("/api/openapi.json", None).await;
    assert_eq!(res.status.as_u16(), 200);
    let rendered = serde_json::to_string_pretty(&res.body).unwrap() + "\n";
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots/openapi.json");
    if std::env::var("UPDATE_OPENAPI_SNAPSHOT").is_ok() {
        std::fs::write(&path, &rendered).unwrap();
    }
    let expected = std::fs::read_to_string(&path).unwrap();
    assert!(
        rendered == expected,
        "the OpenAPI document changed: review it and set UPDATE_OPENAPI_SNAPSHOT=1"
    );
}

#[actix_web::test]
async fn every_documented_route_is_served() {
    let app = TestApp::new();
    let doc = app.get("/api/openapi.json", None).await.body;
    let ops = operations(&doc);
    assert!(ops.len() >= 30, "only {} operations documented", ops.len());
    for (method, path, _) in ops {
        let concrete: String = path
            .split('/')
            .map(|seg| if seg.starts_with('{') { "1" } else { seg })
            .collect::<Vec<_>>()
            .join("/");
        let method = Method::from_bytes(method.as_bytes()).unwrap();
        let body = if method == Method::GET || method == Method::DELETE {
            None
        } else {
            Some(serde_json::json!({}))
        };
        let res = app.call(method.clone(), &concrete, None, body).await;
        assert_ne!(
            res.body["code"], "ROUTE_NOT_FOUND",
            "{method} {path} is documented but not served"
        );
        assert_ne!(res.status.as_u16(), 500, "{method} {path}: {}", res.body);
    }
}

#[actix_web::test]
async fn every_operation_documents_a_json_success_and_its_path_parameters() {
    let app = TestApp::new();
    let doc = app.get("/api/openapi.json", None).await.body;
    for (method, path, op) in operations(&doc) {
        let responses = op["responses"].as_object().unwrap();
        let success = responses.iter().find(|(status, _)| status.starts_with('2'));
        let (_, success) = success.unwrap_or_else(|| panic!("{method} {path} has no 2xx response"));
        // Calendar files are documented as `text/calendar` and event
        // streams as `text/event-stream`, not JSON.
        let calendar = success["content"]["text/calendar"]["schema"].is_object();
        let events = success["content"]["text/event-stream"]["schema"].is_object();
        // The page behind an e-mail's unsubscribe link is for a person.
        let page = success["content"]["text/html"]["schema"].is_object();
        // The roster export is a spreadsheet file.
        let csv = success["content"]["text/csv"]["schema"].is_object();
        if path != "/api/docs" && !calendar && !events && !page && !csv {
            assert!(
                success["content"]["application/json"]["schema"].is_object(),
                "{method} {path}: no JSON schema"
            );
        }
        let declared: Vec<&str> = op["parameters"]
            .as_array()
            .map(|ps| {
                ps.iter()
                    .filter(|p| p["in"] == "path")
                    .map(|p| p["name"].as_str().unwrap())
                    .collect()
            })
            .unwrap_or_default();
        for segment in path.split('/').filter(|s| s.starts_with('{')) {
            let name = segment.trim_matches(|c| c == '{' || c == '}');
            assert!(
                declared.contains(&name),
                "{method} {path}: path parameter {name} not documented"
            );
        }
    }
}

#[actix_web::test]
async fn every_schema_reference_resolves() {
    let app = TestApp::new();
    let doc = app.get("/api/openapi.json", None).await.body;
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    let mut refs = Vec::new();
    collect_refs(&doc, &mut refs);
    assert!(!refs.is_empty());
    for r in refs {
        let name = r
            .strip_prefix("#/components/schemas/")
            .unwrap_or_else(|| panic!("unexpected $ref {r}"));
        assert!(schemas.contains_key(name), "$ref {r} points to no schema");
    }
}

fn collect_refs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                match (key.as_str(), v) {
                    ("$ref", Value::String(r)) => out.push(r.clone()),
                    _ => collect_refs(v, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect_refs(v, out)),
        _ => {}
    }
}

/// What `openapi-spec-validator` and client generators require, checked on
/// every run: a description on every response, unique `operationId`s a
/// generated client can use as method names, a tag on every operation, and
/// an `info` that names nobody the project does not.
#[actix_web::test]
async fn the_document_is_a_valid_contract_for_client_generators() {
    let app = TestApp::new();
    let doc = app.get("/api/openapi.json", None).await.body;
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    let info = &doc["info"];
    assert!(info.get("contact").is_none(), "info.contact: {info}");
    assert_eq!(info["license"]["identifier"], env!("CARGO_PKG_LICENSE"));
    assert!(info["description"].as_str().unwrap().len() > 100);

    let mut ids = std::collections::BTreeSet::new();
    for (method, path, op) in operations(&doc) {
        let id = op["operationId"]
            .as_str()
            .unwrap_or_else(|| panic!("{method} {path}: no operationId"));
        assert!(
            id.chars().next().unwrap().is_ascii_lowercase()
                && id.chars().all(|c| c.is_ascii_alphanumeric()),
            "{method} {path}: operationId {id} is not lowerCamelCase"
        );
        assert!(ids.insert(id.to_owned()), "operationId {id} is used twice");
        assert!(
            op["tags"].as_array().is_some_and(|t| t.len() == 1),
            "{method} {path}: one tag expected"
        );
        for (status, response) in op["responses"].as_object().unwrap() {
            let description = response["description"].as_str().unwrap_or_default();
            assert!(
                !description.trim().is_empty(),
                "{method} {path} {status}: no description"
            );
        }
    }
}

/// The statuses a route can answer because of how its request is read are
/// declared on it, with the error envelope: a malformed path id (400) or
/// a missing one (404), a query value (400, 422), a JSON body (400, 413,
/// 415, 422), a bearer token (401), and what any request can meet (500,
/// 503).
#[actix_web::test]
async fn every_operation_declares_the_errors_its_input_can_produce() {
    let app = TestApp::new();
    let doc = app.get("/api/openapi.json", None).await.body;
    for (method, path, op) in operations(&doc) {
        let params = op["parameters"].as_array().cloned().unwrap_or_default();
        let reads = |place: &str| params.iter().any(|p| p["in"] == place);
        let mut expected = vec!["500", "503"];
        if reads("path") {
            expected.extend(["400", "404"]);
        }
        if reads("query") {
            expected.extend(["400", "422"]);
        }
        if op["requestBody"]["content"]["application/json"].is_object() {
            expected.extend(["400", "413", "415", "422"]);
        }
        let bearer = op["security"]
            .as_array()
            .is_some_and(|reqs| reqs.iter().any(|r| r.get("bearer").is_some()));
        if bearer {
            expected.push("401");
        }
        let responses = op["responses"].as_object().unwrap();
        for status in expected {
            let response = responses
                .get(status)
                .unwrap_or_else(|| panic!("{method} {path}: {status} not declared"));
            let schema = &response["content"]["application/json"]["schema"]["$ref"];
            let page = response["content"]["text/html"].is_object();
            assert!(
                schema == "#/components/schemas/ErrorBody" || page,
                "{method} {path} {status}: not the error envelope"
            );
        }
    }
}

/// Input fields carry their text rules as `pattern`s, spelled out in each
/// `#[schema]` (utoipa takes only literals): each must be one of the
/// patterns `mdsc_core::text_patterns` holds to the validators.
#[actix_web::test]
async fn every_pattern_in_the_document_is_a_known_text_rule() {
    let app = TestApp::new();
    let doc = app.get("/api/openapi.json", None).await.body;
    let mut patterns = Vec::new();
    collect_patterns(&doc, &mut patterns);
    assert!(patterns.len() >= 40, "only {} patterns", patterns.len());
    for pattern in patterns {
        assert!(
            mdsc_core::text_patterns::ALL.contains(&pattern.as_str()),
            "unknown pattern {pattern}"
        );
    }
}

fn collect_patterns(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                match (key.as_str(), v) {
                    ("pattern", Value::String(p)) => out.push(p.clone()),
                    _ => collect_patterns(v, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect_patterns(v, out)),
        _ => {}
    }
}

/// Creating a module, a lesson or a quiz needs a title (the crate's
/// `a_title_is_required`), though the input type is shared with updates:
/// the document's create bodies say so, and do not offer `null`.
#[actix_web::test]
async fn creation_bodies_require_what_creation_requires() {
    let app = TestApp::new();
    let doc = app.get("/api/openapi.json", None).await.body;
    let mut seen = 0;
    for (_, _, op) in operations(&doc) {
        let id = op["operationId"].as_str().unwrap_or_default();
        let Some(kind) = id
            .strip_prefix("create")
            .filter(|k| ["Module", "Lesson", "Quiz"].contains(k))
        else {
            continue;
        };
        seen += 1;
        let reference = &op["requestBody"]["content"]["application/json"]["schema"]["$ref"];
        assert_eq!(
            reference,
            &format!("#/components/schemas/New{kind}Input"),
            "{id}"
        );
        let schema = &doc["components"]["schemas"][format!("New{kind}Input")];
        assert!(
            schema["required"]
                .as_array()
                .unwrap()
                .contains(&"title".into()),
            "{id}: {schema}"
        );
        assert_eq!(schema["properties"]["title"]["type"], "string", "{id}");
        // Updates keep the optional title.
        let update = &doc["components"]["schemas"][format!("{kind}Input")];
        assert!(update.get("required").is_none(), "{kind}Input: {update}");
    }
    assert_eq!(seen, 3);
}

/// Text fields that take one name out of a list declare the list, from the
/// same code that parses them.
#[actix_web::test]
async fn named_values_are_declared_as_enums() {
    let app = TestApp::new();
    let doc = app.get("/api/openapi.json", None).await.body;
    let schemas = &doc["components"]["schemas"];
    let names = |schema: &Value| -> Vec<String> {
        serde_json::from_value(schema["enum"].clone()).unwrap_or_default()
    };
    assert_eq!(
        names(&schemas["NotificationSettingsUpdate"]["properties"]["locale"]),
        ["fr", "en"]
    );
    assert_eq!(
        names(&schemas["SyncCalendarInput"]["properties"]["calendar_type"]),
        mdsc_schedule::feed::CALENDAR_TYPES
    );
    assert_eq!(
        names(&schemas["ModerateInput"]["properties"]["status"]),
        ["approved", "rejected"]
    );
    let kinds: Vec<&str> = mdsc_notify::kind::NotificationKind::ALL
        .map(mdsc_notify::kind::NotificationKind::as_str)
        .to_vec();
    assert_eq!(names(&schemas["NotificationKind"]), kinds);
}
