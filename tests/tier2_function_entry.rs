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
use vm_common::cpjit as cpjit_bin;
use vm_common::{
    assert_exact_and_clean, collect, cpjit_run, cpjit_run_dumped, stat_after, tier2_program, Run,
};

/// `cpjit run --stats --tier MODE FILE` with `env` (default thresholds),
/// which must succeed.
fn cpjit(mode: &str, file: &Path, env: &[(&str, &str)]) -> Run {
    let r = cpjit_run(mode, file, &["--stats"], env);
    assert_eq!(r.status, 0, "{mode} {}", file.display());
    r
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
    let r = collect(
        Command::new(cpjit_bin())
            .args(["run", "--stats", "--call-threshold", "1000000"])
            .arg(&file),
    );
    let err = r.stderr;
    assert_eq!(stat_after(&err, "root,"), 0, "--call-threshold:\n{err}");
}

#[test]
fn rebinding_a_recursive_function_under_its_native_activations_frees_its_traces() {
    let file = tier2_program("fn_entry_rebind.py");
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

/// `main`'s loop gets hot (16 iterations) long before `work` does (1000
/// calls), so its first trace calls `work` through the generic helper.
const LATE_CALLEE: &str = "def work(n):\n    s = 0\n    for i in range(n):\n        s += i\n    return s\n\n\ndef main():\n    total = 0\n    for k in range(3000):\n        total += work(k % 4)\n    return total\n\n\nprint(main())\n";

/// Calls of `work` in [`LATE_CALLEE`].
const LATE_CALLS: u64 = 3000;

#[test]
fn a_caller_projected_before_its_callee_got_hot_calls_it_natively_later() {
    let file = scratch("late_callee.py", LATE_CALLEE);
    let mut seen = Vec::new();
    for mode in ["uops", "jit"] {
        let r = cpjit(mode, &file, &[]);
        assert_eq!(r.stdout, "3000\n", "{mode}");
        let sites = stat_after(&r.stderr, "native calls of function-entry executors:");
        let entries = stat_after(&r.stderr, "entries from tier 1:");
        // Once `work` has its function-entry trace, `main`'s loop trace is
        // re-projected with a native call of it.
        assert!(sites >= 1, "{mode}: a native call site\n{}", r.stderr);
        // Tier 1 makes the first 1000 calls; a call through the generic
        // helper would enter `work`'s trace from tier 1 at each of the
        // other 2000.
        assert!(
            entries < LATE_CALLS / 2,
            "{mode}: {entries} entries\n{}",
            r.stderr
        );
        seen.push(sites);
    }
    assert_eq!(seen[0], seen[1], "uops and jit run the same traces");
}

/// Mutual recursion of two functions with loops (never inlined): whichever
/// gets its function-entry trace first was projected calling the other
/// through the generic helper.
const PING_PONG: &str = "def ping(n):\n    s = 0\n    for i in range(2):\n        s += i\n    if n == 0:\n        return s\n    return pong(n - 1) + s\n\n\ndef pong(n):\n    s = 1\n    for i in range(2):\n        s += i\n    if n == 0:\n        return s\n    return ping(n - 1) + s\n\n\ntotal = 0\nfor k in range(3000):\n    total += ping(k % 30)\nprint(total)\n";

/// Calls of `ping` and `pong` in [`PING_PONG`]: 3000 × 15.5 on average.
const PING_PONG_CALLS: u64 = 46500;

#[test]
fn mutual_recursion_is_native_in_both_directions() {
    let file = scratch("ping_pong.py", PING_PONG);
    for mode in ["uops", "jit"] {
        let r = cpjit(mode, &file, &[]);
        assert_eq!(r.stdout, "69000\n", "{mode}");
        let entries = stat_after(&r.stderr, "entries from tier 1:");
        // Native in one direction only, tier 1 would enter a trace at
        // every other call.
        assert!(
            entries < PING_PONG_CALLS / 10,
            "{mode}: {entries} entries\n{}",
            r.stderr
        );
    }
}

/// An exception raised deep in native calls (frames pushed inline by
/// `_CALL_EXECUTOR`) and one raised in a closure called natively unwind
/// through every frame: the traceback, frame by frame, is tier 1's.
#[test]
fn tracebacks_through_native_frames_are_tier_1s() {
    let file = scratch(
        "native_traceback.py",
        "def down(n, k):\n    if n == 0:\n        return 10 // k\n    return down(n - 1, k) + 1\n\n\
         def outer(scale):\n    def inner(x, k):\n        if x == 0:\n            return down(5, k)\n        return inner(x - 1, k) + scale\n    return inner\n\n\
         f = outer(3)\nfor i in range(3000):\n    f(i % 6 + 1, 1)\n    down(i % 9, 1)\n\
         print(f(4, 0))\n",
    );
    let tier1 = cpjit_run("1", &file, &["--stats"], &[]);
    assert_ne!(tier1.status, 0);
    assert!(
        tier1.stderr.contains("ZeroDivisionError"),
        "{}",
        tier1.stderr
    );
    // Six `down` frames: three printed, the rest collapsed as CPython does.
    assert!(
        tier1.stderr.matches("in down").count() >= 3
            && tier1
                .stderr
                .contains("[Previous line repeated 2 more times]"),
        "{}",
        tier1.stderr
    );
    for mode in ["uops", "jit"] {
        let r = cpjit_run(mode, &file, &["--stats"], &[]);
        assert_eq!(r.status, tier1.status, "{mode}");
        assert_eq!(r.stdout, tier1.stdout, "{mode}");
        // --stats lines follow the traceback.
        let traceback = r.stderr.split("cpjit stats").next().unwrap_or("");
        assert_eq!(
            traceback,
            tier1.stderr.split("cpjit stats").next().unwrap_or(""),
            "{mode}"
        );
        let sites = stat_after(&r.stderr, "native calls of function-entry executors:");
        assert!(sites >= 2, "{mode}: native calls\n{}", r.stderr);
    }
}

/// `tests/tier2/known_calls.py` (whose output `tier2_modes` compares with
/// CPython's in every mode): its recursive calls of baked globals are
/// `_CALL_EXECUTOR_KNOWN`, its inlined calls of baked globals (a closure
/// too) `_PUSH_FRAME_KNOWN` and its all-int returns `_RETURN_CLEAN`, in both
/// tier-2 modes, and their ways out are taken (exits to tier 1 at a call:
/// the recursion limit, a rebound global, big-int arguments), with the
/// same output as tier 1 and nothing leaked.
#[test]
fn known_callees_and_clean_returns_are_used_and_left_exactly() {
    let file = tier2_program("known_calls.py");
    let tier1 = cpjit_run("1", &file, &["--leak-check"], &[]);
    assert_eq!(tier1.status, 0, "{}", tier1.stderr);
    for mode in ["uops", "jit"] {
        let (r, text) = cpjit_run_dumped(mode, &file, &[]);
        assert_exact_and_clean(mode, &r, &tier1.stdout);
        assert!(text.contains("_CALL_EXECUTOR_KNOWN "), "{mode}\n{text}");
        assert!(text.contains("_RETURN_CLEAN "), "{mode}\n{text}");
        assert!(text.contains("_PUSH_FRAME_KNOWN "), "{mode}\n{text}");
        let exits = stat_after(&r.stderr, "exits taken to tier 1:");
        assert!(exits > 0, "{mode}\n{}", r.stderr);
    }
}

/// `tests/tier2/fixed_calls.py` (whose output `tier2_modes` compares with
/// CPython's in every mode): recursive calls of baked globals whose frames
/// hold exactly their 1, 2 or 3 arguments are `_CALL_EXECUTOR_ARGS_n`
/// (four arguments stay `_CALL_EXECUTOR_KNOWN`), and a `return n` taken
/// through a guard of the entry trace is `_RETURN_LOCAL_INT` (also under a
/// loop's iterator) and a `return x` of a bound local `_RETURN_LOCAL`, in
/// both tier-2 modes; their ways out are taken (recursion limit, rebound
/// global, float and big-int arguments); a frame with a str local returns
/// through `_RETURN_LOCAL`, never the clean stub (which would drop the
/// str's reference: a leak), and a possibly unbound local keeps its exit
/// (tier 1 raises `UnboundLocalError`).
#[test]
fn fixed_shape_calls_and_return_stubs_are_used_and_left_exactly() {
    let file = tier2_program("fixed_calls.py");
    let tier1 = cpjit_run("1", &file, &["--leak-check"], &[]);
    assert_eq!(tier1.status, 0, "{}", tier1.stderr);
    for mode in ["uops", "jit"] {
        let (r, text) = cpjit_run_dumped(mode, &file, &[]);
        assert_exact_and_clean(mode, &r, &tier1.stdout);
        for uop in [
            "_CALL_EXECUTOR_ARGS_1 ",
            "_CALL_EXECUTOR_LEAF_1 ",
            "_CALL_EXECUTOR_ARGS_2 ",
            "_CALL_EXECUTOR_ARGS_3 ",
            "_CALL_EXECUTOR_KNOWN ",
            "_RETURN_LOCAL_INT ",
            "_RETURN_LOCAL ",
        ] {
            assert!(text.contains(uop), "{mode}: {uop}\n{text}");
        }
        // The trace of `tagged` (a str local) returns through no stub.
        let tagged = text
            .split("=== trace")
            .filter(|t| t.contains("function-entry trace in tagged"))
            .collect::<Vec<_>>();
        assert!(!tagged.is_empty(), "{mode}\n{text}");
        assert!(
            tagged.iter().all(|t| !t.contains("_RETURN_LOCAL_INT")),
            "{mode}\n{text}"
        );
        // `maybe`'s `return y` (y possibly unbound) keeps its exit.
        let maybe = text
            .split("=== trace")
            .filter(|t| t.contains(" in maybe at"))
            .collect::<Vec<_>>();
        assert!(!maybe.is_empty(), "{mode}\n{text}");
        // (`_RETURN_LOCAL_CHECKED` tests it and leaves for the exit.)
        assert!(
            maybe
                .iter()
                .all(|t| !t.contains("_RETURN_LOCAL ") && !t.contains("_RETURN_LOCAL_INT")),
            "{mode}\n{text}"
        );
        let exits = stat_after(&r.stderr, "exits taken to tier 1:");
        assert!(exits > 0, "{mode}\n{}", r.stderr);
    }
}
