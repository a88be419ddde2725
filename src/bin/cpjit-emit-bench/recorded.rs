//! The recorded mix: the traces the VM compiles when it runs the bench
//! programs (every `bench_*.py` of the corpus and of `bench/programs`),
//! recorded through `cpjit::vm::tier2::record`, and saved to or loaded
//! from a file so that instruction counts (valgrind) need not run the VM.

use anyhow::{bail, ensure, Context, Result};
use cpjit::abi::uop::Uop;
use cpjit::jit::UopInstruction;
use cpjit::vm::tier2::{record, Config, Mode};
use std::io::Write;
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};

/// One program's recorded traces.
pub struct Recorded {
    /// The program's file name.
    pub program: String,
    /// Every trace handed to the JIT, in order.
    pub traces: Vec<Vec<UopInstruction>>,
}

/// The length buckets the recorded mix is reported in: `(label, lowest,
/// highest)` uops per trace.
pub const BUCKETS: [(&str, usize, usize); 4] = [
    ("1-10", 1, 10),
    ("11-100", 11, 100),
    ("101+", 101, usize::MAX),
    ("all", 1, usize::MAX),
];

/// The traces of the recorded mix. With `CPJIT_BENCH_TRACES=FILE`, read
/// from FILE if it exists, else recorded and written there. Programs:
/// `CPJIT_BENCH_PROGRAMS` (paths separated by `:`), else every
/// `bench_*.py` in `$CORPUS` (default `../shared/corpus` from the crate)
/// and in `bench/programs`.
pub fn traces() -> Result<Vec<Recorded>> {
    let file = std::env::var_os("CPJIT_BENCH_TRACES").map(PathBuf::from);
    if let Some(f) = file.as_ref().filter(|f| f.exists()) {
        let text =
            std::fs::read_to_string(f).with_context(|| format!("reading {}", f.display()))?;
        return parse(&text).with_context(|| format!("parsing {}", f.display()));
    }
    let mut recorded = Vec::new();
    for p in programs()? {
        recorded.push(record_program(&p)?);
    }
    if let Some(f) = file {
        std::fs::write(&f, format(&recorded))
            .with_context(|| format!("writing {}", f.display()))?;
    }
    Ok(recorded)
}

/// The bench programs to run.
fn programs() -> Result<Vec<PathBuf>> {
    if let Ok(list) = std::env::var("CPJIT_BENCH_PROGRAMS") {
        return Ok(list
            .split(':')
            .filter(|s| !s.is_empty())
            .map(PathBuf::from)
            .collect());
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let corpus = std::env::var_os("CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("../shared/corpus"));
    let mut found = Vec::new();
    for dir in [corpus, root.join("bench/programs")] {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            eprintln!("recorded mix: no {} (set CORPUS)", dir.display());
            continue;
        };
        let mut here: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with("bench_") && n.ends_with(".py"))
            })
            .collect();
        here.sort();
        found.extend(here);
    }
    ensure!(!found.is_empty(), "recorded mix: no bench_*.py found");
    Ok(found)
}

/// Runs `path` under the JIT with its output discarded, on a thread of
/// its own (fresh tier-2 state, the VM's large stack), recording every
/// trace it compiles.
fn record_program(path: &Path) -> Result<Recorded> {
    let source =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let name = path.display().to_string();
    let opts = cpjit::vm::RunOptions {
        leak_check: false,
        tier2: Config {
            mode: Mode::Jit,
            ..Config::default()
        },
    };
    let silenced = Silenced::stdout()?;
    let thread_name = name.clone();
    let run = std::thread::Builder::new()
        .name("cpjit-vm".into())
        .stack_size(1 << 30)
        .spawn(move || {
            record::start();
            let status = cpjit::vm::run_source(&source, &thread_name, &opts);
            (status, record::take())
        })
        .context("starting the VM thread")?
        .join();
    drop(silenced);
    let Ok((status, traces)) = run else {
        bail!("{name}: the VM thread panicked");
    };
    ensure!(status == 0, "{name}: exit status {status}");
    let program = path
        .file_name()
        .map_or(name.clone(), |n| n.to_string_lossy().into_owned());
    Ok(Recorded { program, traces })
}

/// Standard output sent to `/dev/null` until dropped (the programs'
/// output is not the benchmark's).
struct Silenced {
    saved: i32,
}

impl Silenced {
    fn stdout() -> Result<Self> {
        let _ = std::io::stdout().flush();
        let null = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/null")
            .context("opening /dev/null")?;
        // SAFETY: `dup` of descriptor 1, which is open for the whole run;
        // the copy is ours (closed in `drop`).
        let saved = unsafe { libc::dup(1) };
        ensure!(saved >= 0, "dup(1) failed");
        // SAFETY: both descriptors are open; Rust's `Stdout` was flushed
        // above and keeps writing to descriptor 1, now `/dev/null`.
        if unsafe { libc::dup2(null.as_raw_fd(), 1) } < 0 {
            // SAFETY: `saved` is our own descriptor.
            unsafe { libc::close(saved) };
            bail!("dup2 to standard output failed");
        }
        Ok(Silenced { saved })
    }
}

impl Drop for Silenced {
    fn drop(&mut self) {
        let _ = std::io::stdout().flush();
        // SAFETY: `saved` is our copy of the original standard output;
        // putting it back on descriptor 1 and closing the copy touches
        // nothing else.
        unsafe {
            libc::dup2(self.saved, 1);
            libc::close(self.saved);
        }
    }
}

/// The saved form: per program a line `# NAME`, then one line per trace,
/// its instructions separated by spaces, each
/// `UOP,oparg,operand,target,jump_target,error_target,exit_index`.
fn format(recorded: &[Recorded]) -> String {
    let mut s = String::new();
    for r in recorded {
        s.push_str(&format!("# {}\n", r.program));
        for t in &r.traces {
            let line: Vec<String> = t
                .iter()
                .map(|i| {
                    format!(
                        "{},{},{},{},{},{},{}",
                        i.opcode.name(),
                        i.oparg,
                        i.operand,
                        i.target,
                        i.jump_target,
                        i.error_target,
                        i.exit_index
                    )
                })
                .collect();
            s.push_str(&line.join(" "));
            s.push('\n');
        }
    }
    s
}

/// Reads [`format`]'s output.
fn parse(text: &str) -> Result<Vec<Recorded>> {
    let mut out: Vec<Recorded> = Vec::new();
    for (no, line) in text.lines().enumerate() {
        if let Some(name) = line.strip_prefix("# ") {
            out.push(Recorded {
                program: name.to_string(),
                traces: Vec::new(),
            });
            continue;
        }
        let Some(current) = out.last_mut() else {
            bail!("line {}: a trace before any `# PROGRAM` line", no + 1);
        };
        let mut trace = Vec::new();
        for ins in line.split_whitespace() {
            let f: Vec<&str> = ins.split(',').collect();
            ensure!(f.len() == 7, "line {}: `{ins}` is not 7 fields", no + 1);
            let op = Uop::from_name(f[0])
                .with_context(|| format!("line {}: unknown uop {}", no + 1, f[0]))?;
            let n = |i: usize| -> Result<u32> {
                f[i].parse()
                    .with_context(|| format!("line {}: `{}`", no + 1, f[i]))
            };
            trace.push(
                UopInstruction::new(op)
                    .oparg(n(1)?)
                    .operand(
                        f[2].parse()
                            .with_context(|| format!("line {}: `{}`", no + 1, f[2]))?,
                    )
                    .target(n(3)?)
                    .jump_target(n(4)?)
                    .error_target(n(5)?)
                    .exit_index(n(6)?),
            );
        }
        ensure!(!trace.is_empty(), "line {}: an empty trace", no + 1);
        current.traces.push(trace);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_saved_form_reads_back() {
        let r = vec![Recorded {
            program: "p.py".into(),
            traces: vec![vec![
                UopInstruction::new(Uop::LOAD_FAST).oparg(3),
                UopInstruction::new(Uop::DEOPT)
                    .operand(u64::MAX)
                    .target(7)
                    .jump_target(1)
                    .error_target(1)
                    .exit_index(2),
            ]],
        }];
        let back = parse(&format(&r)).unwrap();
        assert_eq!(back.len(), 1);
        assert_eq!(back[0].program, "p.py");
        assert_eq!(back[0].traces, r[0].traces);
        assert!(parse("LOAD_FAST,1,2,3,4,5,6\n").is_err());
        assert!(parse("# p\nNO_SUCH_UOP,1,2,3,4,5,6\n").is_err());
    }
}
