//! Section 2: the host stencils built under each calling convention
//! (`CPJIT_STENCIL_CC`), compared on code size, bytes per executor and time.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use crate::config::Config;
use crate::measure::{self, Checked};
use crate::modes::{self, Mode};
use crate::parse::{self, EMITTED_BYTES, EXECUTORS_CREATED};
use crate::process;
use crate::progress::Progress;
use crate::results::{CallingConventions, Cell, ConventionResult, StatsRun, StencilTotals};
use crate::sections::execution::Prepared;

/// The conventions compared, in table order.
pub const CONVENTIONS: &[&str] = &["preserve-none", "ghc", "c"];

/// Time limit for one cargo build.
const BUILD_LIMIT: Duration = Duration::from_secs(3600);

/// The folder of one convention's binary.
pub fn target_dir(cfg: &Config, cc: &str) -> PathBuf {
    cfg.target.join(format!("bench-cc-{cc}"))
}

/// The one cargo target folder every convention is built in, one after the
/// other: the dependencies are compiled once, and switching
/// `CPJIT_STENCIL_CC` (a `rerun-if-env-changed` of `build.rs`) rebuilds only
/// the stencils and the `cpjit` crate. Each result is then copied to its own
/// [`target_dir`], so all three binaries exist side by side.
pub fn build_dir(cfg: &Config) -> PathBuf {
    cfg.target.join("bench-cc-build")
}

/// The `cpjit` binary of one convention's build.
pub fn binary(cfg: &Config, cc: &str) -> PathBuf {
    target_dir(cfg, cc).join("release").join("cpjit")
}

/// Rough seconds this section will take: builds (short when the folder
/// exists, long when cold) plus the timed runs, from the calibration.
pub fn estimate_s(cfg: &Config, prep: &Prepared) -> f64 {
    if !cfg.calling_conventions {
        return 0.0;
    }
    let mut total = 0.0;
    if cfg.build_conventions {
        // A cold release build of the dependencies took ~15 min on the
        // 2-core reference machine; each convention then rebuilds only the
        // stencils and the cpjit crate (~2 min).
        let cold = if build_dir(cfg).is_dir() { 0.0 } else { 780.0 };
        total += cold + 120.0 * CONVENTIONS.len() as f64;
    }
    for _ in CONVENTIONS {
        for p in &prep.programs {
            if let Some(t) = prep.calibrated_s(&p.name, "jit") {
                total += t * (cfg.runs as f64 + 1.0);
            }
        }
    }
    total
}

/// Runs the section.
pub fn run(cfg: &Config, prep: &Prepared, progress: &Progress) -> CallingConventions {
    let mut notes = Vec::new();
    if !cfg.calling_conventions {
        notes.push(if cfg.quick {
            "Skipped with `--quick` (it builds three variants of cpjit).".to_string()
        } else {
            "Skipped (`--no-cc`).".to_string()
        });
        return CallingConventions {
            builds: Vec::new(),
            notes,
        };
    }
    let mut builds: Vec<ConventionResult> = CONVENTIONS
        .iter()
        .map(|cc| build(cfg, cc, progress))
        .collect();

    for b in &mut builds {
        b.stencils = stencil_totals(cfg, &b.cc, b.build_error.is_none());
    }

    // Time every program under every convention, interleaved run by run.
    let modes: Vec<Option<Mode>> = builds
        .iter()
        .map(|b| {
            b.build_error.is_none().then(|| {
                let mut m =
                    modes::cpjit_mode(&binary(cfg, &b.cc), "jit", "jit", &format!(" ({})", b.cc));
                m.unavailable = modes::probe(&m, &cfg.work.join("probe.py"), cfg.timeout);
                m
            })
        })
        .collect();
    for (b, m) in builds.iter().zip(&modes) {
        if let Some(why) = m.as_ref().and_then(|m| m.unavailable.as_ref()) {
            notes.push(format!(
                "{} build: `--tier jit` not available ({why}).",
                b.cc
            ));
        }
    }
    let usable = modes
        .iter()
        .flatten()
        .filter(|m| m.unavailable.is_none())
        .count();
    progress.plan((prep.programs.len() * usable * (cfg.runs + 1)) as u64);
    for p in &prep.programs {
        let expected = prep.expected(&p.name);
        let mut runs: Vec<Vec<Checked>> = vec![Vec::new(); builds.len()];
        for r in 0..cfg.runs {
            for (i, m) in modes.iter().enumerate() {
                let Some(m) = m.as_ref().filter(|m| m.unavailable.is_none()) else {
                    continue;
                };
                progress.done_one();
                if runs[i].iter().any(Result::is_err) {
                    continue;
                }
                progress.doing(&format!(
                    "{} under --tier jit, {} build (run {}/{})",
                    p.name,
                    builds[i].cc,
                    r + 1,
                    cfg.runs
                ));
                runs[i].push(measure::checked_run(
                    &mut m.command(&p.path, &[]),
                    expected,
                    cfg.timeout,
                ));
            }
        }
        for (i, b) in builds.iter_mut().enumerate() {
            let (cell, per_exec) = match &modes[i] {
                None => {
                    let why = format!(
                        "build failed: {}",
                        b.build_error.clone().unwrap_or_default()
                    );
                    (
                        Cell::NotAvailable {
                            reason: why.clone(),
                        },
                        Err(why),
                    )
                }
                Some(m) => match &m.unavailable {
                    Some(why) => (
                        Cell::NotAvailable {
                            reason: why.clone(),
                        },
                        Err(why.clone()),
                    ),
                    None => {
                        progress.doing(&format!(
                            "{} under --tier jit --stats, {} build",
                            p.name, b.cc
                        ));
                        progress.done_one();
                        let stats = measure::stats_run(
                            &mut m.command(&p.path, &["--stats"]),
                            expected,
                            cfg.timeout,
                        );
                        (measure::summarize(&runs[i]), bytes_per_executor(&stats))
                    }
                },
            };
            b.times.insert(p.name.clone(), cell);
            b.bytes_per_executor.insert(p.name.clone(), per_exec);
        }
    }

    let totals: Vec<StencilTotals> = builds
        .iter()
        .filter_map(|b| b.stencils.clone().ok())
        .collect();
    if totals.len() > 1 && totals.windows(2).all(|w| w[0] == w[1]) {
        notes.push(
            "Every convention's stencils have the same size: the build may be ignoring `CPJIT_STENCIL_CC`.".into(),
        );
    }
    CallingConventions { builds, notes }
}

/// Builds cpjit with `CPJIT_STENCIL_CC=cc` into its own target folder (or,
/// without `--build-cc`, uses the binary already there).
fn build(cfg: &Config, cc: &str, progress: &Progress) -> ConventionResult {
    let mut result = ConventionResult {
        cc: cc.into(),
        build_error: None,
        build_s: None,
        stencils: Err("not measured".into()),
        times: BTreeMap::new(),
        bytes_per_executor: BTreeMap::new(),
    };
    if !cfg.build_conventions {
        if !binary(cfg, cc).is_file() {
            result.build_error = Some(format!(
                "{} not built and building was turned off",
                binary(cfg, cc).display()
            ));
        }
        return result;
    }
    progress.doing(&format!(
        "building cpjit with CPJIT_STENCIL_CC={cc} (cargo)"
    ));
    progress.note(&format!(
        "calling conventions: building {cc} in {}, copied to {}",
        build_dir(cfg).display(),
        target_dir(cfg, cc).display()
    ));
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.args([
        "build",
        "--release",
        "--quiet",
        "-p",
        "cpjit",
        "--bin",
        "cpjit",
        "--target-dir",
    ])
    .arg(build_dir(cfg))
    .env("CPJIT_STENCIL_CC", cc)
    .current_dir(&cfg.repo);
    match process::run(&mut cmd, BUILD_LIMIT) {
        Err(e) => result.build_error = Some(e.to_string()),
        Ok(out) => {
            result.build_s = Some(out.wall.as_secs_f64());
            if !out.success() {
                result.build_error =
                    Some(first_error_line(&out.stderr).unwrap_or_else(|| out.failure()));
            } else if let Err(e) = copy_binary(cfg, cc) {
                result.build_error = Some(e);
            }
        }
    }
    result
}

/// Copies the binary just built in [`build_dir`] to the convention's own
/// [`binary`] path.
fn copy_binary(cfg: &Config, cc: &str) -> Result<(), String> {
    let built = build_dir(cfg).join("release").join("cpjit");
    if !built.is_file() {
        return Err("cargo succeeded but produced no cpjit binary".into());
    }
    let dest = binary(cfg, cc);
    if let Some(dir) = dest.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
    }
    std::fs::copy(&built, &dest)
        .map(|_| ())
        .map_err(|e| format!("copying {} to {}: {e}", built.display(), dest.display()))
}

/// The first `error` line of cargo's output, which names the cause.
fn first_error_line(stderr: &[u8]) -> Option<String> {
    String::from_utf8_lossy(stderr)
        .lines()
        .find(|l| l.trim_start().starts_with("error"))
        .map(|l| l.trim().chars().take(200).collect())
}

/// Stencil totals from the build's own `cpjit stencils list`, falling back
/// to the main binary's `stencils list --cc CC`.
fn stencil_totals(cfg: &Config, cc: &str, built: bool) -> Result<StencilTotals, String> {
    let mut attempts: Vec<(PathBuf, Vec<&str>)> = Vec::new();
    if built {
        attempts.push((binary(cfg, cc), vec!["stencils", "list"]));
    }
    attempts.push((cfg.cpjit.clone(), vec!["stencils", "list", "--cc", cc]));
    let mut why = String::from("no cpjit binary");
    for (bin, args) in attempts {
        match list(&bin, &args, cfg.timeout) {
            Ok(t) => return Ok(t),
            Err(e) => why = e,
        }
    }
    Err(why)
}

fn list(bin: &Path, args: &[&str], limit: Duration) -> Result<StencilTotals, String> {
    let out = process::run(Command::new(bin).args(args), limit).map_err(|e| e.to_string())?;
    if !out.success() {
        return Err(format!("`cpjit {}`: {}", args.join(" "), out.failure()));
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let t = parse::parse_stencil_list(&text).ok_or_else(|| {
        format!(
            "`cpjit {}` printed no table with a code column (first line: '{}')",
            args.join(" "),
            text.lines().next().unwrap_or("")
        )
    })?;
    Ok(StencilTotals {
        count: t.rows,
        code_bytes: t.code,
        data_bytes: t.data,
    })
}

/// Code bytes emitted per executor created, from a `--stats` run.
pub fn bytes_per_executor(stats: &StatsRun) -> Result<f64, String> {
    match stats {
        StatsRun::NotAvailable { reason } => Err(format!("--stats: {reason}")),
        StatsRun::Ok { values, .. } => {
            let execs = EXECUTORS_CREATED.find(values).ok_or_else(|| {
                format!(
                    "--stats has no executors-created value (no {})",
                    EXECUTORS_CREATED.describe()
                )
            })?;
            if execs > 0.0 {
                let bytes = EMITTED_BYTES.find(values).ok_or_else(|| {
                    format!(
                        "--stats has no emitted-bytes value (no {})",
                        EMITTED_BYTES.describe()
                    )
                })?;
                Ok(bytes / execs)
            } else {
                Err("no executors were created".into())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_per_executor_divides_emitted_by_created() {
        let values = parse::parse_stats("code bytes emitted: 3000\nexecutors: created 3, live 1\n");
        let s = StatsRun::Ok {
            values,
            wall_s: 1.0,
        };
        assert_eq!(bytes_per_executor(&s), Ok(1000.0));
    }

    #[test]
    fn bytes_per_executor_explains_what_is_missing() {
        let values = parse::parse_stats("code bytes emitted: 3000\n");
        let s = StatsRun::Ok {
            values,
            wall_s: 1.0,
        };
        assert!(bytes_per_executor(&s)
            .unwrap_err()
            .contains("executors-created"));
        let s = StatsRun::Ok {
            values: parse::parse_stats("executors created: 0\ncode bytes emitted: 0\n"),
            wall_s: 1.0,
        };
        assert_eq!(
            bytes_per_executor(&s),
            Err("no executors were created".into())
        );
    }

    #[test]
    fn finds_cargo_error_line() {
        let err = b"   Compiling x\nerror[E0425]: cannot find value\n  --> src/a.rs\nerror: could not compile\n";
        assert_eq!(
            first_error_line(err).as_deref(),
            Some("error[E0425]: cannot find value")
        );
    }
}
