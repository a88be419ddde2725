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

/// Runs `tests/tier2/NAME` in tier 1 and in both tier-2 modes, each exact
/// and leak-free; returns, per mode, the stderr and the dump's links into
/// a loop head (checked against the `--stats` count).
fn head_links(name: &str) -> Vec<(&'static str, String, Vec<String>)> {
    let file = tier2_program(name);
    let reference = cpjit_tier2("1", &file, &[], &[]);
    assert_eq!(reference.status, 0, "{}", reference.stderr);
    let mut out = Vec::new();
    for mode in ["uops", "jit"] {
        let (r, text) = cpjit_tier2_dumped(mode, &file, &[]);
        assert_exact_and_clean(mode, &r, &reference.stdout);
        let entering: Vec<String> = text
            .lines()
            .filter(|l| l.starts_with("=== link:") && l.contains("entering its loop at uop"))
            .map(str::to_string)
            .collect();
        assert_eq!(
            stat_after(
                &r.stderr,
                "links entering a loop at its head (preamble skipped)"
            ),
            entering.len() as u64,
            "--tier {mode}:\n{}",
            r.stderr
        );
        out.push((mode, format!("--tier {mode}:\n{}", r.stderr), entering));
    }
    out
}

#[test]
fn exits_enter_inner_loops_at_their_head_and_stay_exact() {
    for (_, what, entering) in head_links("loop_entry.py") {
        assert!(
            entering.len() >= 8,
            "{} links into loop heads; {what}",
            entering.len()
        );
    }
}

/// `tests/tier2/loop_entry_iter.py`: a function's entry trace leaves at its
/// list loop's back edge after guarding the loop's iterator itself, so it
/// enters the loop trace's copy (which dropped its iterator guard) at its
/// head; the iterable then becomes a tuple, a range and an empty list
/// under both traces. Exact in both tier-2 modes, and the link is made
/// (in JIT mode, a patched jump on x86-64).
#[test]
fn an_exit_that_guarded_the_iterator_enters_a_list_loop_at_its_head() {
    for (mode, what, entering) in head_links("loop_entry_iter.py") {
        assert!(!entering.is_empty(), "{what}");
        if mode == "jit" && cfg!(target_arch = "x86_64") {
            assert!(
                entering.iter().any(|l| l.contains("by a direct jump")),
                "{what}"
            );
        }
    }
}
