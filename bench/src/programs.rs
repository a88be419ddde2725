//! Finds the benchmark programs (`bench_*.py`) and their expected output.

use std::path::{Path, PathBuf};

/// One benchmark program.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Program {
    /// File stem, e.g. `bench_fib`.
    pub name: String,
    /// `corpus` or `own`.
    pub origin: String,
    /// The `.py` file.
    pub path: PathBuf,
    /// The stored expected output (`NAME.out` beside it), when present.
    pub expected: Option<Vec<u8>>,
}

/// Lists `bench_*.py` in `dir`, sorted by name. A missing folder gives an
/// empty list; the caller reports it.
pub fn discover(dir: &Path, origin: &str) -> Vec<Program> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut found: Vec<Program> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter_map(|path| {
            let file = path.file_name()?.to_str()?;
            let name = file.strip_prefix("bench_").is_some().then_some(file)?;
            let stem = name.strip_suffix(".py")?.to_string();
            let expected = std::fs::read(path.with_extension("out")).ok();
            Some(Program {
                name: stem,
                origin: origin.into(),
                path,
                expected,
            })
        })
        .collect();
    found.sort_by(|a, b| a.name.cmp(&b.name));
    found
}

/// Programs for `--quick`: these names first when present, then others in
/// order, up to `limit` in all.
pub const QUICK_PREFERRED: &[&str] = &["bench_fib", "bench_nbody", "bench_float_poly"];

/// The `--quick` subset of `all`.
pub fn quick_subset(all: &[Program], limit: usize) -> Vec<Program> {
    let mut picked: Vec<Program> = QUICK_PREFERRED
        .iter()
        .filter_map(|n| all.iter().find(|p| p.name == *n).cloned())
        .collect();
    for p in all {
        if picked.len() >= limit {
            break;
        }
        if !picked.iter().any(|q| q.name == p.name) {
            picked.push(p.clone());
        }
    }
    picked.truncate(limit);
    picked
}

/// Where `actual` first differs from `expected`, described for a report.
pub fn describe_mismatch(expected: &[u8], actual: &[u8]) -> String {
    let exp = String::from_utf8_lossy(expected);
    let act = String::from_utf8_lossy(actual);
    let mut e = exp.lines();
    let mut a = act.lines();
    let mut n = 1;
    loop {
        match (e.next(), a.next()) {
            (Some(x), Some(y)) if x == y => n += 1,
            (Some(x), Some(y)) => {
                let cut = |s: &str| s.chars().take(60).collect::<String>();
                return format!(
                    "wrong output at line {n}: got '{}', expected '{}'",
                    cut(y),
                    cut(x)
                );
            }
            (Some(_), None) => return format!("output ends early, at line {n}"),
            (None, Some(_)) => return format!("extra output from line {n}"),
            (None, None) => return "output differs in line endings".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prog(name: &str) -> Program {
        Program {
            name: name.into(),
            origin: "corpus".into(),
            path: PathBuf::from(format!("{name}.py")),
            expected: None,
        }
    }

    #[test]
    fn discovers_only_bench_programs_with_their_output() {
        let dir = std::env::temp_dir().join(format!("cpjit-bench-discover-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("bench_b.py"), "print(2)\n").unwrap();
        std::fs::write(dir.join("bench_b.out"), "2\n").unwrap();
        std::fs::write(dir.join("bench_a.py"), "print(1)\n").unwrap();
        std::fs::write(dir.join("other.py"), "print(3)\n").unwrap();
        std::fs::write(dir.join("bench_c.txt"), "x").unwrap();
        let found = discover(&dir, "own");
        std::fs::remove_dir_all(&dir).unwrap();
        let names: Vec<&str> = found.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["bench_a", "bench_b"]);
        assert_eq!(found[0].expected, None);
        assert_eq!(found[1].expected.as_deref(), Some(&b"2\n"[..]));
    }

    #[test]
    fn missing_folder_gives_nothing() {
        assert!(discover(Path::new("/nonexistent/corpus"), "corpus").is_empty());
    }

    #[test]
    fn quick_subset_prefers_known_programs() {
        let all = vec![prog("bench_a"), prog("bench_fib"), prog("bench_z")];
        let names: Vec<String> = quick_subset(&all, 2).into_iter().map(|p| p.name).collect();
        assert_eq!(names, ["bench_fib", "bench_a"]);
    }

    #[test]
    fn mismatch_names_the_line() {
        assert_eq!(
            describe_mismatch(b"1\n2\n", b"1\n3\n"),
            "wrong output at line 2: got '3', expected '2'"
        );
        assert_eq!(
            describe_mismatch(b"1\n2\n", b"1\n"),
            "output ends early, at line 2"
        );
    }
}
