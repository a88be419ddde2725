//! Fusion: the optimizer's last pass. Short uop sequences whose operands
//! come straight from the frame (locals, constants) become one uop that
//! reads them there: no stack traffic, no reference counts.
//!
//! * List subscripts: `_LOAD_FAST list; _LOAD_CONST k` or `_LOAD_FAST list;
//!   _LOAD_FAST i` feeding `_BINARY_SUBSCR_LIST_INT` become
//!   `_BINARY_SUBSCR_LIST_INT_LOCAL_CONST` / `_LOCALS`, and `_LOAD_FAST
//!   list; _LOAD_FAST i; _STORE_SUBSCR_LIST_INT` becomes
//!   `_STORE_SUBSCR_LIST_INT_LOCALS`; a float item read unboxed
//!   (`_BINARY_SUBSCR_LIST_INT_UNBOXED_FLOAT`, from the unboxing pass) the
//!   `_LOCAL_CONST_UNBOXED_FLOAT` / `_LOCALS_UNBOXED_FLOAT` forms.
//! * Compare and branch: `_COMPARE_OP_INT` followed by
//!   `_GUARD_IS_TRUE_POP`/`_GUARD_IS_FALSE_POP` becomes a `_GUARD_INT_*`
//!   that makes no bool; with both operands loaded from locals proven small
//!   ints (`_LOAD_FAST_INT`, set by the type pass) or a small int constant,
//!   the `_LOCALS`/`_LOCAL_CONST` form reads them in place. The truth test
//!   of a value just made by an int operation (`_TO_BOOL` then a branch
//!   guard) becomes a comparison with 0.
//! * Local updates: `_LOAD_FAST_INT a; _LOAD_CONST c` (or `_LOAD_FAST_INT
//!   b`) feeding `_BINARY_OP_ADD_INT`/`_SUBTRACT_INT` become one uop that
//!   pushes the result, and with `_STORE_FAST_INT a` after it one that
//!   updates the local in place.
//! * Float list item updates `lst[c] op= x` (`float_update.rs`).
//! * `n = c1 * n + c2` in place, once its multiply and add are fused
//!   (`_INPLACE_MUL_ADD_INT_*`).
//! * List subscripts on locals proven a list and small int indices check
//!   only the bounds (`list_facts.rs`).
//! * Last, constants that are small ints or immortal objects are pushed by
//!   `_LOAD_CONST_IMMORTAL` (no reference count).
//!
//! The replaced uops become `_NOP`s (no code), so no index moves, and a
//! group is fused only if no uop jumps into it past its first uop. Exits
//! stay exact: a fused uop leaves through the exit of the uop whose failure
//! it stands for, with the stack that uop would have had there (its failure
//! path pushes the operands the loads would have pushed; a compare and
//! branch guard pops its small int operands, as the guard pops the bool).

use crate::abi::layout::ObjHeader;
use crate::abi::stencil::fits_operand_i32;
use crate::abi::uop::Uop;
use crate::abi::value::IMMORTAL_REFCNT;
use crate::jit::UopInstruction;
use crate::vm::tier2::int_uops::{arith_uop, guard_uop, Arith, Cmp, Operands};
use crate::vm::tier2::optimize::is_small_int_binary_op;

/// Whether `v` is a tagged small int constant.
fn small_int_const(u: &UopInstruction) -> bool {
    u.opcode == Uop::LOAD_CONST && u.operand & 1 == 1
}

/// Whether the constant `v` needs no reference count: a small int or an
/// immortal object.
fn immortal(v: u64) -> bool {
    if v & 1 == 1 {
        return true;
    }
    if v == 0 {
        return false;
    }
    // SAFETY: a non-null, untagged `_LOAD_CONST` operand is a live object
    // (the code object or the trace keeps it alive).
    unsafe { (*(v as *const ObjHeader)).refcnt >= IMMORTAL_REFCNT as isize }
}

/// Whether `u` leaves a small int on top of the stack (when it continues).
fn makes_small_int(u: Uop) -> bool {
    is_small_int_binary_op(u)
        || matches!(
            u,
            Uop::LOAD_FAST_INT
                | Uop::BINARY_OP_ADD_INT_LOCAL_CONST
                | Uop::BINARY_OP_SUBTRACT_INT_LOCAL_CONST
                | Uop::BINARY_OP_ADD_INT_LOCALS
                | Uop::BINARY_OP_SUBTRACT_INT_LOCALS
                | Uop::BINARY_OP_RSHIFT_INT_LOCAL_CONST
                | Uop::BINARY_OP_MULTIPLY_INT_LOCAL_CONST
                | Uop::BINARY_OP_MULTIPLY_INT_CONST_LOCAL
                | Uop::BINARY_OP_ADD_INT_TOP_CONST
                | Uop::BINARY_OP_SUBTRACT_INT_TOP_CONST
        )
}

/// The comparison a branch guard after `_COMPARE_OP_INT oparg` continues on.
fn branch_cmp(compare: &UopInstruction, guard: &UopInstruction) -> Option<Cmp> {
    let c = Cmp::from_oparg(compare.oparg)?;
    match guard.opcode {
        Uop::GUARD_IS_TRUE_POP => Some(c),
        Uop::GUARD_IS_FALSE_POP => Some(c.negate()),
        _ => None,
    }
}

/// One fusion: the uop that replaces the group starting at the current
/// index, and the group's length (the others become `_NOP`s).
type Fused = (UopInstruction, usize);

/// The right operand of a fused int uop from its load: a local proven a
/// small int or a small int constant that the JIT can take as a 32-bit
/// immediate both tagged (a compare's) and untagged (`2c`, an add's): the
/// templates read it as `HoleValue::OperandI32` (s10-jit). A larger
/// constant stays unfused.
fn int_operand(u: &UopInstruction) -> Option<(bool, u64)> {
    match u.opcode {
        Uop::LOAD_FAST_INT => Some((false, u64::from(u.oparg))),
        Uop::LOAD_CONST
            if u.operand & 1 == 1
                && fits_operand_i32(u.operand)
                && fits_operand_i32(u.operand ^ 1) =>
        {
            Some((true, u.operand))
        }
        _ => None,
    }
}

/// Local `+`/`-`: `_LOAD_FAST_INT a; <int operand>; _BINARY_OP_ADD_INT`
/// (or `_SUBTRACT_INT`), then maybe `_STORE_FAST_INT a`.
fn fuse_arith(g: &[UopInstruction]) -> Option<Fused> {
    let [a, b, op, rest @ ..] = g else {
        return None;
    };
    if a.opcode != Uop::LOAD_FAST_INT {
        return None;
    }
    let sub = match op.opcode {
        Uop::BINARY_OP_ADD_INT => false,
        Uop::BINARY_OP_SUBTRACT_INT => true,
        _ => return None,
    };
    let (constant, operand) = int_operand(b)?;
    let inplace = rest
        .first()
        .is_some_and(|s| s.opcode == Uop::STORE_FAST_INT && s.oparg == a.oparg);
    let mut f = *op;
    f.opcode = arith_uop(Arith {
        sub,
        constant,
        inplace,
    });
    f.oparg = a.oparg;
    // A constant goes in untagged (`2c`): the uop adds it as it is.
    f.operand = if constant { operand ^ 1 } else { operand };
    Some((f, if inplace { 4 } else { 3 }))
}

/// Compare and branch: `[_LOAD_FAST_INT a; <int operand>;]
/// _COMPARE_OP_INT; _GUARD_IS_*_POP`.
fn fuse_compare(g: &[UopInstruction]) -> Option<Fused> {
    if let [a, b, cmp, guard, ..] = g {
        if a.opcode == Uop::LOAD_FAST_INT && cmp.opcode == Uop::COMPARE_OP_INT {
            if let (Some((constant, operand)), Some(c)) = (int_operand(b), branch_cmp(cmp, guard)) {
                let o = if constant {
                    Operands::LocalConst
                } else {
                    Operands::Locals
                };
                let mut f = *guard;
                f.opcode = guard_uop(c, o);
                f.oparg = a.oparg;
                f.operand = operand;
                return Some((f, 4));
            }
        }
    }
    let [cmp, guard, ..] = g else {
        return None;
    };
    if cmp.opcode != Uop::COMPARE_OP_INT {
        return None;
    }
    let c = branch_cmp(cmp, guard)?;
    let mut f = *guard;
    f.opcode = guard_uop(c, Operands::Stack);
    f.oparg = 0;
    f.operand = 0;
    Some((f, 2))
}

/// List subscripts with the list and the index in locals (or a constant
/// index).
fn fuse_subscript(g: &[UopInstruction]) -> Option<Fused> {
    let [a, b, c, ..] = g else {
        return None;
    };
    if a.opcode != Uop::LOAD_FAST {
        return None;
    }
    let index_local = matches!(b.opcode, Uop::LOAD_FAST | Uop::LOAD_FAST_INT);
    let (op, operand) = match c.opcode {
        Uop::BINARY_SUBSCR_LIST_INT if small_int_const(b) => {
            (Uop::BINARY_SUBSCR_LIST_INT_LOCAL_CONST, b.operand)
        }
        Uop::BINARY_SUBSCR_LIST_INT if index_local => {
            (Uop::BINARY_SUBSCR_LIST_INT_LOCALS, u64::from(b.oparg))
        }
        Uop::STORE_SUBSCR_LIST_INT if index_local => {
            (Uop::STORE_SUBSCR_LIST_INT_LOCALS, u64::from(b.oparg))
        }
        Uop::BINARY_SUBSCR_LIST_INT_UNBOXED_FLOAT if small_int_const(b) => (
            Uop::BINARY_SUBSCR_LIST_INT_LOCAL_CONST_UNBOXED_FLOAT,
            b.operand,
        ),
        Uop::BINARY_SUBSCR_LIST_INT_UNBOXED_FLOAT if index_local => (
            Uop::BINARY_SUBSCR_LIST_INT_LOCALS_UNBOXED_FLOAT,
            u64::from(b.oparg),
        ),
        _ => return None,
    };
    let mut f = *c;
    f.opcode = op;
    f.oparg = a.oparg;
    f.operand = operand;
    Some((f, 3))
}

// ----- integer loops (s7-int) -----

/// `if n & c:`: `_LOAD_FAST_INT a; _LOAD_CONST c; _BINARY_OP_AND_INT;
/// _TO_BOOL; _GUARD_IS_*_POP` becomes one guard on the masked bits (the
/// branch guard's exit; the truth test of a small int cannot fail).
fn fuse_and_branch(g: &[UopInstruction]) -> Option<Fused> {
    let [a, c, and, to_bool, guard, ..] = g else {
        return None;
    };
    // The mask is a 32-bit immediate in JIT code (`HoleValue::OperandI32`).
    if a.opcode != Uop::LOAD_FAST_INT
        || !small_int_const(c)
        || !fits_operand_i32(c.operand ^ 1)
        || and.opcode != Uop::BINARY_OP_AND_INT
        || to_bool.opcode != Uop::TO_BOOL
    {
        return None;
    }
    let op = match guard.opcode {
        Uop::GUARD_IS_TRUE_POP => Uop::GUARD_AND_INT_NONZERO_LOCAL_CONST,
        Uop::GUARD_IS_FALSE_POP => Uop::GUARD_AND_INT_ZERO_LOCAL_CONST,
        _ => return None,
    };
    let mut f = *guard;
    f.opcode = op;
    f.oparg = a.oparg;
    // The mask without the constant's tag bit: the local's drops out.
    f.operand = c.operand ^ 1;
    Some((f, 5))
}

/// A local shifted right by a constant that cannot make the shift exit
/// (`0..=62`), pushed or (with `_STORE_FAST_INT a` after it) stored back.
fn fuse_rshift(g: &[UopInstruction]) -> Option<Fused> {
    let [a, c, op, rest @ ..] = g else {
        return None;
    };
    if a.opcode != Uop::LOAD_FAST_INT
        || !small_int_const(c)
        || op.opcode != Uop::BINARY_OP_RSHIFT_INT
    {
        return None;
    }
    let shift = (c.operand as i64) >> 1;
    if !(0..=62).contains(&shift) {
        return None;
    }
    let inplace = rest
        .first()
        .is_some_and(|s| s.opcode == Uop::STORE_FAST_INT && s.oparg == a.oparg);
    let mut f = *op;
    f.opcode = if inplace {
        Uop::INPLACE_RSHIFT_INT_LOCAL_CONST
    } else {
        Uop::BINARY_OP_RSHIFT_INT_LOCAL_CONST
    };
    f.oparg = a.oparg;
    f.operand = shift as u64;
    Some((f, if inplace { 4 } else { 3 }))
}

/// `n * c` or `c * n`: a local proven a small int times a small int
/// constant, pushed.
fn fuse_multiply(g: &[UopInstruction]) -> Option<Fused> {
    let [x, y, op, ..] = g else {
        return None;
    };
    if op.opcode != Uop::BINARY_OP_MULTIPLY_INT {
        return None;
    }
    let (local, c, opcode) = if x.opcode == Uop::LOAD_FAST_INT && small_int_const(y) {
        (x, y, Uop::BINARY_OP_MULTIPLY_INT_LOCAL_CONST)
    } else if small_int_const(x) && y.opcode == Uop::LOAD_FAST_INT {
        (y, x, Uop::BINARY_OP_MULTIPLY_INT_CONST_LOCAL)
    } else {
        return None;
    };
    let mut f = *op;
    f.opcode = opcode;
    f.oparg = local.oparg;
    // The constant decoded: the template multiplies the local's `2n` by it.
    f.operand = ((c.operand as i64) >> 1) as u64;
    Some((f, 3))
}

/// `<small int on the stack> + c` (or `- c`): `_LOAD_CONST c;
/// _BINARY_OP_ADD_INT` (whose precondition already says both operands are
/// small ints) updates the top in place.
fn fuse_top_const(g: &[UopInstruction]) -> Option<Fused> {
    let [c, op, ..] = g else {
        return None;
    };
    if !small_int_const(c) {
        return None;
    }
    let opcode = match op.opcode {
        Uop::BINARY_OP_ADD_INT => Uop::BINARY_OP_ADD_INT_TOP_CONST,
        Uop::BINARY_OP_SUBTRACT_INT => Uop::BINARY_OP_SUBTRACT_INT_TOP_CONST,
        _ => return None,
    };
    let mut f = *op;
    f.opcode = opcode;
    f.oparg = 0;
    // Held untagged (`2c`), as the local `+`/`-` forms hold theirs.
    f.operand = c.operand ^ 1;
    Some((f, 2))
}

/// `n = c1 * n + c2` (or `n * c1 + c2`, `- c2`) once its parts are fused:
/// `_BINARY_OP_MULTIPLY_INT_CONST_LOCAL n, c1` (or `_LOCAL_CONST`),
/// `_BINARY_OP_ADD_INT_TOP_CONST c2` (or `_SUBTRACT_`), `_STORE_FAST_INT n`
/// (`_NOP`s between) becomes one `_INPLACE_MUL_ADD_INT_CONST_LOCAL` (or
/// `_LOCAL_CONST`) where the multiply was, leaving through the multiply's
/// exit on any overflow (nothing is written before both steps fit, so
/// tier 1 redoes the whole expression). Both constants must fit 32 bits.
fn fuse_mul_adds(uops: &mut [UopInstruction], entered: &[bool]) {
    let live: Vec<usize> = (0..uops.len())
        .filter(|&k| uops[k].opcode != Uop::NOP)
        .collect();
    for w in live.windows(3) {
        let [m, a, st] = [w[0], w[1], w[2]];
        let (mul, add, store) = (uops[m], uops[a], uops[st]);
        let opcode = match mul.opcode {
            Uop::BINARY_OP_MULTIPLY_INT_CONST_LOCAL => Uop::INPLACE_MUL_ADD_INT_CONST_LOCAL,
            Uop::BINARY_OP_MULTIPLY_INT_LOCAL_CONST => Uop::INPLACE_MUL_ADD_INT_LOCAL_CONST,
            _ => continue,
        };
        // The added constant is held untagged (`2c`).
        let c2 = (add.operand as i64) >> 1;
        let c2 = match add.opcode {
            Uop::BINARY_OP_ADD_INT_TOP_CONST => c2,
            Uop::BINARY_OP_SUBTRACT_INT_TOP_CONST => -c2,
            _ => continue,
        };
        if store.opcode != Uop::STORE_FAST_INT
            || store.oparg != mul.oparg
            || entered[m + 1..=st].iter().any(|&e| e)
        {
            continue;
        }
        let Some(operand) = super::int_uops::mul_add_operand(mul.operand as i64, c2) else {
            continue;
        };
        uops[m].opcode = opcode;
        uops[m].operand = operand;
        for k in [a, st] {
            uops[k] = UopInstruction::new(Uop::NOP).target(uops[k].target);
        }
    }
}

/// `lst[i], lst[j] = lst[j], lst[i]` once its subscripts are fused:
/// `_BINARY_SUBSCR_LIST_INT_LOCALS lst, j; _BINARY_SUBSCR_LIST_INT_LOCALS
/// lst, i; _SWAP 2; _STORE_SUBSCR_LIST_INT_LOCALS lst, i;
/// _STORE_SUBSCR_LIST_INT_LOCALS lst, j` (`_NOP`s between) becomes one
/// `_SWAP_LIST_ITEMS_LOCALS`, leaving through the first subscript's exit
/// (every check is made before anything is written, so tier 1 redoes the
/// whole statement).
fn fuse_item_swaps(uops: &mut [UopInstruction], entered: &[bool]) {
    let live: Vec<usize> = (0..uops.len())
        .filter(|&k| uops[k].opcode != Uop::NOP)
        .collect();
    for w in live.windows(5) {
        let [a, b, c, d, e] = [w[0], w[1], w[2], w[3], w[4]];
        let (ra, rb, sw, sb, sa) = (uops[a], uops[b], uops[c], uops[d], uops[e]);
        let shape = ra.opcode == Uop::BINARY_SUBSCR_LIST_INT_LOCALS
            && rb.opcode == Uop::BINARY_SUBSCR_LIST_INT_LOCALS
            && sw.opcode == Uop::SWAP
            && sw.oparg == 2
            && sb.opcode == Uop::STORE_SUBSCR_LIST_INT_LOCALS
            && sa.opcode == Uop::STORE_SUBSCR_LIST_INT_LOCALS;
        let same_list = [rb.oparg, sb.oparg, sa.oparg]
            .iter()
            .all(|&l| l == ra.oparg);
        let indices = sa.operand == ra.operand && sb.operand == rb.operand;
        let fits = ra.operand <= u64::from(u32::MAX) && rb.operand <= u64::from(u32::MAX);
        if !(shape && same_list && indices && fits) || entered[a + 1..=e].iter().any(|&x| x) {
            continue;
        }
        uops[a].opcode = Uop::SWAP_LIST_ITEMS_LOCALS;
        uops[a].operand = ra.operand | (rb.operand << 32);
        for u in &mut uops[a + 1..=e] {
            *u = UopInstruction::new(Uop::NOP).target(u.target);
        }
    }
}

/// Fuses the groups of `uops` this pass knows (see the module docs),
/// where no uop jumps into a group past its first uop.
pub fn fuse(uops: Vec<UopInstruction>) -> Vec<UopInstruction> {
    fuse_noting_head(uops, super::local_facts::PassFacts::default()).0
}

/// [`fuse`] of a trace entered knowing `start`, also returning what the
/// known-locals passes assumed at the head of a peeled loop (see
/// [`super::local_facts::LoopHead`]).
pub fn fuse_noting_head(
    mut uops: Vec<UopInstruction>,
    start: super::local_facts::PassFacts,
) -> (Vec<UopInstruction>, super::local_facts::PassFacts) {
    let entered = super::local_facts::entered(&uops);
    // `cell[key] += c` (s8-containers), on the projection's shapes.
    super::dict_fuse::fuse_cell_dict_updates(&mut uops, &entered);
    let mut k = 0;
    while k < uops.len() {
        if let Some(end) = super::float_update::fuse_item_update(&mut uops, k, &entered) {
            k = end + 1;
            continue;
        }
        let g = &uops[k..];
        let fused = fuse_arith(g)
            .or_else(|| fuse_compare(g))
            .or_else(|| fuse_subscript(g))
            .or_else(|| fuse_and_branch(g))
            .or_else(|| fuse_rshift(g))
            .or_else(|| fuse_multiply(g))
            .or_else(|| fuse_top_const(g))
            .filter(|&(_, n)| !entered[k + 1..k + n].iter().any(|&e| e));
        if let Some((f, n)) = fused {
            for u in &mut uops[k..k + n - 1] {
                *u = UopInstruction::new(Uop::NOP).target(u.target);
            }
            uops[k + n - 1] = f;
            k += n;
            continue;
        }
        // The truth of a small int just made: a comparison with 0.
        if k >= 1
            && k + 1 < uops.len()
            && uops[k].opcode == Uop::TO_BOOL
            && makes_small_int(uops[k - 1].opcode)
            && !entered[k]
            && !entered[k + 1]
        {
            if let Some(c) = match uops[k + 1].opcode {
                Uop::GUARD_IS_TRUE_POP => Some(Cmp::Ne),
                Uop::GUARD_IS_FALSE_POP => Some(Cmp::Eq),
                _ => None,
            } {
                uops[k] = UopInstruction::new(Uop::LOAD_CONST_IMMORTAL)
                    .operand(1)
                    .target(uops[k].target);
                uops[k + 1].opcode = guard_uop(c, Operands::Stack);
                k += 2;
                continue;
            }
        }
        k += 1;
    }
    fuse_item_swaps(&mut uops, &entered);
    fuse_mul_adds(&mut uops, &entered);
    // Dict reads of a closure cell's dict by a local key (s8-containers).
    super::dict_fuse::fuse_cell_dict_reads(&mut uops, &entered);
    // Float operands in place, float compare-and-branch, sqrt, untagged
    // item indices (s7-float).
    let (float_lists, floats) =
        super::float_fuse::fuse_floats_from(&mut uops, &entered, (start.float_lists, start.floats));
    // List subscripts on proven lists and indices check only bounds (s8-int).
    let lists_ints =
        super::list_facts::know_list_subscripts_from(&mut uops, &entered, start.lists_ints);
    let head = super::local_facts::PassFacts {
        lists_ints,
        float_lists,
        floats,
    };
    for u in &mut uops {
        if u.opcode == Uop::LOAD_CONST && immortal(u.operand) {
            u.opcode = Uop::LOAD_CONST_IMMORTAL;
        }
    }
    // A (mortal) heap constant under a call's NULL: one uop (s9-fib).
    for k in 1..uops.len() {
        let c = uops[k - 1];
        let heap = c.opcode == Uop::LOAD_CONST && c.operand != 0 && !immortal(c.operand);
        if heap && uops[k].opcode == Uop::PUSH_NULL && !entered[k] {
            uops[k - 1] = UopInstruction::new(Uop::NOP).target(c.target);
            uops[k] = UopInstruction::new(Uop::LOAD_CONST_OBJ_PUSH_NULL)
                .operand(c.operand)
                .target(uops[k].target);
        }
    }
    (uops, head)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vm::tier2::test_uops::{ins, opcodes};

    /// Fuses `uops` (a `LOAD_FAST 3; LOAD_CONST 5; subscript -> 8` group then
    /// a `LOAD_FAST 4; load 2; subscript -> 9` group) and checks that each
    /// group became `NOP, NOP, fused` with the fused uop carrying the loads'
    /// operands and the subscript's exit.
    fn assert_two_subscripts_fused(uops: Vec<UopInstruction>, local_const: Uop, locals: Uop) {
        let out = fuse(uops);
        assert_eq!(
            opcodes(&out[..6]),
            vec![Uop::NOP, Uop::NOP, local_const, Uop::NOP, Uop::NOP, locals]
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
        assert_two_subscripts_fused(
            uops,
            Uop::BINARY_SUBSCR_LIST_INT_LOCAL_CONST,
            Uop::BINARY_SUBSCR_LIST_INT_LOCALS,
        );
    }

    /// Unboxed float item reads (from the unboxing pass) fuse with their
    /// loads like the boxed ones, keeping the subscript's exit. (The
    /// constant 5 is the tagged 2; a non-negative constant index then goes
    /// into `_LIST_ITEM_FLOAT_LOCAL_IDX` untagged, `float_fuse.rs`.)
    #[test]
    fn loads_feeding_an_unboxed_item_read_are_fused_into_it() {
        let uops = vec![
            ins(Uop::LOAD_FAST).oparg(3),
            ins(Uop::LOAD_CONST).operand(5),
            ins(Uop::BINARY_SUBSCR_LIST_INT_UNBOXED_FLOAT).jump_target(8),
            ins(Uop::LOAD_FAST).oparg(4),
            ins(Uop::LOAD_FAST_INT).oparg(2),
            ins(Uop::BINARY_SUBSCR_LIST_INT_UNBOXED_FLOAT).jump_target(9),
            ins(Uop::BINARY_OP_ADD_FLOAT_UNBOXED),
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
                Uop::LIST_ITEM_FLOAT_LOCAL_IDX,
                Uop::NOP,
                Uop::NOP,
                Uop::BINARY_SUBSCR_LIST_INT_LOCALS_UNBOXED_FLOAT
            ]
        );
        assert_eq!(
            (out[2].oparg, out[2].operand, out[2].jump_target),
            (3, 2, 8)
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
            ins(Uop::LOAD_CONST).operand(crate::vm::obj::false_raw()),
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
        // Only the immortal constant changes (`False`: no reference count).
        let mut want = before;
        want[1] = Uop::LOAD_CONST_IMMORTAL;
        assert_eq!(opcodes(&out), want);
    }

    /// `while i < n`, `while r != 1` and `if x & y` branches: no bool is
    /// made, locals proven small ints are read in place, and each fused
    /// guard keeps the branch guard's exit.
    #[test]
    fn compares_feeding_branch_guards_become_one_guard() {
        let one = 3; // the tagged small int 1
        let uops = vec![
            ins(Uop::LOAD_FAST_INT).oparg(0),
            ins(Uop::LOAD_FAST_INT).oparg(1),
            ins(Uop::COMPARE_OP_INT).oparg(0),
            ins(Uop::GUARD_IS_TRUE_POP).jump_target(17).target(40),
            ins(Uop::LOAD_FAST_INT).oparg(2),
            ins(Uop::LOAD_CONST).operand(one),
            ins(Uop::COMPARE_OP_INT).oparg(3),
            ins(Uop::GUARD_IS_FALSE_POP).jump_target(17),
            ins(Uop::LOAD_FAST).oparg(4),
            ins(Uop::LOAD_FAST_INT).oparg(2),
            ins(Uop::COMPARE_OP_INT).oparg(4),
            ins(Uop::GUARD_IS_TRUE_POP).jump_target(17),
            ins(Uop::LOAD_FAST_INT).oparg(2),
            ins(Uop::LOAD_FAST_INT).oparg(3),
            ins(Uop::BINARY_OP_AND_INT),
            ins(Uop::TO_BOOL).jump_target(18),
            ins(Uop::GUARD_IS_FALSE_POP).jump_target(18),
            ins(Uop::EXIT_TRACE).exit_index(0),
            ins(Uop::EXIT_TRACE).exit_index(1),
        ];
        let out = fuse(uops);
        assert_eq!(
            opcodes(&out[..17]),
            vec![
                Uop::NOP,
                Uop::NOP,
                Uop::NOP,
                Uop::GUARD_INT_LT_LOCALS,
                Uop::NOP,
                Uop::NOP,
                Uop::NOP,
                // `!=` on the false branch continues on `==`.
                Uop::GUARD_INT_EQ_LOCAL_CONST,
                Uop::LOAD_FAST,
                Uop::LOAD_FAST_INT,
                Uop::NOP,
                Uop::GUARD_INT_GT,
                Uop::LOAD_FAST_INT,
                Uop::LOAD_FAST_INT,
                Uop::BINARY_OP_AND_INT,
                Uop::LOAD_CONST_IMMORTAL,
                Uop::GUARD_INT_EQ,
            ]
        );
        assert_eq!(
            (
                out[3].oparg,
                out[3].operand,
                out[3].jump_target,
                out[3].target
            ),
            (0, 1, 17, 40)
        );
        assert_eq!((out[7].oparg, out[7].operand), (2, one));
        // The truth test compares with the tagged 0.
        assert_eq!(out[15].operand, 1);
    }

    /// A constant the JIT cannot take as a 32-bit immediate
    /// (`fits_operand_i32`) leaves `i < c`, `i += c` and `if i & c:`
    /// unfused; one just inside fuses all three.
    #[test]
    fn only_constants_fitting_32_bit_immediates_fuse() {
        let fused = |tagged: u64| {
            let uops = vec![
                ins(Uop::LOAD_FAST_INT).oparg(0),
                ins(Uop::LOAD_CONST).operand(tagged),
                ins(Uop::COMPARE_OP_INT).oparg(0),
                ins(Uop::GUARD_IS_TRUE_POP).jump_target(13),
                ins(Uop::LOAD_FAST_INT).oparg(0),
                ins(Uop::LOAD_CONST).operand(tagged),
                ins(Uop::BINARY_OP_ADD_INT).jump_target(13),
                ins(Uop::STORE_FAST_INT).oparg(0),
                ins(Uop::LOAD_FAST_INT).oparg(0),
                ins(Uop::LOAD_CONST).operand(tagged),
                ins(Uop::BINARY_OP_AND_INT),
                ins(Uop::TO_BOOL).jump_target(13),
                ins(Uop::GUARD_IS_TRUE_POP).jump_target(13),
                ins(Uop::EXIT_TRACE).exit_index(0),
            ];
            fuse(uops)
                .iter()
                .filter(|u| {
                    matches!(
                        u.opcode,
                        Uop::GUARD_INT_LT_LOCAL_CONST
                            | Uop::INPLACE_ADD_INT_LOCAL_CONST
                            | Uop::GUARD_AND_INT_NONZERO_LOCAL_CONST
                    )
                })
                .count()
        };
        let tag = |c: i64| ((c << 1) | 1) as u64;
        assert_eq!(fused(tag((1 << 29) - 1)), 3);
        assert_eq!(fused(tag(-(1 << 29))), 3);
        assert_eq!(fused(tag(1 << 29)), 0);
        assert_eq!(fused(tag(1_103_515_245)), 0);
    }

    /// `i += 1`, `j -= k`, `i + 1` and `perm[i] = v`.
    #[test]
    fn local_updates_and_stores_are_fused() {
        let one = 3;
        let uops = vec![
            ins(Uop::LOAD_FAST_INT).oparg(0),
            ins(Uop::LOAD_CONST).operand(one),
            ins(Uop::BINARY_OP_ADD_INT).jump_target(14).target(7),
            ins(Uop::STORE_FAST_INT).oparg(0),
            ins(Uop::LOAD_FAST_INT).oparg(1),
            ins(Uop::LOAD_FAST_INT).oparg(2),
            ins(Uop::BINARY_OP_SUBTRACT_INT).jump_target(14),
            ins(Uop::STORE_FAST_INT).oparg(1),
            ins(Uop::LOAD_FAST_INT).oparg(0),
            ins(Uop::LOAD_CONST).operand(one),
            ins(Uop::BINARY_OP_ADD_INT).jump_target(14),
            ins(Uop::LOAD_FAST).oparg(3),
            ins(Uop::LOAD_FAST_INT).oparg(0),
            ins(Uop::STORE_SUBSCR_LIST_INT).jump_target(14),
            ins(Uop::EXIT_TRACE).exit_index(0),
        ];
        let out = fuse(uops);
        assert_eq!(
            opcodes(&out),
            vec![
                Uop::NOP,
                Uop::NOP,
                Uop::NOP,
                Uop::INPLACE_ADD_INT_LOCAL_CONST,
                Uop::NOP,
                Uop::NOP,
                Uop::NOP,
                Uop::INPLACE_SUBTRACT_INT_LOCALS,
                Uop::NOP,
                Uop::NOP,
                Uop::BINARY_OP_ADD_INT_LOCAL_CONST,
                Uop::NOP,
                Uop::NOP,
                Uop::STORE_SUBSCR_LIST_INT_LOCALS,
                Uop::EXIT_TRACE,
            ]
        );
        // The in-place update leaves through the addition's exit.
        assert_eq!(
            (
                out[3].oparg,
                out[3].operand,
                out[3].jump_target,
                out[3].target
            ),
            (0, one ^ 1, 14, 7)
        );
        assert_eq!((out[7].oparg, out[7].operand), (1, 2));
        assert_eq!((out[13].oparg, out[13].operand), (3, 0));
    }

    /// Not fused: a store into another local (the push form only), an
    /// operand not proven a small int, a group entered in the middle.
    #[test]
    fn updates_of_other_shapes_are_kept() {
        let one = 3;
        let uops = vec![
            ins(Uop::LOAD_FAST_INT).oparg(0),
            ins(Uop::LOAD_CONST).operand(one),
            ins(Uop::BINARY_OP_ADD_INT).jump_target(12),
            ins(Uop::STORE_FAST_INT).oparg(1),
            ins(Uop::LOAD_FAST).oparg(0),
            ins(Uop::LOAD_CONST).operand(one),
            ins(Uop::BINARY_OP_ADD_INT).jump_target(12),
            ins(Uop::STORE_FAST).oparg(0),
            ins(Uop::LOAD_FAST_INT).oparg(0),
            ins(Uop::LOAD_FAST_INT).oparg(1),
            ins(Uop::COMPARE_OP_INT).oparg(0),
            ins(Uop::GUARD_IS_TRUE_POP).jump_target(12),
            ins(Uop::JUMP_TO_LOOP).jump_target(9),
        ];
        let out = fuse(uops);
        assert_eq!(
            opcodes(&out),
            vec![
                Uop::NOP,
                Uop::NOP,
                Uop::BINARY_OP_ADD_INT_LOCAL_CONST,
                Uop::STORE_FAST_INT,
                Uop::LOAD_FAST,
                // (`_BINARY_OP_ADD_INT` itself says its operands are small
                // ints: the constant goes into a stack-top update.)
                Uop::NOP,
                Uop::BINARY_OP_ADD_INT_TOP_CONST,
                Uop::STORE_FAST,
                Uop::LOAD_FAST_INT,
                Uop::LOAD_FAST_INT,
                Uop::NOP,
                Uop::GUARD_INT_LT,
                Uop::JUMP_TO_LOOP,
            ]
        );
    }

    // ----- integer loops (s7-int) -----

    /// `if n & 1:` / `if not n & 6:`, `n >>= 1`, `x = n >> 2`, `3 * n`,
    /// `n * 5` and `<int> + 1`: one uop each, keeping the exit of the uop
    /// whose failure it stands for, constants held as the templates read
    /// them.
    #[test]
    fn bit_tests_shifts_products_and_top_updates_are_fused() {
        let tagged = |c: i64| ((c << 1) | 1) as u64;
        let uops = vec![
            ins(Uop::LOAD_FAST_INT).oparg(0),
            ins(Uop::LOAD_CONST).operand(tagged(1)),
            ins(Uop::BINARY_OP_AND_INT),
            ins(Uop::TO_BOOL).jump_target(30),
            ins(Uop::GUARD_IS_FALSE_POP).jump_target(31).target(7),
            ins(Uop::LOAD_FAST_INT).oparg(0),
            ins(Uop::LOAD_CONST).operand(tagged(6)),
            ins(Uop::BINARY_OP_AND_INT),
            ins(Uop::TO_BOOL).jump_target(30),
            ins(Uop::GUARD_IS_TRUE_POP).jump_target(32),
            ins(Uop::LOAD_FAST_INT).oparg(0),
            ins(Uop::LOAD_CONST).operand(tagged(1)),
            ins(Uop::BINARY_OP_RSHIFT_INT).jump_target(30),
            ins(Uop::STORE_FAST_INT).oparg(0),
            ins(Uop::LOAD_FAST_INT).oparg(0),
            ins(Uop::LOAD_CONST).operand(tagged(2)),
            ins(Uop::BINARY_OP_RSHIFT_INT).jump_target(30),
            ins(Uop::STORE_FAST_INT).oparg(1),
            ins(Uop::LOAD_CONST).operand(tagged(3)),
            ins(Uop::LOAD_FAST_INT).oparg(0),
            ins(Uop::BINARY_OP_MULTIPLY_INT).jump_target(33),
            ins(Uop::LOAD_CONST).operand(tagged(1)),
            ins(Uop::BINARY_OP_ADD_INT).jump_target(34),
            ins(Uop::LOAD_FAST_INT).oparg(0),
            ins(Uop::LOAD_CONST).operand(tagged(-5)),
            ins(Uop::BINARY_OP_MULTIPLY_INT).jump_target(35),
            ins(Uop::LOAD_CONST).operand(tagged(2)),
            ins(Uop::BINARY_OP_SUBTRACT_INT).jump_target(36),
            ins(Uop::JUMP_TO_LOOP).jump_target(0),
            ins(Uop::NOP),
            ins(Uop::EXIT_TRACE).exit_index(0),
            ins(Uop::EXIT_TRACE).exit_index(1),
            ins(Uop::EXIT_TRACE).exit_index(2),
            ins(Uop::EXIT_TRACE).exit_index(3),
            ins(Uop::EXIT_TRACE).exit_index(4),
            ins(Uop::EXIT_TRACE).exit_index(5),
            ins(Uop::EXIT_TRACE).exit_index(6),
        ];
        let out = fuse(uops);
        let n = Uop::NOP;
        assert_eq!(
            opcodes(&out[..28]),
            vec![
                n,
                n,
                n,
                n,
                Uop::GUARD_AND_INT_ZERO_LOCAL_CONST,
                n,
                n,
                n,
                n,
                Uop::GUARD_AND_INT_NONZERO_LOCAL_CONST,
                n,
                n,
                n,
                Uop::INPLACE_RSHIFT_INT_LOCAL_CONST,
                n,
                n,
                Uop::BINARY_OP_RSHIFT_INT_LOCAL_CONST,
                Uop::STORE_FAST_INT,
                n,
                n,
                Uop::BINARY_OP_MULTIPLY_INT_CONST_LOCAL,
                n,
                Uop::BINARY_OP_ADD_INT_TOP_CONST,
                n,
                n,
                Uop::BINARY_OP_MULTIPLY_INT_LOCAL_CONST,
                n,
                Uop::BINARY_OP_SUBTRACT_INT_TOP_CONST,
            ]
        );
        let f = |k: usize| (out[k].oparg, out[k].operand, out[k].jump_target);
        // Masks without the tag bit, the branch guards' exits.
        assert_eq!(f(4), (0, 2, 31));
        assert_eq!(out[4].target, 7);
        assert_eq!(f(9), (0, 12, 32));
        // Shifts by the decoded constant.
        assert_eq!((out[13].oparg, out[13].operand), (0, 1));
        assert_eq!((out[16].oparg, out[16].operand), (0, 2));
        // Products by the decoded constant, with their exits.
        assert_eq!(f(20), (0, 3, 33));
        assert_eq!(f(25), (0, (-5i64) as u64, 35));
        // Stack-top updates by the untagged constant (`2c`).
        assert_eq!(f(22), (0, 2, 34));
        assert_eq!(f(27), (0, 4, 36));
    }

    /// Not fused: shifts by 63 or more or by a negative constant (they may
    /// exit), a bit test of two locals, a product of two locals, a group
    /// entered in the middle.
    #[test]
    fn shifts_that_may_exit_and_other_shapes_are_kept() {
        let tagged = |c: i64| ((c << 1) | 1) as u64;
        let uops = vec![
            ins(Uop::LOAD_FAST_INT).oparg(0),
            ins(Uop::LOAD_CONST).operand(tagged(63)),
            ins(Uop::BINARY_OP_RSHIFT_INT).jump_target(20),
            ins(Uop::STORE_FAST_INT).oparg(0),
            ins(Uop::LOAD_FAST_INT).oparg(0),
            ins(Uop::LOAD_CONST).operand(tagged(-1)),
            ins(Uop::BINARY_OP_RSHIFT_INT).jump_target(20),
            ins(Uop::STORE_FAST_INT).oparg(0),
            ins(Uop::LOAD_FAST_INT).oparg(0),
            ins(Uop::LOAD_FAST_INT).oparg(1),
            ins(Uop::BINARY_OP_AND_INT),
            ins(Uop::TO_BOOL).jump_target(20),
            ins(Uop::GUARD_IS_TRUE_POP).jump_target(20),
            ins(Uop::LOAD_FAST_INT).oparg(0),
            ins(Uop::LOAD_FAST_INT).oparg(1),
            ins(Uop::BINARY_OP_MULTIPLY_INT).jump_target(20),
            ins(Uop::LOAD_FAST_INT).oparg(0),
            // Entered here: the product of `n * 3` must stay whole.
            ins(Uop::LOAD_CONST).operand(tagged(3)),
            ins(Uop::BINARY_OP_MULTIPLY_INT).jump_target(20),
            ins(Uop::JUMP_TO_LOOP).jump_target(17),
            ins(Uop::EXIT_TRACE).exit_index(0),
        ];
        let out = fuse(uops.clone());
        let mut want = opcodes(&uops);
        for (k, u) in want.iter_mut().enumerate() {
            if *u == Uop::LOAD_CONST {
                *u = Uop::LOAD_CONST_IMMORTAL;
            }
            // The truth test of the `&` of two locals: a comparison with 0.
            if k == 11 {
                *u = Uop::LOAD_CONST_IMMORTAL;
            }
            if k == 12 {
                *u = Uop::GUARD_INT_NE;
            }
        }
        assert_eq!(opcodes(&out), want);
    }

    /// `lst[i], lst[j] = lst[j], lst[i]` once fused: one swap uop with the
    /// first subscript's exit; not when a uop jumps into the group.
    #[test]
    fn list_item_swaps_become_one_uop() {
        let group = |entered_at: Option<usize>| {
            let mut uops = vec![
                ins(Uop::LOAD_FAST).oparg(7),
                ins(Uop::LOAD_FAST_INT).oparg(11),
                ins(Uop::BINARY_SUBSCR_LIST_INT).jump_target(17).target(3),
                ins(Uop::LOAD_FAST).oparg(7),
                ins(Uop::LOAD_FAST_INT).oparg(10),
                ins(Uop::BINARY_SUBSCR_LIST_INT).jump_target(18),
                ins(Uop::SWAP).oparg(2),
                ins(Uop::LOAD_FAST).oparg(7),
                ins(Uop::LOAD_FAST_INT).oparg(10),
                ins(Uop::STORE_SUBSCR_LIST_INT).jump_target(19),
                ins(Uop::LOAD_FAST).oparg(7),
                ins(Uop::LOAD_FAST_INT).oparg(11),
                ins(Uop::STORE_SUBSCR_LIST_INT).jump_target(20),
                ins(Uop::JUMP_TO_LOOP).jump_target(entered_at.unwrap_or(0) as u32),
                ins(Uop::NOP),
                ins(Uop::NOP),
                ins(Uop::NOP),
                ins(Uop::EXIT_TRACE).exit_index(0),
                ins(Uop::EXIT_TRACE).exit_index(1),
                ins(Uop::EXIT_TRACE).exit_index(2),
                ins(Uop::EXIT_TRACE).exit_index(3),
            ];
            uops.truncate(21);
            fuse(uops)
        };
        let out = group(None);
        let swaps: Vec<usize> = (0..13).filter(|&k| out[k].opcode != Uop::NOP).collect();
        assert_eq!(swaps, vec![2]);
        assert_eq!(out[2].opcode, Uop::SWAP_LIST_ITEMS_LOCALS);
        assert_eq!(
            (
                out[2].oparg,
                out[2].operand,
                out[2].jump_target,
                out[2].target
            ),
            (7, 11 | (10 << 32), 17, 3)
        );
        // A uop jumping to the swap keeps the group apart.
        let out = group(Some(6));
        assert!(!opcodes(&out).contains(&Uop::SWAP_LIST_ITEMS_LOCALS));
        assert_eq!(out[6].opcode, Uop::SWAP);
    }

    #[test]
    fn a_heap_constant_under_a_null_is_one_uop() {
        let f = crate::vm::obj::new_float(2.0);
        let call = |c: u64| {
            vec![
                ins(Uop::LOAD_CONST).operand(c).target(6),
                ins(Uop::PUSH_NULL).target(7),
                ins(Uop::LOAD_FAST).oparg(0),
                ins(Uop::CALL_EXECUTOR_ARGS_1).jump_target(4),
                ins(Uop::EXIT_TRACE),
            ]
        };
        let out = fuse(call(f));
        assert_eq!(
            opcodes(&out[..2]),
            vec![Uop::NOP, Uop::LOAD_CONST_OBJ_PUSH_NULL]
        );
        assert_eq!((out[1].operand, out[1].target), (f, 7));
        // A small int (immortal): the plain immortal load.
        let out = fuse(call(5));
        assert_eq!(
            opcodes(&out[..2]),
            vec![Uop::LOAD_CONST_IMMORTAL, Uop::PUSH_NULL]
        );
        // A jump into the pair.
        let mut entered = call(f);
        entered[3].jump_target = 1;
        assert_eq!(
            opcodes(&fuse(entered)[..2]),
            vec![Uop::LOAD_CONST, Uop::PUSH_NULL]
        );
        crate::vm::obj::decref(f);
    }
}
