//! The `cpjit run` command line: sources, tiers, errors.

mod vm_common;

use std::io::Write;
use std::process::{Command, Stdio};
use vm_common::{cpjit, last_err_line, run};

#[test]
fn run_c_prints() {
    let o = run(Command::new(cpjit()).args(["run", "-c", "print(1+2)"]));
    assert_eq!(String::from_utf8_lossy(&o.stdout), "3\n");
    assert_eq!(o.status.code(), Some(0));
}

#[test]
fn run_stdin() {
    let mut child = Command::new(cpjit())
        .args(["run", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"x = [i * i for i in range(4)]\nprint(x)\n")
        .expect("write");
    let o = child.wait_with_output().expect("wait");
    assert_eq!(String::from_utf8_lossy(&o.stdout), "[0, 1, 4, 9]\n");
}

#[test]
fn tier2_modes_run_or_are_refused_clearly() {
    for t in ["uops", "jit"] {
        let o = run(Command::new(cpjit()).args(["run", "--tier", t, "-c", "print(1)"]));
        match o.status.code() {
            Some(0) => assert_eq!(String::from_utf8_lossy(&o.stdout), "1\n", "--tier {t}"),
            Some(2) => {
                // A build without this tier must say so and run nothing.
                assert!(o.stdout.is_empty(), "--tier {t} must not run the program");
                assert!(String::from_utf8_lossy(&o.stderr).contains("not built"));
            }
            other => panic!("--tier {t}: exit status {other:?}"),
        }
    }
}

#[test]
fn syntax_error_runs_nothing() {
    let o = run(Command::new(cpjit()).args(["run", "-c", "print('ran')\nx = (1,\n"]));
    assert_eq!(o.status.code(), Some(1));
    assert!(o.stdout.is_empty());
    assert!(last_err_line(&o).starts_with("SyntaxError"));
    assert!(String::from_utf8_lossy(&o.stderr).contains("line"));
}

#[test]
fn unsupported_construct_is_named_with_its_line() {
    let o = run(Command::new(cpjit()).args([
        "run",
        "-c",
        "print('ran')\nmatch 1:\n    case 1:\n        pass\n",
    ]));
    assert_eq!(o.status.code(), Some(1));
    assert!(o.stdout.is_empty());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("match statement") && err.contains(":2:"),
        "{err}"
    );
}

#[test]
fn missing_file_is_an_error_not_a_panic() {
    let o = run(Command::new(cpjit()).args(["run", "/nonexistent/x.py"]));
    assert_ne!(o.status.code(), Some(0));
    assert!(!String::from_utf8_lossy(&o.stderr).contains("panicked"));
}

#[test]
fn uncaught_error_keeps_output_and_prints_traceback() {
    let o = run(Command::new(cpjit()).args([
        "run",
        "-c",
        "print('before')\ndef f():\n    return 1 // 0\nf()\n",
    ]));
    assert_eq!(String::from_utf8_lossy(&o.stdout), "before\n");
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.starts_with("Traceback (most recent call last):"),
        "{err}"
    );
    assert!(err.contains("line 3, in f"), "{err}");
    assert_eq!(
        last_err_line(&o),
        "ZeroDivisionError: integer division or modulo by zero"
    );
}

#[test]
fn newer_than_3_11_syntax_is_a_syntax_error() {
    let o = run(Command::new(cpjit()).args(["run", "-c", "print('ran')\nprint(f\"{\"a\"}\")\n"]));
    assert_eq!(o.status.code(), Some(1));
    assert!(o.stdout.is_empty());
    assert!(
        last_err_line(&o).starts_with("SyntaxError"),
        "{}",
        last_err_line(&o)
    );
}
