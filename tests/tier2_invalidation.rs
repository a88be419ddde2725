//! Invalidation of traces whose assumptions change (`tests/tier2/invalidate_*.py`).
//! The differential test (`tier2_modes`) checks their output against
//! CPython in every mode; these check, through `--stats`, that the tier-2
//! modes really invalidated traces by a change (so that output was produced
//! across invalidations), that no executor leaked, and that with baking off
//! (`CPJIT_GLOBAL_REBIND_LIMIT=0`) nothing is invalidated and the output is
//! the same.

mod vm_common;

use std::path::Path;
use vm_common::{cpjit_tier2, stat_after, stat_before, tier2_program, Run};

/// `cpjit run --stats --tier MODE FILE` with `env`.
fn cpjit(mode: &str, file: &Path, env: &[(&str, &str)]) -> Run {
    cpjit_tier2(mode, file, &["--stats"], env)
}

/// `(created, invalidated, freed, live at exit)` from the executors line.
fn executors(stderr: &str) -> (u64, u64, u64, u64) {
    (
        stat_before(stderr, " created"),
        stat_before(stderr, " invalidated,"),
        stat_before(stderr, " freed"),
        stat_before(stderr, " live at exit"),
    )
}

const PROGRAMS: [&str; 5] = [
    "invalidate_rebind.py",
    "invalidate_builtin.py",
    "invalidate_delete.py",
    "invalidate_churn.py",
    "invalidate_side.py",
];

#[test]
fn rebinding_what_traces_assumed_invalidates_them_without_leaks() {
    for name in PROGRAMS {
        let file = tier2_program(name);
        let reference = cpjit("1", &file, &[]);
        for mode in ["uops", "jit"] {
            let r = cpjit(mode, &file, &[]);
            let what = format!("{name} --tier {mode}:\n{}", r.stderr);
            assert_eq!(r.stdout, reference.stdout, "{what}");
            assert_eq!(r.status, reference.status, "{what}");
            assert!(
                stat_before(&r.stderr, " invalidations by a change") >= 1,
                "{what}"
            );
            let (created, invalidated, freed, live) = executors(&r.stderr);
            assert!(invalidated >= 1, "{what}");
            assert_eq!(created, freed + live, "leaked executors: {what}");
        }
    }
}

/// `inline_rebind.py`: the rebound functions were inlined into traces
/// (whose dependencies broke when they were rebound), and the output is
/// tier 1's in both tier-2 modes, with baking on and off (off: nothing is
/// assumed, so nothing is inlined).
#[test]
fn rebinding_an_inlined_callee_invalidates_the_traces_that_inlined_it() {
    let file = tier2_program("inline_rebind.py");
    let reference = cpjit("1", &file, &[]);
    for mode in ["uops", "jit"] {
        for env in [&[][..], &[("CPJIT_GLOBAL_REBIND_LIMIT", "0")][..]] {
            let r = cpjit(mode, &file, env);
            let what = format!("--tier {mode} {env:?}:\n{}", r.stderr);
            assert_eq!(r.stdout, reference.stdout, "{what}");
            assert_eq!(r.status, reference.status, "{what}");
            let (created, _, freed, live) = executors(&r.stderr);
            assert_eq!(created, freed + live, "leaked executors: {what}");
            let inlined = stat_after(&r.stderr, "calls inlined into traces");
            if env.is_empty() {
                assert!(inlined >= 4, "{what}");
                assert!(
                    stat_before(&r.stderr, " invalidations by a change") >= 2,
                    "{what}"
                );
            } else {
                // Assuming nothing: not even an inlined callee's code.
                assert_eq!(inlined, 0, "{what}");
            }
        }
    }
}

#[test]
fn a_side_trace_is_invalidated_and_rebuilt() {
    for mode in ["uops", "jit"] {
        let r = cpjit(mode, &tier2_program("invalidate_side.py"), &[]);
        let what = format!("--tier {mode}:\n{}", r.stderr);
        assert_eq!(r.status, 0, "{what}");
        // The exit was linked, the side trace invalidated, a new one linked.
        assert!(stat_after(&r.stderr, "side traces linked") >= 2, "{what}");
        assert!(
            stat_before(&r.stderr, " invalidations by a change") >= 1,
            "{what}"
        );
    }
}

#[test]
fn churn_stops_at_the_rebind_limit_and_baking_can_be_turned_off() {
    let file = tier2_program("invalidate_churn.py");
    let unlimited = cpjit("jit", &file, &[("CPJIT_GLOBAL_REBIND_LIMIT", "1000000")]);
    let default = cpjit("jit", &file, &[]);
    let off = cpjit("jit", &file, &[("CPJIT_GLOBAL_REBIND_LIMIT", "0")]);
    for r in [&unlimited, &default, &off] {
        assert_eq!(r.status, 0, "{}", r.stderr);
        assert_eq!(r.stdout, default.stdout);
    }
    let changes = |r: &Run| stat_before(&r.stderr, " invalidations by a change");
    assert!(
        changes(&unlimited) > changes(&default),
        "unlimited:\n{}\ndefault:\n{}",
        unlimited.stderr,
        default.stderr
    );
    assert_eq!(changes(&off), 0, "{}", off.stderr);
    assert_eq!(stat_before(&off.stderr, " registered"), 0, "{}", off.stderr);
}
