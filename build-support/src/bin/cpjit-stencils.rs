//! `cpjit-stencils`: regenerates stencil files for any of the seven targets.
//!
//! ```text
//! cpjit-stencils --all-targets --out stencils          # write
//! cpjit-stencils --all-targets --out stencils --check  # exit 1 naming stale files
//! ```

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{bail, Context as _, Result};
use clap::Parser;
use cpjit_build_support::targets::{cc_name, parse_cc, TargetSpec, TARGETS};
use cpjit_build_support::{generate_hashed, hash, input_hashes, Generated, Request};
use indicatif::{ProgressBar, ProgressStyle};

/// Regenerates cpjit's stencils.
#[derive(Parser, Debug)]
#[command(name = "cpjit-stencils", version)]
struct Args {
    /// Target triple (repeatable).
    #[arg(long = "target", value_name = "TRIPLE")]
    targets: Vec<String>,
    /// Every supported target.
    #[arg(long, conflicts_with = "targets")]
    all_targets: bool,
    /// Calling convention: preserve-none, ghc or c (default: each target's own).
    #[arg(long, value_name = "CC")]
    cc: Option<String>,
    /// Compile workers (default: available cores).
    #[arg(long, value_name = "N")]
    jobs: Option<usize>,
    /// Output directory.
    #[arg(long, value_name = "DIR", default_value = "stencils")]
    out: PathBuf,
    /// Check that the files in DIR are what would be written; exit 1 naming stale ones.
    #[arg(long)]
    check: bool,
    /// Regenerate even when the input hash is unchanged.
    #[arg(long)]
    force: bool,
    /// No progress bar.
    #[arg(long)]
    quiet: bool,
    /// Print the time each phase took (hashing, compiling, rendering, writing).
    #[arg(long)]
    timings: bool,
}

fn main() {
    if let Err(e) = run(Args::parse()) {
        eprintln!("cpjit-stencils: error: {e:#}");
        std::process::exit(2);
    }
}

fn run(args: Args) -> Result<()> {
    let started = Instant::now();
    let specs: Vec<&'static TargetSpec> = if args.all_targets {
        TARGETS.iter().collect()
    } else if args.targets.is_empty() {
        bail!("name at least one --target TRIPLE, or --all-targets");
    } else {
        args.targets
            .iter()
            .map(|t| TargetSpec::lookup(t))
            .collect::<Result<_, _>>()?
    };
    let cc = match &args.cc {
        Some(s) => Some(parse_cc(s).with_context(|| {
            format!("unknown calling convention {s:?}; use preserve-none, ghc or c")
        })?),
        None => None,
    };
    let requests: Vec<Request> = specs
        .iter()
        .map(|spec| {
            let cc = cc.unwrap_or(spec.default_cc);
            spec.options(cc)?;
            Ok(Request { spec, cc })
        })
        .collect::<Result<_, cpjit_build_support::targets::TargetError>>()?;
    if !args.check {
        prepare_out_dir(&args.out)?;
    }

    let workers = args
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    // Skip targets whose file already records the same input hash.
    let mut phases = Phases::new(args.timings);
    let hashes = input_hashes(&requests, workers)?;
    phases.done("input hashes");
    let mut todo = Vec::new();
    let mut todo_hashes = Vec::new();
    let mut fresh = Vec::new();
    for (r, hash) in requests.iter().zip(hashes) {
        let path = args.out.join(r.spec.file_name());
        let existing = std::fs::read_to_string(&path).ok();
        let same = existing.as_deref().and_then(hash::hash_in_header) == Some(hash.as_str());
        // `--check` compares whole files, so it never trusts the header alone.
        if same && !args.force && !args.check {
            fresh.push(path);
        } else {
            todo.push(*r);
            todo_hashes.push(hash);
        }
    }

    let total_jobs = cpjit_build_support::jobs(&todo).len() as u64;
    let bar = if args.quiet || total_jobs == 0 {
        ProgressBar::hidden()
    } else {
        ProgressBar::new(total_jobs)
    };
    bar.set_style(
        ProgressStyle::with_template("{spinner} compiling [{bar:30}] {pos}/{len} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    let generated = generate_hashed(&todo, &todo_hashes, workers, &|job| {
        bar.set_message(format!("{} {}", job.spec.triple, job.template.name()));
        bar.inc(1);
    })?;
    bar.finish_and_clear();
    phases.done("compile and harvest");
    let rendered = render_all(&generated, workers)?;
    phases.done("render");

    let mut stale = Vec::new();
    for (g, text) in generated.iter().zip(rendered) {
        let path = args.out.join(g.request.spec.file_name());
        if args.check {
            if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
                stale.push(path);
            }
        } else {
            write_atomically(&path, &text)?;
        }
    }
    phases.done(if args.check { "compare" } else { "write" });
    if args.check && !stale.is_empty() {
        for p in &stale {
            eprintln!("cpjit-stencils: stale: {}", p.display());
        }
        eprintln!(
            "cpjit-stencils: regenerate with: cpjit-stencils {} --out {}",
            target_args(&requests),
            args.out.display()
        );
        std::process::exit(1);
    }
    summary(&generated, fresh.len(), started, args.check, workers);
    Ok(())
}

/// Phase timings for `--timings`.
struct Phases {
    on: bool,
    last: Instant,
}

impl Phases {
    fn new(on: bool) -> Self {
        Phases {
            on,
            last: Instant::now(),
        }
    }

    fn done(&mut self, phase: &str) {
        if self.on {
            eprintln!(
                "cpjit-stencils: {phase}: {:.3} s",
                self.last.elapsed().as_secs_f64()
            );
        }
        self.last = Instant::now();
    }
}

/// Renders every set (disassembly included) on `workers` threads.
fn render_all(generated: &[Generated], workers: usize) -> Result<Vec<String>> {
    use rayon::prelude::*;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(workers.max(1))
        .build()?;
    Ok(pool.install(|| generated.par_iter().map(Generated::render).collect()))
}

fn target_args(requests: &[Request]) -> String {
    requests
        .iter()
        .map(|r| format!("--target {} --cc {}", r.spec.triple, cc_name(r.cc)))
        .collect::<Vec<_>>()
        .join(" ")
}

fn summary(generated: &[Generated], fresh: usize, started: Instant, check: bool, workers: usize) {
    let mut t = cpjit_build_support::writer::Totals::default();
    for g in generated {
        g.groups.iter().for_each(|s| t.add(s));
    }
    println!(
        "cpjit-stencils: {} target(s) {}, {} up to date; {} stencils, {} B code, {} B data ({} B cold code), {} holes, \
         {} B saved by dropping final jumps; {:.2} s with {} worker(s)",
        generated.len(),
        if check { "checked" } else { "written" },
        fresh,
        t.groups,
        t.code_bytes,
        t.data_bytes,
        t.cold_bytes,
        t.holes,
        t.bytes_saved,
        started.elapsed().as_secs_f64(),
        workers
    );
}

fn prepare_out_dir(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create output directory {}", dir.display()))?;
    let probe = dir.join(".cpjit-stencils-write-test");
    std::fs::write(&probe, b"")
        .with_context(|| format!("output directory {} is not writable", dir.display()))?;
    let _ = std::fs::remove_file(&probe);
    Ok(())
}

/// Writes `text` to a temporary file next to `path`, then renames it: a
/// failure never leaves a partial file.
fn write_atomically(path: &Path, text: &str) -> Result<()> {
    let tmp = path.with_extension("rs.tmp");
    let result = (|| -> std::io::Result<()> {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(e).with_context(|| format!("cannot write {}", path.display()));
    }
    Ok(())
}
