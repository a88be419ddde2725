//! Fusion of `lst[c] op= x` with the list in a local, a small int constant
//! index and a float item, after the unboxing pass made the item's read
//! unboxed: tier 1's stack shuffle (`_LOAD_FAST lst; _LOAD_CONST c; _COPY
//! 2; _COPY 2; <read>; <x>; <op>; _SWAP 3; _SWAP 2; <store>`) becomes
//! `_INPLACE_LOAD_ITEM_FLOAT_LOCAL_CONST; <x>; <op>;
//! _INPLACE_STORE_ITEM_FLOAT_LOCAL_CONST`, reading and writing the item in
//! place (no list reference taken, no copies, no swaps).
//!
//! Only when `x` is made by pure unboxed float uops (loads of float locals
//! and constants, `+ - *`, negation), which cannot exit or run code: so
//! the read's exit is the only one in the group (its failure path pushes
//! what the five uops it replaces would have), and the store finds the
//! list, the index and the item the read checked.

use crate::abi::uop::Uop;
use crate::jit::UopInstruction;

/// Pops and pushes of the uops `x` may be made of: unboxed float uops that
/// cannot exit.
fn pure_effect(u: Uop) -> Option<(i32, i32)> {
    match u {
        Uop::NOP => Some((0, 0)),
        Uop::LOAD_FAST_UNBOXED_FLOAT | Uop::LOAD_CONST_UNBOXED => Some((0, 1)),
        Uop::UNARY_NEGATIVE_FLOAT_UNBOXED => Some((1, 1)),
        u if is_op(u) => Some((2, 1)),
        _ => None,
    }
}

fn is_op(u: Uop) -> bool {
    matches!(
        u,
        Uop::BINARY_OP_ADD_FLOAT_UNBOXED
            | Uop::BINARY_OP_SUBTRACT_FLOAT_UNBOXED
            | Uop::BINARY_OP_MULTIPLY_FLOAT_UNBOXED
    )
}

/// If an in-place item update starts at `uops[k]` and nothing jumps into
/// it past its first uop (`entered`), rewrites it and returns the index of
/// its last uop.
pub(crate) fn fuse_item_update(
    uops: &mut [UopInstruction],
    k: usize,
    entered: &[bool],
) -> Option<usize> {
    let [load, index, c1, c2, read, rest @ ..] = &uops[k..] else {
        return None;
    };
    let shape = load.opcode == Uop::LOAD_FAST
        && index.opcode == Uop::LOAD_CONST
        && index.operand & 1 == 1
        && [c1, c2]
            .iter()
            .all(|c| c.opcode == Uop::COPY && c.oparg == 2)
        && read.opcode == Uop::BINARY_SUBSCR_LIST_INT_UNBOXED_FLOAT;
    if !shape {
        return None;
    }
    // Depth above the item: `x` must never reach under it, and the op that
    // does (at depth 1) combines the item and `x`.
    let mut depth = 0;
    let mut op = None;
    for (n, u) in rest.iter().enumerate() {
        if depth == 1 && is_op(u.opcode) {
            op = Some(k + 5 + n);
            break;
        }
        let (pops, pushes) = pure_effect(u.opcode)?;
        if depth < pops {
            return None;
        }
        depth += pushes - pops;
    }
    let op = op?;
    let [s3, s2, store] = uops.get(op + 1..op + 4)? else {
        return None;
    };
    let tail = s3.opcode == Uop::SWAP
        && s3.oparg == 3
        && s2.opcode == Uop::SWAP
        && s2.oparg == 2
        && store.opcode == Uop::STORE_SUBSCR_LIST_INT_UNBOXED_FLOAT;
    let end = op + 3;
    if !tail
        || entered
            .get(k + 1..=end)
            .is_none_or(|e| e.iter().any(|&x| x))
    {
        return None;
    }
    let (list, at) = (load.oparg, index.operand);
    for at in (k..k + 4).chain(op + 1..op + 3) {
        uops[at] = UopInstruction::new(Uop::NOP).target(uops[at].target);
    }
    let r = &mut uops[k + 4];
    r.opcode = Uop::INPLACE_LOAD_ITEM_FLOAT_LOCAL_CONST;
    r.oparg = list;
    r.operand = at;
    let s = &mut uops[end];
    *s = UopInstruction::new(Uop::INPLACE_STORE_ITEM_FLOAT_LOCAL_CONST)
        .oparg(list)
        .operand(at)
        .target(s.target);
    Some(end)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vm::tier2::test_uops::{ins, opcodes};

    fn update(x: Vec<UopInstruction>) -> Vec<UopInstruction> {
        let mut v = vec![
            ins(Uop::LOAD_FAST).oparg(6),
            ins(Uop::LOAD_CONST).operand(7),
            ins(Uop::COPY).oparg(2),
            ins(Uop::COPY).oparg(2),
            ins(Uop::BINARY_SUBSCR_LIST_INT_UNBOXED_FLOAT).jump_target(40),
        ];
        v.extend(x);
        v.extend([
            ins(Uop::BINARY_OP_SUBTRACT_FLOAT_UNBOXED),
            ins(Uop::SWAP).oparg(3),
            ins(Uop::SWAP).oparg(2),
            ins(Uop::STORE_SUBSCR_LIST_INT_UNBOXED_FLOAT).jump_target(41),
        ]);
        v
    }

    /// `b[3] -= dx * cm`: the read and the store work on the item in
    /// place; the read keeps the subscript's exit.
    #[test]
    fn an_item_update_by_a_pure_float_expression_is_fused() {
        let mut uops = update(vec![
            ins(Uop::LOAD_FAST_UNBOXED_FLOAT).oparg(9),
            ins(Uop::LOAD_FAST_UNBOXED_FLOAT).oparg(15),
            ins(Uop::BINARY_OP_MULTIPLY_FLOAT_UNBOXED),
        ]);
        let entered = vec![false; uops.len() + 1];
        assert_eq!(fuse_item_update(&mut uops, 0, &entered), Some(11));
        assert_eq!(
            opcodes(&uops),
            vec![
                Uop::NOP,
                Uop::NOP,
                Uop::NOP,
                Uop::NOP,
                Uop::INPLACE_LOAD_ITEM_FLOAT_LOCAL_CONST,
                Uop::LOAD_FAST_UNBOXED_FLOAT,
                Uop::LOAD_FAST_UNBOXED_FLOAT,
                Uop::BINARY_OP_MULTIPLY_FLOAT_UNBOXED,
                Uop::BINARY_OP_SUBTRACT_FLOAT_UNBOXED,
                Uop::NOP,
                Uop::NOP,
                Uop::INPLACE_STORE_ITEM_FLOAT_LOCAL_CONST,
            ]
        );
        assert_eq!(
            (uops[4].oparg, uops[4].operand, uops[4].jump_target),
            (6, 7, 40)
        );
        assert_eq!((uops[11].oparg, uops[11].operand), (6, 7));
    }

    /// Not fused: `x` made by a uop that can exit (a division), `x` that
    /// reaches under the item, a group some uop jumps into.
    #[test]
    fn updates_whose_expression_can_exit_or_is_entered_are_left_alone() {
        let div = update(vec![
            ins(Uop::LOAD_FAST_UNBOXED_FLOAT).oparg(9),
            ins(Uop::LOAD_FAST_UNBOXED_FLOAT).oparg(15),
            ins(Uop::BINARY_OP_TRUE_DIVIDE_FLOAT_UNBOXED).jump_target(42),
        ]);
        let under = update(vec![
            ins(Uop::UNARY_NEGATIVE_FLOAT_UNBOXED),
            ins(Uop::LOAD_FAST_UNBOXED_FLOAT).oparg(9),
        ]);
        for mut uops in [div, under] {
            let before = opcodes(&uops);
            let entered = vec![false; uops.len() + 1];
            assert_eq!(fuse_item_update(&mut uops, 0, &entered), None);
            assert_eq!(opcodes(&uops), before);
        }
        let mut uops = update(vec![ins(Uop::LOAD_FAST_UNBOXED_FLOAT).oparg(9)]);
        let mut entered = vec![false; uops.len() + 1];
        entered[5] = true;
        assert_eq!(fuse_item_update(&mut uops, 0, &entered), None);
    }
}
