//! Integer loop uops (s7-int, `src/vm/tier2/fuse.rs`): `if n & c:` as one
//! guard, shifts and products by constants, updates of the stack top by a
//! constant, list item swaps as one uop (`local_guards.rs`: a list's first
//! load guarded bound so its subscripts fuse). `tests/tier2/int_bits.py` takes every one's exit (both
//! branches of the bit test, products and sums that overflow to big ints,
//! locals that stop being small ints); here it must match tier 1 (and
//! CPython, in `tier2_modes`) in both tier-2 modes with nothing leaked,
//! the fused uops must be in its traces, and the side traces that grow
//! from their exits must start where those exits resume.

mod vm_common;

use vm_common::{cpjit_tier2, tier2_program, tier2_runs_exact};

/// Runs `int_bits.py` in `mode` with a trace dump into a file named after
/// `tag` (tests run in parallel); returns the status, stdout, stderr and dump.
fn run_dumping(mode: &str, tag: &str) -> (i32, String, String, String) {
    let file = tier2_program("int_bits.py");
    let dump = std::env::temp_dir().join(format!(
        "cpjit-int-bits-{tag}-{}-{mode}.txt",
        std::process::id()
    ));
    let d = dump.to_string_lossy().into_owned();
    let r = cpjit_tier2(mode, &file, &["--leak-check", "--dump-traces", &d], &[]);
    let text = std::fs::read_to_string(&dump).unwrap_or_default();
    let _ = std::fs::remove_file(&dump);
    (r.status, r.stdout, r.stderr, text)
}

#[test]
fn int_bit_and_constant_uops_are_exact_at_every_exit_in_both_tier2_modes() {
    let file = tier2_program("int_bits.py");
    let reference = cpjit_tier2("1", &file, &[], &[]);
    assert_eq!(reference.status, 0, "{}", reference.stderr);
    for mode in ["uops", "jit"] {
        let (status, stdout, stderr, text) = run_dumping(mode, "exits");
        let what = format!("--tier {mode}:\n{stderr}");
        assert_eq!(status, 0, "{what}");
        assert_eq!(stdout, reference.stdout, "{what}");
        assert!(
            stderr.contains("cpjit-leak-check: live objects at exit: 0"),
            "{what}"
        );
        for fused in [
            "_GUARD_AND_INT_ZERO_LOCAL_CONST",
            "_GUARD_AND_INT_NONZERO_LOCAL_CONST",
            "_INPLACE_RSHIFT_INT_LOCAL_CONST",
            "_BINARY_OP_RSHIFT_INT_LOCAL_CONST",
            "_BINARY_OP_MULTIPLY_INT_LOCAL_CONST",
            "_BINARY_OP_MULTIPLY_INT_CONST_LOCAL",
            "_BINARY_OP_ADD_INT_TOP_CONST",
            "_BINARY_OP_SUBTRACT_INT_TOP_CONST",
            "_GUARD_LOCAL_BOUND",
            "_SWAP_LIST_ITEMS_LOCALS",
        ] {
            assert!(text.contains(fused), "no {fused} in the dump; {what}");
        }
        // Side traces grown from the fused uops' exits: the bit test's
        // other branch (`n = 3 * n + 1`), `n * 7` overflowing and
        // `n * 2 + 3` overflowing (the product, then the sum).
        for start in [
            "side trace, depth 1 in collatz at line 13, instruction 10",
            "in grow at line 54, instruction 12",
            "side trace, depth 1 in near_edge at line 67, instruction 12",
            // The item swap once the list became a dict.
            "side trace, depth 1 in swaps at line 127",
        ] {
            assert!(text.contains(start), "no {start:?}; {what}");
        }
    }
}

/// The shift is fused only for constants that cannot make it exit: `x >> 63`
/// keeps the checked `_BINARY_OP_RSHIFT_INT`.
#[test]
fn shifts_by_63_or_more_are_not_fused() {
    let (status, _, stderr, text) = run_dumping("uops", "shifts");
    assert_eq!(status, 0, "{stderr}");
    let shifts = text
        .split("=== trace")
        .find(|t| t.contains("root trace (loop) in shifts"))
        .unwrap_or_default();
    assert!(shifts.contains("_BINARY_OP_RSHIFT_INT "), "{shifts}");
    assert!(
        shifts.contains("_BINARY_OP_RSHIFT_INT_LOCAL_CONST x, const 62"),
        "{shifts}"
    );
    assert!(
        !shifts
            .lines()
            .any(|l| l.contains("RSHIFT_INT_LOCAL_CONST") && l.contains("const 63")),
        "{shifts}"
    );
}

/// `n = c1 * n + c2` in place is one uop (s8-int); `int_mul_add.py` takes
/// both of its exits (the product overflowing; the product fitting and the
/// sum not), with `-` and negative values, beside the shapes that must not
/// fuse. Both tier-2 modes match tier 1 with nothing leaked, and the side
/// traces grown from the exits start at the multiply, where tier 1 redoes
/// the whole expression.
#[test]
fn in_place_multiply_adds_are_one_uop_and_exact_at_both_exits() {
    for (mode, r, text) in tier2_runs_exact("int_mul_add.py", &[]) {
        let what = format!("--tier {mode}:\n{}", r.stderr);
        for fused in [
            "_INPLACE_MUL_ADD_INT_CONST_LOCAL x, const 3, const 1 ",
            "_INPLACE_MUL_ADD_INT_LOCAL_CONST x, const 1, const 1000 ",
            "_INPLACE_MUL_ADD_INT_CONST_LOCAL x, const 2, const -7 ",
        ] {
            assert!(text.contains(fused), "no {fused} in the dump; {what}");
        }
        // The sum overflowing alone leaves through the multiply's exit.
        assert!(
            text.contains("in sum_edge at line 27, instruction 14 (BINARY_OP *)"),
            "{what}"
        );
        let not_fused = text
            .split("=== trace")
            .find(|t| t.contains("root trace (loop) in not_fused"))
            .unwrap_or_default();
        assert!(!not_fused.contains("_INPLACE_MUL_ADD"), "{what}");
    }
}

/// Session 10 (s10-jit): templates address `localsplus[oparg]` (and a
/// local-index operand) by a patched displacement (`HoleValue::OpargBytes`,
/// `OperandBytes`). `local_offsets.py` keeps its hot locals past the 40th
/// slot and takes every way out of the fused uops reading them: a guard
/// failing (an int local becoming a float), in-place adds overflowing to
/// big ints, and `ZeroDivisionError`, `IndexError` and `UnboundLocalError`
/// raised in loops over far locals. Both tier-2 modes match tier 1 with
/// nothing leaked, and the JIT's code reads the far local `p39` through its
/// displacement (the dump names the hole). Its `constants` loop compares
/// and adds constants past a 32-bit immediate (unfused) and tests a mask
/// that fits (`testq $imm32`, `HoleValue::OperandI32`).
#[test]
fn far_locals_are_addressed_by_displacement_and_exact_at_every_exit() {
    for (mode, r, text) in tier2_runs_exact("local_offsets.py", &[]) {
        let what = format!("--tier {mode}:\n{}", r.stderr);
        assert!(text.contains(" _GUARD_LOCAL_INT "), "{what}");
        assert!(text.contains(" _INPLACE_ADD_INT_LOCAL_CONST "), "{what}");
        assert!(text.contains(" _GUARD_INT_LT_LOCALS "), "{what}");
        if mode == "jit" && cfg!(all(target_arch = "x86_64", target_os = "linux")) {
            // localsplus is at 0x30; p39 is local 41 (after n and big).
            assert!(
                text.contains("0x178(%r13)") && text.contains("# local p39 (oparg)"),
                "{what}"
            );
            assert!(text.contains("# local n (operand)"), "{what}");
            // A fused constant is an immediate of the instruction.
            assert!(
                text.contains("# local i (oparg); operand 1073741822"),
                "{what}"
            );
        }
    }
}
