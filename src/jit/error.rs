//! The JIT's typed errors. Every one of them leaves the VM able to carry on
//! in its interpreter.

use cpjit_abi::stencil::HoleKind;

/// Why the JIT could not compile, install or run something.
#[derive(Debug, thiserror::Error)]
pub enum JitError {
    /// The stencil set has no code for this uop (it must have some).
    #[error("unknown opcode {0}: no stencil for it in this stencil set")]
    UnknownOpcode(&'static str),
    /// A trace must hold at least one instruction.
    #[error("empty trace")]
    EmptyTrace,
    /// The trace alone needs more than the configured memory limit.
    #[error("trace needs {needed} bytes, more than the JIT memory limit of {limit} bytes")]
    TraceTooLarge {
        /// Bytes of code and data the trace needs.
        needed: usize,
        /// The limit.
        limit: usize,
    },
    /// Not enough free space left under the memory limit.
    #[error("JIT memory exhausted: {needed} bytes wanted, {in_use} of {limit} bytes in use")]
    OutOfMemory {
        /// Bytes wanted.
        needed: usize,
        /// The limit.
        limit: usize,
        /// Bytes held by live executors.
        in_use: usize,
    },
    /// A system call on executable memory failed.
    #[error("{op} failed: {source}")]
    Mapping {
        /// The call (`mmap`, `mprotect`, ...).
        op: &'static str,
        /// The system's error.
        source: std::io::Error,
    },
    /// A stencil needs a runtime symbol the embedder's symbol table lacks.
    #[error("unresolved symbol {0}")]
    UnresolvedSymbol(&'static str),
    /// A jump or error target names no instruction of the trace.
    #[error("instruction {index}: target {target} is outside the trace of {len} instructions")]
    BadTarget {
        /// The instruction.
        index: usize,
        /// The target it names.
        target: u32,
        /// Trace length.
        len: usize,
    },
    /// A value does not fit the hole it must be patched into.
    #[error("{kind:?} hole at {location:#x}: value {value:#x} out of range")]
    PatchOutOfRange {
        /// The hole's kind.
        kind: HoleKind,
        /// Address of the hole.
        location: u64,
        /// The value that did not fit.
        value: u64,
    },
    /// A stencil set does not match this host or is malformed.
    #[error("bad stencil set: {0}")]
    BadStencil(String),
    /// The executor was invalidated: it may not be entered or linked to.
    #[error("executor is invalid")]
    Invalidated,
    /// An exit index beyond the executor's exits.
    #[error("exit {index} out of range: the executor has {count} exits")]
    BadExitIndex {
        /// The index given.
        index: u32,
        /// Number of exits.
        count: u32,
    },
    /// A uop index beyond the executor's trace (linking an exit into it).
    #[error("uop {uop} out of range: the executor's trace is shorter")]
    BadUopIndex {
        /// The index given.
        uop: usize,
    },
    /// The JIT was re-entered while busy (a helper compiled during a compile).
    #[error("JIT re-entered while busy")]
    Busy,
}
