//! Section 3: how fast the JIT compiles: the runtime's emission benchmark,
//! time to the first executor and the JIT's share of run time.

use std::collections::BTreeMap;
use std::process::Command;
use std::time::Duration;

use crate::config::Config;
use crate::parse::{FIRST_EXECUTOR, JIT_TIME};
use crate::process;
use crate::progress::Progress;
use crate::results::{Compilation, Execution, StatsRun};

/// The emission benchmark binary's name in `target/release`.
pub const EMIT_BENCH: &str = "cpjit-emit-bench";
/// The LLVM -O0 baseline for the same traces, in `target/release`.
pub const LLVM_BASELINE: &str = "cpjit-llvm-baseline";

/// Runs one benchmark binary from `target/release` and keeps its output
/// lines, or says why it could not.
fn run_tool(
    cfg: &Config,
    name: &str,
    what: &str,
    progress: &Progress,
) -> Result<Vec<String>, String> {
    let bin = cfg.target.join("release").join(name);
    if !bin.is_file() {
        return Err(format!("{} not found ({what} is not built)", bin.display()));
    }
    progress.doing(name);
    let limit = if cfg.quick {
        Duration::from_secs(30)
    } else {
        Duration::from_secs(600)
    };
    let out = process::run(&mut Command::new(&bin), limit).map_err(|e| e.to_string())?;
    if !out.success() {
        return Err(out.failure());
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<String> = text
        .lines()
        .map(|l| l.trim_end().to_string())
        .filter(|l| !l.trim().is_empty())
        .take(80)
        .collect();
    if lines.is_empty() {
        Err(format!("{name} printed nothing"))
    } else {
        Ok(lines)
    }
}

/// Runs the emission benchmark and its LLVM baseline (when built) and reads
/// the JIT's timings from the execution section's `--tier jit --stats` runs.
pub fn run(cfg: &Config, exec: &Execution, progress: &Progress) -> Compilation {
    let emission = run_tool(
        cfg,
        EMIT_BENCH,
        "the runtime's emission benchmark",
        progress,
    );
    let llvm_baseline = run_tool(cfg, LLVM_BASELINE, "the LLVM -O0 baseline", progress);
    let mut first_executor_s = BTreeMap::new();
    let mut jit_share = BTreeMap::new();
    for p in &exec.programs {
        let (first, share) = match p.stats.get("jit") {
            None => (
                Err("no --stats run".to_string()),
                Err("no --stats run".to_string()),
            ),
            Some(StatsRun::NotAvailable { reason }) => (
                Err(format!("--stats: {reason}")),
                Err(format!("--stats: {reason}")),
            ),
            Some(StatsRun::Ok { values, wall_s }) => (
                FIRST_EXECUTOR
                    .find(values)
                    .ok_or_else(|| format!("--stats has no {}", FIRST_EXECUTOR.describe())),
                jit_time_share(values, *wall_s),
            ),
        };
        first_executor_s.insert(p.name.clone(), first);
        jit_share.insert(p.name.clone(), share);
    }
    Compilation {
        emission,
        llvm_baseline,
        first_executor_s,
        jit_share,
    }
}

/// Time in the JIT over the run's wall time.
pub fn jit_time_share(values: &BTreeMap<String, f64>, wall_s: f64) -> Result<f64, String> {
    let t = JIT_TIME
        .find(values)
        .ok_or_else(|| format!("--stats has no {}", JIT_TIME.describe()))?;
    if wall_s > 0.0 {
        Ok(t / wall_s)
    } else {
        Err("run time was zero".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn share_is_jit_time_over_wall_time() {
        let v = crate::parse::parse_stats("jit compile time: 50 ms\n");
        let share = jit_time_share(&v, 2.0).unwrap();
        assert!((share - 0.025).abs() < 1e-12);
        assert!(jit_time_share(&BTreeMap::new(), 2.0).is_err());
    }
}
