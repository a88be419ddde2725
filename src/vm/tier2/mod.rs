//! Tier 2 (trace projection, optimizer, uop interpreter, JIT glue).
//!
//! Placeholder: the tier-1 interpreter calls [`on_hot_backedge`] when a
//! `JUMP_BACKWARD` counter passes [`BACKEDGE_THRESHOLD`]. Until tier 2 exists it
//! returns `None` ("no executor") and tier 1 carries on.

use crate::abi::layout::{status, Executor, Frame};
use crate::vm::interp::Vm;

/// Number of back-edge executions before tier 2 is asked for an executor.
pub const BACKEDGE_THRESHOLD: u32 = 16;

/// Called when the `JUMP_BACKWARD` at `instr` (index in the frame's code)
/// became hot. Returns an executor to enter (its reference is owned by the
/// caller), or `None` to keep interpreting. When an executor is returned the
/// interpreter is expected to rewrite the instruction to `ENTER_EXECUTOR`.
///
/// Once installed, the back edge becomes `ENTER_EXECUTOR` (its oparg keeps the
/// loop head; its inline cache holds the executor reference) and every later
/// iteration calls [`execute`] with `frame.instr` = the loop head.
pub fn on_hot_backedge(_vm: &mut Vm, _frame: *mut Frame, _instr: u32) -> Option<*mut Executor> {
    None
}

/// Runs `executor` on `frame`, whose `instr` and `stack_pointer` are exact.
///
/// Returns an `abi::layout::status`. On return the executor has left the same
/// frame consistent: `frame.instr` is where tier 1 resumes (for `ERROR`: the
/// index of the instruction that raised, with the exception in
/// `vm.pending_error`) and `frame.stack_pointer` is the value-stack top.
pub fn execute(_vm: &mut Vm, _executor: *mut Executor, _frame: *mut Frame) -> i64 {
    status::EXIT
}

/// Called after [`execute`] returned `HOT_EXIT` (`ThreadState::exit_executor`
/// and `exit_index` name the exit): tier 2 may build and link a side trace.
pub fn on_hot_exit(_vm: &mut Vm, _frame: *mut Frame) {}

/// Drops the tier-1 reference to an executor that was installed by
/// [`on_hot_backedge`] (it became invalid, or its code object died).
pub fn release_executor(_executor: *mut Executor) {}
