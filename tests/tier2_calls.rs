//! Calls of functions whose parameters are not only positional (keyword-only,
//! `*args`, `**kwargs`) and of decorated functions under tier 2: every
//! tier-2 call path (inlining with `_PUSH_FRAME*`, native `_CALL_EXECUTOR*`
//! calls of function-entry traces and base cases) takes only functions with
//! exactly their positional parameters (`Code::exact_argcount`), so these
//! calls stay generic and tier 1 binds them. (`tier2_modes` also checks the
//! program's output against CPython in every mode.)

mod vm_common;

#[test]
fn hot_calls_with_rich_signatures_are_never_pushed_natively() {
    for (mode, r, text) in vm_common::tier2_runs_exact("calls_signatures.py", &[]) {
        assert!(
            text.contains("=== trace"),
            "no trace; --tier {mode}:\n{}",
            r.stderr
        );
        for uop in ["_PUSH_FRAME", "_CALL_EXECUTOR"] {
            assert!(
                !text.contains(uop),
                "a call of a function with keyword-only, *args or **kwargs parameters became {uop}; --tier {mode}:\n{text}"
            );
        }
    }
}
