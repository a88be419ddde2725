//! Base cases of one-argument recursions: a code that begins with
//! `if a < K: return a` (its only argument `a`, `K` a small int; `a <= K`
//! counts as `a < K + 1`) returns a small-int argument below `K` unchanged
//! and does nothing else. [`leaf_below`] finds that prefix once, when the
//! code is compiled, and the entry slot keeps `K`
//! (`abi::layout::CallTarget::leaf_below`), so a trace's native call of
//! such a function (`_CALL_EXECUTOR_LEAF_1`) answers the base case without
//! pushing a frame (fib's `fib(1)` and `fib(0)`, half of its calls).

use crate::abi::value::{decode_small_int, encode_small_int, is_small_int};
use crate::vm::bytecode::{base_opcode, cmp, op, oparg, opcode};
use crate::vm::obj::Obj;

/// `K` as a tagged small int when `instrs` (a code's instructions, in any
/// specialized form) begin with `LOAD_FAST 0; LOAD_CONST c; COMPARE_OP <
/// (or <=); POP_JUMP_IF_FALSE; LOAD_FAST 0; RETURN_VALUE`, the code takes
/// exactly one positional argument (`argcount == 1`, no `*args`) and has
/// no cell variables, and `c` is a small int; else 0.
pub fn leaf_below(instrs: &[u32], consts: &[Obj], argcount: u32, star: bool, cells: usize) -> u64 {
    if argcount != 1 || star || cells != 0 || instrs.len() < 6 {
        return 0;
    }
    let at = |i: usize| (base_opcode(opcode(instrs[i])), oparg(instrs[i]));
    let load_arg = |i: usize| matches!(at(i), (op::LOAD_FAST | op::LOAD_FAST_CHECK, 0));
    let (cmp_op, cmp_arg) = at(2);
    if !load_arg(0)
        || at(1).0 != op::LOAD_CONST
        || cmp_op != op::COMPARE_OP
        || at(3).0 != op::POP_JUMP_IF_FALSE
        || !load_arg(4)
        || at(5).0 != op::RETURN_VALUE
    {
        return 0;
    }
    let Some(c) = consts.get(at(1).1 as usize).map(Obj::raw) else {
        return 0;
    };
    if !is_small_int(c) {
        return 0;
    }
    let c = decode_small_int(c);
    let k = match cmp_arg {
        cmp::LT => Some(c),
        cmp::LE => c.checked_add(1),
        _ => None,
    };
    k.and_then(encode_small_int).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(o: u8, a: u32) -> u32 {
        u32::from(o) | (a << 8)
    }

    fn int(i: i64) -> Obj {
        Obj::from_raw(encode_small_int(i).unwrap_or(1))
    }

    fn fib_prefix(c: u32) -> Vec<u32> {
        vec![
            w(op::LOAD_FAST, 0),
            w(op::LOAD_CONST, 0),
            w(op::COMPARE_OP, c),
            w(op::POP_JUMP_IF_FALSE, 6),
            w(op::LOAD_FAST, 0),
            w(op::RETURN_VALUE, 0),
            w(op::LOAD_FAST, 0),
            w(op::RETURN_VALUE, 0),
        ]
    }

    #[test]
    fn finds_less_than_and_less_equal_base_cases() {
        let consts = [int(2)];
        assert_eq!(leaf_below(&fib_prefix(cmp::LT), &consts, 1, false, 0), 5);
        assert_eq!(leaf_below(&fib_prefix(cmp::LE), &consts, 1, false, 0), 7);
    }

    #[test]
    fn anything_else_has_none() {
        let consts = [int(2)];
        // Another comparison, argument count, a star parameter, a cell.
        assert_eq!(leaf_below(&fib_prefix(cmp::GT), &consts, 1, false, 0), 0);
        assert_eq!(leaf_below(&fib_prefix(cmp::LT), &consts, 2, false, 0), 0);
        assert_eq!(leaf_below(&fib_prefix(cmp::LT), &consts, 1, true, 0), 0);
        assert_eq!(leaf_below(&fib_prefix(cmp::LT), &consts, 1, false, 1), 0);
        // A heap constant (not a small int).
        let heap = [Obj::from_raw(crate::vm::obj::new_float(2.0))];
        assert_eq!(leaf_below(&fib_prefix(cmp::LT), &heap, 1, false, 0), 0);
        // `return 1` instead of `return a`.
        let mut other = fib_prefix(cmp::LT);
        other[4] = w(op::LOAD_CONST, 0);
        assert_eq!(leaf_below(&other, &consts, 1, false, 0), 0);
        // `if a < c: return a` comparing another local.
        let mut local = fib_prefix(cmp::LT);
        local[0] = w(op::LOAD_FAST, 1);
        assert_eq!(leaf_below(&local, &consts, 1, false, 0), 0);
    }
}
