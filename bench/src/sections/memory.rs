//! Section 5: memory. Peak RSS per program and mode comes with the
//! execution cells (from `wait4`); this adds the JIT's own accounting from
//! the `--tier jit --stats` runs.

use std::collections::BTreeMap;

use crate::parse::{ALLOCATED_BYTES, EMITTED_BYTES, EXECUTORS_LIVE};
use crate::results::{Execution, JitMemory, Memory, StatsRun};

/// Reads JIT memory figures for every program.
pub fn summarize(exec: &Execution) -> Memory {
    let mut jit = BTreeMap::new();
    for p in &exec.programs {
        let m = match p.stats.get("jit") {
            None => missing("no --stats run"),
            Some(StatsRun::NotAvailable { reason }) => missing(&format!("--stats: {reason}")),
            Some(StatsRun::Ok { values, .. }) => JitMemory {
                allocated_over_emitted: allocated_over_emitted(values),
                executors_live: EXECUTORS_LIVE
                    .find(values)
                    .ok_or_else(|| format!("--stats has no {}", EXECUTORS_LIVE.describe())),
            },
        };
        jit.insert(p.name.clone(), m);
    }
    Memory { jit }
}

fn missing(why: &str) -> JitMemory {
    JitMemory {
        allocated_over_emitted: Err(why.into()),
        executors_live: Err(why.into()),
    }
}

/// JIT memory allocated over code bytes emitted.
pub fn allocated_over_emitted(values: &BTreeMap<String, f64>) -> Result<f64, String> {
    let alloc = ALLOCATED_BYTES
        .find(values)
        .ok_or_else(|| format!("--stats has no {}", ALLOCATED_BYTES.describe()))?;
    let emitted = EMITTED_BYTES
        .find(values)
        .ok_or_else(|| format!("--stats has no {}", EMITTED_BYTES.describe()))?;
    if emitted > 0.0 {
        Ok(alloc / emitted)
    } else {
        Err("no code was emitted".into())
    }
}

/// Peak RSS of `mode` over CPython's, per program, where both ran.
pub fn rss_vs_python(exec: &Execution, mode: &str) -> BTreeMap<String, f64> {
    exec.programs
        .iter()
        .filter_map(|p| {
            let m = p.cells.get(mode)?.peak_rss_kib()?;
            let py = p.cells.get("python3")?.peak_rss_kib()?;
            (py > 0).then(|| (p.name.clone(), m as f64 / py as f64))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::parse_stats;

    #[test]
    fn ratio_of_allocated_to_emitted() {
        let v = parse_stats("jit memory allocated: 16 KiB\ncode bytes emitted: 8192\n");
        assert_eq!(allocated_over_emitted(&v), Ok(2.0));
        assert!(allocated_over_emitted(&parse_stats("code bytes emitted: 1\n")).is_err());
    }
}
