//! Tier-2 counters and the `--stats` report.

use crate::abi::uop::Uop;
use crate::jit::{MemoryStats, UopInstruction};
use crate::vm::bytecode::Code;
use crate::vm::tier2::trace::FREED;
use crate::vm::tier2::Config;
use std::collections::HashMap;
use std::io::Write;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

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
    /// Function-entry executors created (entered at calls).
    pub function_traces: u64,
    /// `_CALL_EXECUTOR` uops in installed traces (native calls of
    /// function-entry executors).
    pub native_call_sites: u64,
    /// Functions that reached the call threshold (each time they did).
    pub hot_calls: u64,
    /// Loops tier 2 declined (nothing to trace, or the JIT failed).
    pub declined: u64,
    /// Executors invalidated.
    pub invalidated: u64,
    /// Of those, invalidated because a fact they assumed changed (a baked
    /// global rebound or deleted, ...).
    pub dep_invalidations: u64,
    /// Dependencies registered by installed traces.
    pub deps_registered: u64,
    /// Facts with live dependents at exit.
    pub deps_watched: u64,
    /// Entries into executors from tier 1.
    pub entries: u64,
    /// Returns to tier 1 at a function's end (`_RETURN`, status `RETURNED`).
    pub returns: u64,
    /// Uops executed by the uop interpreter.
    pub uops_executed: u64,
    /// Exits taken back to tier 1.
    pub exits_taken: u64,
    /// Exits linked to side traces (or to loop executors).
    pub side_links: u64,
    /// Of those, links into a loop executor's loop head (its preamble
    /// skipped, see `local_facts`).
    pub loop_entry_links: u64,
    /// Hot exits handed to tier 2 for a side trace (a declined exit is
    /// never handed over again).
    pub hot_exits: u64,
    /// Of those, exits marked as not worth a side trace.
    pub exits_declined: u64,
    /// Bytes of code and data emitted for executors.
    pub jit_code_bytes: u64,
    /// Failed JIT compilations (the loops stay in the interpreter).
    pub jit_errors: u64,
    /// Time spent projecting traces (including ones declined).
    pub projection_time: Duration,
    /// Time spent in the optimizer.
    pub optimization_time: Duration,
    /// Time spent compiling traces to executors (JIT mode), debug
    /// registration included.
    pub emission_time: Duration,
    /// Time spent setting the JIT up (preparing the stencils, reserving
    /// memory), part of `emission_time`.
    pub jit_setup_time: Duration,
    /// When tier 2 was configured (the run's start).
    pub started: Option<Instant>,
    /// Time from the start to the first installed trace.
    pub first_executor: Option<Duration>,
    /// Uops in installed traces, by uop.
    uop_counts: HashMap<Uop, u64>,
    /// Python calls inlined into installed traces (`_PUSH_FRAME` uops).
    pub calls_inlined: u64,
    /// Exits taken, by (function name, first line, bytecode target).
    exits: HashMap<(String, u32, u32), u64>,
}

fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1e3)
}

impl Stats {
    /// Zero counters, the clock started now.
    pub fn started_now() -> Stats {
        Stats {
            started: Some(Instant::now()),
            ..Stats::default()
        }
    }

    /// Counts the uops of an installed trace, by uop.
    pub fn count_uops(&mut self, uops: &[UopInstruction]) {
        for u in uops {
            *self.uop_counts.entry(u.opcode).or_insert(0) += 1;
        }
    }

    /// Counts `n` exits to tier 1 at `target` of `code`.
    pub fn add_exits(&mut self, code: &Code, target: u32, n: u64) {
        self.exits_taken += n;
        let line = code.lines.get(target as usize).copied().unwrap_or(0);
        *self
            .exits
            .entry((code.name.to_string(), line, target))
            .or_insert(0) += n;
    }

    /// Prints the report to stderr.
    ///
    /// `mem` is the JIT's memory (JIT mode), `registration` the time spent
    /// registering executors with profilers and debuggers.
    pub fn print(
        &self,
        config: &Config,
        live: usize,
        mem: Option<&MemoryStats>,
        registration: Option<Duration>,
    ) {
        let _ =
            std::io::stderr().write_all(self.report(config, live, mem, registration).as_bytes());
    }

    /// The `--stats` report (see [`Stats::print`]).
    pub fn report(
        &self,
        config: &Config,
        live: usize,
        mem: Option<&MemoryStats>,
        registration: Option<Duration>,
    ) -> String {
        let mut s = String::new();
        let mode = match config.mode {
            crate::vm::tier2::Mode::Interp => "1",
            crate::vm::tier2::Mode::Uops => "uops",
            crate::vm::tier2::Mode::Jit => "jit",
        };
        s.push_str(&format!("cpjit stats (--tier {mode}):\n"));
        s.push_str(&format!(
            "  traces: {} projected ({} root, {} function-entry, {} side), {} uops, {} loops or functions declined\n",
            self.traces_projected,
            self.root_traces,
            self.function_traces,
            self.side_traces,
            self.trace_uops,
            self.declined
        ));
        s.push_str(&format!(
            "  executors: {} created, {} invalidated, {} freed, {} live at exit\n",
            self.root_traces + self.function_traces + self.side_traces,
            self.invalidated,
            FREED.load(Ordering::Relaxed),
            live
        ));
        s.push_str(&format!(
            "  dependencies: {} registered, {} invalidations by a change, {} facts watched at exit\n",
            self.deps_registered, self.dep_invalidations, self.deps_watched
        ));
        s.push_str(&format!(
            "  calls inlined into traces: {}; native calls of function-entry executors: {} sites\n",
            self.calls_inlined, self.native_call_sites
        ));
        s.push_str(&format!("  entries from tier 1: {}\n", self.entries));
        s.push_str(&format!(
            "  returns to tier 1 at a function's end (_RETURN): {}\n",
            self.returns
        ));
        s.push_str(&format!(
            "  hot functions (call threshold reached): {}\n",
            self.hot_calls
        ));
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
        s.push_str(&format!(
            "  hot exits: {} handed to tier 2, {} declined\n",
            self.hot_exits, self.exits_declined
        ));
        s.push_str(&format!(
            "  links entering a loop at its head (preamble skipped): {}\n",
            self.loop_entry_links
        ));
        match mem {
            Some(m) => {
                s.push_str(&format!(
                    "  jit code emitted: {} bytes\n",
                    self.jit_code_bytes
                ));
                s.push_str(&format!("  jit compile errors: {}\n", self.jit_errors));
                s.push_str(&format!(
                    "  jit memory allocated: {} bytes in {} live executors\n",
                    m.allocated, m.live_blocks
                ));
                s.push_str(&format!(
                    "  jit memory used by their code and data: {} bytes\n",
                    m.emitted
                ));
                let ratio = if m.allocated == 0 {
                    100.0
                } else {
                    m.emitted as f64 * 100.0 / m.allocated as f64
                };
                s.push_str(&format!(
                    "  jit memory use ratio (used / allocated): {ratio:.1}%\n"
                ));
                s.push_str(&format!(
                    "  jit memory committed: {} bytes\n  jit memory reserved: {} bytes\n",
                    m.committed, m.reserved
                ));
            }
            None => s.push_str(&format!("  jit: not used ({} errors)\n", self.jit_errors)),
        }
        let total = self.projection_time + self.optimization_time + self.emission_time;
        s.push_str(&format!("  jit compile time: {}\n", ms(total)));
        s.push_str(&format!("    projection: {}\n", ms(self.projection_time)));
        s.push_str(&format!(
            "    optimization: {}\n",
            ms(self.optimization_time)
        ));
        s.push_str(&format!("    emission: {}\n", ms(self.emission_time)));
        if mem.is_some() {
            s.push_str(&format!(
                "      of which setting the JIT up (once): {}\n",
                ms(self.jit_setup_time)
            ));
        }
        if let Some(r) = registration {
            s.push_str(&format!(
                "      of which debugger and profiler registration: {}\n",
                ms(r)
            ));
        }
        if let Some(f) = self.first_executor {
            s.push_str(&format!("  time to first executor: {}\n", ms(f)));
        }
        if !self.uop_counts.is_empty() {
            let mut counts: Vec<_> = self.uop_counts.iter().collect();
            counts.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
            s.push_str("  uops in installed traces:\n");
            for chunk in counts.chunks(4) {
                let row: Vec<String> = chunk
                    .iter()
                    .map(|(u, n)| format!("{} {n}", u.name()))
                    .collect();
                s.push_str(&format!("    {}\n", row.join(", ")));
            }
        }
        if config.mode == crate::vm::tier2::Mode::Uops {
            let calls = crate::vm::tier2::uop_interp::helper_calls();
            if !calls.is_empty() {
                s.push_str("  helper calls by bytecode (uop interpreter):\n");
                for (op, n) in calls.into_iter().take(12) {
                    let name = crate::vm::tier2::dump::opcode_name(op).unwrap_or("?");
                    s.push_str(&format!("    {n:>10}  {name}\n"));
                }
            }
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
        s
    }
}
