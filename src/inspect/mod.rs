//! Looking inside the JIT from the command line.
//!
//! * [`stencils`]: `cpjit stencils list|show`, the stencils of any target
//!   this binary carries ([`crate::jit::stencil_sets`]).

pub mod stencils;
