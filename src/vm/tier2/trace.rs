//! Installed traces: the uop list plus, in JIT mode, its executor; exit
//! state for the uop interpreter; links to side traces.

use crate::jit::{Executor, UopInstruction};
use crate::vm::obj::Obj;
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
    /// Set when no side trace can be built here (do not try again).
    pub declined: Cell<bool>,
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

/// A trace installed as an executor.
pub struct Trace {
    /// The uops: body, then exit and error stubs.
    pub uops: Vec<UopInstruction>,
    /// The code object (`CodeObj`) the trace was projected from; held so the
    /// constants the trace embeds stay alive.
    pub code: Obj,
    /// First bytecode instruction.
    pub start: u32,
    /// The `JUMP_BACKWARD` rewritten to `ENTER_EXECUTOR` for a root trace.
    pub root_at: Option<u32>,
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
    /// Frame contexts of the trace (index 0: the frame it is entered in, with
    /// the callers a side trace inherited from its parent).
    pub contexts: Vec<FrameContext>,
    /// The context each exit leaves in (an index into `contexts`).
    pub exit_contexts: Vec<u32>,
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
        FREED.fetch_add(1, Ordering::Relaxed);
    }
}
