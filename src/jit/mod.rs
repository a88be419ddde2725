//! The run-time half of the JIT (see ARCHITECTURE.md): CPython's
//! `Python/jit.c`, in Rust.
//!
//! A VM author builds a [`JitContext`] from a stencil set (the host's, made
//! at build time) and a [`SymbolTable`] of runtime helpers, then turns traces
//! of [`UopInstruction`]s into [`Executor`]s:
//!
//! ```no_run
//! # use cpjit::jit::*;
//! # fn demo(stencils: &cpjit::abi::stencil::StencilSet, dealloc: u64, t: u64, f: u64) -> Result<(), JitError> {
//! use cpjit::abi::uop::Uop;
//! let symbols = SymbolTable::new()
//!     .with("cpjit_dealloc", dealloc)
//!     .with("cpjit_true", t)
//!     .with("cpjit_false", f);
//! // Or JitContext::for_host(config, &symbols) for the build's own stencils.
//! let jit = JitContext::new(JitConfig::default(), stencils, &symbols)?;
//! let exe = jit.compile(&[
//!     UopInstruction::new(Uop::SET_IP).oparg(3),
//!     UopInstruction::new(Uop::DEOPT).target(3),
//! ])?;
//! // unsafe { exe.enter(frame, sp, tstate) }? returns a status.
//! # Ok(()) }
//! ```
//!
//! Modules, one job each:
//! * [`memory`]: W^X executable memory packed with many executors.
//! * [`patch`]: one patch function per hole kind.
//! * [`emitter`]: lays out and emits a trace from stencils.
//! * [`executor`]: executors, reference counts, exits, linking, invalidation.
//! * [`context`]: the [`JitContext`] tying them together.
//! * [`synthetic`]: hand-written x86-64 stencils for tests and benchmarks.
//! * [`stencils`]: the host's stencils, generated at build time.
//! * [`debug`]: registration of executors' code with profilers and debuggers.
//!
//! Invariants: memory is never writable and executable at once; a context
//! and its executors stay on one thread (`!Send`); an executor's code is
//! freed only when its last reference (handles, links, a trampoline's
//! parked reference) goes, and never while an [`Executor::enter`] is on the
//! stack; every failure is a [`JitError`], after which a VM simply stays in
//! its interpreter.

pub mod context;
pub mod debug;
pub mod disasm;
pub mod emitter;
pub mod error;
pub mod executor;
pub mod memory;
pub mod patch;
pub mod stencil_sets;
pub mod stencils;
pub mod symbols;
#[cfg(all(target_arch = "x86_64", target_os = "linux"))]
pub mod synthetic;
pub mod trace;

pub use context::{JitConfig, JitContext};
pub use error::JitError;
pub use executor::{release_previous_executor, Executor, ExitInfo};
pub use memory::{MemoryConfig, MemoryStats};
pub use symbols::SymbolTable;
pub use trace::UopInstruction;

#[cfg(all(test, target_arch = "x86_64", target_os = "linux"))]
mod tests;
