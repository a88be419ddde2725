//! Installed traces: the uop list plus, in JIT mode, its executor; exit
//! state for the uop interpreter; links to side traces.

use crate::jit::{Executor, UopInstruction};
use crate::vm::obj::Obj;
use crate::vm::tier2::deps::Dep;
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
    /// Times the exit was taken back to tier 1 (both modes), not yet
    /// folded into the `--stats` counts.
    pub taken: Cell<u64>,
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
}

impl Trace {
    /// Whether the exit `index` was marked as not worth a side trace.
    pub fn declined(&self, index: u32) -> bool {
        self.exits
            .get(index as usize)
            .is_some_and(|e| e.declined.get())
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
