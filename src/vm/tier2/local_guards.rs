//! Locals guarded where they are loaded: a `_LOAD_FAST_CHECK a` whose value
//! a `_GUARD_BOTH_INT` checks next to a small int constant becomes
//! `_GUARD_LOCAL_INT a; _LOAD_FAST_INT a`, and the `_GUARD_BOTH_INT` goes:
//!
//! * `_LOAD_FAST_CHECK a; _LOAD_CONST c; _GUARD_BOTH_INT` becomes
//!   `_GUARD_LOCAL_INT a; _LOAD_FAST_INT a; _LOAD_CONST c`,
//! * `_LOAD_CONST c; _LOAD_FAST_CHECK a; _GUARD_BOTH_INT` becomes
//!   `_LOAD_CONST c; _GUARD_LOCAL_INT a; _LOAD_FAST_INT a`.
//!
//! The new guard leaves through the load's exit (same instruction, same
//! stack: the load had not pushed yet), so tier 1 resumes exactly. Once it
//! passed, the type pass knows the local is a small int until it is stored:
//! a function's argument is checked once, at its first use, and every
//! later use reads it as an int (no guard, no reference count), and the
//! fusion pass can read it in place (`_GUARD_INT_*_LOCAL_CONST`,
//! `_BINARY_OP_*_INT_LOCAL_CONST`).
//!
//! Groups that need one uop more (s7-int; the uops after them move on
//! and every jump target is renumbered):
//!
//! * Two checked loads under one `_GUARD_BOTH_INT` (`while i < j`):
//!   `_LOAD_FAST_CHECK a; _LOAD_FAST_CHECK b; _GUARD_BOTH_INT` becomes
//!   `_GUARD_LOCAL_INT a; _GUARD_LOCAL_INT b; _LOAD_FAST_INT a;
//!   _LOAD_FAST_INT b`. Both guards leave through `a`'s load's exit (the
//!   loads are pure: tier 1 redoes both), and the loads stay next to each
//!   other, so the fusion pass reads them in place (`_GUARD_INT_LT_LOCALS`).
//! * The list of a list subscript (`lst[i]`, `lst[i] = v`): `_LOAD_FAST_CHECK
//!   lst; <index load>; _BINARY_SUBSCR_LIST_INT` (or `_STORE_SUBSCR_LIST_INT`)
//!   becomes `_GUARD_LOCAL_BOUND lst; _LOAD_FAST lst; ...` (the guard
//!   leaves through the load's exit), so the fusion pass can read the list
//!   in place even at its first use in the trace.
//!
//! A group is rewritten only if no uop jumps into it past its first uop.

use crate::abi::uop::Uop;
use crate::jit::UopInstruction;

/// Whether `u` pushes a small int constant.
fn small_int_const(u: &UopInstruction) -> bool {
    u.opcode == Uop::LOAD_CONST && u.operand & 1 == 1
}

/// The guard and the int load that replace `load` (a `_LOAD_FAST_CHECK`).
fn guard_and_load(load: &UopInstruction) -> [UopInstruction; 2] {
    let mut guard = *load;
    guard.opcode = Uop::GUARD_LOCAL_INT;
    let int_load = UopInstruction::new(Uop::LOAD_FAST_INT)
        .oparg(load.oparg)
        .target(load.target);
    [guard, int_load]
}

/// Rewrites the groups of the module docs in the body of `uops` (up to
/// `body_end`).
pub fn guard_locals(mut uops: Vec<UopInstruction>, body_end: usize) -> Vec<UopInstruction> {
    let mut entered = vec![false; uops.len() + 1];
    for u in &uops {
        for t in [u.jump_target, u.error_target] {
            if let Some(e) = entered.get_mut(t as usize) {
                *e = true;
            }
        }
    }
    let mut k = 0;
    while k + 2 < body_end.min(uops.len()) {
        let (a, b, g) = (uops[k], uops[k + 1], uops[k + 2]);
        if g.opcode != Uop::GUARD_BOTH_INT || entered[k + 1] || entered[k + 2] {
            k += 1;
            continue;
        }
        if a.opcode == Uop::LOAD_FAST_CHECK && small_int_const(&b) {
            let [guard, load] = guard_and_load(&a);
            uops[k] = guard;
            uops[k + 1] = load;
            uops[k + 2] = b;
            k += 3;
        } else if small_int_const(&a) && b.opcode == Uop::LOAD_FAST_CHECK {
            let [guard, load] = guard_and_load(&b);
            uops[k + 1] = guard;
            uops[k + 2] = load;
            k += 3;
        } else {
            k += 1;
        }
    }
    guard_local_pairs(uops, body_end)
}

/// Whether `u` loads a subscript's index: a local or a small int constant.
fn index_load(u: &UopInstruction) -> bool {
    matches!(u.opcode, Uop::LOAD_FAST_CHECK | Uop::LOAD_FAST) || small_int_const(u)
}

/// The groups of the module docs that take one uop more, jump targets
/// renumbered.
fn guard_local_pairs(uops: Vec<UopInstruction>, body_end: usize) -> Vec<UopInstruction> {
    let mut entered = vec![false; uops.len() + 1];
    for u in &uops {
        for t in [u.jump_target, u.error_target] {
            if let Some(e) = entered.get_mut(t as usize) {
                *e = true;
            }
        }
    }
    let end = body_end.min(uops.len());
    let is_pair = |k: usize| {
        k + 2 < end
            && uops[k].opcode == Uop::LOAD_FAST_CHECK
            && uops[k + 1].opcode == Uop::LOAD_FAST_CHECK
            && uops[k + 2].opcode == Uop::GUARD_BOTH_INT
            && !entered[k + 1]
            && !entered[k + 2]
    };
    let is_list = |k: usize| {
        k + 2 < end
            && uops[k].opcode == Uop::LOAD_FAST_CHECK
            && index_load(&uops[k + 1])
            && matches!(
                uops[k + 2].opcode,
                Uop::BINARY_SUBSCR_LIST_INT | Uop::STORE_SUBSCR_LIST_INT
            )
    };
    // Where each old uop lands (its first replacement).
    let mut moved = Vec::with_capacity(uops.len() + 1);
    let mut out = Vec::with_capacity(uops.len() + 4);
    let mut k = 0;
    while k < uops.len() {
        if is_pair(k) {
            let [guard_a, load_a] = guard_and_load(&uops[k]);
            let [mut guard_b, load_b] = guard_and_load(&uops[k + 1]);
            guard_b.jump_target = guard_a.jump_target;
            guard_b.target = guard_a.target;
            moved.extend([out.len(), out.len() + 2, out.len() + 3]);
            out.extend([guard_a, guard_b, load_a, load_b]);
            k += 3;
        } else if is_list(k) {
            let mut guard = uops[k];
            guard.opcode = Uop::GUARD_LOCAL_BOUND;
            let load = UopInstruction::new(Uop::LOAD_FAST)
                .oparg(uops[k].oparg)
                .target(uops[k].target);
            moved.push(out.len());
            out.extend([guard, load]);
            k += 1;
        } else {
            moved.push(out.len());
            out.push(uops[k]);
            k += 1;
        }
    }
    if out.len() == uops.len() {
        return out;
    }
    moved.push(out.len());
    let renumber = |t: u32| moved.get(t as usize).map_or(t, |&n| n as u32);
    for u in &mut out {
        u.jump_target = renumber(u.jump_target);
        u.error_target = renumber(u.error_target);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ins(op: Uop) -> UopInstruction {
        UopInstruction::new(op)
    }

    fn ops(uops: &[UopInstruction]) -> Vec<Uop> {
        uops.iter().map(|u| u.opcode).collect()
    }

    /// `n < 2` and `2 + n` on an argument: one guard on the local, exiting
    /// where the load did, and no `_GUARD_BOTH_INT`.
    #[test]
    fn a_checked_load_next_to_an_int_constant_is_guarded_once() {
        let two = 5; // tagged 2
        for const_first in [false, true] {
            let load = ins(Uop::LOAD_FAST_CHECK).oparg(3).jump_target(6).target(0);
            let c = ins(Uop::LOAD_CONST).operand(two).target(1);
            let pair = if const_first { [c, load] } else { [load, c] };
            let uops = vec![
                pair[0],
                pair[1],
                ins(Uop::GUARD_BOTH_INT).jump_target(7).target(2),
                ins(Uop::COMPARE_OP_INT).oparg(0),
                ins(Uop::EXIT_TRACE),
                ins(Uop::EXIT_TRACE),
                ins(Uop::EXIT_TRACE),
                ins(Uop::EXIT_TRACE),
            ];
            let out = guard_locals(uops, 4);
            let want = if const_first {
                [Uop::LOAD_CONST, Uop::GUARD_LOCAL_INT, Uop::LOAD_FAST_INT]
            } else {
                [Uop::GUARD_LOCAL_INT, Uop::LOAD_FAST_INT, Uop::LOAD_CONST]
            };
            assert_eq!(ops(&out[..3]), want);
            let g = out
                .iter()
                .find(|u| u.opcode == Uop::GUARD_LOCAL_INT)
                .unwrap();
            assert_eq!((g.oparg, g.jump_target, g.target), (3, 6, 0));
            let l = out.iter().find(|u| u.opcode == Uop::LOAD_FAST_INT).unwrap();
            assert_eq!(l.oparg, 3);
            let c = out.iter().find(|u| u.opcode == Uop::LOAD_CONST).unwrap();
            assert_eq!(c.operand, two);
        }
    }

    /// Not a small int constant, a load with no exit of its own, a group
    /// entered in the middle: left alone. (Two checked loads: see
    /// `two_checked_loads_and_a_list_load_take_one_uop_more`.)
    #[test]
    fn other_shapes_are_left_alone() {
        let shapes = [
            [
                ins(Uop::LOAD_FAST).oparg(0),
                ins(Uop::LOAD_CONST).operand(5),
                ins(Uop::GUARD_BOTH_INT).jump_target(4),
            ],
            [
                ins(Uop::LOAD_FAST_CHECK).oparg(0).jump_target(4),
                ins(Uop::LOAD_CONST).operand(8),
                ins(Uop::GUARD_BOTH_INT).jump_target(4),
            ],
            [
                ins(Uop::LOAD_FAST_CHECK).oparg(0).jump_target(4),
                ins(Uop::LOAD_CONST).operand(5),
                ins(Uop::GUARD_BOTH_INT).jump_target(2),
            ],
        ];
        for s in shapes {
            let mut uops = s.to_vec();
            uops.push(ins(Uop::JUMP_TO_TOP));
            uops.push(ins(Uop::EXIT_TRACE));
            let out = guard_locals(uops.clone(), 3);
            assert_eq!(ops(&out), ops(&uops));
        }
    }

    /// `while i < j` on two checked loads: both guarded (through the first
    /// load's exit), the loads kept together; `lst[i]` with `lst` loaded
    /// checked: a bound guard first. The uops after move on and every jump
    /// target is renumbered; a pair entered in the middle is left alone.
    #[test]
    fn two_checked_loads_and_a_list_load_take_one_uop_more() {
        let uops = vec![
            ins(Uop::LOAD_FAST_CHECK).oparg(0).jump_target(9).target(1),
            ins(Uop::LOAD_FAST_CHECK).oparg(1).jump_target(10).target(2),
            ins(Uop::GUARD_BOTH_INT).jump_target(11),
            ins(Uop::LOAD_FAST_CHECK).oparg(2).jump_target(12).target(5),
            ins(Uop::LOAD_FAST_CHECK).oparg(0).jump_target(9),
            ins(Uop::BINARY_SUBSCR_LIST_INT).jump_target(11),
            ins(Uop::LOAD_FAST_CHECK).oparg(0).jump_target(9),
            ins(Uop::LOAD_FAST_CHECK).oparg(1).jump_target(10),
            ins(Uop::GUARD_BOTH_INT).jump_target(7),
            ins(Uop::EXIT_TRACE).exit_index(0),
            ins(Uop::EXIT_TRACE).exit_index(1),
            ins(Uop::EXIT_TRACE).exit_index(2),
            ins(Uop::EXIT_TRACE).exit_index(3),
        ];
        let out = guard_locals(uops, 9);
        assert_eq!(
            ops(&out[..11]),
            vec![
                Uop::GUARD_LOCAL_INT,
                Uop::GUARD_LOCAL_INT,
                Uop::LOAD_FAST_INT,
                Uop::LOAD_FAST_INT,
                Uop::GUARD_LOCAL_BOUND,
                Uop::LOAD_FAST,
                Uop::LOAD_FAST_CHECK,
                Uop::BINARY_SUBSCR_LIST_INT,
                // Entered at its second load (jump 7, now 9): kept.
                Uop::LOAD_FAST_CHECK,
                Uop::LOAD_FAST_CHECK,
                Uop::GUARD_BOTH_INT,
            ]
        );
        // Stubs moved from 9.. to 11..; both int guards leave through the
        // first load's exit and resume at its instruction.
        let t = |k: usize| (out[k].oparg, out[k].jump_target, out[k].target);
        assert_eq!(t(0), (0, 11, 1));
        assert_eq!(t(1), (1, 11, 1));
        assert_eq!((out[2].oparg, out[3].oparg), (0, 1));
        assert_eq!(t(4), (2, 14, 5));
        assert_eq!((out[5].oparg, out[5].target), (2, 5));
        assert_eq!(out[7].jump_target, 13);
        assert_eq!(out[10].jump_target, 9);
        assert_eq!(ops(&out[11..]), vec![Uop::EXIT_TRACE; 4]);
    }
}
