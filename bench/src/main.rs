//! `cpjit-bench`: measures cpjit against CPython and PyPy, and writes
//! `BENCHMARKS.md`, SVG charts and `bench/results/latest.json`.
//!
//! `make bench` runs it through `ci/bench.sh`; see `docs/benchmarks.md`.

mod charts;
mod compare;
mod config;
mod figures;
mod machine;
mod measure;
mod modes;
mod parse;
mod process;
mod programs;
mod progress;
mod report;
mod results;
mod sections;
mod stats;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use clap::Parser;

use config::Config;
use progress::Progress;
use results::{Results, Settings, SCHEMA};
use sections::{calling_conventions, compilation, execution, memory, regeneration};

/// Measures cpjit: execution against CPython and PyPy, stencil calling
/// conventions, compilation speed, stencil regeneration and memory.
#[derive(Parser, Debug)]
#[command(name = "cpjit-bench", version)]
struct Cli {
    /// Smoke check in under 2 minutes: 3 programs, 1 run each, no
    /// calling-convention builds, host-only regeneration.
    #[arg(long)]
    quick: bool,
    /// Timed runs per program and mode (default 5, or 1 with --quick).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=100))]
    runs: Option<u32>,
    /// Folder with the shared corpus's bench_*.py (default ../shared/corpus
    /// from the repository root).
    #[arg(long, value_name = "DIR")]
    corpus: Option<PathBuf>,
    /// Folder with the project's own bench_*.py (default bench/programs).
    #[arg(long, value_name = "DIR")]
    programs: Option<PathBuf>,
    /// The cpjit binary to measure (default target/release/cpjit).
    #[arg(long, value_name = "PATH")]
    cpjit: Option<PathBuf>,
    /// CPython interpreter.
    #[arg(long, value_name = "PATH", default_value = "python3")]
    python: PathBuf,
    /// PyPy interpreter (default: pypy3 from PATH, when installed).
    #[arg(long, value_name = "PATH", conflicts_with = "no_pypy")]
    pypy: Option<PathBuf>,
    /// Leave PyPy out.
    #[arg(long)]
    no_pypy: bool,
    /// Compare with an earlier results file and flag regressions above 5%.
    #[arg(long, value_name = "OLD.json")]
    compare: Option<PathBuf>,
    /// Exit with status 1 when --compare finds a regression.
    #[arg(long, requires = "compare")]
    fail_on_regression: bool,
    /// Where BENCHMARKS.md, bench/charts/ and bench/results/ are written
    /// (default: the repository root).
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Per-run time limit in seconds (default 300, or 30 with --quick).
    #[arg(long, value_name = "SECS")]
    timeout: Option<u64>,
    /// Skip the calling-convention section.
    #[arg(long)]
    no_cc: bool,
    /// Do not build the per-convention binaries; use those already built.
    #[arg(long)]
    no_cc_build: bool,
    /// Skip the stencil-regeneration section.
    #[arg(long)]
    no_regen: bool,
    /// Only programs whose name contains this (repeatable).
    #[arg(long, value_name = "NAME")]
    only: Vec<String>,
    /// The repository root (default: found from the current folder).
    #[arg(long, value_name = "DIR")]
    repo: Option<PathBuf>,
}

/// The repository root: the nearest folder upwards holding `Cargo.toml`
/// and `bench/programs`, else the one this binary was built from.
fn find_repo() -> PathBuf {
    if let Ok(cwd) = std::env::current_dir() {
        for dir in cwd.ancestors() {
            if dir.join("Cargo.toml").is_file() && dir.join("bench").join("programs").is_dir() {
                return dir.to_path_buf();
            }
        }
    }
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// `p` made absolute, with `..` resolved when the path exists.
fn absolute(p: PathBuf) -> PathBuf {
    std::fs::canonicalize(&p)
        .or_else(|_| std::path::absolute(&p))
        .unwrap_or(p)
}

fn config(cli: &Cli) -> Result<Config> {
    let repo = absolute(cli.repo.clone().unwrap_or_else(find_repo));
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .map(absolute)
        .unwrap_or_else(|| repo.join("target"));
    let work = target.join("bench-work");
    std::fs::create_dir_all(&work).with_context(|| format!("creating {}", work.display()))?;
    let pypy = if cli.no_pypy {
        Err("left out with --no-pypy".to_string())
    } else if let Some(p) = &cli.pypy {
        Ok(p.clone())
    } else {
        modes::which("pypy3").ok_or_else(|| "pypy3 is not installed".to_string())
    };
    Ok(Config {
        corpus: absolute(
            cli.corpus
                .clone()
                .unwrap_or_else(|| repo.join("..").join("shared").join("corpus")),
        ),
        own_programs: absolute(
            cli.programs
                .clone()
                .unwrap_or_else(|| repo.join("bench").join("programs")),
        ),
        cpjit: absolute(
            cli.cpjit
                .clone()
                .unwrap_or_else(|| target.join("release").join("cpjit")),
        ),
        python: cli.python.clone(),
        pypy,
        runs: cli
            .runs
            .map(|r| r as usize)
            .unwrap_or(if cli.quick { 1 } else { 5 }),
        quick: cli.quick,
        timeout: Duration::from_secs(cli.timeout.unwrap_or(if cli.quick { 30 } else { 300 })),
        work,
        target,
        calling_conventions: !cli.no_cc && !cli.quick,
        build_conventions: !cli.no_cc_build,
        regeneration: !cli.no_regen,
        only: cli.only.clone(),
        repo,
    })
}

fn minutes(s: f64) -> String {
    if s < 90.0 {
        format!("{:.0} s", s.max(1.0))
    } else {
        format!("{:.0} min", s / 60.0)
    }
}

fn main() {
    if let Err(e) = run() {
        eprintln!("cpjit-bench: error: {e:#}");
        std::process::exit(2);
    }
}

fn run() -> Result<()> {
    let cli = Cli::parse();
    let cfg = config(&cli)?;
    let old = match &cli.compare {
        Some(p) => Some(Results::load(p)?),
        None => None,
    };
    let out_root = absolute(cli.out.clone().unwrap_or_else(|| cfg.repo.clone()));
    let started = Instant::now();
    let progress = Progress::new();
    progress.note(&format!(
        "cpjit-bench: {} run, {} timed run(s) per program and mode; corpus {}",
        if cfg.quick { "quick" } else { "full" },
        cfg.runs,
        cfg.corpus.display()
    ));
    let machine = machine::Machine::collect(&cfg.repo);

    let prep = execution::prepare(&cfg, &progress);
    if prep.programs.is_empty() {
        progress.finish();
        bail!(
            "no bench_*.py programs found in {} or {}",
            cfg.corpus.display(),
            cfg.own_programs.display()
        );
    }
    for m in &prep.modes {
        if let Some(why) = &m.unavailable {
            progress.note(&format!("  {}: not available ({why})", m.label));
        }
    }
    if cfg.quick {
        progress.note(&format!(
            "Quick run: {} programs, expect well under 2 minutes.",
            prep.programs.len()
        ));
    } else {
        let exec_s = execution::estimate_s(&prep, cfg.runs);
        let cc_s = calling_conventions::estimate_s(&cfg, &prep);
        let regen_s = if cfg.regeneration
            && cfg
                .target
                .join("release")
                .join(regeneration::REGEN_BIN)
                .is_file()
        {
            10.0 * cfg.runs as f64 // about 2 s per case on the reference machine
        } else {
            0.0
        };
        progress.note(&format!(
            "Estimated time: about {} more (execution {} from the calibration run, calling-convention builds and runs {}, regeneration {}).",
            minutes(exec_s + cc_s + regen_s),
            minutes(exec_s),
            minutes(cc_s),
            minutes(regen_s)
        ));
    }

    let exec = execution::measure(&cfg, &prep, &progress);
    progress.note("execution: done");
    let cc = calling_conventions::run(&cfg, &prep, &progress);
    let comp = compilation::run(&cfg, &exec, &progress);
    let regen = regeneration::run(&cfg, &progress);
    let mem = memory::summarize(&exec);
    progress.finish();

    let results = Results {
        schema: SCHEMA,
        machine,
        settings: Settings {
            quick: cfg.quick,
            runs: cfg.runs,
            timeout_s: cfg.timeout.as_secs_f64(),
            corpus: cfg.corpus.display().to_string(),
            total_s: started.elapsed().as_secs_f64(),
        },
        execution: exec,
        calling_conventions: cc,
        compilation: comp,
        regeneration: regen,
        memory: mem,
    };
    let comparison = old.as_ref().map(|o| compare::compare(o, &results));

    let json = out_root.join("bench").join("results").join("latest.json");
    results.save(&json)?;
    let chart_dir = out_root.join(report::CHART_DIR);
    figures::speedup(&results).write_svg(&chart_dir.join(figures::SPEEDUP))?;
    figures::memory(&results).write_svg(&chart_dir.join(figures::MEMORY))?;
    if let Some(c) = figures::conventions(&results) {
        c.write_svg(&chart_dir.join(figures::CONVENTIONS))?;
    }
    let md = out_root.join("BENCHMARKS.md");
    std::fs::write(&md, report::render(&results, comparison.as_ref()))
        .with_context(|| format!("writing {}", md.display()))?;

    println!("Geometric mean speed-up over CPython:");
    let geo = compare::geomean_speedups(&results);
    for m in &results.execution.modes {
        if m.id == "python3" {
            continue;
        }
        match (&m.unavailable, geo.get(&m.id)) {
            (Some(why), _) => println!("  {:<28} not available ({why})", m.label),
            (None, Some((g, n))) => println!("  {:<28} {g:.2}x over {n} program(s)", m.label),
            (None, None) => println!("  {:<28} no correct runs", m.label),
        }
    }
    println!(
        "Wrote {}, {} and charts in {}",
        md.display(),
        json.display(),
        chart_dir.display()
    );
    println!("Took {}.", minutes(results.settings.total_s));
    if let Some(c) = &comparison {
        println!(
            "Compared with {}: {} regression(s) above 5%, {} newly failing, {} improvement(s).",
            c.old_label,
            c.regressions.len(),
            c.newly_failing.len(),
            c.improvements.len()
        );
        for r in &c.regressions {
            println!(
                "  REGRESSION {}: {:.4} -> {:.4} ({:+.1}%)",
                r.name,
                r.old,
                r.new,
                r.worse_by * 100.0
            );
        }
        for f in &c.newly_failing {
            println!("  NOW FAILING {f}");
        }
        if cli.fail_on_regression && (!c.regressions.is_empty() || !c.newly_failing.is_empty()) {
            std::process::exit(1);
        }
    }
    Ok(())
}
