//! Dict reads of a closure cell's dict by a local key, fused (part of
//! [`fuse`](super::fuse), the optimizer's last pass; s8-containers).
//!
//! `_LOAD_DEREF c; _LOAD_FAST k (or _LOAD_FAST_INT k); _BINARY_SUBSCR_DICT`
//! (`queues[task]` in a closure) becomes `_GUARD_CELL_BOUND c` (the load's
//! exit: an empty cell leaves where tier 1 raises `NameError`), a `_NOP`
//! and `_BINARY_SUBSCR_DICT_CELL_LOCAL c, k` (the subscript's exit: a miss
//! or another container pushes the dict and the key the loads would have
//! pushed, so tier 1 redoes the subscript). The dict and the key are read
//! in place: no reference counts on the hit path.

use crate::abi::uop::Uop;
use crate::jit::UopInstruction;

/// Fuses every such group of `uops` into which no uop jumps past its first
/// uop (`entered[i]`: some uop jumps to `i`).
pub fn fuse_cell_dict_reads(uops: &mut [UopInstruction], entered: &[bool]) {
    for k in 0..uops.len().saturating_sub(2) {
        let (load, key, subscr) = (uops[k], uops[k + 1], uops[k + 2]);
        let shape = load.opcode == Uop::LOAD_DEREF
            && matches!(key.opcode, Uop::LOAD_FAST | Uop::LOAD_FAST_INT)
            && subscr.opcode == Uop::BINARY_SUBSCR_DICT;
        if !shape
            || entered
                .get(k + 1..=k + 2)
                .is_none_or(|e| e.iter().any(|&x| x))
        {
            continue;
        }
        uops[k].opcode = Uop::GUARD_CELL_BOUND;
        uops[k + 1] = UopInstruction::new(Uop::NOP).target(key.target);
        uops[k + 2].opcode = Uop::BINARY_SUBSCR_DICT_CELL_LOCAL;
        uops[k + 2].oparg = load.oparg;
        uops[k + 2].operand = u64::from(key.oparg);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vm::tier2::test_uops::{ins, opcodes};

    /// `[_LOAD_DEREF 7 -> 20; _LOAD_FAST(_INT) 4; _BINARY_SUBSCR_DICT -> 21]`
    /// twice, then `_STORE_FAST`, with `key` as the second load.
    fn group(key: Uop) -> Vec<UopInstruction> {
        vec![
            ins(Uop::LOAD_DEREF).oparg(7).jump_target(20),
            ins(key).oparg(4),
            ins(Uop::BINARY_SUBSCR_DICT).jump_target(21),
            ins(Uop::STORE_FAST).oparg(5),
        ]
    }

    #[test]
    fn a_cell_dict_read_by_a_local_key_becomes_a_guard_and_one_read() {
        for key in [Uop::LOAD_FAST, Uop::LOAD_FAST_INT] {
            let mut u = group(key);
            fuse_cell_dict_reads(&mut u, &[false; 30]);
            assert_eq!(
                opcodes(&u),
                [
                    Uop::GUARD_CELL_BOUND,
                    Uop::NOP,
                    Uop::BINARY_SUBSCR_DICT_CELL_LOCAL,
                    Uop::STORE_FAST
                ]
            );
            // Each leaves through the exit of the uop it stands for.
            assert_eq!((u[0].oparg, u[0].jump_target), (7, 20));
            assert_eq!((u[2].oparg, u[2].operand, u[2].jump_target), (7, 4, 21));
        }
    }

    #[test]
    fn other_shapes_and_entered_groups_stay() {
        let mut entered = [false; 30];
        entered[2] = true;
        let mut u = group(Uop::LOAD_FAST);
        fuse_cell_dict_reads(&mut u, &entered);
        assert_eq!(
            opcodes(&u)[..3],
            [Uop::LOAD_DEREF, Uop::LOAD_FAST, Uop::BINARY_SUBSCR_DICT]
        );
        // A checked load (maybe unbound) or a constant key is not fused.
        for key in [Uop::LOAD_FAST_CHECK, Uop::LOAD_CONST] {
            let mut u = group(key);
            fuse_cell_dict_reads(&mut u, &[false; 30]);
            assert_eq!(opcodes(&u)[0], Uop::LOAD_DEREF);
        }
    }
}
