//! A bound on password hashing. One argon2id hash takes 19 MiB of memory and
//! tens of milliseconds of a core: 200 logins at once took 2.2 GB and every
//! database connection. The gate lets `permits` hashes run at once (one per
//! core by default), queues at most `max_waiting` more for at most
//! `max_wait`, and refuses the rest at once with `503 SERVER_BUSY` and
//! `Retry-After`, so a flood costs bounded memory and other requests keep
//! their share of the machine.
//!
//! The hashes run on `permits` threads of the gate's own, not on the
//! callers' threads: the allocator keeps a freed 19 MiB block in the arena
//! of the thread that used it, so hashes spread over hundreds of request
//! threads grew a process to 510 MB; on a few threads of their own, they
//! reuse the same few blocks.

use std::panic::AssertUnwindSafe;
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Condvar, Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant};

use mdsc_core::Error;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HashGateSettings {
    /// Hashes computed at once.
    pub permits: usize,
    /// Requests that may wait for a permit; the next one is refused.
    pub max_waiting: usize,
    /// How long one waits before it is refused.
    pub max_wait: Duration,
}

impl Default for HashGateSettings {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, usize::from);
        Self {
            permits: cores,
            max_waiting: 32 * cores,
            max_wait: Duration::from_secs(2),
        }
    }
}

#[derive(Debug, Default)]
struct Counts {
    running: usize,
    waiting: usize,
}

type Task = Box<dyn FnOnce() + Send + 'static>;

/// Shared by every request of a process (clones share the same bound and
/// the same threads).
#[derive(Debug, Clone)]
pub struct HashGate {
    settings: HashGateSettings,
    state: Arc<(Mutex<Counts>, Condvar)>,
    /// The hashing threads, started on first use; they end with the gate.
    workers: Arc<OnceLock<Mutex<Sender<Task>>>>,
}

impl Default for HashGate {
    fn default() -> Self {
        Self::new(HashGateSettings::default())
    }
}

fn busy() -> Error {
    Error::unavailable(
        "SERVER_BUSY",
        "Too many sign-ins are being checked right now, try again in a moment",
        1,
    )
}

impl HashGate {
    pub fn new(settings: HashGateSettings) -> Self {
        Self {
            settings: HashGateSettings {
                permits: settings.permits.max(1),
                ..settings
            },
            state: Arc::new((Mutex::new(Counts::default()), Condvar::new())),
            workers: Arc::default(),
        }
    }

    pub fn settings(&self) -> HashGateSettings {
        self.settings
    }

    /// Runs `work` (a hash or a verification) on one of the gate's threads
    /// once a permit is free; blocks the calling thread meanwhile, so call
    /// it off the async executor.
    pub fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, Error> {
        self.acquire()?;
        // Released whatever happens below.
        let _permit = Permit(self);
        let (done, result) = mpsc::sync_channel(1);
        let task: Task = Box::new(move || {
            let _ = done.send(work());
        });
        self.workers()
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .send(task)
            .map_err(|_| Error::internal("the password hashing threads stopped"))?;
        // A permit guarantees a free thread, so this waits for the work only.
        result
            .recv()
            .map_err(|_| Error::internal("a password hash panicked"))
    }

    fn workers(&self) -> &Mutex<Sender<Task>> {
        self.workers.get_or_init(|| {
            let (sender, receiver) = mpsc::channel::<Task>();
            let receiver = Arc::new(Mutex::new(receiver));
            for n in 0..self.settings.permits {
                let receiver = Arc::clone(&receiver);
                let spawned = std::thread::Builder::new()
                    .name(format!("password-hash-{n}"))
                    .spawn(move || work_loop(&receiver));
                if let Err(e) = spawned {
                    log::error!("cannot start a password hashing thread: {e}");
                }
            }
            Mutex::new(sender)
        })
    }

    fn acquire(&self) -> Result<(), Error> {
        let (lock, freed) = &*self.state;
        let mut counts = lock.lock().unwrap_or_else(PoisonError::into_inner);
        if counts.running < self.settings.permits {
            counts.running += 1;
            return Ok(());
        }
        if counts.waiting >= self.settings.max_waiting {
            return Err(busy());
        }
        counts.waiting += 1;
        let deadline = Instant::now() + self.settings.max_wait;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                counts.waiting -= 1;
                return Err(busy());
            }
            counts = freed
                .wait_timeout(counts, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
            if counts.running < self.settings.permits {
                counts.waiting -= 1;
                counts.running += 1;
                return Ok(());
            }
        }
    }

    fn release(&self) {
        let (lock, freed) = &*self.state;
        let mut counts = lock.lock().unwrap_or_else(PoisonError::into_inner);
        counts.running = counts.running.saturating_sub(1);
        freed.notify_one();
    }
}

/// Runs tasks until the gate (every sender) is gone. A task that panics is
/// dropped with its answer channel; the thread goes on.
fn work_loop(receiver: &Mutex<Receiver<Task>>) {
    loop {
        let task = receiver
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .recv();
        match task {
            Ok(task) => {
                let _ = std::panic::catch_unwind(AssertUnwindSafe(task));
            }
            Err(_) => return,
        }
    }
}

struct Permit<'a>(&'a HashGate);

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        self.0.release();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(gate: &HashGate) -> (usize, usize) {
        let counts = gate.state.0.lock().unwrap_or_else(PoisonError::into_inner);
        (counts.running, counts.waiting)
    }

    fn wait_until(gate: &HashGate, expected: (usize, usize)) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while counts(gate) != expected && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(5));
        }
        assert_eq!(counts(gate), expected);
    }

    #[test]
    fn at_most_permits_run_at_once_and_the_queue_is_bounded() {
        let gate = HashGate::new(HashGateSettings {
            permits: 2,
            max_waiting: 2,
            max_wait: Duration::from_secs(30),
        });
        let (release, held) = std::sync::mpsc::channel::<()>();
        let held = Arc::new(Mutex::new(held));
        let spawn = |hold: bool| {
            let (gate, held) = (gate.clone(), held.clone());
            std::thread::spawn(move || {
                gate.run(move || {
                    if hold {
                        let _ = held.lock().map(|rx| rx.recv());
                    }
                })
            })
        };
        let holders = [spawn(true), spawn(true)];
        wait_until(&gate, (2, 0));
        let waiters = [spawn(false), spawn(false)];
        wait_until(&gate, (2, 2));
        let refused = gate.run(|| ());
        assert!(refused.is_err_and(|e| e.code == "SERVER_BUSY"
            && e.kind == mdsc_core::ErrorKind::Unavailable
            && e.retry_after_secs == Some(1)));
        for _ in 0..2 {
            release.send(()).ok();
        }
        for t in holders.into_iter().chain(waiters) {
            assert!(
                t.join().is_ok_and(|r| r.is_ok()),
                "the queued ones got through"
            );
        }
        assert_eq!(counts(&gate), (0, 0));
    }

    #[test]
    fn work_runs_on_the_gates_own_threads_which_survive_a_panic() {
        let gate = HashGate::new(HashGateSettings {
            permits: 2,
            max_waiting: 4,
            max_wait: Duration::from_secs(5),
        });
        let names: Vec<String> = (0..6)
            .filter_map(|_| {
                gate.run(|| std::thread::current().name().map(str::to_owned))
                    .ok()
                    .flatten()
            })
            .collect();
        assert_eq!(names.len(), 6);
        assert!(
            names.iter().all(|n| n.starts_with("password-hash-")),
            "{names:?}"
        );
        let panicked = gate.run(|| -> u8 { panic!("a hash failed") });
        assert!(panicked.is_err_and(|e| e.kind == mdsc_core::ErrorKind::Internal));
        assert!(gate.run(|| 7).is_ok_and(|v| v == 7));
        assert_eq!(counts(&gate), (0, 0));
    }

    #[test]
    fn a_waiter_gives_up_after_max_wait() {
        let gate = HashGate::new(HashGateSettings {
            permits: 1,
            max_waiting: 10,
            max_wait: Duration::from_millis(50),
        });
        let holder = {
            let gate = gate.clone();
            std::thread::spawn(move || gate.run(|| std::thread::sleep(Duration::from_millis(400))))
        };
        std::thread::sleep(Duration::from_millis(100));
        let refused = gate.run(|| ());
        assert!(refused.is_err_and(|e| e.code == "SERVER_BUSY"));
        assert!(holder.join().is_ok_and(|r| r.is_ok()));
        // The permit came back: the gate works again.
        assert!(gate.run(|| 7).is_ok_and(|v| v == 7));
    }
}
