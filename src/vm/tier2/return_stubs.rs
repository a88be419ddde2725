//! Returns as exit stubs: a function-entry trace whose guard leaves for
//! the other arm of a branch that is just `return x` (fib's
//! `if n < 2: return n`) would exit to tier 1, or through a linked side
//! trace of two uops, on every call that takes it. When the type pass
//! proved every local of the frame a small int at that exit, the exit stub
//! becomes `_RETURN_LOCAL_INT x`: the trace returns right there, the
//! value in the frame's first slot, so the native caller's pop releases
//! nothing.
//!
//! Only exits of the trace's entry frame (context 0) in a trace that
//! returns itself (it has a `_RETURN` of that frame) are rewritten: the
//! same status from the same frame as the trace's own return.

use crate::abi::uop::Uop;
use crate::jit::UopInstruction;
use crate::vm::bytecode::{base_opcode, op, oparg, opcode, Code};

use super::optimize::EntryFacts;

/// The local `x` if the instructions at `target` of `code` are
/// `LOAD_FAST x; RETURN_VALUE` (in any specialized form).
fn returned_local(code: &Code, target: u32) -> Option<u32> {
    let words = code.words();
    let at = |i: usize| words.get(i).map(|&w| (base_opcode(opcode(w)), oparg(w)));
    let (load, x) = at(target as usize)?;
    let (ret, _) = at(target as usize + 1)?;
    (matches!(load, op::LOAD_FAST | op::LOAD_FAST_CHECK) && ret == op::RETURN_VALUE).then_some(x)
}

/// Rewrites, in `uops` (a trace entered in a frame of `code`), each
/// `_EXIT_TRACE` of the entry frame to a `return x` whose facts (by exit
/// index) prove every local of the frame a small int.
pub fn returns_in_stubs(uops: &mut [UopInstruction], code: &Code, facts: &[Option<EntryFacts>]) {
    let returns = uops
        .iter()
        .any(|u| matches!(u.opcode, Uop::RETURN | Uop::RETURN_CLEAN) && u.operand == 0);
    if !returns {
        return;
    }
    let nlocals = code.nlocalsplus() as u32;
    for u in uops
        .iter_mut()
        .filter(|u| u.opcode == Uop::EXIT_TRACE && u.operand == 0)
    {
        let Some(Some(f)) = facts.get(u.exit_index as usize) else {
            continue;
        };
        let ints = f.int_locals().filter(|&l| l < nlocals).count() as u32;
        if ints != nlocals {
            continue;
        }
        let Some(x) = returned_local(code, u.target) else {
            continue;
        };
        *u = UopInstruction::new(Uop::RETURN_LOCAL_INT)
            .oparg(x)
            .target(u.target + 1)
            .operand(0);
    }
}
