//! Float uops of session 8 (`src/vm/tier2/float_fuse.rs`,
//! `tests/tier2/float_s8.py`): stores into locals known to hold floats,
//! `lst[c] op= x` in one uop (with `x` reading another item of the list:
//! the checks first), `float / int`, and `v[j]` of a list known across an
//! inlined call, and `s += x` / `s -= x` with `s` loaded boxed before a
//! call. Each appears in the traces, its exits are taken
//! (int items, a short row, a zero divisor, an index out of range, a local
//! rebound to a tuple) and its slow paths run (shared boxes), and both
//! tier-2 modes print what tier 1 prints with no object leaked.
//! (`tier2_modes.rs` also compares every mode with CPython.)

mod vm_common;

use vm_common::{stat_after, tier2_uops_exact_in_both_modes};

#[test]
fn s8_float_uops_appear_and_are_exact_in_both_tier2_modes() {
    let uops = [
        "_STORE_FAST_UNBOXED_FLOAT_KNOWN",
        "_INPLACE_ITEM_FLOAT_ADD_KNOWN_IDX",
        "_INPLACE_ITEM_FLOAT_SUBTRACT_KNOWN_IDX",
        "_INPLACE_ITEM_FLOAT_MULTIPLY_KNOWN_IDX",
        "_INPLACE_ITEM_FLOAT_ADD_LOCAL_IDX",
        "_INPLACE_ITEM_FLOAT_SUBTRACT_LOCAL_IDX",
        "_INPLACE_ITEM_FLOAT_MULTIPLY_LOCAL_IDX",
        "_FLOAT_INT_TRUE_DIVIDE_UNBOXED",
        "_LIST_ITEM_FLOAT_KNOWN_LOCALS",
        "_CHECK_FLOAT_ITEMS_IDX",
        "_LIST_ITEM_FLOAT_UNCHECKED_IDX",
        "_FLOAT_ADD_NOS_STORE_LOCAL",
        "_FLOAT_SUBTRACT_NOS_STORE_LOCAL",
    ];
    for (mode, r) in tier2_uops_exact_in_both_modes("float_s8.py", &[], &uops) {
        let what = format!("--tier {mode}:\n{}", r.stderr);
        assert!(stat_after(&r.stderr, "exits taken to tier 1") > 0, "{what}");
    }
}
