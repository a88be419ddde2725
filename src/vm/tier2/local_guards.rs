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
    uops
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
    /// entered in the middle: left alone.
    #[test]
    fn other_shapes_are_left_alone() {
        let shapes = [
            [
                ins(Uop::LOAD_FAST_CHECK).oparg(0).jump_target(4),
                ins(Uop::LOAD_FAST_CHECK).oparg(1).jump_target(4),
                ins(Uop::GUARD_BOTH_INT).jump_target(4),
            ],
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
}
