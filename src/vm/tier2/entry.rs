//! The round trip between tier 1 and an executor: [`enter_executor`] runs
//! the trace an `ENTER_EXECUTOR` names and tells tier 1 how to go on.
//!
//! A loop inside a function called a million times is entered and left a
//! million times, so this path is kept to plain loads and stores:
//!
//! * no borrow of the tier-2 state ([`super::with_state`]) unless something
//!   rare happens (an error, a hot exit worth a side trace, a trace to free);
//! * no reference-count traffic on the trace: the activation record below
//!   keeps an invalidated trace in the graveyard while it may run;
//! * no hashing or allocation: exits are counted in their
//!   [`ExitSlot::taken`](super::trace::ExitSlot::taken) and entries in a
//!   thread-local counter, both folded into [`Stats`] only for the report;
//! * an exit whose side trace was declined costs what a cold exit costs,
//!   however often it is hot.
//!
//! ## Activations
//!
//! Each call of [`enter_executor`] pushes an [`Activation`] (the code object
//! whose frame it runs) on an intrusive list threaded through the Rust stack.
//! [`super::State::collect`] frees an invalidated trace only when no
//! activation of its code (or of a caller it inlined into) is on the list:
//! only such an activation can be running it, directly or through a side
//! exit linked to it. That is also what keeps the trace an activation runs,
//! and the trace it leaves from, alive without a reference count.

use super::stats::Stats;
use super::trace::Trace;
use super::{caches_of, hot_exit, rewrite, uop_interp, with_state};
use crate::abi::layout::{status, Frame, ThreadState};
use crate::vm::bytecode::{encode, op, oparg, Code};
use crate::vm::error::{err, ExcKind, PyErr};
use crate::vm::interp::Vm;
use std::cell::Cell;
use std::ptr;
use std::rc::Rc;

/// One [`enter_executor`] activation on this thread's stack.
struct Activation {
    /// The code whose frame the activation runs a trace on.
    code: *const Code,
    /// The activation this one runs inside, or null.
    outer: *const Activation,
}

thread_local! {
    /// The innermost activation, or null.
    static INNERMOST: Cell<*const Activation> = const { Cell::new(ptr::null()) };
    /// Entries into executors from tier 1 since [`reset`].
    static ENTRIES: Cell<u64> = const { Cell::new(0) };
    /// Returns to tier 1 through `_RETURN` (status `RETURNED`) since [`reset`].
    static RETURNS: Cell<u64> = const { Cell::new(0) };
    /// Whether the graveyard may hold a trace to free (see [`set_graveyard`]).
    static GRAVEYARD: Cell<bool> = const { Cell::new(false) };
}

/// Runs `f` with an activation of `code` on the list.
#[inline(always)]
fn with_activation<R>(code: *const Code, f: impl FnOnce() -> R) -> R {
    /// Pops the activation, also if `f` unwinds.
    struct Pop(*const Activation);
    impl Drop for Pop {
        fn drop(&mut self) {
            INNERMOST.with(|h| h.set(self.0));
        }
    }
    let node = Activation {
        code,
        outer: INNERMOST.with(Cell::get),
    };
    INNERMOST.with(|h| h.set(&node));
    let _pop = Pop(node.outer);
    f()
}

/// The code objects (`*const Code` as `usize`) of the activations on the
/// stack, innermost first.
pub(super) fn active_codes() -> Vec<usize> {
    let mut out = Vec::new();
    let mut a = INNERMOST.with(Cell::get);
    while !a.is_null() {
        // SAFETY: every node on the list lives in a `with_activation` frame
        // that is still on the stack (it unlinks itself before returning).
        unsafe {
            out.push((*a).code as usize);
            a = (*a).outer;
        }
    }
    out
}

/// Zeroes the counters (a new run starts).
pub(super) fn reset() {
    ENTRIES.with(|e| e.set(0));
    RETURNS.with(|r| r.set(0));
    GRAVEYARD.with(|g| g.set(false));
}

/// Entries into executors from tier 1 since [`reset`].
pub(super) fn entries() -> u64 {
    ENTRIES.with(Cell::get)
}

/// Returns to tier 1 through `_RETURN` since [`reset`].
pub(super) fn returns() -> u64 {
    RETURNS.with(Cell::get)
}

/// Notes whether the graveyard holds traces, so that leaving an executor
/// looks for traces to free only when there may be some.
pub(super) fn set_graveyard(nonempty: bool) {
    GRAVEYARD.with(|g| g.set(nonempty));
}

/// Moves the exit counts of `t` into `stats` (and zeroes them, so a trace
/// folded twice is counted once).
pub(super) fn fold_exits(stats: &mut Stats, t: &Trace) {
    for (k, (slot, &target)) in t.exits.iter().zip(&t.exit_targets).enumerate() {
        let n = slot.taken.replace(0);
        if n > 0 {
            // The code of the frame the exit leaves in (an inlined callee's).
            let owner = t.exit_context(k as u32).map_or(&t.code, |c| &c.code);
            stats.add_exits(super::code_of(owner), target, n);
        }
    }
}

/// What [`enter_executor`] did.
pub enum Entered {
    /// The trace ran and exited (or returned: `frame.instr` is then the
    /// `RETURN_VALUE`): resume tier 1 in the thread's current frame at
    /// `frame.instr` with the stack at `frame.stack_pointer`.
    Resume,
    /// The trace ran and raised: unwind from `frame.instr` (one past the
    /// failing instruction), stack at `frame.stack_pointer`.
    Error(Box<PyErr>),
    /// No valid executor here (the instruction is `JUMP_BACKWARD` again):
    /// carry on as `JUMP_BACKWARD`.
    NotEntered,
}

/// Runs the executor installed at `ENTER_EXECUTOR` `instr` of `frame`'s
/// code, with the stack at `frame.stack_pointer`.
///
/// # Safety
/// `frame` is the live frame tier 1 is running (on this thread's VM), saved
/// (`instr`, `stack_pointer`), and `instr` is an `ENTER_EXECUTOR` of its code.
#[inline(never)]
pub unsafe fn enter_executor(vm: &mut Vm, frame: *mut Frame, instr: u32) -> Entered {
    // SAFETY: frame is tier 1's live frame; its code outlives it.
    let code = unsafe { &*((*frame).code as *const Code) };
    // SAFETY: instr < caches.len() (one cache per instruction).
    let p = unsafe { (*caches_of(code).add(instr as usize)).version } as *const Trace;
    // SAFETY: a non-null version of an ENTER_EXECUTOR is a trace registered
    // in the state (invalidation zeroes it before the trace can be freed).
    let Some(trace) = (unsafe { p.as_ref() }).filter(|t| t.valid.get()) else {
        return not_entered(code, instr);
    };
    // SAFETY: the caller's contract; `trace` is valid and registered.
    unsafe { run_trace(vm, frame, code, trace, p) }
}

/// Runs the function-entry trace of the code of `frame`, a frame tier 1
/// just pushed for a call (at instruction 0, arguments bound, saved).
/// [`Entered::NotEntered`] if the code has none (any more).
///
/// # Safety
/// `frame` is the live top frame tier 1 runs (on this thread's VM), saved.
#[inline(never)]
pub unsafe fn enter_function(vm: &mut Vm, frame: *mut Frame) -> Entered {
    // SAFETY: frame is tier 1's live frame; its code outlives it.
    let code = unsafe { &*((*frame).code as *const Code) };
    let p = code.entry.trace.get() as *const Trace;
    // SAFETY: a non-null entry trace is registered in the state
    // (invalidation clears the slot before the trace can be freed).
    let Some(trace) = (unsafe { p.as_ref() }).filter(|t| t.valid.get()) else {
        return Entered::NotEntered;
    };
    // SAFETY: the caller's contract; `trace` is valid and registered.
    unsafe { run_trace(vm, frame, code, trace, p) }
}

/// Runs the valid registered trace `trace` (at `p`) of `code` on `frame`
/// under an activation of `code`.
///
/// # Safety
/// As for [`enter_executor`]; `trace` was projected for `frame`'s code and
/// its current position.
#[inline(always)]
unsafe fn run_trace(
    vm: &mut Vm,
    frame: *mut Frame,
    code: &Code,
    trace: &Trace,
    p: *const Trace,
) -> Entered {
    ENTRIES.with(|e| e.set(e.get() + 1));
    let entered = match &trace.jit {
        // SAFETY: the caller's contract; the activation keeps `trace` (and
        // any trace it exits from) alive until the closure returns.
        Some(exe) => with_activation(code, || unsafe { run_jit(vm, frame, exe) }),
        // SAFETY: as above.
        None => with_activation(code, || unsafe { run_uops(vm, frame, p) }),
    };
    if GRAVEYARD.with(Cell::get) {
        collect();
    }
    entered
}

/// The instruction holds no valid executor: it goes back to `JUMP_BACKWARD`.
#[cold]
#[inline(never)]
fn not_entered(code: &Code, instr: u32) -> Entered {
    if let Some(&w) = code.words().get(instr as usize) {
        rewrite(code, instr, encode(op::JUMP_BACKWARD, oparg(w)));
    }
    Entered::NotEntered
}

/// Frees the invalidated traces no activation can be running any more.
#[cold]
#[inline(never)]
fn collect() {
    with_state(super::State::collect);
}

/// Runs the native executor `exe` on `frame` and handles how it left.
///
/// # Safety
/// As for [`enter_executor`]; `exe` is the executor of a valid trace of
/// `frame`'s code, and an activation of that code is on the list.
#[inline(always)]
unsafe fn run_jit(vm: &mut Vm, frame: *mut Frame, exe: &crate::jit::Executor) -> Entered {
    let ts: *mut ThreadState = &mut *vm.ts;
    // SAFETY: frame and the thread state are live.
    unsafe {
        (*ts).exit_executor = ptr::null_mut();
        let sp = (*frame).stack_pointer;
        // The stack, frame and thread state are what the trace's code
        // expects (it was projected for this code).
        let Ok(st) = exe.enter(frame, sp, ts) else {
            return Entered::NotEntered;
        };
        // The trace may have left in a frame it pushed (an inlined call).
        let frame = (*ts).current_frame;
        if st == status::ERROR {
            return take_error(frame);
        }
        if st == status::RETURNED {
            RETURNS.with(|r| r.set(r.get() + 1));
            return Entered::Resume;
        }
        let e = (*ts).exit_executor;
        if !e.is_null() {
            // An exit stub stored its own executor, which is alive (the
            // trampoline parked a reference, or a link holds one); its
            // vm_data is its trace, which the activation keeps (null once
            // the trace is gone).
            let t = (*e).vm_data as *const Trace;
            if !t.is_null() {
                left_by_exit(vm, frame, st, t, (*ts).exit_index);
            }
        }
    }
    Entered::Resume
}

/// Runs the trace `p` in the uop interpreter on `frame` and handles how it
/// left.
///
/// # Safety
/// As for [`enter_executor`]; `p` is a valid trace of `frame`'s code, and
/// an activation of that code is on the list.
#[inline(never)]
unsafe fn run_uops(vm: &mut Vm, frame: *mut Frame, p: *const Trace) -> Entered {
    // SAFETY: `p` is a live registered trace; the uop interpreter holds its
    // own reference while it runs; frame and the thread state are live.
    let o = unsafe {
        Rc::increment_strong_count(p);
        let sp = (*frame).stack_pointer;
        uop_interp::run(Rc::from_raw(p), frame, sp, &mut *vm.ts)
    };
    with_state(|s| s.stats.uops_executed += o.uops);
    // The trace may have left in a frame it pushed (an inlined call).
    let frame = vm.ts.current_frame;
    if o.status == status::ERROR {
        return take_error(frame);
    }
    if o.status == status::RETURNED {
        RETURNS.with(|r| r.set(r.get() + 1));
    }
    if let Some((t, idx)) = o.exit {
        // SAFETY: the pointer stays valid after the Rc goes: the trace is
        // registered, or in the graveyard under this activation.
        unsafe { left_by_exit(vm, frame, o.status, Rc::as_ptr(&t), idx) };
    }
    Entered::Resume
}

/// Counts exit `idx` of `t` and, if it got hot, lets it grow a side trace.
///
/// # Safety
/// `t` is alive (registered, or in the graveyard under an activation of its
/// code); `frame` is live.
#[inline(always)]
unsafe fn left_by_exit(vm: &mut Vm, frame: *mut Frame, st: i64, t: *const Trace, idx: u32) {
    // SAFETY: the caller's contract.
    let tr = unsafe { &*t };
    if let Some(slot) = tr.exits.get(idx as usize) {
        slot.taken.set(slot.taken.get() + 1);
        // A declined exit stays hot without costing more than a cold one.
        if st == status::HOT_EXIT && !slot.declined.get() {
            // SAFETY: as above.
            unsafe { grow_side_trace(vm, frame, t, idx) };
        }
    }
}

/// Exit `idx` of `t` got hot: [`hot_exit`] links it to a side trace (or
/// marks it declined).
///
/// # Safety
/// As for [`left_by_exit`].
#[cold]
#[inline(never)]
unsafe fn grow_side_trace(vm: &mut Vm, frame: *mut Frame, t: *const Trace, idx: u32) {
    // SAFETY: the caller's contract: `t` is alive, `frame` is live.
    let (parent, globals) = unsafe {
        Rc::increment_strong_count(t);
        (Rc::from_raw(t), (*frame).globals as u64)
    };
    let builtins = vm.builtins.raw();
    with_state(|s| {
        s.stats.hot_exits += 1;
        hot_exit(s, &parent, idx, globals, builtins);
        if parent.declined(idx) {
            s.stats.exits_declined += 1;
        }
    });
}

/// The error a trace left (see [`super::Pending`]), with `frame` set up
/// for tier 1 to unwind or resume.
#[cold]
#[inline(never)]
fn take_error(frame: *mut Frame) -> Entered {
    match with_state(|s| s.pending.take()).flatten() {
        Some(p) => {
            // SAFETY: frame is live.
            unsafe {
                (*frame).instr = p.instr;
                (*frame).stack_pointer = p.sp;
            }
            match p.error {
                Some(e) => Entered::Error(e),
                None => Entered::Resume,
            }
        }
        None => Entered::Error(err(
            ExcKind::RuntimeError,
            "tier 2: a trace failed without an exception",
        )),
    }
}
