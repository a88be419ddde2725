//! The execution modes a benchmark runs under, and whether each works here.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use crate::process;

/// How to install PyPy when it is missing.
pub const PYPY_INSTALL_HINT: &str = "install it with `apt-get install pypy3`";

/// One way of running a Python program.
#[derive(Clone, Debug, PartialEq)]
pub struct Mode {
    /// Stable id: `python3`, `pypy3`, `tier1`, `uops`, `jit`.
    pub id: String,
    /// Label for tables and charts.
    pub label: String,
    /// The executable.
    pub program: PathBuf,
    /// Arguments before the script's path.
    pub args: Vec<String>,
    /// `None` when usable, else why not.
    pub unavailable: Option<String>,
}

impl Mode {
    /// A command that runs `script` in this mode, with `extra` arguments
    /// (such as `--stats`) before the script.
    pub fn command(&self, script: &Path, extra: &[&str]) -> Command {
        let mut c = Command::new(&self.program);
        c.args(&self.args).args(extra).arg(script);
        c
    }

    /// True for the cpjit modes.
    pub fn is_cpjit(&self) -> bool {
        matches!(self.id.as_str(), "tier1" | "uops" | "jit")
    }
}

/// The cpjit tiers measured, as `(id, --tier value)`.
pub const CPJIT_TIERS: &[(&str, &str)] = &[("tier1", "1"), ("uops", "uops"), ("jit", "jit")];

/// A cpjit mode running `cpjit run --tier TIER`.
pub fn cpjit_mode(cpjit: &Path, id: &str, tier: &str, label_suffix: &str) -> Mode {
    Mode {
        id: id.into(),
        label: format!("cpjit --tier {tier}{label_suffix}"),
        program: cpjit.to_path_buf(),
        args: vec!["run".into(), "--tier".into(), tier.into()],
        unavailable: (!cpjit.is_file())
            .then(|| format!("{} not found (run `make build`)", cpjit.display())),
    }
}

/// Finds `name` in `PATH`.
pub fn which(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

/// Every mode, in table order: CPython, PyPy, then cpjit's tiers.
/// `pypy` is `None` when it was not found or not wanted; `pypy_absent` says why.
pub fn all_modes(python: &Path, pypy: Result<PathBuf, String>, cpjit: &Path) -> Vec<Mode> {
    let mut modes = vec![Mode {
        id: "python3".into(),
        label: "CPython (python3)".into(),
        program: python.to_path_buf(),
        args: Vec::new(),
        unavailable: None,
    }];
    modes.push(match pypy {
        Ok(p) => Mode {
            id: "pypy3".into(),
            label: "PyPy (pypy3)".into(),
            program: p,
            args: Vec::new(),
            unavailable: None,
        },
        Err(why) => Mode {
            id: "pypy3".into(),
            label: "PyPy (pypy3)".into(),
            program: PathBuf::from("pypy3"),
            args: Vec::new(),
            unavailable: Some(why),
        },
    });
    for (id, tier) in CPJIT_TIERS {
        modes.push(cpjit_mode(cpjit, id, tier, ""));
    }
    modes
}

/// The text of the probe program and the output it must print.
pub const PROBE: (&str, &str) = ("print(6 * 7)\n", "42\n");

/// Runs the probe program under `mode`: `None` when the mode works, else the
/// reason (its error line). A mode that exits non-zero on the probe is not
/// available; one that runs it but prints something else is available (its
/// benchmarks will show as FAIL).
pub fn probe(mode: &Mode, probe_script: &Path, limit: Duration) -> Option<String> {
    if let Some(why) = &mode.unavailable {
        return Some(why.clone());
    }
    match process::run(&mut mode.command(probe_script, &[]), limit) {
        Err(e) => Some(e.to_string()),
        Ok(out) if !out.success() => Some(out.failure()),
        Ok(_) => None,
    }
}

/// The version of an interpreter from its `--version` output, if it prints one.
pub fn version(program: &Path) -> Option<String> {
    let out = Command::new(program).arg("--version").output().ok()?;
    if !out.status.success() {
        return None;
    }
    let text = if out.stdout.is_empty() {
        out.stderr
    } else {
        out.stdout
    };
    version_from(&String::from_utf8_lossy(&text))
}

/// `PyPy X.Y.Z` when the text names PyPy's version, else its first line
/// (`Python 3.11.2`).
pub fn version_from(text: &str) -> Option<String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    if let Some(i) = words
        .iter()
        .position(|w| w.trim_start_matches('[') == "PyPy")
    {
        if let Some(v) = words.get(i + 1) {
            return Some(format!("PyPy {v}"));
        }
    }
    text.lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .map(String::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_cpjit_is_unavailable_with_a_hint() {
        let m = cpjit_mode(Path::new("/nonexistent/cpjit"), "tier1", "1", "");
        assert!(m
            .unavailable
            .as_deref()
            .unwrap_or("")
            .contains("make build"));
        let why = probe(&m, Path::new("probe.py"), Duration::from_secs(1));
        assert!(why.is_some());
    }

    #[test]
    fn a_mode_that_exits_non_zero_is_unavailable_with_its_error_line() {
        let m = Mode {
            id: "jit".into(),
            label: "x".into(),
            program: PathBuf::from("sh"),
            args: vec![
                "-c".into(),
                "echo 'error: --tier jit is not supported' >&2; exit 2".into(),
            ],
            unavailable: None,
        };
        let why = probe(&m, Path::new("ignored.py"), Duration::from_secs(10)).unwrap();
        assert_eq!(why, "exit status 2: error: --tier jit is not supported");
    }

    #[test]
    fn reads_versions() {
        let pypy =
            "Python 3.9.16 (7.3.11+dfsg-2, Dec 30 2024, 22:36:23)\n[PyPy 7.3.11 with GCC 12.2.0]\n";
        assert_eq!(version_from(pypy).as_deref(), Some("PyPy 7.3.11"));
        assert_eq!(
            version_from("Python 3.11.2\n").as_deref(),
            Some("Python 3.11.2")
        );
        assert_eq!(version_from(""), None);
    }

    #[test]
    fn command_puts_extra_arguments_before_the_script() {
        let m = cpjit_mode(Path::new("/bin/cpjit"), "jit", "jit", "");
        let c = m.command(Path::new("a.py"), &["--stats"]);
        let args: Vec<String> = c
            .get_args()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        assert_eq!(args, ["run", "--tier", "jit", "--stats", "a.py"]);
    }
}
