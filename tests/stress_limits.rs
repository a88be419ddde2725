//! Resource limits (issue 8): deep recursion, huge allocations and the trace
//! length limit, in every mode, compared with python3 where it is available.

mod vm_common;

use std::process::Command;
use vm_common::{cpjit, have_python, last_err_line, run};

const MODES: [&str; 3] = ["1", "uops", "jit"];

/// Runs `code` under every mode and checks exit status, stdout and the last
/// stderr line against `python3 -c code`.
fn same_as_python(code: &str) {
    if !have_python() {
        eprintln!("python3 missing; skipped");
        return;
    }
    let py = run(Command::new("python3").arg("-c").arg(code));
    for mode in MODES {
        let o = run(Command::new(cpjit()).args(["run", "--tier", mode, "-c", code]));
        assert_eq!(
            o.status.code(),
            py.status.code(),
            "exit status, --tier {mode}"
        );
        assert_eq!(o.stdout, py.stdout, "stdout, --tier {mode}");
        assert_eq!(
            last_err_line(&o),
            last_err_line(&py),
            "stderr, --tier {mode}"
        );
    }
}

#[test]
fn deep_recursion_is_a_recursion_error() {
    same_as_python("def f(n):\n    return f(n + 1)\nf(0)\n");
}

#[test]
fn deep_recursion_in_a_hot_loop_is_a_recursion_error() {
    same_as_python(
        "def f(n):\n    i = 0\n    while i < 40:\n        i = i + 1\n    return f(n + 1)\nf(0)\n",
    );
}

/// `list * huge` raises MemoryError as CPython does (it used to abort with
/// `memory allocation of 8000000000000 bytes failed`, exit 134).
#[test]
fn huge_list_is_a_memory_error() {
    same_as_python("x = [0] * (10**12)\n");
}

/// `str * huge` raises MemoryError the same way.
#[test]
fn huge_string_is_a_memory_error() {
    same_as_python("x = 'x' * (10**13)\n");
}

const LONG_LOOP: &str = "def f():
    t = 0
    i = 0
    while i < 1000:
        t = t + i * 2 - 1
        t = t % 1000003 + i
        t = t + 3 * i
        i = i + 1
    return t
print(f())
";

/// Body lengths of the traces in a `CPJIT_DUMP_TRACES=1` dump: uops before
/// the body's terminator (`_EXIT_TRACE` or `_JUMP_TO_TOP`, which the
/// projector appends after a body cut at the limit; the exit stubs follow
/// it). The dump says `N uops (B in the body, ...)`, B counting the terminator.
fn body_lengths(dump: &str) -> Vec<usize> {
    dump.lines()
        .filter_map(|line| {
            let (_, rest) = line.split_once(" uops (")?;
            let b: usize = rest.split_once(" in the body")?.0.parse().ok()?;
            Some(b - 1)
        })
        .collect()
}

/// With `--max-trace-length 5`, the side trace from instruction 23 of `f`
/// would have a body of 6 uops (`_LOAD_CONST`, `_LOAD_FAST_CHECK`, then two
/// guard+op pairs) if the limit were checked per bytecode instruction: it is
/// checked per uop, and an instruction whose uops do not fit ends the trace.
#[test]
fn the_trace_length_limit_is_respected() {
    for limit in [5usize, 20] {
        for mode in ["uops", "jit"] {
            let o = run(Command::new(cpjit())
                .env("CPJIT_DUMP_TRACES", "1")
                .args(["run", "--tier", mode, "--max-trace-length"])
                .arg(limit.to_string())
                .args(["-c", LONG_LOOP]));
            assert!(o.status.success(), "--tier {mode}");
            assert_eq!(String::from_utf8_lossy(&o.stdout), "995994\n");
            let lens = body_lengths(&String::from_utf8_lossy(&o.stderr));
            assert!(!lens.is_empty(), "no trace dumped, --tier {mode}");
            for l in lens {
                assert!(l <= limit, "trace body of {l} uops over the limit {limit}");
            }
        }
    }
}

#[test]
fn small_trace_length_limits_keep_the_output_right() {
    for limit in ["1", "2", "5", "20"] {
        for mode in MODES {
            let o = run(Command::new(cpjit()).args([
                "run",
                "--tier",
                mode,
                "--max-trace-length",
                limit,
                "-c",
                LONG_LOOP,
            ]));
            assert!(
                o.status.success(),
                "--tier {mode} --max-trace-length {limit}"
            );
            assert_eq!(String::from_utf8_lossy(&o.stdout), "995994\n");
        }
    }
}
