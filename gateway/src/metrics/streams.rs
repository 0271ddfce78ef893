//! Event streams open and events delivered, by channel (`notifications`,
//! `chat`, `topic`…: a fixed set, one per kind of stream).

pub const OPEN: &str = "mdsc_event_streams_open";
pub const DELIVERED: &str = "mdsc_stream_events_delivered_total";

/// Counts a stream open while it lives.
#[derive(Debug)]
pub struct OpenStream {
    channel: &'static str,
}

impl OpenStream {
    pub fn new(channel: &'static str) -> Self {
        metrics::gauge!(OPEN, "channel" => channel).increment(1.0);
        Self { channel }
    }

    /// `count` events written to this stream.
    pub fn delivered(&self, count: usize) {
        if count > 0 {
            metrics::counter!(DELIVERED, "channel" => self.channel).increment(count as u64);
        }
    }
}

impl Drop for OpenStream {
    fn drop(&mut self) {
        metrics::gauge!(OPEN, "channel" => self.channel).decrement(1.0);
    }
}
