//! Fusion: the optimizer's last pass. A list subscript whose list and index
//! are pushed right before it by plain loads (`_LOAD_FAST list;
//! _LOAD_CONST k` or `_LOAD_FAST list; _LOAD_FAST i`, then
//! `_BINARY_SUBSCR_LIST_INT`) becomes one uop that reads both from the
//! frame: no reference count traffic on the list, no stack traffic for the
//! operands. The two loads become `_NOP`s (no code), so no index moves.
//!
//! Exits stay exact: the fused uop's failure path pushes the list and the
//! index (new references) before it leaves through the subscript's exit, so
//! the stack there is the one the three uops would have left.

use crate::abi::uop::Uop;
use crate::jit::UopInstruction;

/// Fuses the loads into the list subscripts they feed, in the body of
/// `uops` (up to its first uop this pass does not know to be straight-line
/// code, conservatively); a group is fused only if no uop jumps into it.
pub fn fuse(mut uops: Vec<UopInstruction>) -> Vec<UopInstruction> {
    let mut entered = vec![false; uops.len() + 1];
    for u in &uops {
        for t in [u.jump_target, u.error_target] {
            if let Some(e) = entered.get_mut(t as usize) {
                *e = true;
            }
        }
    }
    let mut k = 0;
    while k + 2 < uops.len() {
        let (a, b, c) = (uops[k], uops[k + 1], uops[k + 2]);
        let fused = if a.opcode == Uop::LOAD_FAST
            && c.opcode == Uop::BINARY_SUBSCR_LIST_INT
            && !entered[k + 1]
            && !entered[k + 2]
        {
            match b.opcode {
                // A small int constant (odd word) as the index.
                Uop::LOAD_CONST if b.operand & 1 == 1 => {
                    Some((Uop::BINARY_SUBSCR_LIST_INT_LOCAL_CONST, b.operand))
                }
                Uop::LOAD_FAST => Some((Uop::BINARY_SUBSCR_LIST_INT_LOCALS, u64::from(b.oparg))),
                _ => None,
            }
        } else {
            None
        };
        match fused {
            Some((op, operand)) => {
                let mut f = c;
                f.opcode = op;
                f.oparg = a.oparg;
                f.operand = operand;
                uops[k] = UopInstruction::new(Uop::NOP).target(a.target);
                uops[k + 1] = UopInstruction::new(Uop::NOP).target(b.target);
                uops[k + 2] = f;
                k += 3;
            }
            None => k += 1,
        }
    }
    uops
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vm::tier2::test_uops::{ins, opcodes};

    #[test]
    fn loads_feeding_a_list_subscript_are_fused_into_it() {
        let uops = vec![
            ins(Uop::LOAD_FAST).oparg(3),
            ins(Uop::LOAD_CONST).operand(5),
            ins(Uop::BINARY_SUBSCR_LIST_INT).jump_target(8),
            ins(Uop::LOAD_FAST).oparg(4),
            ins(Uop::LOAD_FAST).oparg(2),
            ins(Uop::BINARY_SUBSCR_LIST_INT).jump_target(9),
            ins(Uop::BINARY_OP_ADD_INT).jump_target(9),
            ins(Uop::JUMP_TO_TOP),
            ins(Uop::EXIT_TRACE).exit_index(0),
            ins(Uop::EXIT_TRACE).exit_index(1),
        ];
        let out = fuse(uops);
        assert_eq!(
            opcodes(&out[..6]),
            vec![
                Uop::NOP,
                Uop::NOP,
                Uop::BINARY_SUBSCR_LIST_INT_LOCAL_CONST,
                Uop::NOP,
                Uop::NOP,
                Uop::BINARY_SUBSCR_LIST_INT_LOCALS,
            ]
        );
        assert_eq!(
            (out[2].oparg, out[2].operand, out[2].jump_target),
            (3, 5, 8)
        );
        assert_eq!(
            (out[5].oparg, out[5].operand, out[5].jump_target),
            (4, 2, 9)
        );
    }

    /// Not fused: a non-int constant index, a checked load, a group some
    /// uop jumps into.
    #[test]
    fn other_shapes_are_left_alone() {
        let uops = vec![
            ins(Uop::LOAD_FAST).oparg(3),
            ins(Uop::LOAD_CONST).operand(0x1000),
            ins(Uop::BINARY_SUBSCR_LIST_INT).jump_target(10),
            ins(Uop::LOAD_FAST_CHECK).oparg(3),
            ins(Uop::LOAD_FAST).oparg(1),
            ins(Uop::BINARY_SUBSCR_LIST_INT).jump_target(10),
            ins(Uop::LOAD_FAST).oparg(3),
            ins(Uop::LOAD_FAST).oparg(1),
            ins(Uop::BINARY_SUBSCR_LIST_INT).jump_target(10),
            ins(Uop::JUMP_TO_LOOP).jump_target(7),
            ins(Uop::EXIT_TRACE).exit_index(0),
        ];
        let before = opcodes(&uops);
        let out = fuse(uops);
        assert_eq!(opcodes(&out), before);
    }
}
