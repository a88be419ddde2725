//! The one definition of every fact shared between cpjit's three halves:
//! the IR templates (build time, LLVM), the stencil writer, and the runtime
//! (run time, no LLVM).
//!
//! * [`layout`]: `#[repr(C)]` structs whose fields the IR templates read and
//!   write (frame, thread state, executor, exits, object headers). Each struct
//!   is declared once with [`shared_struct!`], which also emits a field
//!   descriptor list that `ir-templates` turns into an LLVM struct type. A test
//!   in `ir-templates` checks that LLVM's offsets equal Rust's.
//! * [`value`]: the tagged value representation.
//! * [`stencil`]: the static stencil format that generated stencil files use.
//! * [`uop`]: the micro-op list: every uop the runtime may emit has a template.

#![no_std]
#![warn(missing_docs)]

pub mod layout;
pub mod stencil;
pub mod uop;
pub mod value;
