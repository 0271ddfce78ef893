//! The actix application: routes under /api, the OpenAPI document, the docs
//! page, error handling and middleware. Used by `serve` and by the tests.

use actix_cors::Cors;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::middleware::{Condition, ErrorHandlers, from_fn};
use actix_web::{App, HttpResponse, web};
use utoipa_swagger_ui::SwaggerUi;

use crate::error::{envelope_non_json_errors, json_error, not_found, path_error, query_error};
use crate::openapi::openapi;
use crate::routes;
use crate::state::AppState;

/// The application, ready for `HttpServer::new` or `actix_web::test::init_service`.
pub fn build_app(
    state: AppState,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    // Installed before the first request is counted (once per process).
    let _ = crate::metrics::handle();
    let json_limit = state.config.max_json_body_bytes;
    let cors_origins = state.config.cors_allowed_origins.clone();
    // Registered ahead of the /api scope: once a scope's prefix matches,
    // actix never falls back to routes registered after it.
    App::new()
        .app_data(web::Data::new(state))
        .app_data(
            web::JsonConfig::default()
                .limit(json_limit)
                .error_handler(json_error),
        )
        .app_data(web::PathConfig::default().error_handler(path_error))
        .app_data(web::QueryConfig::default().error_handler(query_error))
        .route("/metrics", web::get().to(crate::metrics::route::metrics))
        .route(
            "/api/openapi.json",
            web::get().to(|| async { HttpResponse::Ok().json(openapi()) }),
        )
        .route(
            "/api/docs",
            web::get().to(|| async {
                HttpResponse::Found()
                    .insert_header(("Location", "/api/docs/"))
                    .finish()
            }),
        )
        .service(
            SwaggerUi::new("/api/docs/{_:.*}").url("/api/docs/openapi.json", openapi().clone()),
        )
        .service(web::scope("/api").configure(|cfg| {
            let mut utoipa_cfg = utoipa_actix_web::service_config::ServiceConfig::new(cfg);
            routes::configure(&mut utoipa_cfg);
        }))
        .default_service(web::to(not_found))
        .wrap(from_fn(crate::methods::head_as_get))
        .wrap(Condition::new(
            !cors_origins.is_empty(),
            cors(&cors_origins),
        ))
        // Outside CORS, so that its refusals get the envelope too.
        .wrap(ErrorHandlers::new().default_handler(envelope_non_json_errors))
        // Outermost: its id and timing cover everything above.
        .wrap(from_fn(crate::request_log::observe))
}

fn cors(origins: &[String]) -> Cors {
    let mut cors = Cors::default()
        .allow_any_method()
        .allow_any_header()
        // Browsers hide response headers from scripts of another origin
        // unless they are named here; a client needs Retry-After after a 429,
        // ETag and Content-Disposition to cache and save calendar files,
        // Link and X-Total-Count to page through lists answered as arrays.
        .expose_headers([
            actix_web::http::header::RETRY_AFTER,
            actix_web::http::header::ETAG,
            actix_web::http::header::CONTENT_DISPOSITION,
            actix_web::http::header::LINK,
            crate::page_headers::X_TOTAL_COUNT,
        ])
        .max_age(3600);
    for origin in origins {
        cors = if origin == "*" {
            cors.allow_any_origin()
        } else {
            cors.allowed_origin(origin)
        };
    }
    cors
}
