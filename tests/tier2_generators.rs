//! Generators under tier 2: loops inside generator bodies and loops that
//! consume generators are traced, a trace never runs a `YIELD_VALUE` or
//! `SEND` (it exits to tier 1 there, and a loop whose own path yields gets
//! no trace), and every mode prints what CPython prints with nothing left
//! alive.

mod vm_common;

use std::process::Command;
use vm_common::{have_python, tier2_program, tier2_runs_exact, traces_in};

#[test]
fn generator_loops_match_cpython_in_every_mode() {
    let file = tier2_program("generators_hot.py");
    let runs = tier2_runs_exact("generators_hot.py", &[]);
    if have_python() {
        let o = vm_common::run(Command::new("python3").arg(&file));
        let want = String::from_utf8_lossy(&o.stdout).into_owned();
        for (mode, r, _) in &runs {
            assert_eq!(r.stdout, want, "--tier {mode} differs from CPython");
        }
    }
    for (mode, r, text) in &runs {
        // A loop inside a generator's frame that yields off its hot path
        // and one consuming a generator both get traces; a loop that
        // yields at every iteration (squares) is left to tier 1.
        assert!(
            !traces_in(text, "window").is_empty(),
            "no trace in the generator window; --tier {mode}:\n{}",
            r.stderr
        );
        assert!(
            traces_in(text, "squares").is_empty(),
            "a trace in squares, which yields at every iteration; --tier {mode}"
        );
        assert!(
            !traces_in(text, "<module>").is_empty(),
            "no trace in the consuming loop; --tier {mode}"
        );
        // Suspension points end traces; they are never run as a step.
        assert!(text.contains("YIELD_VALUE"), "--tier {mode}: no yield seen");
        for op in ["YIELD_VALUE", "SEND"] {
            assert!(
                !text.contains(&format!("cpjit_step({op}")),
                "--tier {mode}: a trace steps {op}"
            );
        }
    }
}
