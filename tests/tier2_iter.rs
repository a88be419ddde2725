//! Loops over `range(...)` in traces: `_CALL_RANGE_ITER` makes the iterator
//! without the range object, exits with such an iterator live resume tier 1
//! in the loop, nothing leaks (iterators go through a free list), and a
//! `range` that is not the builtin is never fused.

mod vm_common;

use std::path::Path;
use std::process::Command;
use vm_common::{cpjit_tier2, have_python, stat_after, tier2_program, Run};

fn python3(file: &Path) -> Option<String> {
    if !have_python() {
        return None;
    }
    let o = vm_common::run(Command::new("python3").arg(file));
    Some(String::from_utf8_lossy(&o.stdout).into_owned())
}

fn leak_count(r: &Run) -> i64 {
    r.stderr
        .lines()
        .find_map(|l| l.strip_prefix("cpjit-leak-check: live objects at exit: "))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no leak-check line:\n{}", r.stderr))
}

/// A temporary program file with `text`.
fn program(tag: &str, text: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("cpjit-iter-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp dir");
    let f = dir.join(format!("{tag}.py"));
    std::fs::write(&f, text).expect("write program");
    f
}

#[test]
fn fused_range_loops_match_cpython_use_the_uop_and_leak_nothing() {
    let file = tier2_program("range_iter_fused.py");
    let want = python3(&file);
    for mode in ["uops", "jit"] {
        let r = cpjit_tier2(mode, &file, &["--stats", "--leak-check"], &[]);
        assert_eq!(r.status, 0, "--tier {mode}: {}", r.stderr);
        if let Some(w) = &want {
            assert_eq!(&r.stdout, w, "--tier {mode}");
        }
        assert!(
            stat_after(&r.stderr, "_CALL_RANGE_ITER") > 0,
            "--tier {mode}: no fused range in the traces:\n{}",
            r.stderr
        );
        assert!(stat_after(&r.stderr, "exits taken to tier 1") > 0);
        assert_eq!(leak_count(&r), 0, "--tier {mode}");
    }
}

#[test]
fn exit_inside_a_fused_loop_resumes_tier_one_in_the_loop() {
    // The inner loop's body exits (an int turns into a float, then into a
    // big int) while its fused iterator is live; every iteration must still
    // run exactly once.
    let f = program(
        "live_exit",
        "out = []\n\
         for k in range(300):\n\
         \x20   v = 1 if k < 100 else (0.5 if k < 200 else 2 ** 70)\n\
         \x20   s = 0\n\
         \x20   for i in range(k % 5, 12):\n\
         \x20       s = s + v * i\n\
         \x20   out.append(s)\n\
         print(out[98:102], out[198:202], out[-1], len(out))\n",
    );
    // Tier 1 is the reference where python3 is missing.
    let tier1 = cpjit_tier2("1", &f, &[], &[]).stdout;
    let want = python3(&f).unwrap_or(tier1);
    assert!(want.ends_with(" 300\n"), "{want}");
    for mode in ["1", "uops", "jit"] {
        let r = cpjit_tier2(mode, &f, &["--leak-check"], &[]);
        assert_eq!(r.stdout, want, "--tier {mode}: {}", r.stderr);
        assert_eq!(leak_count(&r), 0, "--tier {mode}");
    }
}

#[test]
fn a_range_that_is_not_the_builtin_is_not_fused() {
    let f = program(
        "own_range",
        "def range(*a):\n\
         \x20   return [a[-1], a[0]]\n\
         t = 0\n\
         for k in [3] * 200:\n\
         \x20   for i in range(k, 7):\n\
         \x20       t += i\n\
         print(t)\n",
    );
    for mode in ["uops", "jit"] {
        let r = cpjit_tier2(mode, &f, &["--stats"], &[]);
        assert_eq!(r.stdout, "2000\n", "--tier {mode}: {}", r.stderr);
        assert!(
            !r.stderr.contains("_CALL_RANGE_ITER"),
            "--tier {mode}: fused a user range:\n{}",
            r.stderr
        );
    }
}
