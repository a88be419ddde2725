//! Turns results into the report's charts (what to plot; `charts` draws).

use crate::charts::{BarChart, Series};
use crate::results::Results;
use crate::sections::memory::rss_vs_python;

/// File name of the headline chart under `bench/charts/`.
pub const SPEEDUP: &str = "speedup.svg";
/// File name of the memory chart.
pub const MEMORY: &str = "memory.svg";
/// File name of the calling-convention chart.
pub const CONVENTIONS: &str = "calling_conventions.svg";

fn short(name: &str) -> String {
    name.strip_prefix("bench_").unwrap_or(name).to_string()
}

/// Speed-up over CPython per program and mode, plus the geometric mean.
pub fn speedup(r: &Results) -> BarChart {
    let ratios = crate::compare::time_ratios(r);
    let geo = crate::compare::geomean_speedups(r);
    let mut groups: Vec<String> = r
        .execution
        .programs
        .iter()
        .map(|p| short(&p.name))
        .collect();
    groups.push("geomean".into());
    let series = r
        .execution
        .modes
        .iter()
        .filter(|m| m.id != "python3" && m.unavailable.is_none())
        .map(|m| {
            let mut values: Vec<Option<f64>> = r
                .execution
                .programs
                .iter()
                .map(|p| ratios.get(&(p.name.clone(), m.id.clone())).map(|t| 1.0 / t))
                .collect();
            values.push(geo.get(&m.id).map(|g| g.0));
            Series {
                label: m.label.clone(),
                values,
            }
        })
        .collect();
    BarChart {
        title: "Speed-up over CPython (higher is better)".into(),
        y_desc: "CPython time / mode time (log scale)".into(),
        groups,
        series,
        reference: Some((1.0, "CPython".into())),
        empty_note: "No mode other than CPython produced correct output in this run.".into(),
    }
}

/// Peak RSS relative to CPython per program and mode.
pub fn memory(r: &Results) -> BarChart {
    let groups: Vec<String> = r
        .execution
        .programs
        .iter()
        .map(|p| short(&p.name))
        .collect();
    let series = r
        .execution
        .modes
        .iter()
        .filter(|m| m.id != "python3" && m.unavailable.is_none())
        .map(|m| {
            let ratios = rss_vs_python(&r.execution, &m.id);
            Series {
                label: m.label.clone(),
                values: r
                    .execution
                    .programs
                    .iter()
                    .map(|p| ratios.get(&p.name).copied())
                    .collect(),
            }
        })
        .collect();
    BarChart {
        title: "Peak RSS relative to CPython (lower is better)".into(),
        y_desc: "peak RSS / CPython's (log scale)".into(),
        groups,
        series,
        reference: Some((1.0, "CPython".into())),
        empty_note: "No mode other than CPython produced correct output in this run.".into(),
    }
}

/// `--tier jit` speed-up over CPython per program under each convention's build.
pub fn conventions(r: &Results) -> Option<BarChart> {
    let builds = &r.calling_conventions.builds;
    if builds.is_empty() {
        return None;
    }
    let programs = &r.execution.programs;
    let series = builds
        .iter()
        .map(|b| Series {
            label: b.cc.clone(),
            values: programs
                .iter()
                .map(|p| {
                    let py = p.cells.get("python3")?.median()?;
                    Some(py / b.times.get(&p.name)?.median()?)
                })
                .collect(),
        })
        .collect();
    Some(BarChart {
        title: "--tier jit speed-up over CPython by stencil calling convention".into(),
        y_desc: "CPython time / jit time (log scale)".into(),
        groups: programs.iter().map(|p| short(&p.name)).collect(),
        series,
        reference: Some((1.0, "CPython".into())),
        empty_note: "No convention's build ran the benchmarks in this run.".into(),
    })
}
