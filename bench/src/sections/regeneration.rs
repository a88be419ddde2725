//! Section 4: how long `cpjit-stencils` takes to regenerate the stencils:
//! host and all targets at `--jobs 1` and `--jobs 2`, and a no-op rerun.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use crate::config::Config;
use crate::measure::Checked;
use crate::process;
use crate::progress::Progress;
use crate::results::{Cell, RegenCase, Regeneration};

/// The regeneration binary's name in `target/release`.
pub const REGEN_BIN: &str = "cpjit-stencils";

/// One planned case: a name, the arguments before `--out`, and whether the
/// output folder is emptied before each run (a cold run).
struct Plan {
    name: &'static str,
    args: Vec<String>,
    cold: bool,
}

/// The host target triple, from `rustc -vV`.
pub fn host_triple() -> Option<String> {
    let out = Command::new("rustc").arg("-vV").output().ok()?;
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("host: ").map(|h| h.trim().to_string()))
}

fn plans(quick: bool, host: &str) -> Vec<Plan> {
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    let mut p = vec![
        Plan {
            name: "host, --jobs 1",
            args: s(&["--target", host, "--jobs", "1"]),
            cold: true,
        },
        Plan {
            name: "host, --jobs 2",
            args: s(&["--target", host, "--jobs", "2"]),
            cold: true,
        },
    ];
    if !quick {
        p.push(Plan {
            name: "all targets, --jobs 1",
            args: s(&["--all-targets", "--jobs", "1"]),
            cold: true,
        });
        p.push(Plan {
            name: "all targets, --jobs 2",
            args: s(&["--all-targets", "--jobs", "2"]),
            cold: true,
        });
    }
    p.push(Plan {
        name: "no-op rerun (host, nothing changed)",
        args: s(&["--target", host, "--jobs", "2"]),
        cold: false,
    });
    p.push(Plan {
        name: "--check (host)",
        args: s(&["--target", host, "--check"]),
        cold: false,
    });
    p
}

/// Runs the section.
pub fn run(cfg: &Config, progress: &Progress) -> Regeneration {
    let bin = cfg.target.join("release").join(REGEN_BIN);
    if !cfg.regeneration {
        return Regeneration {
            cases: Vec::new(),
            unavailable: Some("skipped (`--no-regen`)".into()),
        };
    }
    if !bin.is_file() {
        return Regeneration {
            cases: Vec::new(),
            unavailable: Some(format!(
                "{} not found (the stencil toolchain's command is not built)",
                bin.display()
            )),
        };
    }
    let Some(host) = host_triple() else {
        return Regeneration {
            cases: Vec::new(),
            unavailable: Some("cannot read the host triple from `rustc -vV`".into()),
        };
    };
    let out_dir = cfg.work.join("regen");
    let runs = if cfg.quick { 1 } else { cfg.runs.max(1) };
    let plans = plans(cfg.quick, &host);
    progress.plan((plans.len() * runs) as u64);
    let mut cases = Vec::new();
    for plan in plans {
        let mut samples: Vec<Checked> = Vec::new();
        let mut summary = None;
        for r in 0..runs {
            progress.doing(&format!("{REGEN_BIN} {} (run {}/{runs})", plan.name, r + 1));
            progress.done_one();
            if plan.cold {
                // Ignore the error: the folder may not exist yet.
                let _ = std::fs::remove_dir_all(&out_dir);
            }
            let (sample, last) = time_once(&bin, &plan.args, &out_dir, Duration::from_secs(600));
            summary = last.or(summary);
            let failed = sample.is_err();
            samples.push(sample);
            if failed {
                break;
            }
        }
        let cell = match crate::measure::summarize(&samples) {
            Cell::Fail { reason } => Cell::NotAvailable { reason },
            other => other,
        };
        let mut args = plan.args.clone();
        args.extend(["--out".to_string(), "DIR".to_string()]);
        cases.push(RegenCase {
            name: plan.name.into(),
            args,
            cell,
            summary,
        });
    }
    // Ignore the error: leftover scratch output is harmless.
    let _ = std::fs::remove_dir_all(&out_dir);
    Regeneration {
        cases,
        unavailable: None,
    }
}

fn time_once(
    bin: &Path,
    args: &[String],
    out_dir: &PathBuf,
    limit: Duration,
) -> (Checked, Option<String>) {
    let mut cmd = Command::new(bin);
    cmd.args(args).arg("--out").arg(out_dir);
    match process::run(&mut cmd, limit) {
        Err(e) => (Err(e.to_string()), None),
        Ok(out) => {
            let last = process::last_line(&out.stdout).or_else(|| process::last_line(&out.stderr));
            if out.success() {
                (Ok((out.wall.as_secs_f64(), out.max_rss_kib)), last)
            } else {
                (Err(out.failure()), last)
            }
        }
    }
}

/// `--jobs 2` speed-up over `--jobs 1` for `all targets` (or host), when both ran.
pub fn jobs_speedup(r: &Regeneration, scope: &str) -> Option<f64> {
    let t = |jobs: &str| {
        r.cases
            .iter()
            .find(|c| c.name == format!("{scope}, --jobs {jobs}"))
            .and_then(|c| c.cell.median())
    };
    Some(t("1")? / t("2")?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quick_plan_skips_all_targets() {
        let quick: Vec<&str> = plans(true, "x86_64-unknown-linux-gnu")
            .iter()
            .map(|p| p.name)
            .collect();
        assert!(!quick.iter().any(|n| n.starts_with("all targets")));
        let full = plans(false, "h");
        assert_eq!(
            full.iter()
                .filter(|p| p.name.starts_with("all targets"))
                .count(),
            2
        );
        assert!(full.iter().any(|p| !p.cold));
    }

    #[test]
    fn missing_binary_is_not_available() {
        let cfg = crate::config::Config {
            repo: "/nonexistent".into(),
            corpus: "/nonexistent".into(),
            own_programs: "/nonexistent".into(),
            cpjit: "/nonexistent/cpjit".into(),
            python: "python3".into(),
            pypy: Err("no".into()),
            runs: 1,
            quick: true,
            timeout: Duration::from_secs(1),
            work: std::env::temp_dir(),
            target: "/nonexistent/target".into(),
            calling_conventions: false,
            build_conventions: false,
            regeneration: true,
            only: Vec::new(),
        };
        let r = run(&cfg, &Progress::new());
        assert!(r.unavailable.unwrap().contains("cpjit-stencils not found"));
    }
}
