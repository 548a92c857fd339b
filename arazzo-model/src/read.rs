//! Reading a file a user named: regular files only, up to a size cap.

use std::io::Read;
use std::path::Path;

/// The cap every crate passes to [`read_regular_file`] for a file a user (or a document)
/// names: documents, sources, inputs, cassettes, snapshots. 64 MiB: far above any real
/// document or cassette, far below what would exhaust memory.
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// Why [`read_regular_file`] refused a file, inside the [`std::io::Error`] it returns
/// (`err.get_ref()` downcasts to it).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReadLimitError {
    /// A FIFO, a device (`/dev/zero`), a socket or a directory: reading it could block or
    /// never end.
    #[error("not a regular file")]
    NotRegular,
    /// More bytes than the cap.
    #[error("larger than the {} limit", size(*max_bytes))]
    TooLarge {
        /// The cap.
        max_bytes: u64,
    },
}

/// Reads the UTF-8 text of the regular file at `path` (symbolic links followed), refusing
/// anything else and stopping after `max_bytes` bytes.
///
/// # Errors
/// An I/O error; one whose inner error is a [`ReadLimitError`] when the path is not a regular
/// file or holds more than `max_bytes` bytes: "not a regular file", "larger than the 64 MiB
/// limit".
pub fn read_regular_file(path: impl AsRef<Path>, max_bytes: u64) -> std::io::Result<String> {
    let path = path.as_ref();
    // Checked before opening: opening a FIFO for reading blocks until a writer comes.
    if !std::fs::metadata(path)?.is_file() {
        return Err(refused(ReadLimitError::NotRegular));
    }
    let file = std::fs::File::open(path)?;
    // Checked again on the open file, in case the path was swapped in between.
    if !file.metadata()?.is_file() {
        return Err(refused(ReadLimitError::NotRegular));
    }
    read_capped(file, max_bytes)
}

/// Reads the UTF-8 text of `reader` (standard input, a file), stopping after `max_bytes`
/// bytes.
///
/// # Errors
/// An I/O error; one whose inner error is [`ReadLimitError::TooLarge`] past the cap.
pub fn read_capped(reader: impl Read, max_bytes: u64) -> std::io::Result<String> {
    let mut text = String::new();
    reader
        .take(max_bytes.saturating_add(1))
        .read_to_string(&mut text)?;
    if text.len() as u64 > max_bytes {
        return Err(refused(ReadLimitError::TooLarge { max_bytes }));
    }
    Ok(text)
}

fn refused(why: ReadLimitError) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidInput, why)
}

/// A byte count for messages: `64 MiB`, `1.5 KiB`, `12 bytes`.
fn size(bytes: u64) -> String {
    const MIB: u64 = 1024 * 1024;
    match bytes {
        _ if bytes >= MIB && bytes.is_multiple_of(MIB) => format!("{} MiB", bytes / MIB),
        _ if bytes >= 1024 && bytes.is_multiple_of(1024) => format!("{} KiB", bytes / 1024),
        _ => format!("{bytes} bytes"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reason(err: &std::io::Error) -> Option<&ReadLimitError> {
        err.get_ref()?.downcast_ref()
    }

    #[test]
    fn devices_and_directories_are_refused_without_reading() {
        let err = read_regular_file("/dev/zero", 16).unwrap_err();
        assert_eq!(reason(&err), Some(&ReadLimitError::NotRegular));
        assert_eq!(err.to_string(), "not a regular file");
        let dir = env!("CARGO_MANIFEST_DIR");
        let err = read_regular_file(dir, 16).unwrap_err();
        assert_eq!(reason(&err), Some(&ReadLimitError::NotRegular));
    }

    #[test]
    fn reading_stops_at_the_cap() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml");
        let whole = read_regular_file(&path, MAX_FILE_BYTES).unwrap();
        assert!(whole.starts_with("[package]"));
        let len = whole.len() as u64;
        assert_eq!(read_regular_file(&path, len).unwrap(), whole);
        let err = read_regular_file(&path, len - 1).unwrap_err();
        assert_eq!(
            reason(&err),
            Some(&ReadLimitError::TooLarge { max_bytes: len - 1 })
        );
        let err = read_capped(std::io::repeat(b'a'), 2 * 1024 * 1024).unwrap_err();
        assert_eq!(err.to_string(), "larger than the 2 MiB limit");
    }
}
