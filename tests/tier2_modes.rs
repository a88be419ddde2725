//! Tier 2 differential tests: every program in `tests/tier2/` and every
//! corpus program runs under `--tier 1`, `uops` and `jit` and must match
//! CPython (`python3`, or the corpus's recorded expectations): same stdout,
//! same exit status, same last line of stderr. Targeted checks read
//! `--stats` to see that side traces were linked and that a tiny JIT memory
//! limit falls back to the interpreter with the same output.

mod vm_common;

use std::path::{Path, PathBuf};
use std::process::Command;
use vm_common::cpjit as cpjit_bin;
use vm_common::{collect, cpjit_tier2, stat_after, tier2_program, Run};

const MODES: [&str; 3] = ["1", "uops", "jit"];

fn cpjit(mode: &str, file: &Path, extra: &[&str]) -> Run {
    cpjit_tier2(mode, file, extra, &[])
}

/// Runs `file` in `mode` with `flag` and `--dump-traces` into a temporary
/// file named after `tag`; returns the run and the dump's text (empty when
/// none was written).
fn cpjit_dumping(mode: &str, file: &Path, tag: &str, flag: &str) -> (Run, String) {
    let dump = std::env::temp_dir().join(format!("{tag}-{}-{mode}.txt", std::process::id()));
    let d = dump.to_string_lossy().into_owned();
    let r = cpjit(mode, file, &[flag, "--dump-traces", &d]);
    let text = std::fs::read_to_string(&dump).unwrap_or_default();
    let _ = std::fs::remove_file(&dump);
    (r, text)
}

fn last_line(s: &str) -> &str {
    s.lines().last().unwrap_or("")
}

/// The corpus's rule: the same exception and message, except that a
/// SyntaxError only needs the same type.
fn same_exception(got: &str, expected: &str) -> bool {
    if expected.starts_with("SyntaxError") {
        got.starts_with("SyntaxError")
    } else {
        got == expected
    }
}

fn python3(file: &Path) -> Option<Run> {
    Command::new("python3")
        .arg(file)
        .output()
        .ok()
        .map(Run::from)
}

/// The targeted programs of `tests/tier2`, the VM's `tests/py` and the
/// project's benchmark programs.
fn programs() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut v: Vec<PathBuf> = ["tests/tier2", "tests/py", "bench/programs"]
        .iter()
        .filter_map(|d| std::fs::read_dir(root.join(d)).ok())
        .flatten()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "py"))
        .collect();
    v.sort();
    v
}

fn check_against(expected: &Run, file: &Path, mode: &str, failures: &mut Vec<String>) {
    let got = cpjit(mode, file, &[]);
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if got.stdout != expected.stdout {
        failures.push(format!(
            "{name} --tier {mode}: stdout differs:\n--- expected\n{}\n--- got\n{}",
            expected.stdout, got.stdout
        ));
    } else if got.status != expected.status {
        failures.push(format!(
            "{name} --tier {mode}: exit {} (expected {})",
            got.status, expected.status
        ));
    } else if expected.status != 0
        && !same_exception(last_line(&got.stderr), last_line(&expected.stderr))
    {
        failures.push(format!(
            "{name} --tier {mode}: last stderr line {:?} (expected {:?})",
            last_line(&got.stderr),
            last_line(&expected.stderr)
        ));
    }
}

#[test]
fn tier2_programs_match_cpython_in_every_mode() {
    let mut failures = Vec::new();
    let mut checked = 0;
    for file in programs() {
        let Some(expected) = python3(&file) else {
            eprintln!("python3 not found: skipping the differential test");
            return;
        };
        for mode in MODES {
            check_against(&expected, &file, mode, &mut failures);
            checked += 1;
        }
    }
    assert!(checked >= 10 * 3, "too few programs found");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn corpus_programs_match_expectations_in_every_mode() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        eprintln!("no corpus at {}: skipping", dir.display());
        return;
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "py"))
        // The benchmarks run in ci/corpus.sh (every mode); here only the
        // quick programs.
        .filter(|p| {
            !p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("bench_"))
        })
        .collect();
    files.sort();
    let mut failures = Vec::new();
    for file in &files {
        let read =
            |ext: &str| std::fs::read_to_string(file.with_extension(ext)).unwrap_or_default();
        let expected = Run {
            stdout: read("out"),
            stderr: read("err"),
            status: read("exit").trim().parse().unwrap_or(0),
        };
        for mode in MODES {
            check_against(&expected, file, mode, &mut failures);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn hot_exits_are_linked_to_side_traces_in_both_tier2_modes() {
    for mode in ["uops", "jit"] {
        let r = cpjit(mode, &tier2_program("side_exits.py"), &["--stats"]);
        assert_eq!(r.status, 0, "{}", r.stderr);
        assert!(
            stat_after(&r.stderr, "side traces linked") >= 2,
            "--tier {mode}:\n{}",
            r.stderr
        );
        let r = cpjit(mode, &tier2_program("deep_chain.py"), &["--stats"]);
        assert_eq!(r.status, 0, "{}", r.stderr);
        // One side trace per phase of the loop: a long chain.
        assert!(
            stat_after(&r.stderr, "side traces linked") >= 8,
            "--tier {mode}:\n{}",
            r.stderr
        );
    }
}

#[test]
fn calls_in_hot_loops_are_inlined_into_traces_in_both_tier2_modes() {
    for mode in ["uops", "jit"] {
        let r = cpjit(mode, &tier2_program("inlined_calls.py"), &["--stats"]);
        assert_eq!(r.status, 0, "{}", r.stderr);
        // add, twice (and the scale/add calls inside it), bump, f1, the
        // polymorphic pair, checked_div, outer/inner_fail, classify, ...
        assert!(
            stat_after(&r.stderr, "calls inlined into traces") >= 8,
            "--tier {mode}:\n{}",
            r.stderr
        );
    }
}

/// `inline_float_exit.py`: the float loop's call of `term` is inlined with
/// floats unboxed inside it, and the exits taken from inside the inlined
/// callee with an unboxed value on its stack go through boxing stubs that
/// leave in `term`'s frame (the dump says so); the output matches tier 1.
#[test]
fn exits_from_an_inlined_callee_box_its_unboxed_floats_in_both_tier2_modes() {
    let file = tier2_program("inline_float_exit.py");
    let reference = cpjit("1", &file, &[]);
    for mode in ["uops", "jit"] {
        let (r, text) = cpjit_dumping(mode, &file, "cpjit-inline-float", "--stats");
        let what = format!("--tier {mode}:\n{}", r.stderr);
        assert_eq!(r.status, 0, "{what}");
        assert_eq!(r.stdout, reference.stdout, "{what}");
        assert!(
            stat_after(&r.stderr, "calls inlined into traces") >= 1,
            "{what}"
        );
        assert!(text.contains("call term (4 args)"), "{text}");
        assert!(text.contains("return from term"), "{text}");
        assert!(text.contains("_BINARY_OP_MULTIPLY_FLOAT_UNBOXED"), "{text}");
        // A boxing stub right before an exit that leaves in term's frame.
        let lines: Vec<&str> = text.lines().collect();
        let boxed_exit_in_callee = lines.windows(2).any(|w| {
            w[0].contains("_BOX_FLOAT_AT")
                && w[1].contains("_EXIT_TRACE")
                && w[1].contains(" in term")
        });
        assert!(boxed_exit_in_callee, "{text}");
        // And such exits were taken (the list got an int and a bool).
        assert!(r.stderr.contains("term line"), "{what}");
    }
}

/// `cells.py`: closure variables run as native uops in both tier-2 modes
/// (and its output, checked against CPython elsewhere, is exact).
#[test]
fn closure_cells_are_loaded_and_stored_by_native_uops() {
    for mode in ["uops", "jit"] {
        let r = cpjit(mode, &tier2_program("cells.py"), &["--stats"]);
        let what = format!("--tier {mode}:\n{}", r.stderr);
        assert_eq!(r.status, 0, "{what}");
        assert!(r.stderr.contains("_LOAD_DEREF "), "{what}");
        assert!(r.stderr.contains("_STORE_DEREF "), "{what}");
    }
}

#[test]
fn tiny_jit_memory_limit_falls_back_to_the_interpreter_with_the_same_output() {
    let file = tier2_program("side_exits.py");
    let normal = cpjit("1", &file, &[]);
    let tiny = cpjit("jit", &file, &["--stats", "--jit-memory-limit", "4k"]);
    assert_eq!(tiny.status, 0, "{}", tiny.stderr);
    assert_eq!(tiny.stdout, normal.stdout);
    let failed = stat_after(&tiny.stderr, "compile errors");
    assert!(
        failed >= 1,
        "the limit should have refused a compile:\n{}",
        tiny.stderr
    );
}

#[test]
fn bad_tunables_are_reported_not_panicked_on() {
    let mut c = Command::new(cpjit_bin());
    c.args(["run", "-c", "print(1)"])
        .env("CPJIT_BACKEDGE_THRESHOLD", "lots");
    let r = collect(&mut c);
    assert_eq!(r.status, 2);
    assert!(
        r.stderr.contains("CPJIT_BACKEDGE_THRESHOLD"),
        "{}",
        r.stderr
    );
    let mut c = Command::new(cpjit_bin());
    c.args(["run", "--jit-memory-limit", "huge", "-c", "print(1)"]);
    let r = collect(&mut c);
    assert_ne!(r.status, 0);
    assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
}

/// `float_list_store.py`: float results stored into lists stay unboxed up
/// to the store (`_STORE_SUBSCR_LIST_INT_UNBOXED_FLOAT` in the dump), the
/// output matches tier 1 in both tier-2 modes, and no float box leaks
/// through the in-place writes, the stores' exits or the float free list
/// running empty and full (`--leak-check`).
#[test]
fn floats_stored_into_lists_stay_unboxed_and_exact_in_both_tier2_modes() {
    let file = tier2_program("float_list_store.py");
    let reference = cpjit("1", &file, &[]);
    assert_eq!(reference.status, 0, "{}", reference.stderr);
    for mode in ["uops", "jit"] {
        let (r, text) = cpjit_dumping(mode, &file, "cpjit-float-list", "--leak-check");
        let what = format!("--tier {mode}:\n{}", r.stderr);
        assert_eq!(r.status, 0, "{what}");
        assert_eq!(r.stdout, reference.stdout, "{what}");
        assert!(
            text.contains("_STORE_SUBSCR_LIST_INT_UNBOXED_FLOAT"),
            "{what}"
        );
        assert!(
            r.stderr
                .contains("cpjit-leak-check: live objects at exit: 0"),
            "{what}"
        );
    }
}

/// `list_subscr_fused.py`: list subscripts of locals (`xs[i]`, `xs[2]`)
/// are fused with their loads (the dump shows both fused forms), their
/// guards fail mid-loop (the local becomes a tuple, dict, str; the index a
/// bool, float, big int, list, or out of range), and the output matches
/// tier 1 with nothing leaked in both tier-2 modes.
#[test]
fn list_subscripts_of_locals_are_fused_and_exact_in_both_tier2_modes() {
    let file = tier2_program("list_subscr_fused.py");
    let reference = cpjit("1", &file, &[]);
    assert_eq!(reference.status, 0, "{}", reference.stderr);
    for mode in ["uops", "jit"] {
        let (r, text) = cpjit_dumping(mode, &file, "cpjit-subscr-fused", "--leak-check");
        let what = format!("--tier {mode}:\n{}", r.stderr);
        assert_eq!(r.status, 0, "{what}");
        assert_eq!(r.stdout, reference.stdout, "{what}");
        assert!(
            text.contains("_BINARY_SUBSCR_LIST_INT_LOCAL_CONST"),
            "{what}"
        );
        assert!(text.contains("_BINARY_SUBSCR_LIST_INT_LOCALS"), "{what}");
        assert!(
            r.stderr
                .contains("cpjit-leak-check: live objects at exit: 0"),
            "{what}"
        );
    }
}

/// `int_fused.py`: int loops fused by type (`fuse.rs`): compare-and-branch
/// guards, in-place and pushed local updates, list stores by locals. Every
/// fused exit is taken (an update overflowing to a big int, a compare whose
/// operand is a float or a big int, a list store into a dict or out of
/// range), an update overflowing on every iteration grows a side trace from
/// its exit, and the output matches tier 1 with nothing leaked in both
/// tier-2 modes.
#[test]
fn fused_int_loops_are_exact_at_every_exit_in_both_tier2_modes() {
    let file = tier2_program("int_fused.py");
    let reference = cpjit("1", &file, &[]);
    assert_eq!(reference.status, 0, "{}", reference.stderr);
    for mode in ["uops", "jit"] {
        let (r, text) = cpjit_dumping(mode, &file, "cpjit-int-fused", "--leak-check");
        let what = format!("--tier {mode}:\n{}", r.stderr);
        assert_eq!(r.status, 0, "{what}");
        assert_eq!(r.stdout, reference.stdout, "{what}");
        for fused in [
            "_LOAD_FAST_INT",
            "_STORE_FAST_INT",
            "_GUARD_INT_LT_LOCALS",
            "_GUARD_INT_NE_LOCAL_CONST",
            "_GUARD_INT_EQ ",
            "_INPLACE_ADD_INT_LOCAL_CONST",
            "_INPLACE_ADD_INT_LOCALS",
            "_BINARY_OP_ADD_INT_LOCAL_CONST",
            "_STORE_SUBSCR_LIST_INT_LOCALS",
        ] {
            assert!(text.contains(fused), "no {fused} in the dump; {what}");
        }
        // The side trace of `t += step` overflowing on every iteration
        // starts at the addition, where the fused update leaves.
        assert!(
            text.contains("side trace, depth 1 in hot_overflow at line 100"),
            "{what}"
        );
        assert!(
            r.stderr
                .contains("cpjit-leak-check: live objects at exit: 0"),
            "{what}"
        );
    }
}

/// `containers_len_truth.py`: `len()` (`_CALL_LEN`) and list displays
/// (`_BUILD_LIST`) run as native uops, `_CALL_LEN` is left mid-loop (an
/// int has no length), truth tests, tuple unpacking and `list.pop` take
/// their inline paths and their exits (other kinds, wrong lengths, shared
/// tuples that must stay intact, long lists, empty lists, bad indices),
/// and the output matches tier 1 with nothing leaked in
/// both tier-2 modes (the differential test compares it with CPython too).
#[test]
fn len_list_display_truth_and_unpack_are_exact_at_every_exit_in_both_tier2_modes() {
    let file = tier2_program("containers_len_truth.py");
    let reference = cpjit("1", &file, &[]);
    assert_eq!(reference.status, 0, "{}", reference.stderr);
    for mode in ["uops", "jit"] {
        let (r, text) = cpjit_dumping(mode, &file, "cpjit-len-truth", "--leak-check");
        let what = format!("--tier {mode}:\n{}", r.stderr);
        assert_eq!(r.status, 0, "{what}");
        assert_eq!(r.stdout, reference.stdout, "{what}");
        for uop in ["_CALL_LEN", "_BUILD_LIST", "_TO_BOOL", "_UNPACK_SEQUENCE"] {
            assert!(text.contains(uop), "no {uop} in the dump; {what}");
        }
        assert!(
            !text.contains("cpjit_step(BUILD_LIST"),
            "a list display still steps tier 1; {what}"
        );
        assert!(
            r.stderr
                .contains("cpjit-leak-check: live objects at exit: 0"),
            "{what}"
        );
    }
}

/// `containers_native.py`: dict subscripts and stores, `list.append`,
/// `list.pop` and `for` over tuples run as native uops (the dump shows
/// each), every fast path is left mid-loop (a missing key, an unhashable
/// key, another container, a receiver that is no list, an empty list or an
/// index out of range), dicts with deleted entries are probed, iterated and
/// grown, and the output matches tier 1 with nothing leaked in both tier-2
/// modes (the differential test compares it with CPython too).
#[test]
fn container_uops_are_native_and_exact_at_every_exit_in_both_tier2_modes() {
    let file = tier2_program("containers_native.py");
    let reference = cpjit("1", &file, &[]);
    assert_eq!(reference.status, 0, "{}", reference.stderr);
    for mode in ["uops", "jit"] {
        let (r, text) = cpjit_dumping(mode, &file, "cpjit-containers", "--leak-check");
        let what = format!("--tier {mode}:\n{}", r.stderr);
        assert_eq!(r.status, 0, "{what}");
        assert_eq!(r.stdout, reference.stdout, "{what}");
        for uop in [
            "_BINARY_SUBSCR_DICT",
            "_STORE_SUBSCR_DICT",
            "_LOAD_METHOD_LIST",
            "_LOAD_METHOD_DICT",
            "_CALL_DICT_GET",
            "_CALL_LIST_APPEND",
            "_CALL_LIST_POP",
            "_GUARD_ITER_TUPLE",
            "_FOR_ITER_TUPLE",
        ] {
            assert!(text.contains(uop), "no {uop} in the dump; {what}");
        }
        assert!(
            r.stderr
                .contains("cpjit-leak-check: live objects at exit: 0"),
            "{what}"
        );
    }
}
