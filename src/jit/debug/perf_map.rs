//! The perf map: `/tmp/perf-PID.map`, one line per code range,
//! `START SIZE name` with START and SIZE in hexadecimal without `0x`.
//! `perf report` reads it to name samples that land in JIT code.

use super::{CodeRegion, DebugError};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

/// A perf map file being appended to. Thread-safe; buffered, and flushed
/// after each region so the file is complete whenever perf reads it.
#[derive(Debug)]
pub struct PerfMap {
    path: PathBuf,
    out: Mutex<BufWriter<File>>,
}

/// The process's map, created on first use.
static GLOBAL: Mutex<Option<&'static PerfMap>> = Mutex::new(None);

impl PerfMap {
    /// Creates (truncating) a map at `path`.
    pub fn create(path: impl Into<PathBuf>) -> Result<Self, DebugError> {
        let path = path.into();
        let file = File::create(&path).map_err(|source| io_error(&path, source))?;
        Ok(PerfMap {
            path,
            out: Mutex::new(BufWriter::new(file)),
        })
    }

    /// The path perf looks for: `/tmp/perf-PID.map`.
    pub fn default_path() -> PathBuf {
        PathBuf::from(format!("/tmp/perf-{}.map", std::process::id()))
    }

    /// The process's map at [`PerfMap::default_path`], created (truncated)
    /// by the first call.
    pub fn global() -> Result<&'static PerfMap, DebugError> {
        let mut slot = GLOBAL.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(map) = *slot {
            return Ok(map);
        }
        let map: &'static PerfMap = Box::leak(Box::new(PerfMap::create(Self::default_path())?));
        *slot = Some(map);
        Ok(map)
    }

    /// Where this map is written.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one line per non-empty range of `region`, then flushes.
    pub fn write_region(&self, region: &CodeRegion<'_>) -> Result<(), DebugError> {
        region.validate()?;
        let mut text = String::new();
        for r in region.ranges.iter().filter(|r| r.size > 0) {
            text.push_str(&format_line(
                region.address() + r.offset as u64,
                r.size,
                &r.name,
            ));
        }
        let mut out = self.out.lock().unwrap_or_else(PoisonError::into_inner);
        out.write_all(text.as_bytes())
            .and_then(|()| out.flush())
            .map_err(|source| io_error(&self.path, source))
    }
}

/// One map line, newline included. Line breaks in `name` become spaces.
pub fn format_line(start: u64, size: usize, name: &str) -> String {
    let name = name.replace(['\n', '\r'], " ");
    format!("{start:x} {size:x} {name}\n")
}

/// A parsed map line: `(start, size, name)`, or `None` if malformed.
pub fn parse_line(line: &str) -> Option<(u64, usize, &str)> {
    let mut parts = line.splitn(3, ' ');
    let start = u64::from_str_radix(parts.next()?, 16).ok()?;
    let size = usize::from_str_radix(parts.next()?, 16).ok()?;
    Some((start, size, parts.next()?))
}

fn io_error(path: &Path, source: std::io::Error) -> DebugError {
    DebugError::Io {
        path: path.display().to_string(),
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_format_is_perfs() {
        assert_eq!(
            format_line(0x7f00_0000_1000, 0x2a, "cpjit:f:1:_NOP"),
            "7f0000001000 2a cpjit:f:1:_NOP\n"
        );
        assert_eq!(format_line(16, 1, "a\nb"), "10 1 a b\n");
        assert_eq!(
            parse_line("7f0000001000 2a cpjit:f:1:_NOP x"),
            Some((0x7f00_0000_1000, 0x2a, "cpjit:f:1:_NOP x"))
        );
        assert_eq!(parse_line("zz 1 a"), None);
    }
}
