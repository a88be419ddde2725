//! Session 8's cheaper calls and returns: `_GET_ITER_LIST` (a list's
//! iterator made inline, exhausted iterators freed inline) and the returns
//! whose value is alone on the stack (`_RETURN_CLEAN_ALONE`,
//! `_RETURN_LOCAL_INT_ALONE`, chosen from the code's static stack depth),
//! the base cases a call answers itself (`_CALL_EXECUTOR_LEAF_1`) and the
//! checked return stub (`_RETURN_LOCAL_CHECKED`).
//! Both tier-2 modes must print what CPython (or tier 1) prints, leak
//! nothing, use the new uops and take their ways out.

mod vm_common;

use std::path::Path;
use std::process::Command;
use vm_common::{
    assert_exact_and_clean, cpjit_tier2, cpjit_tier2_dumped, have_python, tier2_program, traces_in,
};

/// Function-entry traces after a few calls, so short programs make them.
const ENV: &[(&str, &str)] = &[("CPJIT_CALL_THRESHOLD", "4")];

/// CPython's output of `file`, or tier 1's where python3 is missing.
fn reference(file: &Path) -> String {
    if have_python() {
        let o = vm_common::run(Command::new("python3").arg(file));
        return String::from_utf8_lossy(&o.stdout).into_owned();
    }
    cpjit_tier2("1", file, &[], ENV).stdout
}

/// A list's iterator is made by `_GET_ITER_LIST`; a tuple or str where a
/// list was leaves through its exit, many iterators live at once empty and
/// overflow the free list (the helper and `cpjit_dealloc` paths), an
/// exhausted iterator that holds the last reference to a list of iterators
/// frees them, and nothing leaks.
#[test]
fn list_iterators_are_made_and_freed_inline_exactly() {
    let file = tier2_program("list_iter_inline.py");
    let want = reference(&file);
    assert!(want.contains("nested [0, 49,"), "{want}");
    for mode in ["uops", "jit"] {
        let (r, text) = cpjit_tier2_dumped(mode, &file, ENV);
        assert_exact_and_clean(mode, &r, &want);
        for f in ["make.<locals>.evaluate", "walk", "deep", "nested"] {
            assert!(
                traces_in(&text, f)
                    .iter()
                    .any(|t| t.contains("_GET_ITER_LIST ")),
                "--tier {mode}: no _GET_ITER_LIST in {f}\n{text}"
            );
        }
        // `return acc` after evaluate's loop returns in the loop trace's
        // stub, checking `acc` (its first exit comes before any store).
        assert!(
            traces_in(&text, "make.<locals>.evaluate")
                .iter()
                .any(|t| t.contains("_RETURN_LOCAL_CHECKED ")),
            "--tier {mode}: no checked return in evaluate\n{text}"
        );
        // `walk`'s entry trace left at its `GET_ITER` for the tuple and the
        // str (a side trace starts there, or tier 1 ran it).
        assert!(
            traces_in(&text, "walk")
                .iter()
                .any(|t| t.contains("side trace") && t.contains("GET_ITER")),
            "--tier {mode}: walk's GET_ITER exit not taken\n{text}"
        );
    }
}

/// fib's returns are the `_ALONE` forms; a return with an iterator under
/// its value keeps the tested `_RETURN_CLEAN` (an `_ALONE` form there would
/// drop the iterator's reference, which the leak check sees), and a float
/// argument leaves the int-only returns.
#[test]
fn returns_alone_only_where_the_stack_holds_just_the_value() {
    let file = tier2_program("returns_alone.py");
    let want = reference(&file);
    assert!(want.contains("g 17711 0 144.0"), "{want}");
    for mode in ["uops", "jit"] {
        let (r, text) = cpjit_tier2_dumped(mode, &file, ENV);
        assert_exact_and_clean(mode, &r, &want);
        let fib = traces_in(&text, "fib").join("\n");
        assert!(fib.contains("_RETURN_CLEAN_ALONE "), "--tier {mode}\n{fib}");
        assert!(
            fib.contains("_RETURN_LOCAL_INT_ALONE "),
            "--tier {mode}\n{fib}"
        );
        let inside = traces_in(&text, "inside").join("\n");
        assert!(
            inside.contains("_RETURN_CLEAN "),
            "--tier {mode}: inside's return under its iterator\n{inside}"
        );
        assert!(!inside.contains("_ALONE"), "--tier {mode}\n{inside}");
        for f in ["first_small", "inside"] {
            let t = traces_in(&text, f).join("\n");
            // first_small's `return n + m` after its loop (line 20: the
            // iterator is gone) may be alone; its `return n` inside the
            // loop (line 18) never is.
            let inside_loop = t
                .lines()
                .filter(|l| l.contains("_ALONE"))
                .filter(|l| f == "inside" || !l.contains("line 20"))
                .collect::<Vec<_>>();
            assert!(inside_loop.is_empty(), "--tier {mode}: {f}\n{t}");
        }
    }
}

/// fib-like calls answer their base case in the caller
/// (`_CALL_EXECUTOR_LEAF_1`): at the recursion limit the base-case call
/// still raises `RecursionError` exactly where tier 1 raises it (the
/// answer checks the push's limits), and float and big-int arguments, for
/// which the uop makes the call, return what tier 1 returns.
#[test]
fn base_cases_are_answered_without_the_call_exactly() {
    let file = tier2_program("leaf_calls.py");
    let tier1 = cpjit_tier2("1", &file, &["--leak-check"], ENV);
    assert_eq!(tier1.status, 0, "{}", tier1.stderr);
    assert!(
        tier1.stdout.contains("998, 'RecursionError'"),
        "{}",
        tier1.stdout
    );
    for mode in ["uops", "jit"] {
        let (r, text) = cpjit_tier2_dumped(mode, &file, ENV);
        assert_exact_and_clean(mode, &r, &tier1.stdout);
        for f in ["down", "le"] {
            assert!(
                traces_in(&text, f)
                    .iter()
                    .any(|t| t.contains("_CALL_EXECUTOR_LEAF_1 ")),
                "--tier {mode}: no _CALL_EXECUTOR_LEAF_1 in {f}\n{text}"
            );
        }
    }
}
