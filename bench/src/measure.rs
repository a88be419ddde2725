//! Timing one program in one mode: checked runs and their summary cell.

use std::collections::BTreeMap;
use std::process::Command;
use std::time::Duration;

use crate::parse;
use crate::process;
use crate::programs::describe_mismatch;
use crate::results::{Cell, StatsRun};
use crate::stats::median;

/// One checked run: `Ok((wall seconds, peak RSS KiB))`, or why it failed.
pub type Checked = Result<(f64, u64), String>;

/// Runs `cmd` and checks it exits 0 with exactly `expected` on standard output.
pub fn checked_run(cmd: &mut Command, expected: Option<&[u8]>, limit: Duration) -> Checked {
    let out = process::run(cmd, limit).map_err(|e| e.to_string())?;
    if !out.success() {
        return Err(out.failure());
    }
    let Some(expected) = expected else {
        return Err("no expected output to check against (CPython did not run)".into());
    };
    if out.stdout != expected {
        return Err(describe_mismatch(expected, &out.stdout));
    }
    Ok((out.wall.as_secs_f64(), out.max_rss_kib))
}

/// Summarises runs into a cell: the first failure wins (a wrong answer is
/// never reported as a time); otherwise the median and the peak RSS.
pub fn summarize(runs: &[Checked]) -> Cell {
    if let Some(Err(reason)) = runs.iter().find(|r| r.is_err()) {
        return Cell::Fail {
            reason: reason.clone(),
        };
    }
    let times: Vec<f64> = runs
        .iter()
        .filter_map(|r| r.as_ref().ok().map(|t| t.0))
        .collect();
    let peak = runs
        .iter()
        .filter_map(|r| r.as_ref().ok().map(|t| t.1))
        .max()
        .unwrap_or(0);
    match median(&times) {
        Some(m) => Cell::Ok {
            median_s: m,
            runs_s: times,
            peak_rss_kib: peak,
        },
        None => Cell::NotAvailable {
            reason: "no runs".into(),
        },
    }
}

/// Runs `cmd` (which must include `--stats`) once and parses its statistics
/// from standard error and from whatever follows the program's own output on
/// standard output.
pub fn stats_run(cmd: &mut Command, expected: Option<&[u8]>, limit: Duration) -> StatsRun {
    let out = match process::run(cmd, limit) {
        Ok(out) => out,
        Err(e) => {
            return StatsRun::NotAvailable {
                reason: e.to_string(),
            }
        }
    };
    if !out.success() {
        return StatsRun::NotAvailable {
            reason: out.failure(),
        };
    }
    let tail: &[u8] = match expected {
        Some(exp) if out.stdout.starts_with(exp) => &out.stdout[exp.len()..],
        _ => &[],
    };
    let text = format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(tail)
    );
    let values: BTreeMap<String, f64> = parse::parse_stats(&text);
    if values.is_empty() {
        StatsRun::NotAvailable {
            reason: "--stats printed nothing the harness could read".into(),
        }
    } else {
        StatsRun::Ok {
            values,
            wall_s: out.wall.as_secs_f64(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sh(script: &str) -> Command {
        let mut c = Command::new("sh");
        c.arg("-c").arg(script);
        c
    }

    #[test]
    fn right_output_gives_a_time_wrong_output_a_reason() {
        let limit = Duration::from_secs(10);
        assert!(checked_run(&mut sh("echo 42"), Some(b"42\n"), limit).is_ok());
        let wrong = checked_run(&mut sh("echo 41"), Some(b"42\n"), limit).unwrap_err();
        assert!(wrong.contains("wrong output"), "{wrong}");
        let failed = checked_run(&mut sh("echo 42; exit 1"), Some(b"42\n"), limit).unwrap_err();
        assert!(failed.starts_with("exit status 1"), "{failed}");
        assert!(checked_run(&mut sh("echo 42"), None, limit).is_err());
    }

    #[test]
    fn one_failure_makes_the_cell_fail() {
        let cell = summarize(&[Ok((1.0, 10)), Err("wrong output".into()), Ok((3.0, 30))]);
        assert_eq!(
            cell,
            Cell::Fail {
                reason: "wrong output".into()
            }
        );
    }

    #[test]
    fn cell_holds_median_and_peak() {
        let cell = summarize(&[Ok((3.0, 10)), Ok((1.0, 50)), Ok((2.0, 30))]);
        assert_eq!(cell.median(), Some(2.0));
        assert_eq!(cell.peak_rss_kib(), Some(50));
        assert_eq!(summarize(&[]).median(), None);
    }

    #[test]
    fn stats_come_from_stderr_not_from_the_programs_output() {
        let run = stats_run(
            &mut sh("echo 'checksum: 5'; echo 'executors live: 2' >&2"),
            Some(b"checksum: 5\n"),
            Duration::from_secs(10),
        );
        match run {
            StatsRun::Ok { values, .. } => {
                assert_eq!(values.get("executors_live"), Some(&2.0));
                assert!(!values.contains_key("checksum"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn unsupported_stats_flag_is_not_available() {
        let run = stats_run(
            &mut sh("echo 'unknown flag --stats' >&2; exit 2"),
            None,
            Duration::from_secs(10),
        );
        assert_eq!(
            run,
            StatsRun::NotAvailable {
                reason: "exit status 2: unknown flag --stats".into()
            }
        );
    }
}
