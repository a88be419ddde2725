//! Function-entry traces (`tier2::on_hot_call`, `_CALL_EXECUTOR`, `_RETURN`),
//! observed through `--stats`: a hot recursive function gets one
//! function-entry trace whose recursive calls stay native (tier 1 enters
//! it a few times, not at every call), identically in both tier-2 modes;
//! the call threshold is a tunable; invalidation while nested activations
//! run frees everything. (`tier2_modes` checks the programs' output
//! against CPython in every mode.)

mod vm_common;

use std::path::{Path, PathBuf};
use std::process::Command;
use vm_common::stat_after;

struct Run {
    stdout: String,
    stderr: String,
}

fn cpjit(mode: &str, file: &Path, env: &[(&str, &str)]) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cpjit"));
    cmd.args(["run", "--stats", "--tier", mode]).arg(file);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("cpjit runs");
    assert!(out.status.success(), "{mode} {}", file.display());
    Run {
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A scratch program.
fn scratch(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cpjit-fn-entry-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch dir");
    let file = dir.join(name);
    std::fs::write(&file, text).expect("write program");
    file
}

const FIB: &str = "def fib(n):\n    if n < 2:\n        return n\n    return fib(n - 1) + fib(n - 2)\n\nprint(fib(20))\n";

/// fib(20) makes 21891 calls.
const FIB_CALLS: u64 = 21891;

#[test]
fn recursive_calls_stay_native_in_both_tier2_modes() {
    let file = scratch("fib.py", FIB);
    let mut seen = Vec::new();
    for mode in ["uops", "jit"] {
        let r = cpjit(mode, &file, &[]);
        assert_eq!(r.stdout, "6765\n", "{mode}");
        let fn_traces = stat_after(&r.stderr, "root,");
        let sites = stat_after(&r.stderr, "native calls of function-entry executors:");
        let entries = stat_after(&r.stderr, "entries from tier 1:");
        let exits = stat_after(&r.stderr, "exits taken to tier 1:");
        assert_eq!(
            fn_traces, 1,
            "{mode}: one function-entry trace\n{}",
            r.stderr
        );
        assert!(sites >= 2, "{mode}: both calls are native\n{}", r.stderr);
        // Tier 1 makes the first 1000 calls and enters the trace at the
        // calls it makes after exits; every other call is native.
        assert!(
            entries + exits < FIB_CALLS / 10,
            "{mode}: {entries} entries, {exits} exits\n{}",
            r.stderr
        );
        seen.push((fn_traces, sites, entries, exits));
    }
    assert_eq!(seen[0], seen[1], "uops and jit run the same traces");
}

#[test]
fn the_call_threshold_is_a_tunable() {
    let file = scratch("fib_threshold.py", FIB);
    for (value, traces) in [("1000000", 0), ("50", 1)] {
        let r = cpjit("jit", &file, &[("CPJIT_CALL_THRESHOLD", value)]);
        assert_eq!(r.stdout, "6765\n");
        assert_eq!(
            stat_after(&r.stderr, "root,"),
            traces,
            "CPJIT_CALL_THRESHOLD={value}:\n{}",
            r.stderr
        );
    }
    let out = Command::new(env!("CARGO_BIN_EXE_cpjit"))
        .args(["run", "--stats", "--call-threshold", "1000000"])
        .arg(&file)
        .output()
        .expect("cpjit runs");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stat_after(&err, "root,"), 0, "--call-threshold:\n{err}");
}

#[test]
fn rebinding_a_recursive_function_under_its_native_activations_frees_its_traces() {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/tier2/fn_entry_rebind.py");
    let reference = cpjit("1", &file, &[]);
    for mode in ["uops", "jit"] {
        let r = cpjit(mode, &file, &[]);
        assert_eq!(r.stdout, reference.stdout, "{mode}");
        let created = stat_after(&r.stderr, "executors:");
        let invalidated = stat_after(&r.stderr, "created,");
        let freed = stat_after(&r.stderr, "invalidated,");
        let live = stat_after(&r.stderr, "freed,");
        assert!(
            stat_after(&r.stderr, "root,") >= 2,
            "{mode}: function-entry traces again after the rebinding\n{}",
            r.stderr
        );
        assert!(invalidated >= 1, "{mode}:\n{}", r.stderr);
        assert_eq!(freed, invalidated, "{mode}: all invalidated traces freed");
        assert_eq!(created, freed + live, "{mode}: no executor lost");
    }
}
