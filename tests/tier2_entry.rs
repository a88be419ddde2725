//! The round trip between tier 1 and executors (`src/vm/tier2/entry.rs`),
//! observed through `--stats`: entries and exits are counted once per
//! round trip and identically in both tier-2 modes, a declined hot exit is
//! never handed to tier 2 again however often it is taken, and a trace
//! invalidated while two activations of its function run it finishes both
//! and is freed. (`tier2_modes` checks these programs' output against
//! CPython in every mode.)

mod vm_common;

use std::path::{Path, PathBuf};
use vm_common::{cpjit_tier2, stat_after, tier2_program, Run, TIER2_THRESHOLD};

/// The back-edge threshold the runs use.
const THRESHOLD: u64 = TIER2_THRESHOLD;

/// `cpjit run --stats --tier MODE FILE`, which must succeed.
fn cpjit(mode: &str, file: &Path) -> Run {
    // The round trips observed here are the loop's: a function-entry
    // trace (tests/tier2_function_entry.rs) would take them over once
    // a function is called often enough.
    let r = cpjit_tier2(
        mode,
        file,
        &["--stats"],
        &[("CPJIT_CALL_THRESHOLD", "1000000")],
    );
    assert_eq!(r.status, 0, "{mode} {}", file.display());
    r
}

/// `entry_calls.py` with `calls` calls, written to a scratch file.
fn entry_calls(calls: u64) -> PathBuf {
    let text = std::fs::read_to_string(tier2_program("entry_calls.py")).expect("program");
    assert!(text.contains("main(300)\n"));
    let dir = std::env::temp_dir().join(format!("cpjit-tier2-entry-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch dir");
    let file = dir.join(format!("entry_calls_{calls}.py"));
    std::fs::write(
        &file,
        text.replace("main(300)\n", &format!("main({calls})\n")),
    )
    .expect("write program");
    file
}

fn stat(r: &Run, label: &str) -> u64 {
    stat_after(&r.stderr, label)
}

/// The counts of the `top exits:` lines.
fn top_exit_counts(r: &Run) -> Vec<u64> {
    r.stderr
        .lines()
        .skip_while(|l| !l.contains("top exits:"))
        .skip(1)
        .map_while(|l| l.split_whitespace().next()?.parse().ok())
        .collect()
}

#[test]
fn every_call_of_a_function_with_a_hot_loop_enters_and_exits_once() {
    let calls: u64 = 300;
    let file = entry_calls(calls);
    let mut seen = Vec::new();
    for mode in ["uops", "jit"] {
        let r = cpjit(mode, &file);
        assert_eq!(r.stdout, format!("{calls} {}\n", calls * 6), "{mode}");
        let entries = stat(&r, "entries from tier 1:");
        let exits = stat(&r, "exits taken to tier 1:");
        // Once the loop is hot, each call enters its executor once (and
        // `main` enters its loop's once), and, as nothing invalidates or
        // raises, leaves it through one exit.
        assert!(
            entries <= calls + 1 && calls + 1 - entries <= THRESHOLD,
            "{mode}: {entries} entries:\n{}",
            r.stderr
        );
        assert_eq!(entries, exits, "{mode}:\n{}", r.stderr);
        let top = top_exit_counts(&r);
        assert!(!top.is_empty() && top.len() < 10, "{mode}:\n{}", r.stderr);
        assert_eq!(top.iter().sum::<u64>(), exits, "{mode}:\n{}", r.stderr);
        seen.push((entries, exits));
    }
    assert_eq!(seen[0], seen[1], "uops and jit count the same round trips");
}

#[test]
fn a_declined_hot_exit_is_not_handed_to_tier_2_again() {
    let (few_file, many_file) = (entry_calls(200), entry_calls(2000));
    for mode in ["uops", "jit"] {
        let few = cpjit(mode, &few_file);
        let many = cpjit(mode, &many_file);
        // The loop's end exits to `return`: its side trace is declined (or
        // it ends in a declined exit) the first time it is hot.
        assert!(
            stat(&few, "handed to tier 2,") >= 1,
            "{mode}:\n{}",
            few.stderr
        );
        assert_eq!(
            stat(&few, "hot exits:"),
            stat(&many, "hot exits:"),
            "{mode}: ten times the calls hand no more hot exits over:\n{}\n{}",
            few.stderr,
            many.stderr
        );
        assert_eq!(
            stat(&few, "traces:"),
            stat(&many, "traces:"),
            "{mode}: no more traces either"
        );
        assert!(stat(&many, "exits taken to tier 1:") >= 1990, "{mode}");
    }
}

#[test]
fn a_trace_invalidated_under_two_activations_finishes_both_and_is_freed() {
    let file = tier2_program("entry_invalidate.py");
    let reference = cpjit("1", &file);
    for mode in ["uops", "jit"] {
        let r = cpjit(mode, &file);
        assert_eq!(r.stdout, reference.stdout, "{mode}");
        let created = stat(&r, "executors:");
        let invalidated = stat(&r, "created,");
        let freed = stat(&r, "invalidated,");
        let live = stat(&r, "freed,");
        assert!(
            invalidated >= 1,
            "{mode}: a rebind invalidated:\n{}",
            r.stderr
        );
        assert_eq!(freed, invalidated, "{mode}: all invalidated traces freed");
        assert_eq!(created, freed + live, "{mode}: no executor lost");
    }
}
