//! Seeing inside JIT code with profilers and debuggers.
//!
//! The emitter calls [`register`] once an executor's code is installed
//! (read+execute) and keeps the returned [`Registration`] in the executor;
//! dropping it when the executor is freed unregisters the code from gdb.
//! Everything here is independent of the emitter's own types: a
//! [`CodeRegion`] is the installed bytes plus named [`CodeRange`]s (one per
//! uop, one per trampoline).
//!
//! What a registration does, per [`DebugConfig`]:
//! * [`perf_map`]: appends `START SIZE name` lines to `/tmp/perf-PID.map`
//!   (`CPJIT_PERF_MAP=1`), so `perf report` names uops.
//! * [`jitdump`]: appends code-load records with the code bytes to
//!   `./jit-PID.dump` (`CPJIT_JITDUMP=1`), for `perf inject --jit`.
//! * [`gdb`]: builds an in-memory ELF ([`symfile`]) with one `FUNC` symbol
//!   per range and CFI ([`cfi`]) and registers it through the GDB JIT
//!   interface, so `bt` inside JIT code names the uop and reaches `main`
//!   (on by default; `CPJIT_GDB=0` turns it off). The JIT itself writes
//!   that file with [`symfile_writer`], from unwind information encoded
//!   once per stencil, and registers it with [`Registration::with_gdb`].
//!
//! [`frame_pointers`] walks frame-pointer chains, to check that unwinders
//! that do not read CFI (perf's default) get through JIT code too.

pub mod cfi;
pub mod frame_analysis;
pub mod frame_pointers;
pub mod gdb;
pub mod jitdump;
pub mod perf_map;
mod region;
pub mod symfile;
pub mod symfile_writer;
pub mod x86_decode;

pub use region::{trace_ranges, CodeRange, CodeRegion, FrameLayout, UopSite};

use std::sync::{Mutex, PoisonError};

/// Errors from registering JIT code with profilers and debuggers.
#[derive(Debug, thiserror::Error)]
pub enum DebugError {
    /// A range does not lie inside its region.
    #[error("code range `{name}` at offset {offset:#x} size {size:#x} is outside its region of {region_size:#x} bytes")]
    RangeOutOfRegion {
        /// The range's name.
        name: String,
        /// Its offset in the region.
        offset: usize,
        /// Its size.
        size: usize,
        /// The region's size.
        region_size: usize,
    },
    /// A frame layout names an offset outside its range or out of order.
    #[error("frame layout of `{name}` is inconsistent: {reason}")]
    BadFrameLayout {
        /// The range's name.
        name: String,
        /// What is wrong.
        reason: &'static str,
    },
    /// Writing a profiler file failed.
    #[error("cannot write {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// Building the in-memory ELF object failed.
    #[error("cannot build the debug object file: {0}")]
    Symfile(String),
    /// Encoding call frame information failed.
    #[error("cannot encode call frame information: {0}")]
    Cfi(#[from] gimli::write::Error),
}

/// Which profiler and debugger interfaces registrations feed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DebugConfig {
    /// Append to `/tmp/perf-PID.map`.
    pub perf_map: bool,
    /// Append to `./jit-PID.dump`.
    pub jitdump: bool,
    /// Register an in-memory ELF with the GDB JIT interface.
    pub gdb: bool,
}

impl Default for DebugConfig {
    /// Only gdb registration, which costs nothing visible when no debugger
    /// is attached and makes crashes inside JIT code debuggable.
    fn default() -> Self {
        DebugConfig {
            perf_map: false,
            jitdump: false,
            gdb: true,
        }
    }
}

impl DebugConfig {
    /// The default, changed by `CPJIT_PERF_MAP=1`, `CPJIT_JITDUMP=1` and
    /// `CPJIT_GDB=0` (any value other than empty or `0` means on).
    pub fn from_env() -> Self {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Like [`DebugConfig::from_env`], reading variables through `lookup`.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Self {
        let flag = |name: &str, default: bool| match lookup(name) {
            None => default,
            Some(v) => !(v.is_empty() || v == "0"),
        };
        let d = DebugConfig::default();
        DebugConfig {
            perf_map: flag("CPJIT_PERF_MAP", d.perf_map),
            jitdump: flag("CPJIT_JITDUMP", d.jitdump),
            gdb: flag("CPJIT_GDB", d.gdb),
        }
    }
}

/// The process-wide configuration; `None` until first read or set.
static CONFIG: Mutex<Option<DebugConfig>> = Mutex::new(None);

/// The configuration [`register`] uses: the one last [`configure`]d, else
/// [`DebugConfig::from_env`] read once.
pub fn config() -> DebugConfig {
    let mut slot = CONFIG.lock().unwrap_or_else(PoisonError::into_inner);
    *slot.get_or_insert_with(DebugConfig::from_env)
}

/// Sets the process-wide configuration (e.g. from `cpjit run --perf-map`).
/// Affects registrations made afterwards.
pub fn configure(config: DebugConfig) {
    *CONFIG.lock().unwrap_or_else(PoisonError::into_inner) = Some(config);
}

/// Keeps JIT code registered with gdb; dropping it unregisters the code.
/// Perf map and jitdump entries stay (those formats have no removal).
#[derive(Debug, Default)]
#[must_use = "dropping the registration unregisters the code from gdb at once"]
pub struct Registration {
    gdb: Option<gdb::GdbRegistration>,
}

impl Registration {
    /// This registration, plus `symfile` (an ELF object describing the
    /// code, e.g. from [`symfile_writer`]) registered with gdb until the
    /// registration is dropped.
    pub fn with_gdb(self, symfile: Vec<u8>) -> Self {
        Registration {
            gdb: Some(gdb::GdbRegistration::register(symfile)),
        }
    }

    /// Whether the code is registered with the GDB JIT interface.
    pub fn in_gdb(&self) -> bool {
        self.gdb.is_some()
    }
}

/// Registers installed JIT code with every interface [`config`] enables.
///
/// Call it after the code is final (patched and mapped read+execute), and
/// keep the result for as long as the code may run: drop it before the
/// memory is unmapped or reused.
pub fn register(region: &CodeRegion<'_>) -> Result<Registration, DebugError> {
    register_with(region, config())
}

/// [`register`] with an explicit configuration.
pub fn register_with(
    region: &CodeRegion<'_>,
    config: DebugConfig,
) -> Result<Registration, DebugError> {
    region.validate()?;
    if config.perf_map {
        perf_map::PerfMap::global()?.write_region(region)?;
    }
    if config.jitdump {
        jitdump::JitDump::global()?.write_region(region)?;
    }
    let gdb = if config.gdb {
        let object = symfile::build(region)?;
        Some(gdb::GdbRegistration::register(object))
    } else {
        None
    };
    Ok(Registration { gdb })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_flags() {
        let c = DebugConfig::from_lookup(|_| None);
        assert_eq!(c, DebugConfig::default());
        let c = DebugConfig::from_lookup(|n| match n {
            "CPJIT_PERF_MAP" => Some("1".into()),
            "CPJIT_GDB" => Some("0".into()),
            "CPJIT_JITDUMP" => Some(String::new()),
            _ => None,
        });
        assert_eq!(
            c,
            DebugConfig {
                perf_map: true,
                jitdump: false,
                gdb: false
            }
        );
    }
}
