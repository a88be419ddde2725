//! The fuzz tools themselves (generator, driver) work: a correct stand-in for
//! cpjit passes and a broken one is caught. The full suite of the tools is
//! `python3 -m unittest discover -s fuzz/tests` (run by `ci/fuzz.sh`).

use std::path::Path;
use std::process::Command;

fn fuzz_run(extra_env: &[(&str, &str)], args: &[&str]) -> (i32, String) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = std::env::temp_dir().join(format!("cpjit-fuzz-tools-{}", std::process::id()));
    let mut cmd = Command::new("python3");
    cmd.arg(root.join("fuzz/driver.py"))
        .arg("--cpjit")
        .arg(root.join("fuzz/fake/cpjit"))
        .arg("--out")
        .arg(&out)
        .args(args);
    for (k, v) in extra_env {
        cmd.env(k, v);
    }
    let o = cmd.output().expect("python3 runs");
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
    )
}

#[test]
fn a_correct_cpjit_passes_the_fuzzer() {
    let (code, out) = fuzz_run(&[], &["--programs", "4", "--seed", "50"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("programs tried: 4"), "{out}");
    assert!(out.contains("mismatches: 0"), "{out}");
}

#[test]
fn a_crashing_cpjit_is_caught() {
    let (code, out) = fuzz_run(
        &[("FAKE_BUG", "segv")],
        &[
            "--programs",
            "4",
            "--seed",
            "50",
            "--modes",
            "jit",
            "--no-shrink",
        ],
    );
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("SIGSEGV"), "{out}");
}
