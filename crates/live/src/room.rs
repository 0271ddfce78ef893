//! Jitsi room names (seed §1.4.3): `mdsc-course-{courseId}-session-{sessionId}-{suffix}`.
//! The suffix carries 128 bits from the OS generator: a room on a public
//! server is open to whoever knows its name, so the name must not be guessable.

use mdsc_core::Error;
use mdsc_core::random::random_hex;

/// 16 bytes, 128 bits.
pub const ROOM_SUFFIX_BYTES: usize = 16;

pub fn room_name(course_id: i32, session_id: i32) -> Result<String, Error> {
    Ok(format!(
        "mdsc-course-{course_id}-session-{session_id}-{}",
        random_hex(ROOM_SUFFIX_BYTES)?
    ))
}

/// A unique placeholder while the row has no id yet; replaced in the same
/// transaction, so nobody ever sees it.
pub(crate) fn provisional_room_name() -> Result<String, Error> {
    Ok(format!("provisional-{}", random_hex(ROOM_SUFFIX_BYTES)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_seed_pattern_with_128_random_bits() -> Result<(), Error> {
        let a = room_name(5, 1)?;
        let b = room_name(5, 1)?;
        let suffix = a
            .strip_prefix("mdsc-course-5-session-1-")
            .unwrap_or_default();
        assert_eq!(suffix.len(), 32);
        assert!(suffix.chars().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
        Ok(())
    }
}
