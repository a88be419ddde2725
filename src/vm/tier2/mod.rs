//! Tier 2: hot loops become uop traces that run in the uop interpreter
//! (`--tier uops`) or as native code from the copy-and-patch JIT
//! (`--tier jit`).
//!
//! * [`project`]: bytecode → uops, from a loop head or a side exit's target.
//! * [`optimize`]: the pass over a trace before it is installed.
//! * [`helpers`]: C-ABI helpers traces call (`cpjit_step` runs one tier-1
//!   instruction), and the JIT's symbol table.
//! * [`uop_interp`]: the uop interpreter.
//! * [`trace`]: installed traces, their exits and links.
//! * [`deps`]: what traces assumed (e.g. a global's value) and invalidation
//!   when it changes — read its documentation before baking a new kind of
//!   fact into a trace.
//! * [`stats`]: `--stats` counters.
//! * [`dump`]: `--dump-traces`; [`removals`]: the optimizer's change log it shows.
//! * [`record`]: a copy of every trace handed to the JIT, for benchmarks.
//!
//! Tier 1 calls [`on_hot_backedge`] when a `JUMP_BACKWARD` gets hot; the
//! loop's trace is installed by rewriting the instruction to
//! `ENTER_EXECUTOR` (same oparg, so the original is recoverable), whose
//! cache `version` holds the trace. Tier 1 runs `ENTER_EXECUTOR` through
//! [`enter_executor`]. Exits resume tier 1 at the exact instruction with the
//! frame's locals and stack as tier 1 lays them out; hot exits grow side
//! traces linked into the exit.
//!
//! ## Invalidation and freeing
//!
//! A trace is invalidated when a fact it depends on changes
//! ([`deps::dict_changed`], [`deps::code_changed`]), by
//! [`invalidate_code`], or at exit. It may be running at that moment (even
//! in an outer activation, suspended in a helper): invalidation only marks
//! it, unlinks it and restores its loop's `JUMP_BACKWARD`, and the trace
//! leaves at its next `_CHECK_VALIDITY`. Invalidated traces wait in the
//! graveyard while an activation of their code object is on the stack
//! (only such an activation can be running them); then they are dropped and
//! their executors detached ([`crate::jit::Executor::detach`]), so the JIT
//! frees their code at once even while unrelated traces run.

pub mod base_case;
mod config;
pub mod container_helpers;
pub mod deps;
pub mod dict_helpers;
pub mod dump;
mod entry;
pub mod fast_helpers;
// s6-float: in-place float list item updates (fusion).
pub mod float_fuse;
mod float_update;
pub mod fuse;
pub mod helpers;
pub mod int_uops;
pub mod iter_helpers;
pub mod list_facts;
// s9-loops: what is known of the locals at exits and loop heads.
pub mod local_facts;
pub mod local_guards;
pub mod optimize;
pub mod peel;
pub mod project;
pub mod record;
pub mod removals;
pub mod return_stubs;
pub mod stats;
#[cfg(test)]
mod test_uops;
pub mod trace;
pub mod unbox;
pub mod uop_interp;
// s8-containers: dict reads of a closure cell's dict, fused.
pub mod dict_fuse;

pub use config::{parse_size, Config, Mode};
pub use entry::{enter_executor, enter_function, Entered};

use crate::abi::layout::Frame;
use crate::jit::{JitConfig, JitContext, MemoryConfig};
use crate::vm::bytecode::{encode, op, oparg, opcode, Cache, Code};
use crate::vm::error::PyErr;
use crate::vm::interp::Vm;
use crate::vm::obj::Obj;
use crate::vm::types::CodeObj;
use stats::Stats;
use std::cell::RefCell;
use std::collections::HashSet;
use std::rc::Rc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Instant;
use trace::{ExitSlot, FrameContext, Trace};

/// Number of back-edge executions before tier 2 is asked for an executor
/// (the default; see [`Config`]).
pub const BACKEDGE_THRESHOLD: u32 = Config::DEFAULT_BACKEDGE_THRESHOLD;

/// The back-edge threshold tier 1 compares against (never reached in tier-1 mode).
static THRESHOLD: AtomicU32 = AtomicU32::new(u32::MAX);

/// The call threshold tier 1 compares against (never reached in tier-1 mode).
static CALL_THRESHOLD: AtomicU32 = AtomicU32::new(u32::MAX);

/// What a trace left behind when it had to stop outside its stubs: an
/// error (or a jump to a place no stub covers), and where tier 1 resumes.
pub struct Pending {
    /// The exception, or `None` to just resume.
    pub error: Option<Box<PyErr>>,
    /// Instruction index tier 1 resumes at (one past the failing one for errors).
    pub instr: u32,
    /// The frame's stack pointer at that point.
    pub sp: *mut u64,
}

struct State {
    config: Config,
    jit: Option<JitContext>,
    jit_unavailable: bool,
    traces: Vec<Rc<Trace>>,
    graveyard: Vec<Rc<Trace>>,
    pending: Option<Pending>,
    declined: HashSet<(usize, u32)>,
    /// Set once a trace with `_CALL_EXECUTOR` is installed: from then on
    /// traces can run nested in other codes' activations (see `collect`).
    native_calls: bool,
    deps: deps::Registry,
    stats: Stats,
}

thread_local! {
    static STATE: RefCell<Option<State>> = const { RefCell::new(None) };
}

/// Runs `f` on the tier-2 state, if tier 2 is configured. Never call back
/// into the VM or a trace from `f`.
fn with_state<R>(f: impl FnOnce(&mut State) -> R) -> Option<R> {
    STATE.with(|s| s.borrow_mut().as_mut().map(f))
}

/// Sets tier 2 up for this thread (call before running code).
pub fn configure(config: &Config) {
    let threshold = match config.mode {
        Mode::Interp => u32::MAX,
        _ => config.backedge_threshold.max(1),
    };
    THRESHOLD.store(threshold, Ordering::Relaxed);
    let call_threshold = match config.mode {
        Mode::Interp => u32::MAX,
        _ => config.call_threshold.max(1),
    };
    CALL_THRESHOLD.store(call_threshold, Ordering::Relaxed);
    dump::open(config.dump_traces.as_ref());
    entry::reset();
    deps::reset_filter();
    STATE.with(|s| {
        *s.borrow_mut() = Some(State {
            config: config.clone(),
            jit: None,
            jit_unavailable: false,
            traces: Vec::new(),
            graveyard: Vec::new(),
            pending: None,
            declined: HashSet::new(),
            native_calls: false,
            deps: deps::Registry::default(),
            stats: Stats::started_now(),
        })
    });
}

/// The back-edge count at which tier 1 calls [`on_hot_backedge`].
#[inline(always)]
pub fn backedge_threshold() -> u32 {
    THRESHOLD.load(Ordering::Relaxed)
}

/// The number of calls of a function at which tier 1 calls [`on_hot_call`].
#[inline(always)]
pub fn call_threshold() -> u32 {
    CALL_THRESHOLD.load(Ordering::Relaxed)
}

/// Records what a helper left for the VM (see [`Pending`]).
pub fn set_pending(p: Pending) {
    with_state(|s| s.pending = Some(p));
}

/// The code object (`CodeObj` value) that owns `code`.
fn code_obj(code: &Code) -> Obj {
    let base = code as *const Code as usize - std::mem::offset_of!(CodeObj, code);
    Obj::new_ref(base as u64)
}

/// The `Code` inside a `CodeObj` value.
fn code_of(code_obj: &Obj) -> &Code {
    // SAFETY: trace.code always holds a CODE object.
    unsafe { &crate::vm::obj::cast::<CodeObj>(code_obj.raw()).code }
}

fn caches_of(code: &Code) -> *mut Cache {
    // SAFETY: raw access to the cache array; tier 1 is between instructions.
    unsafe { (*code.caches.get()).as_mut_ptr() }
}

fn rewrite(code: &Code, at: u32, word: u32) {
    // SAFETY: at indexes the instruction array; tier 1 is between instructions.
    unsafe {
        let instrs = &mut *code.instrs.get();
        if let Some(w) = instrs.get_mut(at as usize) {
            *w = word;
        }
    }
}

impl State {
    /// Records that tier 2 could not make a trace for the place `key`
    /// (counted in the stats; never tried again); returns `false`, the
    /// "nothing installed" answer of the hot-place handlers.
    fn decline(&mut self, key: (usize, u32)) -> bool {
        self.stats.declined += 1;
        self.declined.insert(key);
        false
    }

    /// Projects a trace from `start` in the frame context `entry` and installs it
    /// (`facts`: what is known where it is entered, for a side trace).
    #[allow(clippy::too_many_arguments)]
    fn project_and_install(
        &mut self,
        entry: &FrameContext,
        globals: u64,
        builtins: u64,
        start: project::Start,
        depth: u32,
        function_entry: bool,
        facts: &local_facts::LocalFacts,
    ) -> Option<Rc<Trace>> {
        let t0 = Instant::now();
        let returns = function_entry || !entry.code().entry.trace.get().is_null();
        let projection = self.project(entry, globals, builtins, start, returns);
        self.stats.projection_time += t0.elapsed();
        self.install(
            projection?,
            start.at,
            start.backedge,
            depth,
            function_entry,
            facts,
            t0,
        )
    }

    /// Optimizes, compiles (JIT mode) and registers a trace projected since `t0`.
    #[allow(clippy::too_many_arguments)]
    fn install(
        &mut self,
        projection: project::Projection,
        start: u32,
        root_at: Option<u32>,
        depth: u32,
        function_entry: bool,
        facts: &local_facts::LocalFacts,
        t0: Instant,
    ) -> Option<Rc<Trace>> {
        let project::Projection {
            uops,
            contexts,
            deps,
            consts,
        } = projection;
        let entry_code = contexts.first()?.code.clone();
        let code = code_of(&entry_code);
        let dumping = dump::enabled();
        let projected = if dumping { uops.clone() } else { Vec::new() };
        let mut log = if dumping {
            removals::RemovalLog::on()
        } else {
            removals::RemovalLog::off()
        };
        let t1 = Instant::now();
        let (uops, exit_facts, loop_head) = if self.config.optimize {
            let o = optimize::optimize_entered(code, uops, facts, &mut log);
            (o.uops, o.exit_facts, o.loop_head)
        } else {
            (uops, Vec::new(), None)
        };
        self.stats.optimization_time += t1.elapsed();
        self.stats.traces_projected += 1;
        self.stats.trace_uops += uops.len() as u64;
        self.stats.count_uops(&uops);
        self.stats.calls_inlined += uops.iter().filter(|u| u.opcode.is_frame_push()).count() as u64;
        let id = self.stats.traces_projected;
        let exit_targets = crate::jit::trace::exit_targets(&uops).ok()?;
        let t2 = Instant::now();
        let compiled = match self.config.mode {
            Mode::Jit => {
                if self.jit.is_none() && !self.jit_unavailable {
                    let cfg = JitConfig {
                        memory: MemoryConfig {
                            limit: self.config.jit_memory_limit,
                            ..MemoryConfig::default()
                        },
                        ..JitConfig::default()
                    };
                    let made =
                        JitContext::new(cfg, &crate::jit::stencils::HOST, &helpers::symbol_table());
                    self.stats.jit_setup_time = t2.elapsed();
                    match made {
                        Ok(j) => self.jit = Some(j),
                        Err(_) => {
                            self.stats.jit_errors += 1;
                            self.jit_unavailable = true;
                        }
                    }
                }
                let ctx = self.jit.as_ref()?;
                let lines: Vec<u32> = trace::codes_per_uop(&uops, &contexts)
                    .iter()
                    .zip(&uops)
                    .map(|(c, u)| c.lines.get(u.target as usize).copied().unwrap_or(0))
                    .collect();
                record::trace(&uops);
                ctx.compile_with_lines(&uops, &code.qualname, Some(&lines))
                    .map(Some)
                    .map_err(|e| format!("JIT compile failed: {e}"))
            }
            _ => Ok(None),
        };
        self.stats.emission_time += t2.elapsed();
        if compiled.is_err() {
            self.stats.jit_errors += 1;
        } else if self.stats.first_executor.is_none() {
            self.stats.first_executor = self.stats.started.map(|s| s.elapsed());
        }
        if dumping {
            dump::trace(&dump::TraceDump {
                id,
                code,
                contexts: &contexts,
                start,
                root_at,
                function_entry,
                depth,
                projected: &projected,
                changes: &log.into_changes(),
                uops: &uops,
                executor: match &compiled {
                    Ok(Some(e)) => Ok(e),
                    Ok(None) => Err("not compiled (the uop interpreter runs it)".to_string()),
                    Err(why) => Err(why.clone()),
                },
                compile_time: t0.elapsed(),
            });
        }
        let jit = compiled.ok()?;
        let exits = exit_targets.iter().map(|_| ExitSlot::default()).collect();
        let mut exit_contexts = vec![0u32; exit_targets.len()];
        for u in uops
            .iter()
            .filter(|u| u.opcode == crate::abi::uop::Uop::EXIT_TRACE)
        {
            if let Some(c) = exit_contexts.get_mut(u.exit_index as usize) {
                *c = u.operand as u32;
            }
        }
        let t = Rc::new(Trace {
            id,
            uops,
            code: entry_code.clone(),
            contexts,
            exit_contexts,
            exit_facts,
            loop_head,
            start,
            root_at,
            function_entry,
            depth,
            valid: std::cell::Cell::new(true),
            jit,
            exits,
            exit_targets,
            deps,
            consts,
        });
        self.deps.register(&t);
        if let Some(e) = &t.jit {
            // SAFETY: the header is live (we hold the handle); vm_data is ours.
            unsafe { (*e.as_ptr()).vm_data = Rc::as_ptr(&t) as *mut std::ffi::c_void };
            self.stats.jit_code_bytes += e.code_size() as u64;
        }
        if t.uops.iter().any(|u| u.opcode.is_native_call()) {
            self.native_calls = true;
            self.stats.native_call_sites +=
                t.uops.iter().filter(|u| u.opcode.is_native_call()).count() as u64;
        }
        if root_at.is_some() {
            self.stats.root_traces += 1;
        } else if function_entry {
            self.stats.function_traces += 1;
        } else {
            self.stats.side_traces += 1;
        }
        self.traces.push(t.clone());
        Some(t)
    }

    /// Invalidates `doomed`, the dependents of a fact that broke (safe
    /// while any of them runs).
    fn invalidate_dependents(&mut self, doomed: &[Rc<Trace>]) {
        for t in doomed {
            if t.valid.get() {
                self.stats.dep_invalidations += 1;
            }
            self.invalidate(t);
        }
    }

    /// Invalidates the traces entered in a frame of `code` that leave to
    /// tier 1 at that frame's `RETURN_VALUE` (projected before `code` had
    /// a function-entry trace): their successors end with `_RETURN`.
    fn invalidate_exits_at_return(&mut self, code: &Code) {
        let exits_at_return = |t: &Trace| {
            !t.function_entry
                && std::ptr::eq(code_of(&t.code), code)
                && t.exit_targets.iter().enumerate().any(|(k, &at)| {
                    t.exit_context(k as u32)
                        .is_some_and(|c| c.callers.is_empty())
                        && code.words().get(at as usize).map(|&w| opcode(w))
                            == Some(op::RETURN_VALUE)
                })
        };
        let doomed: Vec<Rc<Trace>> = self
            .traces
            .iter()
            .filter(|t| t.valid.get() && exits_at_return(t))
            .cloned()
            .collect();
        for t in &doomed {
            self.invalidate(t);
        }
    }

    /// Invalidates `t`: no more entries or links; a root's `ENTER_EXECUTOR`
    /// goes back to `JUMP_BACKWARD`. Running code finishes safely (the
    /// trampoline's and the uop interpreter's references keep it alive).
    fn invalidate(&mut self, t: &Rc<Trace>) {
        if !t.valid.replace(false) {
            return;
        }
        self.stats.invalidated += 1;
        dump::invalidated(t.id);
        self.deps.unregister(t);
        if let Some(e) = &t.jit {
            e.invalidate();
        }
        for slot in &t.exits {
            slot.linked.borrow_mut().take();
        }
        // Uops mode: unlink the exits that continue in `t` (the JIT's
        // invalidation does this for executors).
        for other in &self.traces {
            for slot in &other.exits {
                let mut l = slot.linked.borrow_mut();
                if l.as_ref().is_some_and(|x| Rc::ptr_eq(x, t)) {
                    l.take();
                    slot.temperature.set(0);
                }
            }
        }
        if t.function_entry {
            let slot = &code_of(&t.code).entry;
            if slot.trace.get() == Rc::as_ptr(t) as *const std::ffi::c_void {
                slot.trace.set(std::ptr::null());
                slot.call.executor.set(std::ptr::null_mut());
                // The next call counts to the threshold again.
            }
        }
        if let Some(at) = t.root_at {
            let code = code_of(&t.code);
            if let Some(&w) = code.words().get(at as usize) {
                if opcode(w) == op::ENTER_EXECUTOR {
                    rewrite(code, at, encode(op::JUMP_BACKWARD, oparg(w)));
                    // SAFETY: at < caches.len() (one cache per instruction).
                    unsafe {
                        let c = &mut *caches_of(code).add(at as usize);
                        c.version = 0;
                        c.counter = 0;
                    }
                }
            }
        }
        if let Some(k) = self.traces.iter().position(|x| Rc::ptr_eq(x, t)) {
            let dead = self.traces.swap_remove(k);
            self.graveyard.push(dead);
            entry::set_graveyard(true);
        }
    }

    /// Drops the invalidated traces no activation on the stack can be
    /// running: those with no [`enter_executor`] activation of any code of
    /// their frame contexts (a trace only runs under an activation of its
    /// entry code or, for a side trace entered in an inlined callee, of one
    /// of the callers it inherited).
    fn collect(&mut self) {
        if self.graveyard.is_empty() {
            return;
        }
        let active = &entry::active_codes();
        if self.native_calls && !active.is_empty() {
            // A trace may run nested under any activation, called
            // natively by another code's trace: wait until none runs.
            return;
        }
        let mut keep = Vec::new();
        for t in self.graveyard.drain(..) {
            let running = t.contexts.iter().any(|c| {
                active.contains(&(code_of(&c.code) as *const Code as usize))
                    || c.callers
                        .iter()
                        .any(|k| active.contains(&(code_of(&k.code) as *const Code as usize)))
            });
            if running || active.contains(&(code_of(&t.code) as *const Code as usize)) {
                keep.push(t);
                continue;
            }
            if Rc::strong_count(&t) == 1 {
                if let Some(e) = &t.jit {
                    // SAFETY: `t` is invalid (nothing enters or links to it
                    // again) and no activation of its code is on the stack,
                    // so none of its code is running.
                    unsafe { e.detach() };
                }
            }
            entry::fold_exits(&mut self.stats, &t);
            drop(t);
        }
        entry::set_graveyard(!keep.is_empty());
        self.graveyard = keep;
    }

    /// What projection may read and bake in for a frame with `globals`.
    fn project(
        &self,
        entry: &FrameContext,
        globals: u64,
        builtins: u64,
        start: project::Start,
        returns: bool,
    ) -> Option<project::Projection> {
        let limit = self.config.global_rebind_limit;
        let reg = &self.deps;
        let may_bake = |d: &deps::Dep| reg.may_bake(d, limit);
        let ctx = project::Context {
            globals,
            builtins,
            may_bake: &may_bake,
            returns,
        };
        project::project(entry, &ctx, start, self.config.max_trace_length)
    }
}

/// Called when the `JUMP_BACKWARD` at `instr` of `frame`'s code got hot.
/// Projects, optimizes and installs the loop's trace; returns whether the
/// instruction is now `ENTER_EXECUTOR` (tier 1 then runs it at once).
///
/// # Safety
/// `frame` is the live frame tier 1 is running (on this thread's VM).
pub unsafe fn on_hot_backedge(vm: &mut Vm, frame: *mut Frame, instr: u32) -> bool {
    // SAFETY: frame is tier 1's live frame; its code outlives it.
    let code = unsafe { &*((*frame).code as *const Code) };
    let Some(&w) = code.words().get(instr as usize) else {
        return false;
    };
    if opcode(w) != op::JUMP_BACKWARD {
        return false;
    }
    // SAFETY: frame is live.
    let globals = unsafe { (*frame).globals as u64 };
    let builtins = vm.builtins.raw();
    let installed = with_state(|s| {
        s.collect();
        vm.ts.side_exit_threshold = s.config.side_exit_threshold.max(1);
        let key = (code as *const Code as usize, instr);
        if s.config.mode == Mode::Interp || s.declined.contains(&key) {
            return false;
        }
        let head = oparg(w);
        let start = project::Start {
            at: head,
            backedge: Some(instr),
            speculate_start: true,
        };
        let entry = FrameContext {
            code: code_obj(code),
            callers: Vec::new(),
        };
        let t = s.project_and_install(
            &entry,
            globals,
            builtins,
            start,
            0,
            false,
            &local_facts::LocalFacts::default(),
        );
        match t {
            Some(t) => {
                rewrite(code, instr, encode(op::ENTER_EXECUTOR, head));
                // SAFETY: instr < caches.len().
                unsafe { (*caches_of(code).add(instr as usize)).version = Rc::as_ptr(&t) as u64 };
                true
            }
            None => s.decline(key),
        }
    });
    installed.unwrap_or(false)
}

/// Whether a function-entry trace of `code` may pay: the function has a
/// loop (the trace runs up to it and links to the loop's trace) or calls
/// Python functions (which the trace may call natively, recursion
/// included). A small function without either is inlined into its callers'
/// traces instead; entering a trace from tier 1 would cost more than
/// interpreting it.
fn worth_function_entry(code: &Code) -> bool {
    code.words().iter().any(|&w| {
        matches!(
            opcode(w),
            op::JUMP_BACKWARD | op::ENTER_EXECUTOR | op::CALL_PY_EXACT_ARGS
        )
    })
}

/// Called by tier 1 when the call countdown of the function whose frame
/// `frame` it just pushed (at instruction 0, arguments bound) reached
/// zero (see [`crate::vm::bytecode::EntrySlot`]): sets the next countdown
/// and returns whether tier 1 enters the function-entry trace now
/// ([`enter_function`]).
///
/// # Safety
/// `frame` is the live frame tier 1 just pushed (on this thread's VM), saved.
#[inline(never)]
pub unsafe fn on_counted_calls(vm: &mut Vm, frame: *mut Frame) -> bool {
    use crate::vm::bytecode::EntryState;
    // SAFETY: frame is tier 1's live frame; its code outlives it.
    let code = unsafe { &*((*frame).code as *const Code) };
    let e = &code.entry;
    let entering = match e.state.get() {
        EntryState::Unarmed => false,
        EntryState::Entering => !e.trace.get().is_null(),
        // SAFETY: the caller's contract.
        EntryState::Counting => unsafe { on_hot_call(vm, frame) },
    };
    if entering {
        e.state.set(EntryState::Entering);
        e.countdown.set(1);
    } else {
        e.state.set(EntryState::Counting);
        e.countdown.set(call_threshold());
    }
    entering
}

/// Called when the function whose frame `frame` tier 1 just pushed was
/// called [`call_threshold`] times: projects and installs a
/// function-entry trace from instruction 0, reachable from the code's
/// [`crate::vm::bytecode::EntrySlot`]. Returns whether there is one now.
///
/// # Safety
/// `frame` is the live frame tier 1 just pushed (on this thread's VM), saved.
unsafe fn on_hot_call(vm: &mut Vm, frame: *mut Frame) -> bool {
    // SAFETY: frame is tier 1's live frame; its code outlives it.
    let (code, globals) = unsafe { (&*((*frame).code as *const Code), (*frame).globals as u64) };
    let builtins = vm.builtins.raw();
    let installed = with_state(|s| {
        s.stats.hot_calls += 1;
        s.collect();
        vm.ts.side_exit_threshold = s.config.side_exit_threshold.max(1);
        // Instruction 0 never holds a back edge: (code, u32::MAX) names
        // the function entry among the declined places.
        let key = (code as *const Code as usize, u32::MAX);
        if s.config.mode == Mode::Interp
            || !code.entry.trace.get().is_null()
            || s.declined.contains(&key)
        {
            return !code.entry.trace.get().is_null();
        }
        if !worth_function_entry(code) {
            s.declined.insert(key);
            return false;
        }
        let start = project::Start {
            at: 0,
            backedge: None,
            speculate_start: false,
        };
        let entry = FrameContext {
            code: code_obj(code),
            callers: Vec::new(),
        };
        match s.project_and_install(
            &entry,
            globals,
            builtins,
            start,
            0,
            true,
            &local_facts::LocalFacts::default(),
        ) {
            Some(t) => {
                code.entry
                    .trace
                    .set(Rc::as_ptr(&t) as *const std::ffi::c_void);
                if let Some(e) = &t.jit {
                    code.entry.call.executor.set(e.as_ptr());
                }
                // Traces that call the function through the generic helper
                // are re-projected with native calls, and the function's
                // own traces that leave to tier 1 at its return with
                // `_RETURN` (a native caller goes on natively then).
                let doomed = deps::entry_installed(&mut s.deps, code);
                s.invalidate_dependents(&doomed);
                s.invalidate_exits_at_return(code);
                true
            }
            None => s.decline(key),
        }
    });
    installed.unwrap_or(false)
}

/// Exit `idx` of `parent` got hot: link it to a side trace projected from
/// its target, or to the loop executor installed there.
fn hot_exit(s: &mut State, parent: &Rc<Trace>, idx: u32, globals: u64, builtins: u64) {
    if !parent.valid.get() || parent.declined(idx) {
        return;
    }
    let Some(&target) = parent.exit_targets.get(idx as usize) else {
        return;
    };
    let Some(ctx) = parent.exit_context(idx).cloned() else {
        return;
    };
    let code = code_of(&ctx.code);
    let Some(&w) = code.words().get(target as usize) else {
        return;
    };
    let child: Option<Rc<Trace>> = match opcode(w) {
        op::ENTER_EXECUTOR => {
            // SAFETY: target < caches.len(); a non-null version is a registered trace.
            let p = unsafe { (*caches_of(code).add(target as usize)).version } as *const Trace;
            let root = s
                .traces
                .iter()
                .find(|t| Rc::as_ptr(t) == p && t.valid.get())
                .cloned();
            let head = oparg(w);
            let knows = parent
                .exit_facts
                .get(idx as usize)
                .is_some_and(|f| *f != local_facts::LocalFacts::default());
            // A loop's trace without a peeled loop (its body runs into an
            // inner loop) knows nothing where it starts: an exit that
            // knows something gets a copy of it from the loop's head
            // (a side trace starting with the exit's facts), unless the
            // exit is already in such a copy.
            let copy = root.as_ref().is_some_and(|r| r.loop_head.is_none())
                && knows
                && parent.depth < s.config.max_side_chain
                && !(parent.start == head && parent.code.raw() == ctx.code.raw());
            let copied = if copy {
                grow(s, parent, idx, &ctx, (globals, builtins), head, true)
            } else {
                None
            };
            copied.or(root)
        }
        op::JUMP_BACKWARD => {
            // Not hot yet: try again later.
            reset_temperature(parent, idx);
            return;
        }
        _ if parent.depth + 1 > s.config.max_side_chain => None,
        // A side trace that starts where its parent did would only repeat it.
        _ if parent.root_at.is_none()
            && parent.start == target
            && parent.code.raw() == ctx.code.raw()
            && parent.contexts.first().map(|c| c.callers.len()) == Some(ctx.callers.len()) =>
        {
            None
        }
        _ => grow(s, parent, idx, &ctx, (globals, builtins), target, false),
    };
    match child {
        Some(c) => {
            // A loop's trace is entered at its loop copy's head when what
            // the exit knows implies what the loop copy assumes there.
            let at = loop_entry(parent, idx, &c, target);
            let linked = match (&parent.jit, &c.jit) {
                (Some(p), Some(e)) => p.link_exit_at(idx, e, at.map(|h| h as u32)).is_ok(),
                (None, None) => {
                    let slot = &parent.exits[idx as usize];
                    *slot.linked.borrow_mut() = Some(c.clone());
                    slot.linked_at.set(at.unwrap_or(0));
                    true
                }
                _ => false,
            };
            if linked {
                s.stats.side_links += 1;
                if at.is_some() {
                    s.stats.loop_entry_links += 1;
                }
                let direct = parent
                    .jit
                    .as_ref()
                    .and_then(|p| p.exit(idx).ok())
                    .is_some_and(|h| h.direct);
                dump::linked(parent.id, idx, c.id, target, at, direct);
            }
        }
        None => {
            if let Some(e) = parent.exits.get(idx as usize) {
                e.declined.set(true);
            }
        }
    }
}

/// Projects and installs a side trace for exit `idx` of `parent` (leaving
/// in the frame context `ctx`), starting at instruction `at` (speculating
/// there too if `speculate_start`). It is entered only through this exit:
/// it starts knowing what its parent knew there.
fn grow(
    s: &mut State,
    parent: &Trace,
    idx: u32,
    ctx: &FrameContext,
    (globals, builtins): (u64, u64),
    at: u32,
    speculate_start: bool,
) -> Option<Rc<Trace>> {
    let start = project::Start {
        at,
        backedge: None,
        speculate_start,
    };
    let facts = parent
        .exit_facts
        .get(idx as usize)
        .cloned()
        .unwrap_or_default();
    s.project_and_install(
        ctx,
        globals,
        builtins,
        start,
        parent.depth + 1,
        false,
        &facts,
    )
}

/// The uop of `child` (the root trace of the loop whose back edge
/// `target` is) that exit `idx` of `parent` may enter: the head of its
/// peeled loop when the exit leaves in the loop's frame (no inlined
/// callers on either side), knows everything the loop copy assumes there,
/// and the iterator under the loop is checked by the loop copy or by the
/// exit's trace ([`trace::loop_copy_enterable`]); `None` for the side
/// entry.
fn loop_entry(parent: &Trace, idx: u32, child: &Trace, target: u32) -> Option<usize> {
    let head = child.loop_head.as_ref()?;
    let ctx = parent.exit_context(idx)?;
    let same_frame = child.root_at == Some(target)
        && ctx.callers.is_empty()
        && child.contexts.first()?.callers.is_empty()
        && ctx.code.raw() == child.code.raw();
    let knows = parent.exit_facts.get(idx as usize)?;
    let checked = child
        .uops
        .first()
        .is_some_and(|g| trace::guards_iterator_before_exit(&parent.uops, idx, g));
    (same_frame
        && knows.implies(&head.facts)
        && trace::loop_copy_enterable(&child.uops, head.at, checked))
    .then_some(head.at)
}

fn reset_temperature(t: &Trace, idx: u32) {
    if let Some(e) = t.exits.get(idx as usize) {
        e.temperature.set(0);
    }
    if let Some(exe) = &t.jit {
        // SAFETY: idx < exit_count (checked by exit_targets' length); the
        // executor is alive (we hold its trace).
        unsafe {
            let h = exe.as_ptr();
            if idx < (*h).exit_count {
                (*(*h).exits.add(idx as usize)).temperature = 0;
            }
        }
    }
}

/// Invalidates the traces `take` removes from the dependency registry (the
/// dependents of a fact that is about to change; see [`deps`]). Safe while
/// any of them runs.
fn invalidate_dependents(take: impl FnOnce(&mut deps::Registry) -> Vec<Rc<Trace>>) {
    STATE.with(|st| {
        let Ok(mut guard) = st.try_borrow_mut() else {
            // Dicts change only while the VM runs Python code, never inside
            // a tier-2 state borrow (dropping a dict does not report).
            debug_assert!(false, "a watched dict changed inside tier 2");
            return;
        };
        let Some(s) = guard.as_mut() else {
            return;
        };
        let doomed = take(&mut s.deps);
        s.invalidate_dependents(&doomed);
    });
}

/// The exits of `t` linked now, with the trace each continues in:
/// `(exit index, trace id)`.
fn linked_exits(t: &Trace) -> Vec<(u32, u64)> {
    let mut out = Vec::new();
    for (k, slot) in t.exits.iter().enumerate() {
        let k = k as u32;
        let to = match &t.jit {
            Some(e) => e.exit(k).ok().and_then(|x| x.linked).map(|p| {
                // SAFETY: a linked executor is alive (the link holds a
                // reference); its vm_data is its trace, registered in the
                // state while it is valid.
                unsafe { (*((*p).vm_data as *const Trace)).id }
            }),
            None => slot.linked.borrow().as_ref().map(|c| c.id),
        };
        if let Some(to) = to {
            out.push((k, to));
        }
    }
    out
}

/// Invalidates every trace projected from `code` or inlining it (e.g. when
/// something they assumed about it changed).
pub fn invalidate_code(code: &Code) {
    with_state(|s| {
        let doomed: Vec<Rc<Trace>> = s
            .traces
            .iter()
            .filter(|t| {
                t.contexts
                    .iter()
                    .any(|c| std::ptr::eq(code_of(&c.code), code))
            })
            .cloned()
            .collect();
        for t in &doomed {
            s.invalidate(t);
        }
        s.collect();
    });
}

/// At exit: prints `--stats` (to stderr) if asked, then releases every
/// trace and the JIT.
pub fn finish(vm: &mut Vm) {
    let state = STATE.with(|s| s.borrow_mut().take());
    let Some(mut s) = state else {
        return;
    };
    // Nothing runs any more: the graveyard can go before counting.
    s.collect();
    s.stats.entries = entry::entries();
    s.stats.returns = entry::returns();
    for t in &s.traces {
        entry::fold_exits(&mut s.stats, t);
    }
    if s.config.stats {
        let mem = s.jit.as_ref().map(|j| j.memory_stats());
        let registration = s.jit.as_ref().map(|j| j.registration_time());
        let live = s.traces.len();
        s.stats.deps_registered = s.deps.registered;
        s.stats.deps_watched = s.deps.watched() as u64;
        s.stats.print(&s.config, live, mem.as_ref(), registration);
    }
    if dump::enabled() {
        for t in &s.traces {
            dump::final_links(t.id, &linked_exits(t));
        }
    }
    dump::finished(s.traces.len());
    dump::close();
    let all: Vec<Rc<Trace>> = s.traces.clone();
    for t in &all {
        s.invalidate(t);
    }
    s.graveyard.clear();
    drop(all);
    // SAFETY: the thread state is live; its parked executor is one of ours.
    unsafe { crate::jit::release_previous_executor(&mut *vm.ts) };
    drop(s);
    THRESHOLD.store(u32::MAX, Ordering::Relaxed);
    CALL_THRESHOLD.store(u32::MAX, Ordering::Relaxed);
}
