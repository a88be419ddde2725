//! perf's jitdump format: `/tmp/jit-PID.dump`, a header then one
//! `JIT_CODE_LOAD` record per code range, with the code bytes, so
//! `perf inject --jit` can make an ELF file per range and `perf annotate`
//! can disassemble JIT code after the process is gone.
//!
//! Use: `CPJIT_JITDUMP=1 perf record -k mono ...`, then
//! `perf inject --jit -i perf.data -o perf.jit.data` and
//! `perf report -i perf.jit.data`. perf finds the dump through the
//! executable mapping of the file this writer makes when it opens it.

use super::{CodeRegion, DebugError};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

/// `JITHEADER_MAGIC` ("JiTD" read as a little-endian u32).
const MAGIC: u32 = 0x4A69_5444;
/// Format version.
const VERSION: u32 = 1;
/// Size of the file header.
const HEADER_SIZE: u32 = 40;
/// Record id of `JIT_CODE_LOAD`.
const JIT_CODE_LOAD: u32 = 0;
/// Size of a code-load record before its name.
const CODE_LOAD_FIXED: usize = 16 + 4 + 4 + 8 + 8 + 8 + 8;

/// The ELF machine of the host.
const MACHINE: u32 = if cfg!(target_arch = "aarch64") {
    183
} else {
    62
};

/// A jitdump file being appended to. Thread-safe; flushed per region.
#[derive(Debug)]
pub struct JitDump {
    path: PathBuf,
    state: Mutex<State>,
}

#[derive(Debug)]
struct State {
    out: BufWriter<File>,
    /// The next `code_index` (unique per record).
    next_index: u64,
}

/// The process's dump, created on first use.
static GLOBAL: Mutex<Option<&'static JitDump>> = Mutex::new(None);

impl JitDump {
    /// Creates (truncating) a dump at `path` and writes its header. Does not
    /// map it (see [`JitDump::global`]).
    pub fn create(path: impl Into<PathBuf>) -> Result<Self, DebugError> {
        let path = path.into();
        let file = File::create(&path).map_err(|e| io_error(&path, e))?;
        let mut out = BufWriter::new(file);
        let mut header = Vec::with_capacity(HEADER_SIZE as usize);
        for word in [MAGIC, VERSION, HEADER_SIZE, MACHINE, 0, std::process::id()] {
            header.extend_from_slice(&word.to_le_bytes());
        }
        header.extend_from_slice(&timestamp().to_le_bytes());
        header.extend_from_slice(&0u64.to_le_bytes());
        out.write_all(&header)
            .and_then(|()| out.flush())
            .map_err(|e| io_error(&path, e))?;
        Ok(JitDump {
            path,
            state: Mutex::new(State { out, next_index: 0 }),
        })
    }

    /// The process's dump at `/tmp/jit-PID.dump`, created by the first
    /// call and mapped executable once so `perf record` notes its name.
    pub fn global() -> Result<&'static JitDump, DebugError> {
        let mut slot = GLOBAL.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(dump) = *slot {
            return Ok(dump);
        }
        let path = PathBuf::from(format!("/tmp/jit-{}.dump", std::process::id()));
        let dump = JitDump::create(&path)?;
        mark_for_perf(&path)?;
        let dump: &'static JitDump = Box::leak(Box::new(dump));
        *slot = Some(dump);
        Ok(dump)
    }

    /// Where this dump is written.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one code-load record per non-empty range, then flushes.
    pub fn write_region(&self, region: &CodeRegion<'_>) -> Result<(), DebugError> {
        region.validate()?;
        let pid = std::process::id();
        let tid = thread_id();
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let mut bytes = Vec::new();
        for r in region.ranges.iter().filter(|r| r.size > 0) {
            let code = region.bytes_of(r);
            let name = r.name.replace('\0', " ");
            let total = CODE_LOAD_FIXED + name.len() + 1 + code.len();
            let addr = region.address() + r.offset as u64;
            bytes.extend_from_slice(&JIT_CODE_LOAD.to_le_bytes());
            bytes.extend_from_slice(&(total as u32).to_le_bytes());
            bytes.extend_from_slice(&timestamp().to_le_bytes());
            bytes.extend_from_slice(&pid.to_le_bytes());
            bytes.extend_from_slice(&tid.to_le_bytes());
            bytes.extend_from_slice(&addr.to_le_bytes()); // vma
            bytes.extend_from_slice(&addr.to_le_bytes()); // code_addr
            bytes.extend_from_slice(&(code.len() as u64).to_le_bytes());
            bytes.extend_from_slice(&state.next_index.to_le_bytes());
            bytes.extend_from_slice(name.as_bytes());
            bytes.push(0);
            bytes.extend_from_slice(code);
            state.next_index += 1;
        }
        state
            .out
            .write_all(&bytes)
            .and_then(|()| state.out.flush())
            .map_err(|e| io_error(&self.path, e))
    }
}

/// Maps the first page of the file read+execute, which is how perf learns
/// the dump's name; the mapping is kept for the life of the process.
fn mark_for_perf(path: &Path) -> Result<(), DebugError> {
    use std::os::fd::AsRawFd;
    let file = File::open(path).map_err(|e| io_error(path, e))?;
    // SAFETY: a fresh private mapping of an open file; nothing reads or
    // writes through it.
    let p = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            4096,
            libc::PROT_READ | libc::PROT_EXEC,
            libc::MAP_PRIVATE,
            file.as_raw_fd(),
            0,
        )
    };
    if p == libc::MAP_FAILED {
        return Err(io_error(path, std::io::Error::last_os_error()));
    }
    Ok(())
}

/// `CLOCK_MONOTONIC` in nanoseconds, the clock `perf record -k mono` uses.
fn timestamp() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid out-pointer.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

/// The kernel's id of the calling thread.
fn thread_id() -> u32 {
    // SAFETY: gettid has no preconditions.
    unsafe { libc::gettid() as u32 }
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
    use crate::jit::debug::CodeRange;

    fn u32_at(b: &[u8], at: usize) -> u32 {
        u32::from_le_bytes(b[at..at + 4].try_into().unwrap())
    }
    fn u64_at(b: &[u8], at: usize) -> u64 {
        u64::from_le_bytes(b[at..at + 8].try_into().unwrap())
    }

    #[test]
    fn records_carry_addresses_names_and_code() {
        let path =
            std::env::temp_dir().join(format!("cpjit-jitdump-test-{}.dump", std::process::id()));
        let dump = JitDump::create(&path).unwrap();
        let code: Vec<u8> = (0..24).collect();
        let ranges = [
            CodeRange::trampoline(0, 8, "t"),
            CodeRange::new(8, 0, "empty"),
            CodeRange::uop(8, 16, "f", 1, "_NOP"),
        ];
        let region = CodeRegion::new("r", &code, &ranges);
        dump.write_region(&region).unwrap();
        let b = std::fs::read(&path).unwrap();
        std::fs::remove_file(&path).unwrap();
        assert_eq!(u32_at(&b, 0), MAGIC);
        assert_eq!(u32_at(&b, 8), HEADER_SIZE);
        assert_eq!(u32_at(&b, 20), std::process::id());
        let mut at = HEADER_SIZE as usize;
        let mut seen = Vec::new();
        while at < b.len() {
            assert_eq!(u32_at(&b, at), JIT_CODE_LOAD);
            let total = u32_at(&b, at + 4) as usize;
            let addr = u64_at(&b, at + 32);
            let size = u64_at(&b, at + 40) as usize;
            let index = u64_at(&b, at + 48);
            let name_end = b[at + CODE_LOAD_FIXED..]
                .iter()
                .position(|&c| c == 0)
                .unwrap();
            let name =
                std::str::from_utf8(&b[at + CODE_LOAD_FIXED..at + CODE_LOAD_FIXED + name_end])
                    .unwrap()
                    .to_string();
            let body = &b[at + total - size..at + total];
            seen.push((name, addr - region.address(), body.to_vec(), index));
            at += total;
        }
        assert_eq!(at, b.len());
        assert_eq!(
            seen,
            [
                ("cpjit:trampoline:t".to_string(), 0, code[..8].to_vec(), 0),
                ("cpjit:f:1:_NOP".to_string(), 8, code[8..].to_vec(), 1),
            ]
        );
    }
}
