//! The last ids a stream sent, or a fetcher read, in a fixed ring (no
//! allocation): to skip an item met twice (a late item the replay already
//! had, a catch-up overlapping the channel's ring, a notification heard
//! after the read that found its row).

const RECENT: usize = 32;

#[derive(Default)]
pub struct Recent {
    ids: [i32; RECENT],
    next: usize,
    len: usize,
}

impl Recent {
    pub fn contains(&self, id: i32) -> bool {
        self.ids[..self.len].contains(&id)
    }

    pub fn push(&mut self, id: i32) {
        self.ids[self.next] = id;
        self.next = (self.next + 1) % RECENT;
        self.len = (self.len + 1).min(RECENT);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recent_ids_are_the_last_ones_pushed() {
        let mut recent = Recent::default();
        assert!(!recent.contains(0));
        for id in 1..=(RECENT as i32 + 2) {
            recent.push(id);
        }
        assert!(!recent.contains(1) && !recent.contains(2));
        assert!(recent.contains(3) && recent.contains(RECENT as i32 + 2));
    }
}
