//! Bounds on the blocking threads requests occupy. Diesel is synchronous, so
//! each database call runs on a blocking thread; without a bound, 1,000
//! concurrent requests park 1,000 threads (and their stacks and allocator
//! arenas: 285 MB under a login flood) waiting for 8 pooled connections.
//! A request first waits here, as a cheap future and in arrival order, for
//! one of as many places as the pool has connections; past
//! `LANE_WAIT` it gets `503 DATABASE_BUSY`, like a pool timeout.
//!
//! Sign-in and sign-up have a lane of their own: they wait for a password
//! hasher and must not hold places that reads need. Their lane waits as long
//! as the hasher queue does (2 s by default), then answers `503 SERVER_BUSY`.

use std::sync::Arc;
use std::time::Duration;

use mdsc_core::Error;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// As long as a request waits for a pooled connection.
pub const LANE_WAIT: Duration = Duration::from_secs(10);

#[derive(Clone)]
pub struct Lanes {
    database: Lane,
    sign_in: Lane,
}

#[derive(Clone)]
struct Lane {
    places: Arc<Semaphore>,
    wait: Duration,
    /// The `503` code once `wait` is over.
    code: &'static str,
}

impl Lanes {
    /// `width` places in each lane (the pool's size); sign-ins wait at most
    /// `sign_in_wait` for theirs.
    pub fn new(width: u32, sign_in_wait: Duration) -> Self {
        Self::with_waits(width, LANE_WAIT, sign_in_wait)
    }

    pub fn with_waits(width: u32, database_wait: Duration, sign_in_wait: Duration) -> Self {
        let width = usize::try_from(width.max(1)).unwrap_or(1);
        let lane = |wait, code| Lane {
            places: Arc::new(Semaphore::new(width)),
            wait,
            code,
        };
        Self {
            database: lane(database_wait, "DATABASE_BUSY"),
            sign_in: lane(sign_in_wait, "SERVER_BUSY"),
        }
    }

    pub async fn database(&self) -> Result<OwnedSemaphorePermit, Error> {
        self.database.enter().await
    }

    pub async fn sign_in(&self) -> Result<OwnedSemaphorePermit, Error> {
        self.sign_in.enter().await
    }
}

impl Lane {
    async fn enter(&self) -> Result<OwnedSemaphorePermit, Error> {
        let place = Arc::clone(&self.places).acquire_owned();
        match tokio::time::timeout(self.wait, place).await {
            Ok(Ok(permit)) => Ok(permit),
            // Closed never happens (the semaphore is never closed); busy either way.
            Ok(Err(_)) | Err(_) => Err(Error::unavailable(
                self.code,
                "The service is busy, try again in a moment",
                1,
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[actix_web::test]
    async fn a_full_lane_is_busy_after_the_wait_and_the_other_lane_is_free() {
        let lanes = Lanes::with_waits(2, Duration::from_millis(50), Duration::from_millis(50));
        let first = lanes.database().await;
        let second = lanes.database().await;
        assert!(first.is_ok() && second.is_ok());
        let busy = lanes.database().await.err();
        assert!(busy.is_some_and(|e| e.code == "DATABASE_BUSY"
            && e.kind == mdsc_core::ErrorKind::Unavailable
            && e.retry_after_secs == Some(1)));
        // Sign-ins do not take the places of reads, nor the reverse.
        let sign_ins = (lanes.sign_in().await, lanes.sign_in().await);
        assert!(sign_ins.0.is_ok() && sign_ins.1.is_ok());
        let busy = lanes.sign_in().await.err();
        assert!(busy.is_some_and(|e| e.code == "SERVER_BUSY"));
        drop(first);
        assert!(lanes.database().await.is_ok());
    }
}
