//! Base cases of recursions: a code that begins with `if a OP c: return r`
//! (`a` one of its arguments, `OP` one of `<`, `<=`, `==`, `>`, `>=`, `c`
//! a small int constant on either side, `r` an argument or a small int
//! constant) returns `r` and does nothing else when `a` is a small int for
//! which the comparison holds. [`base_case`] finds that prefix once, when
//! the code is compiled, as an inclusive range of `a` (`c` is a small int,
//! so for a small int `a` every such comparison is exact integer order);
//! the entry slot keeps it (`abi::layout::CallTarget`'s `leaf_*` fields),
//! so a trace's native call of such a function (`_CALL_EXECUTOR_LEAF_1`,
//! `_CALL_EXECUTOR_LEAF_ANY_n`) answers the base case without pushing a
//! frame (fib's `fib(1)` and `fib(0)`, half of its calls).

use crate::abi::value::{
    decode_small_int, encode_small_int, is_small_int, SMALL_INT_MAX, SMALL_INT_MIN,
};
use crate::vm::bytecode::{base_opcode, cmp, op, oparg, opcode};
use crate::vm::obj::Obj;

/// `BaseCase::lo` of a base case with no lower bound (`a < c`, `a <= c`):
/// the smallest small int, tagged.
pub const NO_LOWER_BOUND: u64 = (SMALL_INT_MIN << 1) as u64 | 1;

/// A recognised base case, in the form the entry slot keeps it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BaseCase {
    /// The compared argument's index.
    pub arg: u32,
    /// The smallest value of that argument (a tagged small int, never 0)
    /// for which the base case is taken.
    pub lo: u64,
    /// The largest value of that argument (a tagged small int) for which
    /// it is taken.
    pub hi: u64,
    /// What the base case returns: a tagged small int constant (odd), or
    /// `2 * j` (even) for argument `j`.
    pub ret: u64,
}

/// The base case the code's instructions `instrs` (in any specialized
/// form) begin with: `LOAD_FAST a; LOAD_CONST c; COMPARE_OP; POP_JUMP_IF_FALSE`
/// (or the constant first, `LOAD_CONST c; LOAD_FAST a`) then `LOAD_FAST j`
/// or `LOAD_CONST r`, then `RETURN_VALUE`, where the code takes exactly
/// `argcount` positional arguments and nothing else (`star`: it also has
/// keyword-only, `*args` or `**kwargs` parameters), has no cell variables, `a`
/// and `j` are arguments and `c` and `r` small ints. `None` for anything
/// else, or a comparison no small int satisfies.
pub fn base_case(
    instrs: &[u32],
    consts: &[Obj],
    argcount: u32,
    star: bool,
    cells: usize,
) -> Option<BaseCase> {
    if argcount == 0 || star || cells != 0 || instrs.len() < 6 {
        return None;
    }
    let at = |i: usize| (base_opcode(opcode(instrs[i])), oparg(instrs[i]));
    let arg_at = |i: usize| match at(i) {
        (op::LOAD_FAST | op::LOAD_FAST_CHECK, a) if a < argcount => Some(a),
        _ => None,
    };
    let int_at = |i: usize| match at(i) {
        (op::LOAD_CONST, c) => consts
            .get(c as usize)
            .map(Obj::raw)
            .filter(|&v| is_small_int(v))
            .map(decode_small_int),
        _ => None,
    };
    let (cmp_op, cmp_arg) = at(2);
    if cmp_op != op::COMPARE_OP || at(3).0 != op::POP_JUMP_IF_FALSE || at(5).0 != op::RETURN_VALUE {
        return None;
    }
    // `a OP c`, or `c OP a` (the same as `a OP' c` with OP mirrored).
    let (arg, c, cmp_arg) = match (arg_at(0), int_at(1), arg_at(1), int_at(0)) {
        (Some(a), Some(c), _, _) => (a, c, cmp_arg),
        (_, _, Some(a), Some(c)) => {
            let mirrored = match cmp_arg {
                cmp::LT => cmp::GT,
                cmp::LE => cmp::GE,
                cmp::GT => cmp::LT,
                cmp::GE => cmp::LE,
                other => other,
            };
            (a, c, mirrored)
        }
        _ => return None,
    };
    let (lo, hi) = match cmp_arg {
        cmp::LT => (SMALL_INT_MIN, c.checked_sub(1)?),
        cmp::LE => (SMALL_INT_MIN, c),
        cmp::EQ => (c, c),
        cmp::GT => (c.checked_add(1)?, SMALL_INT_MAX),
        cmp::GE => (c, SMALL_INT_MAX),
        _ => return None,
    };
    if lo > hi {
        return None;
    }
    let ret = match (arg_at(4), int_at(4)) {
        (Some(j), _) => 2 * u64::from(j),
        (_, Some(r)) => encode_small_int(r)?,
        _ => return None,
    };
    Some(BaseCase {
        arg,
        lo: encode_small_int(lo)?,
        hi: encode_small_int(hi)?,
        ret,
    })
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

    fn tagged(i: i64) -> u64 {
        encode_small_int(i).unwrap_or(0)
    }

    /// `if a<cmp>consts[0]: return a` (a the local `a`), then `return a`.
    fn prefix(c: u32, a: u32) -> Vec<u32> {
        vec![
            w(op::LOAD_FAST, a),
            w(op::LOAD_CONST, 0),
            w(op::COMPARE_OP, c),
            w(op::POP_JUMP_IF_FALSE, 6),
            w(op::LOAD_FAST, a),
            w(op::RETURN_VALUE, 0),
            w(op::LOAD_FAST, a),
            w(op::RETURN_VALUE, 0),
        ]
    }

    fn range(b: BaseCase) -> (i64, i64) {
        (decode_small_int(b.lo), decode_small_int(b.hi))
    }

    #[test]
    fn every_comparison_is_a_range() {
        let consts = [int(2)];
        let r = |c| base_case(&prefix(c, 0), &consts, 1, false, 0).map(range);
        assert_eq!(r(cmp::LT), Some((SMALL_INT_MIN, 1)));
        assert_eq!(r(cmp::LE), Some((SMALL_INT_MIN, 2)));
        assert_eq!(r(cmp::EQ), Some((2, 2)));
        assert_eq!(r(cmp::GT), Some((3, SMALL_INT_MAX)));
        assert_eq!(r(cmp::GE), Some((2, SMALL_INT_MAX)));
        assert_eq!(r(cmp::NE), None);
        let fib = base_case(&prefix(cmp::LT, 0), &consts, 1, false, 0);
        assert_eq!(fib.map(|b| (b.arg, b.ret)), Some((0, 0)));
        assert_eq!(fib.map(|b| b.lo), Some(NO_LOWER_BOUND));
    }

    #[test]
    fn constant_first_mirrors_the_comparison() {
        let consts = [int(2)];
        let mut p = prefix(cmp::GT, 0);
        p.swap(0, 1);
        // `2 > a` is `a < 2`.
        let b = base_case(&p, &consts, 1, false, 0).map(range);
        assert_eq!(b, Some((SMALL_INT_MIN, 1)));
    }

    #[test]
    fn constant_results_and_second_arguments() {
        let consts = [int(0), int(7)];
        // def gcd(a, b): if b == 0: return a
        let mut p = prefix(cmp::EQ, 1);
        p[4] = w(op::LOAD_FAST, 0);
        let b = base_case(&p, &consts, 2, false, 0);
        assert_eq!(b.map(|b| (b.arg, b.ret)), Some((1, 0)));
        assert_eq!(b.map(range), Some((0, 0)));
        // ... return b (argument 1): 2 * 1.
        p[4] = w(op::LOAD_FAST, 1);
        assert_eq!(base_case(&p, &consts, 2, false, 0).map(|b| b.ret), Some(2));
        // ... return 7
        p[4] = w(op::LOAD_CONST, 1);
        let b = base_case(&p, &consts, 2, false, 0);
        assert_eq!(b.map(|b| b.ret), Some(tagged(7)));
    }

    #[test]
    fn anything_else_has_none() {
        let consts = [int(2)];
        let none = |p: &[u32], consts: &[Obj], n, star, cells| {
            assert_eq!(base_case(p, consts, n, star, cells), None)
        };
        // No arguments, a star parameter, a cell.
        none(&prefix(cmp::LT, 0), &consts, 0, false, 0);
        none(&prefix(cmp::LT, 0), &consts, 1, true, 0);
        none(&prefix(cmp::LT, 0), &consts, 1, false, 1);
        // A heap constant (not a small int).
        let heap = [Obj::from_raw(crate::vm::obj::new_float(2.0))];
        none(&prefix(cmp::LT, 0), &heap, 1, false, 0);
        // Comparing or returning a local that is not an argument.
        none(&prefix(cmp::LT, 1), &consts, 1, false, 0);
        let mut other = prefix(cmp::LT, 0);
        other[4] = w(op::LOAD_FAST, 1);
        none(&other, &consts, 1, false, 0);
        // Two locals compared, two constants compared.
        let mut two = prefix(cmp::LT, 0);
        two[1] = w(op::LOAD_FAST, 1);
        none(&two, &consts, 2, false, 0);
        two[0] = w(op::LOAD_CONST, 0);
        two[1] = w(op::LOAD_CONST, 0);
        none(&two, &consts, 2, false, 0);
        // No small int below the smallest one.
        let min = [int(SMALL_INT_MIN)];
        none(&prefix(cmp::LT, 0), &min, 1, false, 0);
        let max = [int(SMALL_INT_MAX)];
        none(&prefix(cmp::GT, 0), &max, 1, false, 0);
        // Not a return right after the test.
        let mut jump = prefix(cmp::LT, 0);
        jump[5] = w(op::POP_TOP, 0);
        none(&jump, &consts, 1, false, 0);
    }
}
