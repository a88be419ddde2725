//! Tier 2 (trace projection, optimizer, uop interpreter, JIT glue).
//!
//! Placeholder: the tier-1 interpreter calls [`on_hot_backedge`] when a
//! `JUMP_BACKWARD` counter passes [`BACKEDGE_THRESHOLD`]. Until tier 2 exists it
//! returns `None` ("no executor") and tier 1 carries on.

use crate::abi::layout::{Executor, Frame};
use crate::vm::interp::Vm;

/// Number of back-edge executions before tier 2 is asked for an executor.
pub const BACKEDGE_THRESHOLD: u32 = 16;

/// Called when the `JUMP_BACKWARD` at `instr` (index in the frame's code)
/// became hot. Returns an executor to enter (its reference is owned by the
/// caller), or `None` to keep interpreting. When an executor is returned the
/// interpreter is expected to rewrite the instruction to `ENTER_EXECUTOR`.
pub fn on_hot_backedge(_vm: &mut Vm, _frame: *mut Frame, _instr: u32) -> Option<*mut Executor> {
    None
}
