//! Session 9's float-loop changes (`tests/tier2/float_s9.py`): a local
//! under a mixed operation with a known small int is loaded checked and
//! unboxed (`_LOAD_FAST_GUARD_UNBOXED_FLOAT` + `_BINARY_OP_FLOAT_INT_UNBOXED`,
//! for `*` `_INT_FLOAT_MULTIPLY_UNBOXED` / `_FLOAT_INT_MULTIPLY_UNBOXED`;
//! an int, a bool and a str rebound mid-loop leave through the mixed
//! operation's exit, a zero divisor raises from tier 1); inlined callees
//! whose frames are their arguments are pushed by `_PUSH_FRAME_ARGS_n` and,
//! when every local is a small int, popped by `_POP_FRAME_CLEAN` (a float,
//! big int or bool argument leaves inside the callee; a callee with a float
//! local keeps `_POP_FRAME`, which `--leak-check` would catch if it did not
//! release it; a callee raises). Both tier-2 modes print what tier 1 prints
//! with no object leaked (`tier2_modes.rs` also compares every mode with
//! CPython).

mod vm_common;

use vm_common::{stat_after, tier2_uops_exact_in_both_modes};

#[test]
fn s9_float_uops_appear_and_are_exact_in_both_tier2_modes() {
    let uops = [
        "_LOAD_FAST_GUARD_UNBOXED_FLOAT",
        "_BINARY_OP_FLOAT_INT_UNBOXED",
        "_INT_FLOAT_MULTIPLY_UNBOXED",
        "_FLOAT_INT_MULTIPLY_UNBOXED",
        "_PUSH_FRAME_ARGS_1",
        "_PUSH_FRAME_ARGS_2",
        "_PUSH_FRAME_ARGS_3",
        "_POP_FRAME_CLEAN",
        "_POP_FRAME",
    ];
    for (mode, r) in tier2_uops_exact_in_both_modes("float_s9.py", &[], &uops) {
        let what = format!("--tier {mode}:\n{}", r.stderr);
        assert!(stat_after(&r.stderr, "exits taken to tier 1") > 0, "{what}");
    }
}

/// With a low call threshold, `integrate_closures`' closure (a loop inside)
/// gets a function-entry trace and the loop calls it natively
/// (`_CALL_EXECUTOR`: rebound to another closure of the same code, to a
/// plain function and to one returning an int), and `total += f(...)`
/// with both operands boxed is `_UNBOX_FLOAT_AT 1` and one
/// `_FLOAT_ADD_NOS_STORE_LOCAL` (a list keeps `total`'s box for a while).
#[test]
fn native_closure_calls_in_a_float_loop_are_exact() {
    let env = [("CPJIT_CALL_THRESHOLD", "4")];
    let uops = ["_CALL_EXECUTOR", "_FLOAT_ADD_NOS_STORE_LOCAL"];
    for (mode, r) in tier2_uops_exact_in_both_modes("float_s9.py", &env, &uops) {
        let what = format!("--tier {mode}:\n{}", r.stderr);
        assert!(stat_after(&r.stderr, "exits taken to tier 1") > 0, "{what}");
    }
}
