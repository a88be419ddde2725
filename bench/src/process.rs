//! Runs one child process and measures it: wall time, CPU time and peak RSS
//! (from `wait4`'s `rusage` of that child alone), with a time limit.

use std::io::Read;
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

/// How a child ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ending {
    /// It exited with this status.
    Exited(i32),
    /// It was killed by this signal.
    Signaled(i32),
    /// It ran past the time limit and was killed.
    TimedOut,
}

/// What one run produced.
#[derive(Clone, Debug)]
pub struct RunOutput {
    /// How it ended.
    pub ending: Ending,
    /// Wall time from spawn to exit.
    pub wall: Duration,
    /// Peak resident set size of the child, in KiB.
    pub max_rss_kib: u64,
    /// Everything it wrote to standard output.
    pub stdout: Vec<u8>,
    /// Everything it wrote to standard error.
    pub stderr: Vec<u8>,
}

impl RunOutput {
    /// True when the child exited with status 0.
    pub fn success(&self) -> bool {
        self.ending == Ending::Exited(0)
    }

    /// The last non-blank line of standard error (or of standard output
    /// when standard error is empty), trimmed and shortened for a report.
    pub fn error_line(&self) -> String {
        first_error_line(&self.stderr)
            .or_else(|| last_line(&self.stderr))
            .or_else(|| last_line(&self.stdout))
            .unwrap_or_default()
    }

    /// A short description of a failed ending, e.g. `exit status 2: boom`.
    pub fn failure(&self) -> String {
        let line = self.error_line();
        let head = match self.ending {
            Ending::Exited(c) => format!("exit status {c}"),
            Ending::Signaled(s) => format!("killed by signal {s}"),
            Ending::TimedOut => format!("timed out after {:.0} s", self.wall.as_secs_f64()),
        };
        if line.is_empty() {
            head
        } else {
            format!("{head}: {line}")
        }
    }
}

/// The last non-blank line of `bytes`, at most 160 characters.
pub fn last_line(bytes: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(bytes);
    let line = text.lines().rev().find(|l| !l.trim().is_empty())?.trim();
    let short: String = line.chars().take(160).collect();
    Some(short)
}

/// The first line of `bytes` that starts with `error` (as clap's and
/// cargo's messages do, before their usage hints), at most 160 characters.
pub fn first_error_line(bytes: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(bytes);
    let line = text
        .lines()
        .map(str::trim)
        .find(|l| l.to_lowercase().starts_with("error"))?;
    Some(line.chars().take(160).collect())
}

/// Errors starting or waiting for a child.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// The program could not be started (missing, not executable).
    #[error("cannot start {program}: {source}")]
    Spawn {
        /// The program.
        program: String,
        /// The cause.
        source: std::io::Error,
    },
    /// `wait4` failed.
    #[error("waiting for {program}: {source}")]
    Wait {
        /// The program.
        program: String,
        /// The cause.
        source: std::io::Error,
    },
}

/// Runs `cmd` with standard input closed, capturing its output, killing it
/// after `limit`. The wall time includes up to ~2 ms of polling latency.
pub fn run(cmd: &mut Command, limit: Duration) -> Result<RunOutput, RunError> {
    let program = cmd.get_program().to_string_lossy().into_owned();
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let start = Instant::now();
    let mut child = cmd.spawn().map_err(|source| RunError::Spawn {
        program: program.clone(),
        source,
    })?;
    let out_reader = child.stdout.take().map(spawn_reader);
    let err_reader = child.stderr.take().map(spawn_reader);
    let pid = child.id() as libc::pid_t;

    let mut status: libc::c_int = 0;
    // SAFETY: an all-zero rusage is a valid value of this plain C struct.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let mut timed_out = false;
    let mut pause = Duration::from_micros(100);
    loop {
        // SAFETY: `pid` is our own unreaped child; `status` and `usage` are
        // valid, writable and live for the call.
        let r = unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, &mut usage) };
        if r == pid {
            break;
        }
        if r == -1 {
            let err = std::io::Error::last_os_error();
            if err.kind() == std::io::ErrorKind::Interrupted {
                continue;
            }
            return Err(RunError::Wait {
                program,
                source: err,
            });
        }
        if !timed_out && start.elapsed() > limit {
            timed_out = true;
            // SAFETY: the child is not reaped yet (wait4 returned 0), so its
            // pid still names it; SIGKILL to it touches nothing else.
            unsafe { libc::kill(pid, libc::SIGKILL) };
        }
        thread::sleep(pause);
        pause = (pause * 2).min(Duration::from_millis(2));
    }
    let wall = start.elapsed();
    // After a timeout, a helper the child started may still hold the pipes
    // open; do not wait for it (the readers finish on their own).
    let (stdout, stderr) = if timed_out {
        (Vec::new(), Vec::new())
    } else {
        (
            out_reader.map(join_reader).unwrap_or_default(),
            err_reader.map(join_reader).unwrap_or_default(),
        )
    };
    let ending = if timed_out {
        Ending::TimedOut
    } else if libc::WIFEXITED(status) {
        Ending::Exited(libc::WEXITSTATUS(status))
    } else {
        Ending::Signaled(libc::WTERMSIG(status))
    };
    Ok(RunOutput {
        ending,
        wall,
        // Linux reports ru_maxrss in KiB.
        max_rss_kib: usage.ru_maxrss.max(0) as u64,
        stdout,
        stderr,
    })
}

fn spawn_reader<R: Read + Send + 'static>(mut r: R) -> thread::JoinHandle<Vec<u8>> {
    thread::spawn(move || {
        let mut buf = Vec::new();
        // A read error just truncates the captured output.
        let _ = r.read_to_end(&mut buf);
        buf
    })
}

fn join_reader(h: thread::JoinHandle<Vec<u8>>) -> Vec<u8> {
    h.join().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sh(script: &str) -> Command {
        let mut c = Command::new("sh");
        c.arg("-c").arg(script);
        c
    }

    #[test]
    fn captures_output_and_status() {
        let out = run(
            &mut sh("echo hi; echo oops >&2; exit 3"),
            Duration::from_secs(10),
        )
        .unwrap();
        assert_eq!(out.ending, Ending::Exited(3));
        assert_eq!(out.stdout, b"hi\n");
        assert_eq!(out.failure(), "exit status 3: oops");
        assert!(!out.success());
    }

    #[test]
    fn measures_peak_rss_of_the_child() {
        // python3 holding a 200 MB buffer must show at least that much.
        let mut c = Command::new("python3");
        c.arg("-c")
            .arg("b = bytearray(200 * 1024 * 1024); b[-1] = 1");
        let out = run(&mut c, Duration::from_secs(30)).unwrap();
        assert!(out.success());
        assert!(out.max_rss_kib > 200 * 1024, "rss {} KiB", out.max_rss_kib);
    }

    #[test]
    fn kills_a_child_past_its_limit() {
        let out = run(&mut sh("sleep 30; echo late"), Duration::from_millis(200)).unwrap();
        assert_eq!(out.ending, Ending::TimedOut);
        assert!(out.failure().starts_with("timed out"));
    }

    #[test]
    fn missing_program_is_an_error_not_a_panic() {
        let err = run(
            &mut Command::new("/nonexistent/cpjit"),
            Duration::from_secs(1),
        );
        assert!(matches!(err, Err(RunError::Spawn { .. })));
    }

    #[test]
    fn error_line_prefers_the_error_over_a_usage_hint() {
        let out = run(
            &mut sh("echo \"error: unexpected argument '--cc'\" >&2; echo >&2; echo \"For more information, try '--help'.\" >&2; exit 2"),
            Duration::from_secs(10),
        )
        .unwrap();
        assert_eq!(
            out.failure(),
            "exit status 2: error: unexpected argument '--cc'"
        );
    }

    #[test]
    fn last_line_skips_blank_lines() {
        assert_eq!(last_line(b"a\nb\n\n  \n").as_deref(), Some("b"));
        assert_eq!(last_line(b""), None);
    }
}
