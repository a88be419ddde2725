//! Float uops fused by `src/vm/tier2/float_fuse.rs` (session 7,
//! `tests/tier2/float_exprs.py`): float operations reading locals and
//! constants in place, float compare-and-branch guards, `x ** 0.5` as a
//! square root, float list items by an untagged constant index with the
//! list checks left out once proven. Each appears in the traces, exits are
//! taken (NaN compares, a NaN root, items that turn into ints, a shorter
//! list, a local rebound to a tuple between two reads), and both tier-2
//! modes print what tier 1 prints with no object leaked. (`tier2_modes.rs`
//! also compares every mode with CPython.)

mod vm_common;

use vm_common::{stat_after, tier2_runs_exact};

#[test]
fn fused_float_uops_appear_and_are_exact_in_both_tier2_modes() {
    for (mode, r, text) in tier2_runs_exact("float_exprs.py", &[]) {
        let what = format!("--tier {mode}:\n{}", r.stderr);
        let mut uops = vec![
            "_FLOAT_ADD_LOCALS",
            "_FLOAT_SUBTRACT_LOCALS",
            "_FLOAT_MULTIPLY_LOCALS",
            "_FLOAT_ADD_TOS_LOCAL",
            "_FLOAT_SUBTRACT_TOS_LOCAL",
            "_FLOAT_MULTIPLY_TOS_LOCAL",
            "_FLOAT_ADD_TOS_CONST",
            "_FLOAT_SUBTRACT_TOS_CONST",
            "_FLOAT_MULTIPLY_TOS_CONST",
            "_GUARD_FLOAT_UNBOXED",
            "_GUARD_FLOAT_CONST_UNBOXED",
            "_LIST_ITEM_FLOAT_LOCAL_IDX",
            "_LIST_ITEM_FLOAT_KNOWN_IDX",
            // (`_INPLACE_LOAD_ITEM_FLOAT_*_IDX` and
            // `_INPLACE_STORE_ITEM_FLOAT_LOCAL_IDX` are fused further into
            // one `_INPLACE_ITEM_FLOAT_<OP>_*_IDX` since session 8:
            // `tier2_float_s8.rs`.)
            "_INPLACE_ITEM_FLOAT_SUBTRACT_KNOWN_IDX",
        ];
        if cpjit::vm::tier2::float_fuse::SQRT_FROM_POW {
            uops.push("_FLOAT_SQRT_UNBOXED");
        }
        for uop in uops {
            assert!(
                text.contains(&format!(" {uop} ")),
                "no {uop} in the traces; {what}"
            );
        }
        assert!(stat_after(&r.stderr, "exits taken to tier 1") > 0, "{what}");
    }
}
