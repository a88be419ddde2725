//! The report's sections, one module each.

pub mod calling_conventions;
pub mod compilation;
pub mod execution;
pub mod memory;
pub mod regeneration;
