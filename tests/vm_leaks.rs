//! Reference counting is exact: after running each program, no heap object
//! allocated by the runtime is still alive.

mod vm_common;

use std::process::Command;

fn live_at_exit(file: &std::path::Path) -> i64 {
    let o = vm_common::run(
        Command::new(vm_common::cpjit())
            .args(["run", "--tier", "1", "--leak-check"])
            .arg(file),
    );
    let err = String::from_utf8_lossy(&o.stderr);
    let line = err
        .lines()
        .find(|l| l.starts_with("cpjit-leak-check:"))
        .unwrap_or_else(|| panic!("{}: no leak-check line in stderr: {err}", file.display()));
    line.rsplit(' ')
        .next()
        .and_then(|n| n.trim().parse().ok())
        .expect("count")
}

#[test]
fn no_leaks_on_corpus_and_tests() {
    let mut dirs = vec![vm_common::py_dir()];
    dirs.extend(vm_common::corpus_dir());
    for d in dirs {
        for e in std::fs::read_dir(&d).expect("dir") {
            let p = e.expect("entry").path();
            let name = p
                .file_name()
                .and_then(|s| s.to_str())
                .unwrap_or_default()
                .to_string();
            // Benchmarks take seconds each; two small ones are enough here.
            if !name.ends_with(".py")
                || (name.starts_with("bench_")
                    && !matches!(name.as_str(), "bench_fib.py" | "bench_nbody.py"))
            {
                continue;
            }
            if name.ends_with("_syntax.py") {
                continue;
            }
            assert_eq!(live_at_exit(&p), 0, "{} leaks objects", p.display());
        }
    }
}

#[test]
fn leak_counter_sees_live_objects() {
    // The check must be able to fail: objects kept alive at exit are counted.
    let dir = std::env::temp_dir().join(format!("cpjit-leak-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp");
    let f = dir.join("cycle.py");
    // A list that contains itself is never freed without a cycle collector.
    std::fs::write(&f, "a = [1.5]\na.append(a)\ndel a\n").expect("write");
    assert!(live_at_exit(&f) > 0);
}
