//! Times already taken (live sessions, kept items, blocks placed so far) and
//! the search for a free block around them.

use chrono::{DateTime, Duration, Utc};

use super::PlanError;
use super::calendar::StudyCalendar;

/// A half-open time range `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Block {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

impl Block {
    /// `[start, start + length)`; none when the end is out of chrono's range.
    pub(crate) fn new(start: DateTime<Utc>, length: Duration) -> Option<Self> {
        Some(Self {
            start,
            end: start.checked_add_signed(length)?,
        })
    }

    /// The block of `length` ending at `end`; none when out of range.
    fn ending_at(end: DateTime<Utc>, length: Duration) -> Option<Self> {
        Some(Self {
            start: end.checked_sub_signed(length)?,
            end,
        })
    }

    fn overlaps(&self, other: &Block) -> bool {
        self.start < other.end && other.start < self.end
    }
}

/// The busy blocks a new study block must not overlap.
#[derive(Debug, Default, Clone)]
pub(crate) struct BusyTimes {
    blocks: Vec<Block>,
}

impl BusyTimes {
    /// Records a busy block; empty or reversed ranges take no time and are
    /// ignored.
    pub(crate) fn add(&mut self, block: Block) {
        if block.start < block.end {
            self.blocks.push(block);
        }
    }

    fn overlapping<'a>(&'a self, candidate: &'a Block) -> impl Iterator<Item = &'a Block> {
        self.blocks.iter().filter(|busy| busy.overlaps(candidate))
    }

    /// The earliest free block of `length` starting at or after `earliest`
    /// within a sitting: a block that would overlap something starts after
    /// it the same day, or at the next sitting when the day is over.
    ///
    /// A block that starts a sitting is accepted even if it runs past
    /// midnight, so an over-long lesson still gets a place; every step moves
    /// forward and busy blocks are finite, so the search ends. Fails only
    /// when the search runs out of chrono's range.
    pub(crate) fn first_free(
        &self,
        calendar: &StudyCalendar,
        earliest: DateTime<Utc>,
        length: Duration,
    ) -> Result<Block, PlanError> {
        let block = |start| Block::new(start, length).ok_or_else(PlanError::out_of_range);
        let mut candidate = block(earliest)?;
        loop {
            if let Some(end) = self.overlapping(&candidate).map(|busy| busy.end).max() {
                candidate = block(end)?;
            } else if calendar.fits_in_sitting(candidate.start, length)
                || calendar.is_slot_start(candidate.start)
            {
                return Ok(candidate);
            } else {
                match calendar.slot_on_or_after(candidate.start) {
                    Some(next_slot) if next_slot > candidate.start => {
                        candidate = block(next_slot)?;
                    }
                    // Only at the end of chrono's calendar: nowhere left to go.
                    _ => return Err(PlanError::out_of_range()),
                }
            }
        }
    }

    /// The latest free block of `length` ending at or before `deadline` and
    /// starting at or after `not_before`, whatever the study days: used for
    /// a quiz that must be sat before its due date. None when there is no
    /// such block (or it would be out of chrono's range).
    pub(crate) fn last_free_before(
        &self,
        deadline: DateTime<Utc>,
        not_before: DateTime<Utc>,
        length: Duration,
    ) -> Option<Block> {
        let mut candidate = Block::ending_at(deadline, length)?;
        while candidate.start >= not_before {
            match self.overlapping(&candidate).map(|busy| busy.start).min() {
                Some(start) => candidate = Block::ending_at(start, length)?,
                None => return Some(candidate),
            }
        }
        None
    }
}
