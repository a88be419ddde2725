//! Installed traces: the uop list plus, in JIT mode, its executor; exit
//! state for the uop interpreter; links to side traces.

use crate::abi::uop::Uop;
use crate::jit::{Executor, UopInstruction};
use crate::vm::bytecode::Code;
use crate::vm::obj::Obj;
use crate::vm::tier2::deps::Dep;
use crate::vm::types::CodeObj;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};

/// Traces dropped so far (for `--stats`).
pub static FREED: AtomicU64 = AtomicU64::new(0);

/// One exit's state in uops mode (the JIT keeps its own in the executor).
#[derive(Default)]
pub struct ExitSlot {
    /// Cold hits since the exit was last linked or unlinked.
    pub temperature: Cell<u32>,
    /// The side trace this exit continues in.
    pub linked: RefCell<Option<Rc<Trace>>>,
    /// The uop of the linked trace the exit continues at (0, or the head
    /// of its peeled loop; see [`Trace::loop_head`]).
    pub linked_at: Cell<usize>,
    /// Set when no side trace can be built here (do not try again).
    pub declined: Cell<bool>,
    /// Times the exit was taken back to tier 1 (both modes), not yet
    /// folded into the `--stats` counts.
    pub taken: Cell<u64>,
}

/// A frame under another one that a trace knows statically (it pushed the
/// frame above by inlining a call): its code, and where it resumes when the
/// frame above returns.
#[derive(Clone)]
pub struct Caller {
    /// The frame's code object (`CodeObj`).
    pub code: Obj,
    /// The instruction after its call.
    pub return_to: u32,
}

/// The frames a trace is in at some point: the code of the frame the trace
/// runs in there, and the callers it knows under it (outermost first).
/// Exits name theirs by index in [`Trace::contexts`] (their `operand`).
#[derive(Clone)]
pub struct FrameContext {
    /// Code object (`CodeObj`) of the current frame.
    pub code: Obj,
    /// The inlined callers under it, outermost first.
    pub callers: Vec<Caller>,
}

impl FrameContext {
    /// The `Code` of the context's frame.
    pub fn code(&self) -> &Code {
        // SAFETY: frame contexts only ever hold CODE objects.
        unsafe { &crate::vm::obj::cast::<CodeObj>(self.code.raw()).code }
    }
}

/// Index of the body's terminator: the first uop that leaves the body
/// (a jump back, an exit, a deopt or an error stub); the stubs follow it.
/// `None` for a trace without one.
pub fn body_end(uops: &[UopInstruction]) -> Option<usize> {
    uops.iter().position(|u| ends_path(u.opcode))
}

/// The number of exits of `uops` (one past the highest exit index).
pub fn exit_count(uops: &[UopInstruction]) -> usize {
    uops.iter()
        .filter(|u| u.opcode == Uop::EXIT_TRACE)
        .map(|u| u.exit_index as usize + 1)
        .max()
        .unwrap_or(0)
}

/// Whether a uop never continues with the uop after it (a jump back, an
/// exit, a deopt, an error stub or a return).
pub fn ends_path(op: Uop) -> bool {
    matches!(
        op,
        Uop::JUMP_TO_TOP
            | Uop::JUMP_TO_LOOP
            | Uop::EXIT_TRACE
            | Uop::DEOPT
            | Uop::ERROR_POP_N
            | Uop::RETURN
            | Uop::RETURN_CLEAN
            | Uop::RETURN_LOCAL_INT
            | Uop::RETURN_LOCAL
            | Uop::RETURN_CLEAN_ALONE
            | Uop::RETURN_LOCAL_INT_ALONE
            | Uop::RETURN_LOCAL_CHECKED
    )
}

/// The code each uop of `uops` (a trace with frame contexts `contexts`) runs
/// in: the body follows its `_PUSH_FRAME`s and `_POP_FRAME`s from the entry
/// context; stubs run in the context their exit names (its `operand`), and
/// the boxing stubs before an exit in that exit's.
pub fn codes_per_uop<'a>(uops: &[UopInstruction], contexts: &'a [FrameContext]) -> Vec<&'a Code> {
    let Some(entry) = contexts.first() else {
        return Vec::new();
    };
    let ctx_code = |k: u64| contexts.get(k as usize).unwrap_or(entry).code();
    let mut frames: Vec<&Code> = entry.callers.iter().map(|c| code_of(&c.code)).collect();
    frames.push(entry.code());
    let body_end = body_end(uops).unwrap_or(uops.len());
    let mut out = Vec::with_capacity(uops.len());
    for (k, u) in uops.iter().enumerate() {
        let here = frames.last().copied().unwrap_or(entry.code());
        let c = match u.opcode {
            Uop::EXIT_TRACE
            | Uop::DEOPT
            | Uop::ERROR_POP_N
            | Uop::RETURN_LOCAL_INT
            | Uop::RETURN_LOCAL_INT_ALONE
            | Uop::RETURN_LOCAL_CHECKED
            | Uop::RETURN_LOCAL => ctx_code(u.operand),
            _ if k > body_end => uops[k..]
                .iter()
                .find(|x| matches!(x.opcode, Uop::EXIT_TRACE | Uop::DEOPT | Uop::ERROR_POP_N))
                .map_or(here, |x| ctx_code(x.operand)),
            _ => here,
        };
        out.push(c);
        match u.opcode {
            op if op.is_frame_push() => {
                let callee = contexts
                    .iter()
                    .find(|c| &c.code().entry as *const _ as u64 == u.operand)
                    .map_or(here, FrameContext::code);
                frames.push(callee);
            }
            op if op.is_frame_pop() => {
                frames.pop();
            }
            _ => {}
        }
    }
    out
}

/// Whether other traces may enter `uops` (an optimized trace) at `head`,
/// the head of its peeled loop (see [`Trace::loop_head`]), as far as the
/// stack goes: what the loop copy assumes of the locals is
/// [`LoopHead::facts`](crate::vm::tier2::local_facts::LoopHead), which the
/// caller checks. A loop copy that dropped the preamble's list or tuple
/// iterator guard (`peel`) is entered elsewhere only if the entering exit
/// checked the iterator itself (`iterator_checked`, see
/// [`guards_iterator_before_exit`]): the iterator under the loop is on the
/// stack, which exit facts do not cover, and a trace entering from
/// elsewhere may hold another kind of iterator.
pub fn loop_copy_enterable(uops: &[UopInstruction], head: usize, iterator_checked: bool) -> bool {
    let Some(end) = body_end(uops) else {
        return false;
    };
    if uops[end].opcode != Uop::JUMP_TO_LOOP || head >= end {
        return false;
    }
    let iter_guards = |uops: &[UopInstruction]| {
        uops.iter()
            .filter(|u| matches!(u.opcode, Uop::GUARD_ITER_LIST | Uop::GUARD_ITER_TUPLE))
            .count()
    };
    iterator_checked || iter_guards(&uops[..head]) <= iter_guards(&uops[head..end])
}

/// Whether exit `idx` of `uops` (an optimized trace) is taken only after
/// the trace checked the iterator on the top of the stack as `guard` (a
/// loop trace's first uop, a `_GUARD_ITER_*` of the loop's `FOR_ITER`)
/// does: the exit is the body's end and nothing else leaves through it
/// (every body uop ran before it), the body runs in one frame (no frame
/// push or pop), and every uop of the body at the loop's `FOR_ITER` is
/// that guard or the iteration it guards, at least one being the guard.
/// So the last iterator the trace made or met there was checked, and it
/// stays under the loop's stack up to its back edge (`peel`'s invariant).
pub fn guards_iterator_before_exit(
    uops: &[UopInstruction],
    idx: u32,
    guard: &UopInstruction,
) -> bool {
    let iterate = match guard.opcode {
        Uop::GUARD_ITER_LIST => Uop::FOR_ITER_LIST,
        Uop::GUARD_ITER_TUPLE => Uop::FOR_ITER_TUPLE,
        _ => return false,
    };
    let Some(end) = body_end(uops) else {
        return false;
    };
    let last = uops[end];
    let only_way = last.opcode == Uop::EXIT_TRACE
        && last.exit_index == idx
        && uops.iter().enumerate().all(|(k, u)| {
            k == end
                || (u.jump_target as usize != end
                    && u.error_target as usize != end
                    && !(u.opcode == Uop::EXIT_TRACE && u.exit_index == idx))
        });
    let body = &uops[..end];
    let one_frame = !body
        .iter()
        .any(|u| u.opcode.is_frame_push() || u.opcode.is_frame_pop());
    let at_loop: Vec<&UopInstruction> = body.iter().filter(|u| u.target == guard.target).collect();
    let only_guarded = at_loop.iter().all(|u| {
        (u.opcode == guard.opcode && u.operand == guard.operand)
            || matches!(u.opcode, Uop::NOP)
            || u.opcode == iterate
    });
    let guarded = at_loop
        .iter()
        .any(|u| u.opcode == guard.opcode && u.operand == guard.operand);
    only_way && one_frame && only_guarded && guarded
}

fn code_of(o: &Obj) -> &Code {
    // SAFETY: frame contexts only ever hold CODE objects.
    unsafe { &crate::vm::obj::cast::<CodeObj>(o.raw()).code }
}

/// A trace installed as an executor.
pub struct Trace {
    /// The trace's number in this run (1, 2, ... in projection order), as
    /// `--dump-traces` names it.
    pub id: u64,
    /// The uops: body, then exit and error stubs.
    pub uops: Vec<UopInstruction>,
    /// The code object (`CodeObj`) the trace was projected from; held so the
    /// constants the trace embeds stay alive.
    pub code: Obj,
    /// First bytecode instruction.
    pub start: u32,
    /// The `JUMP_BACKWARD` rewritten to `ENTER_EXECUTOR` for a root trace.
    pub root_at: Option<u32>,
    /// A function-entry trace: installed in its code's
    /// [`crate::vm::bytecode::EntrySlot`], entered at every call.
    pub function_entry: bool,
    /// Side-trace chain depth (0 for roots).
    pub depth: u32,
    /// Cleared by invalidation.
    pub valid: Cell<bool>,
    /// The native executor (JIT mode).
    pub jit: Option<Executor>,
    /// Exit states for the uop interpreter, by exit index.
    pub exits: Vec<ExitSlot>,
    /// Bytecode target of each exit.
    pub exit_targets: Vec<u32>,
    /// What the trace assumed (registered with [`crate::vm::tier2::deps`]
    /// while it is valid).
    pub deps: Vec<Dep>,
    /// Objects the uops embed besides the code's constants (baked globals),
    /// kept alive for as long as the trace is.
    pub consts: Vec<Obj>,
    /// Frame contexts of the trace (index 0: the frame it is entered in, with
    /// the callers a side trace inherited from its parent).
    pub contexts: Vec<FrameContext>,
    /// The context each exit leaves in (an index into `contexts`).
    pub exit_contexts: Vec<u32>,
    /// What the optimizer knew of the locals at each exit, by exit index:
    /// what a side trace grown from it starts knowing.
    pub exit_facts: Vec<crate::vm::tier2::local_facts::LocalFacts>,
    /// A peeled loop's head: exits of other traces whose facts imply what
    /// it assumes are linked there rather than to the preamble.
    pub loop_head: Option<crate::vm::tier2::local_facts::LoopHead>,
}

impl Trace {
    /// Whether the exit `index` was marked as not worth a side trace.
    pub fn declined(&self, index: u32) -> bool {
        self.exits
            .get(index as usize)
            .is_some_and(|e| e.declined.get())
    }

    /// The frame context exit `index` leaves in.
    pub fn exit_context(&self, index: u32) -> Option<&FrameContext> {
        let c = *self.exit_contexts.get(index as usize)?;
        self.contexts.get(c as usize)
    }
}

impl Drop for Trace {
    fn drop(&mut self) {
        if let Some(e) = &self.jit {
            // SAFETY: our handle keeps the header alive; vm_data pointed at
            // this trace, which is going away.
            unsafe { (*e.as_ptr()).vm_data = std::ptr::null_mut() };
        }
        FREED.fetch_add(1, Ordering::Relaxed);
        super::dump::freed(self.id, self.jit.as_ref().map(|e| e.as_ptr() as u64));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trace(ops: &[Uop]) -> Vec<UopInstruction> {
        ops.iter().map(|&o| UopInstruction::new(o)).collect()
    }

    /// A peeled loop ends at its `_JUMP_TO_LOOP`, not at the first stub
    /// after it (the dump used to count that stub as body).
    #[test]
    fn the_body_ends_at_its_first_terminator() {
        let peeled = trace(&[
            Uop::LOAD_FAST,
            Uop::LOAD_FAST,
            Uop::JUMP_TO_LOOP,
            Uop::EXIT_TRACE,
            Uop::DEOPT,
        ]);
        assert_eq!(body_end(&peeled), Some(2));
        let closed = trace(&[Uop::LOAD_FAST, Uop::JUMP_TO_TOP, Uop::ERROR_POP_N]);
        assert_eq!(body_end(&closed), Some(1));
        assert_eq!(body_end(&trace(&[Uop::LOAD_FAST, Uop::POP_TOP])), None);
    }

    /// A loop copy is entered from elsewhere only if it checks everything
    /// its preamble checked that exit facts do not cover: a list loop's
    /// copy without its iterator guard (`peel` drops it) is not; a range
    /// loop's, or a copy that kept the guard, is.
    #[test]
    fn a_loop_copy_without_its_iterator_guard_is_not_entered_elsewhere() {
        let peeled = |guard: Uop, again: Uop| {
            let mut t = trace(&[
                guard,
                Uop::FOR_ITER_LIST,
                Uop::STORE_FAST,
                again,
                Uop::FOR_ITER_LIST,
                Uop::STORE_FAST,
                Uop::JUMP_TO_LOOP,
                Uop::EXIT_TRACE,
            ]);
            t[6].jump_target = 3;
            t
        };
        for guard in [Uop::GUARD_ITER_LIST, Uop::GUARD_ITER_TUPLE] {
            assert!(!loop_copy_enterable(&peeled(guard, Uop::NOP), 3, false));
            assert!(loop_copy_enterable(&peeled(guard, Uop::NOP), 3, true));
            assert!(loop_copy_enterable(&peeled(guard, guard), 3, false));
        }
        let range = peeled(Uop::GUARD_ITER_RANGE, Uop::GUARD_ITER_RANGE);
        assert!(loop_copy_enterable(&range, 3, false));
        assert!(!loop_copy_enterable(&range, 6, true));
    }

    /// An exit proves a list loop's iterator only when every way to it ran
    /// that loop's guard of the same kind, in one frame, and the loop's
    /// `FOR_ITER` ran nowhere unguarded.
    #[test]
    fn an_exit_guards_the_iterator_only_after_the_same_guard() {
        let guard = UopInstruction::new(Uop::GUARD_ITER_LIST)
            .operand(0x22)
            .target(4);
        let parent = |ops: &[(Uop, u32)]| {
            let mut t: Vec<UopInstruction> = ops
                .iter()
                .map(|&(op, target)| UopInstruction::new(op).operand(0x22).target(target))
                .collect();
            t.push(UopInstruction::new(Uop::EXIT_TRACE).target(12));
            t
        };
        let good = [
            (Uop::GET_ITER_LIST, 3),
            (Uop::GUARD_ITER_LIST, 4),
            (Uop::FOR_ITER_LIST, 4),
            (Uop::STORE_FAST, 5),
        ];
        assert!(guards_iterator_before_exit(&parent(&good), 0, &guard));
        // Another exit, a tuple's guard, no guard, an unguarded FOR_ITER.
        assert!(!guards_iterator_before_exit(&parent(&good), 1, &guard));
        let tuple = UopInstruction::new(Uop::GUARD_ITER_TUPLE)
            .operand(0x22)
            .target(4);
        assert!(!guards_iterator_before_exit(&parent(&good), 0, &tuple));
        assert!(!guards_iterator_before_exit(&parent(&good[2..]), 0, &guard));
        let helper = [good[0], good[1], good[2], (Uop::CALL_HELPER, 4), good[3]];
        assert!(!guards_iterator_before_exit(&parent(&helper), 0, &guard));
        // A frame push in the body, or a guard jumping to the exit.
        let mut pushed = parent(&good);
        pushed.insert(0, UopInstruction::new(Uop::PUSH_FRAME));
        assert!(!guards_iterator_before_exit(&pushed, 0, &guard));
        let mut jumps = parent(&good);
        jumps[1].jump_target = 4;
        assert!(!guards_iterator_before_exit(&jumps, 0, &guard));
    }
}
