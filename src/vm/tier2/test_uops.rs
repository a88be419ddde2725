//! Builders shared by the tier-2 pass tests: one uop instruction, and the
//! opcodes of a uop sequence to compare against.

use crate::abi::uop::Uop;
use crate::jit::UopInstruction;

/// A uop instruction of opcode `u` with every other field zero.
pub(crate) fn ins(u: Uop) -> UopInstruction {
    UopInstruction::new(u)
}

/// The opcodes of `uops`, in order.
pub(crate) fn opcodes(uops: &[UopInstruction]) -> Vec<Uop> {
    uops.iter().map(|u| u.opcode).collect()
}
