//! The emitter's input: a trace of uop instructions.

use crate::jit::error::JitError;
use cpjit_abi::uop::Uop;

/// One instruction of a trace, as CPython's `_PyUOpInstruction`.
///
/// `#[repr(C)]`: the emitter checks the targets of a whole trace with one
/// vector maximum per instruction over `target..=exit_index`, 16 bytes
/// without padding (see `TargetMax`).
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UopInstruction {
    /// The micro-op.
    pub opcode: Uop,
    /// Its small argument (`_JIT_OPARG`).
    pub oparg: u32,
    /// Its 64-bit operand (`_JIT_OPERAND`), e.g. a constant's tagged value.
    pub operand: u64,
    /// Bytecode index to resume the interpreter at (`_JIT_TARGET`).
    pub target: u32,
    /// Index, in this trace, of the uop that guard failures continue at
    /// (`_JIT_JUMP_TARGET`).
    pub jump_target: u32,
    /// Index, in this trace, of the uop that errors continue at
    /// (`_JIT_ERROR_TARGET`).
    pub error_target: u32,
    /// Index into the executor's exits (`_JIT_EXIT_INDEX`).
    pub exit_index: u32,
}

impl UopInstruction {
    /// An instruction with every argument zero.
    pub const fn new(opcode: Uop) -> Self {
        UopInstruction {
            opcode,
            oparg: 0,
            operand: 0,
            target: 0,
            jump_target: 0,
            error_target: 0,
            exit_index: 0,
        }
    }

    /// Sets `oparg`.
    pub const fn oparg(mut self, oparg: u32) -> Self {
        self.oparg = oparg;
        self
    }

    /// Sets `operand`.
    pub const fn operand(mut self, operand: u64) -> Self {
        self.operand = operand;
        self
    }

    /// Sets `target`.
    pub const fn target(mut self, target: u32) -> Self {
        self.target = target;
        self
    }

    /// Sets `jump_target`.
    pub const fn jump_target(mut self, jump_target: u32) -> Self {
        self.jump_target = jump_target;
        self
    }

    /// Sets `error_target`.
    pub const fn error_target(mut self, error_target: u32) -> Self {
        self.error_target = error_target;
        self
    }

    /// Sets `exit_index`.
    pub const fn exit_index(mut self, exit_index: u32) -> Self {
        self.exit_index = exit_index;
        self
    }
}

/// Number of exits a trace needs: one more than the largest `exit_index` of
/// its `_EXIT_TRACE` instructions, or 0. Returns each exit's bytecode target
/// (the `target` of the `_EXIT_TRACE` naming it). An exit index must be
/// smaller than the trace's length (every exit has its own `_EXIT_TRACE`).
pub fn exit_targets(trace: &[UopInstruction]) -> Result<Vec<u32>, JitError> {
    let mut targets = Vec::new();
    for ins in trace.iter().filter(|i| i.opcode == Uop::EXIT_TRACE) {
        let i = ins.exit_index as usize;
        if i >= trace.len() {
            return Err(JitError::BadExitIndex {
                index: ins.exit_index,
                count: trace.len() as u32,
            });
        }
        if targets.len() <= i {
            targets.resize(i + 1, 0);
        }
        targets[i] = ins.target;
    }
    Ok(targets)
}
