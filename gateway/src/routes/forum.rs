//! Course forums (seed §4.2.2).

use utoipa_actix_web::service_config::ServiceConfig;

/// Registers the forum routes.
pub fn configure(_cfg: &mut ServiceConfig) {}
