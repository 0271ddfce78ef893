//! How many event streams each user, and each client address, has open in
//! this process. Every open stream costs memory (its connection, its place
//! on its channel) and reads when it opens, so one account (a tab opened
//! many times, a client reconnecting in a loop) is held to
//! `SSE_MAX_STREAMS_PER_USER`, and one address (many fresh accounts) to
//! `SSE_MAX_STREAMS_PER_ADDRESS`.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex, PoisonError};

use mdsc_core::Error;

/// Seconds a refused client is told to wait (`Retry-After`).
const RETRY_AFTER_SECS: u64 = 5;

/// Open streams per key: a user id, or a client address.
#[derive(Clone)]
pub struct StreamSlots<K: Hash + Eq + Clone = i32> {
    open: Arc<Mutex<HashMap<K, usize>>>,
    /// "account" or "address", for the refusal's message.
    holder: &'static str,
}

impl<K: Hash + Eq + Clone> StreamSlots<K> {
    pub fn new(holder: &'static str) -> Self {
        Self {
            open: Arc::default(),
            holder,
        }
    }
}

impl Default for StreamSlots<i32> {
    fn default() -> Self {
        Self::new("account")
    }
}

/// One open stream; its place is freed when it is dropped, that is when
/// the stream ends for whatever reason.
pub struct StreamSlot<K: Hash + Eq + Clone = i32> {
    slots: StreamSlots<K>,
    key: K,
}

impl<K: Hash + Eq + Clone> StreamSlots<K> {
    /// A place for one more stream of `key`, or 429 `TOO_MANY_STREAMS`
    /// when `max` are open.
    pub fn claim(&self, key: K, max: usize) -> Result<StreamSlot<K>, Error> {
        let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        let count = open.entry(key.clone()).or_insert(0);
        if *count >= max {
            let mut error = Error::rate_limited(RETRY_AFTER_SECS).with_code("TOO_MANY_STREAMS");
            error.message = format!(
                "{max} event streams are already open for this {}: close one before opening another",
                self.holder
            );
            return Err(error);
        }
        *count += 1;
        Ok(StreamSlot {
            slots: self.clone(),
            key,
        })
    }

    /// Streams `key` has open now.
    pub fn open_for(&self, key: &K) -> usize {
        let open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        open.get(key).copied().unwrap_or(0)
    }
}

impl<K: Hash + Eq + Clone> Drop for StreamSlot<K> {
    fn drop(&mut self) {
        let mut open = self
            .slots
            .open
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(count) = open.get_mut(&self.key) {
            *count = count.saturating_sub(1);
            if *count == 0 {
                // Users come and go: keep only those with streams open.
                open.remove(&self.key);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use mdsc_core::ErrorKind;

    use super::*;

    #[test]
    fn a_user_holds_at_most_max_streams_and_a_closed_one_frees_its_place() {
        let slots = StreamSlots::default();
        let first = slots.claim(1, 2).unwrap();
        let _second = slots.claim(1, 2).unwrap();
        let refused = slots.claim(1, 2).err().unwrap();
        assert_eq!(refused.kind, ErrorKind::RateLimited);
        assert_eq!(refused.code, "TOO_MANY_STREAMS");
        assert_eq!(refused.retry_after_secs, Some(RETRY_AFTER_SECS));
        // Another user is not affected.
        let _other = slots.claim(2, 2).unwrap();
        drop(first);
        assert_eq!(slots.open_for(&1), 1);
        let _third = slots.claim(1, 2).unwrap();
        assert_eq!(slots.open_for(&1), 2);
    }

    #[test]
    fn users_without_streams_are_forgotten() {
        let slots = StreamSlots::default();
        drop(slots.claim(7, 1).unwrap());
        assert_eq!(slots.open_for(&7), 0);
        assert!(slots.open.lock().unwrap().is_empty());
    }
}
