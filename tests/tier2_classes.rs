//! Traces through user classes (session 10): loops whose bodies load and
//! store instance attributes and call methods run the same in tier 1 and
//! both tier-2 modes, match CPython, and leak nothing, including every way
//! out of tier 1's attribute caches (a class attribute rebound, a method
//! shadowed by an instance attribute, another class at the same site, an
//! attribute deleted, an error raised inside a method).

mod vm_common;

use vm_common::{tier2_program, tier2_runs_exact};

#[test]
fn class_loops_match_cpython_in_every_mode_and_leak_nothing() {
    vm_common::differential(&tier2_program("classes_methods.py"));
    let runs = tier2_runs_exact("classes_methods.py", &[]);
    for (mode, r, text) in runs {
        // The method loops became traces, and the attribute instructions
        // in them run tier 1's cached fast paths.
        assert!(
            vm_common::stat_after(&r.stderr, "traces") > 0,
            "--tier {mode}: no trace:\n{}",
            r.stderr
        );
        assert!(
            !vm_common::traces_in(&text, "plain").is_empty(),
            "--tier {mode}: no trace in plain():\n{text}"
        );
    }
}
