//! PostgreSQL: `LISTEN mdsc_realtime` on a connection of its own.

use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use super::hub::{pause, stopped};
use super::router::Router;
use super::signal::{Signal, parse_payload};
use diesel::prelude::*;
use diesel::sql_types::Text;

/// How often received notifications are read off the socket: the bound on
/// the delay this adds. Reading is a non-blocking `PQconsumeInput`.
const READ_EVERY: Duration = Duration::from_millis(10);
/// A connection that died without a word is noticed by a query this often.
const CHECK_EVERY: Duration = Duration::from_secs(30);
const RECONNECT_AFTER: Duration = Duration::from_secs(2);

pub(super) fn run(url: &str, router: &Router, stop: &AtomicBool) {
    while !stopped(stop) {
        match connect(url) {
            Ok((mut conn, schema)) => {
                log::info!("real-time: listening on PostgreSQL (schema {schema})");
                // Whatever committed before LISTEN took effect is read now.
                router.dispatch(Signal::Resync);
                if let Err(e) = listen(&mut conn, &schema, router, stop) {
                    log::warn!("real-time: PostgreSQL listener lost ({e}); reconnecting");
                }
            }
            Err(e) => log::warn!("real-time: cannot listen on PostgreSQL ({e}); retrying"),
        }
        pause(RECONNECT_AFTER, stop);
    }
}

/// The listener's connection parameters, added to `DATABASE_URL`'s: a
/// name to find it by in `pg_stat_activity`, and TCP keepalives so a
/// connection dropped without a word (a NAT or firewall timeout, a
/// failover) fails within about a minute instead of hanging the check.
const LISTENER_PARAMS: &str = "application_name=mdsc-realtime&keepalives=1&keepalives_idle=30\
    &keepalives_interval=10&keepalives_count=3&tcp_user_timeout=60000";

fn listener_url(url: &str) -> String {
    let separator = if url.contains('?') { '&' } else { '?' };
    format!("{url}{separator}{LISTENER_PARAMS}")
}

fn connect(url: &str) -> Result<(PgConnection, String), String> {
    let mut conn = PgConnection::establish(&listener_url(url)).map_err(|e| e.to_string())?;
    diesel::sql_query("LISTEN mdsc_realtime")
        .execute(&mut conn)
        .map_err(|e| e.to_string())?;
    // The triggers name the schema the row was written in: the one this
    // URL's search_path selects.
    let schema: String = diesel::select(diesel::dsl::sql::<Text>("current_schema()"))
        .get_result(&mut conn)
        .map_err(|e| e.to_string())?;
    Ok((conn, schema))
}

fn listen(
    conn: &mut PgConnection,
    schema: &str,
    router: &Router,
    stop: &AtomicBool,
) -> Result<(), String> {
    let mut checked = Instant::now();
    while !stopped(stop) {
        for notification in conn.notifications_iter() {
            let notification = notification.map_err(|e| e.to_string())?;
            if let Some(signal) = parse_payload(&notification.payload, schema) {
                router.dispatch(signal);
            }
        }
        if checked.elapsed() >= CHECK_EVERY {
            diesel::sql_query("SELECT 1")
                .execute(conn)
                .map_err(|e| e.to_string())?;
            checked = Instant::now();
        }
        std::thread::sleep(READ_EVERY);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_listener_parameters_follow_the_url_s_own() {
        assert_eq!(
            listener_url("postgres://db/mdsc"),
            format!("postgres://db/mdsc?{LISTENER_PARAMS}")
        );
        assert_eq!(
            listener_url("postgres://db/mdsc?sslmode=require"),
            format!("postgres://db/mdsc?sslmode=require&{LISTENER_PARAMS}")
        );
        assert!(!LISTENER_PARAMS.contains(' '));
    }
}
