//! cpjit: a copy-and-patch JIT toolkit and the Python-subset VM that proves it.
//!
//! * [`jit`]: the run-time half of the JIT: executable memory, the emitter,
//!   executors (trampoline, side entry, exits).
//! * [`vm`]: the reference VM: parser front end, bytecode compiler, tier-1
//!   interpreter, tier-2 traces.
//!
//! See `ARCHITECTURE.md` for the bird's-eye view.

pub use cpjit_abi as abi;

pub mod inspect;
pub mod jit;
pub mod vm;
