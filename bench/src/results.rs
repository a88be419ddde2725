//! The machine-readable results of one harness run (`bench/results/latest.json`).
//!
//! Everything the report and the charts show is in here, so a later run can
//! compare itself with this one (`--compare OLD.json`).

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::machine::Machine;

/// Version of the JSON layout; bump it when a field changes meaning.
pub const SCHEMA: u32 = 1;

/// Everything one run measured.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Results {
    /// [`SCHEMA`] at the time of writing.
    pub schema: u32,
    /// Where and when the run happened.
    pub machine: Machine,
    /// How the run was configured.
    pub settings: Settings,
    /// Section 1: execution times.
    pub execution: Execution,
    /// Section 2: stencil calling conventions.
    pub calling_conventions: CallingConventions,
    /// Section 3: compilation speed.
    pub compilation: Compilation,
    /// Section 4: stencil regeneration.
    pub regeneration: Regeneration,
    /// Section 5: memory.
    pub memory: Memory,
}

/// How the run was configured.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    /// `--quick` was given.
    pub quick: bool,
    /// Timed runs per program and mode (the median is reported).
    pub runs: usize,
    /// Per-run time limit in seconds.
    pub timeout_s: f64,
    /// The corpus folder that was searched for `bench_*.py`.
    pub corpus: String,
    /// Wall-clock duration of the whole harness run, in seconds.
    pub total_s: f64,
}

/// A measurement that may be missing.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Cell {
    /// Every run gave the expected output.
    Ok {
        /// Median wall time in seconds.
        median_s: f64,
        /// Every timed run's wall time in seconds.
        runs_s: Vec<f64>,
        /// Largest peak resident set size over the runs, in KiB.
        peak_rss_kib: u64,
    },
    /// The program ran but failed or gave wrong output.
    Fail {
        /// What went wrong.
        reason: String,
    },
    /// The mode or tool does not exist (yet).
    NotAvailable {
        /// Why, e.g. the mode's error line.
        reason: String,
    },
}

impl Cell {
    /// The median time when the cell succeeded.
    pub fn median(&self) -> Option<f64> {
        match self {
            Cell::Ok { median_s, .. } => Some(*median_s),
            _ => None,
        }
    }

    /// The peak RSS in KiB when the cell succeeded.
    pub fn peak_rss_kib(&self) -> Option<u64> {
        match self {
            Cell::Ok { peak_rss_kib, .. } => Some(*peak_rss_kib),
            _ => None,
        }
    }
}

/// One execution mode (a column of the execution table).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModeInfo {
    /// Stable identifier: `python3`, `pypy3`, `tier1`, `uops`, `jit`.
    pub id: String,
    /// Human label, e.g. `cpjit --tier 1`.
    pub label: String,
    /// `None` when available, else why not.
    pub unavailable: Option<String>,
}

/// `--stats` output of one run, or why there is none.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum StatsRun {
    /// The parsed `key: value` pairs (times in seconds, sizes in bytes).
    Ok {
        /// Parsed values by normalised key.
        values: BTreeMap<String, f64>,
        /// Wall time of the `--stats` run in seconds.
        wall_s: f64,
    },
    /// `--stats` is not supported or the run failed.
    NotAvailable {
        /// Why.
        reason: String,
    },
}

/// One benchmark program's results.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProgramResult {
    /// File stem, e.g. `bench_fib`.
    pub name: String,
    /// `corpus` or `own`.
    pub origin: String,
    /// One cell per mode id.
    pub cells: BTreeMap<String, Cell>,
    /// `--stats` runs per cpjit mode id (`uops`, `jit`).
    pub stats: BTreeMap<String, StatsRun>,
}

/// Section 1.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Execution {
    /// The columns, in display order.
    pub modes: Vec<ModeInfo>,
    /// The rows.
    pub programs: Vec<ProgramResult>,
    /// Notes for the report (e.g. how to install a missing tool).
    pub notes: Vec<String>,
}

/// Section 2: one calling convention's build.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConventionResult {
    /// `preserve-none`, `ghc` or `c`.
    pub cc: String,
    /// `None` when the build succeeded, else why not.
    pub build_error: Option<String>,
    /// Build time in seconds (cargo, incremental when the folder exists).
    pub build_s: Option<f64>,
    /// Number of stencils, total code and data bytes, or why unknown.
    pub stencils: Result<StencilTotals, String>,
    /// Per program: `--tier jit` time under this build.
    pub times: BTreeMap<String, Cell>,
    /// Per program: code bytes per executor, or why unknown.
    pub bytes_per_executor: BTreeMap<String, Result<f64, String>>,
}

/// Totals parsed from `cpjit stencils list`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct StencilTotals {
    /// Stencils listed.
    pub count: u64,
    /// Sum of code bytes.
    pub code_bytes: u64,
    /// Sum of data bytes.
    pub data_bytes: u64,
}

/// Section 2.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CallingConventions {
    /// One entry per convention, or empty when skipped.
    pub builds: Vec<ConventionResult>,
    /// Why the section was skipped or incomplete.
    pub notes: Vec<String>,
}

/// Section 3.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Compilation {
    /// The emission benchmark's output lines, or why it did not run.
    pub emission: Result<Vec<String>, String>,
    /// The LLVM -O0 baseline's output lines, or why it did not run.
    #[serde(default = "not_measured")]
    pub llvm_baseline: Result<Vec<String>, String>,
    /// Per program: time to first executor in seconds (from `--stats`).
    pub first_executor_s: BTreeMap<String, Result<f64, String>>,
    /// Per program: JIT time as a fraction of run time (from `--stats`).
    pub jit_share: BTreeMap<String, Result<f64, String>>,
}

impl Default for Cell {
    fn default() -> Self {
        Cell::NotAvailable {
            reason: "not measured".into(),
        }
    }
}

fn not_measured() -> Result<Vec<String>, String> {
    Err("not measured".into())
}

/// Section 4: one timed regeneration command.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RegenCase {
    /// What was run, e.g. `all targets, --jobs 2`.
    pub name: String,
    /// The command's arguments.
    pub args: Vec<String>,
    /// Median time, or why not.
    pub cell: Cell,
    /// Last line of the command's output (its summary).
    pub summary: Option<String>,
}

/// Section 4.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Regeneration {
    /// The timed commands.
    pub cases: Vec<RegenCase>,
    /// Why the section was skipped, if it was.
    pub unavailable: Option<String>,
}

/// Section 5: JIT memory of one program's `--tier jit --stats` run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct JitMemory {
    /// JIT memory allocated over code bytes emitted.
    pub allocated_over_emitted: Result<f64, String>,
    /// Executors still alive at exit.
    pub executors_live: Result<f64, String>,
}

/// Section 5 (peak RSS lives in the execution cells).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Memory {
    /// Per program.
    pub jit: BTreeMap<String, JitMemory>,
}

impl Default for Compilation {
    fn default() -> Self {
        Compilation {
            emission: Err("not measured".into()),
            llvm_baseline: not_measured(),
            first_executor_s: BTreeMap::new(),
            jit_share: BTreeMap::new(),
        }
    }
}

/// Errors reading or writing results.
#[derive(Debug, thiserror::Error)]
pub enum ResultsError {
    /// The file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The file is not results JSON.
    #[error("{path}: not a cpjit-bench results file: {source}")]
    Parse {
        /// The file.
        path: String,
        /// The cause.
        source: serde_json::Error,
    },
    /// The file was written by an incompatible harness.
    #[error("{path}: results schema {found}, this harness reads schema {SCHEMA}")]
    Schema {
        /// The file.
        path: String,
        /// Its schema.
        found: u32,
    },
}

impl Results {
    /// Serialises to pretty JSON.
    pub fn to_json(&self) -> String {
        // Serialising plain data with string keys cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
    }

    /// Parses JSON written by [`Results::to_json`].
    pub fn from_json(text: &str, path: &str) -> Result<Self, ResultsError> {
        let schema = serde_json::from_str::<serde_json::Value>(text)
            .ok()
            .and_then(|v| v.get("schema").and_then(|s| s.as_u64()));
        if let Some(found) = schema {
            if found != u64::from(SCHEMA) {
                return Err(ResultsError::Schema {
                    path: path.into(),
                    found: found as u32,
                });
            }
        }
        serde_json::from_str(text).map_err(|source| ResultsError::Parse {
            path: path.into(),
            source,
        })
    }

    /// Reads a results file.
    pub fn load(path: &Path) -> Result<Self, ResultsError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| ResultsError::Io {
            path: shown.clone(),
            source,
        })?;
        Self::from_json(&text, &shown)
    }

    /// Writes a results file, creating its folder.
    pub fn save(&self, path: &Path) -> Result<(), ResultsError> {
        let io = |source| ResultsError::Io {
            path: path.display().to_string(),
            source,
        };
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        std::fs::write(path, self.to_json()).map_err(io)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Results {
        let mut cells = BTreeMap::new();
        cells.insert(
            "python3".to_string(),
            Cell::Ok {
                median_s: 1.25,
                runs_s: vec![1.0, 1.25, 2.0],
                peak_rss_kib: 13000,
            },
        );
        cells.insert(
            "jit".to_string(),
            Cell::Fail {
                reason: "wrong output at line 1".into(),
            },
        );
        cells.insert(
            "uops".to_string(),
            Cell::NotAvailable {
                reason: "exit status 2".into(),
            },
        );
        let mut values = BTreeMap::new();
        values.insert("executors_live".to_string(), 3.0);
        let mut stats = BTreeMap::new();
        stats.insert(
            "jit".to_string(),
            StatsRun::Ok {
                values,
                wall_s: 1.5,
            },
        );
        let mut r = Results {
            schema: SCHEMA,
            ..Results::default()
        };
        r.machine.cpu = "AMD EPYC".into();
        r.execution.programs.push(ProgramResult {
            name: "bench_a".into(),
            origin: "own".into(),
            cells,
            stats,
        });
        r.calling_conventions.builds.push(ConventionResult {
            cc: "ghc".into(),
            build_error: None,
            build_s: Some(12.0),
            stencils: Ok(StencilTotals {
                count: 2,
                code_bytes: 400,
                data_bytes: 8,
            }),
            times: BTreeMap::new(),
            bytes_per_executor: BTreeMap::from([(
                "bench_a".to_string(),
                Err("no --stats".to_string()),
            )]),
        });
        r.compilation.emission = Ok(vec!["1500 MB/s".into()]);
        r
    }

    #[test]
    fn json_round_trip_keeps_everything() {
        let r = sample();
        let back = Results::from_json(&r.to_json(), "x.json").unwrap();
        assert_eq!(back, r);
    }

    #[test]
    fn cells_are_tagged_by_status() {
        let json = sample().to_json();
        assert!(json.contains("\"status\": \"fail\""));
        assert!(json.contains("\"status\": \"not_available\""));
    }

    #[test]
    fn save_and_load_through_a_file() {
        let path = std::env::temp_dir().join(format!(
            "cpjit-bench-results-{}/latest.json",
            std::process::id()
        ));
        let r = sample();
        r.save(&path).unwrap();
        let back = Results::load(&path).unwrap();
        let _ = std::fs::remove_dir_all(path.parent().unwrap());
        assert_eq!(back, r);
    }

    #[test]
    fn rejects_other_schemas_and_garbage() {
        let other = sample()
            .to_json()
            .replacen("\"schema\": 1", "\"schema\": 99", 1);
        assert!(matches!(
            Results::from_json(&other, "x"),
            Err(ResultsError::Schema { found: 99, .. })
        ));
        assert!(matches!(
            Results::from_json("[1, 2]", "x"),
            Err(ResultsError::Parse { .. })
        ));
        assert!(matches!(
            Results::load(Path::new("/nonexistent/old.json")),
            Err(ResultsError::Io { .. })
        ));
    }
}
