//! Dict reads and counter updates of a closure cell's dict, fused (part
//! of [`fuse`](super::fuse), the optimizer's last pass; s8-containers).
//!
//! `cell[key] += c` (a str or small int constant key, a small int
//! constant `c`) becomes `_GUARD_CELL_BOUND` and one
//! `_INPLACE_ADD_DICT_ITEM_CELL_CONST` (see [`fuse_cell_dict_updates`]).
//!
//! `_LOAD_DEREF c; _LOAD_FAST k (or _LOAD_FAST_INT k); _BINARY_SUBSCR_DICT`
//! (`queues[task]` in a closure) becomes `_GUARD_CELL_BOUND c` (the load's
//! exit: an empty cell leaves where tier 1 raises `NameError`), a `_NOP`
//! and `_BINARY_SUBSCR_DICT_CELL_LOCAL c, k` (the subscript's exit: a miss
//! or another container pushes the dict and the key the loads would have
//! pushed, so tier 1 redoes the subscript). The dict and the key are read
//! in place: no reference counts on the hit path.

use crate::abi::layout::kind;
use crate::abi::uop::Uop;
use crate::abi::value::decode_small_int;
use crate::jit::UopInstruction;

/// The key of a fused update: a small int or str constant (the ones the
/// inline probe finds).
fn probed_const(u: &UopInstruction) -> bool {
    u.opcode == Uop::LOAD_CONST
        && u.operand != 0
        && (u.operand & 1 == 1 || crate::vm::obj::kind_of(u.operand) == kind::STR)
}

/// `delta` of `<small int constant c>` then `+`/`-`, if it fits an i16.
fn update_delta(c: &UopInstruction, op: &UopInstruction) -> Option<i16> {
    if c.opcode != Uop::LOAD_CONST || c.operand & 1 == 0 {
        return None;
    }
    let n = decode_small_int(c.operand);
    let d = match op.opcode {
        Uop::BINARY_OP_ADD_INT => n,
        Uop::BINARY_OP_SUBTRACT_INT => n.checked_neg()?,
        _ => return None,
    };
    i16::try_from(d).ok()
}

/// `cell[key] op= c`, as the projection emits it: `(group length, delta)`.
fn cell_update(g: &[UopInstruction]) -> Option<(usize, i16)> {
    let [ld, key, c1, c2, sub, c, rest @ ..] = g else {
        return None;
    };
    let copies = [c1, c2]
        .iter()
        .all(|u| u.opcode == Uop::COPY && u.oparg == 2);
    if ld.opcode != Uop::LOAD_DEREF
        || ld.oparg > 0xffff
        || !probed_const(key)
        || !copies
        || sub.opcode != Uop::BINARY_SUBSCR_DICT
    {
        return None;
    }
    let guarded = rest
        .first()
        .is_some_and(|u| u.opcode == Uop::GUARD_BOTH_INT);
    let rest = &rest[usize::from(guarded)..];
    let [op, s3, s2, st, ..] = rest else {
        return None;
    };
    let delta = update_delta(c, op)?;
    let tail = s3.opcode == Uop::SWAP
        && s3.oparg == 3
        && s2.opcode == Uop::SWAP
        && s2.oparg == 2
        && st.opcode == Uop::STORE_SUBSCR_DICT;
    tail.then_some((10 + usize::from(guarded), delta))
}

/// Fuses `cell[key] += c` / `-= c` (a small int or str constant key, a
/// small int constant `c` whose delta fits an i16): `_GUARD_CELL_BOUND`
/// (the cell load's exit), then `_INPLACE_ADD_DICT_ITEM_CELL_CONST` in the
/// subscript's place (its exit, the stack `[dict, key, dict, key]`), the
/// other uops `_NOP`s. Runs before the other fusions, on the projection's
/// shapes.
pub fn fuse_cell_dict_updates(uops: &mut [UopInstruction], entered: &[bool]) {
    let mut k = 0;
    while k < uops.len() {
        let Some((n, delta)) = cell_update(&uops[k..]) else {
            k += 1;
            continue;
        };
        if entered
            .get(k + 1..k + n)
            .is_none_or(|e| e.iter().any(|&x| x))
        {
            k += 1;
            continue;
        }
        let (cell, key) = (uops[k].oparg, uops[k + 1].operand);
        uops[k].opcode = Uop::GUARD_CELL_BOUND;
        for (i, u) in uops[k + 1..k + n].iter_mut().enumerate() {
            // (The subscript, at `k + 4`, becomes the fused uop below.)
            if i != 3 {
                *u = UopInstruction::new(Uop::NOP).target(u.target);
            }
        }
        let f = &mut uops[k + 4];
        f.opcode = Uop::INPLACE_ADD_DICT_ITEM_CELL_CONST;
        f.oparg = cell | (u32::from(delta as u16) << 16);
        f.operand = key;
        k += n;
    }
}

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

    /// `cell 3[key] += 1` as projected (`_GUARD_BOTH_INT` when `guarded`),
    /// the subscript leaving to 52, the cell load to 51.
    fn update(key: u64, guarded: bool, op: Uop, c: i64) -> Vec<UopInstruction> {
        let small = |n: i64| crate::abi::value::encode_small_int(n).unwrap_or(1);
        let mut u = vec![
            ins(Uop::LOAD_DEREF).oparg(3).jump_target(51),
            ins(Uop::LOAD_CONST).operand(key),
            ins(Uop::COPY).oparg(2),
            ins(Uop::COPY).oparg(2),
            ins(Uop::BINARY_SUBSCR_DICT).jump_target(52),
            ins(Uop::LOAD_CONST).operand(small(c)),
        ];
        if guarded {
            u.push(ins(Uop::GUARD_BOTH_INT).jump_target(53));
        }
        u.extend([
            ins(op).jump_target(53),
            ins(Uop::SWAP).oparg(3),
            ins(Uop::SWAP).oparg(2),
            ins(Uop::STORE_SUBSCR_DICT).jump_target(54),
            ins(Uop::POP_TOP),
        ]);
        u
    }

    #[test]
    fn a_cell_counter_update_becomes_a_guard_and_one_update() {
        let key = crate::vm::obj::new_str("sent");
        for (guarded, op, c, delta) in [
            (true, Uop::BINARY_OP_ADD_INT, 1, 1i16),
            (false, Uop::BINARY_OP_SUBTRACT_INT, 7, -7),
        ] {
            let mut u = update(key.raw(), guarded, op, c);
            fuse_cell_dict_updates(&mut u, &[false; 60]);
            let live: Vec<Uop> = opcodes(&u).into_iter().filter(|&o| o != Uop::NOP).collect();
            assert_eq!(
                live,
                [
                    Uop::GUARD_CELL_BOUND,
                    Uop::INPLACE_ADD_DICT_ITEM_CELL_CONST,
                    Uop::POP_TOP
                ]
            );
            assert_eq!((u[0].oparg, u[0].jump_target), (3, 51));
            let f = u[4];
            assert_eq!(f.opcode, Uop::INPLACE_ADD_DICT_ITEM_CELL_CONST);
            assert_eq!(
                (f.oparg & 0xffff, (f.oparg >> 16) as u16 as i16),
                (3, delta)
            );
            assert_eq!((f.operand, f.jump_target), (key.raw(), 52));
        }
    }

    #[test]
    fn updates_of_other_keys_deltas_and_entered_groups_stay() {
        let key = crate::vm::obj::new_str("sent");
        let list = crate::vm::obj::new_list(vec![]);
        let mut entered = [false; 60];
        entered[6] = true;
        for (k, c, entered) in [
            (list.raw(), 1, [false; 60]),
            (key.raw(), 1 << 20, [false; 60]),
            (key.raw(), 1, entered),
        ] {
            let mut u = update(k, true, Uop::BINARY_OP_ADD_INT, c);
            fuse_cell_dict_updates(&mut u, &entered);
            assert_eq!(u[0].opcode, Uop::LOAD_DEREF);
            assert_eq!(u[4].opcode, Uop::BINARY_SUBSCR_DICT);
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
