//! Tier-2 counters and the `--stats` report.

use crate::jit::MemoryStats;
use crate::vm::bytecode::Code;
use crate::vm::obj::Obj;
use crate::vm::tier2::trace::FREED;
use crate::vm::tier2::Config;
use std::collections::HashMap;
use std::io::Write;
use std::sync::atomic::Ordering;

/// Counters kept while the program runs.
#[derive(Default, Debug)]
pub struct Stats {
    /// Traces projected and installed.
    pub traces_projected: u64,
    /// Uops in installed traces (body and stubs).
    pub trace_uops: u64,
    /// Root (loop) executors created.
    pub root_traces: u64,
    /// Side-trace executors created.
    pub side_traces: u64,
    /// Loops tier 2 declined (nothing to trace, or the JIT failed).
    pub declined: u64,
    /// Executors invalidated.
    pub invalidated: u64,
    /// Entries into executors from tier 1.
    pub entries: u64,
    /// Uops executed by the uop interpreter.
    pub uops_executed: u64,
    /// Exits taken back to tier 1.
    pub exits_taken: u64,
    /// Exits linked to side traces (or to loop executors).
    pub side_links: u64,
    /// Bytes of code and data emitted for executors.
    pub jit_code_bytes: u64,
    /// Failed JIT compilations (the loops stay in the interpreter).
    pub jit_errors: u64,
    /// Python calls inlined into installed traces (`_PUSH_FRAME` uops).
    pub calls_inlined: u64,
    /// Exits taken, by (function name, first line, bytecode target).
    exits: HashMap<(String, u32, u32), u64>,
}

impl Stats {
    /// Counts an exit to tier 1 at `target` of `code`.
    pub fn count_exit(&mut self, _owner: &Obj, code: &Code, target: u32) {
        self.exits_taken += 1;
        let line = code.lines.get(target as usize).copied().unwrap_or(0);
        *self
            .exits
            .entry((code.name.to_string(), line, target))
            .or_insert(0) += 1;
    }

    /// Prints the report to stderr.
    pub fn print(&self, config: &Config, live: usize, mem: Option<&MemoryStats>) {
        let mut s = String::new();
        let mode = match config.mode {
            crate::vm::tier2::Mode::Interp => "1",
            crate::vm::tier2::Mode::Uops => "uops",
            crate::vm::tier2::Mode::Jit => "jit",
        };
        s.push_str(&format!("cpjit stats (--tier {mode}):\n"));
        s.push_str(&format!(
            "  traces: {} projected ({} root, {} side), {} uops, {} loops declined\n",
            self.traces_projected,
            self.root_traces,
            self.side_traces,
            self.trace_uops,
            self.declined
        ));
        s.push_str(&format!(
            "  executors: {} created, {} invalidated, {} freed, {} live at exit\n",
            self.root_traces + self.side_traces,
            self.invalidated,
            FREED.load(Ordering::Relaxed),
            live
        ));
        s.push_str(&format!(
            "  calls inlined into traces: {}\n",
            self.calls_inlined
        ));
        s.push_str(&format!("  entries from tier 1: {}\n", self.entries));
        match config.mode {
            crate::vm::tier2::Mode::Uops => s.push_str(&format!(
                "  uops executed (uop interpreter): {}\n",
                self.uops_executed
            )),
            _ => s.push_str("  uops executed (uop interpreter): 0 (native code is not counted)\n"),
        }
        s.push_str(&format!(
            "  exits taken to tier 1: {}; side traces linked: {}\n",
            self.exits_taken, self.side_links
        ));
        match mem {
            Some(m) => s.push_str(&format!(
                "  jit: {} bytes of code and data emitted; memory {} allocated, {} committed, {} reserved; {} compile errors\n",
                self.jit_code_bytes, m.allocated, m.committed, m.reserved, self.jit_errors
            )),
            None => s.push_str(&format!("  jit: not used ({} errors)\n", self.jit_errors)),
        }
        let mut top: Vec<_> = self.exits.iter().collect();
        top.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        if !top.is_empty() {
            s.push_str("  top exits:\n");
            for ((name, line, target), n) in top.into_iter().take(10) {
                s.push_str(&format!(
                    "    {n:>10}  {name} line {line} (instruction {target})\n"
                ));
            }
        }
        let _ = std::io::stderr().write_all(s.as_bytes());
    }
}
