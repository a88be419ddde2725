//! The run-time half of the JIT (see ARCHITECTURE.md).
pub mod debug;
