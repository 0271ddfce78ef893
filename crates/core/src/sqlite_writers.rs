//! Writers to one SQLite file take turns in arrival order.
//!
//! SQLite lets one connection write at a time. A connection that finds the
//! write lock taken sleeps in SQLite's busy handler (1, 2, 5 … 100 ms) and
//! tries again, and whoever asks at the moment the lock is free gets it: with
//! 16 concurrent writers an unlucky one kept losing for 1.5–2 s while each
//! write held the lock a few milliseconds. Queueing writers of this process
//! in front of `BEGIN IMMEDIATE` hands the lock over as soon as it is free,
//! first come first served, so the longest wait is the queue ahead of you.
//!
//! The queue only orders this process's writers; another process (a second
//! replica on the same file, the `sqlite3` shell) still meets SQLite's own
//! lock and busy timeout. A writer that waits longer than the busy timeout
//! stops queueing and goes to SQLite directly, so a transaction held open
//! for a long time cannot wedge the queue behind it.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

/// The writers of one database file, in arrival order.
#[derive(Default)]
pub struct WriterQueue {
    state: Mutex<QueueState>,
    changed: Condvar,
}

#[derive(Default)]
struct QueueState {
    writing: bool,
    waiting: VecDeque<u64>,
    next_ticket: u64,
}

/// A writer's turn; the next writer goes when it is dropped.
pub struct Turn {
    queue: Arc<WriterQueue>,
}

impl Drop for Turn {
    fn drop(&mut self) {
        let mut state = self.queue.lock();
        state.writing = false;
        drop(state);
        self.queue.changed.notify_all();
    }
}

impl WriterQueue {
    /// The queue of the database file at `path` (one per file per process).
    pub fn of(path: &str) -> Arc<WriterQueue> {
        static QUEUES: OnceLock<Mutex<HashMap<String, Arc<WriterQueue>>>> = OnceLock::new();
        let mut queues = QUEUES
            .get_or_init(Default::default)
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        queues.entry(path.to_owned()).or_default().clone()
    }

    /// Waits for this writer's turn, at most `patience`; `None` when it ran
    /// out (the caller then writes without the queue, as SQLite allows).
    pub fn wait_turn(self: &Arc<Self>, patience: Duration) -> Option<Turn> {
        let deadline = Instant::now() + patience;
        let mut state = self.lock();
        let ticket = state.next_ticket;
        state.next_ticket += 1;
        state.waiting.push_back(ticket);
        loop {
            if !state.writing && state.waiting.front() == Some(&ticket) {
                state.waiting.pop_front();
                state.writing = true;
                return Some(Turn {
                    queue: Arc::clone(self),
                });
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                state.waiting.retain(|waiting| *waiting != ticket);
                drop(state);
                // The writer behind may now be first.
                self.changed.notify_all();
                return None;
            }
            state = self
                .changed
                .wait_timeout(state, left)
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .0;
        }
    }

    fn lock(&self) -> MutexGuard<'_, QueueState> {
        // The state stays consistent even if a holder panicked: every
        // change is one assignment made under the lock.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::thread;

    #[test]
    fn writers_go_one_at_a_time_in_arrival_order() {
        let queue = Arc::new(WriterQueue::default());
        let first = queue.wait_turn(Duration::from_secs(5)).expect("free");
        let order = Arc::new(Mutex::new(Vec::new()));
        let inside = Arc::new(AtomicUsize::new(0));
        let mut writers = Vec::new();
        for n in 0..4 {
            let (writer_queue, order, inside) = (queue.clone(), order.clone(), inside.clone());
            writers.push(thread::spawn(move || {
                let _turn = writer_queue
                    .wait_turn(Duration::from_secs(5))
                    .expect("turn");
                assert_eq!(inside.fetch_add(1, Ordering::SeqCst), 0, "one writer");
                order.lock().unwrap().push(n);
                thread::sleep(Duration::from_millis(5));
                inside.fetch_sub(1, Ordering::SeqCst);
            }));
            // Let writer n queue before writer n + 1 arrives.
            while queue.lock().waiting.len() < n + 1 {
                thread::yield_now();
            }
        }
        drop(first);
        for writer in writers {
            writer.join().unwrap();
        }
        assert_eq!(*order.lock().unwrap(), vec![0, 1, 2, 3]);
    }

    #[test]
    fn a_writer_out_of_patience_leaves_the_queue_to_the_next() {
        let queue = Arc::new(WriterQueue::default());
        let held = queue.wait_turn(Duration::from_secs(5)).expect("free");
        assert!(queue.wait_turn(Duration::from_millis(20)).is_none());
        assert!(queue.lock().waiting.is_empty(), "its ticket is gone");
        drop(held);
        assert!(queue.wait_turn(Duration::from_millis(20)).is_some());
    }
}
