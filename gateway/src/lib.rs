//! mdsc-gateway: the HTTP face of the MDSC platform. Thin handlers over the
//! domain crates, the JSON envelope, the OpenAPI document, configuration and
//! the command-line sub-commands.

pub mod app;
pub mod certificate_document;
pub mod client_address;
pub mod commands;
pub mod config;
pub mod envelope;
pub mod error;
pub mod extract;
pub mod html_text;
pub mod json_input;
pub mod lanes;
pub mod limits;
pub mod logging;
pub mod methods;
pub mod metrics;
pub mod openapi;
pub mod page_headers;
pub mod personal_data;
pub mod realtime;
pub mod request_context;
pub mod request_log;
pub mod roster_csv;
pub mod routes;
pub mod state;
pub mod worker;
pub mod worker_beat;

pub use app::build_app;
pub use config::Config;
pub use state::AppState;
