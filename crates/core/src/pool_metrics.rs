//! What waiting for a pooled connection costs, through the `metrics`
//! facade (recorded only where the program installed a recorder: the
//! gateway's `/metrics`). Connections in use and idle are read from the
//! pool when metrics are scraped; waits can only be seen as they happen.

use r2d2::HandleEvent;
use r2d2::event::{CheckoutEvent, TimeoutEvent};

/// Counter: connections taken from the pool.
pub const CHECKOUTS: &str = "mdsc_db_pool_checkouts_total";
/// Histogram (seconds): how long each checkout waited for a connection.
pub const CHECKOUT_WAIT: &str = "mdsc_db_pool_checkout_wait_seconds";
/// Counter: checkouts that gave up (no connection within the timeout).
pub const CHECKOUT_TIMEOUTS: &str = "mdsc_db_pool_checkout_timeouts_total";

#[derive(Debug, Clone, Copy, Default)]
pub struct PoolMetrics;

impl HandleEvent for PoolMetrics {
    fn handle_checkout(&self, event: CheckoutEvent) {
        metrics::counter!(CHECKOUTS).increment(1);
        metrics::histogram!(CHECKOUT_WAIT).record(event.duration().as_secs_f64());
    }

    fn handle_timeout(&self, event: TimeoutEvent) {
        metrics::counter!(CHECKOUT_TIMEOUTS).increment(1);
        metrics::histogram!(CHECKOUT_WAIT).record(event.timeout().as_secs_f64());
    }
}
