//! `cpjit stencils list|show|targets`: every uop listed for the host and
//! another target; bad requests are clear errors with exit status 2.

use cpjit::abi::uop::Uop;
use std::process::{Command, Output};

const CPJIT: &str = env!("CARGO_BIN_EXE_cpjit");

fn cpjit(args: &[&str]) -> Output {
    Command::new(CPJIT).args(args).output().expect("cpjit runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The `list` rows as (name, code, data, holes).
fn rows(text: &str) -> Vec<(String, usize, usize, usize)> {
    text.lines()
        .skip(2)
        .map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            assert_eq!(f.len(), 4, "{l:?}");
            let n = |i: usize| f[i].parse::<usize>().unwrap_or_else(|_| panic!("{l:?}"));
            (f[0].to_string(), n(1), n(2), n(3))
        })
        .collect()
}

fn check_list(args: &[&str]) -> String {
    let out = cpjit(args);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let rows = rows(&text);
    let names: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
    let mut want = vec!["_ENTRY", "_FATAL_ERROR"];
    want.extend(Uop::ALL.iter().map(|u| u.name()));
    want.push("total");
    assert_eq!(names, want);
    let (body, total) = rows.split_at(rows.len() - 1);
    let sum = |f: fn(&(String, usize, usize, usize)) -> usize| body.iter().map(f).sum::<usize>();
    assert_eq!(total[0].1, sum(|r| r.1));
    assert_eq!(total[0].2, sum(|r| r.2));
    assert_eq!(total[0].3, sum(|r| r.3));
    // Real code (only `_NOP` may be empty once its final jump is dropped).
    assert!(body.iter().all(|r| r.1 > 0 || r.0 == "_NOP"), "{text}");
    text
}

#[test]
fn list_covers_every_uop_for_the_host_and_other_targets() {
    let host = check_list(&["stencils", "list"]);
    assert!(host.contains("host build"), "{host}");
    let arm = check_list(&["stencils", "list", "--target", "aarch64-unknown-linux-gnu"]);
    assert!(
        arm.starts_with("aarch64-unknown-linux-gnu (preserve-none)"),
        "{arm}"
    );
    let x86 = check_list(&[
        "stencils",
        "list",
        "--target",
        "i686-pc-windows-msvc",
        "--cc",
        "ghc",
    ]);
    assert!(x86.starts_with("i686-pc-windows-msvc (ghc)"), "{x86}");
}

#[test]
fn show_prints_disassembly_holes_and_data() {
    let out = cpjit(&["stencils", "show", "_STORE_FAST"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("_STORE_FAST:"), "{text}");
    assert!(text.contains("code holes:"), "{text}");
    let arm = stdout(&cpjit(&[
        "stencils",
        "show",
        "load_fast",
        "--target",
        "aarch64-apple-darwin",
    ]));
    // AArch64 mnemonics, as LLVM printed them.
    assert!(arm.contains("ldr") || arm.contains("str"), "{arm}");
}

/// A split stencil's cold code (in its data) is disassembled after its hot
/// code; the notes on data holes outside the cold code are not.
#[test]
fn show_disassembles_a_split_stencils_cold_code() {
    use cpjit::abi::uop::Uop;
    let uop = Uop::from_name("_STORE_FAST_UNBOXED_FLOAT").expect("a uop");
    let Some((start, end)) = cpjit::jit::stencils::HOST.uops[uop as usize].cold else {
        eprintln!("SKIPPED: this target's _STORE_FAST_UNBOXED_FLOAT is not split");
        return;
    };
    let out = cpjit(&["stencils", "show", "_STORE_FAST_UNBOXED_FLOAT"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let code = text.split("code holes:").next().unwrap_or_default();
    let heading = format!("cold code, in the data at {start:04x}..{end:04x}:");
    let (_, cold) = code
        .split_once(&heading)
        .unwrap_or_else(|| panic!("{text}"));
    let offsets: Vec<u32> = cold
        .lines()
        .filter_map(|l| l.trim().strip_prefix("data "))
        .filter_map(|l| l.split_once(':'))
        .filter_map(|(o, _)| u32::from_str_radix(o, 16).ok())
        .collect();
    assert_eq!(offsets.first(), Some(&start), "{text}");
    assert!(offsets.iter().all(|o| (start..end).contains(o)), "{text}");
    // Its helper calls are there (the box and the deallocation).
    assert!(cold.contains("call"), "{text}");
}

#[test]
fn unknown_uop_is_a_clear_error() {
    let out = cpjit(&["stencils", "show", "_NO_SUCH_UOP"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("no stencil named `_NO_SUCH_UOP`"), "{err}");
    assert!(err.contains("_LOAD_FAST"), "{err}");
    assert!(
        !err.contains("panic") && !err.contains("internal error"),
        "{err}"
    );
}

#[test]
fn unavailable_target_or_cc_is_a_clear_error() {
    for args in [
        &[
            "stencils",
            "list",
            "--target",
            "riscv64gc-unknown-linux-gnu",
        ][..],
        &[
            "stencils",
            "list",
            "--target",
            "aarch64-unknown-linux-gnu",
            "--cc",
            "ghc",
        ][..],
        &["stencils", "show", "_NOP", "--cc", "fastcall"][..],
    ] {
        let out = cpjit(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = stderr(&out);
        assert!(err.starts_with("cpjit stencils: "), "{err}");
        assert!(!err.contains("internal error"), "{err}");
    }
    let err = stderr(&cpjit(&[
        "stencils",
        "list",
        "--target",
        "riscv64gc-unknown-linux-gnu",
    ]));
    assert!(
        err.contains("available:") && err.contains("aarch64-apple-darwin/preserve-none"),
        "{err}"
    );
    let targets = stdout(&cpjit(&["stencils", "targets"]));
    assert!(targets.lines().count() >= 7, "{targets}");
}
