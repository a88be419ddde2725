//! Shared helpers for the VM integration tests (included with `mod`).

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The cpjit binary under test.
pub fn cpjit() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_cpjit"))
}

/// Directory of the Python test programs.
pub fn py_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/py")
}

/// The shared corpus, if present.
pub fn corpus_dir() -> Option<PathBuf> {
    let d = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    d.is_dir().then_some(d)
}

/// Whether python3 (the reference) is available.
pub fn have_python() -> bool {
    Command::new("python3")
        .arg("--version")
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

/// Runs a command with no stdin.
pub fn run(cmd: &mut Command) -> Output {
    cmd.stdin(Stdio::null()).output().expect("failed to spawn")
}

/// The last non-blank line of stderr.
pub fn last_err_line(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr)
        .lines()
        .rfind(|l| !l.trim().is_empty())
        .unwrap_or("")
        .to_string()
}

/// `python3 FILE` (the reference), or `None` (with a note) without python3.
fn python3_run(file: &Path) -> Option<Output> {
    if !have_python() {
        eprintln!("python3 not found: skipping {}", file.display());
        return None;
    }
    Some(run(Command::new("python3").arg(file)))
}

/// Runs `file` under python3 and cpjit and checks that stdout, exit status
/// and (on failure) the last stderr line agree; for a SyntaxError only the
/// exception type must match. Expectations come from CPython at test time.
pub fn differential(file: &Path) {
    let Some(want) = python3_run(file) else {
        return;
    };
    let got = run(Command::new(cpjit()).args(["run", "--tier", "1"]).arg(file));
    let name = file.display();
    assert_eq!(
        String::from_utf8_lossy(&got.stdout),
        String::from_utf8_lossy(&want.stdout),
        "{name}: stdout differs"
    );
    assert_eq!(
        got.status.code(),
        want.status.code(),
        "{name}: exit status differs"
    );
    if want.status.code() != Some(0) {
        let (w, g) = (last_err_line(&want), last_err_line(&got));
        if w.starts_with("SyntaxError") {
            assert!(
                g.starts_with("SyntaxError"),
                "{name}: expected a SyntaxError, got {g:?}"
            );
        } else {
            assert_eq!(g, w, "{name}: last stderr line differs");
        }
    }
}

/// CPython's standard error without 3.11's caret lines (`~~^~~` under the
/// failing expression), which cpjit does not print.
pub fn without_carets(stderr: &str) -> String {
    stderr
        .lines()
        .filter(|l| {
            let t = l.trim();
            t.is_empty() || !t.chars().all(|c| c == '~' || c == '^')
        })
        .map(|l| format!("{l}\n"))
        .collect()
}

/// Runs `file` under python3 and, leak-checked, in every cpjit mode (the
/// tier-2 modes with [`TIER2_THRESHOLD`], so hot loops run as traces) and
/// checks that stdout, the exit status and the whole of stderr (tracebacks,
/// chaining; CPython's caret lines aside) agree, with no live object left.
pub fn differential_exact(file: &Path) {
    let Some(want) = python3_run(file) else {
        return;
    };
    let want = Run::from(want);
    let want_err = without_carets(&want.stderr);
    for mode in ["1", "uops", "jit"] {
        let got = cpjit_tier2(mode, file, &["--leak-check"], &[]);
        let what = format!("{} --tier {mode}", file.display());
        assert_eq!(got.stdout, want.stdout, "{what}: stdout differs");
        assert_eq!(got.status, want.status, "{what}: exit status differs");
        let (err, leak) = got
            .stderr
            .rsplit_once("cpjit-leak-check: live objects at exit: ")
            .unwrap_or((&got.stderr, "?"));
        assert_eq!(err, want_err, "{what}: stderr differs");
        assert_eq!(leak.trim(), "0", "{what}: a leak");
    }
}

/// The number right after `label` in `cpjit run --stats` output
/// (`label: N`); panics, naming the label, when there is none.
pub fn stat_after(stderr: &str, label: &str) -> u64 {
    let at = stderr
        .find(label)
        .unwrap_or_else(|| panic!("no {label:?} in stats:\n{stderr}"));
    stderr[at + label.len()..]
        .trim_start_matches([':', ' '])
        .split(|c: char| !c.is_ascii_digit())
        .next()
        .and_then(|d| d.parse().ok())
        .unwrap_or_else(|| panic!("no number after {label:?}:\n{stderr}"))
}

/// The number right before `label` in `cpjit run --stats` output
/// (`N label`); panics, naming the label, when there is none.
pub fn stat_before(stderr: &str, label: &str) -> u64 {
    let at = stderr
        .find(label)
        .unwrap_or_else(|| panic!("no {label:?} in stats:\n{stderr}"));
    stderr[..at]
        .split(|c: char| !c.is_ascii_digit())
        .rfind(|s| !s.is_empty())
        .and_then(|d| d.parse().ok())
        .unwrap_or_else(|| panic!("no number before {label:?}:\n{stderr}"))
}

/// What one program run printed and how it ended (-1: killed by a signal).
pub struct Run {
    pub stdout: String,
    pub stderr: String,
    pub status: i32,
}

impl From<Output> for Run {
    fn from(out: Output) -> Self {
        Run {
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            status: out.status.code().unwrap_or(-1),
        }
    }
}

/// Runs `cmd` with no stdin and collects its output as text.
pub fn collect(cmd: &mut Command) -> Run {
    Run::from(run(cmd))
}

/// A program of `tests/tier2/`.
pub fn tier2_program(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/tier2")
        .join(name)
}

/// The back-edge and side-exit thresholds the tier-2 tests run with: low,
/// so that short programs make traces, side traces and exits.
pub const TIER2_THRESHOLD: u64 = 4;

/// `cpjit run --tier MODE ARGS.. FILE` with the environment `env`.
pub fn cpjit_run(mode: &str, file: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut c = Command::new(cpjit());
    c.args(["run", "--tier", mode]).args(args).arg(file);
    for (k, v) in env {
        c.env(k, v);
    }
    collect(&mut c)
}

/// [`cpjit_run`] with the tier-2 tests' thresholds ([`TIER2_THRESHOLD`]),
/// and `env` on top.
pub fn cpjit_tier2(mode: &str, file: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let threshold = TIER2_THRESHOLD.to_string();
    let mut all = vec![
        ("CPJIT_BACKEDGE_THRESHOLD", threshold.as_str()),
        ("CPJIT_SIDE_EXIT_THRESHOLD", threshold.as_str()),
    ];
    all.extend_from_slice(env);
    cpjit_run(mode, file, args, &all)
}

/// [`cpjit_run`] (default thresholds) with `--stats --leak-check
/// --dump-traces FILE` and `env`: the run, and the text of its trace dump
/// (empty if none was written).
pub fn cpjit_run_dumped(mode: &str, file: &Path, env: &[(&str, &str)]) -> (Run, String) {
    dumped(mode, file, |args| cpjit_run(mode, file, args, env))
}

/// [`cpjit_tier2`] (the tier-2 tests' thresholds) with `--stats
/// --leak-check --dump-traces FILE` and `env`: the run, and the text of its
/// trace dump (empty if none was written).
pub fn cpjit_tier2_dumped(mode: &str, file: &Path, env: &[(&str, &str)]) -> (Run, String) {
    dumped(mode, file, |args| cpjit_tier2(mode, file, args, env))
}

/// Runs `run` with `--stats --leak-check --dump-traces FILE` (FILE a fresh
/// temporary path) and returns the run and the dump's text.
fn dumped(mode: &str, file: &Path, run: impl FnOnce(&[&str]) -> Run) -> (Run, String) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let stem = file.file_stem().unwrap_or_default().to_string_lossy();
    let dump = std::env::temp_dir().join(format!(
        "cpjit-dump-{stem}-{}-{}-{mode}.txt",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    let d = dump.to_string_lossy().into_owned();
    let r = run(&["--stats", "--leak-check", "--dump-traces", &d]);
    let text = std::fs::read_to_string(&dump).unwrap_or_default();
    let _ = std::fs::remove_file(&dump);
    (r, text)
}

/// Asserts that `r`, a `--leak-check` run in `mode`, exited with 0, printed
/// `want` and left no live object.
pub fn assert_exact_and_clean(mode: &str, r: &Run, want: &str) {
    let what = format!("--tier {mode}:\n{}", r.stderr);
    assert_eq!(r.status, 0, "{what}");
    assert_eq!(r.stdout, want, "{what}");
    assert!(
        r.stderr
            .contains("cpjit-leak-check: live objects at exit: 0"),
        "a leak; {what}"
    );
}

/// The traces of `text` (a `--dump-traces` dump) in function `name`: those
/// whose header says `in NAME at line`.
pub fn traces_in<'a>(text: &'a str, name: &str) -> Vec<&'a str> {
    let at = format!(" in {name} at line");
    text.split("=== trace")
        .filter(|t| t.lines().next().is_some_and(|l| l.contains(&at)))
        .collect()
}

/// Runs `tests/tier2/NAME` in tier 1, then in both tier-2 modes with
/// [`cpjit_tier2_dumped`] (and the environment `env`): each must print
/// what tier 1 prints and leave no live object ([`assert_exact_and_clean`]).
/// Returns each mode with its run and its trace dump, for the test's own
/// checks.
pub fn tier2_runs_exact(name: &str, env: &[(&str, &str)]) -> Vec<(&'static str, Run, String)> {
    let file = tier2_program(name);
    let reference = cpjit_tier2("1", &file, &[], &[]);
    assert_eq!(reference.status, 0, "{}", reference.stderr);
    ["uops", "jit"]
        .into_iter()
        .map(|mode| {
            let (r, text) = cpjit_tier2_dumped(mode, &file, env);
            assert_exact_and_clean(mode, &r, &reference.stdout);
            (mode, r, text)
        })
        .collect()
}

/// [`tier2_runs_exact`], and each mode's trace dump must name every uop of
/// `uops` (as ` UOP `). Returns each mode with its run.
pub fn tier2_uops_exact_in_both_modes(
    name: &str,
    env: &[(&str, &str)],
    uops: &[&str],
) -> Vec<(&'static str, Run)> {
    tier2_runs_exact(name, env)
        .into_iter()
        .map(|(mode, r, text)| {
            for uop in uops {
                assert!(
                    text.contains(&format!(" {uop} ")),
                    "no {uop} in the traces; --tier {mode}:\n{}",
                    r.stderr
                );
            }
            (mode, r)
        })
        .collect()
}
