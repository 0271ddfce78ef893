//! The OpenAPI document, collected once from the same route table the
//! application serves, so it cannot drift from the code, then completed in
//! one place: what is true of the project (`info`), the bearer scheme, and
//! the error statuses every route can answer because of how its input is
//! read (see [`common_responses`]).

mod common_responses;
mod creation_bodies;

use std::sync::OnceLock;

use actix_web::App;
use utoipa::openapi::OpenApi;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{Info, License};
use utoipa_actix_web::AppExt;

use crate::routes;

/// The document served at `/api/openapi.json` and by the docs page.
pub fn openapi() -> &'static OpenApi {
    static DOC: OnceLock<OpenApi> = OnceLock::new();
    DOC.get_or_init(|| {
        let (_, api) = App::new()
            .into_utoipa_app()
            .service(utoipa_actix_web::scope("/api").configure(routes::configure))
            .split_for_parts();
        document(api)
    })
}

fn document(mut api: OpenApi) -> OpenApi {
    api.info = info();
    let components = api.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        "bearer",
        SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(HttpAuthScheme::Bearer)
                .bearer_format("JWT")
                .build(),
        ),
    );
    creation_bodies::require_on_create(&mut api);
    common_responses::complete(&mut api);
    api
}

/// Only what is true of this project. utoipa fills `contact` from the
/// crate's `authors` and would name people who have nothing to do with it;
/// a repository address goes here once the project owns one.
fn info() -> Info {
    let mut info = Info::new("MDSC learning platform API", env!("CARGO_PKG_VERSION"));
    info.description = Some(
        "Backend of the MDSC learning platform: courses and their structure, enrollments \
         and progress, certificates, live courses on Jitsi Meet, study schedules with \
         calendar feeds, course ratings and course forums.\n\n\
         Every answer is an envelope: {\"success\": true, \"data\": …} or \
         {\"success\": false, \"message\", \"code\", \"errors\"?}; `code` is a stable machine \
         code, listed with each status below. Lists are paginated with ?page= (from 1) and \
         ?limit= (default 20, at most 100), or with ?after= and the cursor of the previous \
         page. HEAD is answered wherever GET is."
            .to_owned(),
    );
    let mut license = License::new(env!("CARGO_PKG_LICENSE"));
    license.identifier = Some(env!("CARGO_PKG_LICENSE").to_owned());
    info.license = Some(license);
    info
}
