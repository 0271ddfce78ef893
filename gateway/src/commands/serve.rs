//! `serve`: the HTTP server. SIGTERM stops it gracefully (in-flight requests
//! get `SHUTDOWN_GRACE_SECS` to finish); SIGINT (Ctrl-C) stops it at once.

use actix_web::HttpServer;
use mdsc_core::Error;

use crate::app::build_app;
use crate::commands::{app_state, open_database};
use crate::config::Config;

/// Seconds in-flight requests get to finish after a stop signal.
const SHUTDOWN_GRACE_SECS: u64 = 30;

pub async fn serve(config: Config) -> Result<(), Error> {
    let pool = open_database(&config)?;
    let bind_addr = config.bind_addr.clone();
    log::info!(
        "MDSC API {} on http://{bind_addr} ({:?} database, docs at {}/api/docs)",
        env!("CARGO_PKG_VERSION"),
        config.database_url.backend(),
        config.public_url
    );
    warn_about_jitsi(&config.live);
    let state = app_state(config, pool)?;
    crate::worker::start(state.clone())?;
    end_streams_on_stop(state.hub.clone());
    HttpServer::new(move || build_app(state.clone()))
        .bind(&bind_addr)
        .map_err(|e| Error::config(format!("cannot listen on {bind_addr}: {e}")))?
        .shutdown_timeout(SHUTDOWN_GRACE_SECS)
        .run()
        .await
        .map_err(|e| Error::internal(format!("server error: {e}")))
}

/// Event streams never finish by themselves: on SIGTERM end them, so the
/// graceful stop waits for real requests only.
fn end_streams_on_stop(hub: crate::realtime::Hub) {
    #[cfg(unix)]
    actix_web::rt::spawn(async move {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut terminate) => {
                terminate.recv().await;
                hub.shutdown();
            }
            Err(e) => log::warn!("cannot watch SIGTERM to end event streams: {e}"),
        }
    });
    #[cfg(not(unix))]
    drop(hub);
}

/// meet.jit.si cuts embedded meetings after 5 minutes and makes whoever logs
/// in first the moderator: fine for a demo, not for teaching.
fn warn_about_jitsi(live: &mdsc_live::LiveSettings) {
    if live.provider == mdsc_live::JitsiProvider::Public {
        log::warn!(
            "JITSI_PROVIDER=public on {}: no room tokens, so the backend cannot make instructors moderators{}. Use `selfhosted` or `jaas` in production (docs/jitsi.md).",
            live.server_url,
            if mdsc_live::jitsi::domain_of(&live.server_url) == "meet.jit.si" {
                ", and meet.jit.si ends embedded meetings after 5 minutes"
            } else {
                ""
            }
        );
    }
}
