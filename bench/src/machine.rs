//! Describes the machine, the date and the commit a run was taken on.

use std::path::Path;
use std::process::Command;

use serde::{Deserialize, Serialize};

/// Where and when a run happened.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Machine {
    /// Online processors (`nproc`).
    pub nproc: usize,
    /// CPU model name from `/proc/cpuinfo`.
    pub cpu: String,
    /// Total memory from `/proc/meminfo`, in MiB.
    pub memory_mib: u64,
    /// Kernel release and machine (`uname -sr` and architecture).
    pub kernel: String,
    /// UTC date and time, RFC 3339.
    pub date: String,
    /// `git rev-parse --short HEAD`, with `-dirty` when the tree has changes.
    pub commit: String,
}

impl Machine {
    /// Collects the description; anything unreadable becomes `unknown`.
    pub fn collect(repo: &Path) -> Machine {
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
        let commit = command_line(repo, "git", &["rev-parse", "--short", "HEAD"])
            .map(|c| {
                let dirty = command_line(repo, "git", &["status", "--porcelain"])
                    .is_some_and(|s| !s.is_empty());
                if dirty {
                    format!("{c}-dirty")
                } else {
                    c
                }
            })
            .unwrap_or_else(|| "unknown".into());
        Machine {
            nproc: std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1),
            cpu: cpu_model(&cpuinfo).unwrap_or_else(|| "unknown".into()),
            memory_mib: mem_total_kib(&meminfo).map(|k| k / 1024).unwrap_or(0),
            kernel: command_line(repo, "uname", &["-srm"]).unwrap_or_else(|| "unknown".into()),
            date: command_line(repo, "date", &["-u", "+%Y-%m-%dT%H:%M:%SZ"])
                .unwrap_or_else(|| "unknown".into()),
            commit,
        }
    }
}

/// The first `model name` in `/proc/cpuinfo` text.
pub fn cpu_model(cpuinfo: &str) -> Option<String> {
    cpuinfo.lines().find_map(|line| {
        let (key, value) = line.split_once(':')?;
        (key.trim() == "model name").then(|| value.trim().to_string())
    })
}

/// `MemTotal` in KiB from `/proc/meminfo` text.
pub fn mem_total_kib(meminfo: &str) -> Option<u64> {
    meminfo.lines().find_map(|line| {
        let rest = line.strip_prefix("MemTotal:")?;
        rest.split_whitespace().next()?.parse().ok()
    })
}

/// The trimmed standard output of a command that succeeded, else `None`.
fn command_line(dir: &Path, program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_cpu_model_from_cpuinfo() {
        let text = "processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Intel(R) Xeon(R) CPU @ 2.20GHz\nflags\t: fpu\n";
        assert_eq!(
            cpu_model(text).as_deref(),
            Some("Intel(R) Xeon(R) CPU @ 2.20GHz")
        );
        assert_eq!(cpu_model("processor : 0\n"), None);
    }

    #[test]
    fn reads_mem_total() {
        let text = "MemTotal:        8141240 kB\nMemFree:  100 kB\n";
        assert_eq!(mem_total_kib(text), Some(8141240));
        assert_eq!(mem_total_kib("MemFree: 1 kB\n"), None);
    }
}
