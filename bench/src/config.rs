//! The harness's settings, resolved from the command line.

use std::path::PathBuf;
use std::time::Duration;

/// Everything the sections need to know about this run.
#[derive(Clone, Debug)]
pub struct Config {
    /// The repository root.
    pub repo: PathBuf,
    /// Folder with the shared corpus's `bench_*.py`.
    pub corpus: PathBuf,
    /// Folder with the project's own `bench_*.py`.
    pub own_programs: PathBuf,
    /// The `cpjit` binary measured by the execution section.
    pub cpjit: PathBuf,
    /// CPython.
    pub python: PathBuf,
    /// PyPy, or why it is not used.
    pub pypy: Result<PathBuf, String>,
    /// Timed runs per program and mode.
    pub runs: usize,
    /// `--quick`: fewer runs, fewer programs, no slow sections.
    pub quick: bool,
    /// Per-run time limit.
    pub timeout: Duration,
    /// Scratch folder for probe scripts and regenerated stencils.
    pub work: PathBuf,
    /// Where `target/` lives (for per-convention builds and tool binaries).
    pub target: PathBuf,
    /// Run the calling-convention section.
    pub calling_conventions: bool,
    /// Build the per-convention binaries (else use those already built).
    pub build_conventions: bool,
    /// Run the stencil-regeneration section.
    pub regeneration: bool,
    /// Only programs whose name contains one of these (empty: all).
    pub only: Vec<String>,
}
