//! Secrets and unguessable identifiers from the operating system's generator.

use crate::error::Error;

/// `bytes` random bytes from the OS, hex-encoded (2 characters per byte).
/// 16 bytes give the 128 bits that unguessable codes and tokens need.
pub fn random_hex(bytes: usize) -> Result<String, Error> {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf)
        .map_err(|e| Error::internal(format!("OS random generator failed: {e}")))?;
    Ok(hex::encode(buf))
}

/// A random 32-bit number from the OS (seeds, not secrets).
pub fn random_i32() -> Result<i32, Error> {
    let mut buf = [0u8; 4];
    getrandom::fill(&mut buf)
        .map_err(|e| Error::internal(format!("OS random generator failed: {e}")))?;
    Ok(i32::from_le_bytes(buf))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_have_the_asked_length_and_differ() -> Result<(), Error> {
        let a = random_hex(16)?;
        let b = random_hex(16)?;
        assert_eq!(a.len(), 32);
        assert!(a.chars().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
        Ok(())
    }
}
