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

/// Runs `cmd` with `input` on its standard input; collects its output.
fn run_with_stdin(cmd: &mut Command, input: &[u8]) -> std::process::Output {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input)
        .expect("write");
    child.wait_with_output().expect("wait")
}

#[test]
fn run_stdin() {
    let o = run_with_stdin(
        Command::new(cpjit()).args(["run", "-"]),
        b"x = [i * i for i in range(4)]\nprint(x)\n",
    );
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

/// A fresh empty directory for one test.
fn scratch_dir(tag: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("cpjit-cli-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("scratch dir");
    d
}

/// Runs `args` under python3 and `cpjit run` in `dir` (with RUST_BACKTRACE=1,
/// which must change nothing) and checks that the exit status and standard
/// error agree: exactly, except that each names itself where CPython prints
/// its executable (`python3: can't open file ...`) and CPython's caret lines.
fn same_error_as_python(dir: &std::path::Path, args: &[&str], stdin: &[u8]) {
    if !vm_common::have_python() {
        return;
    }
    let go =
        |cmd: &mut Command| run_with_stdin(cmd.current_dir(dir).env("RUST_BACKTRACE", "1"), stdin);
    let want = go(Command::new("python3").args(args));
    let got = go(Command::new(cpjit()).arg("run").args(args));
    let strip = |o: &std::process::Output| {
        let e = vm_common::without_carets(&String::from_utf8_lossy(&o.stderr));
        match e.find(": can't ") {
            Some(at) => format!("PROG{}", &e[at..]),
            None => e,
        }
    };
    let (w, g) = (strip(&want), strip(&got));
    assert_eq!(g, w, "{args:?}: stderr differs");
    assert_eq!(
        got.status.code(),
        want.status.code(),
        "{args:?}: exit status"
    );
}

#[test]
fn missing_and_unopenable_files_are_reported_as_cpython_does() {
    let d = scratch_dir("open");
    std::fs::write(d.join("a_file.py"), "print(1)\n").expect("write");
    std::fs::create_dir_all(d.join("sub")).expect("mkdir");
    for f in ["missing.py", "a_file.py/x.py", "sub", "sub/", ".", "./sub"] {
        same_error_as_python(&d, &[f], b"");
    }
    let abs = d.join("missing.py");
    same_error_as_python(&d, &[&abs.to_string_lossy()], b"");
}

#[test]
fn invalid_utf8_source_is_cpythons_syntax_error() {
    let d = scratch_dir("utf8");
    std::fs::write(d.join("bad.py"), b"print(1)\n\nx = 'a\xe9b'\n").expect("write");
    same_error_as_python(&d, &["bad.py"], b"");
    same_error_as_python(&d, &["-"], b"print(1)\nx = '\xff'\n");
}

#[test]
fn tracebacks_name_the_script_by_its_absolute_path() {
    let d = scratch_dir("tb");
    let prog = "def f(x):\n    return [x][x]\n\ndef g():\n    try:\n        f(3)\n    finally:\n        print('fin')\n\ng()\n";
    std::fs::write(d.join("t1.py"), prog).expect("write");
    std::fs::create_dir_all(d.join("sub")).expect("mkdir");
    std::fs::write(d.join("sub/t2.py"), prog).expect("write");
    same_error_as_python(&d, &["t1.py"], b"");
    same_error_as_python(&d, &["./sub/t2.py"], b"");
    // `-c` is "<string>" and standard input "<stdin>", with no source lines.
    same_error_as_python(&d, &["-c", prog], b"");
    same_error_as_python(&d, &["-"], prog.as_bytes());
}

/// Runs `tests/py/NAME` under python3 (unbuffered or not, it does not
/// matter: each stream is compared alone) and under cpjit in every mode, with
/// `input` on standard input: the same stdout, stderr (all of it, or with
/// `!full_stderr` its last line: cpjit's tracebacks have no `^^^` markers
/// yet) and exit status.
fn same_streams_as_python(name: &str, input: &[u8], full_stderr: bool) {
    if !vm_common::have_python() {
        return;
    }
    let file = vm_common::py_dir().join(name);
    let with_input = |cmd: &mut Command| run_with_stdin(cmd, input);
    let want = with_input(Command::new("python3").arg(&file));
    for mode in ["1", "uops", "jit"] {
        let got = with_input(
            Command::new(cpjit())
                .args(["run", "--tier", mode])
                .arg(&file),
        );
        let text = |b: &[u8]| String::from_utf8_lossy(b).replace(&*file.to_string_lossy(), "F");
        assert_eq!(
            text(&got.stdout),
            text(&want.stdout),
            "--tier {mode}: stdout"
        );
        let (g, w) = (text(&got.stderr), text(&want.stderr));
        if full_stderr {
            assert_eq!(g, w, "--tier {mode}: stderr");
        } else {
            assert_eq!(g.lines().last(), w.lines().last(), "--tier {mode}: stderr");
        }
        assert_eq!(
            got.status.code(),
            want.status.code(),
            "--tier {mode}: status"
        );
    }
}

#[test]
fn stdin_input_stdout_and_stderr_are_cpythons() {
    // print(file=sys.stderr), sys.stderr.write, flush=, input() with and
    // without a prompt, sys.stdin.readline, the last line without a newline,
    // EOFError at the end (caught, then uncaught with its traceback).
    same_streams_as_python("io_streams.py", b"bob\n  spaced  \nthird\nlast", true);
}

#[test]
fn input_at_once_at_the_end_is_eof_error() {
    same_streams_as_python("io_streams.py", b"", false);
}
