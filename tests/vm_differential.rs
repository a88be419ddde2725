//! The differential test: every program in `tests/py` and in the shared
//! corpus (except the benchmarks, which `ci/corpus.sh` runs) is run under
//! python3 and cpjit and compared.

mod vm_common;

#[test]
fn corpus_matches_cpython() {
    let Some(dir) = vm_common::corpus_dir() else {
        eprintln!("corpus not found: skipping");
        return;
    };
    let mut n = 0;
    for e in std::fs::read_dir(dir).expect("corpus") {
        let p = e.expect("entry").path();
        let name = p
            .file_name()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_string();
        if name.ends_with(".py") && !name.starts_with("bench_") {
            vm_common::differential(&p);
            n += 1;
        }
    }
    assert!(n > 0, "no corpus programs found");
}
