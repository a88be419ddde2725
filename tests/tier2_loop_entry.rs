//! Exits into another loop's back edge enter that loop's trace at the
//! head of its peeled loop when what they know implies what the loop copy
//! assumes there (s9-loops, `src/vm/tier2/local_facts.rs`):
//! `tests/tier2/loop_entry.py` runs nbody's and fannkuch's nested shapes
//! (inner loops of 0, 1 and many iterations), a local whose type changes
//! between inner-loop runs, lists resized and rebound between runs, an
//! inner run past a list's end and a local rebound to a str; here it must
//! match tier 1 (and CPython, in `tier2_modes`) in both tier-2 modes with
//! nothing leaked, and such links must be made.

mod vm_common;

use vm_common::{
    assert_exact_and_clean, cpjit_tier2, cpjit_tier2_dumped, stat_after, tier2_program,
};

#[test]
fn exits_enter_inner_loops_at_their_head_and_stay_exact() {
    let file = tier2_program("loop_entry.py");
    let reference = cpjit_tier2("1", &file, &[], &[]);
    assert_eq!(reference.status, 0, "{}", reference.stderr);
    for mode in ["uops", "jit"] {
        let (r, text) = cpjit_tier2_dumped(mode, &file, &[]);
        assert_exact_and_clean(mode, &r, &reference.stdout);
        let what = format!("--tier {mode}:\n{}", r.stderr);
        let entering = text
            .lines()
            .filter(|l| l.starts_with("=== link:") && l.contains("entering its loop at uop"))
            .count() as u64;
        assert!(entering >= 8, "{entering} links into loop heads; {what}");
        assert_eq!(
            stat_after(
                &r.stderr,
                "links entering a loop at its head (preamble skipped)"
            ),
            entering,
            "{what}"
        );
    }
}

/// `tests/tier2/loop_entry_iter.py`: a function's entry trace leaves at its
/// list loop's back edge after guarding the loop's iterator itself, so it
/// enters the loop trace's copy (which dropped its iterator guard) at its
/// head; the iterable then becomes a tuple, a range and an empty list
/// under both traces. Exact in both tier-2 modes, and the link is made.
#[test]
fn an_exit_that_guarded_the_iterator_enters_a_list_loop_at_its_head() {
    let file = tier2_program("loop_entry_iter.py");
    let reference = cpjit_tier2("1", &file, &[], &[]);
    assert_eq!(reference.status, 0, "{}", reference.stderr);
    for mode in ["uops", "jit"] {
        let (r, text) = cpjit_tier2_dumped(mode, &file, &[]);
        assert_exact_and_clean(mode, &r, &reference.stdout);
        let what = format!("--tier {mode}:\n{}", r.stderr);
        assert!(
            stat_after(
                &r.stderr,
                "links entering a loop at its head (preamble skipped)"
            ) >= 1,
            "{what}"
        );
        if mode == "jit" && cfg!(target_arch = "x86_64") {
            assert!(
                text.lines()
                    .any(|l| l.contains("entering its loop at uop")
                        && l.contains("by a direct jump")),
                "{what}"
            );
        }
    }
}
