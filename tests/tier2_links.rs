//! Direct links between traces (s9-link, `src/jit/executor.rs`,
//! `tier2::loop_entry`): a linked exit's stub is patched into a jump to
//! its target, and a side trace that ends at its root's back edge jumps
//! straight into the root's loop copy when it knows what the loop assumes.
//! Both programs must print what tier 1 prints (and CPython, in
//! `tier2_modes`) in both tier-2 modes, with nothing leaked.

mod vm_common;

use vm_common::{
    assert_exact_and_clean, cpjit_tier2, cpjit_tier2_dumped, stat_before, tier2_program,
};

/// Whether the dump notes a link into a loop copy's head by a direct jump.
fn direct_into_loop(dump: &str) -> bool {
    dump.lines().any(|l| {
        l.starts_with("=== link:")
            && l.contains("entering its loop at uop")
            && l.contains("by a direct jump")
    })
}

/// `linked_loops.py`: collatz's odd step loops side trace -> loop copy;
/// a side trace that ends with a local of another type than the loop
/// assumes (`retyped`) and one whose arithmetic overflows (`grow`) stay
/// exact.
#[test]
fn side_traces_loop_through_their_roots_loop_copy() {
    let file = tier2_program("linked_loops.py");
    let reference = cpjit_tier2("1", &file, &[], &[]);
    assert_eq!(reference.status, 0, "{}", reference.stderr);
    for mode in ["uops", "jit"] {
        let (r, dump) = cpjit_tier2_dumped(mode, &file, &[]);
        assert_exact_and_clean(mode, &r, &reference.stdout);
        if mode == "jit" && cfg!(target_arch = "x86_64") {
            assert!(
                direct_into_loop(&dump),
                "no side trace linked into its root's loop"
            );
            assert!(
                dump.contains("direct jump to its side entry"),
                "no exit linked to a side entry"
            );
        }
    }
}

/// `linked_rebind.py`: the root is invalidated while its side trace runs
/// (the side trace's jump into the root's loop goes back to tier 1), and
/// the side trace is invalidated while the root runs (the root's patched
/// exit falls back to the cold path, then links to the new side trace).
#[test]
fn invalidated_link_targets_fall_back_to_the_cold_path() {
    let file = tier2_program("linked_rebind.py");
    let reference = cpjit_tier2("1", &file, &[], &[]);
    assert_eq!(reference.status, 0, "{}", reference.stderr);
    for mode in ["uops", "jit"] {
        let (r, dump) = cpjit_tier2_dumped(mode, &file, &[]);
        assert_exact_and_clean(mode, &r, &reference.stdout);
        let what = format!("--tier {mode}:\n{}", r.stderr);
        assert!(
            stat_before(&r.stderr, " invalidations by a change") >= 2,
            "{what}"
        );
        let created = stat_before(&r.stderr, " created");
        let freed = stat_before(&r.stderr, " freed");
        let live = stat_before(&r.stderr, " live at exit");
        assert_eq!(created, freed + live, "leaked executors: {what}");
        if mode == "jit" && cfg!(target_arch = "x86_64") {
            // Both ends of a direct link were invalidated at some point:
            // the root (linked into by its side trace) and the side trace
            // (linked to by the root), each re-linked afterwards.
            assert!(direct_into_loop(&dump), "{what}");
            let relinked = dump
                .lines()
                .filter(|l| l.starts_with("=== link: trace 1 exit "))
                .count();
            assert!(relinked >= 2, "the root's exit was not re-linked: {what}");
        }
    }
}
