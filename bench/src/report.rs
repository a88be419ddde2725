//! Writes `BENCHMARKS.md` from the results.

use std::collections::BTreeMap;
use std::fmt::Write;

use crate::compare::{geomean_speedups, Comparison};
use crate::figures;
use crate::results::{Cell, Results};
use crate::sections::{memory::rss_vs_python, regeneration};
use crate::stats::geomean;

/// Where the charts are, relative to `BENCHMARKS.md`.
pub const CHART_DIR: &str = "bench/charts";

/// Escapes text for a Markdown table cell.
fn esc(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

fn secs(v: f64) -> String {
    if v >= 100.0 {
        format!("{v:.0}")
    } else if v >= 1.0 {
        format!("{v:.2}")
    } else {
        format!("{v:.3}")
    }
}

fn ratio(v: f64) -> String {
    if v >= 10.0 {
        format!("{v:.1}x")
    } else {
        format!("{v:.2}x")
    }
}

fn cell_text(c: Option<&Cell>) -> String {
    match c {
        Some(Cell::Ok { median_s, .. }) => secs(*median_s),
        Some(Cell::Fail { .. }) => "FAIL".into(),
        Some(Cell::NotAvailable { .. }) | None => "n/a".into(),
    }
}

/// When every entry is the same error, that error (to print once).
fn uniform_error<T>(m: &BTreeMap<String, Result<T, String>>) -> Option<String> {
    let mut errs = m.values().map(|r| r.as_ref().err());
    let first = errs.next()??.clone();
    errs.all(|e| e == Some(&first)).then_some(first)
}

/// Renders the whole report.
pub fn render(r: &Results, cmp: Option<&Comparison>) -> String {
    let mut s = String::new();
    header(&mut s, r);
    if let Some(c) = cmp {
        comparison(&mut s, c, r.settings.runs);
    }
    execution(&mut s, r);
    conventions(&mut s, r);
    compilation_section(&mut s, r);
    regeneration_section(&mut s, r);
    memory_section(&mut s, r);
    method(&mut s, r);
    s
}

fn header(s: &mut String, r: &Results) {
    let m = &r.machine;
    let kind = if r.settings.quick {
        "a **quick** run (`--quick`: a subset, one run each, slow sections skipped; a smoke check, not numbers to quote)"
    } else {
        "a full run"
    };
    let _ = writeln!(s, "# cpjit benchmarks\n");
    let _ = writeln!(
        s,
        "Written by `make bench` (`cpjit-bench`) from {kind}: {} timed run(s) per program and mode, medians reported. \
         The harness took {:.0} s. How to run it: [docs/benchmarks.md](docs/benchmarks.md).\n",
        r.settings.runs, r.settings.total_s
    );
    let _ = writeln!(s, "## Machine\n\n| | |\n|---|---|");
    let _ = writeln!(s, "| CPU | {} |", esc(&m.cpu));
    let _ = writeln!(s, "| Cores (`nproc`) | {} |", m.nproc);
    let _ = writeln!(s, "| Memory | {:.1} GiB |", m.memory_mib as f64 / 1024.0);
    let _ = writeln!(s, "| Kernel | {} |", esc(&m.kernel));
    let _ = writeln!(s, "| Date (UTC) | {} |", m.date);
    let _ = writeln!(s, "| Commit | `{}` |\n", m.commit);
    let _ = writeln!(
        s,
        "## Headline\n\n![Speed-up over CPython]({CHART_DIR}/{})\n",
        figures::SPEEDUP
    );
    let geo = geomean_speedups(r);
    let total = r.execution.programs.len();
    for mode in &r.execution.modes {
        if mode.id == "python3" {
            continue;
        }
        let line = match (&mode.unavailable, geo.get(&mode.id)) {
            (Some(why), _) => format!("not available ({})", esc(why)),
            (None, Some((g, n))) => format!(
                "**{}** faster than CPython, geometric mean over {n} of {total} programs",
                ratio(*g)
            ),
            (None, None) => "no program ran correctly".into(),
        };
        let _ = writeln!(s, "- {}: {line}", mode.label);
    }
    let _ = writeln!(s);
}

fn comparison(s: &mut String, c: &Comparison, runs: usize) {
    let _ = writeln!(s, "## Compared with {}\n", esc(&c.old_label));
    let _ = writeln!(
        s,
        "{} metrics compared (ratios within each run, never absolute times across runs). \
         **{} regression(s)** worse by more than 5%, {} improvement(s).\n",
        c.compared,
        c.regressions.len(),
        c.improvements.len()
    );
    if runs < 3 {
        let _ = writeln!(
            s,
            "With {runs} run(s) per cell, noise on a busy machine can exceed 5%: judge regressions on a full run.\n"
        );
    }
    for (title, list) in [
        ("Regressions", &c.regressions),
        ("Improvements", &c.improvements),
    ] {
        if list.is_empty() {
            continue;
        }
        let _ = writeln!(
            s,
            "### {title}\n\n| Metric | Old | New | Change |\n|---|---:|---:|---:|"
        );
        for ch in list {
            let flag = if ch.worse_by > 0.0 {
                "⚠ worse"
            } else {
                "better"
            };
            let _ = writeln!(
                s,
                "| {} | {:.4} | {:.4} | {:+.1}% {flag} |",
                esc(&ch.name),
                ch.old,
                ch.new,
                ch.worse_by.abs() * 100.0 * ch.worse_by.signum()
            );
        }
        let _ = writeln!(s);
    }
    if !c.newly_failing.is_empty() {
        let _ = writeln!(s, "### Newly failing\n");
        for f in &c.newly_failing {
            let _ = writeln!(s, "- ⚠ {}", esc(f));
        }
        let _ = writeln!(s);
    }
}

fn execution(s: &mut String, r: &Results) {
    let e = &r.execution;
    let _ = writeln!(s, "## 1. Execution\n");
    let _ = writeln!(
        s,
        "Every `bench_*.py` of the corpus and of `bench/programs/`, under each mode. Every run's standard output \
         is compared with CPython's; a wrong answer or a failed run shows as FAIL, never as a time.\n"
    );
    for m in &e.modes {
        if let Some(why) = &m.unavailable {
            let _ = writeln!(s, "- {}: not available ({})", m.label, esc(why));
        }
    }
    for n in &e.notes {
        let _ = writeln!(s, "- {}", esc(n));
    }
    let _ = writeln!(s);
    if e.programs.is_empty() {
        let _ = writeln!(s, "No benchmark programs were found.\n");
        return;
    }
    // Medians.
    let _ = writeln!(s, "### Median wall time (s)\n");
    let _ = write!(s, "| Program |");
    for m in &e.modes {
        let _ = write!(s, " {} |", m.id);
    }
    let _ = write!(s, "\n|---|");
    for _ in &e.modes {
        let _ = write!(s, "---:|");
    }
    let _ = writeln!(s);
    for p in &e.programs {
        let _ = write!(s, "| {} |", p.name);
        for m in &e.modes {
            let _ = write!(s, " {} |", cell_text(p.cells.get(&m.id)));
        }
        let _ = writeln!(s);
    }
    let _ = writeln!(s);
    ratio_table(
        s,
        r,
        "python3",
        "Speed-up over CPython (CPython time / mode time, same run; higher is better)",
    );
    ratio_table(
        s,
        r,
        "tier1",
        "Speed-up over cpjit tier 1 (tier-1 time / mode time, same run)",
    );
    let _ = writeln!(
        s,
        "![Speed-up over CPython]({CHART_DIR}/{})\n",
        figures::SPEEDUP
    );
    let fails: Vec<String> = e
        .programs
        .iter()
        .flat_map(|p| {
            p.cells.iter().filter_map(move |(m, c)| match c {
                Cell::Fail { reason } => Some(format!("- {} under {m}: {}", p.name, esc(reason))),
                _ => None,
            })
        })
        .collect();
    if !fails.is_empty() {
        let _ = writeln!(s, "### Failures\n\n{}\n", fails.join("\n"));
    }
}

fn ratio_table(s: &mut String, r: &Results, base: &str, title: &str) {
    let e = &r.execution;
    let base_ok = e
        .modes
        .iter()
        .any(|m| m.id == base && m.unavailable.is_none());
    let _ = writeln!(s, "### {title}\n");
    if !base_ok {
        let _ = writeln!(s, "Not available: `{base}` did not run.\n");
        return;
    }
    let cols: Vec<_> = e.modes.iter().filter(|m| m.id != base).collect();
    let _ = write!(s, "| Program |");
    for m in &cols {
        let _ = write!(s, " {} |", m.id);
    }
    let _ = write!(s, "\n|---|");
    for _ in &cols {
        let _ = write!(s, "---:|");
    }
    let _ = writeln!(s);
    let mut per_mode: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
    for p in &e.programs {
        let b = p.cells.get(base).and_then(Cell::median);
        let _ = write!(s, "| {} |", p.name);
        for m in &cols {
            let c = p.cells.get(&m.id);
            let text = match (b, c) {
                (Some(b), Some(Cell::Ok { median_s, .. })) => {
                    let v = b / median_s;
                    per_mode.entry(m.id.as_str()).or_default().push(v);
                    ratio(v)
                }
                (None, Some(Cell::Ok { .. })) => "—".into(),
                (_, c) => cell_text(c),
            };
            let _ = write!(s, " {text} |");
        }
        let _ = writeln!(s);
    }
    let _ = write!(s, "| **geomean** |");
    for m in &cols {
        let v = per_mode.get(m.id.as_str()).cloned().unwrap_or_default();
        let text = match geomean(&v) {
            Some(g) if v.len() == e.programs.len() => format!("**{}**", ratio(g)),
            Some(g) => format!("**{}** ({} of {})", ratio(g), v.len(), e.programs.len()),
            None => "n/a".into(),
        };
        let _ = write!(s, " {text} |");
    }
    let _ = writeln!(s, "\n");
}

fn conventions(s: &mut String, r: &Results) {
    let c = &r.calling_conventions;
    let _ = writeln!(s, "## 2. Calling conventions\n");
    let _ = writeln!(
        s,
        "The host stencils built under each convention (`CPJIT_STENCIL_CC`, built one after the other \
         in `target/bench-cc-build`, each binary copied to `target/bench-cc-<cc>`). CPython measured its JIT 2–3% faster with `ghc`; this is what we find.\n"
    );
    for n in &c.notes {
        let _ = writeln!(s, "- {}", esc(n));
    }
    if c.builds.is_empty() {
        let _ = writeln!(s);
        return;
    }
    let _ = writeln!(
        s,
        "\n| Convention | Build | Stencils | Code bytes | Data bytes |\n|---|---|---:|---:|---:|"
    );
    for b in &c.builds {
        let build = match (&b.build_error, b.build_s) {
            (Some(e), _) => format!("failed: {}", esc(e)),
            (None, Some(t)) => format!("ok ({t:.0} s)"),
            (None, None) => "existing binary".into(),
        };
        let (n, code, data) = match &b.stencils {
            Ok(t) => (
                t.count.to_string(),
                t.code_bytes.to_string(),
                t.data_bytes.to_string(),
            ),
            Err(e) => (
                format!("not available ({})", esc(e)),
                "—".into(),
                "—".into(),
            ),
        };
        let _ = writeln!(s, "| {} | {build} | {n} | {code} | {data} |", b.cc);
    }
    let _ = writeln!(s, "\n### `--tier jit` median time (s) per build\n");
    let _ = write!(s, "| Program |");
    for b in &c.builds {
        let _ = write!(s, " {} |", b.cc);
    }
    for b in c.builds.iter().skip(1) {
        let _ = write!(s, " {} / {} |", b.cc, c.builds[0].cc);
    }
    let _ = write!(s, "\n|---|");
    for _ in 0..(2 * c.builds.len() - 1) {
        let _ = write!(s, "---:|");
    }
    let _ = writeln!(s);
    let mut rel: Vec<Vec<f64>> = vec![Vec::new(); c.builds.len()];
    for p in &r.execution.programs {
        let _ = write!(s, "| {} |", p.name);
        for b in &c.builds {
            let _ = write!(s, " {} |", cell_text(b.times.get(&p.name)));
        }
        let base = c.builds[0].times.get(&p.name).and_then(Cell::median);
        for (i, b) in c.builds.iter().enumerate().skip(1) {
            match (base, b.times.get(&p.name).and_then(Cell::median)) {
                (Some(x), Some(y)) => {
                    rel[i].push(y / x);
                    let _ = write!(s, " {:.3} |", y / x);
                }
                _ => {
                    let _ = write!(s, " — |");
                }
            }
        }
        let _ = writeln!(s);
    }
    let _ = write!(s, "| **geomean** |");
    for _ in &c.builds {
        let _ = write!(s, " |");
    }
    for r in rel.iter().skip(1) {
        let _ = write!(
            s,
            " {} |",
            geomean(r)
                .map(|g| format!("**{g:.3}**"))
                .unwrap_or_else(|| "n/a".into())
        );
    }
    let _ = writeln!(
        s,
        "\n\nA time ratio below 1 means that convention's build ran faster than `{}`'s.\n",
        c.builds[0].cc
    );
    let _ = writeln!(
        s,
        "![Calling conventions]({CHART_DIR}/{})\n",
        figures::CONVENTIONS
    );
    let _ = writeln!(s, "### Code bytes per executor (from `--stats`)\n");
    let all_same = c
        .builds
        .iter()
        .map(|b| uniform_error(&b.bytes_per_executor))
        .collect::<Vec<_>>();
    if all_same.iter().all(Option::is_some) {
        let _ = writeln!(s, "Not available:\n");
        for (b, why) in c.builds.iter().zip(&all_same) {
            let _ = writeln!(s, "- {}: {}", b.cc, esc(why.as_deref().unwrap_or("")));
        }
        let _ = writeln!(s);
        return;
    }
    let _ = write!(s, "| Program |");
    for b in &c.builds {
        let _ = write!(s, " {} |", b.cc);
    }
    let _ = write!(s, "\n|---|");
    for _ in &c.builds {
        let _ = write!(s, "---:|");
    }
    let _ = writeln!(s);
    for p in &r.execution.programs {
        let _ = write!(s, "| {} |", p.name);
        for b in &c.builds {
            let t = match b.bytes_per_executor.get(&p.name) {
                Some(Ok(v)) => format!("{v:.0}"),
                Some(Err(e)) => format!("n/a ({})", esc(e)),
                None => "n/a".into(),
            };
            let _ = write!(s, " {t} |");
        }
        let _ = writeln!(s);
    }
    let _ = writeln!(s);
}

fn compilation_section(s: &mut String, r: &Results) {
    let c = &r.compilation;
    let _ = writeln!(s, "## 3. Compilation\n\n### Emission throughput\n");
    match &c.emission {
        Err(e) => {
            let _ = writeln!(s, "Not available ({}).\n", esc(e));
        }
        Ok(lines) => {
            let _ = writeln!(
                s,
                "Output of `cpjit-emit-bench`:\n\n```text\n{}\n```\n",
                lines.join("\n")
            );
        }
    }
    let _ = writeln!(s, "### LLVM -O0 baseline (same traces)\n");
    match &c.llvm_baseline {
        Err(e) => {
            let _ = writeln!(s, "Not available ({}).\n", esc(e));
        }
        Ok(lines) => {
            let _ = writeln!(
                s,
                "Output of `cpjit-llvm-baseline`:\n\n```text\n{}\n```\n",
                lines.join("\n")
            );
        }
    }
    let _ = writeln!(
        s,
        "### Time to first executor and JIT share of run time (`--tier jit --stats`)\n"
    );
    if let (Some(a), Some(_)) = (
        uniform_error(&c.first_executor_s),
        uniform_error(&c.jit_share),
    ) {
        let _ = writeln!(s, "Not available ({}).\n", esc(&a));
        return;
    }
    let _ = writeln!(
        s,
        "| Program | First executor | JIT time / run time |\n|---|---:|---:|"
    );
    for p in &r.execution.programs {
        let first = match c.first_executor_s.get(&p.name) {
            Some(Ok(v)) => format!("{:.2} ms", v * 1e3),
            Some(Err(e)) => format!("n/a ({})", esc(e)),
            None => "n/a".into(),
        };
        let share = match c.jit_share.get(&p.name) {
            Some(Ok(v)) => format!("{:.2}%", v * 100.0),
            Some(Err(e)) => format!("n/a ({})", esc(e)),
            None => "n/a".into(),
        };
        let _ = writeln!(s, "| {} | {first} | {share} |", p.name);
    }
    let _ = writeln!(s);
}

fn regeneration_section(s: &mut String, r: &Results) {
    let g = &r.regeneration;
    let _ = writeln!(s, "## 4. Stencil regeneration\n");
    if let Some(why) = &g.unavailable {
        let _ = writeln!(s, "Not available ({}).\n", esc(why));
        return;
    }
    let _ = writeln!(
        s,
        "`cpjit-stencils ... --out DIR`; cold cases start from an empty folder.\n"
    );
    let _ = writeln!(s, "| Case | Median (s) | Summary line |\n|---|---:|---|");
    for c in &g.cases {
        let t = match &c.cell {
            Cell::Ok { median_s, .. } => secs(*median_s),
            Cell::Fail { reason } | Cell::NotAvailable { reason } => {
                format!("n/a ({})", esc(reason))
            }
        };
        let _ = writeln!(
            s,
            "| {} | {t} | {} |",
            c.name,
            esc(c.summary.as_deref().unwrap_or(""))
        );
    }
    for scope in ["host", "all targets"] {
        if let Some(x) = regeneration::jobs_speedup(g, scope) {
            let _ = writeln!(
                s,
                "\n`--jobs 2` is {x:.2}x as fast as `--jobs 1` ({scope})."
            );
        }
    }
    let _ = writeln!(s);
}

fn memory_section(s: &mut String, r: &Results) {
    let e = &r.execution;
    let _ = writeln!(
        s,
        "## 5. Memory\n\n### Peak RSS (MiB; in brackets, relative to CPython)\n"
    );
    let _ = write!(s, "| Program |");
    for m in &e.modes {
        let _ = write!(s, " {} |", m.id);
    }
    let _ = write!(s, "\n|---|");
    for _ in &e.modes {
        let _ = write!(s, "---:|");
    }
    let _ = writeln!(s);
    let ratios: BTreeMap<&str, BTreeMap<String, f64>> = e
        .modes
        .iter()
        .map(|m| (m.id.as_str(), rss_vs_python(e, &m.id)))
        .collect();
    for p in &e.programs {
        let _ = write!(s, "| {} |", p.name);
        for m in &e.modes {
            let c = p.cells.get(&m.id);
            let text = match c.and_then(Cell::peak_rss_kib) {
                Some(k) => {
                    let rel = ratios
                        .get(m.id.as_str())
                        .and_then(|x| x.get(&p.name))
                        .filter(|_| m.id != "python3")
                        .map(|v| format!(" ({})", ratio(*v)))
                        .unwrap_or_default();
                    format!("{:.1}{rel}", k as f64 / 1024.0)
                }
                None => cell_text(c),
            };
            let _ = write!(s, " {text} |");
        }
        let _ = writeln!(s);
    }
    let _ = writeln!(
        s,
        "\n![Peak RSS relative to CPython]({CHART_DIR}/{})\n",
        figures::MEMORY
    );
    let _ = writeln!(s, "### JIT memory (`--tier jit --stats`)\n");
    let m = &r.memory.jit;
    let a: BTreeMap<String, Result<f64, String>> = m
        .iter()
        .map(|(k, v)| (k.clone(), v.allocated_over_emitted.clone()))
        .collect();
    let l: BTreeMap<String, Result<f64, String>> = m
        .iter()
        .map(|(k, v)| (k.clone(), v.executors_live.clone()))
        .collect();
    if let (Some(why), Some(_)) = (uniform_error(&a), uniform_error(&l)) {
        let _ = writeln!(s, "Not available ({}).\n", esc(&why));
        return;
    }
    let _ = writeln!(
        s,
        "| Program | Allocated / emitted bytes | Executors live at exit |\n|---|---:|---:|"
    );
    for p in &e.programs {
        let f = |x: Option<&Result<f64, String>>, prec: usize| match x {
            Some(Ok(v)) => format!("{v:.prec$}"),
            Some(Err(e)) => format!("n/a ({})", esc(e)),
            None => "n/a".into(),
        };
        let _ = writeln!(
            s,
            "| {} | {} | {} |",
            p.name,
            f(a.get(&p.name), 2),
            f(l.get(&p.name), 0)
        );
    }
    let _ = writeln!(s);
}

fn method(s: &mut String, r: &Results) {
    let _ = writeln!(
        s,
        "## Method\n\n\
         - Wall time of each child process, from spawn to exit; the median of {} run(s) per program and mode, \
           with modes interleaved run by run{}.\n\
         - Peak RSS is the child's own `ru_maxrss` from `wait4`.\n\
         - Ratios are only ever taken between numbers from the same harness run; `--compare OLD.json` compares \
           those ratios, never absolute times from different runs, and flags changes worse than 5%.\n\
         - Each run is limited to {:.0} s; a run past the limit is a FAIL.\n\
         - Machine-readable results: `bench/results/latest.json`.\n",
        r.settings.runs,
        if r.settings.quick { "" } else { ", after one warm-up run each that also calibrates the time estimate" },
        r.settings.timeout_s
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::{ModeInfo, ProgramResult};

    fn sample() -> Results {
        let mut r = Results::default();
        r.execution.modes = vec![
            ModeInfo {
                id: "python3".into(),
                label: "python3".into(),
                unavailable: None,
            },
            ModeInfo {
                id: "tier1".into(),
                label: "cpjit --tier 1".into(),
                unavailable: None,
            },
            ModeInfo {
                id: "jit".into(),
                label: "cpjit --tier jit".into(),
                unavailable: Some("exit status 2: no | jit".into()),
            },
        ];
        let mut cells = BTreeMap::new();
        cells.insert(
            "python3".into(),
            Cell::Ok {
                median_s: 2.0,
                runs_s: vec![2.0],
                peak_rss_kib: 10240,
            },
        );
        cells.insert(
            "tier1".into(),
            Cell::Fail {
                reason: "wrong output at line 1".into(),
            },
        );
        cells.insert(
            "jit".into(),
            Cell::NotAvailable {
                reason: "exit status 2: no | jit".into(),
            },
        );
        r.execution.programs.push(ProgramResult {
            name: "bench_a".into(),
            origin: "own".into(),
            cells,
            stats: BTreeMap::new(),
        });
        r
    }

    #[test]
    fn failures_show_as_fail_never_as_a_time() {
        let md = render(&sample(), None);
        assert!(md.contains("| bench_a | 2.00 | FAIL | n/a |"), "{md}");
        assert!(md.contains("bench_a under tier1: wrong output at line 1"));
    }

    #[test]
    fn unavailable_modes_are_explained_and_escaped() {
        let md = render(&sample(), None);
        assert!(
            md.contains("cpjit --tier jit: not available (exit status 2: no \\| jit)"),
            "{md}"
        );
    }

    #[test]
    fn uniform_error_detects_one_shared_reason() {
        let mut m: BTreeMap<String, Result<f64, String>> = BTreeMap::new();
        m.insert("a".into(), Err("x".into()));
        m.insert("b".into(), Err("x".into()));
        assert_eq!(uniform_error(&m).as_deref(), Some("x"));
        m.insert("c".into(), Ok(1.0));
        assert_eq!(uniform_error(&m), None);
    }
}
