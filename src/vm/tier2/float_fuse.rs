//! Float fusion (session 7), run at the end of the fusion pass on the
//! unboxed trace:
//!
//! * Operands read in place: `_LOAD_FAST_UNBOXED_FLOAT a;
//!   _LOAD_FAST_UNBOXED_FLOAT b; <op>` becomes `_FLOAT_<OP>_LOCALS a, b`,
//!   and `_LOAD_FAST_UNBOXED_FLOAT b` or `_LOAD_CONST_UNBOXED c` right
//!   before an `<op>` (`+ - *`, unboxed) `_FLOAT_<OP>_TOS_LOCAL b` /
//!   `_TOS_CONST c`, which combine the top with it. None of these uops
//!   can exit, so no exit changes.
//! * Compare and branch: `_COMPARE_OP_FLOAT_UNBOXED` and the branch guard
//!   after it become `_GUARD_FLOAT_UNBOXED` (no bool made), with a
//!   constant right operand `_GUARD_FLOAT_CONST_UNBOXED`; the oparg is
//!   the set of outcomes (`<`, `==`, `>`, unordered) the branch continues
//!   on, so NaN compares exactly as tier 1 compares it. It pops its
//!   operands where the guard would have popped the bool, and leaves
//!   through the guard's exit.
//! * `x ** 0.5` (`_LOAD_CONST_UNBOXED 0.5; _BINARY_OP_POWER_FLOAT_UNBOXED`)
//!   becomes `_FLOAT_SQRT_UNBOXED`: a square root where
//!   [`sqrt_if_exact`] proves it is the value `pow` returns (about 3 in 4
//!   random doubles), else `cpjit_float_pow` as before. Only on glibc
//!   targets, whose `pow` documents the error bound the proof needs.
//! * Float list items by a constant index: a non-negative constant index
//!   goes into the uop untagged (`_LIST_ITEM_FLOAT_LOCAL_IDX`,
//!   `_INPLACE_LOAD_ITEM_FLOAT_LOCAL_IDX`,
//!   `_INPLACE_STORE_ITEM_FLOAT_LOCAL_IDX`: no tag test or negative-index
//!   wrap), and a read from a local that an earlier list read of the trace
//!   proved a list, with no store to it (or helper, or frame change)
//!   since, skips the list checks (`_KNOWN_IDX` forms). At the head of a
//!   peeled loop what holds is what holds both on entry and at its
//!   `_JUMP_TO_LOOP` (a fixpoint); at any other uop something jumps to,
//!   nothing is known.

use crate::abi::layout::{kind, FloatObj, ListObj, ObjHeader};
use crate::abi::uop::Uop;
use crate::abi::value::{decode_small_int, encode_small_int};
use crate::jit::UopInstruction;
use crate::vm::obj::{decref, float_val, incref, kind_of, new_float};

/// Whether `x ** 0.5` may be computed by [`sqrt_if_exact`] on this target:
/// glibc's `pow` (2.28 and later) has an error below 0.52 ulp (0.54 without
/// FMA), i.e. at most 0.04 ulp before its final rounding, well inside the
/// 1/8 ulp margin [`sqrt_if_exact`] keeps.
pub const SQRT_FROM_POW: bool = cfg!(all(target_os = "linux", target_env = "gnu"));

const MIN_NORMAL: u64 = 0x0010_0000_0000_0000;
const NORMAL_SPAN: u64 = 0x7FE0_0000_0000_0000;
const FRACTION: u64 = 0x000F_FFFF_FFFF_FFFF;
const HIDDEN: u64 = 0x0010_0000_0000_0000;
const HALF_BITS: u64 = 0x3FE0_0000_0000_0000;

/// `sqrt(x)` when it is provably the double `pow(x, 0.5)` returns: `x` a
/// positive normal double whose exact square root lies more than 1/8 ulp
/// from the midpoints between `sqrt(x)` (correctly rounded) and its
/// neighbours; `None` otherwise (take `pow`). Not a power of two root (its
/// lower neighbour is closer). The template `_FLOAT_SQRT_UNBOXED` computes
/// exactly this.
///
/// With `s = ms * 2^e` (`ms` the 53-bit significand) and the midpoint
/// above it `(2ms + 1) * 2^(e-1)`, `d = (2ms + 1)^2 - x / 2^(2e-2)` is an
/// integer in `(0, 8ms)` (so 64-bit wrapping arithmetic computes it
/// exactly), and the exact root lies `d / 8ms` ulp below that midpoint and
/// `1 - d / 8ms` ulp above the one under `s`.
pub fn sqrt_if_exact(x: f64) -> Option<f64> {
    let xb = x.to_bits();
    if xb.wrapping_sub(MIN_NORMAL) >= NORMAL_SPAN {
        return None;
    }
    let s = x.sqrt();
    let sb = s.to_bits();
    let frac = sb & FRACTION;
    if frac == 0 {
        return None;
    }
    let ms = frac | HIDDEN;
    let mx = (xb & FRACTION) | HIDDEN;
    let k = (xb >> 52).wrapping_sub((sb >> 52) << 1).wrapping_add(1077);
    if k >= 64 {
        return None;
    }
    let m = (ms << 1) | 1;
    let d = m.wrapping_mul(m).wrapping_sub(mx << k);
    (d > ms && d < 7 * ms).then_some(s)
}

/// The unboxed `+ - *` uops and the three fused forms of each.
fn float_op_forms(u: Uop) -> Option<[Uop; 3]> {
    match u {
        Uop::BINARY_OP_ADD_FLOAT_UNBOXED => Some([
            Uop::FLOAT_ADD_LOCALS,
            Uop::FLOAT_ADD_TOS_LOCAL,
            Uop::FLOAT_ADD_TOS_CONST,
        ]),
        Uop::BINARY_OP_SUBTRACT_FLOAT_UNBOXED => Some([
            Uop::FLOAT_SUBTRACT_LOCALS,
            Uop::FLOAT_SUBTRACT_TOS_LOCAL,
            Uop::FLOAT_SUBTRACT_TOS_CONST,
        ]),
        Uop::BINARY_OP_MULTIPLY_FLOAT_UNBOXED => Some([
            Uop::FLOAT_MULTIPLY_LOCALS,
            Uop::FLOAT_MULTIPLY_TOS_LOCAL,
            Uop::FLOAT_MULTIPLY_TOS_CONST,
        ]),
        _ => None,
    }
}

/// The outcomes (1 `<`, 2 `==`, 4 `>`, 8 unordered) on which
/// `_COMPARE_OP_FLOAT_UNBOXED oparg` pushes `True`.
fn true_outcomes(oparg: u32) -> Option<u32> {
    Some(match oparg {
        0 => 1,
        1 => 3,
        2 => 2,
        3 => 0xd,
        4 => 4,
        5 => 6,
        _ => return None,
    })
}

/// The outcome bit of comparing `x` with `y`.
fn outcome(x: f64, y: f64) -> u32 {
    if x < y {
        1
    } else if x == y {
        2
    } else if x > y {
        4
    } else {
        8
    }
}

/// `u` with opcode `op` (its targets and exit kept).
fn with(u: UopInstruction, op: Uop) -> UopInstruction {
    let mut f = u;
    f.opcode = op;
    f
}

/// The index of the next uop after `k` that is not a `_NOP`.
fn next(uops: &[UopInstruction], k: usize) -> Option<usize> {
    (k + 1..uops.len()).find(|&j| uops[j].opcode != Uop::NOP)
}

/// One fusion at `k`: the new last uop and the indices the group covers
/// (all but the last become `_NOP`s).
fn fuse_at(uops: &[UopInstruction], k: usize) -> Option<(UopInstruction, Vec<usize>)> {
    let a = uops[k];
    let k2 = next(uops, k)?;
    let b = uops[k2];
    let k3 = next(uops, k2);
    let c = k3.map(|j| uops[j]);
    // `a; b; op` with both loads of float locals.
    if let (Some(c), Some(k3)) = (c, k3) {
        if let Some(forms) = float_op_forms(c.opcode) {
            if a.opcode == Uop::LOAD_FAST_UNBOXED_FLOAT && b.opcode == Uop::LOAD_FAST_UNBOXED_FLOAT
            {
                let f = with(c, forms[0]).oparg(a.oparg).operand(u64::from(b.oparg));
                return Some((f, vec![k, k2, k3]));
            }
        }
        // `c; compare; guard` with a constant right operand.
        if a.opcode == Uop::LOAD_CONST_UNBOXED && b.opcode == Uop::COMPARE_OP_FLOAT_UNBOXED {
            if let Some(mask) = branch_mask(&b, &c) {
                let f = with(c, Uop::GUARD_FLOAT_CONST_UNBOXED)
                    .oparg(mask)
                    .operand(a.operand);
                return Some((f, vec![k, k2, k3]));
            }
        }
    }
    if let Some(forms) = float_op_forms(b.opcode) {
        return match a.opcode {
            Uop::LOAD_FAST_UNBOXED_FLOAT => {
                Some((with(b, forms[1]).oparg(a.oparg).operand(0), vec![k, k2]))
            }
            Uop::LOAD_CONST_UNBOXED => {
                Some((with(b, forms[2]).oparg(0).operand(a.operand), vec![k, k2]))
            }
            _ => None,
        };
    }
    if a.opcode == Uop::COMPARE_OP_FLOAT_UNBOXED {
        let mask = branch_mask(&a, &b)?;
        return Some((
            with(b, Uop::GUARD_FLOAT_UNBOXED).oparg(mask).operand(0),
            vec![k, k2],
        ));
    }
    if SQRT_FROM_POW
        && a.opcode == Uop::LOAD_CONST_UNBOXED
        && a.operand == HALF_BITS
        && b.opcode == Uop::BINARY_OP_POWER_FLOAT_UNBOXED
    {
        return Some((
            with(b, Uop::FLOAT_SQRT_UNBOXED).oparg(0).operand(HALF_BITS),
            vec![k, k2],
        ));
    }
    None
}

/// The outcome mask a branch guard after `compare` continues on.
fn branch_mask(compare: &UopInstruction, guard: &UopInstruction) -> Option<u32> {
    let t = true_outcomes(compare.oparg)?;
    match guard.opcode {
        Uop::GUARD_IS_TRUE_POP => Some(t),
        Uop::GUARD_IS_FALSE_POP => Some(t ^ 0xf),
        _ => None,
    }
}

/// Fuses the float groups of `uops` (see the module docs); `entered[k]`
/// tells whether some uop jumps to uop `k` (a group is fused only if none
/// jumps into it past its first uop).
pub fn fuse_floats(uops: &mut [UopInstruction], entered: &[bool]) {
    let mut k = 0;
    while k < uops.len() {
        if uops[k].opcode != Uop::NOP {
            if let Some((f, group)) = fuse_at(uops, k) {
                let last = group[group.len() - 1];
                if !(k + 1..=last).any(|j| entered.get(j).copied().unwrap_or(true)) {
                    for &j in &group[..group.len() - 1] {
                        uops[j] = UopInstruction::new(Uop::NOP).target(uops[j].target);
                    }
                    uops[last] = f;
                    k = last + 1;
                    continue;
                }
            }
        }
        k += 1;
    }
    index_list_items(uops, entered);
}

/// The local a uop proves to hold a list when it continues.
fn proves_list(u: &UopInstruction) -> Option<u32> {
    matches!(
        u.opcode,
        Uop::BINARY_SUBSCR_LIST_INT_LOCAL_CONST
            | Uop::BINARY_SUBSCR_LIST_INT_LOCALS
            | Uop::BINARY_SUBSCR_LIST_INT_LOCAL_CONST_UNBOXED_FLOAT
            | Uop::BINARY_SUBSCR_LIST_INT_LOCALS_UNBOXED_FLOAT
            | Uop::INPLACE_LOAD_ITEM_FLOAT_LOCAL_CONST
            | Uop::STORE_SUBSCR_LIST_INT_LOCALS
            | Uop::LIST_ITEM_FLOAT_LOCAL_IDX
            | Uop::LIST_ITEM_FLOAT_KNOWN_IDX
            | Uop::INPLACE_LOAD_ITEM_FLOAT_LOCAL_IDX
            | Uop::INPLACE_LOAD_ITEM_FLOAT_KNOWN_IDX
    )
    .then_some(u.oparg)
}

/// Locals known to hold lists, as a bit set (locals 0..64).
type Lists = u64;

/// What `u` leaves known of `known` (before it): its own proof added,
/// a local it stores forgotten. Only uops known not to write a local of
/// the frame keep the rest; any other uop (a helper, a call, a frame
/// change, a jump away, a uop this pass does not know) forgets everything.
fn transfer(u: &UopInstruction, known: Lists) -> Lists {
    use crate::vm::tier2::int_uops::{arith_parts, guard_parts};
    let bit = |l: u32| if l < 64 { 1u64 << l } else { 0 };
    match u.opcode {
        Uop::STORE_FAST | Uop::STORE_FAST_INT | Uop::STORE_FAST_UNBOXED_FLOAT => {
            known & !bit(u.oparg)
        }
        op if arith_parts(op).is_some_and(|a| a.inplace) => known & !bit(u.oparg),
        op if keeps_locals(op) || guard_parts(op).is_some() || arith_parts(op).is_some() => {
            known | proves_list(u).map_or(0, bit)
        }
        _ => 0,
    }
}

/// Uops that write no local of the frame and stay in it (loads, constants,
/// guards, int and float arithmetic, list items, iteration).
pub(crate) fn keeps_locals(u: Uop) -> bool {
    matches!(
        u,
        Uop::NOP
            | Uop::LOAD_FAST
            | Uop::LOAD_FAST_CHECK
            | Uop::LOAD_FAST_INT
            | Uop::LOAD_CONST
            | Uop::LOAD_CONST_IMMORTAL
            | Uop::LOAD_CONST_UNBOXED
            | Uop::LOAD_FAST_UNBOXED_FLOAT
            | Uop::LOAD_FAST_GUARD_UNBOXED_FLOAT
            | Uop::POP_TOP
            | Uop::SET_IP
            | Uop::CHECK_VALIDITY
            | Uop::COPY
            | Uop::SWAP
            | Uop::PUSH_NULL
            | Uop::GUARD_BOTH_INT
            | Uop::GUARD_LOCAL_INT
            | Uop::GUARD_BOTH_FLOAT
            | Uop::GUARD_TOS_FLOAT
            | Uop::GUARD_NOS_FLOAT
            | Uop::GUARD_IS_TRUE_POP
            | Uop::GUARD_IS_FALSE_POP
            | Uop::COMPARE_OP_INT
            | Uop::BINARY_OP_ADD_FLOAT
            | Uop::BINARY_OP_SUBTRACT_FLOAT
            | Uop::BINARY_OP_MULTIPLY_FLOAT
            | Uop::BINARY_OP_TRUE_DIVIDE_FLOAT
            | Uop::BINARY_OP_POWER_FLOAT
            | Uop::BINARY_OP_FLOAT_MIXED
            | Uop::COMPARE_OP_FLOAT
            | Uop::BINARY_OP_ADD_FLOAT_UNBOXED
            | Uop::BINARY_OP_SUBTRACT_FLOAT_UNBOXED
            | Uop::BINARY_OP_MULTIPLY_FLOAT_UNBOXED
            | Uop::BINARY_OP_TRUE_DIVIDE_FLOAT_UNBOXED
            | Uop::BINARY_OP_POWER_FLOAT_UNBOXED
            | Uop::BINARY_OP_FLOAT_INT_UNBOXED
            | Uop::COMPARE_OP_FLOAT_UNBOXED
            | Uop::UNARY_NEGATIVE
            | Uop::UNARY_NEGATIVE_FLOAT
            | Uop::UNARY_NEGATIVE_FLOAT_UNBOXED
            | Uop::BOX_FLOAT_AT
            | Uop::UNBOX_FLOAT_AT
            | Uop::BINARY_SUBSCR_LIST_INT
            | Uop::STORE_SUBSCR_LIST_INT
            | Uop::STORE_SUBSCR_LIST_INT_UNBOXED_FLOAT
            | Uop::BINARY_SUBSCR_LIST_INT_LOCAL_CONST
            | Uop::BINARY_SUBSCR_LIST_INT_LOCALS
            | Uop::STORE_SUBSCR_LIST_INT_LOCALS
            | Uop::BINARY_SUBSCR_LIST_INT_UNBOXED_FLOAT
            | Uop::BINARY_SUBSCR_LIST_INT_LOCAL_CONST_UNBOXED_FLOAT
            | Uop::BINARY_SUBSCR_LIST_INT_LOCALS_UNBOXED_FLOAT
            | Uop::INPLACE_LOAD_ITEM_FLOAT_LOCAL_CONST
            | Uop::INPLACE_STORE_ITEM_FLOAT_LOCAL_CONST
            | Uop::GUARD_ITER_RANGE
            | Uop::FOR_ITER_RANGE
            | Uop::GUARD_ITER_LIST
            | Uop::FOR_ITER_LIST
            | Uop::CALL_RANGE_ITER
    ) || u.is_float_expr()
        || crate::vm::tier2::optimize::is_small_int_binary_op(u)
}

/// The locals known to hold lists before each uop.
fn known_lists(uops: &[UopInstruction], entered: &[bool]) -> Vec<Lists> {
    // Loop heads entered only by `_JUMP_TO_LOOP`s: what holds there is the
    // meet of the way in and every back edge (found by iterating).
    let mut other_entry = vec![false; uops.len() + 1];
    for u in uops {
        if u.opcode == Uop::JUMP_TO_LOOP {
            continue;
        }
        for t in [u.jump_target, u.error_target] {
            // A zero target is the trace's start, where nothing is known anyway.
            if let Some(e) = other_entry.get_mut(t as usize) {
                *e = true;
            }
        }
    }
    let mut back: Vec<Option<Lists>> = vec![None; uops.len() + 1];
    let mut before = vec![0; uops.len()];
    for _round in 0..8 {
        let mut changed = false;
        let mut known: Lists = 0;
        for (k, u) in uops.iter().enumerate() {
            if entered.get(k).copied().unwrap_or(true) {
                known = if other_entry[k] || k == 0 {
                    0
                } else {
                    // Only back edges jump here: meet with them (an edge not
                    // seen yet assumes everything, the optimistic start).
                    known & back[k].unwrap_or(!0)
                };
            }
            before[k] = known;
            if u.opcode == Uop::JUMP_TO_LOOP {
                let t = u.jump_target as usize;
                if t < back.len() {
                    let meet = back[t].map_or(known, |b| b & known);
                    if back[t] != Some(meet) {
                        back[t] = Some(meet);
                        changed = true;
                    }
                }
            }
            known = transfer(u, known);
        }
        if !changed {
            return before;
        }
    }
    // No fixpoint (cannot happen: the sets only shrink): assume nothing.
    vec![0; uops.len()]
}

/// Constant-index float item uops take their index untagged, and skip the
/// list checks where the local is known to hold a list.
fn index_list_items(uops: &mut [UopInstruction], entered: &[bool]) {
    let known = known_lists(uops, entered);
    for (k, u) in uops.iter_mut().enumerate() {
        let is_known = u.oparg < 64 && known[k] & (1u64 << u.oparg) != 0;
        let (local, known_form) = match u.opcode {
            Uop::BINARY_SUBSCR_LIST_INT_LOCAL_CONST_UNBOXED_FLOAT => (
                Uop::LIST_ITEM_FLOAT_LOCAL_IDX,
                Uop::LIST_ITEM_FLOAT_KNOWN_IDX,
            ),
            Uop::INPLACE_LOAD_ITEM_FLOAT_LOCAL_CONST => (
                Uop::INPLACE_LOAD_ITEM_FLOAT_LOCAL_IDX,
                Uop::INPLACE_LOAD_ITEM_FLOAT_KNOWN_IDX,
            ),
            Uop::INPLACE_STORE_ITEM_FLOAT_LOCAL_CONST => (
                Uop::INPLACE_STORE_ITEM_FLOAT_LOCAL_IDX,
                Uop::INPLACE_STORE_ITEM_FLOAT_LOCAL_IDX,
            ),
            _ => continue,
        };
        if u.operand & 1 != 1 || decode_small_int(u.operand) < 0 {
            continue;
        }
        u.operand = decode_small_int(u.operand) as u64;
        u.opcode = if is_known { known_form } else { local };
    }
}

/// The uop interpreter's semantics of this module's uops (the reference
/// for their templates, `ir-templates/src/float_exprs.rs`). Returns
/// whether the uop leaves through its jump target.
///
/// # Safety
/// `lp` is the frame's `localsplus` and `*sp` its stack pointer, holding
/// what the optimizer proved for `ins` (unboxed floats on top, float
/// locals where it reads them, a list in a `_KNOWN_IDX` uop's local).
pub unsafe fn interpret(ins: &UopInstruction, lp: *mut u64, sp: &mut *mut u64) -> bool {
    // SAFETY: the caller's contract.
    unsafe {
        let local = |i: u64| *lp.add(i as usize);
        let top = sp.sub(1);
        let arith = |x: f64, y: f64| match ins.opcode {
            Uop::FLOAT_ADD_LOCALS | Uop::FLOAT_ADD_TOS_LOCAL | Uop::FLOAT_ADD_TOS_CONST => x + y,
            Uop::FLOAT_SUBTRACT_LOCALS
            | Uop::FLOAT_SUBTRACT_TOS_LOCAL
            | Uop::FLOAT_SUBTRACT_TOS_CONST => x - y,
            _ => x * y,
        };
        match ins.opcode {
            Uop::FLOAT_ADD_LOCALS | Uop::FLOAT_SUBTRACT_LOCALS | Uop::FLOAT_MULTIPLY_LOCALS => {
                let x = float_val(local(u64::from(ins.oparg)));
                let y = float_val(local(ins.operand));
                **sp = arith(x, y).to_bits();
                *sp = sp.add(1);
            }
            Uop::FLOAT_ADD_TOS_LOCAL
            | Uop::FLOAT_SUBTRACT_TOS_LOCAL
            | Uop::FLOAT_MULTIPLY_TOS_LOCAL => {
                let y = float_val(local(u64::from(ins.oparg)));
                *top = arith(f64::from_bits(*top), y).to_bits();
            }
            Uop::FLOAT_ADD_TOS_CONST
            | Uop::FLOAT_SUBTRACT_TOS_CONST
            | Uop::FLOAT_MULTIPLY_TOS_CONST => {
                *top = arith(f64::from_bits(*top), f64::from_bits(ins.operand)).to_bits();
            }
            Uop::GUARD_FLOAT_UNBOXED => {
                let y = f64::from_bits(*top);
                let x = f64::from_bits(*sp.sub(2));
                *sp = sp.sub(2);
                return outcome(x, y) & ins.oparg == 0;
            }
            Uop::GUARD_FLOAT_CONST_UNBOXED => {
                let x = f64::from_bits(*top);
                *sp = sp.sub(1);
                return outcome(x, f64::from_bits(ins.operand)) & ins.oparg == 0;
            }
            Uop::LIST_ITEM_FLOAT_LOCAL_IDX
            | Uop::LIST_ITEM_FLOAT_KNOWN_IDX
            | Uop::INPLACE_LOAD_ITEM_FLOAT_LOCAL_IDX
            | Uop::INPLACE_LOAD_ITEM_FLOAT_KNOWN_IDX => {
                let c = local(u64::from(ins.oparg));
                let item = (kind_of(c) == kind::LIST)
                    .then(|| &*(c as *const ListObj))
                    .filter(|l| ins.operand < l.len as u64)
                    .map(|l| *l.items.add(ins.operand as usize))
                    .filter(|&v| v & 1 == 0 && kind_of(v) == kind::FLOAT);
                match item {
                    Some(v) => {
                        **sp = float_val(v).to_bits();
                        *sp = sp.add(1);
                    }
                    None => {
                        let times = if matches!(
                            ins.opcode,
                            Uop::LIST_ITEM_FLOAT_LOCAL_IDX | Uop::LIST_ITEM_FLOAT_KNOWN_IDX
                        ) {
                            1
                        } else {
                            2
                        };
                        let index = encode_small_int(ins.operand as i64).unwrap_or(1);
                        for _ in 0..times {
                            incref(c);
                            **sp = c;
                            *sp.add(1) = index;
                            *sp = sp.add(2);
                        }
                        return true;
                    }
                }
            }
            Uop::INPLACE_STORE_ITEM_FLOAT_LOCAL_IDX => {
                let f = f64::from_bits(*top);
                *sp = top;
                // The read before it checked the list, the index and the
                // item, and nothing between can change them.
                let l = &*(local(u64::from(ins.oparg)) as *const ListObj);
                let slot = l.items.add(ins.operand as usize);
                let old = *slot;
                if kind_of(old) == kind::FLOAT && (*(old as *const ObjHeader)).refcnt == 1 {
                    (*(old as *mut FloatObj)).value = f;
                } else {
                    *slot = new_float(f);
                    decref(old);
                }
            }
            Uop::FLOAT_SQRT_UNBOXED => {
                let x = f64::from_bits(*top);
                let r = sqrt_if_exact(x).map(f64::to_bits).unwrap_or_else(|| {
                    crate::vm::tier2::fast_helpers::cpjit_float_pow(x.to_bits(), ins.operand)
                });
                if f64::from_bits(r).is_nan() {
                    **sp = ins.operand;
                    *sp = sp.add(1);
                    return true;
                }
                *top = r;
            }
            _ => {}
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vm::tier2::test_uops::{ins, opcodes};

    /// A deterministic stream of 64-bit words (xorshift).
    fn words(mut seed: u64) -> impl Iterator<Item = u64> {
        std::iter::from_fn(move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            Some(seed)
        })
    }

    /// `pow(x, 0.5)` from libm (an exponent the compiler cannot see, so it
    /// does not turn the call into a square root itself).
    fn pow_half(x: f64) -> f64 {
        x.powf(std::hint::black_box(0.5))
    }

    /// Wherever the square root is taken, it is the double `pow` returns;
    /// and most positive doubles take it.
    #[test]
    fn sqrt_if_exact_agrees_with_pow() {
        let mut fast = 0;
        let n = 400_000;
        for w in words(0x9e37_79b9_7f4a_7c15).take(n) {
            let x = f64::from_bits(w >> 1);
            if let Some(s) = sqrt_if_exact(x) {
                assert_eq!(s.to_bits(), pow_half(x).to_bits(), "x = {x:e}");
                fast += 1;
            }
        }
        assert!(fast > n / 2, "{fast} of {n}");
    }

    /// Roots next to a rounding midpoint, where `pow` and `sqrt` may round
    /// apart, are left to `pow`; so are the values where they differ in
    /// sign or kind (negative, -0.0, infinities, NaN, subnormals).
    #[test]
    fn sqrt_if_exact_declines_near_midpoints_and_special_values() {
        let mut differing = 0;
        for w in words(12345).take(400_000) {
            let x = f64::from_bits(w >> 1);
            if x.sqrt().to_bits() != pow_half(x).to_bits() {
                differing += 1;
                assert_eq!(sqrt_if_exact(x), None, "x = {x:e}");
            }
        }
        // glibc's pow and sqrt do round apart now and then.
        assert!(differing > 0);
        for x in [
            -0.0,
            0.0,
            -1.0,
            -4.0,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
            f64::MIN_POSITIVE / 2.0,
            4.0,
        ] {
            assert_eq!(sqrt_if_exact(x), None, "x = {x:e}");
        }
        // An exact root is as far from both midpoints as it gets.
        assert_eq!(sqrt_if_exact(9.0), Some(3.0));
    }

    #[test]
    fn loads_and_constants_fuse_into_float_operations() {
        let mut uops = vec![
            ins(Uop::LOAD_FAST_UNBOXED_FLOAT).oparg(3),
            ins(Uop::LOAD_FAST_UNBOXED_FLOAT).oparg(4),
            ins(Uop::NOP),
            ins(Uop::BINARY_OP_MULTIPLY_FLOAT_UNBOXED),
            ins(Uop::LOAD_FAST_UNBOXED_FLOAT).oparg(5),
            ins(Uop::BINARY_OP_SUBTRACT_FLOAT_UNBOXED),
            ins(Uop::LOAD_CONST_UNBOXED).operand(2f64.to_bits()),
            ins(Uop::BINARY_OP_ADD_FLOAT_UNBOXED),
            ins(Uop::LOAD_CONST_UNBOXED).operand(4f64.to_bits()),
            ins(Uop::COMPARE_OP_FLOAT_UNBOXED).oparg(1),
            ins(Uop::GUARD_IS_TRUE_POP).jump_target(12).target(7),
            ins(Uop::JUMP_TO_TOP),
            ins(Uop::EXIT_TRACE),
        ];
        let entered = vec![false; uops.len() + 1];
        fuse_floats(&mut uops, &entered);
        assert_eq!(
            opcodes(&uops[..11]),
            vec![
                Uop::NOP,
                Uop::NOP,
                Uop::NOP,
                Uop::FLOAT_MULTIPLY_LOCALS,
                Uop::NOP,
                Uop::FLOAT_SUBTRACT_TOS_LOCAL,
                Uop::NOP,
                Uop::FLOAT_ADD_TOS_CONST,
                Uop::NOP,
                Uop::NOP,
                Uop::GUARD_FLOAT_CONST_UNBOXED,
            ]
        );
        assert_eq!((uops[3].oparg, uops[3].operand), (3, 4));
        assert_eq!(uops[5].oparg, 5);
        assert_eq!(uops[7].operand, 2f64.to_bits());
        // `<=`: continue on `<` or `==`, through the guard's exit.
        assert_eq!(
            (uops[10].oparg, uops[10].operand, uops[10].jump_target),
            (3, 4f64.to_bits(), 12)
        );
    }

    /// A false branch continues on the complement, NaN included.
    #[test]
    fn a_false_branch_guard_takes_the_complement() {
        let mut uops = vec![
            ins(Uop::COMPARE_OP_FLOAT_UNBOXED).oparg(0),
            ins(Uop::GUARD_IS_FALSE_POP).jump_target(3),
            ins(Uop::JUMP_TO_TOP),
            ins(Uop::EXIT_TRACE),
        ];
        fuse_floats(&mut uops, &[false; 5]);
        assert_eq!(uops[1].opcode, Uop::GUARD_FLOAT_UNBOXED);
        // not `<`: `==`, `>` or unordered.
        assert_eq!(uops[1].oparg, 0xe);
    }

    /// A group something jumps into is left alone.
    #[test]
    fn entered_groups_are_not_fused() {
        let mut uops = vec![
            ins(Uop::LOAD_FAST_UNBOXED_FLOAT).oparg(3),
            ins(Uop::BINARY_OP_ADD_FLOAT_UNBOXED),
            ins(Uop::JUMP_TO_LOOP).jump_target(1),
        ];
        let mut entered = vec![false; 4];
        entered[1] = true;
        fuse_floats(&mut uops, &entered);
        assert_eq!(
            opcodes(&uops),
            vec![
                Uop::LOAD_FAST_UNBOXED_FLOAT,
                Uop::BINARY_OP_ADD_FLOAT_UNBOXED,
                Uop::JUMP_TO_LOOP
            ]
        );
    }

    /// The second read of a list local skips the list checks; a store to
    /// the local, or a helper, forgets it; a negative index stays tagged.
    #[test]
    fn list_reads_after_a_proof_skip_the_list_checks() {
        let c = |i: i64| encode_small_int(i).unwrap_or(1);
        let item = Uop::BINARY_SUBSCR_LIST_INT_LOCAL_CONST_UNBOXED_FLOAT;
        let mut uops = vec![
            ins(item).oparg(2).operand(c(0)),
            ins(item).oparg(2).operand(c(1)),
            ins(Uop::STORE_FAST).oparg(2),
            ins(item).oparg(2).operand(c(2)),
            ins(Uop::CALL_HELPER),
            ins(item).oparg(2).operand(c(3)),
            ins(item).oparg(2).operand(c(-1)),
            ins(Uop::INPLACE_LOAD_ITEM_FLOAT_LOCAL_CONST)
                .oparg(2)
                .operand(c(4)),
            ins(Uop::INPLACE_STORE_ITEM_FLOAT_LOCAL_CONST)
                .oparg(2)
                .operand(c(4)),
            ins(Uop::JUMP_TO_TOP),
        ];
        fuse_floats(&mut uops, &[false; 11]);
        assert_eq!(
            opcodes(&uops[..9]),
            vec![
                Uop::LIST_ITEM_FLOAT_LOCAL_IDX,
                Uop::LIST_ITEM_FLOAT_KNOWN_IDX,
                Uop::STORE_FAST,
                Uop::LIST_ITEM_FLOAT_LOCAL_IDX,
                Uop::CALL_HELPER,
                Uop::LIST_ITEM_FLOAT_LOCAL_IDX,
                item,
                Uop::INPLACE_LOAD_ITEM_FLOAT_KNOWN_IDX,
                Uop::INPLACE_STORE_ITEM_FLOAT_LOCAL_IDX,
            ]
        );
        assert_eq!(uops[1].operand, 1);
        assert_eq!(uops[6].operand, c(-1));
        assert_eq!(uops[8].operand, 4);
    }

    /// At a peeled loop's head, a list proven before the loop stays known
    /// only if the loop body never stores the local.
    #[test]
    fn loop_heads_keep_only_what_every_back_edge_keeps() {
        let c = |i: i64| encode_small_int(i).unwrap_or(1);
        let item = Uop::BINARY_SUBSCR_LIST_INT_LOCAL_CONST_UNBOXED_FLOAT;
        let mut uops = vec![
            ins(item).oparg(1).operand(c(0)),
            ins(item).oparg(2).operand(c(0)),
            // loop head (2)
            ins(item).oparg(1).operand(c(0)),
            ins(item).oparg(2).operand(c(0)),
            ins(Uop::STORE_FAST).oparg(2),
            ins(Uop::JUMP_TO_LOOP).jump_target(2),
        ];
        let mut entered = vec![false; 7];
        entered[2] = true;
        fuse_floats(&mut uops, &entered);
        assert_eq!(
            opcodes(&uops[..4]),
            vec![
                Uop::LIST_ITEM_FLOAT_LOCAL_IDX,
                Uop::LIST_ITEM_FLOAT_LOCAL_IDX,
                Uop::LIST_ITEM_FLOAT_KNOWN_IDX,
                Uop::LIST_ITEM_FLOAT_LOCAL_IDX,
            ]
        );
    }
}
