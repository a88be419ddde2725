//! The optimizer: a pass over a projected trace before it is installed.

use crate::jit::UopInstruction;

/// Optimizes a trace, keeping tier 1's semantics exactly.
pub fn optimize(uops: Vec<UopInstruction>) -> Vec<UopInstruction> {
    uops
}
