//! Which request a log line belongs to.
//!
//! The request middleware gives each request a [`RequestContext`] (its id,
//! and the caller's user id once a token is verified) and runs the request
//! inside it; database work on the blocking pool enters it on its thread
//! ([`RequestContext::enter`]), so a line logged by a service deep in a
//! domain crate still carries the id of the request that caused it.

use std::cell::RefCell;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};

use actix_web::http::header::{HeaderName, HeaderValue};

/// The header a client or proxy may send, echoed on every response.
pub const X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The longest id accepted from a client: a UUID is 36 characters, a W3C
/// trace id 32; room for a proxy's prefix, not for a log flood.
pub const MAX_ID_LENGTH: usize = 128;

#[derive(Debug, Clone)]
pub struct RequestContext {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    id: String,
    /// The caller's user id from a verified token (0: none yet).
    user_id: AtomicI64,
}

tokio::task_local! {
    static TASK: RequestContext;
}

thread_local! {
    static THREAD: RefCell<Option<RequestContext>> = const { RefCell::new(None) };
}

impl RequestContext {
    pub fn new(id: String) -> Self {
        Self {
            inner: Arc::new(Inner {
                id,
                user_id: AtomicI64::new(0),
            }),
        }
    }

    pub fn id(&self) -> &str {
        &self.inner.id
    }

    /// Records whose request this is (from a verified token).
    pub fn set_user(&self, user_id: i32) {
        self.inner
            .user_id
            .store(i64::from(user_id), Ordering::Relaxed);
    }

    pub fn user_id(&self) -> Option<i64> {
        match self.inner.user_id.load(Ordering::Relaxed) {
            0 => None,
            id => Some(id),
        }
    }

    /// The context of the request being served on this task or thread.
    pub fn current() -> Option<Self> {
        TASK.try_with(Clone::clone)
            .ok()
            .or_else(|| THREAD.with(|current| current.borrow().clone()))
    }

    /// Runs `future` (the request) inside this context.
    pub async fn scope<F: Future>(self, future: F) -> F::Output {
        TASK.scope(self, future).await
    }

    /// Makes this the current context of this thread until the guard is
    /// dropped: for work the request hands to the blocking pool.
    pub fn enter(&self) -> Entered {
        let previous = THREAD.with(|current| current.borrow_mut().replace(self.clone()));
        Entered { previous }
    }
}

/// Restores the thread's previous context when dropped.
pub struct Entered {
    previous: Option<RequestContext>,
}

impl Drop for Entered {
    fn drop(&mut self) {
        let previous = self.previous.take();
        THREAD.with(|current| *current.borrow_mut() = previous);
    }
}

/// The client's or proxy's id when it is one we can log safely: 1 to
/// [`MAX_ID_LENGTH`] characters among letters, digits and `-_.:/+=@`.
pub fn incoming_id(value: Option<&HeaderValue>) -> Option<String> {
    let id = value?.to_str().ok()?.trim();
    let safe = |c: char| c.is_ascii_alphanumeric() || "-_.:/+=@".contains(c);
    (!id.is_empty() && id.len() <= MAX_ID_LENGTH && id.chars().all(safe)).then(|| id.to_owned())
}

/// A new id: 16 random bytes in hex (or, should the OS refuse randomness,
/// a process-unique counter, which still ties one request's lines together).
pub fn generate_id() -> String {
    static FALLBACK: AtomicU64 = AtomicU64::new(0);
    mdsc_core::random::random_hex(16).unwrap_or_else(|_| {
        format!(
            "local-{}-{}",
            std::process::id(),
            FALLBACK.fetch_add(1, Ordering::Relaxed)
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(text: &str) -> HeaderValue {
        HeaderValue::from_str(text).unwrap()
    }

    #[test]
    fn a_clients_id_is_kept_only_when_it_is_short_and_plain() {
        let uuid = "3f1c2a9e-5b7d-4e8f-9a0b-1c2d3e4f5a6b";
        assert_eq!(incoming_id(Some(&header(uuid))).as_deref(), Some(uuid));
        assert_eq!(incoming_id(None), None);
        for bad in ["", "a b", "x\"y", "<script>", &"a".repeat(129)] {
            assert_eq!(incoming_id(Some(&header(bad))), None, "{bad:?}");
        }
    }

    #[test]
    fn a_thread_entered_by_a_request_sees_it_until_the_guard_drops() {
        let context = RequestContext::new("abc".into());
        assert!(RequestContext::current().is_none());
        {
            let _entered = context.enter();
            assert_eq!(RequestContext::current().unwrap().id(), "abc");
        }
        assert!(RequestContext::current().is_none());
    }
}
