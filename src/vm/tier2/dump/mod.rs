//! `cpjit run --dump-traces FILE` (or `CPJIT_DUMP_TRACES`): a readable
//! account of every trace tier 2 installs, and of what happens to it.
//!
//! For each trace: where it starts (function, line, instruction), its uops
//! grouped under the bytecode instruction and source line they came from,
//! with operands rendered (locals by name, constants by `repr`, helpers by
//! name), the optimizer's removals and rewrites with their reasons
//! ([`super::removals`]), its exits, and in JIT mode the executor's final
//! machine code where it runs ([`crate::jit::disasm::render_executor_with`]).
//! Between traces: side-exit links, invalidations and frees.
//!
//! The sink is a thread-local opened by [`super::configure`]; when it is
//! closed every function here returns at once.

mod opnames;
mod render;

pub use opnames::opcode_name;
pub use render::TraceDump;

use crate::jit::SymbolTable;
use std::cell::RefCell;
use std::collections::HashMap;
use std::io::Write;
use std::path::PathBuf;

/// Where the dump goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DumpTarget {
    /// Standard error.
    Stderr,
    /// A file, created (truncated) when the run starts.
    File(PathBuf),
}

impl DumpTarget {
    /// `-` is standard error, anything else a file name.
    pub fn from_arg(arg: &str) -> DumpTarget {
        if arg == "-" {
            DumpTarget::Stderr
        } else {
            DumpTarget::File(arg.into())
        }
    }

    /// The meaning of `CPJIT_DUMP_TRACES=value`: empty or `0` is off, `1`
    /// or `-` standard error, anything else a file name.
    pub fn from_env_value(value: &str) -> Option<DumpTarget> {
        match value {
            "" | "0" => None,
            "1" => Some(DumpTarget::Stderr),
            v => Some(DumpTarget::from_arg(v)),
        }
    }
}

/// The open dump.
struct Sink {
    out: Box<dyn Write>,
    /// Source text by file name, to quote the lines traces come from.
    sources: HashMap<String, Vec<String>>,
    /// Helper names, to name the addresses traces call.
    symbols: SymbolTable,
    /// Executors' header addresses → trace numbers, while they live.
    executors: HashMap<u64, u64>,
}

thread_local! {
    static SINK: RefCell<Option<Sink>> = const { RefCell::new(None) };
}

/// Runs `f` on the open sink; does nothing when dumping is off (or the
/// sink is busy, which only a bug could cause).
fn with_sink(f: impl FnOnce(&mut Sink)) {
    SINK.with(|s| {
        if let Ok(mut g) = s.try_borrow_mut() {
            if let Some(sink) = g.as_mut() {
                f(sink);
            }
        }
    });
}

/// Opens the dump for this thread (closing any earlier one). A file that
/// cannot be created is reported on stderr and the run goes on without it.
pub fn open(target: Option<&DumpTarget>) {
    close();
    let out: Box<dyn Write> = match target {
        None => return,
        Some(DumpTarget::Stderr) => Box::new(std::io::stderr()),
        Some(DumpTarget::File(p)) => match std::fs::File::create(p) {
            Ok(f) => Box::new(std::io::BufWriter::new(f)),
            Err(e) => {
                eprintln!("cpjit: cannot write the trace dump {}: {e}", p.display());
                return;
            }
        },
    };
    SINK.with(|s| {
        *s.borrow_mut() = Some(Sink {
            out,
            sources: HashMap::new(),
            symbols: super::helpers::symbol_table().with(
                "cpjit_executor_dealloc",
                crate::jit::executor::cpjit_executor_dealloc as *const () as usize as u64,
            ),
            executors: HashMap::new(),
        })
    });
}

/// Whether traces are being dumped on this thread.
pub fn enabled() -> bool {
    SINK.with(|s| s.try_borrow().map(|g| g.is_some()).unwrap_or(false))
}

/// Flushes and closes the dump.
pub fn close() {
    let sink = SINK.with(|s| s.borrow_mut().take());
    if let Some(mut sink) = sink {
        let _ = sink.out.flush();
    }
}

/// Gives the source of `filename`, so the dump can quote its lines.
pub fn set_source(filename: &str, source: &str) {
    with_sink(|s| {
        s.sources.insert(
            filename.to_string(),
            source.lines().map(String::from).collect(),
        );
    });
}

/// Writes `text` and flushes it, so a dump survives a crash of the run it
/// describes (traces are installed rarely; the flush costs nothing visible).
fn emit(sink: &mut Sink, text: &str) {
    let _ = sink.out.write_all(text.as_bytes());
    let _ = sink.out.flush();
}

/// Dumps a trace that was just installed (or whose JIT compilation failed).
pub fn trace(t: &TraceDump<'_>) {
    with_sink(|s| {
        if let Ok(e) = t.executor {
            s.executors.insert(e.as_ptr() as u64, t.id);
        }
        let text = render::trace(t, s);
        emit(s, &text);
    });
}

/// Notes that exit `exit` of trace `from` now continues in trace `to`, at
/// its uop `at` (the head of its peeled loop) or its start (`None`);
/// `direct`: the exit's stub jumps straight there (patched).
pub fn linked(from: u64, exit: u32, to: u64, to_instr: u32, at: Option<usize>, direct: bool) {
    with_sink(|s| {
        let mut how = at.map_or(String::new(), |h| {
            format!(", entering its loop at uop {h} (preamble skipped)")
        });
        if direct {
            how += match at {
                Some(_) => ", by a direct jump",
                None => ", direct jump to its side entry",
            };
        }
        emit(
            s,
            &format!(
                "=== link: trace {from} exit {exit} -> trace {to} (instruction {to_instr}){how}\n\n"
            ),
        )
    });
}

/// Notes that trace `id` was invalidated.
pub fn invalidated(id: u64) {
    with_sink(|s| emit(s, &format!("=== invalidated: trace {id}\n\n")));
}

/// Notes that trace `id` was freed (its executor with it, once no code of
/// it runs).
pub fn freed(id: u64, executor: Option<u64>) {
    with_sink(|s| {
        if let Some(e) = executor {
            s.executors.remove(&e);
        }
        emit(s, &format!("=== freed: trace {id}\n\n"));
    });
}

/// Notes, at the end of the run, which exits of trace `id` are linked and
/// to which traces (`(exit, trace)` pairs).
pub fn final_links(id: u64, links: &[(u32, u64)]) {
    with_sink(|s| {
        let text: Vec<String> = links
            .iter()
            .map(|(e, t)| format!("exit {e} -> trace {t}"))
            .collect();
        let text = if text.is_empty() {
            "no exit linked".to_string()
        } else {
            text.join(", ")
        };
        emit(s, &format!("=== at exit, trace {id}: {text}\n"));
    });
}

/// Notes the end of the run.
pub fn finished(live: usize) {
    with_sink(|s| emit(s, &format!("=== end of run: {live} traces live\n")));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_parse() {
        assert_eq!(DumpTarget::from_arg("-"), DumpTarget::Stderr);
        assert_eq!(
            DumpTarget::from_arg("t.txt"),
            DumpTarget::File("t.txt".into())
        );
        assert_eq!(DumpTarget::from_env_value("0"), None);
        assert_eq!(DumpTarget::from_env_value(""), None);
        assert_eq!(DumpTarget::from_env_value("1"), Some(DumpTarget::Stderr));
        assert_eq!(
            DumpTarget::from_env_value("/tmp/x"),
            Some(DumpTarget::File("/tmp/x".into()))
        );
    }

    #[test]
    fn nothing_is_written_when_closed() {
        close();
        assert!(!enabled());
        linked(1, 2, 3, 4, None, false);
        invalidated(1);
    }
}
