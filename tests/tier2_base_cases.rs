//! Session 9's base cases answered by the caller: a native call of a
//! function whose code begins with `if a OP c: return r` (any of `<`,
//! `<=`, `==`, `>`, `>=`, the constant on either side, `r` an argument or a
//! small int constant; one or two arguments) returns `r` without the call
//! when `a` is a small int in range (`_CALL_EXECUTOR_LEAF_1`,
//! `_CALL_EXECUTOR_LEAF_ANY_1`, `_CALL_EXECUTOR_LEAF_ANY_2`). Both tier-2
//! modes must print what CPython prints (bool, float, big-int, str and
//! `None` arguments make the call; `RecursionError` at the same depth; a
//! rebound name), leak nothing and use the uops (and
//! `_LOAD_CONST_OBJ_PUSH_NULL` for the baked callee).

mod vm_common;

use std::process::Command;
use vm_common::{
    assert_exact_and_clean, cpjit_tier2, cpjit_tier2_dumped, have_python, tier2_program, traces_in,
};

/// Function-entry traces after a few calls, so short programs make them.
const ENV: &[(&str, &str)] = &[("CPJIT_CALL_THRESHOLD", "4")];

#[test]
fn every_base_case_shape_is_answered_exactly() {
    let file = tier2_program("base_case_shapes.py");
    let tier1 = cpjit_tier2("1", &file, &["--leak-check"], ENV);
    assert_eq!(tier1.status, 0, "{}", tier1.stderr);
    let want = if have_python() {
        let o = vm_common::run(Command::new("python3").arg(&file));
        String::from_utf8_lossy(&o.stdout).into_owned()
    } else {
        tier1.stdout.clone()
    };
    assert_eq!(tier1.stdout, want, "tier 1 differs from CPython");
    assert!(want.contains("length [985, "), "{want}");
    assert!(want.contains("998, 'RecursionError'"), "{want}");
    for mode in ["uops", "jit"] {
        let (r, text) = cpjit_tier2_dumped(mode, &file, ENV);
        assert_exact_and_clean(mode, &r, &want);
        let uses = |f: &str, uop: &str| {
            let u = format!("{uop} ");
            assert!(
                traces_in(&text, f).iter().any(|t| t.contains(&u)),
                "--tier {mode}: no {uop} in {f}\n{text}"
            );
        };
        uses("lt", "_CALL_EXECUTOR_LEAF_1");
        // The baked callee and its NULL, one uop.
        uses("lt", "_LOAD_CONST_OBJ_PUSH_NULL");
        for f in ["le_const", "eq_const", "const_first", "gt", "ge_neg"] {
            uses(f, "_CALL_EXECUTOR_LEAF_ANY_1");
        }
        for f in ["gcd", "keep", "length", "paths"] {
            uses(f, "_CALL_EXECUTOR_LEAF_ANY_2");
        }
    }
}
