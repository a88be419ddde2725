//! The standard modules (`tests/py/mod_*.py`) under tier 2: their hot loops
//! call module functions and iterate deques and itertools iterators; both
//! tier-2 modes (with the tier-2 tests' low thresholds, so every loop makes
//! traces and side exits) must print what CPython prints and leave no live
//! object.

mod vm_common;

use vm_common::{assert_exact_and_clean, cpjit_tier2_dumped, have_python, py_dir, run};

fn exact_in_tier2(name: &str) {
    if !have_python() {
        eprintln!("python3 not found: skipping {name}");
        return;
    }
    let file = py_dir().join(name);
    let want = run(std::process::Command::new("python3").arg(&file));
    let want = String::from_utf8_lossy(&want.stdout).into_owned();
    for mode in ["uops", "jit"] {
        let (r, text) = cpjit_tier2_dumped(mode, &file, &[]);
        assert_exact_and_clean(mode, &r, &want);
        assert!(
            text.contains("=== trace"),
            "{name}: no trace in --tier {mode}"
        );
    }
}

#[test]
fn random_in_tier2() {
    exact_in_tier2("mod_random.py");
}

#[test]
fn collections_in_tier2() {
    exact_in_tier2("mod_collections.py");
}

#[test]
fn itertools_in_tier2() {
    exact_in_tier2("mod_itertools.py");
}

#[test]
fn heapq_bisect_in_tier2() {
    exact_in_tier2("mod_heapq_bisect.py");
}

#[test]
fn functools_operator_string_time_in_tier2() {
    exact_in_tier2("mod_functools_misc.py");
}
