//! `--compare OLD.json`: finds regressions of more than 5% against an older
//! run. Only quantities that are independent of machine load between runs
//! are compared: times as ratios to CPython measured in the same run, memory
//! as ratios to CPython, and stencil code sizes. Absolute times taken in
//! different runs are never compared.

use std::collections::BTreeMap;

use crate::results::{Cell, Results};
use crate::sections::memory::rss_vs_python;
use crate::stats::{geomean, is_regression, worsening, Better};

/// One comparable number of a run.
#[derive(Clone, Debug, PartialEq)]
pub struct Metric {
    /// Which direction is good.
    pub better: Better,
    /// Its value.
    pub value: f64,
}

/// A metric that changed by more than the threshold.
#[derive(Clone, Debug, PartialEq)]
pub struct Change {
    /// The metric's name, e.g. `time/python3 bench_fib jit`.
    pub name: String,
    /// Old value.
    pub old: f64,
    /// New value.
    pub new: f64,
    /// How much worse (positive) or better (negative), as a fraction.
    pub worse_by: f64,
}

/// The outcome of a comparison.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Comparison {
    /// The old run's commit and date.
    pub old_label: String,
    /// Worse by more than 5%.
    pub regressions: Vec<Change>,
    /// Better by more than 5%.
    pub improvements: Vec<Change>,
    /// Metrics present in both runs.
    pub compared: usize,
    /// (program under mode) that ran correctly before and fails now.
    pub newly_failing: Vec<String>,
}

/// Mode time over CPython time, per (program, mode), from one run.
pub fn time_ratios(r: &Results) -> BTreeMap<(String, String), f64> {
    let mut out = BTreeMap::new();
    for p in &r.execution.programs {
        let Some(py) = p.cells.get("python3").and_then(|c| c.median()) else {
            continue;
        };
        for (mode, cell) in &p.cells {
            if mode == "python3" {
                continue;
            }
            if let Some(t) = cell.median() {
                out.insert((p.name.clone(), mode.clone()), t / py);
            }
        }
    }
    out
}

/// Geometric mean of speed-up over CPython per mode, over the programs where
/// both succeeded, with the count of programs used.
pub fn geomean_speedups(r: &Results) -> BTreeMap<String, (f64, usize)> {
    let mut by_mode: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for ((_, mode), ratio) in time_ratios(r) {
        by_mode.entry(mode).or_default().push(1.0 / ratio);
    }
    by_mode
        .into_iter()
        .filter_map(|(m, v)| geomean(&v).map(|g| (m, (g, v.len()))))
        .collect()
}

/// Every comparable metric of a run, by name.
pub fn metrics(r: &Results) -> BTreeMap<String, Metric> {
    let mut out = BTreeMap::new();
    for ((prog, mode), ratio) in time_ratios(r) {
        out.insert(
            format!("time vs CPython: {prog} under {mode}"),
            Metric {
                better: Better::Lower,
                value: ratio,
            },
        );
    }
    for (mode, (g, _)) in geomean_speedups(r) {
        out.insert(
            format!("geomean speed-up over CPython: {mode}"),
            Metric {
                better: Better::Higher,
                value: g,
            },
        );
    }
    for m in &r.execution.modes {
        if m.id == "python3" {
            continue;
        }
        for (prog, ratio) in rss_vs_python(&r.execution, &m.id) {
            out.insert(
                format!("peak RSS vs CPython: {prog} under {}", m.id),
                Metric {
                    better: Better::Lower,
                    value: ratio,
                },
            );
        }
    }
    for b in &r.calling_conventions.builds {
        if let Ok(t) = &b.stencils {
            out.insert(
                format!("stencil code bytes: {}", b.cc),
                Metric {
                    better: Better::Lower,
                    value: t.code_bytes as f64,
                },
            );
        }
    }
    out
}

/// Compares `new` with `old`.
pub fn compare(old: &Results, new: &Results) -> Comparison {
    let old_m = metrics(old);
    let new_m = metrics(new);
    let mut c = Comparison {
        old_label: format!("{} ({})", old.machine.commit, old.machine.date),
        ..Comparison::default()
    };
    for (name, n) in &new_m {
        let Some(o) = old_m.get(name) else { continue };
        let Some(w) = worsening(o.value, n.value, n.better) else {
            continue;
        };
        c.compared += 1;
        let change = Change {
            name: name.clone(),
            old: o.value,
            new: n.value,
            worse_by: w,
        };
        if is_regression(o.value, n.value, n.better) {
            c.regressions.push(change);
        } else if worsening(n.value, o.value, n.better)
            .is_some_and(|b| b > crate::stats::REGRESSION_THRESHOLD)
        {
            c.improvements.push(change);
        }
    }
    for p in &new.execution.programs {
        let Some(op) = old.execution.programs.iter().find(|o| o.name == p.name) else {
            continue;
        };
        for (mode, cell) in &p.cells {
            let was_ok = op.cells.get(mode).is_some_and(|c| c.median().is_some());
            if was_ok {
                if let Cell::Fail { reason } = cell {
                    c.newly_failing
                        .push(format!("{} under {mode}: {reason}", p.name));
                }
            }
        }
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::{ModeInfo, ProgramResult};

    fn ok(t: f64, rss: u64) -> Cell {
        Cell::Ok {
            median_s: t,
            runs_s: vec![t],
            peak_rss_kib: rss,
        }
    }

    fn run_with(py: f64, jit: f64) -> Results {
        let mut r = Results::default();
        r.execution.modes = ["python3", "jit"]
            .iter()
            .map(|m| ModeInfo {
                id: m.to_string(),
                label: m.to_string(),
                unavailable: None,
            })
            .collect();
        let mut cells = BTreeMap::new();
        cells.insert("python3".to_string(), ok(py, 1000));
        cells.insert("jit".to_string(), ok(jit, 2000));
        r.execution.programs.push(ProgramResult {
            name: "bench_x".into(),
            origin: "own".into(),
            cells,
            stats: BTreeMap::new(),
        });
        r
    }

    #[test]
    fn slower_relative_to_cpython_is_a_regression() {
        let c = compare(&run_with(1.0, 0.5), &run_with(1.0, 0.6));
        let names: Vec<&str> = c.regressions.iter().map(|x| x.name.as_str()).collect();
        assert!(
            names.contains(&"time vs CPython: bench_x under jit"),
            "{names:?}"
        );
        assert!(
            names.contains(&"geomean speed-up over CPython: jit"),
            "{names:?}"
        );
    }

    #[test]
    fn a_uniformly_slower_machine_is_not_a_regression() {
        // Everything twice as slow (a busier machine): ratios are unchanged.
        let c = compare(&run_with(1.0, 0.5), &run_with(2.0, 1.0));
        assert!(c.regressions.is_empty(), "{:?}", c.regressions);
        assert!(c.compared > 0);
    }

    #[test]
    fn faster_is_an_improvement() {
        let c = compare(&run_with(1.0, 0.5), &run_with(1.0, 0.25));
        assert!(c.regressions.is_empty());
        assert!(!c.improvements.is_empty());
    }

    #[test]
    fn failed_cells_are_not_compared() {
        let mut new = run_with(1.0, 0.5);
        new.execution.programs[0]
            .cells
            .insert("jit".into(), Cell::Fail { reason: "x".into() });
        let c = compare(&run_with(1.0, 0.5), &new);
        assert!(c.regressions.is_empty());
        assert_eq!(c.newly_failing, ["bench_x under jit: x"]);
    }
}
