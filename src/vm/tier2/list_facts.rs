//! Known lists and small ints for list subscripts on locals (session 8),
//! run last in the fusion pass: a `_STORE_SUBSCR_LIST_INT_LOCALS`,
//! `_BINARY_SUBSCR_LIST_INT_LOCALS`/`_LOCAL_CONST` or
//! `_SWAP_LIST_ITEMS_LOCALS` whose list local an earlier uop of the trace
//! proved a list, and whose index locals are proven small ints, with no
//! store to them (or helper, call, frame change) since, becomes its
//! `_KNOWN` form, which checks only the bounds.
//!
//! A local is proven a list by a list uop that continued (its own check),
//! a small int by a uop that requires one (`_LOAD_FAST_INT`, the fused int
//! guards and arithmetic, made only for locals the type pass proved) or
//! checks one (`_GUARD_LOCAL_INT`, a list subscript's index). A store
//! forgets the local; an in-place int update leaves a small int. Any uop
//! not known to leave the frame's locals alone forgets everything. At the
//! head of a peeled loop what holds is what holds both on entry and at its
//! `_JUMP_TO_LOOP` (a fixpoint); at any other uop something jumps to (a
//! stub), nothing is known.

use crate::abi::uop::Uop;
use crate::jit::UopInstruction;
use crate::vm::tier2::int_uops::{arith_parts, guard_parts, Operands};
use crate::vm::tier2::local_facts;

/// Locals proven lists (low 64 bits, local `l` at bit `l`) and small ints
/// (high 64 bits, local `l` at bit `64 + l`); locals from 64 on are never
/// known.
pub type Facts = u128;

fn list_bit(l: u64) -> Facts {
    if l < 64 {
        1 << l
    } else {
        0
    }
}

fn int_bit(l: u64) -> Facts {
    if l < 64 {
        1 << (64 + l)
    } else {
        0
    }
}

/// Both bits of local `l`.
fn local_bits(l: u64) -> Facts {
    list_bit(l) | int_bit(l)
}

/// The index locals of a swap's operand (`a` low, `b` high).
fn swap_indices(operand: u64) -> [u64; 2] {
    [operand & 0xffff_ffff, operand >> 32]
}

/// What `u` leaves known of `known` (before it).
fn transfer(u: &UopInstruction, known: Facts) -> Facts {
    let l = u64::from(u.oparg);
    match u.opcode {
        Uop::STORE_FAST | Uop::STORE_FAST_INT | Uop::STORE_FAST_UNBOXED_FLOAT => {
            known & !local_bits(l)
        }
        // The result is a small int (or the uop left).
        Uop::INPLACE_RSHIFT_INT_LOCAL_CONST
        | Uop::INPLACE_MUL_ADD_INT_CONST_LOCAL
        | Uop::INPLACE_MUL_ADD_INT_LOCAL_CONST => (known & !list_bit(l)) | int_bit(l),
        op if arith_parts(op).is_some_and(|a| a.inplace) => {
            let rhs = arith_parts(op)
                .filter(|a| !a.constant)
                .map_or(0, |_| int_bit(u.operand));
            (known & !list_bit(l)) | int_bit(l) | rhs
        }
        op if arith_parts(op).is_some() => {
            let rhs = arith_parts(op)
                .filter(|a| !a.constant)
                .map_or(0, |_| int_bit(u.operand));
            known | int_bit(l) | rhs
        }
        op if guard_parts(op).is_some() => match guard_parts(op).map(|(_, o)| o) {
            Some(Operands::Locals) => known | int_bit(l) | int_bit(u.operand),
            Some(Operands::LocalConst) => known | int_bit(l),
            _ => known,
        },
        Uop::LOAD_FAST_INT
        | Uop::GUARD_LOCAL_INT
        | Uop::GUARD_AND_INT_ZERO_LOCAL_CONST
        | Uop::GUARD_AND_INT_NONZERO_LOCAL_CONST
        | Uop::BINARY_OP_RSHIFT_INT_LOCAL_CONST
        | Uop::BINARY_OP_MULTIPLY_INT_LOCAL_CONST
        | Uop::BINARY_OP_MULTIPLY_INT_CONST_LOCAL => known | int_bit(l),
        Uop::STORE_SUBSCR_LIST_INT_LOCALS
        | Uop::STORE_SUBSCR_LIST_INT_KNOWN
        | Uop::BINARY_SUBSCR_LIST_INT_LOCALS
        | Uop::BINARY_SUBSCR_LIST_INT_KNOWN => known | list_bit(l) | int_bit(u.operand),
        Uop::BINARY_SUBSCR_LIST_INT_LOCAL_CONST | Uop::BINARY_SUBSCR_LIST_INT_KNOWN_CONST => {
            known | list_bit(l)
        }
        Uop::SWAP_LIST_ITEMS_LOCALS | Uop::SWAP_LIST_ITEMS_KNOWN => {
            let [a, b] = swap_indices(u.operand);
            known | list_bit(l) | int_bit(a) | int_bit(b)
        }
        Uop::GUARD_LOCAL_BOUND
        | Uop::BINARY_OP_ADD_INT_TOP_CONST
        | Uop::BINARY_OP_SUBTRACT_INT_TOP_CONST => known,
        op if crate::vm::tier2::float_fuse::keeps_locals(op) => known,
        _ => 0,
    }
}

/// The analysis of this pass for [`local_facts::forward`].
struct ListsInts;

impl local_facts::Forward for ListsInts {
    type Facts = Facts;
    const NONE: Facts = 0;
    const ALL: Facts = !0;
    fn meet(a: Facts, b: Facts) -> Facts {
        a & b
    }
    fn transfer(u: &UopInstruction, known: Facts, _frames: &mut Vec<Facts>) -> Facts {
        transfer(u, known)
    }
}

/// What is known at each exit of `uops` (by exit index).
pub fn exits(uops: &[UopInstruction], entered: &[bool]) -> Vec<Facts> {
    let before = local_facts::forward::<ListsInts>(uops, entered, 0);
    local_facts::at_exits::<ListsInts>(uops, &before)
}

/// Rewrites the list subscripts of `uops` on proven lists and indices to
/// their `_KNOWN` forms; `entered[k]` tells whether some uop jumps to `k`.
/// Returns what the rewrite assumed at the head of a peeled loop (0
/// without one).
pub fn know_list_subscripts(uops: &mut [UopInstruction], entered: &[bool]) -> Facts {
    know_list_subscripts_from(uops, entered, 0)
}

/// [`know_list_subscripts`] in a trace entered knowing `start`.
pub fn know_list_subscripts_from(
    uops: &mut [UopInstruction],
    entered: &[bool],
    start: Facts,
) -> Facts {
    let before = local_facts::forward::<ListsInts>(uops, entered, start);
    let head = local_facts::loop_head(uops)
        .and_then(|h| before.get(h).copied())
        .unwrap_or(0);
    for (u, known) in uops.iter_mut().zip(before) {
        let list = known & list_bit(u64::from(u.oparg)) != 0;
        let int = |l: u64| known & int_bit(l) != 0;
        u.opcode = match u.opcode {
            Uop::STORE_SUBSCR_LIST_INT_LOCALS if list && int(u.operand) => {
                Uop::STORE_SUBSCR_LIST_INT_KNOWN
            }
            Uop::BINARY_SUBSCR_LIST_INT_LOCALS if list && int(u.operand) => {
                Uop::BINARY_SUBSCR_LIST_INT_KNOWN
            }
            Uop::BINARY_SUBSCR_LIST_INT_LOCAL_CONST if list && u.operand & 1 == 1 => {
                Uop::BINARY_SUBSCR_LIST_INT_KNOWN_CONST
            }
            Uop::SWAP_LIST_ITEMS_LOCALS if list && swap_indices(u.operand).into_iter().all(int) => {
                Uop::SWAP_LIST_ITEMS_KNOWN
            }
            op => op,
        };
    }
    head
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vm::tier2::test_uops::{ins, opcodes};

    fn store_item(list: u32, index: u64) -> UopInstruction {
        ins(Uop::STORE_SUBSCR_LIST_INT_LOCALS)
            .oparg(list)
            .operand(index)
    }

    fn run(mut uops: Vec<UopInstruction>) -> Vec<Uop> {
        // As `fuse` marks them: every jump target (the loop's head too).
        let mut entered = vec![false; uops.len() + 1];
        for u in uops.iter().filter(|u| u.jump_target != 0) {
            entered[u.jump_target as usize] = true;
        }
        know_list_subscripts(&mut uops, &entered);
        opcodes(&uops)
    }

    /// The second store knows the list and the index the first proved;
    /// a store to either local, or a uop not known to keep locals,
    /// forgets them.
    #[test]
    fn proofs_hold_until_a_store_or_an_unknown_uop() {
        use Uop::{CALL_HELPER, STORE_FAST, STORE_SUBSCR_LIST_INT_KNOWN as KNOWN};
        use Uop::{LOAD_CONST_IMMORTAL, STORE_SUBSCR_LIST_INT_LOCALS as CHECKED};
        let got = run(vec![
            ins(LOAD_CONST_IMMORTAL),
            store_item(0, 1),
            ins(LOAD_CONST_IMMORTAL),
            store_item(0, 1),
            ins(STORE_FAST).oparg(0),
            ins(LOAD_CONST_IMMORTAL),
            store_item(0, 1),
            ins(STORE_FAST).oparg(1),
            ins(LOAD_CONST_IMMORTAL),
            store_item(0, 1),
            ins(CALL_HELPER),
            ins(LOAD_CONST_IMMORTAL),
            store_item(0, 1),
        ]);
        let stores: Vec<Uop> = got
            .into_iter()
            .filter(|u| matches!(u, KNOWN | CHECKED))
            .collect();
        assert_eq!(stores, [CHECKED, KNOWN, CHECKED, CHECKED, CHECKED]);
    }

    /// At a peeled loop's head a list is known only if the loop body
    /// keeps it too; a store anywhere in the body forgets it at the head.
    #[test]
    fn loop_heads_meet_the_way_in_and_the_back_edge() {
        use Uop::{JUMP_TO_LOOP, LOAD_CONST_IMMORTAL, STORE_FAST};
        let body = |store: bool| {
            vec![
                ins(LOAD_CONST_IMMORTAL),
                store_item(0, 1),         // the preamble: proves both
                ins(LOAD_CONST_IMMORTAL), // the loop's head
                store_item(0, 1),         // known iff the body keeps both
                if store {
                    ins(STORE_FAST).oparg(1)
                } else {
                    ins(Uop::NOP)
                },
                ins(JUMP_TO_LOOP).jump_target(2),
            ]
        };
        assert_eq!(run(body(false))[3], Uop::STORE_SUBSCR_LIST_INT_KNOWN);
        assert_eq!(run(body(true))[3], Uop::STORE_SUBSCR_LIST_INT_LOCALS);
    }
}
