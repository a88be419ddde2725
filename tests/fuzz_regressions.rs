//! Runs every shrunk fuzzer reproducer in `tests/regressions/` under each
//! built mode of `cpjit run --tier MODE` and compares with CPython's recorded
//! result (stdout, exit status, last stderr line), as `run-corpus` does.
//! A mode that exits 2 saying it is not built is skipped, and said so.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const MODES: &[&str] = &["1", "uops", "jit"];

fn last_line(s: &str) -> String {
    s.lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim_end()
        .to_string()
}

fn exc_type(line: &str) -> &str {
    line.split(':').next().unwrap_or("").trim()
}

fn programs() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/regressions");
    let mut v: Vec<PathBuf> = fs::read_dir(&dir)
        .expect("tests/regressions exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "py"))
        .collect();
    v.sort();
    v
}

/// Why the run of `py` under `mode` disagrees with CPython, `None` when it agrees,
/// `Some(Err(..))` when the mode is not built.
fn check(py: &Path, mode: &str) -> Result<Option<String>, String> {
    let out = Command::new(env!("CARGO_BIN_EXE_cpjit"))
        .args(["run", "--tier", mode])
        .arg(py)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run cpjit: {e}"))?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    let code = out.status.code();
    if code == Some(2) && (stderr.contains("not built") || stderr.contains("not available")) {
        return Err(last_line(&stderr));
    }
    let want_out = fs::read(py.with_extension("out")).expect("NAME.out");
    let want_code: i32 = fs::read_to_string(py.with_extension("exit"))
        .map(|s| s.trim().parse().expect("NAME.exit holds a number"))
        .unwrap_or(0);
    let mut why = Vec::new();
    if code != Some(want_code) {
        why.push(format!("exit status {code:?}, expected {want_code}"));
    }
    if out.stdout != want_out {
        why.push("stdout differs".to_string());
    }
    if want_code != 0 {
        let want = last_line(&fs::read_to_string(py.with_extension("err")).unwrap_or_default());
        let got = last_line(&stderr);
        let same = if want.starts_with("SyntaxError") {
            exc_type(&want) == exc_type(&got)
        } else {
            want == got
        };
        if !same {
            why.push(format!("last stderr line {got:?}, expected {want:?}"));
        }
    }
    Ok(if why.is_empty() {
        None
    } else {
        Some(why.join("; "))
    })
}

#[test]
fn regressions_agree_with_cpython_in_every_built_mode() {
    let progs = programs();
    assert!(!progs.is_empty(), "no reproducers found");
    let mut failures = Vec::new();
    for mode in MODES {
        for py in &progs {
            match check(py, mode) {
                Err(why) => {
                    eprintln!("--tier {mode}: skipped (not built: {why})");
                    break;
                }
                Ok(Some(why)) => failures.push(format!("{} --tier {mode}: {why}", py.display())),
                Ok(None) => {}
            }
        }
    }
    assert!(
        failures.is_empty(),
        "fuzzer regressions fail:\n{}",
        failures.join("\n")
    );
}

/// Runs `cpjit run --tier MODE FILE` with a time limit; `None` on timeout.
/// Standard error goes to a file, so a long traceback cannot fill a pipe and stall the child.
fn run_limited(py: &Path, mode: &str, limit: Duration) -> Option<(Option<i32>, String)> {
    let err_path = std::env::temp_dir().join(format!("cpjit-hostile-{}.err", std::process::id()));
    let err_file = fs::File::create(&err_path).expect("temp file");
    let mut child = Command::new(env!("CARGO_BIN_EXE_cpjit"))
        .args(["run", "--tier", mode])
        .arg(py)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(err_file)
        .spawn()
        .expect("cpjit starts");
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait works") {
            break status;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let stderr = String::from_utf8_lossy(&fs::read(&err_path).unwrap_or_default()).into_owned();
    let _ = fs::remove_file(&err_path);
    Some((status.code(), stderr))
}

#[test]
fn hostile_inputs_get_a_clear_error_never_a_crash() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/regressions/hostile");
    let mut inputs: Vec<PathBuf> = fs::read_dir(&dir)
        .expect("tests/regressions/hostile exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "py"))
        .collect();
    inputs.sort();
    assert!(!inputs.is_empty());
    let mut failures = Vec::new();
    for mode in MODES {
        for py in &inputs {
            let Some((code, stderr)) = run_limited(py, mode, Duration::from_secs(60)) else {
                failures.push(format!(
                    "{} --tier {mode}: no result within 60s",
                    py.display()
                ));
                continue;
            };
            if code == Some(2) && stderr.contains("not built") {
                eprintln!("--tier {mode}: skipped (not built)");
                break;
            }
            let why = match code {
                None => Some("killed by a signal".to_string()),
                Some(101) => Some("panicked (exit 101)".to_string()),
                Some(0) => None,
                Some(1) if stderr.trim().is_empty() => {
                    Some("exit 1 with nothing on stderr".to_string())
                }
                Some(1) => None,
                Some(c) => Some(format!("exit status {c}, expected 0 or 1")),
            };
            let why = why.or_else(|| {
                stderr
                    .contains("panicked at")
                    .then(|| "a Rust panic message".to_string())
            });
            if let Some(why) = why {
                failures.push(format!(
                    "{} --tier {mode}: {why}: {}",
                    py.display(),
                    last_line(&stderr)
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "hostile inputs crash cpjit:\n{}",
        failures.join("\n")
    );
}
