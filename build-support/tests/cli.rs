//! The `cpjit-stencils` command: writing, `--check`, no-op runs and errors.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_cpjit-stencils"))
}

fn temp_dir(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("cpjit-stencils-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn run(args: &[&str], out: &Path) -> Output {
    bin()
        .args(args)
        .arg("--out")
        .arg(out)
        .arg("--quiet")
        .output()
        .expect("cpjit-stencils runs")
}

const HOST: &str = "x86_64-unknown-linux-gnu";

#[test]
fn check_passes_on_fresh_output_and_names_a_stale_file() {
    let dir = temp_dir("check");
    let out = run(&["--target", HOST], &dir);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let file = dir.join(format!("{HOST}.rs"));
    let fresh = std::fs::read_to_string(&file).expect("written");
    assert!(String::from_utf8_lossy(&out.stdout).contains("stencils"));

    let ok = run(&["--target", HOST, "--check"], &dir);
    assert_eq!(
        ok.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );

    // Change one byte of a body, keeping the header (and its hash) intact.
    let stale = fresh.replacen("0x55,", "0x56,", 1);
    assert_ne!(stale, fresh);
    std::fs::write(&file, stale).expect("rewritten");
    let bad = run(&["--target", HOST, "--check"], &dir);
    assert_eq!(bad.status.code(), Some(1));
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(
        err.contains("stale") && err.contains(&format!("{HOST}.rs")),
        "{err}"
    );
    // --check never writes.
    assert_ne!(std::fs::read_to_string(&file).expect("still there"), fresh);

    // A missing file is stale too.
    std::fs::remove_file(&file).expect("removed");
    let missing = run(&["--target", HOST, "--check"], &dir);
    assert_eq!(missing.status.code(), Some(1));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_second_run_is_a_no_op() {
    let dir = temp_dir("noop");
    assert!(run(&["--target", HOST], &dir).status.success());
    let file = dir.join(format!("{HOST}.rs"));
    let before = std::fs::metadata(&file)
        .and_then(|m| m.modified())
        .expect("mtime");
    let again = run(&["--target", HOST], &dir);
    assert!(again.status.success());
    assert!(String::from_utf8_lossy(&again.stdout).contains("1 up to date"));
    let after = std::fs::metadata(&file)
        .and_then(|m| m.modified())
        .expect("mtime");
    assert_eq!(before, after, "an up-to-date file was rewritten");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn unwritable_output_directory_is_a_clear_error_with_no_output() {
    let dir = temp_dir("unwritable");
    let blocker = dir.join("a-file");
    std::fs::write(&blocker, b"not a directory").expect("file");
    let target = blocker.join("stencils");
    let out = run(&["--target", HOST], &target);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("output directory") && err.contains("a-file"),
        "{err}"
    );
    assert!(!target.exists());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn ghc_on_aarch64_is_refused_before_llvm_runs() {
    let dir = temp_dir("ghc");
    let out = run(&["--target", "aarch64-apple-darwin", "--cc", "ghc"], &dir);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("ghc") && err.contains("aarch64-apple-darwin"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_dir(&dir).expect("dir").count(),
        0,
        "partial output"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn unknown_target_and_convention_are_clear_errors() {
    let dir = temp_dir("unknown");
    let out = run(&["--target", "riscv64-unknown-linux-gnu"], &dir);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown target"));
    let out = run(&["--target", HOST, "--cc", "fastcc"], &dir);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("calling convention"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn committed_stencils_are_up_to_date() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../stencils");
    let out = run(&["--all-targets", "--check"], &dir);
    assert_eq!(
        out.status.code(),
        Some(0),
        "stencils/ is stale; regenerate with `cargo run -p cpjit-build-support --bin cpjit-stencils -- --all-targets --out stencils`:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
