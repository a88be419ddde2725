//! Float list items read unboxed or updated in place, locals loaded
//! unboxed by a checking load, and float-and-small-int arithmetic
//! (`tests/tier2/float_items_mixed.py`): the uops appear in the traces,
//! their exits are taken (an item that is not a float, an index out of
//! range, a zero divisor, a zero base to a negative power, a callee that
//! returns an int), and both tier-2 modes print what tier 1 prints with no
//! object leaked. (`tier2_modes.rs` also compares every mode with CPython.)

mod vm_common;

use vm_common::{stat_after, tier2_runs_exact};

#[test]
fn float_items_and_mixed_ops_are_unboxed_and_exact_in_both_tier2_modes() {
    for (mode, r, text) in tier2_runs_exact("float_items_mixed.py", &[]) {
        let what = format!("--tier {mode}:\n{}", r.stderr);
        for uop in [
            "_BINARY_SUBSCR_LIST_INT_UNBOXED_FLOAT",
            "_BINARY_SUBSCR_LIST_INT_LOCAL_CONST_UNBOXED_FLOAT",
            "_BINARY_SUBSCR_LIST_INT_LOCALS_UNBOXED_FLOAT",
            "_BINARY_OP_FLOAT_INT_UNBOXED",
            "_INPLACE_LOAD_ITEM_FLOAT_LOCAL_CONST",
            "_INPLACE_STORE_ITEM_FLOAT_LOCAL_CONST",
            "_LOAD_FAST_GUARD_UNBOXED_FLOAT",
        ] {
            assert!(text.contains(uop), "no {uop} in the traces; {what}");
        }
        assert!(stat_after(&r.stderr, "exits taken to tier 1") > 0, "{what}");
    }
}
