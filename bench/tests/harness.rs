//! End-to-end: the harness against a fake cpjit that supports only
//! `--tier 1`, gives wrong output under `--tier uops` and rejects `--tier jit`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

struct Scratch(PathBuf);

impl Scratch {
    fn new(tag: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("cpjit-bench-it-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("corpus")).unwrap();
        std::fs::create_dir_all(dir.join("programs")).unwrap();
        Scratch(dir)
    }
    fn path(&self, p: &str) -> PathBuf {
        self.0.join(p)
    }
    fn write(&self, p: &str, text: &str) {
        std::fs::write(self.path(p), text).unwrap();
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

const FAKE_CPJIT: &str = r#"#!/bin/sh
# Fake cpjit: tier 1 is CPython, uops prints a wrong answer, jit is missing.
if [ "$1" = run ] && [ "$3" = 1 ]; then shift 3; exec python3 "$@"; fi
if [ "$1" = run ] && [ "$3" = uops ]; then echo wrong; exit 0; fi
echo "error: --tier $3 is not supported yet" >&2
exit 2
"#;

fn setup(tag: &str) -> Scratch {
    let s = Scratch::new(tag);
    s.write("corpus/bench_tiny.py", "print(sum(range(1000)))\n");
    s.write("corpus/bench_tiny.out", "499500\n");
    s.write(
        "programs/bench_words.py",
        "print(','.join([w.upper() for w in ['a', 'b']]))\n",
    );
    s.write("cpjit", FAKE_CPJIT);
    let mut perm = std::fs::metadata(s.path("cpjit")).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perm, 0o755);
    std::fs::set_permissions(s.path("cpjit"), perm).unwrap();
    s
}

fn bench(s: &Scratch, extra: &[&str]) -> Output {
    let p = |x: &str| s.path(x).display().to_string();
    Command::new(env!("CARGO_BIN_EXE_cpjit-bench"))
        .args(["--quick", "--runs", "2", "--no-pypy", "--no-regen"])
        .args([
            "--corpus",
            &p("corpus"),
            "--programs",
            &p("programs"),
            "--cpjit",
            &p("cpjit"),
        ])
        .args(["--out", &p("out"), "--repo", &p("")])
        .args(extra)
        .env("CARGO_TARGET_DIR", s.path("target"))
        .output()
        .unwrap()
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

#[test]
fn partial_cpjit_is_reported_and_the_harness_still_works() {
    let s = setup("partial");
    let out = bench(&s, &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "stderr: {stderr}");

    let md = read(&s.path("out/BENCHMARKS.md"));
    // tier 1 works, uops is a FAIL (wrong output), jit is not available.
    let row = md
        .lines()
        .find(|l| l.starts_with("| bench_tiny |"))
        .unwrap();
    let cells: Vec<&str> = row.split('|').map(str::trim).collect();
    assert!(cells[2].parse::<f64>().is_ok(), "python3 cell: {row}");
    // Columns: program, python3, pypy3, tier1, uops, jit.
    assert_eq!(cells[3], "n/a", "pypy3 cell: {row}");
    assert!(cells[4].parse::<f64>().is_ok(), "tier1 cell: {row}");
    assert_eq!(cells[5], "FAIL", "{row}");
    assert_eq!(cells[6], "n/a", "{row}");
    assert!(
        md.contains("not available (exit status 2: error: --tier jit is not supported yet)"),
        "{md}"
    );
    assert!(
        md.contains("bench_tiny under uops: wrong output at line 1"),
        "{md}"
    );
    assert!(md.contains("| bench_words |"), "own programs are included");
    assert!(md.contains("Skipped with `--quick`"));

    let json: serde_json::Value =
        serde_json::from_str(&read(&s.path("out/bench/results/latest.json"))).unwrap();
    let tiny = json["execution"]["programs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "bench_tiny")
        .unwrap();
    assert_eq!(tiny["cells"]["tier1"]["status"], "ok");
    assert_eq!(
        tiny["cells"]["tier1"]["runs_s"].as_array().unwrap().len(),
        2
    );
    assert_eq!(tiny["cells"]["uops"]["status"], "fail");
    assert_eq!(tiny["cells"]["jit"]["status"], "not_available");
    assert_eq!(tiny["cells"]["pypy3"]["status"], "not_available");

    for chart in ["speedup.svg", "memory.svg"] {
        assert!(read(&s.path(&format!("out/bench/charts/{chart}"))).starts_with("<svg"));
    }

    // A second run compares itself with the first.
    let old = s.path("old.json");
    std::fs::copy(s.path("out/bench/results/latest.json"), &old).unwrap();
    let out = bench(&s, &["--compare", &old.display().to_string()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(read(&s.path("out/BENCHMARKS.md")).contains("## Compared with"));
}

#[test]
fn bad_compare_file_is_a_clear_error() {
    let s = setup("badjson");
    s.write("old.json", "{ not json");
    let out = bench(
        &s,
        &["--compare", &s.path("old.json").display().to_string()],
    );
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("not a cpjit-bench results file"),
        "{stderr}"
    );
}

#[test]
fn no_programs_is_a_clear_error() {
    let s = setup("empty");
    std::fs::remove_file(s.path("corpus/bench_tiny.py")).unwrap();
    std::fs::remove_file(s.path("programs/bench_words.py")).unwrap();
    let out = bench(&s, &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no bench_*.py programs found"));
}

/// A fake cpjit with every feature the harness reads: all tiers (through
/// CPython), `--stats` and `stencils list` with a given code size.
fn full_fake(code_bytes: u32) -> String {
    format!(
        r#"#!/bin/sh
if [ "$1" = stencils ]; then
  echo "uop          code  data  holes"
  echo "_LOAD_FAST     {code_bytes}     8      2"
  echo "_STORE_FAST    100    0      1"
  exit 0
fi
shift 3
if [ "$1" = --stats ]; then
  shift
  python3 "$@"
  echo "time to first executor: 2 ms" >&2
  echo "jit compile time: 10 ms" >&2
  echo "jit memory allocated: 8 KiB" >&2
  echo "code bytes emitted: 4096" >&2
  echo "executors: created 4, live 3" >&2
  exit 0
fi
exec python3 "$@"
"#
    )
}

fn install(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
    let mut perm = std::fs::metadata(path).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perm, 0o755);
    std::fs::set_permissions(path, perm).unwrap();
}

#[test]
fn full_run_reads_every_tool() {
    let s = setup("full");
    install(&s.path("cpjit"), &full_fake(300));
    for (cc, bytes) in [("preserve-none", 300), ("ghc", 280), ("c", 350)] {
        install(
            &s.path(&format!("target/bench-cc-{cc}/release/cpjit")),
            &full_fake(bytes),
        );
    }
    install(
        &s.path("target/release/cpjit-stencils"),
        "#!/bin/sh\necho 'compiled 2 stencils: 400 bytes of code'\n",
    );
    install(
        &s.path("target/release/cpjit-emit-bench"),
        "#!/bin/sh\necho '100 uops: 1500 MB/s, 2.0 ns/uop'\necho 'memcpy: 4000 MB/s'\n",
    );
    install(
        &s.path("target/release/cpjit-llvm-baseline"),
        "#!/bin/sh\necho 'llvm -O0, 100 uops: 4.2 ms'\n",
    );
    let p = |x: &str| s.path(x).display().to_string();
    let out = Command::new(env!("CARGO_BIN_EXE_cpjit-bench"))
        .args(["--runs", "1", "--no-pypy", "--no-cc-build"])
        .args([
            "--corpus",
            &p("corpus"),
            "--programs",
            &p("programs"),
            "--cpjit",
            &p("cpjit"),
        ])
        .args(["--out", &p("out"), "--repo", &p("")])
        .env("CARGO_TARGET_DIR", s.path("target"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "stderr: {stderr}");
    assert!(
        stderr.contains("Estimated time"),
        "a full run states its duration: {stderr}"
    );
    let md = read(&s.path("out/BENCHMARKS.md"));
    // Calling conventions: stencil sizes (300 + 100 for preserve-none).
    assert!(
        md.contains("| preserve-none | existing binary | 2 | 400 | 8 |"),
        "{md}"
    );
    assert!(
        md.contains("| ghc | existing binary | 2 | 380 | 8 |"),
        "{md}"
    );
    // Bytes per executor: 4096 / 4.
    assert!(md.contains("| bench_tiny | 1024 | 1024 | 1024 |"), "{md}");
    // Compilation: emission output and first executor.
    assert!(md.contains("\n100 uops: 1500 MB/s, 2.0 ns/uop\n"), "{md}");
    assert!(md.contains("| bench_tiny | 2.00 ms |"), "{md}");
    assert!(md.contains("llvm -O0, 100 uops: 4.2 ms"), "{md}");
    // Regeneration ran every case.
    assert!(md.contains("| all targets, --jobs 2 |"), "{md}");
    assert!(md.contains("compiled 2 stencils"), "{md}");
    // Memory: 8 KiB over 4096 bytes, 3 executors live.
    assert!(md.contains("| bench_tiny | 2.00 | 3 |"), "{md}");
    assert!(read(&s.path("out/bench/charts/calling_conventions.svg")).starts_with("<svg"));
}
