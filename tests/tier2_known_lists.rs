//! List subscripts on locals proven a list with small int indices
//! (s8-int, `src/vm/tier2/list_facts.rs`): the `_KNOWN` uops check only
//! the bounds. `tests/tier2/known_lists.py` takes each one's exit (indices
//! out of range, negative ones) and breaks each fact mid-loop (the list
//! local rebound to a dict or a tuple, the index local to a float or a
//! bool, on the main path of the loop body and in side traces); here it
//! must match tier 1 (and CPython, in `tier2_modes`) in both tier-2 modes
//! with nothing leaked, with every `_KNOWN` uop in its traces and the
//! subscripts after a store to the list or index local still checked.

mod vm_common;

use vm_common::tier2_runs_exact;

#[test]
fn known_list_subscripts_are_exact_at_every_exit_in_both_tier2_modes() {
    for (mode, r, text) in tier2_runs_exact("known_lists.py", &[]) {
        let what = format!("--tier {mode}:\n{}", r.stderr);
        for known in [
            "_STORE_SUBSCR_LIST_INT_KNOWN",
            "_BINARY_SUBSCR_LIST_INT_KNOWN ",
            "_BINARY_SUBSCR_LIST_INT_KNOWN_CONST",
            "_SWAP_LIST_ITEMS_KNOWN",
        ] {
            assert!(text.contains(known), "no {known} in the dump; {what}");
        }
        // In `alternating`, `a, b = b, a` and `j, k = k, j` store both
        // locals: the read after them is checked again in the loop body.
        let alternating = text
            .split("=== trace")
            .find(|t| t.contains("root trace (loop) in alternating"))
            .unwrap_or_default();
        assert!(
            alternating.contains("_BINARY_SUBSCR_LIST_INT_LOCALS a, j"),
            "{what}\n{alternating}"
        );
    }
}
