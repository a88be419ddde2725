//! Section 1: every benchmark program under every mode, checked against
//! CPython's output, timed as medians of several runs.

use std::collections::BTreeMap;

use crate::config::Config;
use crate::measure::{self, Checked};
use crate::modes::{self, Mode, PROBE, PYPY_INSTALL_HINT};
use crate::process;
use crate::programs::{self, Program};
use crate::progress::Progress;
use crate::results::{Execution, ModeInfo, ProgramResult, StatsRun};

/// Modes whose `--stats` output is collected.
pub const STATS_MODES: &[&str] = &["uops", "jit"];

/// The state after probing and calibration, shared with later sections.
pub struct Prepared {
    /// Every mode, with availability filled in.
    pub modes: Vec<Mode>,
    /// The programs to run.
    pub programs: Vec<Program>,
    /// Expected standard output per program name.
    pub reference: BTreeMap<String, Vec<u8>>,
    /// Calibration (warm-up) run per (program, mode id); empty with `--quick`.
    pub calibration: BTreeMap<(String, String), Checked>,
    /// Notes for the report.
    pub notes: Vec<String>,
}

impl Prepared {
    /// The modes that work here.
    pub fn available(&self) -> impl Iterator<Item = &Mode> {
        self.modes.iter().filter(|m| m.unavailable.is_none())
    }

    /// The expected output of `program`.
    pub fn expected(&self, program: &str) -> Option<&[u8]> {
        self.reference.get(program).map(Vec::as_slice)
    }

    /// Calibration time of (program, mode) when it succeeded.
    pub fn calibrated_s(&self, program: &str, mode: &str) -> Option<f64> {
        match self
            .calibration
            .get(&(program.to_string(), mode.to_string()))
        {
            Some(Ok((t, _))) => Some(*t),
            _ => None,
        }
    }
}

/// Finds the programs, probes the modes, fixes the expected outputs and,
/// for a full run, runs everything once (warm-up and calibration).
pub fn prepare(cfg: &Config, progress: &Progress) -> Prepared {
    let mut notes = Vec::new();
    let mut all = programs::discover(&cfg.corpus, "corpus");
    if all.is_empty() {
        notes.push(format!(
            "No `bench_*.py` found in the corpus folder {} (give another with `--corpus DIR`).",
            cfg.corpus.display()
        ));
    }
    all.extend(programs::discover(&cfg.own_programs, "own"));
    if !cfg.only.is_empty() {
        all.retain(|p| cfg.only.iter().any(|o| p.name.contains(o.as_str())));
    }
    let programs = if cfg.quick {
        programs::quick_subset(&all, 3)
    } else {
        all
    };

    let probe_path = cfg.work.join("probe.py");
    let mut modes = modes::all_modes(&cfg.python, cfg.pypy.clone(), &cfg.cpjit);
    let probe_written = std::fs::write(&probe_path, PROBE.0);
    for mode in &mut modes {
        progress.doing(&format!("probing {}", mode.label));
        if let Err(e) = &probe_written {
            mode.unavailable = Some(format!("cannot write the probe program: {e}"));
            continue;
        }
        mode.unavailable = modes::probe(mode, &probe_path, cfg.timeout);
        if let Some(v) =
            modes::version(&mode.program).filter(|_| !mode.is_cpjit() && mode.unavailable.is_none())
        {
            mode.label = format!("{} ({v})", mode.id);
        }
    }
    if let Some(m) = modes
        .iter()
        .find(|m| m.id == "pypy3" && m.unavailable.is_some())
    {
        notes.push(format!(
            "PyPy skipped: {}. To include it, {PYPY_INSTALL_HINT}.",
            m.unavailable.as_deref().unwrap_or("")
        ));
    }

    // Expected output: the stored `.out` (CPython's, recorded), else CPython now.
    let mut reference = BTreeMap::new();
    let python = modes
        .iter()
        .find(|m| m.id == "python3")
        .filter(|m| m.unavailable.is_none())
        .cloned();
    for p in &programs {
        if let Some(exp) = &p.expected {
            reference.insert(p.name.clone(), exp.clone());
        } else if let Some(py) = &python {
            progress.doing(&format!("{}: CPython reference output", p.name));
            match process::run(&mut py.command(&p.path, &[]), cfg.timeout) {
                Ok(out) if out.success() => {
                    reference.insert(p.name.clone(), out.stdout);
                }
                Ok(out) => notes.push(format!(
                    "{}: CPython failed ({}); it has no reference output.",
                    p.name,
                    out.failure()
                )),
                Err(e) => notes.push(format!("{}: {e}", p.name)),
            }
        }
    }

    let mut prepared = Prepared {
        modes,
        programs,
        reference,
        calibration: BTreeMap::new(),
        notes,
    };
    if !cfg.quick {
        let pairs: Vec<(Program, Mode)> = prepared
            .programs
            .iter()
            .flat_map(|p| prepared.available().map(move |m| (p.clone(), m.clone())))
            .collect();
        progress.plan(pairs.len() as u64);
        for (p, m) in pairs {
            progress.doing(&format!("calibrating {} under {}", p.name, m.id));
            let r = measure::checked_run(
                &mut m.command(&p.path, &[]),
                prepared.expected(&p.name),
                cfg.timeout,
            );
            prepared
                .calibration
                .insert((p.name.clone(), m.id.clone()), r);
            progress.done_one();
        }
    }
    prepared
}

/// Seconds the timed runs and `--stats` runs of this section will take,
/// from the calibration (0 without one).
pub fn estimate_s(prep: &Prepared, runs: usize) -> f64 {
    let mut total = 0.0;
    for p in &prep.programs {
        for m in prep.available() {
            if let Some(t) = prep.calibrated_s(&p.name, &m.id) {
                total += t * runs as f64;
                if STATS_MODES.contains(&m.id.as_str()) {
                    total += t;
                }
            }
        }
    }
    total
}

/// Times every program under every available mode, interleaving the modes
/// run by run so that drift in machine load spreads evenly over them.
pub fn measure(cfg: &Config, prep: &Prepared, progress: &Progress) -> Execution {
    let mut rows = Vec::new();
    let mut notes = prep.notes.clone();
    let started = std::time::Instant::now();
    // `--quick` stays under two minutes even when a mode is slow: it stops
    // starting programs after this long, and collects `--stats` under the
    // JIT only.
    let quick_budget = std::time::Duration::from_secs(75);
    let wanted_stats: &[&str] = if cfg.quick { &["jit"] } else { STATS_MODES };
    let stats_modes: Vec<&Mode> = prep
        .available()
        .filter(|m| wanted_stats.contains(&m.id.as_str()))
        .collect();
    progress.plan(
        (prep.programs.len() * (prep.available().count() * cfg.runs + stats_modes.len())) as u64,
    );
    for (i, p) in prep.programs.iter().enumerate() {
        if cfg.quick && started.elapsed() > quick_budget {
            let left: Vec<&str> = prep.programs[i..].iter().map(|p| p.name.as_str()).collect();
            notes.push(format!(
                "Quick run: stopped before {} to stay under two minutes.",
                left.join(", ")
            ));
            break;
        }
        let expected = prep.expected(&p.name);
        let mut runs: BTreeMap<String, Vec<Checked>> = BTreeMap::new();
        for m in prep.available() {
            if let Some(Err(e)) = prep.calibration.get(&(p.name.clone(), m.id.clone())) {
                runs.insert(m.id.clone(), vec![Err(e.clone())]);
            }
        }
        for r in 0..cfg.runs {
            for m in prep.available() {
                let slot = runs.entry(m.id.clone()).or_default();
                progress.done_one();
                if slot.iter().any(Result::is_err) {
                    continue; // a failed cell is not run again
                }
                progress.doing(&format!(
                    "{} under {} (run {}/{})",
                    p.name,
                    m.id,
                    r + 1,
                    cfg.runs
                ));
                slot.push(measure::checked_run(
                    &mut m.command(&p.path, &[]),
                    expected,
                    cfg.timeout,
                ));
            }
        }
        let mut cells = BTreeMap::new();
        for m in &prep.modes {
            let cell = match &m.unavailable {
                Some(why) => crate::results::Cell::NotAvailable {
                    reason: why.clone(),
                },
                None => measure::summarize(runs.get(&m.id).map(Vec::as_slice).unwrap_or(&[])),
            };
            cells.insert(m.id.clone(), cell);
        }
        let mut stats = BTreeMap::new();
        for m in &prep.modes {
            if !wanted_stats.contains(&m.id.as_str()) {
                continue;
            }
            let s = match &m.unavailable {
                Some(why) => StatsRun::NotAvailable {
                    reason: format!("mode not available: {why}"),
                },
                None => {
                    progress.doing(&format!("{} under {} --stats", p.name, m.id));
                    progress.done_one();
                    measure::stats_run(&mut m.command(&p.path, &["--stats"]), expected, cfg.timeout)
                }
            };
            stats.insert(m.id.clone(), s);
        }
        rows.push(ProgramResult {
            name: p.name.clone(),
            origin: p.origin.clone(),
            cells,
            stats,
        });
    }
    Execution {
        modes: prep
            .modes
            .iter()
            .map(|m| ModeInfo {
                id: m.id.clone(),
                label: m.label.clone(),
                unavailable: m.unavailable.clone(),
            })
            .collect(),
        programs: rows,
        notes,
    }
}
